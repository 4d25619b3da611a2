// TableScanReader: one key range of one table as a BatchReader.
//
// It pages through the range with GetRange (the columns to get, the server filter, versions and
// time range, the page size and a total row cap) and converts each row into the spec's columns
// with core's conversion (convert.h), or with `versions` set into the long layout of decisions 8,
// one batch row per cell version. This is the only code that turns GetRange pages into batches;
// an import runs one reader per split.
//
// What the reader does not decide is handed back through hooks, so that it knows nothing of files
// or jobs: `on_page` sees each page before its rows convert (counting, rate limits, stop polling:
// a non-OK status ends the scan with it), `after_page` runs once a page's rows are all converted,
// and `on_reject` receives each stored value that does not fit its column (decisions 3).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/scan_plan.h"
#include "tsbridge/batch_io.h"
#include "tsbridge/convert.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/tablestore/client.h"

namespace tsb::ots {

// The long layout's shape as the reader fills it: the key columns, then `column`, `timestamp`,
// then the value columns (one, or one per distinct spec type; value_slot picks a column's).
struct CellVersionColumns {
  std::vector<int> key_columns;    // spec column indexes, in key order
  std::vector<int> attributes;     // spec column indexes, in mapping order
  std::vector<size_t> value_slot;  // per spec column: its value column among the value ones
};

// A stored value that does not fit its spec column; valid during the on_reject call.
struct RejectedValue {
  const Row& row;
  const Field& column;
  std::string_view stored_type;  // OtsTypeName, or "UNKNOWN"
  std::string_view reason;
  std::optional<int64_t> timestamp;  // the cell version's, in the long layout
};

struct TableScanOptions {
  std::string table;
  std::vector<KeyBound> start;              // inclusive
  std::vector<KeyBound> end;                // exclusive
  std::vector<std::string> key_names;       // the table's key columns, in order
  std::vector<std::string> columns_to_get;  // empty = whole rows
  std::optional<ColumnFilter> filter;
  int32_t max_versions = 1;
  std::optional<TimeRange> time_range;
  int32_t page_limit = 0;  // rows per GetRange page; 0 = the service's
  int64_t max_rows = 0;    // stop after this many table rows; 0 = the whole range
  // Next returns at the end of every page that yielded rows, so that a consumer with a --limit
  // can stop every reader as soon as it has enough.
  bool batch_per_page = false;
  // Ask for the next page as soon as a page arrives, on a thread of the reader's own, while this
  // one's rows convert: a scan that runs alone otherwise leaves the service idle while it
  // converts and itself idle while the service reads. It costs one more page of memory and one
  // page read past a stop, so it is for scans without a row cap or a rate limit (whose
  // `on_page` must see each page before the next is asked for); `max_rows` turns it off.
  bool read_ahead = false;

  const JobSpec* spec = nullptr;                 // the columns and their mapping; required
  const CellVersionColumns* versions = nullptr;  // set: the long layout
  // carried[c] becomes true once a row read holds the mapped attribute of spec column c (shared
  // by the readers of one job; may be null).
  std::atomic<bool>* carried = nullptr;

  std::function<Status(const GetRangeResult& page)> on_page;
  std::function<Status()> after_page;
  std::function<Status(const RejectedValue& reject)> on_reject;  // required
};

class TableScanReader : public BatchReader {
 public:
  // `schema` is the batches' (the spec's, or the long layout's); the client must outlive the
  // reader.
  TableScanReader(Client* client, TableScanOptions options, std::shared_ptr<const Schema> schema);
  TableScanReader(const TableScanReader&) = delete;
  TableScanReader& operator=(const TableScanReader&) = delete;
  ~TableScanReader() override;

  // The columns a scan of the spec's mapping names: the key columns too, which every row holds,
  // because the service leaves out of a GetRange page every row that holds none of the requested
  // columns (decisions 11: every row comes back, its attributes NULL). A mapping wider than
  // GetRange's 128 names reads whole rows (empty: every row comes back as well), and the reader
  // keeps the mapped attributes.
  static std::vector<std::string> ColumnsToGet(const JobSpec& spec,
                                               const std::vector<std::string>& key_names);

  const Schema& schema() const override { return *schema_; }
  Status Next(RowBatch* batch) override;

 private:
  class ReadAhead;

  Status FetchPage();
  const GetRangeResult& page() const { return pages_[current_]; }
  Status ConvertRow(const Row& row, RowBatch* batch);
  Status Fill(size_t c, const Value& value, bool* rejected);
  // What direct_ holds for a column of `type`.
  static ValueType DirectWireType(const DataType& type);
  Status StartVersions(const Row& row);
  Status EmitVersions(RowBatch* batch);
  Status Reject(const Row& row, const Field& column, std::string_view stored,
                std::string_view reason, std::optional<int64_t> timestamp);
  void MarkCarried(int c) {
    if (options_.carried != nullptr && !options_.carried[c].load(std::memory_order_relaxed)) {
      options_.carried[c].store(true, std::memory_order_relaxed);
    }
  }

  Client* client_;
  TableScanOptions options_;
  std::shared_ptr<const Schema> schema_;
  GetRangeRequest request_;
  // The page being converted, and the one being read ahead (rows view their own page's body).
  GetRangeResult pages_[2];
  size_t current_ = 0;
  std::string next_start_;
  int64_t left_ = 0;
  bool fetched_ = false;    // page() holds a page
  bool page_ended_ = true;  // after_page ran for page()
  bool done_ = false;       // no page left to fetch
  size_t row_ = 0;          // the next row of page() to convert

  // The wide layout.
  std::vector<int> key_position_;
  std::vector<int> attributes_;
  // The mapping entry that the attribute cell at each position matched in the last row: rows of
  // a table mostly carry their columns in the same order, so the first name compared matches.
  std::vector<int> cell_entry_;
  // Per entry, the wire type that converts to its column as it is (a bigint from INTEGER, a
  // double from DOUBLE, a string or binary from its own type), or kNull for the other types,
  // which go through ConvertOtsValue.
  std::vector<ValueType> direct_;
  std::vector<ConvertedValue> values_;
  std::vector<bool> present_;
  size_t reject_column_ = 0;
  std::string_view reject_stored_;
  std::string reject_reason_;

  // The long layout: the versions of the current row still to emit, in output order.
  const Row* version_row_ = nullptr;
  std::vector<std::pair<int, const Cell*>> pending_;
  size_t pending_pos_ = 0;
  std::vector<ConvertedValue> keys_;
  ConvertedValue value_;

  // Last, so that it is gone (its read finished) before the pages and the request it uses.
  std::unique_ptr<ReadAhead> read_ahead_;
};

}  // namespace tsb::ots
