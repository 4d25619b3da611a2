// TableWriter: writes rows to one table with BatchWriteRow, cutting requests by the service's
// limits and retrying what the service refused for a while.
//
// Used by TableBatchWriter (table_batch_writer.h): each of its writer threads owns one TableWriter
// over the job's shared Client. Rows come in as WriteItems (a Row plus the bytes its views point
// into, its encoded primary key and its encoded size, computed once by the caller); the writer
// groups them into requests that never exceed options.max_rows rows or options.max_bytes of
// encoded rows (limits.h), and never holds two rows with the same primary key in one request: a
// repeated key waits for the next request, which is sent only after the one with the earlier row
// finished, so the later row wins (rows with other keys keep filling the current request, so
// duplicates do not shrink requests).
//
// One request is in flight per TableWriter, and a request (with all its retries) finishes before
// the next one starts, so rows with one key reach the table in the order they were added.
//
// Failures (wire doc C.2; retry.h decides what is retriable):
//   * a row answered is_ok=false with a retriable code (ClassifyRowError) is sent again with the
//     other such rows of its request, after an exponential backoff with jitter, until it succeeds
//     or the retry budget (RetryOptions) is spent; then it is rejected with its last code;
//   * a row answered with a permanent code is rejected with it;
//   * a row answered with a code that leaves its outcome open (OTSTimeout, ...) is sent again
//     likewise: an update or put of absolute values may be applied twice;
//   * a whole request that fails with a retriable status is sent again likewise (also one whose
//     answer never came: the request timeout ended it); when it fails
//     with a permanent service code, it is split in halves and each half sent on its own, down to
//     single rows, which are then rejected with the code (so one bad row cannot sink 199 good
//     ones). A network failure that outlasts the retry budget, an authentication failure, a
//     missing table and a stop request end the job instead (the returned Status).
// A row that must not exist yet (EXPECT_NOT_EXIST without condition_failure_is_success: export
// --if-absent) is never sent again blindly after a write whose outcome is unknown: a copy would
// be refused by the row our own first write created. It is read back (BatchGetRow) first: absent,
// it is sent again; present with exactly the attributes it puts, it counts as written by us;
// present with anything else, it is rejected with OTSConditionCheckFail.
// The outcome of every row is reported through the callbacks, exactly once per Add()ed item.
//
// Not thread-safe: one TableWriter per thread. The Client is shared (it is thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tablestore/in_flight_window.h"
#include "tsbridge/status.h"
#include "tsbridge/tablestore/client.h"
#include "tsbridge/tablestore/limits.h"
#include "tsbridge/tablestore/retry.h"
#include "tsbridge/tablestore/row.h"

namespace tsb::ots {

class RoutedChunk;  // write_router.h

// One row to write, already in its wire form: `encoded` is the row_change field of the request
// (a PlainBuffer single-row field), so the writer copies it into the request body as it is and
// its size is the exact size the row adds to the 4 MiB limit. `key_begin`..`key_end` is the
// primary key's cells within it (the bytes that tell two keys apart), `key_hash` a hash of them.
// The caller fills them with SetRow(), or with RowFieldWriter and SetKey() (RowEncoder,
// table_batch_writer.h). Items are reused: Reset() keeps the buffers' capacity.
//
// The item is filled on the reading thread and read by a writer thread, then reused: the fields
// every row sets come first and fit one cache line (the item is aligned to it), and Reset()
// writes the others only when a row changed them, so a row moves one line of the item between
// the cores rather than the whole item.
struct alignas(64) WriteItem {
  std::string encoded;
  int64_t tag = 0;  // the caller's: an input position, a sequence number
  uint64_t key_hash = 0;
  uint32_t key_begin = 0;
  uint32_t key_end = 0;
  uint32_t encoded_size = 0;  // encoded.size(); a row is at most a request's 4 MiB
  WriteType type = WriteType::kUpdate;
  // An UpdateRow that changes no cell is sent as a PutRow of the bare key that expects the row not
  // to exist (RowEncoder, table_batch_writer.h): OTSConditionCheckFail then means "the row
  // exists", which is the wanted outcome, so it counts as written.
  bool condition_failure_is_success = false;
  Condition condition;
  // Set by TableBatchWriter's router, told when the row is done. Beside the condition, which the
  // writer reads for every row as it builds the request, so it adds no cache line of its own.
  RoutedChunk* chunk = nullptr;

