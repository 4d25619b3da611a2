#include "formats/parquet/metadata.h"

#include <utility>

#include "formats/parquet/thrift_reader.h"

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
    auto i64 = [&](std::optional<int64_t>* v) {
      if (t != CompactType::kI64) return r->Skip(t);
      int64_t x;
      if (!r->ReadI64(&x)) return false;
      *v = x;
      return true;
    };
    switch (id) {
      case 1:
        return str(&s->max);
      case 2:
        return str(&s->min);
      case 3:
        return i64(&s->null_count);
      case 4:
        return i64(&s->distinct_count);
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
        return I32Field(r, t, &e->type_length);
      case 3:
        return OptEnumField(r, t, &e->repetition);
      case 4:
        return StringField(r, t, &e->name);
      case 5:
        return I32Field(r, t, &e->num_children);
      case 6:
        return OptEnumField(r, t, &e->converted_type);
      case 7:
        return I32Field(r, t, &e->scale);
      case 8:
        return I32Field(r, t, &e->precision);
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
      case 11: {
        if (t != CompactType::kI64) return r->Skip(t);
        int64_t v;
        if (!r->ReadI64(&v)) return false;
        m->dictionary_page_offset = v;
        return true;
      }
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
              return BoolField(&r, ft, &h.is_sorted);
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

}  // namespace tsb::parquet
