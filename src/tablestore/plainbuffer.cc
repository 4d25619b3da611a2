// PlainBuffer encoder and decoder (wire doc Part B).
//
// Grammar, as we write it and as we accept it (all integers little-endian, no varints):
//
//   buffer  := header row*                 header = u32 0x75; multi-row buffers have no count
//   field   := header row 00*              single-row field; the Node SDK pads with zeros (B.6)
//   row     := 01 cell* [02 cell*] [08] [extension] 09 crc8
//   cell    := 03  04 u32:n name[n]  [05 u32:prefix type payload]  [06 op]  [07 i64:ts]  0A crc8
//   payload := INTEGER i64 | DOUBLE f64 bits | BOOLEAN 00/01 | STRING/BINARY u32:n bytes[n]
//            | INF_MIN / INF_MAX / AUTO_INCREMENT / NULL: nothing
//   extension := 0B u32:n bytes[n]          Java stream records; skipped, not checksummed
//
// We always write the 01 tag (even for an empty key) and write 02 only when attributes exist, as
// both SDKs do. The reader also accepts a row without 01 (a bare 02 or 09).
//
// Checksums (B.4): a cell's CRC8 covers the name bytes, then the value (type byte, the u32 length
// for STRING/BINARY, the payload; BOOLEAN as exactly 00/01), then the timestamp's 8 bytes, then
// the op byte: the op is folded AFTER the timestamp although it precedes it on the wire. The
// row's CRC8 covers each cell checksum in wire order, then 01 if the delete marker is present,
// else 00. Tags, name lengths and value prefixes are never checksummed.
//
// The encoder computes the exact size first, grows the output once and writes through a raw
// pointer. The decoder checks each length against the bytes left before using it.
#include "tablestore/plainbuffer.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "core/coding.h"
#include "tablestore/crc8.h"
#include "tablestore/plainbuffer_format.h"

