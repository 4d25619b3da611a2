// ThriftReader: a bounds-checked decoder of Thrift's compact protocol, enough for parquet.thrift.
//
// Parquet stores its footer and page headers as Thrift structs in the compact protocol (see
// parquet-format's README and Thrift's doc/specs/thrift-compact-protocol.md). This reader never
// reads past its input: every Read* returns false on short or malformed input and latches an
// error message; callers turn that into a Corruption status with their own context.
//
// Unknown fields are skipped (with a nesting limit, so hostile input cannot blow the stack).
// Quirk: hyparquet-writer types an *empty* list of structs as BYTE; an empty list's element type
// is ignored, as DuckDB does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "formats/parquet/parquet_types.h"

namespace tsb::parquet {

class ThriftReader {
 public:
  ThriftReader(const uint8_t* data, size_t size) : pos_(data), begin_(data), end_(data + size) {}
  ThriftReader(const ThriftReader&) = delete;
  ThriftReader& operator=(const ThriftReader&) = delete;

  // Struct framing. ReadFieldBegin returns the field's type and id; kStop ends the struct.
  // Field ids are delta-coded against the last id of the *current* struct, so Begin/End nest.
  bool StructBegin();
  bool StructEnd();
  bool ReadFieldBegin(CompactType* type, int16_t* id);
  // The value of a bool *field* lives in its type nibble.
  static bool BoolFieldValue(CompactType type) { return type == CompactType::kBoolTrue; }

  bool ReadListBegin(CompactType* elem_type, uint32_t* size);
  bool ReadVarint(uint64_t* v);
  bool ReadI8(int8_t* v);
  bool ReadI16(int16_t* v);
  bool ReadI32(int32_t* v);
  bool ReadI64(int64_t* v);
  bool ReadDouble(double* v);
  bool ReadBinary(std::string_view* v);
  bool ReadString(std::string* v);
  // Skips one value of `type` (for fields this reader does not know).
  bool Skip(CompactType type, int depth = 0);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Bytes consumed so far.
  size_t position() const { return static_cast<size_t>(pos_ - begin_); }
  bool Fail(std::string message);

 private:
  static constexpr int kMaxDepth = 64;
  const uint8_t* pos_;
  const uint8_t* begin_;
  const uint8_t* end_;
  int16_t last_id_ = 0;
  int16_t id_stack_[kMaxDepth + 1] = {};
  int depth_ = 0;
  std::string error_;
};

}  // namespace tsb::parquet
