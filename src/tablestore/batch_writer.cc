#include "tablestore/batch_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/hash.h"
#include "tablestore/plainbuffer.h"

namespace tsb::ots {

namespace {

// Failures that no retry or split can fix and that concern every row: the job stops.
bool EndsJob(const Status& s) {
  if (s.code() == StatusCode::kPermissionDenied || s.code() == StatusCode::kCancelled) return true;
  if (s.ots_code() == "OTSObjectNotExist") return true;
  // No answer from the service (network, a 5xx without an OTS body): nothing says which rows
  // are wrong, so rejecting them would only hide an outage.
  return s.ots_code().empty();
}

// A row written with EXPECT_NOT_EXIST whose condition failing is a real failure (--if-absent): a
// second copy of it would be refused by the row the first one created, so when the first one's
// outcome is unknown the row is read back instead of sent again blindly.
bool NeedsReadBack(const WriteItem& item) {
  return item.condition.row_existence == RowExistence::kExpectNotExist &&
         !item.condition_failure_is_success;
}

bool SameValue(const Value& a, const Value& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case ValueType::kInteger:
      return a.i == b.i;
    // Bit for bit: a NaN we wrote reads back as the same NaN.
    case ValueType::kDouble:
      return std::memcmp(&a.d, &b.d, sizeof a.d) == 0;
    case ValueType::kBoolean:
      return a.b == b.b;
    case ValueType::kString:
    case ValueType::kBinary:
      return a.bytes == b.bytes;
    default:
      return true;
  }
}

// Whether `stored` (read back, latest versions) holds exactly the attributes `item` puts.
bool HoldsExactly(const Row& stored, WriteItem& item) {
  size_t puts = 0;
  for (const Cell& mine : item.row().attributes) {
    if (mine.op != CellOp::kPut || !mine.value) continue;
    ++puts;
    auto it = std::find_if(stored.attributes.begin(), stored.attributes.end(),
                           [&](const Cell& c) { return c.name == mine.name; });
    if (it == stored.attributes.end() || !it->value || !SameValue(*it->value, *mine.value)) {
      return false;
    }
  }
  return puts == stored.attributes.size();
}

// Routes a row to a writer thread (modulo the writers) and finds repeated keys in a request.
// Nothing outside the process depends on it (the --shard shares use KeyShardOf), so it takes the
// key eight bytes at a time rather than FNV-1a's one, and ends with fmix64 so that every bit of
// the key reaches the low bits that pick the writer.
uint64_t KeyHash(std::string_view key) {
  uint64_t h = kFnv1aOffset ^ key.size();
  const char* p = key.data();
  size_t n = key.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0x9E3779B97F4A7C15ull;
  }
  return Fmix64(h);
}

}  // namespace

void WriteItem::SetRow(const Row& row) {
  encoded.clear();
  EncodeRow(row, &encoded);
  // The key cells follow the header and the 01 tag (plainbuffer.cc's grammar).
  size_t key_size = 0;
  for (const Cell& c : row.primary_key) {
    key_size += RowFieldWriter::CellSize(c.name, c.value ? &*c.value : nullptr, c.op);
  }
  SetKey(5, 5 + key_size);
  decoded_ = false;
}

void WriteItem::SetKey(size_t begin, size_t end) {
  key_begin = static_cast<uint32_t>(begin);
  key_end = static_cast<uint32_t>(end);
  key_hash = KeyHash(key());
  encoded_size = static_cast<uint32_t>(encoded.size());
}

const Row& WriteItem::row() {
  if (!decoded_) {
    // Our own encoding: it cannot fail to decode, and if it did the row would read as empty.
    if (!DecodeRow(encoded, &row_).ok()) row_.clear();
    decoded_ = true;
  }
  return row_;
}

