#include "emulator/row_codec.h"

#include <algorithm>
#include <cstring>

#include "emulator/key_codec.h"
#include "tablestore/crc8.h"
#include "tablestore/plainbuffer_format.h"

namespace tsb::emulator {
namespace {

uint32_t DecodeFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);  // little-endian hosts only (x86-64, aarch64)
  return v;
}

uint64_t DecodeFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace

// Each piece goes out in one append: these run for every cell of every write.
void StoredRowWriter::AppendColumn(std::string_view name, uint32_t count) {
  out_->push_back(static_cast<char>(name.size()));
  out_->append(name);
  char buf[4];
  std::memcpy(buf, &count, 4);  // little-endian hosts only (x86-64, aarch64), as the reader
  out_->append(buf, 4);
  name_ = name;
}

void StoredRowWriter::AppendVersion(int64_t timestamp, const ots::Value& value) {
  const size_t crc_at = AppendVersionBytes(timestamp, value, 0);
  // The value's stored bytes are what the cell checksum covers after the name.
  (*out_)[crc_at] = static_cast<char>(
      ots::Crc8(ots::Crc8(0, name_), out_->data() + crc_at + 1, out_->size() - crc_at - 1));
}

void StoredRowWriter::AppendVersion(int64_t timestamp, const ots::Value& value,
                                    uint8_t name_value_crc) {
  AppendVersionBytes(timestamp, value, name_value_crc);
}

void StoredRowWriter::AppendSingleVersionColumn(std::string_view name, int64_t timestamp,
                                                const ots::Value& value, uint8_t name_value_crc) {
  const size_t at = out_->size();
  out_->resize(at + SingleVersionColumnSize(name, value));
  WriteSingleVersionColumn(out_->data() + at, name, timestamp, value, name_value_crc);
}

size_t SingleVersionColumnSize(std::string_view name, const ots::Value& value) {
  const bool var = value.type == ots::ValueType::kString || value.type == ots::ValueType::kBinary;
  const size_t payload =
      var ? 4 + value.bytes.size() : (value.type == ots::ValueType::kBoolean ? 1 : 8);
  return 1 + name.size() + 4 + 8 + 2 + payload;
}

char* WriteSingleVersionColumn(char* p, std::string_view name, int64_t timestamp,
                               const ots::Value& value, uint8_t name_value_crc) {
  // Little-endian hosts only, as the reader.
  *p++ = static_cast<char>(name.size());
  std::memcpy(p, name.data(), name.size());
  p += name.size();
  const uint32_t one = 1;
  std::memcpy(p, &one, 4);
  std::memcpy(p + 4, &timestamp, 8);
  p[12] = static_cast<char>(name_value_crc);
  p[13] = static_cast<char>(value.type);
  p += 14;
  switch (value.type) {
    case ots::ValueType::kInteger:
      std::memcpy(p, &value.i, 8);
      return p + 8;
    case ots::ValueType::kDouble:
      std::memcpy(p, &value.d, 8);
      return p + 8;
    case ots::ValueType::kBoolean:
      *p = value.b ? 1 : 0;
      return p + 1;
    default: {  // STRING, BINARY
      const auto len = static_cast<uint32_t>(value.bytes.size());
      std::memcpy(p, &len, 4);
      if (len > 0) std::memcpy(p + 4, value.bytes.data(), len);
      return p + 4 + len;
    }
  }
}

char* WriteSingleVersionColumn(char* p, std::string_view name, int64_t timestamp,
                               const ots::Value& value) {
  char* end = WriteSingleVersionColumn(p, name, timestamp, value, 0);
  // The checksum byte sits just before the value's type byte and payload, which it covers.
  char* crc_at = p + 1 + name.size() + 4 + 8;
  *crc_at = static_cast<char>(
      ots::Crc8(ots::Crc8(0, name), crc_at + 1, static_cast<size_t>(end - crc_at - 1)));
  return end;
}