namespace tsb::ots {
namespace {

using namespace pb_format;  // NOLINT: tag constants

// An INTEGER or DOUBLE value (`type`, the wire's type byte) from its eight little-endian bytes.
inline void SetEightByteValue(uint8_t type, uint64_t bits, Value* v) {
  if (type == static_cast<uint8_t>(ValueType::kInteger)) {
    v->type = ValueType::kInteger;
    v->i = static_cast<int64_t>(bits);
  } else {
    v->type = ValueType::kDouble;
    v->d = BitsToDouble(bits);
  }
}

// Bytes after the 05 prefix: type byte + payload.
inline size_t ValueSize(const Value& v) {
  switch (v.type) {
    case ValueType::kInteger:
    case ValueType::kDouble:
      return 9;
    case ValueType::kBoolean:
      return 2;
    case ValueType::kString:
    case ValueType::kBinary:
      return 5 + v.bytes.size();
    case ValueType::kNull:
    case ValueType::kInfMin:
    case ValueType::kInfMax:
    case ValueType::kAutoIncrement:
      return 1;
  }
  return 1;
}

inline size_t CellSize(std::string_view name, const Value* value, CellOp op, bool has_ts) {
  size_t n = 1 + 5 + name.size() + 2;  // 03, 04 u32 name, 0A crc
  if (value != nullptr) n += 5 + ValueSize(*value);
  if (op != CellOp::kPut) n += 2;
  if (has_ts) n += 9;
  return n;
}

inline size_t CellSize(const Cell& c) {
  return CellSize(c.name, c.value ? &*c.value : nullptr, c.op, c.timestamp.has_value());
}

inline uint8_t CrcValue(uint8_t crc, const Value& v) {
  crc = Crc8Byte(crc, static_cast<uint8_t>(v.type));
  switch (v.type) {
    case ValueType::kInteger:
      return Crc8U64(crc, static_cast<uint64_t>(v.i));
    case ValueType::kDouble:
      return Crc8U64(crc, DoubleToBits(v.d));
    case ValueType::kBoolean:
      return Crc8Byte(crc, v.b ? 1 : 0);
    case ValueType::kString:
    case ValueType::kBinary:
      crc = Crc8U32(crc, static_cast<uint32_t>(v.bytes.size()));
      return Crc8(crc, v.bytes.data(), v.bytes.size());
    default:
      return crc;
  }
}

// Writes type byte + payload at p; returns the end.
inline char* WriteValue(char* p, const Value& v) {
  *p++ = static_cast<char>(v.type);
  switch (v.type) {
    case ValueType::kInteger:
      EncodeFixed64(p, static_cast<uint64_t>(v.i));
      return p + 8;
    case ValueType::kDouble:
      EncodeFixed64(p, DoubleToBits(v.d));
      return p + 8;
    case ValueType::kBoolean:
      *p++ = v.b ? 1 : 0;
      return p;
    case ValueType::kString:
    case ValueType::kBinary:
      EncodeFixed32(p, static_cast<uint32_t>(v.bytes.size()));
      p += 4;
      if (!v.bytes.empty()) std::memcpy(p, v.bytes.data(), v.bytes.size());
      return p + v.bytes.size();
    default:
      return p;
  }
}

// Writes one cell at p (exactly CellSize bytes) and returns the end; *crc_out gets its checksum.
// `name_crc` is Crc8(0, name): the cell checksum starts from 0 with the name (wire doc B.4), so
// a writer that puts the same column name in every row computes it once.
inline char* WriteCell(char* p, std::string_view name, uint8_t name_crc, const Value* value,
                       CellOp op, const std::optional<int64_t>& ts, uint8_t* crc_out) {
  *p++ = static_cast<char>(kTagCell);
  *p++ = static_cast<char>(kTagCellName);
  EncodeFixed32(p, static_cast<uint32_t>(name.size()));
  p += 4;
  if (!name.empty()) std::memcpy(p, name.data(), name.size());
  p += name.size();
  uint8_t crc = name_crc;
  if (value != nullptr) {
    *p++ = static_cast<char>(kTagCellValue);
    EncodeFixed32(p, static_cast<uint32_t>(ValueSize(*value)));
    p += 4;
    p = WriteValue(p, *value);
    crc = CrcValue(crc, *value);
  }
  if (op != CellOp::kPut) {
    *p++ = static_cast<char>(kTagCellType);
    *p++ = static_cast<char>(op);
  }
  if (ts) {
    *p++ = static_cast<char>(kTagCellTimestamp);
    EncodeFixed64(p, static_cast<uint64_t>(*ts));
    p += 8;
    crc = Crc8U64(crc, static_cast<uint64_t>(*ts));
  }
  if (op != CellOp::kPut) crc = Crc8Byte(crc, static_cast<uint8_t>(op));
  *p++ = static_cast<char>(kTagCellChecksum);
  *p++ = static_cast<char>(crc);
  *crc_out = crc;
  return p;
}

inline char* WriteCell(char* p, std::string_view name, const Value* value, CellOp op,
                       const std::optional<int64_t>& ts, uint8_t* crc_out) {
  return WriteCell(p, name, Crc8(0, name), value, op, ts, crc_out);
}

inline char* WriteCell(char* p, const Cell& c, uint8_t* crc_out) {
  return WriteCell(p, c.name, c.value ? &*c.value : nullptr, c.op, c.timestamp, crc_out);
}

// Writes the row (no header) at p; exactly EncodedRowSize(row) bytes.
char* WriteRow(char* p, const Row& row) {
  uint8_t row_crc = 0;
  uint8_t cell_crc = 0;
  *p++ = static_cast<char>(kTagRowPk);
  for (const Cell& c : row.primary_key) {
    p = WriteCell(p, c, &cell_crc);
    row_crc = Crc8Byte(row_crc, cell_crc);
  }
  if (!row.attributes.empty()) {
    *p++ = static_cast<char>(kTagRowData);
    for (const Cell& c : row.attributes) {
      p = WriteCell(p, c, &cell_crc);
      row_crc = Crc8Byte(row_crc, cell_crc);
    }
  }
  if (row.delete_marker) *p++ = static_cast<char>(kTagDeleteRowMarker);
  row_crc = Crc8Byte(row_crc, row.delete_marker ? kRowChecksumDeleteByte : kRowChecksumNoDeleteByte);
  *p++ = static_cast<char>(kTagRowChecksum);
  *p++ = static_cast<char>(row_crc);
  return p;
}

// Grows *out by n bytes and returns a pointer to the first new byte.
inline char* Grow(std::string* out, size_t n) {
  size_t old = out->size();
  out->resize(old + n);
  return out->data() + old;
}

const char* TagName(uint8_t tag) {
  switch (tag) {
    case kTagRowPk: return "TAG_ROW_PK";
    case kTagRowData: return "TAG_ROW_DATA";
    case kTagCell: return "TAG_CELL";
    case kTagCellName: return "TAG_CELL_NAME";
    case kTagCellValue: return "TAG_CELL_VALUE";
    case kTagCellType: return "TAG_CELL_TYPE";
    case kTagCellTimestamp: return "TAG_CELL_TIMESTAMP";
    case kTagDeleteRowMarker: return "TAG_DELETE_ROW_MARKER";
    case kTagRowChecksum: return "TAG_ROW_CHECKSUM";
    case kTagCellChecksum: return "TAG_CELL_CHECKSUM";
    case kTagExtension: return "TAG_EXTENSION";
    default: return "an unknown tag";
  }
}

// Bounds-checked cursor over a PlainBuffer. Every method returns false after recording a
// Corruption status; nothing reads past `size`.
class Decoder {
 public:
  Decoder(std::string_view data, size_t pos) : data_(data), pos_(pos) {}

