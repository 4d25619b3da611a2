#include "tablestore/table_batch_writer.h"

#include <algorithm>
#include <condition_variable>
#include <deque>

#include "core/crypto.h"
#include "core/hash.h"
#include "core/md5_lanes.h"
#include "tablestore/core_bridge.h"
#include "tablestore/crc8.h"
#include "tablestore/plainbuffer.h"
#include "tablestore/write_router.h"
#include "tsbridge/convert.h"
#include "tsbridge/tablestore/limits.h"

namespace tsb::ots {

int KeyShardOf(std::string_view encoded_partition_key, int shards) {
  return static_cast<int>(Fmix64(Fnv1a(encoded_partition_key)) % static_cast<uint64_t>(shards));
}

// ---------------------------------------------------------------------------------------------
// Batch rows -> WriteItems.

EncodeOutcome RowEncoder::Encode(const RowBatch& batch, size_t r, WriteItem* item,
                                 std::string* code, std::string* message) {
  item->Reset();
  pending_.clear();
  text_.clear();
  const size_t num_keys = mapping_->keys.size();
  if (name_crcs_.size() != num_keys + mapping_->attributes.size()) {
    name_crcs_.clear();
    for (const auto& p : mapping_->keys) name_crcs_.push_back(Crc8(0, p.ots_name));
    for (const auto& p : mapping_->attributes) name_crcs_.push_back(Crc8(0, p.ots_name));
  }
  size_t key_size = 0;
  size_t attribute_size = 0;
  size_t k = 0;
  for (const TableColumnMapping::Column& p : mapping_->keys) {
    const tsb::Column& column = batch.column(static_cast<size_t>(p.input));
    if (column.IsNull(r)) {
      *code = "TSB_NULL_KEY";
      *message = "column \"" + p.name + "\" (primary key " + p.ots_name +
                 ") is NULL; a primary key needs a value";
      return EncodeOutcome::kReject;
    }
    if (!Add(p, name_crcs_[k++], column, r, /*key=*/true, &key_size, code, message)) {
      return EncodeOutcome::kReject;
    }
  }
  if (options_.shard_count > 0) {
    // decisions 4 and 11: the partition key's value encoded as a filter's column_value.
    shard_scratch_.clear();
    EncodeColumnValue(ValueOf(pending_[0]), &shard_scratch_);
    if (KeyShardOf(shard_scratch_, options_.shard_count) != options_.shard_index - 1) {
      return EncodeOutcome::kSkip;
    }
  }
  for (const TableColumnMapping::Column& p : mapping_->attributes) {
    const uint8_t name_crc = name_crcs_[k++];
    const tsb::Column& column = batch.column(static_cast<size_t>(p.input));
    if (column.IsNull(r)) {
      if (options_.nulls_delete && !options_.put_mode) {
        Pending& d = pending_.emplace_back();
        d.name = &p.ots_name;
        d.name_crc = name_crc;
        d.key = false;
        d.delete_all = true;
        attribute_size += RowFieldWriter::CellSize(p.ots_name, nullptr, CellOp::kDeleteAllVersions);
      }
      continue;
    }
    if (!Add(p, name_crc, column, r, /*key=*/false, &attribute_size, code, message)) {
      return EncodeOutcome::kReject;
    }
  }

  // The size is known before a byte is written: a row over the request limit is never encoded.
  const size_t size = RowFieldWriter::FieldSize(key_size, attribute_size);
  if (static_cast<int64_t>(size) > kBatchWriteMaxBytes) {
    *code = "TSB_TOO_LARGE";
    *message = "the row encodes to " + std::to_string(size) +
               " bytes; a write request carries at most " + std::to_string(kBatchWriteMaxBytes);
    return EncodeOutcome::kReject;
  }
  RowFieldWriter w(&item->encoded, key_size, attribute_size);
  size_t key_end = 0;
  bool in_attributes = false;
  for (const Pending& p : pending_) {
    if (!p.key && !in_attributes) {
      key_end = w.offset();
      w.BeginAttributes();
      in_attributes = true;
    }
    if (p.delete_all) {
      w.AddCell(*p.name, p.name_crc, nullptr, CellOp::kDeleteAllVersions);
    } else if (!p.in_text) {
      w.AddCell(*p.name, p.name_crc, &p.value);
    } else {
      const Value v = ValueOf(p);
      w.AddCell(*p.name, p.name_crc, &v);
    }
  }
  if (!in_attributes) key_end = w.offset();
  w.Finish();
  item->SetKey(kPrimaryKeyOffset, key_end);

  if (options_.put_mode) {
    item->type = WriteType::kPut;
  } else if (attribute_size == 0) {
    // Nothing to change: make the row exist without touching an existing one (see WriteItem).
    item->type = WriteType::kPut;
    item->condition.row_existence = RowExistence::kExpectNotExist;
    item->condition_failure_is_success = !options_.if_absent;
  } else {
    item->type = WriteType::kUpdate;
  }
  if (options_.if_absent) item->condition.row_existence = RowExistence::kExpectNotExist;
  return EncodeOutcome::kOk;
}

Value RowEncoder::ValueOf(const Pending& p) const {
  Value v = p.value;
  if (p.in_text) v.bytes = std::string_view(text_).substr(p.offset, p.length);
  return v;
}

// ColumnValueToOts's result for the types that need no conversion or range check, without its
// OtsValueRef and StoredType's Result per cell (tests/tablestore/write_encoding_test.cc holds
// both ways to the same bytes).
bool RowEncoder::DirectValue(const tsb::Column& column, size_t r, Value* value) {
  const DataType& type = column.type();
  if (type.is_unsigned) return false;
  switch (type.id) {
    case TypeId::kInt64:
    case TypeId::kDateTime:
    case TypeId::kTimestamp:
      *value = Value::Integer(column.GetInt(r));
      return true;
    case TypeId::kFloat:
    case TypeId::kDouble:
      *value = Value::Double(column.GetDouble(r));
      return true;
    case TypeId::kBoolean:
      *value = Value::Boolean(column.GetBool(r));
      return true;
    case TypeId::kString:
      *value = Value::String(column.GetBytes(r));
      return true;
    case TypeId::kBinary:
      *value = Value::Binary(column.GetBytes(r));
      return true;
    default:
      return false;
  }
}

bool RowEncoder::Add(const TableColumnMapping::Column& p, uint8_t name_crc,
                     const tsb::Column& column, size_t r, bool key, size_t* cells_size,
                     std::string* code, std::string* message) {
  Pending& out = pending_.emplace_back();
  out.name = &p.ots_name;
  out.name_crc = name_crc;
  out.key = key;
  // Bytes of the batch stay put while the row is encoded; a converted value (a decimal, a date)
  // lives in scratch_, which the next value reuses, so it is kept aside.
  bool converted = false;
  if (!DirectValue(column, r, &out.value)) {
    OtsValueRef ref;
    Status s = ColumnValueToOts(column, r, &scratch_, &ref);
    if (!s.ok()) {
      pending_.pop_back();
      *code = "TSB_BAD_VALUE";
      *message = "column \"" + p.name + "\": " + s.message();
      return false;
    }
    out.value = ToWireValue(ref);
    const char* data = ref.bytes.data();
    converted =
        !ref.bytes.empty() && data >= scratch_.data() && data < scratch_.data() + scratch_.size();
  }
  if (out.value.type == ValueType::kString || out.value.type == ValueType::kBinary) {
    const size_t n = out.value.bytes.size();
    const int64_t limit = key ? kMaxPrimaryKeyValueBytes : kMaxAttributeValueBytes;
    if (static_cast<int64_t>(n) > limit) {
      pending_.pop_back();
      *code = "TSB_TOO_LARGE";
      *message = "column \"" + p.name + "\": a value of " + std::to_string(n) +
                 " bytes; Tablestore takes at most " + std::to_string(limit) +
                 (key ? " in a primary-key column" : " per cell");
      return false;
    }
    if (converted) {
      out.in_text = true;
      out.offset = text_.size();
      out.length = n;
      text_.append(out.value.bytes);
      out.value.bytes = {};
    }
  }
  *cells_size += RowFieldWriter::CellSize(p.ots_name, &out.value, CellOp::kPut) +
                 (out.in_text ? out.length : 0);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Items and queues between the caller's thread and the writer threads.

class TableBatchWriter::ItemPool {
 public:
  WriteItem* Get() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) {
      // In blocks: the items are cache-line aligned, and an aligned allocation per item cost
      // more than the item's first row.
      constexpr size_t kBlock = 64;
      all_.push_back(std::make_unique<WriteItem[]>(kBlock));
      for (size_t i = kBlock; i > 0; --i) free_.push_back(&all_.back()[i - 1]);
    }
    WriteItem* item = free_.back();
    free_.pop_back();
    return item;
  }
  void Put(WriteItem* item) { PutAll(std::span<WriteItem* const>(&item, 1)); }
  void PutAll(std::span<WriteItem* const> items) {
    // A few huge rows must not pin their memory for the rest of the job.
    for (WriteItem* item : items) {
      if (item->encoded.capacity() > (1u << 20)) std::string().swap(item->encoded);
    }
    std::lock_guard<std::mutex> lock(mu_);
    free_.insert(free_.end(), items.begin(), items.end());
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<WriteItem[]>> all_;
  std::vector<WriteItem*> free_;
};

// A request for a writer thread: its rows, and their body and its MD5 when the reading thread
// built them (null: the writer thread builds and hashes the body itself).
struct TableBatchWriter::QueuedRequest {
  std::vector<WriteItem*> items;
  std::unique_ptr<PreparedBody> prepared;
};

// A bounded queue of whole requests for one writer thread, bounded by rows and by bytes.
class TableBatchWriter::RequestQueue {
 public:
  // About five requests of 200 rows: enough to keep a writer busy while the reader decodes its
  // next batch, and few enough that the router's table of open keys stays in the core's cache.
  static constexpr size_t kMaxItems = 1024;
  static constexpr int64_t kMaxBytes = 32 << 20;