// A version's head (ts, then `head_extra` bytes such as the checksum) and its value, type byte
// and payload, in one or two appends: the stored row and the update operand share this layout
// but for the checksum.
static void AppendVersionWithHead(std::string* out, int64_t timestamp, const char* head_extra,
                                  size_t extra, const ots::Value& value) {
  char buf[8 + 1 + 1 + 8];
  std::memcpy(buf, &timestamp, 8);
  std::memcpy(buf + 8, head_extra, extra);
  char* v = buf + 8 + extra;
  *v++ = static_cast<char>(value.type);
  switch (value.type) {
    case ots::ValueType::kInteger:
      std::memcpy(v, &value.i, 8);
      v += 8;
      break;
    case ots::ValueType::kDouble:
      std::memcpy(v, &value.d, 8);
      v += 8;
      break;
    case ots::ValueType::kBoolean:
      *v++ = value.b ? 1 : 0;
      break;
    default: {  // STRING, BINARY
      const auto len = static_cast<uint32_t>(value.bytes.size());
      std::memcpy(v, &len, 4);
      out->append(buf, static_cast<size_t>(v + 4 - buf));
      out->append(value.bytes);
      return;
    }
  }
  out->append(buf, static_cast<size_t>(v - buf));
}

void AppendStoredVersion(std::string* out, int64_t timestamp, const ots::Value& value) {
  const char no_head = 0;
  AppendVersionWithHead(out, timestamp, &no_head, 0, value);
}

size_t StoredRowWriter::AppendVersionBytes(int64_t timestamp, const ots::Value& value,
                                           uint8_t crc) {
  const size_t crc_at = out_->size() + 8;
  const char head = static_cast<char>(crc);
  AppendVersionWithHead(out_, timestamp, &head, 1, value);
  return crc_at;
}

void StoredRowWriter::AppendRawVersion(int64_t timestamp, std::string_view raw_value) {
  AppendRawVersion(timestamp, raw_value, ots::Crc8(ots::Crc8(0, name_), raw_value));
}

void StoredRowWriter::AppendRawVersion(int64_t timestamp, std::string_view raw_value,
                                       uint8_t name_value_crc) {
  char buf[9];
  std::memcpy(buf, &timestamp, 8);
  buf[8] = static_cast<char>(name_value_crc);
  out_->append(buf, 9);
  out_->append(raw_value);
}

size_t StoredValueSize(std::string_view data) {
  if (data.empty()) return 0;
  const size_t avail = data.size() - 1;
  switch (static_cast<ots::ValueType>(data[0])) {
    case ots::ValueType::kInteger:
    case ots::ValueType::kDouble:
      return avail < 8 ? 0 : 9;
    case ots::ValueType::kBoolean:
      return avail < 1 ? 0 : 2;
    case ots::ValueType::kString:
    case ots::ValueType::kBinary: {
      if (avail < 4) return 0;
      const uint32_t len = DecodeFixed32(data.data() + 1);
      return avail - 4 < len ? 0 : 5 + size_t{len};
    }
    default:
      return 0;
  }
}

// Where the columns of a stored row start (after the format byte), or null for an unknown
// format.
static const char* StoredColumnsStart(std::string_view data) {
  if (data.empty()) return nullptr;
  if (data[0] == kStoredRowVersion || data[0] == kStoredRowVersionNoCrc) return data.data() + 1;
  return nullptr;
}

StoredRowReader::StoredRowReader(std::string_view data)
    : p_(data.data()), limit_(data.data() + data.size()) {
  const char* columns = StoredColumnsStart(data);
  if (columns == nullptr) {
    ok_ = false;
    p_ = limit_;
    return;
  }
  has_crc_ = data[0] != kStoredRowVersionNoCrc;
  p_ = columns;
}

bool StoredRowReader::SkipRemainingVersions() {
  int64_t ts;
  ots::Value v;
  while (remaining_ > 0) {
    if (!NextVersion(&ts, &v)) return false;
  }
  return true;
}

bool StoredRowReader::NextColumn(std::string_view* name, uint32_t* count) {
  if (!ok_) return false;
  if (remaining_ > 0 && !SkipRemainingVersions()) return false;
  if (p_ == limit_) return false;
  size_t len = static_cast<uint8_t>(*p_);
  if (static_cast<size_t>(limit_ - p_) < 1 + len + 4) {
    ok_ = false;
    return false;
  }
  *name = std::string_view(p_ + 1, len);
  p_ += 1 + len;
  remaining_ = DecodeFixed32(p_);
  *count = remaining_;
  p_ += 4;
  return true;
}

