#include "tablestore/batch_answer.h"

#include <cstdint>
#include <string>

#include "tablestore/plainbuffer.h"

namespace tsb::ots {
namespace {

// Field numbers (proto/table_store.proto). The wire type is checked with the number, so a field
// of the right number and the wrong type is skipped as an unknown one, as protobuf does.
constexpr uint32_t kTables = 1;     // BatchWriteRowResponse.tables
constexpr uint32_t kTableName = 1;  // TableInBatchWriteRowResponse.table_name
constexpr uint32_t kRows = 2;       // TableInBatchWriteRowResponse.rows
constexpr uint32_t kIsOk = 1;       // RowInBatchWriteRowResponse.is_ok
constexpr uint32_t kError = 2;      // RowInBatchWriteRowResponse.error
constexpr uint32_t kConsumed = 3;   // RowInBatchWriteRowResponse.consumed
constexpr uint32_t kRow = 4;        // RowInBatchWriteRowResponse.row
constexpr uint32_t kCode = 1;       // Error.code
constexpr uint32_t kMessage = 2;    // Error.message
constexpr uint32_t kUnit = 1;       // ConsumedCapacity.capacity_unit
constexpr uint32_t kRead = 1;       // CapacityUnit.read
constexpr uint32_t kWrite = 2;      // CapacityUnit.write

constexpr int kVarint = 0;
constexpr int kFixed64 = 1;
constexpr int kLength = 2;
constexpr int kFixed32 = 5;

// One field of a message: its number, wire type, and its varint or its bytes.
struct Field {
  uint32_t number = 0;
  int type = 0;
  uint64_t varint = 0;
  std::string_view bytes;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool done() const { return in_.empty(); }

  // False on malformed input (truncation, a bad varint, a group or an unknown wire type).
  bool Next(Field* f) {
    uint64_t tag;
    if (!Varint(&tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1FFFFFFF) return false;
    f->number = static_cast<uint32_t>(tag >> 3);
    f->type = static_cast<int>(tag & 7);
    switch (f->type) {
      case kVarint:
        return Varint(&f->varint);
      case kFixed64:
        return Skip(8);
      case kFixed32:
        return Skip(4);
      case kLength: {
        uint64_t len;
        if (!Varint(&len) || len > in_.size()) return false;
        f->bytes = in_.substr(0, len);
        in_.remove_prefix(len);
        return true;
      }
      default:
        return false;
    }
  }

 private:
  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 70 && !in_.empty(); shift += 7) {
      auto byte = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      if (shift < 64) result |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool Skip(size_t n) {
    if (in_.size() < n) return false;
    in_.remove_prefix(n);
    return true;
  }
  std::string_view in_;
};

Status Malformed(std::string_view where) {
  return Status::Corruption("BatchWriteRow: malformed response (" + std::string(where) + ")");
}

Status ParseUnit(std::string_view in, CapacityUnits* cu) {
  Reader r(in);
  Field f;
  while (!r.done()) {
    if (!r.Next(&f)) return Malformed("capacity_unit");
    if (f.type != kVarint) continue;
    if (f.number == kRead) cu->read = static_cast<int32_t>(f.varint);
    if (f.number == kWrite) cu->write = static_cast<int32_t>(f.varint);
  }
  return Status::OK();
}

// Nested messages merge when repeated, so `seen` carries over between occurrences.
Status ParseConsumed(std::string_view in, CapacityUnits* cu, bool* has_unit) {
  Reader r(in);
  Field f;
  while (!r.done()) {
    if (!r.Next(&f)) return Malformed("consumed");
    if (f.number == kUnit && f.type == kLength) {
      TSB_RETURN_IF_ERROR(ParseUnit(f.bytes, cu));
      *has_unit = true;
    }
  }
  return Status::OK();
}

Status ParseError(std::string_view in, BatchRowResult* row, bool* has_code) {
  Reader r(in);
  Field f;
  while (!r.done()) {
    if (!r.Next(&f)) return Malformed("error");
    if (f.type != kLength) continue;
    if (f.number == kCode) {
      row->error_code.assign(f.bytes);
      *has_code = true;
    } else if (f.number == kMessage) {
      row->error_message.assign(f.bytes);
    }
  }
  return Status::OK();
}

Status ParseRow(std::string_view in, std::string_view what, BatchRowResult* row,
                BatchResult* result, std::deque<std::string>* storage) {
  row->ok = false;
  row->error_code.clear();
  row->error_message.clear();
  row->consumed = CapacityUnits{};
  row->has_row = false;
  row->row.clear();
  bool has_ok = false, has_error = false, has_code = false, has_consumed = false, has_unit = false;
  std::string_view bytes;
  Reader r(in);
  Field f;
  while (!r.done()) {
    if (!r.Next(&f)) return Malformed("row");
    if (f.number == kIsOk && f.type == kVarint) {
      row->ok = f.varint != 0;
      has_ok = true;
    } else if (f.number == kError && f.type == kLength) {
      TSB_RETURN_IF_ERROR(ParseError(f.bytes, row, &has_code));
      has_error = true;
    } else if (f.number == kConsumed && f.type == kLength) {
      TSB_RETURN_IF_ERROR(ParseConsumed(f.bytes, &row->consumed, &has_unit));
      has_consumed = true;
    } else if (f.number == kRow && f.type == kLength) {
      bytes = f.bytes;
    }
  }
  if (!has_ok) return Malformed("a row without is_ok");
  if (has_error && !has_code) return Malformed("an error without code");
  if (has_consumed && !has_unit) return Malformed("consumed without capacity_unit");
  result->consumed.read += row->consumed.read;
  result->consumed.write += row->consumed.write;
  if (!row->ok) ++result->failed_rows;
  if (row->ok && !bytes.empty()) {
    std::string& buf = storage->emplace_back(bytes);
    TSB_RETURN_IF_ERROR(DecodeRow(buf, &row->row).WithContext(what));
    row->has_row = true;
  }
  return Status::OK();
}

Status ParseTable(std::string_view in, std::string_view what, BatchTableResult* table,
                  BatchResult* result, std::deque<std::string>* storage) {
  // Resized, not cleared, so the rows' strings and cell vectors keep their capacity.
  size_t rows = 0;
  bool has_name = false;
  Reader r(in);
  Field f;
  while (!r.done()) {
    if (!r.Next(&f)) return Malformed("table");
    if (f.type != kLength) continue;
    if (f.number == kTableName) {
      table->table.assign(f.bytes);
      has_name = true;
    } else if (f.number == kRows) {
      if (rows == table->rows.size()) table->rows.resize(rows + 1);
      TSB_RETURN_IF_ERROR(ParseRow(f.bytes, what, &table->rows[rows], result, storage));
      ++rows;
    }
  }
  if (!has_name) return Malformed("a table without table_name");
  table->rows.resize(rows);
  return Status::OK();
}

}  // namespace

Status ParseBatchWriteAnswer(std::string_view body, std::string_view what, BatchResult* result,
                             std::deque<std::string>* storage) {
  result->consumed = {};
  result->failed_rows = 0;
  size_t tables = 0;
  Reader r(body);
  Field f;
  while (!r.done()) {
    if (!r.Next(&f)) return Malformed(std::to_string(body.size()) + " bytes");
    if (f.number != kTables || f.type != kLength) continue;
    if (tables == result->tables.size()) result->tables.emplace_back();
    TSB_RETURN_IF_ERROR(ParseTable(f.bytes, what, &result->tables[tables], result, storage));
    ++tables;
  }
  result->tables.resize(tables);
  return Status::OK();
}

}  // namespace tsb::ots
