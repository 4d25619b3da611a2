// Store: the emulator's tables, rows and Tablestore semantics, on RocksDB.
//
// The server layer (server.cc / handlers*.cc) decodes a request's protobuf and PlainBuffer, calls
// one Store method with ots::Row / ots::Value, the shared model of reads and writes
// (tsbridge/tablestore/model.h: ColumnFilter, TimeRange, ReadOptions, Condition, ReturnContent,
// RowWrite, BatchWriteTable) and the few views below, and encodes the answer.
// No protobuf type crosses this header. Every service error comes back as
// tsb::Status::FromService(ots_code, exact message, http_status, "") (see OtsError below), so the
// server answers with status.http_status(), status.ots_code() and status.message() unchanged.
//
// What the Store enforces (wire doc B.7, C.1, C.2; limits.h): table names and metas, table options,
// the primary-key schema on every write and read (count, names, order, types, sizes), attribute
// limits, cell versions / TTL / time ranges, row-existence and column conditions, GetRange paging
// (5000 rows or 4 MiB, next_start_primary_key always a real row key), BatchWriteRow limits (200
// rows, 4 MiB, duplicates), BatchGetRow's 100 rows, consumed capacity (wire doc A.5), and
// ComputeSplitPointsBySize. The server checks only what it alone can see (signatures, headers,
// malformed bytes) and the request sizes for which it passes the encoded byte count.
//
// Thread safety: a Store is safe to call from any number of threads at once without external
// locking. Reads take no lock (each one sees a consistent RocksDB view). Writes that read the old
// row (conditions, increments) hold striped per-row locks, taken in a fixed order, so
// concurrent read-modify-writes on one row are serialized; an unconditional UpdateRow, a merge
// that reads nothing, takes the same lock, so it can never land between a conditional write's
// read and its write and be overwritten by it; a whole BatchWriteRow holds the locks
// of all its rows and commits as one RocksDB WriteBatch (one synced WAL write when durable).
// Table DDL is serialized per table against that table's writes.
//
// Views: rows handed to a RowSink point into the Store's scratch memory and are valid only during
// the OnRow call; copy what must outlive it (or encode it to PlainBuffer right there).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/status.h"
#include "tsbridge/tablestore/model.h"
#include "tsbridge/tablestore/row.h"

namespace tsb::emulator {

// ---------------------------------------------------------------------------------------------
// Errors

// A service error with the HTTP status the service pairs with `ots_code` (wire doc C.2), e.g.
// OtsError("OTSObjectNotExist", "Requested table does not exist.") -> HTTP 404.
Status OtsError(std::string_view ots_code, std::string message);
int HttpStatusForOtsCode(std::string_view ots_code);

// ---------------------------------------------------------------------------------------------
// Tables, reads and writes. The model of tables, options, capacity, filters, read options,
// conditions and write items is the client's (tsbridge/tablestore/model.h): what the emulator
// keeps and evaluates is what the client describes.

using ots::BatchWriteTable;
using ots::CapacityUnits;
using ots::ColumnFilter;
using ots::Comparator;
using ots::Condition;
using ots::DefinedColumn;
using ots::DefinedColumnType;
using ots::Direction;
using ots::LogicalOperator;
using ots::PrimaryKeyColumn;
using ots::PrimaryKeyType;
using ots::ReadOptions;
using ots::ReturnContent;
using ots::ReturnType;
using ots::RowExistence;
using ots::RowWrite;
using ots::TableDescription;
using ots::TableMeta;
using ots::TableOptions;
using ots::TimeRange;
using ots::WriteType;

// As in the request: CreateTable and UpdateTable may set either of the two alone.
struct ReservedThroughput {
  std::optional<int32_t> read;
  std::optional<int32_t> write;
};

// ---------------------------------------------------------------------------------------------
// Capacity (wire doc A.5)

// ceil(bytes / 4 KB), and 0 for 0 bytes.
int64_t CapacityUnitsFor(int64_t bytes);

// ---------------------------------------------------------------------------------------------
// Reads

// Receives rows. The row's views (names, values) are valid only during the call.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void OnRow(const ots::Row& row) = 0;
  // Where GetRange may append rows already encoded, each exactly as ots::RowWriter::AddRow
  // would write it (the sink has written the header), in place of OnRow: a row read with every
  // column and no filter is copied from its stored form rather than decoded and re-encoded.
  // Null (the default): every row comes through OnRow.
  virtual std::string* plainbuffer_rows() { return nullptr; }
};

