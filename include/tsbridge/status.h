// Status and Result<T>: how every layer of tsbridge reports failure.
//
// tsbridge throws no exceptions across module boundaries. A function that can fail returns a
// [[nodiscard]] Status (or Result<T>); an OK status costs one null pointer. A failure carries one
// code from a short closed list, a message that grows context on its way up
// ("orders.parquet: row group 3: column \"price\": truncated RLE run"), and, for errors that came
// from Tablestore (or the emulator), the service's error code, HTTP status and request id.
//
// cli/exit_status.h maps codes (with the job's stop reason) to exit codes in one place; retry.h
// decides retryability from the codes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tsb {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // bad command line, spec, input value, or request
  kNotFound,          // a file, table or column that does not exist
  kIOError,           // local file system
  kNotSupported,      // a feature this build does not have (yet)
  kInternal,          // our own bug
  kCorruption,        // bad bytes in a file or on the wire
  kUnavailable,       // timeouts, connection failures, 5xx, throttling
  kPermissionDenied,  // credentials, signature, policy
  kServerError,       // any other error answered by the store: see ots_code()
  kCancelled,         // stopped by a signal; inside a job also a pipeline told to stop early,
                      // whose reason (--limit, --max-errors) the job reports as a StopReason
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(StatusCode::kInvalidArgument, std::move(msg));
  }
  static Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(StatusCode::kIOError, std::move(msg)); }
  static Status NotSupported(std::string msg) {
    return Status(StatusCode::kNotSupported, std::move(msg));
  }
  static Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }
  static Status Corruption(std::string msg) {
    return Status(StatusCode::kCorruption, std::move(msg));
  }
  static Status Unavailable(std::string msg) {
    return Status(StatusCode::kUnavailable, std::move(msg));
  }
  static Status PermissionDenied(std::string msg) {
    return Status(StatusCode::kPermissionDenied, std::move(msg));
  }
  static Status Cancelled(std::string msg) {
    return Status(StatusCode::kCancelled, std::move(msg));
  }
  // An error answered by Tablestore: `ots_code` is e.g. "OTSParameterInvalid". The StatusCode is
  // derived from the OTS code (auth codes -> kPermissionDenied, throttling/5xx -> kUnavailable,
  // missing objects -> kNotFound, else kServerError).
  static Status FromService(std::string ots_code, std::string message, int http_status,
                            std::string request_id);

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  const std::string& message() const;
  // Service details; empty / 0 unless the error came from Tablestore.
  const std::string& ots_code() const;
  int http_status() const { return state_ ? state_->http_status : 0; }
  const std::string& request_id() const;

  // Returns a copy whose message is "context: message"; OK stays OK.
  Status WithContext(std::string_view context) const;

  // "InvalidArgument: msg", or for service errors "OTSParameterInvalid: msg (HTTP 400, request id X)".
  std::string ToString() const;

 private:
  struct State {
    StatusCode code;
    std::string message;
    std::string ots_code;
    int http_status = 0;
    std::string request_id;
  };
  std::shared_ptr<const State> state_;  // null == OK; shared so copies are cheap
};

// Result<T>: a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                   // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}            // NOLINT: must not be OK
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tsb

#define TSB_CONCAT_INNER(a, b) a##b
#define TSB_CONCAT(a, b) TSB_CONCAT_INNER(a, b)

// Returns the status from the enclosing function if it is not OK.
#define TSB_RETURN_IF_ERROR(expr)                 \
  do {                                            \
    ::tsb::Status _tsb_status = (expr);           \
    if (!_tsb_status.ok()) return _tsb_status;    \
  } while (0)

// TSB_ASSIGN_OR_RETURN(auto x, MakeX());
#define TSB_ASSIGN_OR_RETURN(lhs, expr) \
  TSB_ASSIGN_OR_RETURN_IMPL(TSB_CONCAT(_tsb_result_, __LINE__), lhs, expr)
#define TSB_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
