// The typed Tablestore client: the only header the command layer includes to talk to Tablestore
// (or to `tsbridge emulator`).
//
// One Client serves one instance at one endpoint and is shared by every thread of a job: calls
// are thread-safe and each borrows its own kept-alive connection (http_transport.h), so N parallel
// scanners or writers need one Client. Every call is signed (wire doc A.2), retried by retry.h's
// policy (re-dated and re-signed each time), and its failure is a Status: a service error carries
// the OTS code, message, HTTP status and request id (Status::FromService), a network failure is
// kUnavailable. Secrets never appear in any Status, log or trace.
//
// Plain C++ structs describe tables, conditions and filters; the protobuf messages stay inside
// client.cc. Rows are ots::Row (row.h): request rows are views into the caller's storage and must
// stay valid for the call; response rows are views into a buffer owned by the result object the
// caller passes in, valid until that object is reused or destroyed. Result objects are reusable
// (their buffers keep their capacity: a scanner that calls GetRange with the same result object
// allocates nothing per page once warm) and therefore neither copyable nor movable.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/status.h"
#include "tsbridge/tablestore/credentials.h"
#include "tsbridge/tablestore/http_transport.h"
#include "tsbridge/tablestore/model.h"
#include "tsbridge/tablestore/retry.h"
#include "tsbridge/tablestore/row.h"

namespace tsb::ots {

// ---------------------------------------------------------------------------------------------
// Tables (the model itself, shared with the emulator, is in model.h).

struct CreateTableRequest {
  TableMeta meta;
  TableOptions options;
  CapacityUnits reserved;  // reserved throughput; 0/0 for on-demand instances
};

struct UpdateTableRequest {
  std::string table;
  std::optional<CapacityUnits> reserved;
  std::optional<TableOptions> options;
};

struct UpdateTableResult {
  TableOptions options;
  CapacityUnits reserved;
  int64_t last_increase_time = 0;
  int64_t last_decrease_time = 0;
};

// ---------------------------------------------------------------------------------------------
// Filters and conditions (wire doc A.4).

// The filter, condition and read models (ColumnFilter, Condition, TimeRange, ReadOptions) are
// shared with the emulator, in model.h.

// Appends the serialized protobuf Filter (what GetRow/GetRange/BatchGetRow `filter` and
// Condition.column_condition carry) to *out. InvalidArgument for a malformed tree (a NOT without
// exactly one child, an AND/OR with fewer than two, an empty column name, an INF/AUTO_INCREMENT
// value).
Status EncodeFilter(const ColumnFilter& filter, std::string* out);

// ---------------------------------------------------------------------------------------------
// Single-row operations.

struct GetRowRequest {
  std::string table;
  std::vector<Cell> primary_key;  // values only; schema order
  ReadOptions read;
};

class GetRowResult {
 public:
  GetRowResult() = default;
  GetRowResult(const GetRowResult&) = delete;
  GetRowResult& operator=(const GetRowResult&) = delete;

  bool found = false;
  Row row;  // views into buffer_
  CapacityUnits consumed;

 private:
  friend class Client;
  std::string buffer_;
};

struct WriteRowRequest {
  std::string table;
  // As RowWrite::row (model.h) for the call: PutRow, UpdateRow or DeleteRow.
  const Row* row = nullptr;
  Condition condition;
  ReturnContent return_content;
};

class WriteRowResult {
 public:
  WriteRowResult() = default;
  WriteRowResult(const WriteRowResult&) = delete;
  WriteRowResult& operator=(const WriteRowResult&) = delete;

  CapacityUnits consumed;
  bool has_row = false;
  Row row;  // return_content.type != kNone: views into buffer_

 private:
  friend class Client;
  std::string buffer_;
};

// ---------------------------------------------------------------------------------------------
// GetRange.

struct GetRangeRequest {
  std::string table;
  Direction direction = Direction::kForward;
  // All primary-key columns in schema order; INF_MIN / INF_MAX allowed. Backward: start > end.
  std::vector<Cell> inclusive_start;
  std::vector<Cell> exclusive_end;
  // If non-empty, used instead of inclusive_start: an encoded PlainBuffer key as a previous page's
  // next_start_primary_key_encoded() returned it (no decode/re-encode when resuming a scan).
  std::string encoded_start;
  ReadOptions read;
  int32_t limit = 0;  // rows per page; 0 = the service's (5000 rows / 4 MiB)
};

class GetRangeResult {
 public:
  GetRangeResult() = default;
  GetRangeResult(const GetRangeResult&) = delete;
  GetRangeResult& operator=(const GetRangeResult&) = delete;

  // This page's rows (views into the response buffer); reused across pages, so the Row objects
  // keep the capacity of their cell vectors.
  std::vector<Row> rows;
  // The inclusive start of the next page; empty primary_key = the range is done.
  Row next_start;
  CapacityUnits consumed;
  // Response body bytes of this page (rows + framing).
  size_t response_bytes = 0;

