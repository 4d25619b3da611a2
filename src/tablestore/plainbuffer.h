// PlainBuffer: Tablestore's row encoding inside the protobuf `bytes` fields (wire doc Part B).
//
// Used by the client (requests out, GetRange/GetRow rows in) and by the emulator (requests in,
// rows out); both run it on their hot paths, so:
//   * encoders size their output exactly, write with memcpy and compute CRC8 from a table;
//   * decoders fill caller-owned, reusable ots::Row objects whose names and STRING/BINARY values
//     are string_views into the input buffer (the input must outlive the row), so decoding a warm
//     5000-row page allocates nothing per cell;
//   * every length is checked before it is used: malformed input yields Corruption with the
//     offset and what was expected, never a read past the buffer.
//
// Shapes (wire doc B.1, B.3). EncodeRow writes exactly what the Row holds, so one function covers
// them all; the caller builds the Row in the right shape (validation of names, types and ops
// against a table is the caller's business):
//   PutRow / BatchWrite PUT    primary_key + attributes (op kPut, optional timestamp)
//   UpdateRow / BatchWrite UPDATE  attributes carry ops: kPut (value, optional ts),
//                              kDeleteOneVersion (no value, ts), kDeleteAllVersions (no value, no
//                              ts), kIncrement (INTEGER value)
//   DeleteRow / BatchWrite DELETE  primary_key + delete_marker = true
//   GetRow key, GetRange bounds    primary_key only (INF_MIN / INF_MAX allowed as values)
// We never emit the Node SDK's trailing zero padding (B.6); decoders accept it.
//
// Grammar, checksums and byte-exact examples: wire doc B.1-B.5; the implementation's own grammar
// is at the top of plainbuffer.cc. All functions are thread-safe; RowWriter and RowReader objects
// are not shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/status.h"
#include "tsbridge/tablestore/row.h"

namespace tsb::ots {

// ---------------------------------------------------------------------------------------------
// Encoding single-row fields.

// Exact number of bytes EncodeRow(row, out) appends: the 4-byte header plus EncodedRowSize(row).
size_t EncodedSize(const Row& row);
// The row without the header: what the row adds to a multi-row buffer (RowWriter::AddRow).
size_t EncodedRowSize(const Row& row);

// Appends one single-row field (header, row, row checksum) to *out.
void EncodeRow(const Row& row, std::string* out);

// Appends the primary-key-only shape (GetRow / BatchGetRow keys, GetRange bounds) to *out.
void EncodePrimaryKey(std::span<const Cell> primary_key, std::string* out);

// Writes one single-row field (as EncodeRow) from cells given one by one, into a buffer sized
// once: the caller sums CellSize over its cells first, so the size of the row is known before a
// byte is written (the export checks the request limit with it) and no Row is built. The bytes
// are exactly EncodeRow's for the Row with these cells (no timestamps, no delete marker).
//   RowFieldWriter w(&out, key_cells_size, attribute_cells_size);  // out = header + 01
//   w.AddCell("pk", &pk_value);                      // all key cells first
//   w.BeginAttributes();                             // only when attribute_cells_size > 0
//   w.AddCell("v", &v, CellOp::kPut);                // value null: a delete op
//   w.Finish();                                      // 09 crc; out->size() == the total
class RowFieldWriter {
 public:
  // Bytes one cell takes (tag, name, value, op, checksum).
  static size_t CellSize(std::string_view name, const Value* value, CellOp op = CellOp::kPut);
  // The whole field for cells of these sizes: what *out will hold.
  static size_t FieldSize(size_t key_cells_size, size_t attribute_cells_size);

  // Replaces *out with FieldSize(...) bytes, of which the header and 01 are written.
  RowFieldWriter(std::string* out, size_t key_cells_size, size_t attribute_cells_size);
  RowFieldWriter(const RowFieldWriter&) = delete;
  RowFieldWriter& operator=(const RowFieldWriter&) = delete;

  void AddCell(std::string_view name, const Value* value, CellOp op = CellOp::kPut);
  // The same bytes, with the name's checksum given: name_crc == Crc8(0, name). Names repeat on
  // every row of an export, so the encoder computes it once per column.
  void AddCell(std::string_view name, uint8_t name_crc, const Value* value,
               CellOp op = CellOp::kPut);
  void BeginAttributes();
  void Finish();
  // Offset of the next byte to write: after the key cells, the end of the primary key.
  size_t offset() const { return static_cast<size_t>(p_ - out_->data()); }

