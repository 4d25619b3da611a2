// The write side of Parquet's Thrift metadata: a compact-protocol encoder and the footer and page
// header structs the writer emits, each with an EncodeTo.
//
// Only what tsbridge writes is modelled (flat schemas, data page v1/v2 and dictionary pages,
// column statistics); the reader has its own decoder (thrift_reader.h, metadata.h). The structs
// live in namespace tsb::parquet::out so that they never collide with the reader's model.
//
// Thrift compact protocol (thrift/doc/specs/thrift-compact-protocol.md), as used here:
//   field header  1 byte (delta << 4 | type) when 0 < id - previous id <= 15, else the type byte
//                 followed by the id as a zigzag varint
//   bool field    the value is the type nibble: 1 = true, 2 = false
//   i8            one byte; i16/i32/i64: zigzag ULEB128 varint
//   binary        ULEB128 length, then the bytes
//   list          1 byte (size << 4 | element type) when size < 15, else (0xF0 | type) + varint size
//   struct        its fields, then a stop byte 0x00; field ids restart at 0 inside each struct
// Not thread-safe; an encoder writes into one caller-owned string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/parquet/parquet_types.h"

namespace tsb::parquet {

class ThriftCompactWriter {
 public:
  explicit ThriftCompactWriter(std::string* out) : out_(out) {}
  ThriftCompactWriter(const ThriftCompactWriter&) = delete;
  ThriftCompactWriter& operator=(const ThriftCompactWriter&) = delete;

  // A struct: BeginStruct, its fields in increasing id order, EndStruct (writes the stop byte).
  void BeginStruct();
  void EndStruct();

  void FieldBool(int16_t id, bool v);
  void FieldI8(int16_t id, int8_t v);
  void FieldI16(int16_t id, int16_t v);
  void FieldI32(int16_t id, int32_t v);
  void FieldI64(int16_t id, int64_t v);
  void FieldBinary(int16_t id, std::string_view v);
  // Writes the field header of a struct-valued field and begins the struct; close with EndStruct.
  void FieldStructBegin(int16_t id);
  // Writes only the field header; the value follows as a struct's EncodeTo (which begins it).
  void FieldStructHeader(int16_t id);
  // Writes a list field header; then write `size` elements with the Element* / BeginStruct calls.
  void FieldListBegin(int16_t id, CompactType element_type, uint32_t size);
  // An empty struct-valued field (the marker structs of LogicalType and TimeUnit unions).
  void FieldEmptyStruct(int16_t id);

  void ElementI32(int32_t v) { PutZigZagVarint(v); }
  void ElementBinary(std::string_view v);

  void PutVarint(uint64_t v);
  void PutZigZagVarint(int64_t v) { PutVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }

 private:
  void FieldHeader(int16_t id, CompactType type);

  std::string* out_;
  int16_t last_field_id_ = 0;
  std::vector<int16_t> field_id_stack_;
};

namespace out {

// TimeUnit union member ids (on the wire: never renumber).
enum class TimestampUnit : int16_t { kMillis = 1, kMicros = 2, kNanos = 3 };

// LogicalType, flattened: `kind` selects the union member; the other fields belong to it.
struct LogicalType {
  LogicalTypeKind kind = LogicalTypeKind::NONE;
  int32_t decimal_scale = 0;
  int32_t decimal_precision = 0;
  bool timestamp_utc = true;
  TimestampUnit timestamp_unit = TimestampUnit::kMillis;
  int8_t int_bit_width = 0;
  bool int_signed = true;

  void EncodeTo(ThriftCompactWriter* w) const;
};

struct SchemaElement {
  std::optional<Type> type;
  std::optional<int32_t> type_length;
  std::optional<FieldRepetitionType> repetition_type;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  LogicalType logical_type;  // written when kind != NONE

  void EncodeTo(ThriftCompactWriter* w) const;
};

struct Statistics {
  std::optional<int64_t> null_count;
  std::optional<std::string> min_value;  // PLAIN encoding of the value, per the column order
  std::optional<std::string> max_value;

  void EncodeTo(ThriftCompactWriter* w) const;
};

struct ColumnMetaData {
  Type type = Type::INT32;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::UNCOMPRESSED;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;  // page headers included
  int64_t total_compressed_size = 0;    // page headers included
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  Statistics statistics;

  void EncodeTo(ThriftCompactWriter* w) const;
};

struct ColumnChunk {
  int64_t file_offset = 0;
  ColumnMetaData meta_data;

  void EncodeTo(ThriftCompactWriter* w) const;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;  // uncompressed
  int64_t num_rows = 0;
  int64_t file_offset = 0;
  int64_t total_compressed_size = 0;
  int16_t ordinal = 0;

  void EncodeTo(ThriftCompactWriter* w) const;
};

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;  // the root group first, then one element per column
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::string created_by;
  // Writes column_orders with TYPE_ORDER for every leaf, so readers trust min_value/max_value.
  bool type_defined_column_orders = true;

  void EncodeTo(ThriftCompactWriter* w) const;
};

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::PLAIN;
  Encoding definition_level_encoding = Encoding::RLE;
  Encoding repetition_level_encoding = Encoding::RLE;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::PLAIN;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::PLAIN;
};

struct PageHeader {
  PageType type = PageType::DATA_PAGE;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  DataPageHeader data_page_header;              // when type == DATA_PAGE
  DataPageHeaderV2 data_page_header_v2;         // when type == DATA_PAGE_V2
  DictionaryPageHeader dictionary_page_header;  // when type == DICTIONARY_PAGE

  void EncodeTo(ThriftCompactWriter* w) const;
};

}  // namespace out
}  // namespace tsb::parquet
