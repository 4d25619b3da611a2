// ColumnChunkReader: decodes the pages of one flat column chunk straight into a Column.
//
// The file reader (file_reader.h) reads a chunk's compressed bytes into chunk_buffer() (one
// pread per chunk, the buffer reused across row groups), calls Begin(), then Read() as many rows
// as a batch needs. Pages are decompressed one at a time into a reused buffer; definition levels
// and values are decoded lazily, `rows` at a time, so memory is bounded by the chunk plus one
// page plus one batch.
//
// Values land in the column's storage (core/types.h) in the column's *native* type, the tsb type
// its Parquet physical and logical types map to (DescribeColumn). Dictionary pages are decoded
// once into that native form; dictionary-encoded data pages then copy values by index.
//
// Errors are Corruption with the page number ("page 2: truncated RLE run"); the caller adds the
// file, row group and column.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "formats/parquet/decoding.h"
#include "formats/parquet/large_buffer.h"
#include "formats/parquet/metadata.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"
#include "tsbridge/types.h"

namespace tsb::parquet {

// How a column's physical values become its native tsb values.
enum class ValueKind : uint8_t {
  kNull,     // Null/UNKNOWN logical type: every value NULL, nothing decoded
  kBool,     // BOOLEAN -> 0/1
  kInt32,    // INT32 sign-extended
  kUInt32,   // INT32 read as unsigned (UINT_8/16/32, INT(n, false))
  kInt64,    // INT64 (UINT_64 keeps its bits)
  kInt96,    // INT96 -> nanoseconds since the epoch
  kFloat,    // FLOAT -> double
  kDouble,   // DOUBLE
  kBytes,    // BYTE_ARRAY / FLBA as string or binary
  kDecimal,  // DECIMAL on INT32 / INT64 / BYTE_ARRAY / FLBA (big-endian two's complement) -> int128
  kUuid,     // FLBA(16) UUID -> canonical 36-character text
  kFloat16,  // FLBA(2) FLOAT16 -> double
};

struct ColumnDescriptor {
  std::string name;
  int leaf_index = 0;  // position of its chunk in each row group
  Type physical = Type::BOOLEAN;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY width
  bool required = false;
  ValueKind kind = ValueKind::kNull;
  DataType type;  // the native tsb type
};

// Maps a flat leaf's schema element to its native type. NotSupported for types tsbridge cannot
// hold (e.g. DECIMAL wider than 38 digits).
Result<ColumnDescriptor> DescribeColumn(const SchemaElement& element, int leaf_index);

class ColumnChunkReader {
 public:
  explicit ColumnChunkReader(ColumnDescriptor desc);
  ColumnChunkReader(const ColumnChunkReader&) = delete;
  ColumnChunkReader& operator=(const ColumnChunkReader&) = delete;

  const ColumnDescriptor& descriptor() const { return desc_; }
  // Where the file reader puts the chunk's bytes, from its first page to its end.
  LargeBuffer* chunk_buffer() { return &chunk_; }
  // Starts reading the chunk in chunk_buffer(); `num_rows` is the row group's row count.
  Status Begin(CompressionCodec codec, int64_t num_rows);
  // Appends the next `rows` values (with validity) to *out, whose type is descriptor().type.
  Status Read(size_t rows, Column* out);

 private:
  Status NextPage();
  Status PageError(const std::string& what) const;
  Status ReadDictionaryPage(const PageHeader& header, const uint8_t* data, size_t size);
  Status StartDataPage(const PageHeader& header, const uint8_t* data, size_t size);
  Status StartValues(Encoding encoding, const uint8_t* data, size_t size, size_t num_values);
  Status DecodeValues(size_t m, Column* out);
  Status DecodePlain(size_t m, Column* out);
  // Append m fixed-width PLAIN-layout values / m integers / one byte array in native form.
  void EmitFixed(const uint8_t* p, size_t m, Column* out);
  void EmitInts(const int64_t* v, size_t m, Column* out);
  bool EmitByteArray(const uint8_t* p, size_t len, Column* out);
  size_t PhysicalWidth() const;

  ColumnDescriptor desc_;
  CompressionCodec codec_ = CompressionCodec::UNCOMPRESSED;
  LargeBuffer chunk_;        // the compressed column chunk
  size_t chunk_pos_ = 0;     // next page header
  int64_t values_left_ = 0;  // rows of the row group not yet read
  int page_index_ = -1;      // 0-based, counting every page of the chunk
  LargeBuffer page_buf_;     // decompressed page (or page values, v2)

  // Dictionary, in native form.
  Column dict_;
  size_t dict_size_ = 0;
  bool has_dict_ = false;

  // Current data page.
  size_t page_left_ = 0;  // rows of this page not yet read
  RleBpDecoder def_decoder_;
  Encoding encoding_ = Encoding::PLAIN;
  const uint8_t* values_ = nullptr;
  size_t values_size_ = 0;
  size_t values_pos_ = 0;  // PLAIN byte cursor / BYTE_STREAM_SPLIT value index
  uint64_t bool_bit_ = 0;  // PLAIN booleans: next bit
  size_t bss_count_ = 0;
  RleBpDecoder value_rle_;  // dictionary indices, RLE booleans
  DeltaBinaryPackedDecoder dbp_;
  std::vector<int64_t> lengths_;   // DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY suffix lengths
  std::vector<int64_t> prefixes_;  // DELTA_BYTE_ARRAY prefix lengths
  size_t delta_index_ = 0;
  std::string prev_value_;  // DELTA_BYTE_ARRAY

  // Scratch, reused.
  std::vector<uint8_t> defs_;
  std::vector<uint32_t> indices_;
  std::vector<int64_t> ints_;
  std::vector<uint8_t> fixed_;
  std::string value_;
};

}  // namespace tsb::parquet