bool StoredRowReader::NextVersion(int64_t* timestamp, ots::Value* value) {
  if (!ok_ || remaining_ == 0) return false;
  const size_t head = has_crc_ ? 10 : 9;
  if (static_cast<size_t>(limit_ - p_) < head) {
    ok_ = false;
    return false;
  }
  *timestamp = static_cast<int64_t>(DecodeFixed64(p_));
  if (has_crc_) value_crc_ = static_cast<uint8_t>(p_[8]);
  const char* raw_begin = p_ + head - 1;
  value->type = static_cast<ots::ValueType>(*raw_begin);
  p_ += head;
  size_t avail = limit_ - p_;
  switch (value->type) {
    case ots::ValueType::kInteger:
    case ots::ValueType::kDouble: {
      if (avail < 8) {
        ok_ = false;
        return false;
      }
      uint64_t bits = DecodeFixed64(p_);
      if (value->type == ots::ValueType::kInteger) {
        value->i = static_cast<int64_t>(bits);
      } else {
        std::memcpy(&value->d, &bits, 8);
      }
      p_ += 8;
      break;
    }
    case ots::ValueType::kBoolean:
      if (avail < 1) {
        ok_ = false;
        return false;
      }
      value->b = *p_ != 0;
      ++p_;
      break;
    case ots::ValueType::kString:
    case ots::ValueType::kBinary: {
      if (avail < 4) {
        ok_ = false;
        return false;
      }
      uint32_t len = DecodeFixed32(p_);
      if (avail - 4 < len) {
        ok_ = false;
        return false;
      }
      value->bytes = std::string_view(p_ + 4, len);
      p_ += 4 + len;
      break;
    }
    default:
      ok_ = false;
      return false;
  }
  raw_value_ = std::string_view(raw_begin, p_ - raw_begin);
  --remaining_;
  return true;
}

// A resize zero-fills what it adds, so the room grows a step at a time (about ten rows of a
// typical scan) rather than doubling: doubling would zero-fill up to twice the page. The string's
// own capacity still doubles underneath, so the bytes are copied as rarely as before.
void PlainBufferRowAppender::Grow(size_t n) { out_->resize(end_ + std::max<size_t>(n, 1024)); }

void PlainBufferRowAppender::BeginRow() {
  row_start_ = end_;
  row_crc_ = 0;
  in_attributes_ = false;
  *Take(1) = static_cast<char>(ots::pb_format::kTagRowPk);
}

// One whole cell: 03 04 len name 05 len value [07 ts] 0A crc, where the value is `value_head`
// followed by `value_tail`, written into room made once. Returns the cell's CRC-8.
uint8_t PlainBufferRowAppender::AppendCell(std::string_view name, std::string_view value_head,
                                           std::string_view value_tail, const int64_t* ts,
                                           const uint8_t* known_crc) {
  const size_t value_len = value_head.size() + value_tail.size();
  const size_t n = 6 + name.size() + 5 + value_len + (ts ? 9 : 0) + 2;
  char* p = Take(n);
  // Little-endian hosts only, as the stored row.
  auto put32 = [&p](size_t v) {
    const auto u = static_cast<uint32_t>(v);
    std::memcpy(p, &u, 4);
    p += 4;
  };
  auto put = [&p](std::string_view bytes) {
    if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
    p += bytes.size();
  };
  *p++ = static_cast<char>(ots::pb_format::kTagCell);
  *p++ = static_cast<char>(ots::pb_format::kTagCellName);
  put32(name.size());
  put(name);
  *p++ = static_cast<char>(ots::pb_format::kTagCellValue);
  put32(value_len);
  // The value's bytes, as written, are what its checksum covers.
  const char* value_at = p;
  put(value_head);
  put(value_tail);
  uint8_t crc = known_crc ? *known_crc : ots::Crc8(ots::Crc8(0, name), value_at, value_len);
  if (ts) {
    *p++ = static_cast<char>(ots::pb_format::kTagCellTimestamp);
    const auto bits = static_cast<uint64_t>(*ts);
    std::memcpy(p, &bits, 8);
    p += 8;
    crc = ots::Crc8U64(crc, bits);
  }
  *p++ = static_cast<char>(ots::pb_format::kTagCellChecksum);
  *p = static_cast<char>(crc);
  row_crc_ = ots::Crc8Byte(row_crc_, crc);
  return crc;
}