// A row that owns its bytes; for results that outlive a call (next_start_primary_key, returned
// rows of writes). Move-only; moving keeps the views valid.
class OwnedRow {
 public:
  OwnedRow() = default;
  OwnedRow(OwnedRow&&) = default;
  OwnedRow& operator=(OwnedRow&&) = default;
  OwnedRow(const OwnedRow&) = delete;
  OwnedRow& operator=(const OwnedRow&) = delete;

  // Deep-copies `row`.
  void Assign(const ots::Row& row);
  const ots::Row& row() const { return row_; }
  bool empty() const { return row_.primary_key.empty() && row_.attributes.empty(); }

 private:
  std::unique_ptr<char[]> arena_;
  ots::Row row_;
};

// GetRange as the Store takes it: the client's GetRangeRequest (client.h) field for field, but a
// view. The table name and the keys point into the decoded request (the server's per-thread
// rows), so that the hot GetRange path copies no key cells; the read options are the shared ones.
struct GetRangeRequest {
  std::string_view table;
  Direction direction = Direction::kForward;
  // Full primary keys in schema order; INF_MIN / INF_MAX allowed in any column.
  std::span<const ots::Cell> inclusive_start;
  std::span<const ots::Cell> exclusive_end;
  int32_t limit = 0;  // rows returned; 0 = no limit beyond the page size; < 0 is refused
  ReadOptions read;
};

struct GetRangeResult {
  CapacityUnits consumed;
  int64_t rows_returned = 0;
  int64_t rows_scanned = 0;
  // Inclusive start of the next page: a real row key (primary-key cells only). Empty = done.
  OwnedRow next_start_primary_key;
};

// BatchGetRow: one entry per table, rows answered in request order. The client's BatchGetTable
// as a view, for the reason GetRangeRequest is one: each primary key points into its decoded row
// rather than being copied into a Row of its own.
struct BatchGetTable {
  std::string_view table;
  std::vector<std::span<const ots::Cell>> primary_keys;
  ReadOptions read;
};
class BatchGetSink {
 public:
  virtual ~BatchGetSink() = default;
  // `row` is null when the row does not exist or `status` failed; views valid during the call.
  virtual void OnRow(size_t table_index, size_t row_index, const Status& status,
                     const ots::Row* row, const CapacityUnits& consumed) = 0;
};

// ---------------------------------------------------------------------------------------------
// Writes

struct RowWriteResult {
  Status status;  // per-row failure (OTSConditionCheckFail, OTSParameterInvalid, ...)
  CapacityUnits consumed;
  OwnedRow returned;  // per return_content; empty when none
};

struct BatchWriteRequest {
  std::vector<BatchWriteTable> tables;
  // Sum of the encoded PlainBuffer row_change bytes (decisions 8); -1 = let the Store estimate.
  int64_t encoded_bytes = -1;
  // Optional: attribute_crcs[t][r][i] is the checksum of the name and value of attribute i of
  // tables[t].rows[r] (ots::DecodeRowWithValueCrcs), which the store keeps with the value. Rows
  // without them (empty, or sizes that do not match) are checksummed by the store.
  std::vector<std::vector<std::span<const uint8_t>>> attribute_crcs;
};

// ---------------------------------------------------------------------------------------------
// Request-level limits, for the server (and used by the Store itself).

// "Rows count exceeds the upper limit: 200." etc.
Status CheckBatchWriteLimits(int64_t row_count, int64_t encoded_bytes);
Status CheckBatchGetLimits(int64_t row_count);
// Encoded PlainBuffer size of one row as the codec writes it (no header, with checksums and
// timestamps as present). Used for the 4 MiB page and batch limits.
int64_t PlainBufferRowSize(const ots::Row& row);