  void Push(QueuedRequest request) {
    int64_t bytes = request.prepared ? static_cast<int64_t>(request.prepared->body.size()) : 0;
    for (const WriteItem* item : request.items) bytes += static_cast<int64_t>(item->encoded_size);
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock,
                   [&] { return queue_.empty() || (items_ < kMaxItems && bytes_ < kMaxBytes); });
    items_ += request.items.size();
    bytes_ += bytes;
    queue_.push_back(std::move(request));
    not_empty_.notify_one();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  // Takes every queued request; false once closed and empty.
  bool PopAll(std::deque<QueuedRequest>* out) {
    out->clear();
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return false;
    out->swap(queue_);
    items_ = 0;
    bytes_ = 0;
    not_full_.notify_all();
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<QueuedRequest> queue_;
  size_t items_ = 0;
  int64_t bytes_ = 0;
  bool closed_ = false;
};

// ---------------------------------------------------------------------------------------------
// The writer.

TableBatchWriter::TableBatchWriter(Client* client, Options options,
                                   OnEncodeRejected on_encode_rejected,
                                   OnRowRejected on_row_rejected)
    : client_(client),
      options_(std::move(options)),
      on_encode_rejected_(std::move(on_encode_rejected)),
      on_row_rejected_(std::move(on_row_rejected)),
      counters_(options_.counters != nullptr ? options_.counters : &own_counters_),
      pool_(std::make_unique<ItemPool>()),
      encoder_(&options_.mapping, options_.rows) {
  // A request's rows are counted and acknowledged together: the job's counters and the
  // checkpoint's lock are shared by every writer thread and the progress line, so touching them
  // once per row kept their cache lines moving between cores. Each TableWriter holds its own
  // copy of the lambda, so `positions` is one buffer per writer thread.
  auto on_written = [this, positions =
                               std::vector<int64_t>()](std::span<WriteItem* const> items) mutable {
    int64_t bytes = 0;
    positions.clear();
    for (const WriteItem* item : items) {
      if (item->chunk != nullptr) item->chunk->Done();
      bytes += static_cast<int64_t>(item->encoded_size);
      positions.push_back(item->tag);
    }
    counters_->rows_written.fetch_add(static_cast<int64_t>(items.size()),
                                      std::memory_order_relaxed);
    counters_->bytes_written.fetch_add(bytes, std::memory_order_relaxed);
    if (options_.on_rows_done) options_.on_rows_done(positions);
    pool_->PutAll(items);
  };
  auto on_rejected = [this](WriteItem* item, std::string_view code, std::string_view message) {
    if (item->chunk != nullptr) item->chunk->Done();
    counters_->rows_rejected.fetch_add(1, std::memory_order_relaxed);
    Status s = on_row_rejected_(item->tag, item->row(), code, message);
    // A reject that could not be recorded is not acknowledged: the job fails on it.
    if (s.ok() && options_.on_rows_done)
      options_.on_rows_done(std::span<const int64_t>(&item->tag, 1));
    pool_->Put(item);
    return s;
  };
  if (options_.threads == 0) {
    direct_ = std::make_unique<TableWriter>(client_, options_.writer, on_written, on_rejected);
    return;
  }
  const size_t n = static_cast<size_t>(options_.threads);
  // A chunk of the input per request: see write_router.h.
  router_ = std::make_unique<WriteRouter>(
      static_cast<uint32_t>(n), static_cast<uint32_t>(std::max(1, options_.writer.max_rows)));
  thread_stats_.resize(n);
  for (size_t w = 0; w < n; ++w) {
    queues_.push_back(std::make_unique<RequestQueue>());
    packers_.push_back(std::make_unique<RequestPacker>(options_.writer.max_rows,
                                                       options_.writer.max_bytes,
                                                       [this, w](std::vector<WriteItem*> items) {
                                                         Emit(w, std::move(items));
                                                         return Status::OK();
                                                       }));
  }
  for (size_t w = 0; w < n; ++w) {
    threads_.emplace_back([this, w, on_written, on_rejected] {
      TableWriter writer(client_, options_.writer, on_written, on_rejected);
      std::deque<QueuedRequest> requests;
      Status status;
      while (queues_[w]->PopAll(&requests)) {
        for (QueuedRequest& request : requests) {
          if (!status.ok()) {
            pool_->PutAll(request.items);  // the job is failing: drain so the reader never blocks
            continue;
          }
          status = writer.SendRequest(std::move(request.items), request.prepared.get());
        }
        if (!status.ok()) Fail(status);
      }
      if (!status.ok()) Fail(status);
      thread_stats_[w] = writer.stats();
    });
  }
}

TableBatchWriter::~TableBatchWriter() { (void)CloseThreads(); }

void TableBatchWriter::Fail(const Status& status) {
  std::lock_guard<std::mutex> lock(error_mu_);
  if (error_.ok()) error_ = status;
  failed_.store(true);
}

Status TableBatchWriter::Route(WriteItem* item) {
  const WriteRouter::Route route = router_->Next(item->key_hash);
  item->chunk = route.chunk;
  const size_t w = route.writer;
  if (static_cast<int64_t>(item->encoded_size) > options_.writer.max_bytes) {
    // Its own request, which the writer refuses without sending it (TableWriter::SendRequest).
    queues_[w]->Push(QueuedRequest{{item}, nullptr});
    return Status::OK();
  }
  return packers_[w]->Add(item);
}

void TableBatchWriter::Emit(size_t w, std::vector<WriteItem*> items) {
  group_.emplace_back(w, std::move(items));
  if (group_.size() >= static_cast<size_t>(Md5Lanes())) FlushGroup();
}

void TableBatchWriter::FlushGroup() {
  if (group_.empty()) return;
  std::vector<QueuedRequest> requests(group_.size());
  if (group_.size() == 1) {
    // Nothing to hash beside it: the writer thread builds and hashes the body as it sends it.
    requests[0].items = std::move(group_[0].second);
  } else {
    std::vector<std::string_view> bodies;
    bodies.reserve(group_.size());
    for (size_t i = 0; i < group_.size(); ++i) {
      std::vector<WriteItem*>& items = group_[i].second;
      group_rows_.resize(items.size());
      for (size_t r = 0; r < items.size(); ++r) {
        group_rows_[r].type = items[r]->type;
        group_rows_[r].row_change = items[r]->encoded;
        group_rows_[r].condition = &items[r]->condition;
      }
      auto prepared = std::make_unique<PreparedBody>();
      // A body that cannot be built here (a filter that does not encode) is the writer's to
      // build again, and to report.
      if (EncodeBatchWriteRowBody(options_.writer.table, group_rows_, &prepared->body).ok()) {
        requests[i].prepared = std::move(prepared);
      }
      requests[i].items = std::move(items);
    }
    for (const QueuedRequest& r : requests) {
      if (r.prepared) bodies.push_back(r.prepared->body);
    }
    std::vector<Md5Digest> digests(bodies.size());
    Md5Many(bodies, digests);
    size_t d = 0;
    for (QueuedRequest& r : requests) {
      if (!r.prepared) continue;
      r.prepared->content_md5 = Base64Encode(
          std::string_view(reinterpret_cast<const char*>(digests[d].data()), digests[d].size()));
      ++d;
    }
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    queues_[group_[i].first]->Push(std::move(requests[i]));
  }
  group_.clear();
}

Status TableBatchWriter::WriteRows(const RowBatch& batch, size_t begin, size_t end) {
  const auto& positions = batch.positions();
  // Each row is routed after the next one is encoded, so that its slot in the router's table is
  // loaded meanwhile (WriteRouter::Prefetch).
  WriteItem* held = nullptr;
  for (size_t r = begin; r < end; ++r) {
    ++ordinal_;
    WriteItem* item = pool_->Get();
    EncodeOutcome outcome = encoder_.Encode(batch, r, item, &code_, &message_);
    item->tag = (positions.size() > r ? positions[r] : ordinal_) + options_.position_offset;
    if (outcome != EncodeOutcome::kOk) {
      const int64_t position = item->tag;
      pool_->Put(item);
      if (outcome == EncodeOutcome::kSkip) {
        ++rows_skipped_;
      } else {
        TSB_RETURN_IF_ERROR(on_encode_rejected_(batch, r, position, code_, message_));
      }
      if (options_.on_rows_done) options_.on_rows_done(std::span<const int64_t>(&position, 1));
      continue;
    }
    if (direct_) {
      TSB_RETURN_IF_ERROR(direct_->Add(item));
      continue;
    }
    router_->Prefetch(item->key_hash);
    if (held != nullptr) TSB_RETURN_IF_ERROR(Route(held));
    held = item;
  }
  if (held != nullptr) TSB_RETURN_IF_ERROR(Route(held));
  // The batch's last requests go now, whatever the size of their group: the next batch may be
  // slow to come.
  if (!direct_) FlushGroup();
  return Status::OK();
}

Status TableBatchWriter::CloseThreads() {
  if (closed_) return Status::OK();
  closed_ = true;
  if (direct_) return direct_->Flush();
  for (auto& packer : packers_) (void)packer->Flush();  // Emit never fails
  FlushGroup();
  for (auto& q : queues_) q->Close();
  for (std::thread& t : threads_) t.join();
  std::lock_guard<std::mutex> lock(error_mu_);
  return error_;
}

Status TableBatchWriter::Close() { return CloseThreads(); }

void AccumulateStats(const TableWriterStats& s, TableWriterStats* total) {
  total->requests += s.requests;
  total->requests_failed += s.requests_failed;
  total->requests_retried += s.requests_retried;
  total->requests_prepared += s.requests_prepared;
  total->row_retries += s.row_retries;
  total->rows_read_back += s.rows_read_back;
  total->rows_written += s.rows_written;
  total->rows_rejected += s.rows_rejected;
  total->max_request_rows = std::max(total->max_request_rows, s.max_request_rows);
  total->max_request_bytes = std::max(total->max_request_bytes, s.max_request_bytes);
}

TableWriterStats TableBatchWriter::stats() const {
  if (direct_) return direct_->stats();
  TableWriterStats total;
  for (const TableWriterStats& s : thread_stats_) AccumulateStats(s, &total);
  return total;
}

}  // namespace tsb::ots