  void Reset() {
    tag = 0;
    chunk = nullptr;
    type = WriteType::kUpdate;
    condition_failure_is_success = false;
    encoded.clear();
    key_begin = key_end = 0;
    key_hash = 0;
    encoded_size = 0;
    if (condition.row_existence != RowExistence::kIgnore) {
      condition.row_existence = RowExistence::kIgnore;
    }
    if (condition.column_condition) condition.column_condition.reset();
    if (decoded_) {
      row_.clear();
      decoded_ = false;
    }
  }
  std::string_view key() const {
    return std::string_view(encoded).substr(key_begin, key_end - key_begin);
  }
  // Encodes `row` as it is (a kDelete item's row carries its delete marker: nothing adds it
  // later) and sets the key and its hash.
  void SetRow(const Row& row);
  // Sets the key to encoded[begin, end) and hashes it; encoded_size = encoded.size().
  void SetKey(size_t begin, size_t end);
  // The row decoded from `encoded` (views into it): for rejects and read-backs, which are rare,
  // so the hot path never builds a Row.
  const Row& row();

 private:
  bool decoded_ = false;
  Row row_;
};

struct TableWriterOptions {
  std::string table;
  // Request limits; smaller values only for tests.
  int max_rows = kBatchWriteMaxRows;
  int64_t max_bytes = kBatchWriteMaxBytes;
  // The budget of row-level and request-level retries (attempts, backoff, deadline, cancellation).
  RetryOptions retry;
  RetryEnv* retry_env = nullptr;  // null = RetryEnv::System()
  // Called before every BatchWriteRow with its row count and an estimate of the write CU it
  // costs (a row: its encoded size in started 4 KB units, at least 1); may sleep to cap the rate.
  std::function<void(int64_t rows, int64_t write_cu)> throttle;
  // The requests in flight to the writer's key region, shared by its writers (AIMD,
  // in_flight_window.h); null = no adaptation. With one, rows the service throttled are sent
  // again at the window's pace instead of after the retry backoff, until total_deadline.
  std::shared_ptr<InFlightWindow> window;
};

struct TableWriterStats {
  int64_t requests = 0;          // BatchWriteRow requests sent, the client's own retries included
  int64_t requests_failed = 0;   // of which refused as a whole or left unanswered
  int64_t requests_retried = 0;  // whole requests the writer sent again (beyond the client's)
  int64_t requests_prepared = 0;  // sent with a body built and hashed before (PreparedBody)
  int64_t row_retries = 0;       // rows sent again after a retriable row error
  int64_t rows_read_back = 0;    // --if-absent rows read back after an unanswered write
  int64_t rows_written = 0;
  int64_t rows_rejected = 0;
  int64_t max_request_rows = 0;
  int64_t max_request_bytes = 0;  // the largest sum of encoded rows sent in one request
};

// Groups WriteItems into requests by the writer's rules: at most max_rows rows and max_bytes of
// encoded rows, never two rows with one key, a repeated key in a later request than its earlier
// row. A request goes to `emit` once it is complete (a row does not fit), in the order the
// requests must be sent; `emit` owns its items from then on. Items over max_bytes are the
// caller's to refuse (TableWriter::Add, TableWriter::SendRequest).
//
// TableWriter packs with one on its own thread; TableBatchWriter packs on the reading thread,
// which has just written the items, and hands whole requests to its writer threads.
class RequestPacker {
 public:
  using Emit = std::function<Status(std::vector<WriteItem*> items)>;
  RequestPacker(int max_rows, int64_t max_bytes, Emit emit);