int64_t TableWriter::ThrottledRows(const Status& s, size_t rows) const {
  // A request the client had to send again was refused first, and a write is repeated there only
  // for the codes that ask us to slow down (or a row conflict, rare enough to count alike).
  if (!s.ok() ? ClassifyStatus(s, /*idempotent=*/false) == RetryKind::kThrottled
              : result_.attempts > 1) {
    return static_cast<int64_t>(rows);
  }
  if (!s.ok() || result_.tables.size() != 1) return 0;
  int64_t n = 0;
  for (const BatchRowResult& r : result_.tables[0].rows) {
    if (!r.ok && ClassifyRowError(r.error_code, r.error_message) == RetryKind::kThrottled) ++n;
  }
  return n;
}

RequestPacker::RequestPacker(int max_rows, int64_t max_bytes, Emit emit)
    : max_rows_(max_rows), max_bytes_(max_bytes), emit_(std::move(emit)) {
  // Twice the rows a generation holds, rounded up to a power of two: probes stay short.
  size_t slots = 16;
  while (slots < 2 * static_cast<size_t>(std::max(max_rows_, 1))) slots *= 2;
  for (Generation& g : gens_) {
    g.items.reserve(static_cast<size_t>(max_rows_));
    g.slots.assign(slots, nullptr);
  }
}

namespace {
// The slot a hash starts probing at: its high half, since the low bits pick the writer thread
// (key_hash % writers) and are alike for every row of one writer.
size_t HomeSlot(uint64_t key_hash, size_t slots) {
  return static_cast<size_t>(key_hash >> 32) & (slots - 1);
}
}  // namespace

bool RequestPacker::Generation::HasKey(const WriteItem& item) const {
  const size_t mask = slots.size() - 1;
  for (size_t i = HomeSlot(item.key_hash, slots.size()); slots[i] != nullptr; i = (i + 1) & mask) {
    if (slots[i]->key_hash == item.key_hash && slots[i]->key() == item.key()) return true;
  }
  return false;
}

void RequestPacker::Generation::Add(WriteItem* item, int64_t size) {
  items.push_back(item);
  bytes += size;
  const size_t mask = slots.size() - 1;
  size_t i = HomeSlot(item->key_hash, slots.size());
  while (slots[i] != nullptr) i = (i + 1) & mask;
  slots[i] = item;
}

void RequestPacker::Generation::Clear() {
  items.clear();
  bytes = 0;
  std::fill(slots.begin(), slots.end(), nullptr);
}

Status RequestPacker::Add(WriteItem* item) {
  const int64_t size = static_cast<int64_t>(item->encoded_size);
  for (;;) {
    // The first generation after every one that holds the key: a repeated key waits for the
    // request with its earlier row, other keys keep filling the current request.
    size_t target = 0;
    for (size_t g = kGenerations; g > 0; --g) {
      if (gens_[g - 1].HasKey(*item)) {
        target = g;
        break;
      }
    }
    if (target < kGenerations) {
      Generation& g = gens_[target];
      if (static_cast<int>(g.items.size()) < max_rows_ && g.bytes + size <= max_bytes_) {
        g.Add(item, size);
        return Status::OK();
      }
    }
    TSB_RETURN_IF_ERROR(EmitFirst());
  }
}

Status RequestPacker::EmitFirst() {
  std::vector<WriteItem*> items = gens_[0].items;
  gens_[0].Clear();
  // The emptied generation goes last, with its buffers.
  for (size_t g = 0; g + 1 < kGenerations; ++g) std::swap(gens_[g], gens_[g + 1]);
  if (items.empty()) return Status::OK();
  return emit_(std::move(items));
}

Status RequestPacker::Flush() {
  for (size_t g = 0; g < kGenerations; ++g) TSB_RETURN_IF_ERROR(EmitFirst());
  return Status::OK();
}

bool RequestPacker::empty() const {
  for (const Generation& g : gens_) {
    if (!g.items.empty()) return false;
  }
  return true;
}