// ---------------------------------------------------------------------------------------------

struct StoreOptions {
  // Data directory, created if missing; empty = a fresh temporary directory removed on close.
  std::string data_dir;
  // Sync the WAL on every acknowledged write. Default: true with a data_dir, false without.
  std::optional<bool> sync;
  // Clock in milliseconds since the epoch; unset = the system clock. For tests of TTL.
  std::function<int64_t()> now_ms_for_test;
  // An UpdateRow without a condition appends a merge operand (row_merge.h) instead of reading
  // the old row and writing it back. False: every update reads and rewrites the row, the
  // reference the merge is tested against.
  bool merge_updates = true;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  virtual ~Store() = default;

  // Tables. `instance` scopes everything: a client of one instance never sees another's tables.
  virtual Status CreateTable(std::string_view instance, const TableMeta& meta,
                             const TableOptions& options, const ReservedThroughput& rt) = 0;
  virtual Result<std::vector<std::string>> ListTables(std::string_view instance) = 0;
  virtual Result<TableDescription> DescribeTable(std::string_view instance,
                                                 std::string_view table_name) = 0;
  virtual Result<TableDescription> UpdateTable(std::string_view instance,
                                               std::string_view table_name,
                                               const TableOptions& options,
                                               const ReservedThroughput* rt) = 0;
  virtual Status DeleteTable(std::string_view instance, std::string_view table_name) = 0;

  // GetRow: calls sink->OnRow once if the row exists and passes the filter. An absent row is
  // not an error (send empty `row` bytes). Returns the consumed capacity.
  virtual Result<CapacityUnits> GetRow(std::string_view instance, std::string_view table_name,
                                       std::span<const ots::Cell> primary_key,
                                       const ReadOptions& read, RowSink* sink) = 0;

  // GetRange: streams the page's rows to `sink` in direction order.
  virtual Result<GetRangeResult> GetRange(std::string_view instance, const GetRangeRequest& req,
                                          RowSink* sink) = 0;

  // BatchGetRow: request-level errors (row count, missing table) fail the whole call before any
  // row is answered; row-level errors go to the sink.
  virtual Status BatchGetRow(std::string_view instance, std::span<const BatchGetTable> tables,
                             BatchGetSink* sink) = 0;

  // Single-row writes: a failed row is the returned Status (with its CU in `result->consumed`:
  // a failed condition costs 1W + 1R).
  virtual Status WriteRow(std::string_view instance, std::string_view table_name,
                          const RowWrite& write, RowWriteResult* result) = 0;
  Status PutRow(std::string_view instance, std::string_view table, const ots::Row& row,
                const Condition& condition, RowWriteResult* result);
  Status UpdateRow(std::string_view instance, std::string_view table, const ots::Row& row,
                   const Condition& condition, RowWriteResult* result);
  Status DeleteRow(std::string_view instance, std::string_view table, const ots::Row& row,
                   const Condition& condition, RowWriteResult* result);

  // BatchWriteRow: a non-OK return fails the whole request (limits, duplicates, missing table,
  // no rows); otherwise results[t][r] answers tables[t].rows[r]. Rows are applied atomically each;
  // all successful rows commit in one WriteBatch.
  virtual Status BatchWriteRow(std::string_view instance, const BatchWriteRequest& request,
                               std::vector<std::vector<RowWriteResult>>* results) = 0;

  // ComputeSplitPointsBySize: split points (real row keys, every PK cell, ascending) such that
  // each of the n+1 splits holds about split_size * unit bytes of rows, sized as stored (key +
  // value bytes, close to their PlainBuffer size); unit_bytes <= 0 means 100 MiB. One scan of
  // the table. `consumed.read` = number of splits. `schema` receives the PK schema.
  struct SplitPoints {
    std::vector<OwnedRow> points;
    std::vector<PrimaryKeyColumn> schema;
    CapacityUnits consumed;
  };
  virtual Result<SplitPoints> ComputeSplitPointsBySize(std::string_view instance,
                                                       std::string_view table_name,
                                                       int64_t split_size, int64_t unit_bytes) = 0;
};

}  // namespace tsb::emulator
