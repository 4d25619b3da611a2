#include "formats/parquet/thrift_writer.h"

namespace tsb::parquet {

// ---------------------------------------------------------------------------------------------
// Compact protocol
// ---------------------------------------------------------------------------------------------

void ThriftCompactWriter::PutVarint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void ThriftCompactWriter::BeginStruct() {
  field_id_stack_.push_back(last_field_id_);
  last_field_id_ = 0;
}

void ThriftCompactWriter::EndStruct() {
  out_->push_back(static_cast<char>(CompactType::kStop));
  last_field_id_ = field_id_stack_.empty() ? 0 : field_id_stack_.back();
  if (!field_id_stack_.empty()) field_id_stack_.pop_back();
}

void ThriftCompactWriter::FieldHeader(int16_t id, CompactType type) {
  int delta = id - last_field_id_;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<uint8_t>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    PutZigZagVarint(id);
  }
  last_field_id_ = id;
}

void ThriftCompactWriter::FieldBool(int16_t id, bool v) {
  FieldHeader(id, v ? CompactType::kBoolTrue : CompactType::kBoolFalse);
}

void ThriftCompactWriter::FieldI8(int16_t id, int8_t v) {
  FieldHeader(id, CompactType::kByte);
  out_->push_back(static_cast<char>(v));
}

void ThriftCompactWriter::FieldI16(int16_t id, int16_t v) {
  FieldHeader(id, CompactType::kI16);
  PutZigZagVarint(v);
}

void ThriftCompactWriter::FieldI32(int16_t id, int32_t v) {
  FieldHeader(id, CompactType::kI32);
  PutZigZagVarint(v);
}

void ThriftCompactWriter::FieldI64(int16_t id, int64_t v) {
  FieldHeader(id, CompactType::kI64);
  PutZigZagVarint(v);
}

void ThriftCompactWriter::FieldBinary(int16_t id, std::string_view v) {
  FieldHeader(id, CompactType::kBinary);
  ElementBinary(v);
}

void ThriftCompactWriter::ElementBinary(std::string_view v) {
  PutVarint(v.size());
  out_->append(v.data(), v.size());
}

void ThriftCompactWriter::FieldStructHeader(int16_t id) { FieldHeader(id, CompactType::kStruct); }

void ThriftCompactWriter::FieldStructBegin(int16_t id) {
  FieldHeader(id, CompactType::kStruct);
  BeginStruct();
}

void ThriftCompactWriter::FieldEmptyStruct(int16_t id) {
  FieldStructBegin(id);
  EndStruct();
}

void ThriftCompactWriter::FieldListBegin(int16_t id, CompactType element_type, uint32_t size) {
  FieldHeader(id, CompactType::kList);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | static_cast<uint8_t>(element_type)));
  } else {
    out_->push_back(static_cast<char>(0xF0 | static_cast<uint8_t>(element_type)));
    PutVarint(size);
  }
}

// ---------------------------------------------------------------------------------------------
// parquet.thrift structs. Field ids are parquet-format's; each EncodeTo writes them in order.
// ---------------------------------------------------------------------------------------------