TableWriter::TableWriter(Client* client, TableWriterOptions options, OnWritten on_written,
                         OnRejected on_rejected)
    : client_(client),
      options_(std::move(options)),
      on_written_(std::move(on_written)),
      on_rejected_(std::move(on_rejected)),
      env_(options_.retry_env != nullptr ? options_.retry_env : RetryEnv::System()),
      packer_(options_.max_rows, options_.max_bytes,
              [this](std::vector<WriteItem*> items) { return Send(std::move(items)); }) {
  read_request_.tables.resize(1);
  read_request_.tables[0].table = options_.table;
  read_request_.tables[0].read.max_versions = 1;
}

Status TableWriter::RejectTooLarge(WriteItem* item) {
  ++stats_.rows_rejected;
  return on_rejected_(item, "TSB_TOO_LARGE",
                      "the row encodes to " + std::to_string(item->encoded_size) +
                          " bytes, more than a BatchWriteRow request may carry (" +
                          std::to_string(options_.max_bytes) + ")");
}

Status TableWriter::Add(WriteItem* item) {
  if (static_cast<int64_t>(item->encoded_size) > options_.max_bytes) return RejectTooLarge(item);
  return packer_.Add(item);
}

Status TableWriter::Flush() { return packer_.Flush(); }

Status TableWriter::SendRequest(std::vector<WriteItem*> items, const PreparedBody* prepared) {
  size_t kept = 0;
  for (WriteItem* item : items) {
    if (static_cast<int64_t>(item->encoded_size) > options_.max_bytes) {
      TSB_RETURN_IF_ERROR(RejectTooLarge(item));
    } else {
      items[kept++] = item;
    }
  }
  // A refused row is not in the body that was prepared for all of them.
  if (kept != items.size()) prepared = nullptr;
  items.resize(kept);
  if (items.empty()) return Status::OK();
  return Send(std::move(items), prepared);
}

Status TableWriter::RejectAll(const std::vector<WriteItem*>& items, std::string_view code,
                              std::string_view message) {
  for (WriteItem* item : items) {
    ++stats_.rows_rejected;
    TSB_RETURN_IF_ERROR(on_rejected_(item, code, message));
  }
  return Status::OK();
}

Status TableWriter::ReadBack(std::vector<WriteItem*>* items) {
  std::vector<WriteItem*> resend;
  std::vector<WriteItem*> written;
  // A failed read-back or a reject that could not be recorded ends the job, after the acks of
  // the rows found before it.
  Status failure;
  constexpr size_t kMaxKeys = 100;  // BatchGetRow's limit per request
  for (size_t at = 0; at < items->size(); at += kMaxKeys) {
    const size_t n = std::min(kMaxKeys, items->size() - at);
    std::vector<Row>& keys = read_request_.tables[0].primary_keys;
    keys.resize(n);
    for (size_t i = 0; i < n; ++i) {
      keys[i].clear();
      keys[i].primary_key = (*items)[at + i]->row().primary_key;
    }
    Status s = client_->BatchGetRow(read_request_, &read_result_);
    if (!s.ok()) {
      failure = s.WithContext("reading back rows whose write went unanswered");
      break;
    }
    if (read_result_.tables.size() != 1 || read_result_.tables[0].rows.size() != n) {
      failure = Status::Internal("BatchGetRow: the answer does not match the request");
      break;
    }
    stats_.rows_read_back += static_cast<int64_t>(n);
    for (size_t i = 0; i < n; ++i) {
      WriteItem* item = (*items)[at + i];
      const BatchRowResult& r = read_result_.tables[0].rows[i];
      if (!r.ok || !r.has_row) {
        // Absent (or not readable now): our write did not happen, so it is sent again; if it
        // did happen after all, the condition refuses the copy and says so.
        resend.push_back(item);
      } else if (HoldsExactly(r.row, *item)) {
        written.push_back(item);
      } else {
        ++stats_.rows_rejected;
        failure = on_rejected_(item, "OTSConditionCheckFail",
                               "the row already exists with other values (read back after a "
                               "write whose answer never came)");
        if (!failure.ok()) break;
      }
    }
    if (!failure.ok()) break;
  }
  stats_.rows_written += static_cast<int64_t>(written.size());
  if (!written.empty()) on_written_(written);
  TSB_RETURN_IF_ERROR(failure);
  items->swap(resend);
  return Status::OK();
}

