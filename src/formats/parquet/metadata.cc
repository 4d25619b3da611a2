#include "formats/parquet/metadata.h"

#include <utility>

#include "formats/parquet/thrift_reader.h"
#include "formats/parquet/thrift_writer.h"

namespace tsb::parquet {
namespace {

// Reads the fields of one struct, handing each to `on_field(id, type)`, which returns false on
// error and must consume the value (or call r->Skip). Fields it does not know it skips itself.
template <typename F>
bool ReadStruct(ThriftReader* r, F&& on_field) {
  if (!r->StructBegin()) return false;
  while (true) {
    CompactType type;
    int16_t id;
    if (!r->ReadFieldBegin(&type, &id)) return false;
    if (type == CompactType::kStop) break;
    if (!on_field(id, type)) return false;
  }
  return r->StructEnd();
}

bool IsBool(CompactType t) { return t == CompactType::kBoolTrue || t == CompactType::kBoolFalse; }

// Typed field readers: a field of an unexpected type is skipped, as Thrift does.
bool I32Field(ThriftReader* r, CompactType t, int32_t* v) {
  return t == CompactType::kI32 ? r->ReadI32(v) : r->Skip(t);
}
bool I64Field(ThriftReader* r, CompactType t, int64_t* v) {
  return t == CompactType::kI64 ? r->ReadI64(v) : r->Skip(t);
}
bool OptI32Field(ThriftReader* r, CompactType t, std::optional<int32_t>* v) {
  int32_t x;
  if (t != CompactType::kI32) return r->Skip(t);
  if (!r->ReadI32(&x)) return false;
  *v = x;
  return true;
}
bool OptI64Field(ThriftReader* r, CompactType t, std::optional<int64_t>* v) {
  int64_t x;
  if (t != CompactType::kI64) return r->Skip(t);
  if (!r->ReadI64(&x)) return false;
  *v = x;
  return true;
}
template <typename E>
bool EnumField(ThriftReader* r, CompactType t, E* v) {
  int32_t raw;
  if (t != CompactType::kI32) return r->Skip(t);
  if (!r->ReadI32(&raw)) return false;
  *v = static_cast<E>(raw);
  return true;
}
template <typename E>
bool OptEnumField(ThriftReader* r, CompactType t, std::optional<E>* v) {
  E e;
  if (t != CompactType::kI32) return r->Skip(t);
  if (!EnumField(r, t, &e)) return false;
  *v = e;
  return true;
}
bool BoolField(ThriftReader* r, CompactType t, bool* v) {
  if (!IsBool(t)) return r->Skip(t);
  *v = ThriftReader::BoolFieldValue(t);
  return true;
}
bool StringField(ThriftReader* r, CompactType t, std::string* v) {
  return t == CompactType::kBinary ? r->ReadString(v) : r->Skip(t);
}

// A list of structs; an empty list may carry any element type (hyparquet-writer's quirk).
template <typename T, typename F>
bool StructListField(ThriftReader* r, CompactType t, std::vector<T>* out, F&& read_one) {
  if (t != CompactType::kList) return r->Skip(t);
  CompactType elem;
  uint32_t n;
  if (!r->ReadListBegin(&elem, &n)) return false;
  if (n == 0) return true;
  if (elem != CompactType::kStruct)
    return r->Fail("list of structs has element type " + std::to_string(static_cast<int>(elem)));
  out->reserve(n < 1024 ? n : 1024);  // n is checked against the bytes, not the struct size
  for (uint32_t i = 0; i < n; ++i) {
    out->emplace_back();
    if (!read_one(&out->back())) return false;
  }
  return true;
}

bool ReadStatistics(ThriftReader* r, Statistics* s) {
  return ReadStruct(r, [&](int16_t id, CompactType t) {
    auto str = [&](std::optional<std::string>* v) {
      if (t != CompactType::kBinary) return r->Skip(t);
      v->emplace();
      return r->ReadString(&**v);
    };
    switch (id) {
      case 1:
        return str(&s->max);
      case 2:
        return str(&s->min);
      case 3:
        return OptI64Field(r, t, &s->null_count);
      case 4:
        return OptI64Field(r, t, &s->distinct_count);
      case 5:
        return str(&s->max_value);
      case 6:
        return str(&s->min_value);
      default:
        return r->Skip(t);
    }
  });
}

bool ReadTimeUnit(ThriftReader* r, LogicalTimeUnit* unit) {
  return ReadStruct(r, [&](int16_t id, CompactType t) {
    if (id >= 1 && id <= 3) *unit = static_cast<LogicalTimeUnit>(id);
    return r->Skip(t);  // each member is an empty struct
  });
}

bool ReadLogicalType(ThriftReader* r, LogicalType* lt) {
  return ReadStruct(r, [&](int16_t id, CompactType t) {
    if (t != CompactType::kStruct) return r->Skip(t);
    lt->kind = static_cast<LogicalTypeKind>(id);
    switch (static_cast<LogicalTypeKind>(id)) {
      case LogicalTypeKind::DECIMAL:
        return ReadStruct(r, [&](int16_t fid, CompactType ft) {
          if (fid == 1) return I32Field(r, ft, &lt->decimal_scale);
          if (fid == 2) return I32Field(r, ft, &lt->decimal_precision);
          return r->Skip(ft);
        });
      case LogicalTypeKind::TIME:
      case LogicalTypeKind::TIMESTAMP:
        return ReadStruct(r, [&](int16_t fid, CompactType ft) {
          if (fid == 1) return BoolField(r, ft, &lt->adjusted_to_utc);
          if (fid == 2 && ft == CompactType::kStruct) return ReadTimeUnit(r, &lt->unit);
          return r->Skip(ft);
        });
      case LogicalTypeKind::INTEGER:
        return ReadStruct(r, [&](int16_t fid, CompactType ft) {
          if (fid == 1 && ft == CompactType::kByte) return r->ReadI8(&lt->bit_width);
          if (fid == 2) return BoolField(r, ft, &lt->is_signed);
          return r->Skip(ft);
        });
      default:
        return r->Skip(t);
    }
  });
}

bool ReadSchemaElement(ThriftReader* r, SchemaElement* e) {
  return ReadStruct(r, [&](int16_t id, CompactType t) {
    switch (id) {
      case 1:
        return OptEnumField(r, t, &e->type);
      case 2:
        return OptI32Field(r, t, &e->type_length);
      case 3:
        return OptEnumField(r, t, &e->repetition_type);
      case 4:
        return StringField(r, t, &e->name);
      case 5:
        return OptI32Field(r, t, &e->num_children);
      case 6:
        return OptEnumField(r, t, &e->converted_type);
      case 7:
        return OptI32Field(r, t, &e->scale);
      case 8:
        return OptI32Field(r, t, &e->precision);
      case 10:
        if (t != CompactType::kStruct) return r->Skip(t);
        return ReadLogicalType(r, &e->logical_type);
      default:
        return r->Skip(t);
    }
  });
}

bool ReadColumnMetaData(ThriftReader* r, ColumnMetaData* m) {
  return ReadStruct(r, [&](int16_t id, CompactType t) {
    switch (id) {
      case 1:
        return EnumField(r, t, &m->type);
      case 2: {
        if (t != CompactType::kList) return r->Skip(t);
        CompactType elem;
        uint32_t n;
        if (!r->ReadListBegin(&elem, &n)) return false;
        for (uint32_t i = 0; i < n; ++i) {
          int32_t v;
          if (elem != CompactType::kI32) {
            if (!r->Skip(elem)) return false;
            continue;
          }
          if (!r->ReadI32(&v)) return false;
          m->encodings.push_back(static_cast<Encoding>(v));
        }
        return true;
      }
      case 3: {
        if (t != CompactType::kList) return r->Skip(t);
        CompactType elem;
        uint32_t n;
        if (!r->ReadListBegin(&elem, &n)) return false;
        for (uint32_t i = 0; i < n; ++i) {
          if (elem != CompactType::kBinary) {
            if (!r->Skip(elem)) return false;
            continue;
          }
          m->path_in_schema.emplace_back();
          if (!r->ReadString(&m->path_in_schema.back())) return false;
        }
        return true;
      }
      case 4:
        return EnumField(r, t, &m->codec);
      case 5:
        return I64Field(r, t, &m->num_values);
      case 6:
        return I64Field(r, t, &m->total_uncompressed_size);
      case 7:
        return I64Field(r, t, &m->total_compressed_size);
      case 9:
        return I64Field(r, t, &m->data_page_offset);
      case 11:
        return OptI64Field(r, t, &m->dictionary_page_offset);
      case 12:
        if (t != CompactType::kStruct) return r->Skip(t);
        m->statistics.emplace();
        return ReadStatistics(r, &*m->statistics);
      default:
        return r->Skip(t);
    }
  });
}

bool ReadColumnChunk(ThriftReader* r, ColumnChunk* c) {
  return ReadStruct(r, [&](int16_t id, CompactType t) {
    switch (id) {
      case 1:
        return StringField(r, t, &c->file_path);
      case 2:
        return I64Field(r, t, &c->file_offset);
      case 3:
        if (t != CompactType::kStruct) return r->Skip(t);
        c->meta_data.emplace();
        return ReadColumnMetaData(r, &*c->meta_data);
      default:
        return r->Skip(t);
    }
  });
}

bool ReadRowGroup(ThriftReader* r, RowGroup* g) {
  return ReadStruct(r, [&](int16_t id, CompactType t) {
    switch (id) {
      case 1:
        return StructListField(r, t, &g->columns,
                               [&](ColumnChunk* c) { return ReadColumnChunk(r, c); });
      case 2:
        return I64Field(r, t, &g->total_byte_size);
      case 3:
        return I64Field(r, t, &g->num_rows);
      case 5:
        return OptI64Field(r, t, &g->file_offset);
      case 6:
        return OptI64Field(r, t, &g->total_compressed_size);
      case 7: {
        int16_t v;
        if (t != CompactType::kI16) return r->Skip(t);
        if (!r->ReadI16(&v)) return false;
        g->ordinal = v;
        return true;
      }
      default:
        return r->Skip(t);
    }
  });
}

}  // namespace

Status ParseFileMetaData(const uint8_t* data, size_t size, FileMetaData* out) {
  ThriftReader r(data, size);
  bool ok = ReadStruct(&r, [&](int16_t id, CompactType t) {
    switch (id) {
      case 1:
        return I32Field(&r, t, &out->version);
      case 2:
        return StructListField(&r, t, &out->schema,
                               [&](SchemaElement* e) { return ReadSchemaElement(&r, e); });
      case 3:
        return I64Field(&r, t, &out->num_rows);
      case 4:
        return StructListField(&r, t, &out->row_groups,
                               [&](RowGroup* g) { return ReadRowGroup(&r, g); });
      case 6:
        return StringField(&r, t, &out->created_by);
      case 7:
        out->type_defined_column_orders = true;
        return r.Skip(t);
      default:
        return r.Skip(t);
    }
  });
  if (!ok) return Status::Corruption("bad footer (FileMetaData): " + r.error());
  return Status::OK();
}

Status ParsePageHeader(const uint8_t* data, size_t size, PageHeader* out, size_t* header_size) {
  ThriftReader r(data, size);
  bool ok = ReadStruct(&r, [&](int16_t id, CompactType t) {
    switch (id) {
      case 1:
        return EnumField(&r, t, &out->type);
      case 2:
        return I32Field(&r, t, &out->uncompressed_page_size);
      case 3:
        return I32Field(&r, t, &out->compressed_page_size);
      case 5:
        if (t != CompactType::kStruct) return r.Skip(t);
        out->data_page_header.emplace();
        return ReadStruct(&r, [&](int16_t fid, CompactType ft) {
          DataPageHeader& h = *out->data_page_header;
          switch (fid) {
            case 1:
              return I32Field(&r, ft, &h.num_values);
            case 2:
              return EnumField(&r, ft, &h.encoding);
            case 3:
              return EnumField(&r, ft, &h.definition_level_encoding);
            case 4:
              return EnumField(&r, ft, &h.repetition_level_encoding);
            default:
              return r.Skip(ft);
          }
        });
      case 7:
        if (t != CompactType::kStruct) return r.Skip(t);
        out->dictionary_page_header.emplace();
        return ReadStruct(&r, [&](int16_t fid, CompactType ft) {
          DictionaryPageHeader& h = *out->dictionary_page_header;
          switch (fid) {
            case 1:
              return I32Field(&r, ft, &h.num_values);
            case 2:
              return EnumField(&r, ft, &h.encoding);
            case 3:
              if (!IsBool(ft)) return r.Skip(ft);
              h.is_sorted = ThriftReader::BoolFieldValue(ft);
              return true;
            default:
              return r.Skip(ft);
          }
        });
      case 8:
        if (t != CompactType::kStruct) return r.Skip(t);
        out->data_page_header_v2.emplace();
        return ReadStruct(&r, [&](int16_t fid, CompactType ft) {
          DataPageHeaderV2& h = *out->data_page_header_v2;
          switch (fid) {
            case 1:
              return I32Field(&r, ft, &h.num_values);
            case 2:
              return I32Field(&r, ft, &h.num_nulls);
            case 3:
              return I32Field(&r, ft, &h.num_rows);
            case 4:
              return EnumField(&r, ft, &h.encoding);
            case 5:
              return I32Field(&r, ft, &h.definition_levels_byte_length);
            case 6:
              return I32Field(&r, ft, &h.repetition_levels_byte_length);
            case 7:
              return BoolField(&r, ft, &h.is_compressed);
            default:
              return r.Skip(ft);
          }
        });
      default:
        return r.Skip(t);
    }
  });
  if (!ok) return Status::Corruption("bad page header: " + r.error());
  *header_size = r.position();
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// Encoding. Field ids are parquet-format's; each EncodeTo writes them in increasing order.
// ---------------------------------------------------------------------------------------------


void LogicalType::EncodeTo(ThriftCompactWriter* w) const {
  w->BeginStruct();
  switch (kind) {
    case LogicalTypeKind::DECIMAL:  // DecimalType {1: scale, 2: precision}
      w->FieldStructBegin(static_cast<int16_t>(kind));
      w->FieldI32(1, decimal_scale);
      w->FieldI32(2, decimal_precision);
      w->EndStruct();
      break;
    case LogicalTypeKind::TIME:       // TimeType {1: isAdjustedToUTC, 2: unit (TimeUnit union)}
    case LogicalTypeKind::TIMESTAMP:  // TimestampType, the same fields
      w->FieldStructBegin(static_cast<int16_t>(kind));
      w->FieldBool(1, adjusted_to_utc);
      w->FieldStructBegin(2);
      w->FieldEmptyStruct(static_cast<int16_t>(unit));
      w->EndStruct();
      w->EndStruct();
      break;
    case LogicalTypeKind::INTEGER:  // IntType {1: bitWidth (i8), 2: isSigned}
      w->FieldStructBegin(static_cast<int16_t>(kind));
      w->FieldI8(1, bit_width);
      w->FieldBool(2, is_signed);
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
  if (max) w->FieldBinary(1, *max);
  if (min) w->FieldBinary(2, *min);
  if (null_count) w->FieldI64(3, *null_count);
  if (distinct_count) w->FieldI64(4, *distinct_count);
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
  if (statistics) {
    w->FieldStructHeader(12);
    statistics->EncodeTo(w);
  }
  w->EndStruct();
}

void ColumnChunk::EncodeTo(ThriftCompactWriter* w) const {
  w->BeginStruct();
  if (!file_path.empty()) w->FieldBinary(1, file_path);
  w->FieldI64(2, file_offset);
  if (meta_data) {
    w->FieldStructHeader(3);
    meta_data->EncodeTo(w);
  }
  w->EndStruct();
}

void RowGroup::EncodeTo(ThriftCompactWriter* w) const {
  w->BeginStruct();
  w->FieldListBegin(1, CompactType::kStruct, static_cast<uint32_t>(columns.size()));
  for (const ColumnChunk& c : columns) c.EncodeTo(w);
  w->FieldI64(2, total_byte_size);
  w->FieldI64(3, num_rows);
  if (file_offset) w->FieldI64(5, *file_offset);
  if (total_compressed_size) w->FieldI64(6, *total_compressed_size);
  if (ordinal) w->FieldI16(7, *ordinal);
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
  if (data_page_header) {
    const DataPageHeader& h = *data_page_header;
    w->FieldStructBegin(5);
    w->FieldI32(1, h.num_values);
    w->FieldI32(2, static_cast<int32_t>(h.encoding));
    w->FieldI32(3, static_cast<int32_t>(h.definition_level_encoding));
    w->FieldI32(4, static_cast<int32_t>(h.repetition_level_encoding));
    w->EndStruct();
  }
  if (dictionary_page_header) {
    const DictionaryPageHeader& h = *dictionary_page_header;
    w->FieldStructBegin(7);
    w->FieldI32(1, h.num_values);
    w->FieldI32(2, static_cast<int32_t>(h.encoding));
    if (h.is_sorted) w->FieldBool(3, *h.is_sorted);
    w->EndStruct();
  }
  if (data_page_header_v2) {
    const DataPageHeaderV2& h = *data_page_header_v2;
    w->FieldStructBegin(8);
    w->FieldI32(1, h.num_values);
    w->FieldI32(2, h.num_nulls);
    w->FieldI32(3, h.num_rows);
    w->FieldI32(4, static_cast<int32_t>(h.encoding));
    w->FieldI32(5, h.definition_levels_byte_length);
    w->FieldI32(6, h.repetition_levels_byte_length);
    w->FieldBool(7, h.is_compressed);
    w->EndStruct();
  }
  w->EndStruct();
}

}  // namespace tsb::parquet