void PlainBufferRowAppender::AddPrimaryKeyCell(std::string_view name, const ots::Value& value) {
  AddPrimaryKeyCell(name, ots::Crc8(0, name), value);
}

void PlainBufferRowAppender::AddPrimaryKeyCell(std::string_view name, uint8_t name_crc,
                                               const ots::Value& value) {
  // The key's stored form orders bytewise and is not PlainBuffer's: the value is built here.
  char head[1 + 8];
  head[0] = static_cast<char>(value.type);
  if (value.type == ots::ValueType::kInteger) {
    const auto bits = static_cast<uint64_t>(value.i);
    std::memcpy(head + 1, &bits, 8);
    const uint8_t crc = ots::Crc8(name_crc, head, 9);
    AppendCell(name, std::string_view(head, 9), {}, nullptr, &crc);
  } else {
    const auto len = static_cast<uint32_t>(value.bytes.size());
    std::memcpy(head + 1, &len, 4);
    const uint8_t crc = ots::Crc8(ots::Crc8(name_crc, head, 5), value.bytes);
    AppendCell(name, std::string_view(head, 5), value.bytes, nullptr, &crc);
  }
}

void PlainBufferRowAppender::AddAttributeCell(std::string_view name, std::string_view raw_value,
                                              int64_t timestamp) {
  if (!in_attributes_) {
    *Take(1) = static_cast<char>(ots::pb_format::kTagRowData);
    in_attributes_ = true;
  }
  AppendCell(name, raw_value, {}, &timestamp);
}

void PlainBufferRowAppender::AddAttributeCell(std::string_view name, std::string_view raw_value,
                                              int64_t timestamp, uint8_t name_value_crc) {
  if (!in_attributes_) {
    *Take(1) = static_cast<char>(ots::pb_format::kTagRowData);
    in_attributes_ = true;
  }
  AppendCell(name, raw_value, {}, &timestamp, &name_value_crc);
}

