// TableBatchWriter: the Tablestore table as a tsb::BatchWriter, the sink of `tsbridge export`.
//
// It takes RowBatches whose columns are the mapping's (matched to the input by name), encodes each
// row once into a WriteItem (RowEncoder: straight from the batch's columns into the PlainBuffer
// bytes the request carries, sized before they are written, with the key's place and hash in
// them; no Row is built) and hands it to a TableWriter (batch_writer.h), which packs
// requests of at most 200 rows and 4 MiB, never two rows of one key in a request, and retries. It
// is the only code that turns batches into BatchWriteRow requests.
//
// With options.threads = N > 0 the rows go to N writer threads, each driving its own TableWriter
// over the shared Client, in runs of a request's worth of consecutive input rows (WriteRouter,
// write_router.h); a row whose key has an earlier row still on its way follows that row's writer,
// so rows of one key reach the table in input order. The caller's thread reads, encodes, routes
// and packs the rows into requests (RequestPacker); a writer thread gets whole requests and
// sends them. With
// threads = 0 the TableWriter runs on the caller's thread (one writer per key range, --scatter).
//
// Rows that never reach the table are reported through callbacks with their position (the input
// position of the batch row, plus options.position_offset): a row that cannot be encoded (a NULL
// key, a value Tablestore cannot hold) at once, on the caller's thread, with the batch and its row
// index; a row the service refused, from the writer's thread, with the row as it was sent.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tablestore/batch_writer.h"
#include "tsbridge/batch_io.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"
#include "tsbridge/tablestore/client.h"

namespace tsb::ots {

class WriteRouter;

// The --shard share (0-based, below `shards`) of a row whose partition-key value encodes to
// `encoded_partition_key` (a filter's column_value): 64-bit FNV-1a, then murmur3's fmix64
// finalizer, modulo `shards`. Every host computes the same shares.
int KeyShardOf(std::string_view encoded_partition_key, int shards);

// Where the cells of a written row come from.
struct TableColumnMapping {
  struct Column {
    int input = -1;        // column index in the written batches
    std::string name;      // the input column's name, for messages
    std::string ots_name;  // the table's column
  };
  std::vector<Column> keys;  // in the table's primary-key order
  std::vector<Column> attributes;
};

// How rows are written (export's modes).
struct TableRowOptions {
  bool put_mode = false;      // PUT whole rows; else UPDATE the mapped attributes
  bool nulls_delete = false;  // update: a NULL deletes all versions of its column
  bool if_absent = false;     // EXPECT_NOT_EXIST on every row
  int shard_index = 0;        // 1-based share of the rows to keep; 0 = all rows
  int shard_count = 0;
};

enum class EncodeOutcome { kOk, kReject, kSkip };

// Turns rows of batches into Tablestore writes. One per thread.
class RowEncoder {
 public:
  // `mapping` must outlive the encoder and every item it fills (the cells view its names).
  RowEncoder(const TableColumnMapping* mapping, const TableRowOptions& options)
      : mapping_(mapping), options_(options) {}

  // Fills *item from row `r` of `batch`. kReject sets *code and *message; kSkip: another --shard.
  EncodeOutcome Encode(const RowBatch& batch, size_t r, WriteItem* item, std::string* code,
                       std::string* message);

 private:
  // The primary key's cells start after the header and the 01 tag (plainbuffer.cc's grammar).
  static constexpr size_t kPrimaryKeyOffset = 5;

  struct Pending {
    const std::string* name = nullptr;
    uint8_t name_crc = 0;
    bool key = false;
    bool delete_all = false;
    Value value;
    bool in_text = false;  // the bytes are text_[offset, offset + length)
    size_t offset = 0;
    size_t length = 0;
  };

  // Adds the value of row `r` of `column` to pending_ and its cell's size to *cells_size.
  bool Add(const TableColumnMapping::Column& p, uint8_t name_crc, const tsb::Column& column,
           size_t r, bool key, size_t* cells_size, std::string* code, std::string* message);
  // The common column types straight into *value; false for the others (ColumnValueToOts).
  static bool DirectValue(const tsb::Column& column, size_t r, Value* value);
  Value ValueOf(const Pending& p) const;