Status TableWriter::ResolveUnknown(std::vector<WriteItem*>* pending) {
  std::vector<WriteItem*> check;
  std::vector<WriteItem*> keep;
  for (WriteItem* item : *pending) (NeedsReadBack(*item) ? check : keep).push_back(item);
  if (check.empty()) return Status::OK();
  TSB_RETURN_IF_ERROR(ReadBack(&check));
  keep.insert(keep.end(), check.begin(), check.end());
  pending->swap(keep);
  return Status::OK();
}

Status TableWriter::Send(std::vector<WriteItem*> pending, const PreparedBody* prepared) {
  RetryState retry(options_.retry, env_);
  const auto first_sent = env_->Now();  // the paced retries' deadline runs from here
  std::vector<WriteItem*> again;
  std::vector<std::pair<std::string, std::string>> last_error;  // parallel to `again`
  while (!pending.empty()) {
    std::vector<EncodedRowWrite>& rows = rows_;
    rows.resize(pending.size());
    int64_t bytes = 0;
    int64_t cu = 0;
    for (size_t i = 0; i < pending.size(); ++i) {
      cu += std::max<int64_t>(
          1, (static_cast<int64_t>(pending[i]->encoded_size) + kCapacityUnitBytes - 1) /
                 kCapacityUnitBytes);
      rows[i].type = pending[i]->type;
      rows[i].row_change = pending[i]->encoded;
      rows[i].condition = &pending[i]->condition;
      bytes += static_cast<int64_t>(pending[i]->encoded_size);
    }
    if (options_.throttle) options_.throttle(static_cast<int64_t>(pending.size()), cu);
    stats_.max_request_rows = std::max<int64_t>(stats_.max_request_rows, pending.size());
    stats_.max_request_bytes = std::max(stats_.max_request_bytes, bytes);
    const auto sent =
        options_.window ? options_.window->Acquire() : std::chrono::steady_clock::time_point{};
    if (prepared != nullptr) ++stats_.requests_prepared;
    Status s = client_->BatchWriteRowEncoded(options_.table, rows, &result_, prepared);
    prepared = nullptr;  // what is sent again is a part of the request, or a copy after a wait
    if (options_.window) options_.window->Release(sent, ThrottledRows(s, pending.size()));
    // Every request sent counts, the client's own retries (throttling, refusals) included.
    stats_.requests += result_.attempts;
    stats_.requests_failed += result_.attempts - (s.ok() ? 1 : 0);

    if (!s.ok()) {
      // The client has already retried what retry.h retries for any operation (throttling,
      // conflicts) up to its own budget: retrying those again would multiply the budgets. What
      // it leaves to us are the failures it does not repeat for writes (a timeout, an internal
      // error, a lost connection, an answer that never came): update and put rows carry
      // absolute values, so sending them again is safe whether or not the first attempt was
      // applied; --if-absent rows are read back first (ResolveUnknown).
      const bool client_retried = ClassifyStatus(s, /*idempotent=*/false) != RetryKind::kNone;
      RetryKind kind = client_retried ? RetryKind::kNone : ClassifyStatus(s, /*idempotent=*/true);
      if (kind != RetryKind::kNone) {
        spdlog::debug("BatchWriteRow of {} rows failed ({}); retrying", pending.size(),
                      s.ToString());
        if (retry.ShouldRetry(kind)) {
          ++stats_.requests_retried;
          if (OutcomeUnknown(s)) TSB_RETURN_IF_ERROR(ResolveUnknown(&pending));
          continue;
        }
      }
      if (options_.retry.cancelled && options_.retry.cancelled()) {
        return Status::Cancelled("stopped by a signal");
      }
      if (client_retried || kind != RetryKind::kNone) {
        if (EndsJob(s)) return s;
        return RejectAll(pending, s.ots_code(), s.message());
      }
      if (EndsJob(s)) return s;
      if (pending.size() == 1) return RejectAll(pending, s.ots_code(), s.message());
      // A permanent refusal of the whole request: find the rows it is about by halving.
      spdlog::debug("BatchWriteRow of {} rows refused ({}); splitting", pending.size(),
                    s.ToString());
      size_t half = pending.size() / 2;
      std::vector<WriteItem*> second(pending.begin() + static_cast<std::ptrdiff_t>(half),
                                     pending.end());
      pending.resize(half);
      TSB_RETURN_IF_ERROR(Send(std::move(pending)));
      return Send(std::move(second));
    }

    if (result_.tables.size() != 1 || result_.tables[0].rows.size() != pending.size()) {
      return Status::Internal("BatchWriteRow: the answer does not match the request");
    }
    again.clear();
    last_error.clear();
    std::vector<WriteItem*> unknown;  // --if-absent rows whose outcome the service left open
    std::vector<std::pair<std::string, std::string>> unknown_error;
    RetryKind worst = RetryKind::kNone;
    const std::vector<BatchRowResult>& results = result_.tables[0].rows;
    written_.clear();
    Status rejected;  // a reject that could not be recorded ends the job, after the acks
    for (size_t i = 0; i < pending.size(); ++i) {
      const BatchRowResult& r = results[i];
      WriteItem* item = pending[i];
      if (r.ok || (item->condition_failure_is_success && r.error_code == "OTSConditionCheckFail")) {
        written_.push_back(item);
        continue;
      }
      // A row that timed out may have been applied; sending an update or put again is harmless.
      RetryKind kind = ClassifyRowError(r.error_code, r.error_message, /*idempotent=*/true);
      if (kind == RetryKind::kNone) {
        ++stats_.rows_rejected;
        rejected = on_rejected_(item, r.error_code, r.error_message);
        if (!rejected.ok()) break;
        continue;
      }
      if (kind == RetryKind::kThrottled || worst == RetryKind::kNone) worst = kind;
      if (RowOutcomeUnknown(r.error_code) && NeedsReadBack(*item)) {
        unknown.push_back(item);
        unknown_error.emplace_back(r.error_code, r.error_message);
      } else {
        again.push_back(item);
        last_error.emplace_back(r.error_code, r.error_message);
      }
    }
    stats_.rows_written += static_cast<int64_t>(written_.size());
    if (!written_.empty()) on_written_(written_);
    TSB_RETURN_IF_ERROR(rejected);
    if (again.empty() && unknown.empty()) return Status::OK();
    // The window paces throttled rows (Acquire above); the deadline still ends their retries.
    const bool paced = options_.window && worst == RetryKind::kThrottled &&
                       !(options_.retry.cancelled && options_.retry.cancelled()) &&
                       env_->Now() < first_sent + options_.retry.total_deadline;
    if (!paced && !retry.ShouldRetry(worst)) {
      if (options_.retry.cancelled && options_.retry.cancelled()) {
        return Status::Cancelled("stopped by a signal");
      }
      again.insert(again.end(), unknown.begin(), unknown.end());
      last_error.insert(last_error.end(), unknown_error.begin(), unknown_error.end());
      for (size_t i = 0; i < again.size(); ++i) {
        ++stats_.rows_rejected;
        TSB_RETURN_IF_ERROR(on_rejected_(
            again[i], last_error[i].first,
            last_error[i].second + " (after " + std::to_string(retry.attempts()) + " attempts)"));
      }
      return Status::OK();
    }
    if (!unknown.empty()) {
      TSB_RETURN_IF_ERROR(ReadBack(&unknown));
      again.insert(again.end(), unknown.begin(), unknown.end());
      if (again.empty()) return Status::OK();
    }
    stats_.row_retries += static_cast<int64_t>(again.size());
    pending.swap(again);
  }
  return Status::OK();
}

}  // namespace tsb::ots
