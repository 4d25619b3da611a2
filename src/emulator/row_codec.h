// The stored row: the RocksDB value under a row key (key_codec.h), holding the attribute cells.
//
//   row      := 0x01 column*                 (format version byte; never reuse a version)
//   column   := name_len:u8 name count:u32 version{count}
//   version  := ts:i64 type:u8 payload      (integers little-endian)
//   payload  := INTEGER/DOUBLE 8 bytes | BOOLEAN 1 byte | STRING/BINARY len:u32 bytes
//
// Columns are sorted by name (bytewise), versions newest first, so a read walks the value once
// and emits cells in the order the service returns them, and the reader never allocates: names
// and bytes are views into the value. The primary key is not repeated here: it is the row key.
// Names are <= 255 bytes (wire doc B.7), so one length byte suffices.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tsbridge/tablestore/row.h"

namespace tsb::emulator {

inline constexpr char kStoredRowVersion = 0x01;

// Appends an encoded row piece by piece. REQUIRES: columns in ascending name order, each column's
// versions newest first, exactly `count` versions after AppendColumn.
class StoredRowWriter {
 public:
  explicit StoredRowWriter(std::string* out) : out_(out) { out_->push_back(kStoredRowVersion); }
  void AppendColumn(std::string_view name, uint32_t count);
  // REQUIRES: value.type is INTEGER, DOUBLE, BOOLEAN, STRING or BINARY.
  void AppendVersion(int64_t timestamp, const ots::Value& value);

 private:
  std::string* out_;
};

// Walks an encoded row. Every length is checked; a malformed value ends the walk with ok()
// false (the caller reports Corruption).
class StoredRowReader {
 public:
  explicit StoredRowReader(std::string_view data);
  bool ok() const { return ok_; }

  // Moves to the next column; false at the end or on error. Skips unread versions of the
  // current column.
  bool NextColumn(std::string_view* name, uint32_t* count);
  // Next version of the current column; false when the column has no more.
  bool NextVersion(int64_t* timestamp, ots::Value* value);

 private:
  bool SkipRemainingVersions();

  const char* p_;
  const char* limit_;
  uint32_t remaining_ = 0;
  bool ok_ = true;
};

// Wire-doc A.5 sizes: STRING/BINARY their length, INTEGER/DOUBLE 8, BOOLEAN 1.
int64_t ValueDataSize(const ots::Value& value);

}  // namespace tsb::emulator