  size_t pos() const { return pos_; }
  size_t left() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ >= data_.size(); }
  uint8_t peek() const { return static_cast<uint8_t>(data_[pos_]); }
  Status& status() { return status_; }

  bool Header() {
    if (left() < kHeaderSize) return Fail(pos_, "truncated header: need 4 bytes, have " +
                                                    std::to_string(left()));
    uint32_t h = DecodeFixed32(data_.data() + pos_);
    if (h != kHeader) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "invalid header 0x%08x, expected 0x00000075", h);
      return Fail(pos_, buf);
    }
    pos_ += kHeaderSize;
    return true;
  }

  // Decodes one row (no header) into *row, which the caller has cleared.
  // attribute_crcs, when given, receives each attribute cell's checksum over its name and value
  // alone (what DecodeRowWithValueCrcs documents).
  bool DecodeRow(Row* row, std::vector<uint8_t>* attribute_crcs = nullptr) {
    uint8_t row_crc = 0;
    uint8_t cell_crc = 0;
    if (!NeedTag()) return false;
    if (peek() == kTagRowPk) {
      ++pos_;
      while (!at_end() && peek() == kTagCell) {
        if (!DecodeCell(&row->primary_key.emplace_back(), &cell_crc)) return false;
        row_crc = Crc8Byte(row_crc, cell_crc);
      }
    }
    if (!NeedTag()) return false;
    if (peek() == kTagRowData) {
      ++pos_;
      while (!at_end() && peek() == kTagCell) {
        uint8_t name_value_crc = 0;
        if (!DecodeCell(&row->attributes.emplace_back(), &cell_crc, &name_value_crc)) {
          return false;
        }
        row_crc = Crc8Byte(row_crc, cell_crc);
        if (attribute_crcs != nullptr) attribute_crcs->push_back(name_value_crc);
      }
    }
    if (!NeedTag()) return false;
    if (peek() == kTagDeleteRowMarker) {
      ++pos_;
      row->delete_marker = true;
    }
    if (!NeedTag()) return false;
    if (peek() == kTagExtension) {
      size_t at = pos_;
      ++pos_;
      uint32_t len;
      if (!U32(&len, "extension length")) return false;
      if (len > left()) return Truncated(at, "extension", len);
      pos_ += len;
    }
    row_crc = Crc8Byte(row_crc,
                       row->delete_marker ? kRowChecksumDeleteByte : kRowChecksumNoDeleteByte);
    if (!ExpectTag(kTagRowChecksum)) return false;
    if (at_end()) return Fail(pos_, "truncated: missing row checksum byte");
    uint8_t stored = peek();
    if (stored != row_crc) {
      char buf[96];
      std::snprintf(buf, sizeof(buf), "row checksum mismatch: stored 0x%02x, computed 0x%02x",
                    stored, row_crc);
      return Fail(pos_, buf);
    }
    ++pos_;
    return true;
  }

  // Decodes one bare value (type byte + payload) ending exactly at `end`.
  bool DecodeValue(Value* v, size_t end) {
    size_t at = pos_;
    if (pos_ >= end) return Fail(at, "truncated: missing value type byte");
    uint8_t type = static_cast<uint8_t>(data_[pos_++]);
    size_t avail = end - pos_;
    switch (type) {
      case static_cast<uint8_t>(ValueType::kInteger):
      case static_cast<uint8_t>(ValueType::kDouble): {
        if (avail < 8) return Truncated(at, "8-byte value", 8);
        SetEightByteValue(type, DecodeFixed64(data_.data() + pos_), v);
        pos_ += 8;
        return true;
      }
      case static_cast<uint8_t>(ValueType::kBoolean):
        if (avail < 1) return Truncated(at, "boolean value", 1);
        v->type = ValueType::kBoolean;
        // Any non-zero byte is true, as in the SDKs; the checksum is over 00/01 (B.6).
        v->b = data_[pos_++] != 0;
        return true;
      case static_cast<uint8_t>(ValueType::kString):
      case static_cast<uint8_t>(ValueType::kBinary): {
        if (avail < 4) return Truncated(at, "value length", 4);
        uint32_t n = DecodeFixed32(data_.data() + pos_);
        pos_ += 4;
        if (n > avail - 4) return Truncated(at, "string/binary value", n);
        v->type = static_cast<ValueType>(type);
        v->bytes = data_.substr(pos_, n);
        pos_ += n;
        return true;
      }
      case static_cast<uint8_t>(ValueType::kNull):
      case static_cast<uint8_t>(ValueType::kInfMin):
      case static_cast<uint8_t>(ValueType::kInfMax):
      case static_cast<uint8_t>(ValueType::kAutoIncrement):
        v->type = static_cast<ValueType>(type);
        return true;
      default: {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "unknown value type 0x%02x", type);
        return Fail(at, buf);
      }
    }
  }

  bool Fail(size_t at, std::string what) {
    status_ = Status::Corruption("plainbuffer: offset " + std::to_string(at) + ": " +
                                 std::move(what));
    return false;
  }

 private:
  bool NeedTag() {
    if (at_end()) return Fail(pos_, "truncated: expected a tag, found the end of the buffer");
    return true;
  }

  // Every cell takes two of these (name and checksum tags): the expected tag is checked inline,
  // the error message built out of line.
  bool ExpectTag(uint8_t tag) {
    if (!at_end() && peek() == tag) [[likely]] {
      ++pos_;
      return true;
    }
    return MissingTag(tag);
  }

  [[gnu::noinline]] bool MissingTag(uint8_t tag) {
    if (at_end()) {
      return Fail(pos_, std::string("truncated: expected ") + TagName(tag) +
                            ", found the end of the buffer");
    }
    uint8_t got = peek();
    if (got != tag) {
      char buf[128];
      std::snprintf(buf, sizeof(buf), "expected %s (0x%02x), found 0x%02x", TagName(tag), tag,
                    got);
      return Fail(pos_, buf);
    }
    ++pos_;
    return true;
  }

  bool U32(uint32_t* v, const char* what) {
    if (left() < 4) return Fail(pos_, std::string("truncated ") + what);
    *v = DecodeFixed32(data_.data() + pos_);
    pos_ += 4;
    return true;
  }

  bool Truncated(size_t at, const char* what, uint64_t need) {
    return Fail(at, std::string("truncated ") + what + ": needs " + std::to_string(need) +
                        " bytes, " + std::to_string(left()) + " left in the buffer");
  }

  bool DecodeCell(Cell* cell, uint8_t* crc_out, uint8_t* name_value_crc_out = nullptr) {
    size_t cell_start = pos_;
    ++pos_;  // TAG_CELL, checked by the caller
    if (!ExpectTag(kTagCellName)) return false;
    uint32_t name_len = 0;
    if (!U32(&name_len, "cell name length")) return false;
    if (name_len > left()) return Truncated(pos_ - 4, "cell name", name_len);
    cell->name = data_.substr(pos_, name_len);
    pos_ += name_len;
    uint8_t crc = Crc8(0, cell->name.data(), cell->name.size());

    if (!at_end() && peek() == kTagCellValue) {
      size_t at = pos_;
      ++pos_;
      uint32_t prefix;
      if (!U32(&prefix, "value prefix")) return false;
      if (prefix > left()) return Truncated(at, "cell value", prefix);
      size_t end = pos_ + prefix;
      Value& v = cell->value.emplace();
      if (!DecodeValue(&v, end)) return false;
      if (pos_ != end) {
        return Fail(at, "value prefix " + std::to_string(prefix) + " does not match the " +
                            std::to_string(pos_ - (at + 5)) + "-byte value it holds");
      }
      crc = CrcValue(crc, v);
    }
    if (name_value_crc_out != nullptr) *name_value_crc_out = crc;
    bool has_op = false;
    if (!at_end() && peek() == kTagCellType) {
      size_t at = pos_;
      ++pos_;
      if (at_end()) return Fail(at, "truncated cell op type");
      uint8_t op = peek();
      if (op != static_cast<uint8_t>(CellOp::kDeleteAllVersions) &&
          op != static_cast<uint8_t>(CellOp::kDeleteOneVersion) &&
          op != static_cast<uint8_t>(CellOp::kIncrement)) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "unknown cell op type 0x%02x", op);
        return Fail(pos_, buf);
      }
      ++pos_;
      cell->op = static_cast<CellOp>(op);
      has_op = true;
    }
    if (!at_end() && peek() == kTagCellTimestamp) {
      size_t at = pos_;
      ++pos_;
      if (left() < 8) return Truncated(at, "cell timestamp", 8);
      uint64_t ts = DecodeFixed64(data_.data() + pos_);
      pos_ += 8;
      cell->timestamp = static_cast<int64_t>(ts);
      crc = Crc8U64(crc, ts);
    }
    if (has_op) crc = Crc8Byte(crc, static_cast<uint8_t>(cell->op));
    if (!ExpectTag(kTagCellChecksum)) return false;
    if (at_end()) return Fail(pos_, "truncated: missing cell checksum byte");
    uint8_t stored = peek();
    if (stored != crc) {
      char buf[160];
      std::snprintf(buf, sizeof(buf),
                    "cell checksum mismatch (cell at offset %zu, column \"%.*s\"): stored 0x%02x, "
                    "computed 0x%02x",
                    cell_start, static_cast<int>(std::min<size_t>(cell->name.size(), 64)),
                    cell->name.data(), stored, crc);
      return Fail(pos_, buf);
    }
    ++pos_;
    *crc_out = crc;
    return true;
  }

  std::string_view data_;
  size_t pos_;
  Status status_;
};

