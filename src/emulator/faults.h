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
//   to test client timeouts. A delay longer than the client's `--request-timeout` is a stall: the
//   client gives up on the attempt and retries while the first attempt still runs (and, for a
//   write, applies) once the delay is over.
//
//   OP:drop-before:RATE    closes the connection without answering and without running the
//                          request (a connection lost on the way in: nothing was applied)
//   OP:drop-after:RATE     runs the request, then closes the connection without answering (the
//                          answer lost on the way back: a write was applied, the client cannot
//                          know)
//   OP:truncate:RATE       runs the request and sends its whole head, whose Content-Length is the
//                          full body, but only half the body (half the head when the body is
//                          empty), then closes the connection
//
// Examples: `--fault BatchWriteRow:OTSServerBusy:0.2`, `--fault GetRange:OTSTimeout:1`,
// `--fault BatchWriteRow:OTSRowOperationConflict:0.1:rows`, `--fault GetRange:delay:1:2000`,
// `--fault BatchWriteRow:drop-after:0.05`.
//
// Each rule counts the requests (or rows) it chose; Hits() reports them, and the emulator prints
// them on stderr when it stops, so that a soak run can say which faults it met.
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

// What a connection-level rule does to the exchange (see the rule syntax above).
enum class NetFault { kNone, kDropBefore, kDropAfter, kTruncate };

struct FaultRule {
  std::string text;       // the rule as given, for reports
  std::string operation;  // "*" = any
  std::string code;
  double rate = 0;
  bool rows = false;
  // Set for a delay rule (CODE "delay"): the request is held this long, not failed.
  std::chrono::milliseconds delay{0};
  // Set for a connection rule (CODE drop-before, drop-after or truncate).
  NetFault net = NetFault::kNone;
};

// Parses "OP:CODE:RATE[:rows]", "OP:delay:RATE:MS" or "OP:drop-before|drop-after|truncate:RATE";
// InvalidArgument naming the rule and the bad part.
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
  // What happens to the connection of this request of `operation`: the first connection rule that
  // chooses it, kNone when none does.
  NetFault NetFaultFor(std::string_view operation);

  // Per rule, in order: its text and how many requests (rows, for a rows rule) it chose.
  struct RuleHits {
    std::string rule;
    bool rows = false;
    uint64_t hits = 0;
  };
  std::vector<RuleHits> Hits() const;

 private:
  struct Rule {
    FaultRule spec;
    uint64_t threshold;              // fail when hash < threshold
    std::atomic<uint64_t> counter{0};
    std::atomic<uint64_t> hits{0};
  };
  // Draws rule `i`'s next decision: whether it chooses this request (or row), counting a hit.
  bool Draw(Rule& rule, size_t i, uint64_t seed);
  std::shared_ptr<std::vector<std::unique_ptr<Rule>>> Snapshot(uint64_t* seed) const;
  std::optional<InjectedFault> Decide(std::string_view operation, bool rows);

  uint64_t seed_;
  std::atomic<bool> active_{false};
  mutable std::mutex mu_;                                      // guards rules_ replacement
  std::shared_ptr<std::vector<std::unique_ptr<Rule>>> rules_;  // read under mu_, copied out
};

}  // namespace tsb::emulator
