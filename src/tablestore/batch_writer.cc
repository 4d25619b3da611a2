#include "tablestore/batch_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

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

}  // namespace

TableWriter::TableWriter(Client* client, TableWriterOptions options, OnWritten on_written,
                         OnRejected on_rejected)
    : client_(client),
      options_(std::move(options)),
      on_written_(std::move(on_written)),
      on_rejected_(std::move(on_rejected)),
      env_(options_.retry_env != nullptr ? options_.retry_env : RetryEnv::System()) {
  request_.tables.resize(1);
  request_.tables[0].table = options_.table;
  for (Generation& g : gens_) g.items.reserve(static_cast<size_t>(options_.max_rows));
}

bool TableWriter::Generation::HasKey(const WriteItem& item) const {
  // At most max_rows (200) entries: a linear scan over the hashes is cheaper than a hash set.
  for (const WriteItem* other : items) {
    if (other->key_hash == item.key_hash && other->key == item.key) return true;
  }
  return false;
}

Status TableWriter::Add(WriteItem* item) {
  if (static_cast<int64_t>(item->encoded_size) > options_.max_bytes) {
    ++stats_.rows_rejected;
    return on_rejected_(item, "TSB_TOO_LARGE",
                        "the row encodes to " + std::to_string(item->encoded_size) +
                            " bytes, more than a BatchWriteRow request may carry (" +
                            std::to_string(options_.max_bytes) + ")");
  }
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
      if (static_cast<int>(g.items.size()) < options_.max_rows &&
          g.bytes + size <= options_.max_bytes) {
        g.items.push_back(item);
        g.bytes += size;
        return Status::OK();
      }
    }
    TSB_RETURN_IF_ERROR(SendFirst());
  }
}

Status TableWriter::SendFirst() {
  std::vector<WriteItem*> items;
  items.swap(gens_[0].items);
  for (size_t g = 0; g + 1 < kGenerations; ++g) {
    gens_[g].items.swap(gens_[g + 1].items);
    gens_[g].bytes = gens_[g + 1].bytes;
  }
  gens_[kGenerations - 1].bytes = 0;
  gens_[kGenerations - 1].items.reserve(static_cast<size_t>(options_.max_rows));
  if (items.empty()) return Status::OK();
  return Send(std::move(items));
}

Status TableWriter::Flush() {
  for (size_t g = 0; g < kGenerations; ++g) TSB_RETURN_IF_ERROR(SendFirst());
  return Status::OK();
}

Status TableWriter::RejectAll(const std::vector<WriteItem*>& items, std::string_view code,
                              std::string_view message) {
  for (WriteItem* item : items) {
    ++stats_.rows_rejected;
    TSB_RETURN_IF_ERROR(on_rejected_(item, code, message));
  }
  return Status::OK();
}

Status TableWriter::Send(std::vector<WriteItem*> pending) {
  RetryState retry(options_.retry, env_);
  std::vector<WriteItem*> again;
  std::vector<std::pair<std::string, std::string>> last_error;  // parallel to `again`
  while (!pending.empty()) {
    std::vector<BatchWriteRowItem>& rows = request_.tables[0].rows;
    rows.resize(pending.size());
    int64_t bytes = 0;
    int64_t cu = 0;
    for (size_t i = 0; i < pending.size(); ++i) {
      cu += std::max<int64_t>(
          1, (static_cast<int64_t>(pending[i]->encoded_size) + kCapacityUnitBytes - 1) /
                 kCapacityUnitBytes);
      rows[i].type = pending[i]->type;
      rows[i].row = &pending[i]->row;
      rows[i].condition = pending[i]->condition;
      rows[i].return_type = ReturnType::kNone;
      bytes += static_cast<int64_t>(pending[i]->encoded_size);
    }
    if (options_.throttle) options_.throttle(static_cast<int64_t>(pending.size()), cu);
    ++stats_.requests;
    stats_.max_request_rows = std::max<int64_t>(stats_.max_request_rows, pending.size());
    stats_.max_request_bytes = std::max(stats_.max_request_bytes, bytes);
    Status s = client_->BatchWriteRow(request_, &result_);

    if (!s.ok()) {
      ++stats_.requests_failed;
      // The client has already retried what retry.h retries for any operation (throttling,
      // conflicts) up to its own budget: retrying those again would multiply the budgets. What
      // it leaves to us are the failures it does not repeat for writes (a timeout, an internal
      // error, a lost connection): our writes carry absolute values, so sending one again is safe
      // whether or not the first attempt was applied.
      const bool client_retried = ClassifyStatus(s, /*idempotent=*/false) != RetryKind::kNone;
      RetryKind kind = client_retried ? RetryKind::kNone : ClassifyStatus(s, /*idempotent=*/true);
      if (kind != RetryKind::kNone) {
        spdlog::debug("BatchWriteRow of {} rows failed ({}); retrying", pending.size(),
                      s.ToString());
        if (retry.ShouldRetry(kind)) continue;
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
    RetryKind worst = RetryKind::kNone;
    const std::vector<BatchRowResult>& results = result_.tables[0].rows;
    for (size_t i = 0; i < pending.size(); ++i) {
      const BatchRowResult& r = results[i];
      WriteItem* item = pending[i];
      if (r.ok || (item->condition_failure_is_success && r.error_code == "OTSConditionCheckFail")) {
        ++stats_.rows_written;
        on_written_(item);
        continue;
      }
      RetryKind kind = ClassifyRowError(r.error_code, r.error_message);
      if (kind == RetryKind::kNone) {
        ++stats_.rows_rejected;
        TSB_RETURN_IF_ERROR(on_rejected_(item, r.error_code, r.error_message));
        continue;
      }
      if (kind == RetryKind::kThrottled || worst == RetryKind::kNone) worst = kind;
      again.push_back(item);
      last_error.emplace_back(r.error_code, r.error_message);
    }
    if (again.empty()) return Status::OK();
    if (!retry.ShouldRetry(worst)) {
      if (options_.retry.cancelled && options_.retry.cancelled()) {
        return Status::Cancelled("stopped by a signal");
      }
      for (size_t i = 0; i < again.size(); ++i) {
        ++stats_.rows_rejected;
        TSB_RETURN_IF_ERROR(on_rejected_(
            again[i], last_error[i].first,
            last_error[i].second + " (after " + std::to_string(retry.attempts()) + " attempts)"));
      }
      return Status::OK();
    }
    stats_.row_retries += static_cast<int64_t>(again.size());
    pending.swap(again);
  }
  return Status::OK();
}

}  // namespace tsb::ots