  [[nodiscard]] Status Add(WriteItem* item);
  // Emits every request still being filled, in order.
  [[nodiscard]] Status Flush();
  bool empty() const;

 private:
  // Rows waiting for a request. A row whose key is in generation g goes to generation g + 1,
  // which is emitted only after generation g; a key repeated more often than there are
  // generations emits generation 0 first.
  static constexpr size_t kGenerations = 4;
  struct Generation {
    std::vector<WriteItem*> items;
    int64_t bytes = 0;
    // The items by key hash (open addressing, at most half full; null = free), so that finding
    // a repeated key costs a probe or two instead of a pass over every queued row.
    std::vector<WriteItem*> slots;
    bool HasKey(const WriteItem& item) const;
    void Add(WriteItem* item, int64_t size);
    void Clear();
  };
  // Emits generation 0 and moves generation 1 up.
  Status EmitFirst();

  int max_rows_;
  int64_t max_bytes_;
  Emit emit_;
  Generation gens_[kGenerations];
};

class TableWriter {
 public:
  // Called with the items the service acknowledged, once per answer (or read-back) rather than
  // once per row: each item appears exactly once over the writer's life.
  using OnWritten = std::function<void(std::span<WriteItem* const> items)>;
  // Called once per item that will never be written, with the service's code (or ours) and
  // message. A non-OK return ends the job (e.g. the reject file cannot be written).
  using OnRejected =
      std::function<Status(WriteItem* item, std::string_view code, std::string_view message)>;

  TableWriter(Client* client, TableWriterOptions options, OnWritten on_written,
              OnRejected on_rejected);
  TableWriter(const TableWriter&) = delete;
  TableWriter& operator=(const TableWriter&) = delete;

  // Queues *item for writing, first sending the request built so far when the item would break a
  // limit or repeats one of its keys. An item whose encoded_size exceeds max_bytes is rejected at
  // once with TSB_TOO_LARGE. The item is the writer's until a callback hands it back.
  [[nodiscard]] Status Add(WriteItem* item);
  // Sends what is queued and waits for it (and its retries).
  [[nodiscard]] Status Flush();
  // Sends one request as a RequestPacker with this writer's limits made it, and waits for it
  // (and its retries); an item over max_bytes is rejected with TSB_TOO_LARGE instead. `prepared`,
  // when given, is the request's body and MD5 (EncodeBatchWriteRowBody of the items, in order):
  // the first attempt sends it; a retry of some of the rows builds its own.
  [[nodiscard]] Status SendRequest(std::vector<WriteItem*> items,
                                   const PreparedBody* prepared = nullptr);

  const TableWriterStats& stats() const { return stats_; }

 private:
  Status Send(std::vector<WriteItem*> items, const PreparedBody* prepared = nullptr);
  Status RejectAll(const std::vector<WriteItem*>& items, std::string_view code,
                   std::string_view message);
  Status RejectTooLarge(WriteItem* item);
  // Reads back the rows of *items (all NeedsReadBack) and reports those that exist; leaves in
  // *items the absent ones, to be sent again.
  Status ReadBack(std::vector<WriteItem*>* items);
  // ReadBack of the NeedsReadBack rows of *pending, which keeps the others.
  Status ResolveUnknown(std::vector<WriteItem*>* pending);
  // The rows of the request just answered (status `s`, `rows` rows) that the service throttled.
  int64_t ThrottledRows(const Status& s, size_t rows) const;

  Client* client_;
  TableWriterOptions options_;
  OnWritten on_written_;
  OnRejected on_rejected_;
  RetryEnv* env_;

  RequestPacker packer_;
  std::vector<EncodedRowWrite> rows_;  // the request being sent
  std::vector<WriteItem*> written_;    // acknowledged by the answer being read
  BatchResult result_;
  BatchGetRowRequest read_request_;
  BatchResult read_result_;
  TableWriterStats stats_;
};

}  // namespace tsb::ots
