// The stored row: the RocksDB value under a row key (key_codec.h), holding the attribute cells.
//
//   row      := 0x02 column*                 (format version byte; never reuse a version)
//   column   := name_len:u8 name count:u32 version{count}
//   version  := ts:i64 crc:u8 type:u8 payload (integers little-endian)
//   payload  := INTEGER/DOUBLE 8 bytes | BOOLEAN 1 byte | STRING/BINARY len:u32 bytes
//
// `crc` is PlainBuffer's cell checksum (wire doc B.4) over the column's name and this version's
// type and payload, before the timestamp is folded in: a read then writes the cell without
// checksumming its name and value again, and a write takes it from the request's decoding
// (ots::DecodeRowWithValueCrcs), where it was computed anyway.
//
// Version 0x01, the format before, is the same without the crc byte; rows written by it are still
// read (stores written by earlier builds open unchanged, and a rewritten row becomes 0x02).
//
// Columns are sorted by name (bytewise), versions newest first, so a read walks the value once
// and emits cells in the order the service returns them, and the reader never allocates: names
// and bytes are views into the value. The primary key is not repeated here: it is the row key.
// Names are <= 255 bytes (wire doc B.7), so one length byte suffices.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tsbridge/tablestore/row.h"

namespace tsb::emulator {

inline constexpr char kStoredRowVersion = 0x02;
// The format without per-version checksums: read, never written.
inline constexpr char kStoredRowVersionNoCrc = 0x01;

// Appends an encoded row piece by piece. REQUIRES: columns in ascending name order, each column's
// versions newest first, exactly `count` versions after AppendColumn.
class StoredRowWriter {
 public:
  explicit StoredRowWriter(std::string* out) : out_(out) { out_->push_back(kStoredRowVersion); }
  void AppendColumn(std::string_view name, uint32_t count);
  // REQUIRES: value.type is INTEGER, DOUBLE, BOOLEAN, STRING or BINARY.
  void AppendVersion(int64_t timestamp, const ots::Value& value);
  // As above, with the checksum of the column's name and this value already known (a request
  // cell's, from ots::DecodeRowWithValueCrcs). REQUIRES: it is that checksum.
  void AppendVersion(int64_t timestamp, const ots::Value& value, uint8_t name_value_crc);
  // A column of exactly one version with its checksum known, in one append: the same bytes as
  // AppendColumn(name, 1) then AppendVersion(timestamp, value, name_value_crc).
  void AppendSingleVersionColumn(std::string_view name, int64_t timestamp, const ots::Value& value,
                                 uint8_t name_value_crc);
  // `raw_value`: type byte and payload as StoredRowReader::raw_value() gives them (or an update
  // operand carries them, row_merge.h); the checksum is computed from the column's name.
  void AppendRawVersion(int64_t timestamp, std::string_view raw_value);
  // As above, with the checksum of the name and value known (StoredRowReader::value_crc()).
  void AppendRawVersion(int64_t timestamp, std::string_view raw_value, uint8_t name_value_crc);

 private:
  // Appends the version with a placeholder checksum; returns where the checksum byte is.
  size_t AppendVersionBytes(int64_t timestamp, const ots::Value& value, uint8_t crc);

  std::string* out_;
  std::string_view name_;  // of the column appended last
};

// A column of exactly one version, written in place: the bytes of AppendColumn(name, 1) then
// AppendVersion. For a put that replaces the whole row, which sizes the row first and writes it
// into a buffer it keeps, instead of growing a string (and zero-filling it) cell by cell.
size_t SingleVersionColumnSize(std::string_view name, const ots::Value& value);
// Writes exactly SingleVersionColumnSize(name, value) bytes at p; returns the end. REQUIRES as
// AppendSingleVersionColumn.
char* WriteSingleVersionColumn(char* p, std::string_view name, int64_t timestamp,
                               const ots::Value& value, uint8_t name_value_crc);
// As above, the checksum computed from the name and value.
char* WriteSingleVersionColumn(char* p, std::string_view name, int64_t timestamp,
                               const ots::Value& value);

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
  // Whether the row keeps each version's checksum (format 0x02), and the checksum of the column's
  // name and the value NextVersion last returned.
  bool has_value_crc() const { return has_crc_; }
  uint8_t value_crc() const { return value_crc_; }

 private:
  bool SkipRemainingVersions();

  const char* p_;
  const char* limit_;
  uint32_t remaining_ = 0;
  bool ok_ = true;
  bool has_crc_ = true;
  uint8_t value_crc_ = 0;
  std::string_view raw_value_;
};

// One version as WalkStoredRow meets it: decoded, and as stored.
struct StoredVersion {
  int64_t timestamp;
  const ots::Value& value;     // views into the stored row
  std::string_view raw_value;  // type byte and payload, as StoredRowReader::raw_value()
  int crc;                     // the kept checksum of name and value; -1 in a format 0x01 row
};

// The walk over every column and version of a stored row, for the readers that take the whole
// row (a write's old row, a merge's base), so the format is read in one place: on_column(name,
// count) before each column's versions, then on_version(const StoredVersion&) for each, newest
// first. False when the row is malformed; the callbacks may have seen part of it by then.
template <typename OnColumn, typename OnVersion>
bool WalkStoredRow(std::string_view stored, OnColumn&& on_column, OnVersion&& on_version) {
  StoredRowReader reader(stored);
  std::string_view name;
  uint32_t count;
  int64_t ts;
  ots::Value value;
  while (reader.NextColumn(&name, &count)) {
    on_column(name, count);
    while (reader.NextVersion(&ts, &value)) {
      on_version(StoredVersion{ts, value, reader.raw_value(),
                               reader.has_value_crc() ? int{reader.value_crc()} : -1});
    }
  }
  return reader.ok();
}