namespace out {

void LogicalType::EncodeTo(ThriftCompactWriter* w) const {
  w->BeginStruct();
  switch (kind) {
    case LogicalTypeKind::DECIMAL:  // DecimalType {1: scale, 2: precision}
      w->FieldStructBegin(static_cast<int16_t>(kind));
      w->FieldI32(1, decimal_scale);
      w->FieldI32(2, decimal_precision);
      w->EndStruct();
      break;
    case LogicalTypeKind::TIMESTAMP:  // TimestampType {1: isAdjustedToUTC, 2: unit (TimeUnit union)}
      w->FieldStructBegin(static_cast<int16_t>(kind));
      w->FieldBool(1, timestamp_utc);
      w->FieldStructBegin(2);
      w->FieldEmptyStruct(static_cast<int16_t>(timestamp_unit));
      w->EndStruct();
      w->EndStruct();
      break;
    case LogicalTypeKind::INTEGER:  // IntType {1: bitWidth (i8), 2: isSigned}
      w->FieldStructBegin(static_cast<int16_t>(kind));
      w->FieldI8(1, int_bit_width);
      w->FieldBool(2, int_signed);
      w->EndStruct();
      break;
    default:  // STRING, DATE, UNKNOWN, ...: empty marker structs
      w->FieldEmptyStruct(static_cast<int16_t>(kind));
      break;
  }
  w->EndStruct();
}

void SchemaElement::EncodeTo(ThriftCompactWriter* w) const {
  w->BeginStruct();
  if (type) w->FieldI32(1, static_cast<int32_t>(*type));
  if (type_length) w->FieldI32(2, *type_length);
  if (repetition_type) w->FieldI32(3, static_cast<int32_t>(*repetition_type));
  w->FieldBinary(4, name);
  if (num_children) w->FieldI32(5, *num_children);
  if (converted_type) w->FieldI32(6, static_cast<int32_t>(*converted_type));
  if (scale) w->FieldI32(7, *scale);
  if (precision) w->FieldI32(8, *precision);
  if (logical_type.kind != LogicalTypeKind::NONE) {
    w->FieldStructHeader(10);
    logical_type.EncodeTo(w);
  }
  w->EndStruct();
}

void Statistics::EncodeTo(ThriftCompactWriter* w) const {
  w->BeginStruct();
  if (null_count) w->FieldI64(3, *null_count);
  if (max_value) w->FieldBinary(5, *max_value);
  if (min_value) w->FieldBinary(6, *min_value);
  w->EndStruct();
}

void ColumnMetaData::EncodeTo(ThriftCompactWriter* w) const {
  w->BeginStruct();
  w->FieldI32(1, static_cast<int32_t>(type));
  w->FieldListBegin(2, CompactType::kI32, static_cast<uint32_t>(encodings.size()));
  for (Encoding e : encodings) w->ElementI32(static_cast<int32_t>(e));
  w->FieldListBegin(3, CompactType::kBinary, static_cast<uint32_t>(path_in_schema.size()));
  for (const std::string& p : path_in_schema) w->ElementBinary(p);
  w->FieldI32(4, static_cast<int32_t>(codec));
  w->FieldI64(5, num_values);
  w->FieldI64(6, total_uncompressed_size);
  w->FieldI64(7, total_compressed_size);
  w->FieldI64(9, data_page_offset);
  if (dictionary_page_offset) w->FieldI64(11, *dictionary_page_offset);
  if (statistics.null_count || statistics.min_value || statistics.max_value) {
    w->FieldStructHeader(12);
    statistics.EncodeTo(w);
  }
  w->EndStruct();
}

void ColumnChunk::EncodeTo(ThriftCompactWriter* w) const {
  w->BeginStruct();
  w->FieldI64(2, file_offset);
  w->FieldStructHeader(3);
  meta_data.EncodeTo(w);
  w->EndStruct();
}

void RowGroup::EncodeTo(ThriftCompactWriter* w) const {
  w->BeginStruct();
  w->FieldListBegin(1, CompactType::kStruct, static_cast<uint32_t>(columns.size()));
  for (const ColumnChunk& c : columns) c.EncodeTo(w);
  w->FieldI64(2, total_byte_size);
  w->FieldI64(3, num_rows);
  w->FieldI64(5, file_offset);
  w->FieldI64(6, total_compressed_size);
  w->FieldI16(7, ordinal);
  w->EndStruct();
}

void FileMetaData::EncodeTo(ThriftCompactWriter* w) const {
  w->BeginStruct();
  w->FieldI32(1, version);
  w->FieldListBegin(2, CompactType::kStruct, static_cast<uint32_t>(schema.size()));
  for (const SchemaElement& e : schema) e.EncodeTo(w);
  w->FieldI64(3, num_rows);
  w->FieldListBegin(4, CompactType::kStruct, static_cast<uint32_t>(row_groups.size()));
  for (const RowGroup& g : row_groups) g.EncodeTo(w);
  if (!created_by.empty()) w->FieldBinary(6, created_by);
  if (type_defined_column_orders && schema.size() > 1) {
    // ColumnOrder union {1: TYPE_ORDER (empty TypeDefinedOrder)}, one per leaf column.
    w->FieldListBegin(7, CompactType::kStruct, static_cast<uint32_t>(schema.size() - 1));
    for (size_t i = 1; i < schema.size(); ++i) {
      w->BeginStruct();
      w->FieldEmptyStruct(1);
      w->EndStruct();
    }
  }
  w->EndStruct();
}

void PageHeader::EncodeTo(ThriftCompactWriter* w) const {
  w->BeginStruct();
  w->FieldI32(1, static_cast<int32_t>(type));
  w->FieldI32(2, uncompressed_page_size);
  w->FieldI32(3, compressed_page_size);
  switch (type) {
    case PageType::DATA_PAGE:
      w->FieldStructBegin(5);
      w->FieldI32(1, data_page_header.num_values);
      w->FieldI32(2, static_cast<int32_t>(data_page_header.encoding));
      w->FieldI32(3, static_cast<int32_t>(data_page_header.definition_level_encoding));
      w->FieldI32(4, static_cast<int32_t>(data_page_header.repetition_level_encoding));
      w->EndStruct();
      break;
    case PageType::DICTIONARY_PAGE:
      w->FieldStructBegin(7);
      w->FieldI32(1, dictionary_page_header.num_values);
      w->FieldI32(2, static_cast<int32_t>(dictionary_page_header.encoding));
      w->EndStruct();
      break;
    case PageType::DATA_PAGE_V2: {
      const DataPageHeaderV2& h = data_page_header_v2;
      w->FieldStructBegin(8);
      w->FieldI32(1, h.num_values);
      w->FieldI32(2, h.num_nulls);
      w->FieldI32(3, h.num_rows);
      w->FieldI32(4, static_cast<int32_t>(h.encoding));
      w->FieldI32(5, h.definition_levels_byte_length);
      w->FieldI32(6, h.repetition_levels_byte_length);
      w->FieldBool(7, h.is_compressed);
      w->EndStruct();
      break;
    }
    case PageType::INDEX_PAGE:
      break;
  }
  w->EndStruct();
}

}  // namespace out
}  // namespace tsb::parquet
