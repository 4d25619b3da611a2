#include "formats/parquet/column_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>
#include <utility>

#include "formats/parquet/compression.h"

namespace tsb::parquet {
namespace {

__int128 BigEndianToInt128(const uint8_t* p, size_t len) {
  // Two's complement, sign-extended from the first byte. len <= 16 (checked by the caller).
  unsigned __int128 v = (len > 0 && (p[0] & 0x80)) ? ~static_cast<unsigned __int128>(0) : 0;
  for (size_t i = 0; i < len; ++i) v = (v << 8) | p[i];
  return static_cast<__int128>(v);
}

// A big-endian decimal longer than 16 bytes fits only if its extra leading bytes are sign bytes.
bool WideDecimalFits(const uint8_t* p, size_t len) {
  if (len <= 16) return true;
  size_t extra = len - 16;
  uint8_t sign = (p[extra] & 0x80) ? 0xff : 0x00;
  for (size_t i = 0; i < extra; ++i) {
    if (p[i] != sign) return false;
  }
  return true;
}

void AppendUuid(const uint8_t* p, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out->push_back('-');
    out->push_back(kHex[p[i] >> 4]);
    out->push_back(kHex[p[i] & 15]);
  }
}

double HalfToDouble(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  double v;
  if (exp == 0) {
    v = std::ldexp(frac, -24);
  } else if (exp == 31) {
    v = frac ? std::nan("") : INFINITY;
  } else {
    v = std::ldexp(frac | 0x400, exp - 25);
  }
  return sign ? -v : v;
}

template <typename T>
T* Grow(std::vector<T>* v, size_t n) {
  size_t base = v->size();
  v->resize(base + n);
  return v->data() + base;
}

const char* EncodingName(Encoding e) {
  switch (e) {
    case Encoding::PLAIN:
      return "PLAIN";
    case Encoding::PLAIN_DICTIONARY:
      return "PLAIN_DICTIONARY";
    case Encoding::RLE:
      return "RLE";
    case Encoding::BIT_PACKED:
      return "BIT_PACKED";
    case Encoding::DELTA_BINARY_PACKED:
      return "DELTA_BINARY_PACKED";
    case Encoding::DELTA_LENGTH_BYTE_ARRAY:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::DELTA_BYTE_ARRAY:
      return "DELTA_BYTE_ARRAY";
    case Encoding::RLE_DICTIONARY:
      return "RLE_DICTIONARY";
    case Encoding::BYTE_STREAM_SPLIT:
      return "BYTE_STREAM_SPLIT";
  }
  return "unknown";
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Schema element -> native type
// ------------------------------------------------------------------------------------------------

Result<ColumnDescriptor> DescribeColumn(const SchemaElement& e, int leaf_index) {
  ColumnDescriptor d;
  d.name = e.name;
  d.leaf_index = leaf_index;
  d.physical = *e.type;
  d.type_length = e.type_length.value_or(0);
  d.required = e.repetition_type == FieldRepetitionType::REQUIRED;
  const LogicalType& lt = e.logical_type;
  const LogicalTypeKind lk = lt.kind;
  const std::optional<ConvertedType> ct = e.converted_type;
  auto is_ct = [&](ConvertedType c) { return ct && *ct == c; };

  if (lk == LogicalTypeKind::UNKNOWN) {
    d.kind = ValueKind::kNull;
    d.type = DataType::Of(TypeId::kNull);
    return d;
  }
  bool decimal = lk == LogicalTypeKind::DECIMAL || is_ct(ConvertedType::DECIMAL);
  if (decimal && (d.physical == Type::INT32 || d.physical == Type::INT64 ||
                  d.physical == Type::BYTE_ARRAY || d.physical == Type::FIXED_LEN_BYTE_ARRAY)) {
    int p = lk == LogicalTypeKind::DECIMAL ? lt.decimal_precision : e.precision.value_or(0);
    int s = lk == LogicalTypeKind::DECIMAL ? lt.decimal_scale : e.scale.value_or(0);
    if (p < 1 || p > 38 || s < 0 || s > p) {
      return Status::NotSupported("column \"" + e.name + "\": DECIMAL(" + std::to_string(p) + "," +
                                  std::to_string(s) + ") is outside decimal(1..38, 0..p)");
    }
    if (d.physical == Type::FIXED_LEN_BYTE_ARRAY && (d.type_length < 1)) {
      return Status::Corruption("column \"" + e.name + "\": FIXED_LEN_BYTE_ARRAY without a length");
    }
    d.kind = ValueKind::kDecimal;
    d.type = DataType::Decimal(p, s);
    return d;
  }

  switch (d.physical) {
    case Type::BOOLEAN:
      d.kind = ValueKind::kBool;
      d.type = DataType::Of(TypeId::kBoolean);
      break;
    case Type::INT32: {
      d.kind = ValueKind::kInt32;
      d.type = DataType::Of(TypeId::kInt32);
      int bits = 32;
      bool is_signed = true;
      if (lk == LogicalTypeKind::INTEGER) {
        bits = lt.bit_width;
        is_signed = lt.is_signed;
      } else if (ct) {
        switch (*ct) {
          case ConvertedType::INT_8:
            bits = 8;
            break;
          case ConvertedType::INT_16:
            bits = 16;
            break;
          case ConvertedType::UINT_8:
            bits = 8, is_signed = false;
            break;
          case ConvertedType::UINT_16:
            bits = 16, is_signed = false;
            break;
          case ConvertedType::UINT_32:
            bits = 32, is_signed = false;
            break;
          default:
            break;
        }
      }
      if (lk == LogicalTypeKind::DATE || is_ct(ConvertedType::DATE)) {
        d.type = DataType::Of(TypeId::kDate);
        break;
      }
      d.type.id = bits == 8 ? TypeId::kInt8 : bits == 16 ? TypeId::kInt16 : TypeId::kInt32;
      if (!is_signed) {
        d.kind = ValueKind::kUInt32;
        d.type.is_unsigned = true;
      }
      break;
    }
    case Type::INT64: {
      d.kind = ValueKind::kInt64;
      d.type = DataType::Of(TypeId::kInt64);
      if (lk == LogicalTypeKind::TIMESTAMP) {
        TimeUnit u = lt.unit == LogicalTimeUnit::kMillis   ? TimeUnit::kMillis
                     : lt.unit == LogicalTimeUnit::kMicros ? TimeUnit::kMicros
                                                           : TimeUnit::kNanos;
        d.type = DataType::Timestamp(u, lt.adjusted_to_utc);
      } else if (lk == LogicalTypeKind::NONE && is_ct(ConvertedType::TIMESTAMP_MILLIS)) {
        d.type = DataType::Timestamp(TimeUnit::kMillis, true);
      } else if (lk == LogicalTypeKind::NONE && is_ct(ConvertedType::TIMESTAMP_MICROS)) {
        d.type = DataType::Timestamp(TimeUnit::kMicros, true);
      } else if ((lk == LogicalTypeKind::INTEGER && !lt.is_signed) ||
                 is_ct(ConvertedType::UINT_64)) {
        d.type.is_unsigned = true;
      }
      break;
    }
    case Type::INT96:
      d.kind = ValueKind::kInt96;
      d.type = DataType::Timestamp(TimeUnit::kNanos, false);
      break;
    case Type::FLOAT:
      d.kind = ValueKind::kFloat;
      d.type = DataType::Of(TypeId::kFloat);
      break;
    case Type::DOUBLE:
      d.kind = ValueKind::kDouble;
      d.type = DataType::Of(TypeId::kDouble);
      break;
    case Type::BYTE_ARRAY:
    case Type::FIXED_LEN_BYTE_ARRAY: {
      bool fixed = d.physical == Type::FIXED_LEN_BYTE_ARRAY;
      if (fixed && d.type_length < 1) {
        return Status::Corruption("column \"" + e.name +
                                  "\": FIXED_LEN_BYTE_ARRAY without a length");
      }
      d.kind = ValueKind::kBytes;
      if (lk == LogicalTypeKind::UUID && fixed && d.type_length == 16) {
        d.kind = ValueKind::kUuid;
        d.type = DataType::Of(TypeId::kString);
      } else if (lk == LogicalTypeKind::FLOAT16 && fixed && d.type_length == 2) {
        d.kind = ValueKind::kFloat16;
        d.type = DataType::Of(TypeId::kFloat);
      } else if (lk == LogicalTypeKind::STRING || lk == LogicalTypeKind::ENUM ||
                 lk == LogicalTypeKind::JSON || is_ct(ConvertedType::UTF8) ||
                 is_ct(ConvertedType::ENUM) || is_ct(ConvertedType::JSON)) {
        d.type = DataType::Of(TypeId::kString);
      } else {
        d.type = DataType::Of(TypeId::kBinary);
      }
      break;
    }
    default:
      return Status::NotSupported("column \"" + e.name + "\": unknown physical type " +
                                  std::to_string(static_cast<int>(d.physical)));
  }
  return d;
}

// ------------------------------------------------------------------------------------------------
// Chunk and page framing
// ------------------------------------------------------------------------------------------------

ColumnChunkReader::ColumnChunkReader(ColumnDescriptor desc)
    : desc_(std::move(desc)), dict_(desc_.type) {}

size_t ColumnChunkReader::PhysicalWidth() const {
  switch (desc_.physical) {
    case Type::INT32:
    case Type::FLOAT:
      return 4;
    case Type::INT64:
    case Type::DOUBLE:
      return 8;
    case Type::INT96:
      return 12;
    case Type::FIXED_LEN_BYTE_ARRAY:
      return static_cast<size_t>(desc_.type_length);
    default:
      return 0;
  }
}

Status ColumnChunkReader::PageError(const std::string& what) const {
  return Status::Corruption("page " + std::to_string(page_index_) + ": " + what);
}

Status ColumnChunkReader::Begin(CompressionCodec codec, int64_t num_rows) {
  codec_ = codec;
  chunk_pos_ = 0;
  values_left_ = num_rows;
  page_index_ = -1;
  page_left_ = 0;
  has_dict_ = false;
  dict_size_ = 0;
  dict_.Clear();
  return Status::OK();
}

Status ColumnChunkReader::NextPage() {
  while (true) {
    if (chunk_pos_ >= chunk_.size()) {
      return Status::Corruption("column chunk ends with " + std::to_string(values_left_) +
                                " of the row group's values missing");
    }
    ++page_index_;
    const uint8_t* base = reinterpret_cast<const uint8_t*>(chunk_.data());
    PageHeader header;
    size_t header_size = 0;
    Status st =
        ParsePageHeader(base + chunk_pos_, chunk_.size() - chunk_pos_, &header, &header_size);
    if (!st.ok()) return st.WithContext("page " + std::to_string(page_index_));
    size_t left = chunk_.size() - chunk_pos_ - header_size;
    if (header.compressed_page_size < 0 || header.uncompressed_page_size < 0) {
      return PageError("negative page size in page header");
    }
    if (static_cast<size_t>(header.compressed_page_size) > left) {
      return PageError("page of " + std::to_string(header.compressed_page_size) +
                       " bytes runs past the end of the column chunk (" + std::to_string(left) +
                       " bytes left): truncated file?");
    }
    const uint8_t* data = base + chunk_pos_ + header_size;
    size_t size = static_cast<size_t>(header.compressed_page_size);
    chunk_pos_ += header_size + size;
    switch (header.type) {
      case PageType::DICTIONARY_PAGE:
        TSB_RETURN_IF_ERROR(ReadDictionaryPage(header, data, size));
        continue;
      case PageType::DATA_PAGE:
      case PageType::DATA_PAGE_V2:
        TSB_RETURN_IF_ERROR(StartDataPage(header, data, size));
        if (page_left_ == 0) continue;
        return Status::OK();
      default:
        continue;  // index pages and unknown page types carry no values
    }
  }
}

Status ColumnChunkReader::ReadDictionaryPage(const PageHeader& header, const uint8_t* data,
                                             size_t size) {
  if (!header.dictionary_page_header) return PageError("dictionary page without its header");
  const DictionaryPageHeader& dh = *header.dictionary_page_header;
  if (dh.encoding != Encoding::PLAIN && dh.encoding != Encoding::PLAIN_DICTIONARY) {
    return PageError(std::string("dictionary page encoding ") + EncodingName(dh.encoding) +
                     " is not PLAIN");
  }
  if (dh.num_values < 0) return PageError("negative dictionary size");
  if (codec_ != CompressionCodec::UNCOMPRESSED) {
    Status st = Decompress(codec_, std::string_view(reinterpret_cast<const char*>(data), size),
                           static_cast<size_t>(header.uncompressed_page_size), &page_buf_);
    if (!st.ok()) return st.WithContext("page " + std::to_string(page_index_));
    data = reinterpret_cast<const uint8_t*>(page_buf_.data());
    size = page_buf_.size();
  }
  dict_.Clear();
  dict_size_ = 0;
  has_dict_ = false;
  if (desc_.kind != ValueKind::kNull) {
    // Decode as a PLAIN page of num_values values into dict_.
    size_t n = static_cast<size_t>(dh.num_values);
    if (desc_.physical == Type::BOOLEAN) return PageError("dictionary page for a BOOLEAN column");
    TSB_RETURN_IF_ERROR(StartValues(Encoding::PLAIN, data, size, n));
    TSB_RETURN_IF_ERROR(DecodePlain(n, &dict_));
  }
  dict_size_ = static_cast<size_t>(dh.num_values);
  has_dict_ = true;
  return Status::OK();
}

Status ColumnChunkReader::StartDataPage(const PageHeader& header, const uint8_t* data,
                                        size_t size) {
  int32_t num_values;
  Encoding encoding;
  const uint8_t* levels = nullptr;
  size_t levels_size = 0;
  if (header.type == PageType::DATA_PAGE) {
    if (!header.data_page_header) return PageError("data page without its header");
    const DataPageHeader& h = *header.data_page_header;
    num_values = h.num_values;
    encoding = h.encoding;
    if (codec_ != CompressionCodec::UNCOMPRESSED) {
      Status st = Decompress(codec_, std::string_view(reinterpret_cast<const char*>(data), size),
                             static_cast<size_t>(header.uncompressed_page_size), &page_buf_);
      if (!st.ok()) return st.WithContext("page " + std::to_string(page_index_));
      data = reinterpret_cast<const uint8_t*>(page_buf_.data());
      size = page_buf_.size();
    }
    if (!desc_.required) {
      if (h.definition_level_encoding != Encoding::RLE) {
        return Status::NotSupported("page " + std::to_string(page_index_) +
                                    ": definition levels in " +
                                    EncodingName(h.definition_level_encoding));
      }
      if (size < 4) return PageError("truncated definition levels");
      uint32_t len;
      std::memcpy(&len, data, 4);
      if (len > size - 4) return PageError("definition levels run past the end of the page");
      levels = data + 4;
      levels_size = len;
      data += 4 + len;
      size -= 4 + len;
    }
  } else {
    if (!header.data_page_header_v2) return PageError("data page v2 without its header");
    const DataPageHeaderV2& h = *header.data_page_header_v2;
    num_values = h.num_values;
    encoding = h.encoding;
    if (h.definition_levels_byte_length < 0 || h.repetition_levels_byte_length < 0 ||
        static_cast<uint64_t>(h.definition_levels_byte_length) +
                static_cast<uint64_t>(h.repetition_levels_byte_length) >
            size) {
      return PageError("level lengths run past the end of the page");
    }
    // Levels are never compressed in v2: repetition levels (none for flat columns) first.
    size_t rep = static_cast<size_t>(h.repetition_levels_byte_length);
    size_t def = static_cast<size_t>(h.definition_levels_byte_length);
    levels = data + rep;
    levels_size = def;
    data += rep + def;
    size -= rep + def;
    if (h.is_compressed && codec_ != CompressionCodec::UNCOMPRESSED) {
      int64_t raw =
          static_cast<int64_t>(header.uncompressed_page_size) - static_cast<int64_t>(rep + def);
      if (raw < 0) return PageError("uncompressed page size smaller than its levels");
      Status st = Decompress(codec_, std::string_view(reinterpret_cast<const char*>(data), size),
                             static_cast<size_t>(raw), &page_buf_);
      if (!st.ok()) return st.WithContext("page " + std::to_string(page_index_));
      data = reinterpret_cast<const uint8_t*>(page_buf_.data());
      size = page_buf_.size();
    }
  }
  if (num_values < 0) return PageError("negative value count");
  if (num_values > values_left_) {
    return PageError("page holds " + std::to_string(num_values) + " values, but only " +
                     std::to_string(values_left_) + " rows of the row group are left");
  }
  page_left_ = static_cast<size_t>(num_values);
  if (!desc_.required) def_decoder_.Init(levels, levels_size, 1);
  if (desc_.kind == ValueKind::kNull) return Status::OK();
  // Non-null values in the page: at most num_values (counted exactly as levels are read).
  return StartValues(encoding, data, size, page_left_);
}

// ------------------------------------------------------------------------------------------------
// Values
// ------------------------------------------------------------------------------------------------

Status ColumnChunkReader::StartValues(Encoding encoding, const uint8_t* data, size_t size,
                                      size_t num_values) {
  encoding_ = encoding;
  values_ = data;
  values_size_ = size;
  values_pos_ = 0;
  bool_bit_ = 0;
  delta_index_ = 0;
  const std::string enc = EncodingName(encoding);
  switch (encoding) {
    case Encoding::PLAIN:
      return Status::OK();
    case Encoding::PLAIN_DICTIONARY:
    case Encoding::RLE_DICTIONARY: {
      if (!has_dict_) return PageError("dictionary-encoded page without a dictionary page");
      if (size < 1) return PageError("truncated dictionary indices");
      int width = data[0];
      if (width > 32) return PageError("dictionary index bit width " + std::to_string(width));
      value_rle_.Init(data + 1, size - 1, width);
      return Status::OK();
    }
    case Encoding::RLE: {
      if (desc_.physical != Type::BOOLEAN) return PageError("RLE values in a non-BOOLEAN column");
      if (size < 4) return PageError("truncated RLE boolean length");
      uint32_t len;
      std::memcpy(&len, data, 4);
      if (len > size - 4) return PageError("RLE booleans run past the end of the page");
      value_rle_.Init(data + 4, len, 1);
      return Status::OK();
    }
    case Encoding::DELTA_BINARY_PACKED:
      if (desc_.physical != Type::INT32 && desc_.physical != Type::INT64) {
        return PageError("DELTA_BINARY_PACKED in a column that is not INT32/INT64");
      }
      if (!dbp_.Init(data, size)) return PageError(dbp_.error());
      if (dbp_.total() > num_values)
        return PageError("DELTA_BINARY_PACKED holds more values than the page");
      return Status::OK();
    case Encoding::DELTA_LENGTH_BYTE_ARRAY:
    case Encoding::DELTA_BYTE_ARRAY: {
      if (desc_.physical != Type::BYTE_ARRAY && desc_.physical != Type::FIXED_LEN_BYTE_ARRAY) {
        return PageError(enc + " in a column that is not a byte array");
      }
      const uint8_t* p = data;
      const uint8_t* end = data + size;
      auto read_lengths = [&](std::vector<int64_t>* out) -> Status {
        if (!dbp_.Init(p, static_cast<size_t>(end - p))) return PageError(dbp_.error());
        if (dbp_.total() > num_values) return PageError(enc + " holds more values than the page");
        out->resize(dbp_.total());
        if (!dbp_.Get(out->data(), out->size())) return PageError(dbp_.error());
        p = dbp_.end_of_values();
        return Status::OK();
      };
      prefixes_.clear();
      if (encoding == Encoding::DELTA_BYTE_ARRAY) {
        TSB_RETURN_IF_ERROR(read_lengths(&prefixes_));
      }
      TSB_RETURN_IF_ERROR(read_lengths(&lengths_));
      if (encoding == Encoding::DELTA_BYTE_ARRAY && prefixes_.size() != lengths_.size()) {
        return PageError("DELTA_BYTE_ARRAY prefix and suffix counts differ");
      }
      uint64_t total = 0;
      for (int64_t len : lengths_) {
        if (len < 0) return PageError(enc + ": negative length");
        total += static_cast<uint64_t>(len);
      }
      if (total > static_cast<uint64_t>(end - p))
        return PageError(enc + ": values run past the end of the page");
      values_ = p;
      values_size_ = static_cast<size_t>(end - p);
      prev_value_.clear();
      return Status::OK();
    }
    case Encoding::BYTE_STREAM_SPLIT: {
      size_t w = PhysicalWidth();
      if (w == 0 || desc_.physical == Type::INT96)
        return PageError("BYTE_STREAM_SPLIT in a column without a fixed width");
      bss_count_ = size / w;
      return Status::OK();
    }
    default:
      return Status::NotSupported("page " + std::to_string(page_index_) + ": value encoding " +
                                  enc);
  }
}

void ColumnChunkReader::EmitFixed(const uint8_t* p, size_t m, Column* out) {
  if (m == 0) return;
  switch (desc_.kind) {
    case ValueKind::kInt32:
    case ValueKind::kUInt32: {
      int64_t* dst = Grow(&out->ints(), m);
      for (size_t i = 0; i < m; ++i) {
        int32_t v;
        std::memcpy(&v, p + 4 * i, 4);
        dst[i] =
            desc_.kind == ValueKind::kInt32 ? v : static_cast<int64_t>(static_cast<uint32_t>(v));
      }
      break;
    }
    case ValueKind::kInt64:
      std::memcpy(Grow(&out->ints(), m), p, 8 * m);
      break;
    case ValueKind::kInt96: {
      int64_t* dst = Grow(&out->ints(), m);
      for (size_t i = 0; i < m; ++i) dst[i] = DecodeInt96Nanos(p + 12 * i);
      break;
    }
    case ValueKind::kFloat: {
      double* dst = Grow(&out->doubles(), m);
      for (size_t i = 0; i < m; ++i) {
        float f;
        std::memcpy(&f, p + 4 * i, 4);
        dst[i] = f;
      }
      break;
    }
    case ValueKind::kDouble:
      std::memcpy(Grow(&out->doubles(), m), p, 8 * m);
      break;
    case ValueKind::kFloat16: {
      double* dst = Grow(&out->doubles(), m);
      for (size_t i = 0; i < m; ++i)
        dst[i] = HalfToDouble(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
      break;
    }
    case ValueKind::kDecimal: {
      __int128* dst = Grow(&out->wide(), m);
      if (desc_.physical == Type::INT32) {
        for (size_t i = 0; i < m; ++i) {
          int32_t v;
          std::memcpy(&v, p + 4 * i, 4);
          dst[i] = v;
        }
      } else if (desc_.physical == Type::INT64) {
        for (size_t i = 0; i < m; ++i) {
          int64_t v;
          std::memcpy(&v, p + 8 * i, 8);
          dst[i] = v;
        }
      } else {
        size_t w = static_cast<size_t>(desc_.type_length);
        size_t skip = w > 16 ? w - 16 : 0;  // sign bytes, checked by the caller
        for (size_t i = 0; i < m; ++i) dst[i] = BigEndianToInt128(p + w * i + skip, w - skip);
      }
      break;
    }
    case ValueKind::kBytes: {
      size_t w = static_cast<size_t>(desc_.type_length);
      std::string& bytes = out->bytes();
      uint64_t* off = Grow(&out->offsets(), m);
      uint64_t base = bytes.size();
      bytes.append(reinterpret_cast<const char*>(p), w * m);
      for (size_t i = 0; i < m; ++i) off[i] = base + w * (i + 1);
      break;
    }
    case ValueKind::kUuid: {
      std::string& bytes = out->bytes();
      auto& offsets = out->offsets();
      for (size_t i = 0; i < m; ++i) {
        AppendUuid(p + 16 * i, &bytes);
        offsets.push_back(bytes.size());
      }
      break;
    }
    case ValueKind::kBool:
    case ValueKind::kNull:
      break;
  }
}

void ColumnChunkReader::EmitInts(const int64_t* v, size_t m, Column* out) {
  if (m == 0) return;
  switch (desc_.kind) {
    case ValueKind::kInt32: {
      int64_t* dst = Grow(&out->ints(), m);
      for (size_t i = 0; i < m; ++i) dst[i] = static_cast<int32_t>(v[i]);
      break;
    }
    case ValueKind::kUInt32: {
      int64_t* dst = Grow(&out->ints(), m);
      for (size_t i = 0; i < m; ++i) dst[i] = static_cast<uint32_t>(v[i]);
      break;
    }
    case ValueKind::kDecimal: {
      __int128* dst = Grow(&out->wide(), m);
      for (size_t i = 0; i < m; ++i) {
        dst[i] = desc_.physical == Type::INT32 ? static_cast<int32_t>(v[i]) : v[i];
      }
      break;
    }
    default:
      std::memcpy(Grow(&out->ints(), m), v, 8 * m);
      break;
  }
}

bool ColumnChunkReader::EmitByteArray(const uint8_t* p, size_t len, Column* out) {
  switch (desc_.kind) {
    case ValueKind::kDecimal:
      if (len > 16 && !WideDecimalFits(p, len)) return false;
      if (len > 16) {
        p += len - 16;
        len = 16;
      }
      out->wide().push_back(BigEndianToInt128(p, len));
      return true;
    case ValueKind::kUuid:
      if (len != 16) return false;
      AppendUuid(p, &out->bytes());
      out->offsets().push_back(out->bytes().size());
      return true;
    case ValueKind::kFloat16:
      if (len != 2) return false;
      out->doubles().push_back(HalfToDouble(static_cast<uint16_t>(p[0] | (p[1] << 8))));
      return true;
    default:
      out->bytes().append(reinterpret_cast<const char*>(p), len);
      out->offsets().push_back(out->bytes().size());
      return true;
  }
}

Status ColumnChunkReader::DecodePlain(size_t m, Column* out) {
  const uint8_t* p = values_ + values_pos_;
  size_t left = values_size_ - values_pos_;
  switch (desc_.physical) {
    case Type::BOOLEAN: {
      if ((bool_bit_ + m + 7) / 8 > values_size_) return PageError("truncated PLAIN booleans");
      int64_t* dst = Grow(&out->ints(), m);
      for (size_t i = 0; i < m; ++i, ++bool_bit_)
        dst[i] = (values_[bool_bit_ >> 3] >> (bool_bit_ & 7)) & 1;
      return Status::OK();
    }
    case Type::BYTE_ARRAY: {
      if (desc_.kind == ValueKind::kBytes) {
        // Fast path: one pass checks every length and sums them, a second copies into one
        // pre-sized buffer.
        const uint8_t* q = p;
        size_t rest = left;
        uint64_t total = 0;
        for (size_t i = 0; i < m; ++i) {
          if (rest < 4) return PageError("truncated PLAIN byte array length");
          uint32_t len;
          std::memcpy(&len, q, 4);
          if (len > rest - 4)
            return PageError("PLAIN byte array of " + std::to_string(len) +
                             " bytes runs past the end of the page");
          q += 4 + len;
          rest -= 4 + len;
          total += len;
        }
        std::string& bytes = out->bytes();
        size_t pos = bytes.size();
        bytes.resize(pos + total);
        char* dst = bytes.data();
        uint64_t* off = Grow(&out->offsets(), m);
        for (size_t i = 0; i < m; ++i) {
          uint32_t len;
          std::memcpy(&len, p, 4);
          std::memcpy(dst + pos, p + 4, len);
          pos += len;
          off[i] = pos;
          p += 4 + len;
        }
        values_pos_ = values_size_ - rest;
        return Status::OK();
      }
      for (size_t i = 0; i < m; ++i) {
        if (left < 4) return PageError("truncated PLAIN byte array length");
        uint32_t len;
        std::memcpy(&len, p, 4);
        if (len > left - 4)
          return PageError("PLAIN byte array of " + std::to_string(len) +
                           " bytes runs past the end of the page");
        if (!EmitByteArray(p + 4, len, out))
          return PageError("byte array of " + std::to_string(len) +
                           " bytes does not fit the column's type");
        p += 4 + len;
        left -= 4 + len;
      }
      values_pos_ = values_size_ - left;
      return Status::OK();
    }
    default: {
      size_t w = PhysicalWidth();
      if (left / w < m)
        return PageError("truncated PLAIN values (" + std::to_string(m) + " values of " +
                         std::to_string(w) + " bytes wanted, " + std::to_string(left) +
                         " bytes left)");
      if (desc_.kind == ValueKind::kDecimal && w > 16) {
        for (size_t i = 0; i < m; ++i) {
          if (!WideDecimalFits(p + w * i, w)) return PageError("DECIMAL value wider than 128 bits");
        }
      }
      if (desc_.kind == ValueKind::kUuid && w != 16)
        return PageError("UUID column is not 16 bytes wide");
      EmitFixed(p, m, out);
      values_pos_ += w * m;
      return Status::OK();
    }
  }
}

Status ColumnChunkReader::DecodeValues(size_t m, Column* out) {
  if (m == 0) return Status::OK();
  switch (encoding_) {
    case Encoding::PLAIN:
      return DecodePlain(m, out);
    case Encoding::PLAIN_DICTIONARY:
    case Encoding::RLE_DICTIONARY: {
      indices_.resize(m);
      if (!value_rle_.Get(indices_.data(), m))
        return PageError(std::string("dictionary indices: ") + value_rle_.error());
      uint32_t max_index = 0;
      for (size_t i = 0; i < m; ++i) max_index = std::max(max_index, indices_[i]);
      if (m > 0 && max_index >= dict_size_) {
        return PageError("dictionary index " + std::to_string(max_index) +
                         " out of range (dictionary has " + std::to_string(dict_size_) +
                         " values)");
      }
      const uint32_t* idx = indices_.data();
      switch (desc_.type.storage()) {
        case Storage::kInt64: {
          int64_t* dst = Grow(&out->ints(), m);
          const int64_t* src = dict_.ints().data();
          for (size_t i = 0; i < m; ++i) dst[i] = src[idx[i]];
          break;
        }
        case Storage::kDouble: {
          double* dst = Grow(&out->doubles(), m);
          const double* src = dict_.doubles().data();
          for (size_t i = 0; i < m; ++i) dst[i] = src[idx[i]];
          break;
        }
        case Storage::kInt128: {
          __int128* dst = Grow(&out->wide(), m);
          const __int128* src = dict_.wide().data();
          for (size_t i = 0; i < m; ++i) dst[i] = src[idx[i]];
          break;
        }
        case Storage::kBytes: {
          const uint64_t* so = dict_.offsets().data();
          const char* sb = dict_.bytes().data();
          uint64_t total = 0;
          for (size_t i = 0; i < m; ++i) total += so[idx[i] + 1] - so[idx[i]];
          std::string& bytes = out->bytes();
          size_t pos = bytes.size();
          bytes.resize(pos + total);
          uint64_t* off = Grow(&out->offsets(), m);
          char* dst = bytes.data();
          for (size_t i = 0; i < m; ++i) {
            uint64_t b = so[idx[i]], len = so[idx[i] + 1] - b;
            std::memcpy(dst + pos, sb + b, len);
            pos += len;
            off[i] = pos;
          }
          break;
        }
      }
      return Status::OK();
    }
    case Encoding::RLE: {
      int64_t* dst = Grow(&out->ints(), m);
      if (!value_rle_.Get(dst, m))
        return PageError(std::string("RLE booleans: ") + value_rle_.error());
      return Status::OK();
    }
    case Encoding::DELTA_BINARY_PACKED: {
      ints_.resize(m);
      if (!dbp_.Get(ints_.data(), m)) return PageError(dbp_.error());
      EmitInts(ints_.data(), m, out);
      return Status::OK();
    }
    case Encoding::DELTA_LENGTH_BYTE_ARRAY:
    case Encoding::DELTA_BYTE_ARRAY: {
      if (m > lengths_.size() - delta_index_) {
        return PageError(std::string(EncodingName(encoding_)) +
                         " holds fewer values than the page");
      }
      bool dba = encoding_ == Encoding::DELTA_BYTE_ARRAY;
      size_t fixed_width =
          desc_.physical == Type::FIXED_LEN_BYTE_ARRAY ? static_cast<size_t>(desc_.type_length) : 0;
      for (size_t i = 0; i < m; ++i, ++delta_index_) {
        size_t len =
            static_cast<size_t>(lengths_[delta_index_]);  // checked against the page in StartValues
        const uint8_t* p = values_ + values_pos_;
        values_pos_ += len;
        const uint8_t* value = p;
        size_t value_len = len;
        if (dba) {
          int64_t prefix = prefixes_[delta_index_];
          if (prefix < 0 || static_cast<uint64_t>(prefix) > prev_value_.size()) {
            return PageError("DELTA_BYTE_ARRAY prefix longer than the previous value");
          }
          prev_value_.resize(static_cast<size_t>(prefix));
          prev_value_.append(reinterpret_cast<const char*>(p), len);
          value = reinterpret_cast<const uint8_t*>(prev_value_.data());
          value_len = prev_value_.size();
        }
        if (fixed_width && value_len != fixed_width)
          return PageError("FIXED_LEN_BYTE_ARRAY value of the wrong length");
        if (!EmitByteArray(value, value_len, out))
          return PageError("byte array does not fit the column's type");
      }
      return Status::OK();
    }
    case Encoding::BYTE_STREAM_SPLIT: {
      size_t w = PhysicalWidth();
      if (m > bss_count_ - values_pos_)
        return PageError("BYTE_STREAM_SPLIT holds fewer values than the page");
      fixed_.resize(m * w);
      ByteStreamSplitDecode(values_, bss_count_, static_cast<int>(w), values_pos_, m,
                            fixed_.data());
      values_pos_ += m;
      if (desc_.kind == ValueKind::kDecimal && w > 16) {
        for (size_t i = 0; i < m; ++i) {
          if (!WideDecimalFits(fixed_.data() + w * i, w))
            return PageError("DECIMAL value wider than 128 bits");
        }
      }
      EmitFixed(fixed_.data(), m, out);
      return Status::OK();
    }
    default:
      return Status::NotSupported("page " + std::to_string(page_index_) + ": value encoding " +
                                  EncodingName(encoding_));
  }
}

Status ColumnChunkReader::Read(size_t rows, Column* out) {
  while (rows > 0) {
    if (page_left_ == 0) TSB_RETURN_IF_ERROR(NextPage());
    size_t k = std::min(rows, page_left_);
    std::vector<uint8_t>& validity = out->validity();
    size_t start = validity.size();
    size_t m = k;
    if (desc_.required) {
      validity.resize(start + k, 1);
    } else {
      uint8_t* v = Grow(&validity, k);
      if (!def_decoder_.Get(v, k))
        return PageError(std::string("definition levels: ") + def_decoder_.error());
      m = 0;
      for (size_t i = 0; i < k; ++i) m += v[i];
    }
    if (desc_.kind == ValueKind::kNull) {
      std::fill(validity.begin() + static_cast<ptrdiff_t>(start), validity.end(), 0);
      out->ints().resize(out->ints().size() + k, 0);
    } else {
      TSB_RETURN_IF_ERROR(DecodeValues(m, out));
      if (m < k) {
        // Spread the m values over the k rows, back to front: NULL rows get zero / empty.
        const uint8_t* valid = validity.data() + start;
        switch (desc_.type.storage()) {
          case Storage::kInt64:
          case Storage::kDouble:
          case Storage::kInt128: {
            auto spread = [&](auto& vec) {
              vec.resize(start + k);
              size_t j = m;
              for (size_t i = k; i-- > 0;) {
                vec[start + i] = valid[i] ? vec[start + --j] : 0;
              }
            };
            if (desc_.type.storage() == Storage::kInt64)
              spread(out->ints());
            else if (desc_.type.storage() == Storage::kDouble)
              spread(out->doubles());
            else
              spread(out->wide());
            break;
          }
          case Storage::kBytes: {
            auto& off = out->offsets();  // start + m + 1 entries -> start + k + 1
            off.resize(start + k + 1);
            size_t j = m;
            for (size_t i = k; i > 0; --i) {
              off[start + i] = off[start + j];
              if (valid[i - 1]) --j;
            }
            break;
          }
        }
      }
    }
    page_left_ -= k;
    values_left_ -= static_cast<int64_t>(k);
    rows -= k;
  }
  return Status::OK();
}

}  // namespace tsb::parquet