// Appends PlainBuffer rows (wire doc B.1, no header) byte for byte as ots::RowWriter::AddRow
// writes them, from values in their stored form: a stored version's value bytes (raw_value()
// above) are PlainBuffer's cell value, and a cell's CRC-8 runs over exactly those bytes in that
// order, so values are copied and checksummed where they lie and never decoded. For GetRange,
// whose answer is mostly rows read with every column.
//
// The string grows ahead of the rows and is cut back to them when the appender goes out of
// scope: a cell is then a few stores into room already made, not a resize per cell. Until then,
// *out may hold spare bytes past the rows.
// A primary-key column as a scan writes it: its name and the CRC-8 of the name, fixed per table.
struct KeyColumnName {
  std::string_view name;
  uint8_t name_crc;
};

// Which versions of each column a read returns: at most max_versions, newest first, with
// min_ts <= ts < max_ts (a version older than min_ts ends the column).
struct VersionWindow {
  int32_t max_versions = 1;
  int64_t min_ts = 0;
  int64_t max_ts = INT64_MAX;
};

class PlainBufferRowAppender {
 public:
  explicit PlainBufferRowAppender(std::string* out) : out_(out), end_(out ? out->size() : 0) {}
  ~PlainBufferRowAppender() {
    if (out_ != nullptr) out_->resize(end_);
  }
  PlainBufferRowAppender(const PlainBufferRowAppender&) = delete;
  PlainBufferRowAppender& operator=(const PlainBufferRowAppender&) = delete;
  void BeginRow();
  // REQUIRES: value is INTEGER, STRING or BINARY (a primary-key value).
  void AddPrimaryKeyCell(std::string_view name, const ots::Value& value);
  // As above, with the CRC-8 of the name known (a scan's key names are the table's, fixed).
  void AddPrimaryKeyCell(std::string_view name, uint8_t name_crc, const ots::Value& value);
  // `raw_value`: type byte and payload as StoredRowReader::raw_value() gives them.
  void AddAttributeCell(std::string_view name, std::string_view raw_value, int64_t timestamp);
  // As above, with the checksum of the name and value known (StoredRowReader::value_crc()).
  void AddAttributeCell(std::string_view name, std::string_view raw_value, int64_t timestamp,
                        uint8_t name_value_crc);
  // Every primary-key cell of the row from its RocksDB row key (key_codec.h), as
  // AddPrimaryKeyCell with each decoded value; *cu_bytes grows by their names' and values'
  // sizes. Returns false, having appended nothing, when the key is not the plain case (a
  // STRING/BINARY value holding a 0x00 byte, more than kMaxFastKeyColumns columns, or bytes that
  // do not parse): the caller decodes it with DecodeKeyValues instead, which also tells a
  // malformed key.
  static constexpr size_t kMaxFastKeyColumns = 4;
  bool AddPrimaryKeyFromRowKey(std::string_view row_key, std::span<const KeyColumnName> columns,
                               int64_t* cu_bytes);
  // Every version of a stored row (format 0x01 or 0x02) that `window` returns, as
  // AddAttributeCell for each, in one walk over the stored bytes; *cu_bytes grows by each
  // cell's name and value size plus `version_bytes`. False when the row is malformed (the row's
  // bytes so far are then unspecified: the caller drops the answer).
  bool AddStoredAttributes(std::string_view stored, const VersionWindow& window,
                           int64_t version_bytes, int64_t* cu_bytes);
  void EndRow();
  // Bytes of the row begun last (valid after EndRow), and taking it back out.
  size_t row_bytes() const { return end_ - row_start_; }
  void DiscardRow() { end_ = row_start_; }

 private:
  // n bytes of room at the end of the rows, taken.
  char* Take(size_t n) {
    if (out_->size() - end_ < n) Grow(n);
    char* p = out_->data() + end_;
    end_ += n;
    return p;
  }
  void Grow(size_t n);
  // known_crc: the checksum of the name and value, or null to compute it.
  uint8_t AppendCell(std::string_view name, std::string_view value_head,
                     std::string_view value_tail, const int64_t* ts,
                     const uint8_t* known_crc = nullptr);

  std::string* out_;
  size_t end_;  // where the rows end in *out_
  size_t row_start_ = 0;
  uint8_t row_crc_ = 0;
  bool in_attributes_ = false;
};

// One version as an update operand carries it (ts, type byte, payload: the stored row's value
// encoding without the checksum), for row_merge.h, so a merge copies values as bytes.
void AppendStoredVersion(std::string* out, int64_t timestamp, const ots::Value& value);
// Bytes of the stored value (type byte and payload) at the start of `data`; 0 when malformed.
size_t StoredValueSize(std::string_view data);

// Wire-doc A.5 sizes: STRING/BINARY their length, INTEGER/DOUBLE 8, BOOLEAN 1.
int64_t ValueDataSize(const ots::Value& value);

}  // namespace tsb::emulator