// The rows clients send are well formed, and a write request carries hundreds of them: this
// decodes one with a local cursor, no per-step bookkeeping and no error text. It gives up
// (false) at anything it does not take or that is wrong (a tag, length or checksum, an
// extension), and the caller then decodes the row again with Decoder, which accepts the same
// rows, fills *row the same way and says what is wrong.
class FastRowDecoder {
 public:
  FastRowDecoder(const char* p, const char* end) : p_(p), end_(end) {}
  const char* pos() const { return p_; }
  // Whether the row is byte for byte as EncodeRow writes it, which the SDKs send too: a
  // TAG_ROW_PK, and a TAG_ROW_DATA exactly when there are attributes. Its size is then
  // EncodedRowSize.
  bool canonical() const { return canonical_; }

  bool DecodeRow(Row* row, std::vector<uint8_t>* attribute_crcs) {
    uint8_t row_crc = 0;
    uint8_t cell_crc = 0;
    canonical_ = At(kTagRowPk);
    if (canonical_) {
      ++p_;
      while (At(kTagCell)) {
        if (!DecodeCell(&row->primary_key.emplace_back(), &cell_crc, nullptr)) return false;
        row_crc = Crc8Byte(row_crc, cell_crc);
      }
    }
    if (At(kTagRowData)) {
      ++p_;
      while (At(kTagCell)) {
        uint8_t name_value_crc = 0;
        if (!DecodeCell(&row->attributes.emplace_back(), &cell_crc, &name_value_crc)) {
          return false;
        }
        row_crc = Crc8Byte(row_crc, cell_crc);
        if (attribute_crcs != nullptr) attribute_crcs->push_back(name_value_crc);
      }
      canonical_ = canonical_ && !row->attributes.empty();
    }
    if (At(kTagDeleteRowMarker)) {
      ++p_;
      row->delete_marker = true;
    }
    row_crc =
        Crc8Byte(row_crc, row->delete_marker ? kRowChecksumDeleteByte : kRowChecksumNoDeleteByte);
    if (Left() < 2 || Byte(0) != kTagRowChecksum || Byte(1) != row_crc) return false;
    p_ += 2;
    return true;
  }

