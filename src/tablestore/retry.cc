#include "tsbridge/tablestore/retry.h"

#include <algorithm>
#include <array>
#include <random>
#include <thread>

#include "tsbridge/tablestore/http_transport.h"

namespace tsb::ots {

namespace {

constexpr std::array<std::string_view, 6> kIdempotentOperations = {
    "ListTable", "DescribeTable", "GetRow", "BatchGetRow", "GetRange", "ComputeSplitPointsBySize",
};

// Retriable for every operation: the request was refused before it changed anything.
RetryKind AnyOperationKind(std::string_view code, std::string_view message) {
  if (code == "OTSServerBusy" || code == "OTSNotEnoughCapacityUnit" ||
      code == "OTSOperationThrottled") {
    return RetryKind::kThrottled;
  }
  if (code == "OTSQuotaExhausted") {
    // The one code whose retriability depends on the message (wire doc C.2).
    // find(), not ==: a message may have gained context on its way here.
    return message.find("Too frequent table operations.") != std::string_view::npos
               ? RetryKind::kThrottled
               : RetryKind::kNone;
  }
  if (code == "OTSRowOperationConflict" || code == "OTSTableNotReady" ||
      code == "OTSPartitionUnavailable") {
    return RetryKind::kNormal;
  }
  return RetryKind::kNone;
}

class SystemEnv : public RetryEnv {
 public:
  std::chrono::steady_clock::time_point Now() override { return std::chrono::steady_clock::now(); }
  void SleepFor(std::chrono::milliseconds d) override { std::this_thread::sleep_for(d); }
  double Uniform01() override {
    thread_local std::mt19937_64 gen{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
  }
};

}  // namespace

bool IsIdempotentOperation(std::string_view operation) {
  return std::find(kIdempotentOperations.begin(), kIdempotentOperations.end(), operation) !=
         kIdempotentOperations.end();
}

RetryKind ClassifyError(std::string_view ots_code, std::string_view message, int http_status,
                        bool idempotent) {
  if (!ots_code.empty()) {
    RetryKind kind = AnyOperationKind(ots_code, message);
    if (kind != RetryKind::kNone || !idempotent) return kind;
    if (ots_code == "OTSTimeout" || ots_code == "OTSInternalServerError" ||
        ots_code == "OTSServerUnavailable") {
      return RetryKind::kNormal;
    }
    return RetryKind::kNone;
  }
  if (!idempotent) return RetryKind::kNone;
  // No OTS code: a network error (no answer) or an HTTP error from something in between.
  if (http_status == 0 || http_status == 500 || http_status == 502 || http_status == 503) {
    return RetryKind::kNormal;
  }
  return RetryKind::kNone;
}

RetryKind ClassifyStatus(const Status& status, bool idempotent) {
  if (status.ok()) return RetryKind::kNone;
  if (IsConnectFailure(status)) return RetryKind::kConnect;
  if (!status.ots_code().empty()) {
    return ClassifyError(status.ots_code(), status.message(), status.http_status(), idempotent);
  }
  // Transport failures are kUnavailable (http_status 0, or the 5xx answered without an OTS body).
  if (status.code() != StatusCode::kUnavailable) return RetryKind::kNone;
  return ClassifyError("", status.message(), status.http_status(), idempotent);
}

RetryKind ClassifyRowError(std::string_view ots_code, std::string_view message, bool idempotent) {
  RetryKind kind = AnyOperationKind(ots_code, message);
  if (kind == RetryKind::kNone && idempotent && RowOutcomeUnknown(ots_code)) {
    return RetryKind::kNormal;
  }
  return kind;
}

bool RowOutcomeUnknown(std::string_view ots_code) {
  return ots_code == "OTSTimeout" || ots_code == "OTSInternalServerError" ||
         ots_code == "OTSServerUnavailable";
}

bool IsConnectFailure(const Status& status) {
  return status.code() == StatusCode::kUnavailable && status.ots_code().empty() &&
         status.http_status() == 0 && status.message().find(kCannotConnect) != std::string::npos;
}

bool OutcomeUnknown(const Status& status) {
  if (status.ok() || IsConnectFailure(status)) return false;
  if (!status.ots_code().empty()) return RowOutcomeUnknown(status.ots_code());
  if (status.code() != StatusCode::kUnavailable) return false;
  const int http = status.http_status();
  return http == 0 || http == 500 || http == 502 || http == 503;
}

RetryEnv* RetryEnv::System() {
  static SystemEnv env;
  return &env;
}

std::chrono::milliseconds BackoffDelay(const RetryOptions& options, RetryKind kind, int retry,
                                       double u) {
  int64_t base = (kind == RetryKind::kThrottled ? options.throttle_base_delay
                  : kind == RetryKind::kConnect ? options.connect_base_delay
                                                : options.base_delay)
                     .count();
  int64_t cap = options.max_delay.count();
  int64_t limit = base;
  for (int i = 0; i < retry && limit < cap; ++i) limit *= 2;
  limit = std::min(limit, cap);
  int64_t half = limit / 2;
  u = std::clamp(u, 0.0, 1.0);
  int64_t delay = half + static_cast<int64_t>(u * static_cast<double>(limit - half));
  return std::chrono::milliseconds(std::min(delay, limit));
}

RetryState::RetryState(const RetryOptions& options, RetryEnv* env)
    : options_(options),
      env_(env ? env : RetryEnv::System()),
      start_(env_->Now()),
      attempt_start_(start_) {}

bool RetryState::ShouldRetry(const Status& status, bool idempotent) {
  return ShouldRetry(ClassifyStatus(status, idempotent));
}

bool RetryState::ShouldRetry(RetryKind kind) {
  if (kind == RetryKind::kNone) return false;
  if (attempts_ >= options_.max_attempts) return false;
  if (options_.cancelled && options_.cancelled()) return false;
  const auto now = env_->Now();
  auto deadline = start_ + options_.total_deadline;
  // Refused connections back off on their own count, so that a refusal after many throttled
  // attempts still gets its short schedule, and end at their own, much nearer, deadline.
  int retry = attempts_ - 1;
  if (kind == RetryKind::kConnect) {
    if (connect_retries_ >= options_.max_connect_retries) return false;
    // From the start of the first refused attempt: a slow refusal counts too.
    if (!first_connect_failure_) first_connect_failure_ = attempt_start_;
    deadline = std::min(deadline, *first_connect_failure_ + options_.connect_window);
    retry = connect_retries_;
  }
  std::chrono::milliseconds delay = BackoffDelay(options_, kind, retry, env_->Uniform01());
  if (now + delay >= deadline) return false;
  env_->SleepFor(delay);
  total_sleep_ += delay;
  attempt_start_ = env_->Now();
  ++attempts_;
  if (kind == RetryKind::kConnect) ++connect_retries_;
  return true;
}

std::chrono::milliseconds RetryState::RemainingTime() const {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      start_ + options_.total_deadline - env_->Now());
  return std::max(left, std::chrono::milliseconds(1));
}

}  // namespace tsb::ots