bool PlainBufferRowAppender::AddPrimaryKeyFromRowKey(std::string_view row_key,
                                                     std::span<const KeyColumnName> columns,
                                                     int64_t* cu_bytes) {
  // Parsed in full before anything is written, so a key that needs the general decoder leaves
  // the row as it was.
  struct KeyValue {
    ots::ValueType type;
    uint64_t integer;  // two's complement, as PlainBuffer writes it
    const char* bytes;
    uint32_t len;
  };
  if (columns.size() > kMaxFastKeyColumns || row_key.size() < kRowKeyPrefixSize) return false;
  KeyValue values[kMaxFastKeyColumns];
  const char* p = row_key.data() + kRowKeyPrefixSize;
  const char* const limit = row_key.data() + row_key.size();
  size_t out_bytes = 0;
  int64_t cu = 0;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (p == limit) return false;
    const auto tag = static_cast<uint8_t>(*p++);
    KeyValue& v = values[i];
    if (tag == kTagInteger) {
      if (limit - p < 8) return false;
      uint64_t big_endian;
      std::memcpy(&big_endian, p, 8);
      v.type = ots::ValueType::kInteger;
      v.integer = __builtin_bswap64(big_endian) ^ (uint64_t{1} << 63);
      v.len = 8;
      p += 8;
    } else if (tag == kTagString || tag == kTagBinary) {
      const auto* zero =
          static_cast<const char*>(std::memchr(p, 0, static_cast<size_t>(limit - p)));
      // Only the terminator 00 01 is plain; an escaped 0x00 (00 FF) needs unescaping.
      if (zero == nullptr || limit - zero < 2 || zero[1] != '\x01') return false;
      v.type = tag == kTagString ? ots::ValueType::kString : ots::ValueType::kBinary;
      v.bytes = p;
      v.len = static_cast<uint32_t>(zero - p);
      p = zero + 2;
    } else {
      return false;
    }
    // 03 04 len name 05 len type, the payload, 0A crc.
    out_bytes += columns[i].name.size() + 18 + (tag == kTagInteger ? 4 : v.len);
    cu += static_cast<int64_t>(columns[i].name.size() + v.len);
  }
  if (p != limit) return false;

  char* o = Take(out_bytes);
  uint8_t row_crc = row_crc_;
  for (size_t i = 0; i < columns.size(); ++i) {
    const KeyValue& v = values[i];
    const std::string_view name = columns[i].name;
    const auto name_len = static_cast<uint32_t>(name.size());
    const bool is_int = v.type == ots::ValueType::kInteger;
    const uint32_t value_len = is_int ? 9 : 5 + v.len;
    // Little-endian hosts only, as the stored row: 03 04 len name 05 len type payload 0A crc.
    o[0] = static_cast<char>(ots::pb_format::kTagCell);
    o[1] = static_cast<char>(ots::pb_format::kTagCellName);
    std::memcpy(o + 2, &name_len, 4);
    std::memcpy(o + 6, name.data(), name_len);
    o += 6 + name_len;
    o[0] = static_cast<char>(ots::pb_format::kTagCellValue);
    std::memcpy(o + 1, &value_len, 4);
    o[5] = static_cast<char>(v.type);
    uint8_t crc = ots::Crc8Byte(columns[i].name_crc, static_cast<uint8_t>(v.type));
    if (is_int) {
      std::memcpy(o + 6, &v.integer, 8);
      crc = ots::Crc8U64(crc, v.integer);
      o += 14;
    } else {
      std::memcpy(o + 6, &v.len, 4);
      if (v.len > 0) std::memcpy(o + 10, v.bytes, v.len);
      crc = ots::Crc8(ots::Crc8U32(crc, v.len), v.bytes, v.len);
      o += 10 + v.len;
    }
    o[0] = static_cast<char>(ots::pb_format::kTagCellChecksum);
    o[1] = static_cast<char>(crc);
    o += 2;
    row_crc = ots::Crc8Byte(row_crc, crc);
  }
  end_ = static_cast<size_t>(o - out_->data());
  row_crc_ = row_crc;
  *cu_bytes += cu;
  return true;
}

