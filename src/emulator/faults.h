// Fault injection: fail a deterministic share of requests (or of BatchWriteRow rows) with a chosen
// Tablestore error, so that the retry paths of our client, import and export can be tested against
// a real server instead of a fake transport (decisions.md section 5).
//
// Rule syntax (repeatable `--fault`, or the config's "faults" array):
//
//   OP:CODE:RATE[:rows]
//
//   OP    an operation name as on the wire (BatchWriteRow, GetRange, ...), or * for every operation
//   CODE  an OTS error code (OTSServerBusy, OTSTimeout, OTSRowOperationConflict, ...); the HTTP
//         status and message are the service's for that code (wire doc C.2)
//   RATE  the share to fail, 0 < RATE <= 1 (a decimal, "0.25"; "1" fails every one)
//   rows  fail a share of the rows inside BatchWriteRow (or BatchGetRow) instead of whole requests:
//         the request returns HTTP 200 and each chosen row gets is_ok=false and an error with CODE;
//         chosen rows are not written (or read)
//
//   OP:delay:RATE:MS
//
//   delays a share of the requests by MS milliseconds (1 to 600000) before they run, holding a
//   worker as a slow operation would; the request then succeeds or fails as it otherwise would.
//   Use it to fill the emulator's workers (a waiting request gets 503 OTSServerBusy after 1 s) or
//   to test client timeouts.
//
// Examples: `--fault BatchWriteRow:OTSServerBusy:0.2`, `--fault GetRange:OTSTimeout:1`,
// `--fault BatchWriteRow:OTSRowOperationConflict:0.1:rows`, `--fault GetRange:delay:1:2000`.
//
// A request fault is decided after authentication (a refused request is never counted) and before
// the operation runs, so a failed request has no effect on the data.
//
// Determinism: each rule draws from its own counter, hashed with the seed (`--fault-seed`, default
// 1): the n-th request (or row) a rule considers fails or passes the same way in every run with the
// same seed, whatever the thread timing (only the order in which concurrent requests reach the
// rule can vary).
//
// Thread safety: FaultInjector is safe for concurrent use; rules can be replaced while serving.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/status.h"

namespace tsb::emulator {

// The service's HTTP status and message for an OTS error code (wire doc C.2); unknown codes get
// HTTP 500 when they look like server errors and 400 otherwise, with message "Injected fault.".
struct OtsErrorInfo {
  int http_status;
  std::string_view message;
};
OtsErrorInfo ServiceErrorInfo(std::string_view ots_code);

struct FaultRule {
  std::string operation;  // "*" = any
  std::string code;
  double rate = 0;
  bool rows = false;
  // Set for a delay rule (CODE "delay"): the request is held this long, not failed.
  std::chrono::milliseconds delay{0};
};

// Parses "OP:CODE:RATE[:rows]" or "OP:delay:RATE:MS"; InvalidArgument naming the rule and the bad
// part.
Result<FaultRule> ParseFaultRule(std::string_view text);

// An injected error, ready to be sent.
struct InjectedFault {
  std::string code;
  std::string message;
  int http_status = 500;
};

class FaultInjector {
 public:
  explicit FaultInjector(uint64_t seed = 1) : seed_(seed) {}
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // Replaces the rules (and restarts their counters).
  void SetRules(std::vector<FaultRule> rules, uint64_t seed);
  bool empty() const { return !active_.load(std::memory_order_relaxed); }

  // Whether this request of `operation` fails as a whole.
  std::optional<InjectedFault> ForRequest(std::string_view operation);
  // For row faults: whether the next row of `operation` fails. Call once per row, in request order.
  std::optional<InjectedFault> ForRow(std::string_view operation);
  // How long to hold this request of `operation` before running it (the sum of the delay rules
  // that choose it); zero when none does.
  std::chrono::milliseconds DelayFor(std::string_view operation);

 private:
  struct Rule {
    FaultRule spec;
    uint64_t threshold;              // fail when hash < threshold
    std::atomic<uint64_t> counter{0};
  };
  std::optional<InjectedFault> Decide(std::string_view operation, bool rows);

  uint64_t seed_;
  std::atomic<bool> active_{false};
  std::mutex mu_;                                // guards rules_ replacement
  std::shared_ptr<std::vector<std::unique_ptr<Rule>>> rules_;  // read under mu_, copied out
};

}  // namespace tsb::emulator
