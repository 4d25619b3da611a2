// ThriftCompactWriter: the compact-protocol encoder behind the EncodeTo of Parquet's metadata
// model (metadata.h); thrift_reader.h is its decoder.
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

}  // namespace tsb::parquet