  const TableColumnMapping* mapping_;
  TableRowOptions options_;
  std::vector<Pending> pending_;
  // Crc8(0, name) of mapping_->keys, then of mapping_->attributes: the start of every cell's
  // checksum, the same on every row (filled by the first Encode).
  std::vector<uint8_t> name_crcs_;
  std::string scratch_;
  std::string text_;  // converted values of the row being encoded
  std::string shard_scratch_;
};

// Shared by the writers of one job: what reached the table, what the table refused.
struct TableWriteCounters {
  std::atomic<int64_t> rows_written{0};
  std::atomic<int64_t> bytes_written{0};  // encoded rows acknowledged
  std::atomic<int64_t> rows_rejected{0};  // refused by the service (not the encoding rejects)
};

// Adds the requests of one writer to *total (the largest request: the larger of the two).
void AccumulateStats(const TableWriterStats& s, TableWriterStats* total);

class TableBatchWriter : public BatchWriter {
 public:
  struct Options {
    TableWriterOptions writer;
    TableColumnMapping mapping;
    TableRowOptions rows;
    int threads = 0;              // 0: write on the caller's thread; N: N writer threads
    int64_t position_offset = 0;  // added to the batches' positions (a range reader's lines)
    TableWriteCounters* counters = nullptr;  // null: the writer's own
    // Called once per row given to WriteRows when its outcome is final (written, refused and
    // reported, rejected at encoding, or left to another --shard share), with its position; from
    // the writer's threads, with all the rows of a request at once. Export's checkpoint counts
    // acknowledged input with it.
    std::function<void(std::span<const int64_t> positions)> on_rows_done;
  };
  // A row that cannot be encoded: row `row` of `batch`. A non-OK return ends the write.
  using OnEncodeRejected = std::function<Status(const RowBatch& batch, size_t row, int64_t position,
                                                std::string_view code, std::string_view message)>;
  // A row the service refused, or that could not be written; called from a writer thread.
  using OnRowRejected = std::function<Status(int64_t position, const Row& row,
                                             std::string_view code, std::string_view message)>;

  TableBatchWriter(Client* client, Options options, OnEncodeRejected on_encode_rejected,
                   OnRowRejected on_row_rejected);
  ~TableBatchWriter() override;
  TableBatchWriter(const TableBatchWriter&) = delete;
  TableBatchWriter& operator=(const TableBatchWriter&) = delete;

  [[nodiscard]] Status Write(const RowBatch& batch) override {
    return WriteRows(batch, 0, batch.num_rows());
  }
  // Writes rows [begin, end) of `batch`.
  [[nodiscard]] Status WriteRows(const RowBatch& batch, size_t begin, size_t end);
  // Sends what is queued, waits for it and its retries, and returns the first writer's failure.
  [[nodiscard]] Status Close() override;

  // A writer thread failed: the caller may stop reading (Close() returns the failure).
  bool failed() const { return failed_.load(); }
  int64_t rows_skipped() const { return rows_skipped_; }  // rows of other --shard shares
  const TableWriteCounters& counters() const { return *counters_; }
  // The requests of every writer; complete after Close().
  TableWriterStats stats() const;

 private:
  class ItemPool;
  class RequestQueue;
  struct QueuedRequest;

  void Fail(const Status& status);
  // Packs the item into a request of its writer thread (by its key hash); the reading thread
  // packs, so the writer threads get whole requests and never a row at a time.
  Status Route(WriteItem* item);
  // A packed request for writer `w`. It waits with others until there are as many as the CPU
  // hashes side by side (Md5Lanes); then their bodies are built and hashed together and queued.
  void Emit(size_t w, std::vector<WriteItem*> items);
  // Builds, hashes and queues the requests waiting in group_.
  void FlushGroup();
  Status CloseThreads();

  Client* client_;
  Options options_;
  OnEncodeRejected on_encode_rejected_;
  OnRowRejected on_row_rejected_;
  TableWriteCounters own_counters_;
  TableWriteCounters* counters_;
  std::unique_ptr<ItemPool> pool_;
  RowEncoder encoder_;
  std::string code_, message_;
  int64_t ordinal_ = 0;  // row number when the batches carry no positions
  int64_t rows_skipped_ = 0;
  bool closed_ = false;

  std::unique_ptr<TableWriter> direct_;  // threads == 0
  std::vector<std::unique_ptr<RequestQueue>> queues_;
  std::vector<std::unique_ptr<RequestPacker>> packers_;  // one per writer thread
  std::unique_ptr<WriteRouter> router_;  // the writer of each row; outlives the threads' items
  // Requests packed and not yet queued (Emit), in the order they were packed.
  std::vector<std::pair<size_t, std::vector<WriteItem*>>> group_;
  std::vector<EncodedRowWrite> group_rows_;
  std::vector<TableWriterStats> thread_stats_;
  std::vector<std::thread> threads_;
  std::mutex error_mu_;
  Status error_;  // guarded by error_mu_
  std::atomic<bool> failed_{false};
};

}  // namespace tsb::ots
