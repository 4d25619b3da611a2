// The Tablestore model shared by the client (client.h) and the emulator (emulator/store.h): tables,
// their options, capacity units, and what reads and writes ask for (column filters, time ranges,
// read options, row conditions, return content, the write items of PutRow / UpdateRow /
// DeleteRow / BatchWriteRow). One definition, so that what the client sends and what the
// emulator evaluates cannot drift apart.
//
// Enum values are the protobuf's (wire doc A.3): on the wire and in the emulator's stored table
// metadata, so never renumber.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/tablestore/row.h"

namespace tsb::ots {

// ---------------------------------------------------------------------------------------------
// Tables.

enum class PrimaryKeyType : uint8_t { kInteger = 1, kString = 2, kBinary = 3 };
// Defined columns are metadata only (for secondary indexes).
enum class DefinedColumnType : uint8_t {
  kInteger = 1,
  kDouble = 2,
  kBoolean = 3,
  kString = 4,
  kBinary = 7,
};
enum class TableStatus : uint8_t {
  kActive = 1,
  kInactive = 2,
  kLoading = 3,
  kUnloading = 4,
  kUpdating = 5,
};

std::string_view PrimaryKeyTypeName(PrimaryKeyType type);  // "INTEGER", "STRING", "BINARY"

struct PrimaryKeyColumn {
  std::string name;
  PrimaryKeyType type = PrimaryKeyType::kString;
  bool auto_increment = false;  // PrimaryKeyOption AUTO_INCREMENT
};

struct DefinedColumn {
  std::string name;
  DefinedColumnType type = DefinedColumnType::kString;
};

struct TableMeta {
  std::string name;
  std::vector<PrimaryKeyColumn> primary_key;   // schema order; the first is the partition key
  std::vector<DefinedColumn> defined_columns;  // optional, for secondary indexes
};

// As in the request: unset fields are left to the service's defaults (CreateTable: TTL -1,
// max_versions 1, deviation 86400 s, allow_update true) or unchanged (UpdateTable).
struct TableOptions {
  std::optional<int32_t> time_to_live;        // seconds; -1 = forever, else >= 86400
  std::optional<int32_t> max_versions;        // >= 1
  std::optional<int64_t> max_time_deviation;  // seconds (deviation_cell_version_in_sec); > 0
  std::optional<bool> allow_update;
  std::optional<int32_t> block_size;         // accepted and echoed, no effect
  std::optional<int32_t> bloom_filter_type;  // accepted and echoed, no effect
};

// Reserved throughput and consumed capacity (wire doc A.5).
struct CapacityUnits {
  int64_t read = 0;
  int64_t write = 0;

  CapacityUnits& operator+=(const CapacityUnits& o) {
    read += o.read;
    write += o.write;
    return *this;
  }
  friend bool operator==(const CapacityUnits&, const CapacityUnits&) = default;
};

// DescribeTable's answer (the emulator fills in every option).
struct TableDescription {
  TableMeta meta;
  TableOptions options;
  TableStatus status = TableStatus::kActive;
  CapacityUnits reserved;
  int64_t last_increase_time = 0;  // seconds since the epoch
  int64_t last_decrease_time = 0;  // 0 = never (omitted on the wire)
  int64_t creation_time_us = 0;    // the emulator's; the service does not send it
};

// ---------------------------------------------------------------------------------------------
// Conditions, reads and writes (wire doc A.3, A.4).

enum class Comparator : uint8_t {
  kEqual = 1,
  kNotEqual = 2,
  kGreaterThan = 3,
  kGreaterEqual = 4,
  kLessThan = 5,
  kLessEqual = 6,
};

enum class LogicalOperator : uint8_t { kNot = 1, kAnd = 2, kOr = 3 };

enum class RowExistence : uint8_t { kIgnore = 0, kExpectExist = 1, kExpectNotExist = 2 };

enum class ReturnType : uint8_t { kNone = 0, kPrimaryKey = 1, kAfterModify = 2 };

enum class Direction : uint8_t { kForward = 0, kBackward = 1 };

// BatchWriteRow's OperationType.
enum class WriteType : uint8_t { kPut = 1, kUpdate = 2, kDelete = 3 };

// A filter tree (wire doc A.4): single-column comparisons combined with NOT / AND / OR, or a
// column pagination. A kSingle node's value is an ots::Value whose STRING/BINARY bytes view
// storage owned elsewhere: the caller's for a request the client sends, the request's for a
// filter the emulator decoded. They must outlive the filter's use.
//
// Comparisons across types (as the emulator evaluates them): INTEGER and DOUBLE compare
// numerically; any other pair of different types never matches, except with kNotEqual, which
// matches. STRING / BINARY compare unsigned bytewise, BOOLEAN false < true. (The service
// documents only same-typed comparisons.)
struct ColumnFilter {
  enum class Kind : uint8_t { kSingle, kNot, kAnd, kOr, kColumnPagination };