 private:
  size_t Left() const { return static_cast<size_t>(end_ - p_); }
  uint8_t Byte(size_t i) const { return static_cast<uint8_t>(p_[i]); }
  bool At(uint8_t tag) const { return p_ < end_ && Byte(0) == tag; }

  bool DecodeCell(Cell* cell, uint8_t* crc_out, uint8_t* name_value_crc_out) {
    // TAG_CELL (checked by the caller), TAG_CELL_NAME, u32 length.
    if (Left() < 6 || Byte(1) != kTagCellName) return false;
    const uint32_t name_len = DecodeFixed32(p_ + 2);
    p_ += 6;
    if (name_len > Left()) return false;
    cell->name = std::string_view(p_, name_len);
    uint8_t crc = Crc8(0, p_, name_len);
    p_ += name_len;
    if (At(kTagCellValue)) {
      if (!DecodeValue(&cell->value.emplace(), &crc)) return false;
    }
    if (name_value_crc_out != nullptr) *name_value_crc_out = crc;
    bool has_op = false;
    if (At(kTagCellType)) {
      if (Left() < 2) return false;
      const uint8_t op = Byte(1);
      if (op != static_cast<uint8_t>(CellOp::kDeleteAllVersions) &&
          op != static_cast<uint8_t>(CellOp::kDeleteOneVersion) &&
          op != static_cast<uint8_t>(CellOp::kIncrement)) {
        return false;
      }
      cell->op = static_cast<CellOp>(op);
      has_op = true;
      p_ += 2;
    }
    if (At(kTagCellTimestamp)) {
      if (Left() < 9) return false;
      const uint64_t ts = DecodeFixed64(p_ + 1);
      cell->timestamp = static_cast<int64_t>(ts);
      crc = Crc8U64(crc, ts);
      p_ += 9;
    }
    if (has_op) crc = Crc8Byte(crc, static_cast<uint8_t>(cell->op));
    if (Left() < 2 || Byte(0) != kTagCellChecksum || Byte(1) != crc) return false;
    p_ += 2;
    *crc_out = crc;
    return true;
  }

