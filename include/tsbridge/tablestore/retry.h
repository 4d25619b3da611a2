// The one place that decides whether a failed Tablestore call is tried again, and when.
//
// Policy (wire doc C.2 "Default retry policy", the SDKs' lists, made to work: Node's never fires):
//   - any operation: OTSRowOperationConflict, OTSNotEnoughCapacityUnit, OTSTableNotReady,
//     OTSPartitionUnavailable, OTSServerBusy, OTSOperationThrottled, and OTSQuotaExhausted with the
//     message "Too frequent table operations." (the same code with "Number of tables exceeded the
//     quota." is final, so here alone the message text decides);
//   - idempotent operations (reads: ListTable, DescribeTable, GetRow, BatchGetRow, GetRange,
//     ComputeSplitPointsBySize) also: OTSTimeout, OTSInternalServerError, OTSServerUnavailable,
//     network errors (no HTTP answer, a cut or stalled body), and HTTP 500/502/503 without an OTS
//     code. A write that may or may not have been applied is not repeated here; BatchWriteRow rows
//     that fail with a retriable code are retried row by row by the export layer
//     (ClassifyRowError), since an is_ok=false row was certainly not applied, and the export layer
//     also repeats whole writes whose outcome is unknown (OutcomeUnknown), reading back the rows
//     that must not be applied twice;
//   - any operation, on its own budget: a connection that could not be made (nothing listening,
//     IsConnectFailure): the request never left us, so repeating it is always safe, but a dead
//     endpoint must not cost minutes, so at most max_connect_retries retries within
//     connect_window of the first refusal.
// Backoff: retry n (0-based) waits uniform in [limit/2, limit], limit = min(base * 2^n, max_delay),
// base 500 ms for throttling codes and refused connections, else 200 ms; at most max_attempts
// attempts and never past total_deadline from the first attempt. Each attempt is re-dated and
// re-signed by the caller.
//
// Clock, sleep and randomness come from a RetryEnv so that tests check the exact schedule without
// sleeping. RetryState is per call and not thread-safe; the policy functions are pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "tsbridge/status.h"

namespace tsb::ots {

enum class RetryKind {
  kNone,       // final: return the error
  kNormal,     // transient: 200 ms base
  kThrottled,  // the service asks us to slow down: 500 ms base
  kConnect,    // the connection could not be made: 500 ms base, capped count and window
};

// True for the read operations the SDKs call repeatable (see above), by wire operation name.
bool IsIdempotentOperation(std::string_view operation);

// From an OTS error code (empty for errors without one), its message and the HTTP status (0 for a
// network error with no answer).
RetryKind ClassifyError(std::string_view ots_code, std::string_view message, int http_status,
                        bool idempotent);
// From a failed call's Status: service errors by their code; kUnavailable without an OTS code is a
// network or HTTP 5xx failure. Anything else (bad arguments, Corruption, Cancelled) is final.
RetryKind ClassifyStatus(const Status& status, bool idempotent);
// A BatchWriteRow / BatchGetRow row that came back is_ok=false: the "any operation" codes, and,
// when sending the row again is harmless (`idempotent`: a read, an update or put of absolute
// values), the codes that leave the row's outcome unknown (RowOutcomeUnknown).
RetryKind ClassifyRowError(std::string_view ots_code, std::string_view message,
                           bool idempotent = false);
// A row error after which the row may or may not have been applied: OTSTimeout,
// OTSInternalServerError, OTSServerUnavailable.
bool RowOutcomeUnknown(std::string_view ots_code);
// A failed write call that may or may not have been applied: no answer (other than a connection
// that was never made), an HTTP 5xx without an OTS code, or a RowOutcomeUnknown code.
bool OutcomeUnknown(const Status& status);
// A network failure in which no connection was made (transport: "cannot connect"), so the
// request was certainly not applied.
bool IsConnectFailure(const Status& status);

struct RetryOptions {
  // Attempts in all, the first included; 21 = the SDKs' 20 retries. 1 disables retries.
  int max_attempts = 21;
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds throttle_base_delay{500};
  std::chrono::milliseconds max_delay{3000};
  // From the first attempt (--retry-deadline); the SDKs have none. Five minutes rides out a
  // partition move, a throttling burst or a few stalled answers at the 30 s request timeout.
  std::chrono::milliseconds total_deadline{300000};
  // Refused connections (kConnect): at most this many retries, none later than connect_window
  // after the first refusal (decisions 11: "at most 3 times within about 5 s").
  int max_connect_retries = 3;
  std::chrono::milliseconds connect_base_delay{500};
  std::chrono::milliseconds connect_window{5000};
  // Polled before each retry; true stops retrying (SIGINT/SIGTERM).
  std::function<bool()> cancelled;
};

// Time and chance, injectable.
class RetryEnv {
 public:
  virtual ~RetryEnv() = default;
  virtual std::chrono::steady_clock::time_point Now() = 0;
  virtual void SleepFor(std::chrono::milliseconds d) = 0;
  virtual double Uniform01() = 0;  // uniform in [0, 1)
  // The real clock and a thread-local generator; shared, thread-safe.
  static RetryEnv* System();
};

// The wait before retry `retry` (0 = the first retry) for `u` in [0, 1).
std::chrono::milliseconds BackoffDelay(const RetryOptions& options, RetryKind kind, int retry,
                                       double u);

// One call's retry bookkeeping:
//   RetryState retry(options, env);
//   Status s;
//   do { s = Attempt(retry.RemainingTime()); } while (!s.ok() && retry.ShouldRetry(s, idempotent));
class RetryState {
 public:
  RetryState(const RetryOptions& options, RetryEnv* env);

  // After a failed attempt: false if the error is final, attempts are used up, the deadline would
  // pass during the wait, or the call is cancelled; else sleeps the backoff and returns true.
  bool ShouldRetry(const Status& status, bool idempotent);
  // Same, for a decision already made (row-level retries).
  bool ShouldRetry(RetryKind kind);

  // Time left before the total deadline (at least 1 ms), to cap the next attempt's timeout.
  std::chrono::milliseconds RemainingTime() const;
  int attempts() const { return attempts_; }  // attempts made so far (1 after the first)
  std::chrono::milliseconds total_sleep() const { return total_sleep_; }

 private:
  const RetryOptions& options_;
  RetryEnv* env_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point attempt_start_;  // of the latest attempt
  int attempts_ = 1;
  int connect_retries_ = 0;
  std::optional<std::chrono::steady_clock::time_point> first_connect_failure_;
  std::chrono::milliseconds total_sleep_{0};
};

}  // namespace tsb::ots
