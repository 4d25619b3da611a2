// Parquet's Thrift metadata (parquet.thrift): the footer (FileMetaData and what it holds) and the
// page headers, as one model that the reader parses (Parse*, through thrift_reader.h) and the
// writer encodes (EncodeTo, through thrift_writer.h). Both directions share it so that a field the
// writer emits is a field the reader knows, under one name.
//
// Only what tsbridge reads or writes is modelled (flat schemas, data page v1/v2 and dictionary
// pages, column statistics); fields the parser does not know it skips. Optional Thrift fields are
// std::optional, written only when set; required ones are plain members, always written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tsbridge/status.h"
#include "formats/parquet/parquet_types.h"

namespace tsb::parquet {

class ThriftCompactWriter;

// TimeUnit union member ids (on the wire: never renumber).
enum class LogicalTimeUnit : uint8_t { kMillis = 1, kMicros = 2, kNanos = 3 };

// LogicalType, flattened: `kind` selects the union member; the other fields belong to it.
struct LogicalType {
  LogicalTypeKind kind = LogicalTypeKind::NONE;
  int32_t decimal_scale = 0;
  int32_t decimal_precision = 0;
  bool adjusted_to_utc = false;  // TIMESTAMP / TIME
  LogicalTimeUnit unit = LogicalTimeUnit::kMillis;
  int8_t bit_width = 0;  // INTEGER
  bool is_signed = true;

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
  LogicalType logical_type;  // kind NONE when absent, and then not written

  void EncodeTo(ThriftCompactWriter* w) const;
};

struct Statistics {
  std::optional<std::string> max, min;  // deprecated: signed byte order, as old writers used
  std::optional<int64_t> null_count, distinct_count;
  std::optional<std::string> max_value, min_value;  // PLAIN encoding of the value, per the column order

  void EncodeTo(ThriftCompactWriter* w) const;
};

struct ColumnMetaData {
  Type type = Type::BOOLEAN;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::UNCOMPRESSED;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;  // page headers included
  int64_t total_compressed_size = 0;    // page headers included
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;

  void EncodeTo(ThriftCompactWriter* w) const;
};

struct ColumnChunk {
  std::string file_path;  // set only for chunks in another file (not supported), written when set
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;

  void EncodeTo(ThriftCompactWriter* w) const;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;  // uncompressed
  int64_t num_rows = 0;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;

  void EncodeTo(ThriftCompactWriter* w) const;
};

struct FileMetaData {
  int32_t version = 0;
  std::vector<SchemaElement> schema;  // the root group first, then one element per column
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::string created_by;  // written when not empty
  // column_orders: TYPE_ORDER for every leaf, so readers trust min_value/max_value. Parsing sets
  // it when the footer has column_orders.
  bool type_defined_column_orders = false;

  void EncodeTo(ThriftCompactWriter* w) const;
};

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::PLAIN;
  Encoding definition_level_encoding = Encoding::RLE;
  Encoding repetition_level_encoding = Encoding::RLE;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::PLAIN;
  std::optional<bool> is_sorted;
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

struct PageHeader {
  PageType type = PageType::DATA_PAGE;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<DataPageHeader> data_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;

  void EncodeTo(ThriftCompactWriter* w) const;
};

// Parses a FileMetaData from the footer bytes. Corruption on malformed input.
Status ParseFileMetaData(const uint8_t* data, size_t size, FileMetaData* out);
// Parses one PageHeader from the front of [data, data+size); *header_size = bytes it took.
Status ParsePageHeader(const uint8_t* data, size_t size, PageHeader* out, size_t* header_size);

}  // namespace tsb::parquet