  // At TAG_CELL_VALUE: u32 prefix, then the type byte and payload, exactly `prefix` bytes.
  bool DecodeValue(Value* v, uint8_t* crc) {
    if (Left() < 6) return false;
    const uint32_t prefix = DecodeFixed32(p_ + 1);
    const char* value = p_ + 5;  // the type byte
    p_ += 6;
    const size_t avail = Left();  // after the type byte
    const uint8_t type = static_cast<uint8_t>(value[0]);
    switch (type) {
      case static_cast<uint8_t>(ValueType::kInteger):
      case static_cast<uint8_t>(ValueType::kDouble): {
        if (prefix != 9 || avail < 8) return false;
        SetEightByteValue(type, DecodeFixed64(p_), v);
        p_ += 8;
        // On the wire the type byte and the little-endian payload are the checksummed bytes.
        *crc = Crc8(*crc, value, 9);
        return true;
      }
      case static_cast<uint8_t>(ValueType::kBoolean):
        if (prefix != 2 || avail < 1) return false;
        v->type = ValueType::kBoolean;
        v->b = *p_++ != 0;  // checksummed as 00/01 whatever the byte (B.6)
        *crc = Crc8Byte(Crc8Byte(*crc, type), v->b ? 1 : 0);
        return true;
      case static_cast<uint8_t>(ValueType::kString):
      case static_cast<uint8_t>(ValueType::kBinary): {
        if (avail < 4) return false;
        const uint32_t n = DecodeFixed32(p_);
        if (n > avail - 4 || prefix != uint64_t{n} + 5) return false;
        v->type = static_cast<ValueType>(type);
        v->bytes = std::string_view(p_ + 4, n);
        p_ += 4 + n;
        *crc = Crc8(*crc, value, prefix);  // type byte, u32 length, bytes
        return true;
      }
      case static_cast<uint8_t>(ValueType::kNull):
      case static_cast<uint8_t>(ValueType::kInfMin):
      case static_cast<uint8_t>(ValueType::kInfMax):
      case static_cast<uint8_t>(ValueType::kAutoIncrement):
        if (prefix != 1) return false;
        v->type = static_cast<ValueType>(type);
        *crc = Crc8Byte(*crc, type);
        return true;
      default:
        return false;
    }
  }