 private:
  std::string* out_;
  char* p_;
  uint8_t row_crc_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Filter values (wire doc A.4 / B.2): SingleColumnValueFilter.column_value is a type byte and
// its payload, with no tag, prefix, header or checksum. INTEGER 1 -> 00 0100000000000000.
// INF_MIN / INF_MAX / AUTO_INCREMENT encode as their bare type byte.

size_t EncodedColumnValueSize(const Value& value);
// Appends the bare value to *out.
void EncodeColumnValue(const Value& value, std::string* out);
// Decodes a bare value that must span all of `data`. STRING/BINARY bytes view into `data`.
Status DecodeColumnValue(std::string_view data, Value* value);

// ---------------------------------------------------------------------------------------------
// Writing rows: one header, then rows back to back (GetRange `rows`, wire doc B.5 g). A buffer
// with exactly one row is a valid single-row field (GetRow `row`, `next_start_primary_key`).
//
// Cells can be added one by one, so the emulator can stream rows from storage without building
// Row objects:
//   RowWriter w(&out);            // appends the header to *out
//   w.BeginRow();
//   w.AddPrimaryKeyCell("pk", Value::String("a"));
//   w.AddAttributeCell("v", Value::Integer(7), 1700000000000);
//   w.EndRow();
// or whole rows with AddRow. Nothing is padded. The writer appends to *out and never clears it.
class RowWriter {
 public:
  // Appends the header to *out. REQUIRES: out outlives the writer.
  explicit RowWriter(std::string* out);
  RowWriter(const RowWriter&) = delete;
  RowWriter& operator=(const RowWriter&) = delete;

  // Appends a whole row (all shapes, as EncodeRow).
  void AddRow(const Row& row);

  // Cell-by-cell form. REQUIRES: BeginRow, then all primary-key cells, then the attribute cells,
  // then EndRow.
  void BeginRow();
  void AddPrimaryKeyCell(std::string_view name, const Value& value);
  void AddAttributeCell(std::string_view name, const Value& value,
                        std::optional<int64_t> timestamp = std::nullopt);
  // Any attribute cell, including UpdateRow ops (value may be absent for deletes).
  void AddCell(const Cell& cell);
  void EndRow(bool delete_marker = false);

  size_t rows() const { return rows_; }
  // Bytes appended by this writer so far (header included).
  size_t bytes() const { return out_->size() - start_; }

 private:
  std::string* out_;
  size_t start_;
  size_t rows_ = 0;
  uint8_t row_crc_ = 0;
  bool in_attributes_ = false;
};

// ---------------------------------------------------------------------------------------------
// Decoding.

// Decodes a single-row field (GetRow/PutRow/UpdateRow/DeleteRow `row`, request `primary_key`,
// `row_change`, `next_start_primary_key`, a split point): the header, then exactly one row. Stops
// at the row checksum; what follows it must be zero bytes (the Node SDK's padding, wire doc B.6),
// anything else is Corruption. *row is cleared first; its views point into `data`.
// An empty `data` is Corruption (truncated header): an empty GetRow `row` or
// `next_start_primary_key` means "no row" / "done", so callers check for empty first.
Status DecodeRow(std::string_view data, Row* row);

// As DecodeRow, and *attribute_crcs (cleared first) gets one byte per attribute cell, in order:
// the cell's CRC-8 over its name and value only, before its timestamp and op are folded in (B.4).
// The cell checksum has been verified, so a store that keeps this byte with the value can later
// write the cell under any timestamp without checksumming its name and value again (the
// emulator's stored rows do). A cell without a value gets the CRC-8 of its name.
Status DecodeRowWithValueCrcs(std::string_view data, Row* row,
                              std::vector<uint8_t>* attribute_crcs);
// As above, and *encoded_size gets EncodedSize(*row) (what the request limits count), mostly
// without walking the row again: for a row in the encoder's own form it is the bytes read.
Status DecodeRowWithValueCrcs(std::string_view data, Row* row, std::vector<uint8_t>* attribute_crcs,
                              size_t* encoded_size);

namespace internal {
// DecodeRowWithValueCrcs without its fast path for well-formed rows: the reference that path is
// tested against. Same contract.
Status DecodeRowWithValueCrcsGeneral(std::string_view data, Row* row,
                                     std::vector<uint8_t>* attribute_crcs);
}  // namespace internal

// Iterates over the rows of a multi-row buffer (GetRange `rows`). An empty buffer and a
// header-only buffer both hold zero rows.
//   RowReader reader(data);
//   while (reader.Next(&row)) { ... }
//   TSB_RETURN_IF_ERROR(reader.status());
class RowReader {
 public:
  // REQUIRES: data outlives the reader and every row it fills.
  explicit RowReader(std::string_view data);

  // Fills *row (cleared first) with the next row and returns true; returns false at the end or
  // on malformed input (then status() says why, and every later call returns false).
  bool Next(Row* row);
  const Status& status() const { return status_; }
  // Offset of the next unread byte in `data`.
  size_t offset() const { return pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  Status status_;
};

// Decodes every row of a multi-row buffer into *rows (resized to the row count; existing Row
// objects are reused, so their cell vectors keep their capacity).
Status DecodeRows(std::string_view data, std::vector<Row>* rows);

}  // namespace tsb::ots