  Kind kind = Kind::kSingle;
  // kSingle.
  Comparator comparator = Comparator::kEqual;
  std::string column;
  Value value;
  // true: a row without the column does not pass (the Node SDK's passIfMissing=false).
  bool filter_if_missing = false;
  // false: any version read may satisfy the comparison.
  bool latest_version_only = true;
  // kNot: exactly one; kAnd / kOr: two or more.
  std::vector<ColumnFilter> children;
  // kColumnPagination: from each returned row keep `limit` attribute columns after skipping
  // `offset` (counted by column name). Only at the top level of a read filter.
  int32_t offset = 0;
  int32_t limit = 0;

  static ColumnFilter Compare(std::string column, Comparator comparator, Value value,
                              bool filter_if_missing = false, bool latest_version_only = true);
  static ColumnFilter Not(ColumnFilter child);
  static ColumnFilter And(std::vector<ColumnFilter> children);
  static ColumnFilter Or(std::vector<ColumnFilter> children);
  // As the wire's CompositeColumnValueFilter says it: the combinator and its operands, unchecked.
  static ColumnFilter Composite(LogicalOperator op, std::vector<ColumnFilter> children);
  static ColumnFilter ColumnPagination(int32_t offset, int32_t limit);
};

// [start, end) in milliseconds, or one exact version (specific, which wins when set).
struct TimeRange {
  std::optional<int64_t> start;  // unset: 0
  std::optional<int64_t> end;    // unset: forever
  std::optional<int64_t> specific;

  static TimeRange Specific(int64_t ts) { return TimeRange{std::nullopt, std::nullopt, ts}; }
  // The half-open range of timestamps the fields select.
  int64_t lower() const { return specific ? *specific : start.value_or(0); }
  int64_t upper() const {
    if (specific) return *specific == INT64_MAX ? INT64_MAX : *specific + 1;
    return end.value_or(INT64_MAX);
  }
};

// What a read returns of each row.
struct ReadOptions {
  // Attribute or primary-key column names; empty = all columns; at most 128 names. Rows always
  // carry their whole primary key. A row with none of the named attributes is not returned,
  // unless a primary-key column is named (then it comes back with its key only).
  std::vector<std::string> columns_to_get;
  // Unset (or 0, from the client): all versions in time_range, or 1 without a time_range, as the
  // service does. Capped by the table's max_versions.
  std::optional<int32_t> max_versions;
  std::optional<TimeRange> time_range;
  std::optional<ColumnFilter> filter;
};

struct Condition {
  RowExistence row_existence = RowExistence::kIgnore;
  // Evaluated on the current row: every column, every version kept (latest_version_only picks
  // the newest); a missing row has no columns.
  std::optional<ColumnFilter> column_condition;
};

struct ReturnContent {
  ReturnType type = ReturnType::kNone;
  std::vector<std::string> column_names;  // kAfterModify: which columns (empty = modified ones)
};

// One row of a write: PutRow, UpdateRow, DeleteRow, or an item of BatchWriteRow.
struct RowWrite {
  WriteType type = WriteType::kPut;
  // kPut: primary key + attributes (ops kPut). kUpdate: primary key + attribute cells with ops
  // (kPut / kDeleteOneVersion / kDeleteAllVersions / kIncrement). kDelete: the primary key (the
  // client adds the delete marker; attributes are ignored). A view: the row must stay valid for
  // the call.
  const Row* row = nullptr;
  Condition condition;
  ReturnContent return_content;
};

struct BatchWriteTable {
  std::string table;
  std::vector<RowWrite> rows;
};

}  // namespace tsb::ots
