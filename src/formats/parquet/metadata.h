// The parts of parquet.thrift's FileMetaData and PageHeader that tsbridge reads, parsed from the
// compact protocol (thrift_reader.h). Fields the reader does not need are skipped; optional
// fields carry has_* flags.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tsbridge/status.h"
#include "formats/parquet/parquet_types.h"

namespace tsb::parquet {

class ThriftReader;

enum class LogicalTimeUnit : uint8_t { kMillis = 1, kMicros = 2, kNanos = 3 };

struct LogicalType {
  LogicalTypeKind kind = LogicalTypeKind::NONE;
  int32_t decimal_scale = 0;
  int32_t decimal_precision = 0;
  bool adjusted_to_utc = false;  // TIMESTAMP / TIME
  LogicalTimeUnit unit = LogicalTimeUnit::kMillis;
  int8_t bit_width = 0;  // INTEGER
  bool is_signed = true;
};

struct SchemaElement {
  std::optional<Type> type;
  int32_t type_length = 0;
  std::optional<FieldRepetitionType> repetition;
  std::string name;
  int32_t num_children = 0;
  std::optional<ConvertedType> converted_type;
  int32_t scale = 0;
  int32_t precision = 0;
  LogicalType logical_type;  // kind NONE when absent
};

struct Statistics {
  std::optional<std::string> max, min, max_value, min_value;
  std::optional<int64_t> null_count, distinct_count;
};

struct ColumnMetaData {
  Type type = Type::BOOLEAN;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::UNCOMPRESSED;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
};

struct ColumnChunk {
  std::string file_path;  // set only for chunks in another file (not supported)
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
};

struct FileMetaData {
  int32_t version = 0;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::string created_by;
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
  bool is_sorted = false;
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
};

// Parses a FileMetaData from the footer bytes. Corruption on malformed input.
Status ParseFileMetaData(const uint8_t* data, size_t size, FileMetaData* out);
// Parses one PageHeader from the front of [data, data+size); *header_size = bytes it took.
Status ParsePageHeader(const uint8_t* data, size_t size, PageHeader* out, size_t* header_size);

}  // namespace tsb::parquet
