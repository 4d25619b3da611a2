#include "emulator/faults.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace tsb::emulator {

namespace {

struct KnownError {
  std::string_view code;
  int http_status;
  std::string_view message;
};

// Wire doc C.2: the service's statuses and messages for the codes worth injecting.
constexpr KnownError kKnownErrors[] = {
    {"OTSServerBusy", 503, "Server is busy."},
    {"OTSPartitionUnavailable", 503, "The partition is not available."},
    {"OTSTimeout", 503, "Operation timeout."},
    {"OTSServerUnavailable", 503, "Server is not available."},
    {"OTSInternalServerError", 500, "Internal server error."},
    {"OTSRowOperationConflict", 409, "Data is being modified by the other request."},
    {"OTSTableNotReady", 404, "The table is not ready."},
    {"OTSNotEnoughCapacityUnit", 403, "Remaining capacity unit is not enough."},
    {"OTSCapacityUnitExhausted", 403, "Capacity unit is not enough."},
    {"OTSQuotaExhausted", 403, "Too frequent table operations."},
    {"OTSFlowControl", 429, "The requests have been throttled."},
    {"OTSOperationThrottled", 503, "Operation is throttled."},
    {"OTSAuthFailed", 403, "Signature mismatch."},
    {"OTSNoPermissionAccess", 403,
     "You have no permission to access the requested resource, please contact the resource "
     "owner"},
    {"OTSConditionCheckFail", 403, "Condition check failed."},
    {"OTSObjectNotExist", 404, "Requested table does not exist."},
    {"OTSParameterInvalid", 400, "Injected fault."},
    {"OTSRequestTimeout", 408, "Request timeout."},
};

// SplitMix64 finalizer: a cheap, well-mixed hash of (seed, rule, counter).
uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

OtsErrorInfo ServiceErrorInfo(std::string_view ots_code) {
  for (const KnownError& e : kKnownErrors) {
    if (e.code == ots_code) return {e.http_status, e.message};
  }
  return {ots_code.find("Server") != std::string_view::npos ? 500 : 400, "Injected fault."};
}

Result<FaultRule> ParseFaultRule(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("--fault \"" + std::string(text) + "\": " + std::string(why) +
                                   " (expected OP:CODE:RATE[:rows], OP:delay:RATE:MS or "
                                   "OP:drop-before|drop-after|truncate:RATE, e.g. "
                                   "BatchWriteRow:OTSServerBusy:0.2 or GetRange:delay:1:2000)");
  };
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 3 || parts.size() > 4) return bad("wrong number of fields");
  FaultRule rule;
  rule.text = std::string(text);
  rule.operation = std::string(parts[0]);
  rule.code = std::string(parts[1]);
  if (rule.operation.empty()) return bad("empty operation");
  if (rule.code.empty()) return bad("empty error code");
  // from_chars for double is locale-independent, unlike strtod.
  const char* first = parts[2].data();
  const char* last = first + parts[2].size();
  auto [ptr, ec] = std::from_chars(first, last, rule.rate);
  if (ec != std::errc() || ptr != last || !std::isfinite(rule.rate) || rule.rate <= 0 ||
      rule.rate > 1) {
    return bad("RATE must be a number in (0, 1]");
  }
  if (rule.code == "delay") {
    if (parts.size() != 4) return bad("a delay rule needs its milliseconds as the fourth field");
    int64_t ms = 0;
    const char* mfirst = parts[3].data();
    const char* mlast = mfirst + parts[3].size();
    auto [mptr, mec] = std::from_chars(mfirst, mlast, ms);
    if (mec != std::errc() || mptr != mlast || ms < 1 || ms > 600000) {
      return bad("MS must be a whole number of milliseconds in [1, 600000]");
    }
    rule.delay = std::chrono::milliseconds(ms);
    return rule;
  }
  for (auto [name, net] : {std::pair{"drop-before", NetFault::kDropBefore},
                           std::pair{"drop-after", NetFault::kDropAfter},
                           std::pair{"truncate", NetFault::kTruncate}}) {
    if (rule.code != name) continue;
    if (parts.size() != 3) return bad("a " + rule.code + " rule takes no fourth field");
    rule.net = net;
    return rule;
  }
  if (parts.size() == 4) {
    if (parts[3] != "rows") return bad("the optional fourth field must be \"rows\"");
    rule.rows = true;
  }
  return rule;
}

