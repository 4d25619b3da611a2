#include "tsbridge/status.h"

namespace tsb {

namespace {
const std::string& EmptyString() {
  static const std::string kEmpty;
  return kEmpty;
}

// The service's codes, grouped as the retry policy and the exit codes need them (wire doc C.2).
StatusCode CodeForOtsError(std::string_view ots_code, int http_status) {
  if (ots_code == "OTSAuthFailed" || ots_code == "OTSNoPermissionAccess") {
    return StatusCode::kPermissionDenied;
  }
  if (ots_code == "OTSObjectNotExist") return StatusCode::kNotFound;
  if (ots_code == "OTSServerBusy" || ots_code == "OTSPartitionUnavailable" ||
      ots_code == "OTSTimeout" || ots_code == "OTSServerUnavailable" ||
      ots_code == "OTSInternalServerError" || ots_code == "OTSNotEnoughCapacityUnit" ||
      ots_code == "OTSRowOperationConflict" || ots_code == "OTSTableNotReady" ||
      ots_code == "OTSOperationThrottled" || ots_code == "OTSFlowControl") {
    return StatusCode::kUnavailable;
  }
  if (ots_code.empty() && http_status >= 500) return StatusCode::kUnavailable;
  return StatusCode::kServerError;
}
}  // namespace

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kIOError: return "IOError";
    case StatusCode::kNotSupported: return "NotSupported";
    case StatusCode::kInternal: return "Internal";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kPermissionDenied: return "PermissionDenied";
    case StatusCode::kServerError: return "ServerError";
    case StatusCode::kCancelled: return "Cancelled";
  }
  return "Unknown";
}

Status::Status(StatusCode code, std::string message) {
  if (code == StatusCode::kOk) return;
  auto state = std::make_shared<State>();
  state->code = code;
  state->message = std::move(message);
  state_ = std::move(state);
}

Status Status::FromService(std::string ots_code, std::string message, int http_status,
                           std::string request_id) {
  Status s;
  auto state = std::make_shared<State>();
  state->code = CodeForOtsError(ots_code, http_status);
  state->message = std::move(message);
  state->ots_code = std::move(ots_code);
  state->http_status = http_status;
  state->request_id = std::move(request_id);
  s.state_ = std::move(state);
  return s;
}

const std::string& Status::message() const { return state_ ? state_->message : EmptyString(); }
const std::string& Status::ots_code() const { return state_ ? state_->ots_code : EmptyString(); }
const std::string& Status::request_id() const {
  return state_ ? state_->request_id : EmptyString();
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  auto state = std::make_shared<State>(*state_);
  state->message = std::string(context) + ": " + state->message;
  Status s;
  s.state_ = std::move(state);
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out;
  if (!state_->ots_code.empty()) {
    out = state_->ots_code + ": " + state_->message;
    out += " (HTTP " + std::to_string(state_->http_status);
    if (!state_->request_id.empty()) out += ", request id " + state_->request_id;
    out += ")";
  } else {
    out = std::string(StatusCodeName(state_->code)) + ": " + state_->message;
  }
  return out;
}

}  // namespace tsb