  const char* p_;
  const char* end_;
  bool canonical_ = false;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Encoding

size_t EncodedRowSize(const Row& row) {
  size_t n = 1 + 2;  // 01, 09 crc
  for (const Cell& c : row.primary_key) n += CellSize(c);
  if (!row.attributes.empty()) {
    n += 1;
    for (const Cell& c : row.attributes) n += CellSize(c);
  }
  if (row.delete_marker) n += 1;
  return n;
}

size_t EncodedSize(const Row& row) { return kHeaderSize + EncodedRowSize(row); }

void EncodeRow(const Row& row, std::string* out) {
  size_t n = EncodedSize(row);
  char* p = Grow(out, n);
  EncodeFixed32(p, kHeader);
  WriteRow(p + kHeaderSize, row);
}

void EncodePrimaryKey(std::span<const Cell> primary_key, std::string* out) {
  size_t n = kHeaderSize + 1 + 2;
  for (const Cell& c : primary_key) n += CellSize(c);
  char* p = Grow(out, n);
  EncodeFixed32(p, kHeader);
  p += kHeaderSize;
  *p++ = static_cast<char>(kTagRowPk);
  uint8_t row_crc = 0;
  uint8_t cell_crc = 0;
  for (const Cell& c : primary_key) {
    p = WriteCell(p, c, &cell_crc);
    row_crc = Crc8Byte(row_crc, cell_crc);
  }
  row_crc = Crc8Byte(row_crc, kRowChecksumNoDeleteByte);
  *p++ = static_cast<char>(kTagRowChecksum);
  *p++ = static_cast<char>(row_crc);
}

size_t RowFieldWriter::CellSize(std::string_view name, const Value* value, CellOp op) {
  return ots::CellSize(name, value, op, false);
}

size_t RowFieldWriter::FieldSize(size_t key_cells_size, size_t attribute_cells_size) {
  // header, 01, [02], 09 crc
  return kHeaderSize + 1 + key_cells_size + (attribute_cells_size > 0 ? 1 : 0) +
         attribute_cells_size + 2;
}

RowFieldWriter::RowFieldWriter(std::string* out, size_t key_cells_size, size_t attribute_cells_size)
    : out_(out) {
  out_->resize(FieldSize(key_cells_size, attribute_cells_size));
  p_ = out_->data();
  EncodeFixed32(p_, kHeader);
  p_ += kHeaderSize;
  *p_++ = static_cast<char>(kTagRowPk);
}

void RowFieldWriter::AddCell(std::string_view name, const Value* value, CellOp op) {
  AddCell(name, Crc8(0, name), value, op);
}

void RowFieldWriter::AddCell(std::string_view name, uint8_t name_crc, const Value* value,
                             CellOp op) {
  uint8_t crc;
  p_ = WriteCell(p_, name, name_crc, value, op, std::nullopt, &crc);
  row_crc_ = Crc8Byte(row_crc_, crc);
}

void RowFieldWriter::BeginAttributes() { *p_++ = static_cast<char>(kTagRowData); }

void RowFieldWriter::Finish() {
  row_crc_ = Crc8Byte(row_crc_, kRowChecksumNoDeleteByte);
  *p_++ = static_cast<char>(kTagRowChecksum);
  *p_++ = static_cast<char>(row_crc_);
}

size_t EncodedColumnValueSize(const Value& value) { return ValueSize(value); }

void EncodeColumnValue(const Value& value, std::string* out) {
  WriteValue(Grow(out, ValueSize(value)), value);
}

Status DecodeColumnValue(std::string_view data, Value* value) {
  Decoder d(data, 0);
  *value = Value();
  if (!d.DecodeValue(value, data.size())) return d.status();
  if (d.pos() != data.size()) {
    return Status::Corruption("column value: " + std::to_string(data.size() - d.pos()) +
                              " unexpected bytes after a " + std::to_string(d.pos()) +
                              "-byte value");
  }
  return Status::OK();
}

RowWriter::RowWriter(std::string* out) : out_(out), start_(out->size()) {
  EncodeFixed32(Grow(out_, kHeaderSize), kHeader);
}

void RowWriter::AddRow(const Row& row) {
  WriteRow(Grow(out_, EncodedRowSize(row)), row);
  ++rows_;
}

void RowWriter::BeginRow() {
  out_->push_back(static_cast<char>(kTagRowPk));
  row_crc_ = 0;
  in_attributes_ = false;
}

void RowWriter::AddPrimaryKeyCell(std::string_view name, const Value& value) {
  uint8_t crc;
  WriteCell(Grow(out_, CellSize(name, &value, CellOp::kPut, false)), name, &value, CellOp::kPut,
            std::nullopt, &crc);
  row_crc_ = Crc8Byte(row_crc_, crc);
}

void RowWriter::AddAttributeCell(std::string_view name, const Value& value,
                                 std::optional<int64_t> timestamp) {
  size_t n = CellSize(name, &value, CellOp::kPut, timestamp.has_value());
  if (!in_attributes_) ++n;
  char* p = Grow(out_, n);
  if (!in_attributes_) {
    *p++ = static_cast<char>(kTagRowData);
    in_attributes_ = true;
  }
  uint8_t crc;
  WriteCell(p, name, &value, CellOp::kPut, timestamp, &crc);
  row_crc_ = Crc8Byte(row_crc_, crc);
}

void RowWriter::AddCell(const Cell& cell) {
  size_t n = CellSize(cell);
  if (!in_attributes_) ++n;
  char* p = Grow(out_, n);
  if (!in_attributes_) {
    *p++ = static_cast<char>(kTagRowData);
    in_attributes_ = true;
  }
  uint8_t crc;
  WriteCell(p, cell, &crc);
  row_crc_ = Crc8Byte(row_crc_, crc);
}

void RowWriter::EndRow(bool delete_marker) {
  char* p = Grow(out_, delete_marker ? 3 : 2);
  if (delete_marker) *p++ = static_cast<char>(kTagDeleteRowMarker);
  row_crc_ = Crc8Byte(row_crc_, delete_marker ? kRowChecksumDeleteByte : kRowChecksumNoDeleteByte);
  *p++ = static_cast<char>(kTagRowChecksum);
  *p = static_cast<char>(row_crc_);
  ++rows_;
}

// ---------------------------------------------------------------------------------------------
// Decoding

Status DecodeRow(std::string_view data, Row* row) {
  return DecodeRowWithValueCrcs(data, row, nullptr);
}

Status DecodeRowWithValueCrcs(std::string_view data, Row* row,
                              std::vector<uint8_t>* attribute_crcs) {
  size_t encoded_size;
  return DecodeRowWithValueCrcs(data, row, attribute_crcs, &encoded_size);
}

Status DecodeRowWithValueCrcs(std::string_view data, Row* row, std::vector<uint8_t>* attribute_crcs,
                              size_t* encoded_size) {
  row->clear();
  if (attribute_crcs != nullptr) attribute_crcs->clear();
  if (data.size() >= kHeaderSize && DecodeFixed32(data.data()) == kHeader) {
    FastRowDecoder fast(data.data() + kHeaderSize, data.data() + data.size());
    if (fast.DecodeRow(row, attribute_crcs)) {
      const char* tail = fast.pos();
      const char* end = data.data() + data.size();
      while (tail != end && *tail == 0) ++tail;
      if (tail == end) {
        *encoded_size =
            fast.canonical() ? static_cast<size_t>(fast.pos() - data.data()) : EncodedSize(*row);
        return Status::OK();
      }
    }
    row->clear();
    if (attribute_crcs != nullptr) attribute_crcs->clear();
  }
  TSB_RETURN_IF_ERROR(internal::DecodeRowWithValueCrcsGeneral(data, row, attribute_crcs));
  *encoded_size = EncodedSize(*row);
  return Status::OK();
}

namespace internal {

Status DecodeRowWithValueCrcsGeneral(std::string_view data, Row* row,
                                     std::vector<uint8_t>* attribute_crcs) {
  row->clear();
  if (attribute_crcs != nullptr) attribute_crcs->clear();
  Decoder d(data, 0);
  if (!d.Header() || !d.DecodeRow(row, attribute_crcs)) return d.status();
  // The Node SDK over-sizes some request buffers and sends the zero tail (wire doc B.6).
  for (size_t i = d.pos(); i < data.size(); ++i) {
    if (data[i] != 0) {
      char buf[128];
      std::snprintf(buf, sizeof(buf),
                    "unexpected byte 0x%02x after the row checksum (only zero padding may follow)",
                    static_cast<uint8_t>(data[i]));
      d.Fail(i, buf);
      return d.status();
    }
  }
  return Status::OK();
}

}  // namespace internal

RowReader::RowReader(std::string_view data) : data_(data) {}

bool RowReader::Next(Row* row) {
  if (!status_.ok() || pos_ >= data_.size()) return false;
  Decoder d(data_, pos_);
  if (pos_ == 0) {
    if (!d.Header()) {
      status_ = d.status();
      return false;
    }
    pos_ = d.pos();
    if (d.at_end()) return false;  // header only: no rows
  }
  row->clear();
  if (!d.DecodeRow(row)) {
    status_ = d.status();
    pos_ = data_.size();
    return false;
  }
  pos_ = d.pos();
  return true;
}

Status DecodeRows(std::string_view data, std::vector<Row>* rows) {
  RowReader reader(data);
  size_t n = 0;
  while (true) {
    if (n == rows->size()) rows->emplace_back();
    if (!reader.Next(&(*rows)[n])) break;
    ++n;
  }
  rows->resize(n);
  return reader.status();
}

}  // namespace tsb::ots