void FaultInjector::SetRules(std::vector<FaultRule> rules, uint64_t seed) {
  auto table = std::make_shared<std::vector<std::unique_ptr<Rule>>>();
  for (FaultRule& spec : rules) {
    auto rule = std::make_unique<Rule>();
    // rate 1 must fail every draw: saturate instead of overflowing the double -> uint64 cast.
    rule->threshold = spec.rate >= 1.0
                          ? std::numeric_limits<uint64_t>::max()
                          : static_cast<uint64_t>(spec.rate * 18446744073709551616.0);
    rule->spec = std::move(spec);
    table->push_back(std::move(rule));
  }
  std::lock_guard<std::mutex> lock(mu_);
  seed_ = seed;
  active_.store(!table->empty(), std::memory_order_relaxed);
  rules_ = std::move(table);
}

std::shared_ptr<std::vector<std::unique_ptr<FaultInjector::Rule>>> FaultInjector::Snapshot(
    uint64_t* seed) const {
  std::lock_guard<std::mutex> lock(mu_);
  *seed = seed_;
  return rules_;
}

bool FaultInjector::Draw(Rule& rule, size_t i, uint64_t seed) {
  uint64_t n = rule.counter.fetch_add(1, std::memory_order_relaxed);
  uint64_t h = Mix(Mix(seed ^ (0x100000001B3ULL * (i + 1))) ^ n);
  bool chosen = rule.threshold == std::numeric_limits<uint64_t>::max() || h < rule.threshold;
  if (chosen) rule.hits.fetch_add(1, std::memory_order_relaxed);
  return chosen;
}

std::optional<InjectedFault> FaultInjector::Decide(std::string_view operation, bool rows) {
  if (empty()) return std::nullopt;
  uint64_t seed;
  auto rules = Snapshot(&seed);
  if (!rules) return std::nullopt;
  for (size_t i = 0; i < rules->size(); ++i) {
    Rule& rule = *(*rules)[i];
    if (rule.spec.rows != rows || rule.spec.delay.count() > 0) continue;
    if (rule.spec.net != NetFault::kNone) continue;
    if (rule.spec.operation != "*" && rule.spec.operation != operation) continue;
    if (!Draw(rule, i, seed)) continue;
    OtsErrorInfo info = ServiceErrorInfo(rule.spec.code);
    return InjectedFault{rule.spec.code, std::string(info.message), info.http_status};
  }
  return std::nullopt;
}

std::chrono::milliseconds FaultInjector::DelayFor(std::string_view operation) {
  std::chrono::milliseconds total{0};
  if (empty()) return total;
  uint64_t seed;
  auto rules = Snapshot(&seed);
  if (!rules) return total;
  for (size_t i = 0; i < rules->size(); ++i) {
    Rule& rule = *(*rules)[i];
    if (rule.spec.delay.count() == 0) continue;
    if (rule.spec.operation != "*" && rule.spec.operation != operation) continue;
    if (Draw(rule, i, seed)) total += rule.spec.delay;
  }
  return total;
}

NetFault FaultInjector::NetFaultFor(std::string_view operation) {
  if (empty()) return NetFault::kNone;
  uint64_t seed;
  auto rules = Snapshot(&seed);
  if (!rules) return NetFault::kNone;
  for (size_t i = 0; i < rules->size(); ++i) {
    Rule& rule = *(*rules)[i];
    if (rule.spec.net == NetFault::kNone) continue;
    if (rule.spec.operation != "*" && rule.spec.operation != operation) continue;
    if (Draw(rule, i, seed)) return rule.spec.net;
  }
  return NetFault::kNone;
}

std::vector<FaultInjector::RuleHits> FaultInjector::Hits() const {
  uint64_t seed;
  auto rules = Snapshot(&seed);
  std::vector<RuleHits> out;
  if (!rules) return out;
  for (const auto& rule : *rules) {
    out.push_back({rule->spec.text, rule->spec.rows, rule->hits.load(std::memory_order_relaxed)});
  }
  return out;
}

std::optional<InjectedFault> FaultInjector::ForRequest(std::string_view operation) {
  return Decide(operation, /*rows=*/false);
}

std::optional<InjectedFault> FaultInjector::ForRow(std::string_view operation) {
  return Decide(operation, /*rows=*/true);
}

}  // namespace tsb::emulator