  bool done() const { return next_start.primary_key.empty(); }
  // The raw PlainBuffer of next_start (for GetRangeRequest::encoded_start).
  std::string_view next_start_primary_key_encoded() const { return next_start_encoded_; }

 private:
  friend class Client;
  std::string buffer_;  // the response body; rows and next_start view into it
  std::string_view next_start_encoded_;
};

// ---------------------------------------------------------------------------------------------
// Batches.

struct BatchGetTable {
  std::string table;
  std::vector<Row> primary_keys;  // primary_key cells only; at most 100 rows per request in all
  ReadOptions read;
};

struct BatchGetRowRequest {
  std::vector<BatchGetTable> tables;
};

// A row of a batch answer: is_ok, or the row's own error (HTTP 200 with is_ok=false).
struct BatchRowResult {
  bool ok = false;
  std::string error_code;
  std::string error_message;
  CapacityUnits consumed;
  bool has_row = false;  // BatchGetRow: the row exists; BatchWriteRow: return content present
  Row row;               // views into the result's storage
};

struct BatchTableResult {
  std::string table;
  std::vector<BatchRowResult> rows;  // request order
};

class BatchResult {
 public:
  BatchResult() = default;
  BatchResult(const BatchResult&) = delete;
  BatchResult& operator=(const BatchResult&) = delete;

  std::vector<BatchTableResult> tables;  // request order
  CapacityUnits consumed;                // sum over rows
  size_t failed_rows = 0;
  // HTTP requests the call sent, the client's own retries included (set on failure too), so
  // that callers can report the retries that happened.
  int attempts = 0;

 private:
  friend class Client;
  std::deque<std::string> storage_;  // deque: appending never moves earlier buffers
};

// A BatchWriteRow item is the shared RowWrite (model.h); this name stays for the callers that
// spell it as the batch call's item.
using BatchWriteRowItem = RowWrite;

struct BatchWriteRowRequest {
  std::vector<BatchWriteTable> tables;  // at most 200 rows and 4 MiB of rows in all
};

// A BatchWriteRow row whose row_change is already PlainBuffer (EncodeRow's bytes, or
// RowFieldWriter's): export encodes each row once and the request body takes the bytes as they
// are. No return content.
struct EncodedRowWrite {
  WriteType type = WriteType::kPut;
  std::string_view row_change;
  const Condition* condition = nullptr;  // null: IGNORE
};

// Replaces *body with the serialized BatchWriteRowRequest of one table: the bytes protobuf
// writes for the same request made of RowWrites (tests compare the two), written directly.
Status EncodeBatchWriteRowBody(std::string_view table, std::span<const EncodedRowWrite> rows,
                               std::string* body);

// A request body serialized ahead of the call, with its x-ots-contentmd5 (Base64 of its MD5):
// export builds and hashes the bodies of several requests together (core/md5_lanes.h).
struct PreparedBody {
  std::string body;
  std::string content_md5;
};

// ---------------------------------------------------------------------------------------------
// ComputeSplitPointsBySize.

struct ComputeSplitsRequest {
  std::string table;
  int64_t split_size = 256;               // in units of split_size_unit_bytes
  int64_t split_size_unit_bytes = 1 << 20;  // decisions 4: 1 MiB units, 256 MiB target
};

// One split: [start, end), all primary-key columns, padded with INF_MIN / INF_MAX (wire doc A.3).
struct KeyRange {
  std::vector<Cell> start;
  std::vector<Cell> end;
  std::string location;  // a hint; may be empty
};

class ComputeSplitsResult {
 public:
  ComputeSplitsResult() = default;
  ComputeSplitsResult(const ComputeSplitsResult&) = delete;
  ComputeSplitsResult& operator=(const ComputeSplitsResult&) = delete;

  std::vector<PrimaryKeyColumn> schema;
  std::vector<Row> split_points;  // as returned: ascending, trailing INF_MIN cells omitted
  std::vector<KeyRange> splits;   // split_points.size() + 1 ranges covering the whole key space
  CapacityUnits consumed;

