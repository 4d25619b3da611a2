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

void AppendStoredVersion(std::string* out, int64_t timestamp, const ots::Value& value);
void AppendStoredVersionRaw(std::string* out, int64_t timestamp, std::string_view raw_value);

// Appends an encoded row piece by piece. REQUIRES: columns in ascending name order, each column's
// versions newest first, exactly `count` versions after AppendColumn.
class StoredRowWriter {
 public:
  explicit StoredRowWriter(std::string* out) : out_(out) { out_->push_back(kStoredRowVersion); }
  void AppendColumn(std::string_view name, uint32_t count);
  // REQUIRES: value.type is INTEGER, DOUBLE, BOOLEAN, STRING or BINARY.
  void AppendVersion(int64_t timestamp, const ots::Value& value) {
    AppendStoredVersion(out_, timestamp, value);
  }
  // `raw_value`: type byte and payload as StoredRowReader::raw_value() gives them.
  void AppendRawVersion(int64_t timestamp, std::string_view raw_value) {
    AppendStoredVersionRaw(out_, timestamp, raw_value);
  }

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
  // The bytes of the value NextVersion last returned, type byte and payload as stored. They are
  // byte for byte PlainBuffer's cell value (wire doc B.1: type, then the little-endian payload,
  // strings as u32 length and bytes), so a reader can copy them into an answer undecoded.
  std::string_view raw_value() const { return raw_value_; }

 private:
  bool SkipRemainingVersions();

  const char* p_;
  const char* limit_;
  uint32_t remaining_ = 0;
  bool ok_ = true;
  std::string_view raw_value_;
};

// Appends PlainBuffer rows (wire doc B.1, no header) byte for byte as ots::RowWriter::AddRow
// writes them, from values in their stored form: a stored version's value bytes (raw_value()
// above) are PlainBuffer's cell value, and a cell's CRC-8 runs over exactly those bytes in that
// order, so values are copied and checksummed where they lie and never decoded. For GetRange,
// whose answer is mostly rows read with every column.
class PlainBufferRowAppender {
 public:
  explicit PlainBufferRowAppender(std::string* out) : out_(out) {}
  void BeginRow();
  // REQUIRES: value is INTEGER, STRING or BINARY (a primary-key value).
  void AddPrimaryKeyCell(std::string_view name, const ots::Value& value);
  // `raw_value`: type byte and payload as StoredRowReader::raw_value() gives them.
  void AddAttributeCell(std::string_view name, std::string_view raw_value, int64_t timestamp);
  void EndRow();
  // Bytes of the row begun last (valid after EndRow), and taking it back out.
  size_t row_bytes() const { return out_->size() - row_start_; }
  void DiscardRow() { out_->resize(row_start_); }

 private:
  uint8_t AppendCell(std::string_view name, std::string_view value_head,
                     std::string_view value_tail, const int64_t* ts);

  std::string* out_;
  size_t row_start_ = 0;
  uint8_t row_crc_ = 0;
  bool in_attributes_ = false;
};

// One version in its stored form (ts, type byte, payload), for the update operands of
// row_merge.h, which carry cells in the stored row's own encoding so a merge copies them as bytes.
void AppendStoredVersion(std::string* out, int64_t timestamp, const ots::Value& value);
void AppendStoredVersionRaw(std::string* out, int64_t timestamp, std::string_view raw_value);
// Bytes of the stored value (type byte and payload) at the start of `data`; 0 when malformed.
size_t StoredValueSize(std::string_view data);

// Wire-doc A.5 sizes: STRING/BINARY their length, INTEGER/DOUBLE 8, BOOLEAN 1.
int64_t ValueDataSize(const ots::Value& value);

}  // namespace tsb::emulator