bool PlainBufferRowAppender::AddStoredAttributes(std::string_view stored,
                                                 const VersionWindow& window, int64_t version_bytes,
                                                 int64_t* cu_bytes) {
  const char* p = StoredColumnsStart(stored);
  if (p == nullptr) return false;
  const bool has_crc = stored[0] != kStoredRowVersionNoCrc;
  const size_t version_head = has_crc ? 9 : 8;  // ts [crc], before the value's type byte
  const char* const limit = stored.data() + stored.size();
  // The room made and the checksum live in locals for the walk: a store through char* may alias
  // any member, so the compiler would reload them after every byte written.
  char* o = out_->data() + end_;
  char* room_end = out_->data() + out_->size();
  uint8_t row_crc = row_crc_;
  int64_t cu = 0;
  // The row-data tag goes before the first cell returned: a row whose versions all lie outside
  // the window has none, as with AddAttributeCell.
  bool data_tag_written = in_attributes_;
  int64_t folded_ts = 0;
  uint8_t ts_crc = 0;  // Crc8U64(0, folded_ts)
  bool ok = true;
  while (p != limit) {
    const size_t name_len = static_cast<uint8_t>(*p);
    if (static_cast<size_t>(limit - p) < 1 + name_len + 4) {
      ok = false;
      break;
    }
    const char* name = p + 1;
    uint32_t count = DecodeFixed32(name + name_len);
    p = name + name_len + 4;
    int32_t taken = 0;
    bool open = true;   // still returning versions of this column
    int name_crc = -1;  // format 0x01: computed on the column's first cell
    for (; count > 0; --count) {
      // Every version is checked for its bounds, returned or not, as StoredRowReader does.
      if (static_cast<size_t>(limit - p) < version_head + 1) {
        ok = false;
        break;
      }
      const char* raw = p + version_head;
      const size_t avail = static_cast<size_t>(limit - raw) - 1;
      size_t raw_len = 0;
      size_t data_size = 0;
      switch (static_cast<ots::ValueType>(*raw)) {
        case ots::ValueType::kInteger:
        case ots::ValueType::kDouble:
          raw_len = 9;
          data_size = 8;
          break;
        case ots::ValueType::kBoolean:
          raw_len = 2;
          data_size = 1;
          break;
        case ots::ValueType::kString:
        case ots::ValueType::kBinary:
          if (avail < 4) {
            ok = false;
            break;
          }
          data_size = DecodeFixed32(raw + 1);
          raw_len = 5 + data_size;
          break;
        default:
          ok = false;
          break;
      }
      if (!ok || avail + 1 < raw_len) {
        ok = false;
        break;
      }
      p = raw + raw_len;
      if (!open) continue;
      const auto ts = static_cast<int64_t>(DecodeFixed64(raw - version_head));
      if (ts >= window.max_ts) continue;
      if (ts < window.min_ts) {  // versions are newest first
        open = false;
        continue;
      }
      if (++taken >= window.max_versions) open = false;

      // 03 04 len name 05 len value 07 ts 0A crc, as AppendCell writes it.
      const size_t n = name_len + raw_len + 22 + (data_tag_written ? 0 : 1);
      if (static_cast<size_t>(room_end - o) < n) {
        end_ = static_cast<size_t>(o - out_->data());
        Grow(n);
        o = out_->data() + end_;
        room_end = out_->data() + out_->size();
      }
      if (!data_tag_written) {
        *o++ = static_cast<char>(ots::pb_format::kTagRowData);
        data_tag_written = true;
      }
      uint8_t crc;
      if (has_crc) {
        crc = static_cast<uint8_t>(raw[-1]);
      } else {
        if (name_crc < 0) name_crc = ots::Crc8(0, name, name_len);
        crc = ots::Crc8(static_cast<uint8_t>(name_crc), raw, raw_len);
      }
      const auto name_len32 = static_cast<uint32_t>(name_len);
      const auto raw_len32 = static_cast<uint32_t>(raw_len);
      o[0] = static_cast<char>(ots::pb_format::kTagCell);
      o[1] = static_cast<char>(ots::pb_format::kTagCellName);
      std::memcpy(o + 2, &name_len32, 4);
      std::memcpy(o + 6, name, name_len);
      o += 6 + name_len;
      o[0] = static_cast<char>(ots::pb_format::kTagCellValue);
      std::memcpy(o + 1, &raw_len32, 4);
      if (raw_len == 9) {
        std::memcpy(o + 5, raw, 9);  // a constant size the compiler copies inline
      } else {
        std::memcpy(o + 5, raw, raw_len);
      }
      o += 5 + raw_len;
      o[0] = static_cast<char>(ots::pb_format::kTagCellTimestamp);
      std::memcpy(o + 1, &ts, 8);
      if (ts != folded_ts) {  // a row's cells mostly share their write's timestamp
        folded_ts = ts;
        ts_crc = ots::Crc8U64(0, static_cast<uint64_t>(ts));
      }
      crc = ots::Crc8Shift8(crc) ^ ts_crc;
      o[9] = static_cast<char>(ots::pb_format::kTagCellChecksum);
      o[10] = static_cast<char>(crc);
      o += 11;
      row_crc = ots::Crc8Byte(row_crc, crc);
      cu += static_cast<int64_t>(name_len + data_size) + version_bytes;
    }
    if (!ok) break;
  }
  end_ = static_cast<size_t>(o - out_->data());
  row_crc_ = row_crc;
  in_attributes_ = data_tag_written;
  *cu_bytes += cu;
  return ok;
}

void PlainBufferRowAppender::EndRow() {
  row_crc_ = ots::Crc8Byte(row_crc_, ots::pb_format::kRowChecksumNoDeleteByte);
  char* p = Take(2);
  p[0] = static_cast<char>(ots::pb_format::kTagRowChecksum);
  p[1] = static_cast<char>(row_crc_);
}

int64_t ValueDataSize(const ots::Value& value) {
  switch (value.type) {
    case ots::ValueType::kInteger:
    case ots::ValueType::kDouble:
      return 8;
    case ots::ValueType::kBoolean:
      return 1;
    case ots::ValueType::kString:
    case ots::ValueType::kBinary:
      return static_cast<int64_t>(value.bytes.size());
    default:
      return 0;
  }
}

}  // namespace tsb::emulator