 private:
  friend class Client;
  std::deque<std::string> storage_;
};

// ---------------------------------------------------------------------------------------------
// The client.

struct ClientOptions {
  std::string endpoint;  // "https://INSTANCE.REGION.ots.aliyuncs.com", "http://127.0.0.1:8800"
  // The instance; empty = the one in the endpoint's host name (InvalidArgument if there is none).
  std::string instance;
  Credentials credentials;
  // When set, every request takes its credentials from here (renewing STS credentials, sts.h)
  // and `credentials` are only the first ones.
  std::shared_ptr<CredentialsSource> credentials_source;
  HttpTransportOptions http;
  RetryOptions retry;
  // Compare the x-ots-contentmd5 of 2xx answers (when present) with the body's MD5. A mismatch
  // is Unavailable, retried like a network error. Off by default: it cost about a quarter of
  // import's client CPU, the Java SDK leaves it off by default and the Node and Go SDKs never
  // check it, and every cell and row of a GetRange page carries a PlainBuffer CRC-8 that the
  // decoder still verifies (a damaged cell fails the page). Tests turn it on.
  bool verify_response_md5 = false;
  // Check the `authorization` header of 2xx answers that carry one (wire doc A.2, as the Java and
  // Python SDKs do): proves the answer came from someone holding our secret. A mismatch is
  // PermissionDenied. Answers without the header (the Node SDK never looks) are accepted.
  bool verify_response_signature = true;
  std::string user_agent = "tsbridge/0.1";
  RetryEnv* retry_env = nullptr;  // tests: an injected clock; null = the real one
};

// Counters for the job summary; monotonically increasing over the client's life.
struct ClientStats {
  uint64_t requests = 0;  // attempts, retries included
  uint64_t retries = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  int64_t read_cu = 0;
  int64_t write_cu = 0;
};

class Client {
 public:
  // Builds a client over a libcurl transport for options.endpoint.
  static Result<std::unique_ptr<Client>> Create(ClientOptions options);
  // Same, over a given transport (tests).
  static Result<std::unique_ptr<Client>> Create(ClientOptions options,
                                                std::unique_ptr<HttpTransport> transport);

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client();

  const std::string& instance() const { return instance_; }
  const std::string& endpoint() const { return endpoint_; }
  // Replaces the credentials for later calls (e.g. a refreshed STS token). Thread-safe.
  void SetCredentials(Credentials credentials);
  ClientStats stats() const;

  // Tables.
  Status CreateTable(const CreateTableRequest& request);
  Result<std::vector<std::string>> ListTable();
  Result<TableDescription> DescribeTable(std::string_view table);
  Result<UpdateTableResult> UpdateTable(const UpdateTableRequest& request);
  Status DeleteTable(std::string_view table);

  // Rows.
  Status GetRow(const GetRowRequest& request, GetRowResult* result);
  Status PutRow(const WriteRowRequest& request, WriteRowResult* result);
  Status UpdateRow(const WriteRowRequest& request, WriteRowResult* result);
  Status DeleteRow(const WriteRowRequest& request, WriteRowResult* result);

  // One page of a range (see wire doc C.1: a page may hold zero rows and still not be the last).
  Status GetRange(const GetRangeRequest& request, GetRangeResult* result);
  // Pages through the whole range, calling on_page after each page (also pages with zero rows);
  // stops at the first error, from a call or from on_page. request.limit stays the page size;
  // max_rows > 0 caps the total (the last page asks only for what is left).
  Status GetRangeAll(const GetRangeRequest& request,
                     const std::function<Status(const GetRangeResult& page)>& on_page,
                     int64_t max_rows = 0);

  Status BatchGetRow(const BatchGetRowRequest& request, BatchResult* result);
  // HTTP 200 with per-row results: a row refused by the service has ok=false and its code; the
  // call's Status fails only when the whole request is refused (too many rows, > 4 MiB, duplicate
  // rows, a missing table, ...). Rows that failed with a retriable code (retry.h
  // ClassifyRowError) are for the caller to resend.
  Status BatchWriteRow(const BatchWriteRowRequest& request, BatchResult* result);
  // BatchWriteRow of one table's pre-encoded rows (the export's hot path); the same answers.
  // `prepared`, when given, is EncodeBatchWriteRowBody(table, rows) and its MD5, sent as it is.
  Status BatchWriteRowEncoded(std::string_view table, std::span<const EncodedRowWrite> rows,
                              BatchResult* result, const PreparedBody* prepared = nullptr);

  Status ComputeSplitPointsBySize(const ComputeSplitsRequest& request,
                                  ComputeSplitsResult* result);

 private:
  Client(ClientOptions options, std::string instance, std::unique_ptr<HttpTransport> transport);

  // Sends `body` to /operation with retries; on success *response holds the 2xx answer.
  // *attempts (when given) receives the number of requests sent.
  // `content_md5`, when not empty, is the body's x-ots-contentmd5, computed by the caller.
  Status Call(std::string_view operation, std::string_view body, HttpResponse* response,
              int* attempts = nullptr, std::string_view content_md5 = {});
  Status CallOnce(std::string_view operation, std::string_view body, std::string_view content_md5,
                  std::chrono::milliseconds timeout, HttpResponse* response);
  void AddConsumed(const CapacityUnits& cu);
  std::shared_ptr<const Credentials> credentials() const;

  const ClientOptions options_;
  const std::string instance_;
  const std::string endpoint_;
  std::unique_ptr<HttpTransport> transport_;

  mutable std::mutex credentials_mu_;
  std::shared_ptr<const Credentials> credentials_;  // guarded by credentials_mu_

  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> retries_{0};
  std::atomic<int64_t> read_cu_{0};
  std::atomic<int64_t> write_cu_{0};
};

}  // namespace tsb::ots
