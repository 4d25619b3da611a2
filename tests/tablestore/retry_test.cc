#include "tsbridge/tablestore/retry.h"

#include <doctest/doctest.h>

#include <deque>
#include <vector>

#include "tsbridge/tablestore/http_transport.h"

using namespace tsb;
using namespace tsb::ots;
using std::chrono::milliseconds;

namespace {

// A clock that moves only when we sleep, and a scripted random source.
class FakeEnv : public RetryEnv {
 public:
  std::chrono::steady_clock::time_point Now() override { return now_; }
  void SleepFor(milliseconds d) override {
    sleeps.push_back(d.count());
    now_ += d;
  }
  double Uniform01() override {
    if (randoms.empty()) return fixed;
    double u = randoms.front();
    randoms.pop_front();
    return u;
  }
  void Advance(milliseconds d) { now_ += d; }

  std::vector<int64_t> sleeps;
  std::deque<double> randoms;
  double fixed = 0.0;

 private:
  std::chrono::steady_clock::time_point now_{};
};

Status Busy() { return Status::FromService("OTSServerBusy", "Server is busy.", 503, "r"); }
Status Timeout() { return Status::FromService("OTSTimeout", "Operation timeout.", 503, "r"); }

// Runs a call that always fails with `error`; returns the number of attempts.
int RunFailing(const Status& error, bool idempotent, const RetryOptions& options, FakeEnv* env) {
  RetryState retry(options, env);
  int attempts = 0;
  Status s;
  do {
    ++attempts;
    s = error;
  } while (retry.ShouldRetry(s, idempotent));
  CHECK(retry.attempts() == attempts);
  return attempts;
}

}  // namespace

TEST_CASE("retriable codes for any operation, for reads only, and never") {
  for (const char* code :
       {"OTSRowOperationConflict", "OTSNotEnoughCapacityUnit", "OTSTableNotReady",
        "OTSPartitionUnavailable", "OTSServerBusy", "OTSOperationThrottled"}) {
    CAPTURE(code);
    CHECK(ClassifyError(code, "", 503, true) != RetryKind::kNone);
    CHECK(ClassifyError(code, "", 503, false) != RetryKind::kNone);
    CHECK(ClassifyRowError(code, "") != RetryKind::kNone);
  }
  CHECK(ClassifyError("OTSQuotaExhausted", "Too frequent table operations.", 403, false) ==
        RetryKind::kThrottled);
  CHECK(ClassifyError("OTSQuotaExhausted", "Number of tables exceeded the quota.", 403, true) ==
        RetryKind::kNone);
  for (const char* code : {"OTSTimeout", "OTSInternalServerError", "OTSServerUnavailable"}) {
    CAPTURE(code);
    CHECK(ClassifyError(code, "", 503, true) == RetryKind::kNormal);
    CHECK(ClassifyError(code, "", 503, false) == RetryKind::kNone);
    CHECK(ClassifyRowError(code, "") == RetryKind::kNone);
  }
  for (const char* code :
       {"OTSAuthFailed", "OTSParameterInvalid", "OTSConditionCheckFail", "OTSObjectNotExist",
        "OTSNoPermissionAccess", "OTSCapacityUnitExhausted", "OTSFlowControl"}) {
    CAPTURE(code);
    CHECK(ClassifyError(code, "", 400, true) == RetryKind::kNone);
  }
  // Throttling codes wait longer.
  CHECK(ClassifyError("OTSServerBusy", "", 503, true) == RetryKind::kThrottled);
  CHECK(ClassifyError("OTSNotEnoughCapacityUnit", "", 403, true) == RetryKind::kThrottled);
  CHECK(ClassifyError("OTSOperationThrottled", "", 403, true) == RetryKind::kThrottled);
  CHECK(ClassifyError("OTSRowOperationConflict", "", 409, true) == RetryKind::kNormal);

  // Network errors and bare HTTP 5xx: reads only.
  Status net = Status::Unavailable("POST /GetRange: Connection refused");
  CHECK(ClassifyStatus(net, true) == RetryKind::kNormal);
  CHECK(ClassifyStatus(net, false) == RetryKind::kNone);
  for (int http : {500, 502, 503}) {
    Status s = Status::FromService("", "bad gateway", http, "");
    CHECK(ClassifyStatus(s, true) == RetryKind::kNormal);
    CHECK(ClassifyStatus(s, false) == RetryKind::kNone);
  }
  CHECK(ClassifyStatus(Status::FromService("", "x", 504, ""), true) == RetryKind::kNone);
  CHECK(ClassifyStatus(Status::Corruption("bad protobuf"), true) == RetryKind::kNone);
  CHECK(ClassifyStatus(Status::InvalidArgument("x"), true) == RetryKind::kNone);
  CHECK(ClassifyStatus(Busy().WithContext("GetRange t"), false) == RetryKind::kThrottled);
  CHECK(ClassifyStatus(
            Status::FromService("OTSQuotaExhausted", "Too frequent table operations.", 403, "")
                .WithContext("CreateTable t"),
            false) == RetryKind::kThrottled);

  CHECK(IsIdempotentOperation("GetRange"));
  CHECK(IsIdempotentOperation("ComputeSplitPointsBySize"));
  CHECK(IsIdempotentOperation("ListTable"));
  CHECK_FALSE(IsIdempotentOperation("BatchWriteRow"));
  CHECK_FALSE(IsIdempotentOperation("PutRow"));
  CHECK_FALSE(IsIdempotentOperation("CreateTable"));
}

TEST_CASE("backoff doubles from the base up to the cap, jittered in [limit/2, limit]") {
  RetryOptions o;
  // u = 0: the lower edge, limit / 2.
  std::vector<int64_t> low, high, throttled_low;
  for (int n = 0; n < 7; ++n) {
    low.push_back(BackoffDelay(o, RetryKind::kNormal, n, 0.0).count());
    high.push_back(BackoffDelay(o, RetryKind::kNormal, n, 0.999999).count());
    throttled_low.push_back(BackoffDelay(o, RetryKind::kThrottled, n, 0.0).count());
  }
  CHECK(low == std::vector<int64_t>{100, 200, 400, 800, 1500, 1500, 1500});
  CHECK(high == std::vector<int64_t>{199, 399, 799, 1599, 2999, 2999, 2999});
  CHECK(throttled_low == std::vector<int64_t>{250, 500, 1000, 1500, 1500, 1500, 1500});
  CHECK(BackoffDelay(o, RetryKind::kNormal, 0, 0.5).count() == 150);
  CHECK(BackoffDelay(o, RetryKind::kNormal, 100, 0.5).count() == 2250);  // no overflow
}

TEST_CASE("the exact schedule with an injected clock and random source") {
  RetryOptions o;
  FakeEnv env;
  env.randoms = {0.0, 0.5, 0.25, 0.0, 0.5};
  env.fixed = 0.0;

  SUBCASE("a read retried on OTSTimeout until max_attempts") {
    o.max_attempts = 6;
    CHECK(RunFailing(Timeout(), true, o, &env) == 6);
    // limits 200, 400, 800, 1600, 3000 with u = 0, .5, .25, 0, .5
    CHECK(env.sleeps == std::vector<int64_t>{100, 300, 500, 800, 2250});
  }
  SUBCASE("a write is not retried on OTSTimeout but is on OTSServerBusy") {
    CHECK(RunFailing(Timeout(), false, o, &env) == 1);
    CHECK(env.sleeps.empty());
    o.max_attempts = 3;
    CHECK(RunFailing(Busy(), false, o, &env) == 3);
    CHECK(env.sleeps == std::vector<int64_t>{250, 750});  // limits 500, 1000
  }
  SUBCASE("the SDKs' 21 attempts, all at the cap after the fifth") {
    env.randoms.clear();
    env.fixed = 0.0;
    o.total_deadline = milliseconds(10'000'000);
    CHECK(RunFailing(Timeout(), true, o, &env) == 21);
    REQUIRE(env.sleeps.size() == 20);
    CHECK(env.sleeps[4] == 1500);
    CHECK(env.sleeps[19] == 1500);
  }
  SUBCASE("the total deadline stops retries before a sleep would pass it") {
    env.randoms.clear();
    env.fixed = 0.999999;  // sleeps 199, 399, 799, 1599, 2999...
    o.total_deadline = milliseconds(3000);
    RetryState retry(o, &env);
    int attempts = 1;
    while (retry.ShouldRetry(Timeout(), true)) ++attempts;
    // 199 + 399 + 799 = 1397; + 1599 = 2996 < 3000; then +2999 would pass it.
    CHECK(env.sleeps == std::vector<int64_t>{199, 399, 799, 1599});
    CHECK(attempts == 5);
    CHECK(retry.RemainingTime().count() == 4);
  }
  SUBCASE("time spent in attempts counts against the deadline") {
    o.total_deadline = milliseconds(1000);
    RetryState retry(o, &env);
    env.Advance(milliseconds(950));
    CHECK(retry.RemainingTime().count() == 50);
    CHECK_FALSE(retry.ShouldRetry(Timeout(), true));  // 100 ms would pass the deadline
  }
  SUBCASE("cancellation stops retrying") {
    o.cancelled = [] { return true; };
    CHECK(RunFailing(Busy(), true, o, &env) == 1);
  }
  SUBCASE("max_attempts 1 disables retries") {
    o.max_attempts = 1;
    CHECK(RunFailing(Busy(), true, o, &env) == 1);
  }
}

namespace {

Status Refused() {
  return Status::Unavailable(std::string(kCannotConnect) +
                             "http://127.0.0.1:1 (Connection refused); is `tsbridge emulator` "
                             "running and listening there?")
      .WithContext("table t: DescribeTable");
}

}  // namespace

TEST_CASE("a refused connection: retried for any operation, at most 3 times within 5 s") {
  RetryOptions o;  // the defaults are the contract: 3 retries, 5 s window, 300 s deadline
  CHECK(IsConnectFailure(Refused()));
  CHECK_FALSE(IsConnectFailure(Status::Unavailable("POST /GetRange: Connection refused")));
  CHECK_FALSE(IsConnectFailure(Status::FromService("", Refused().message(), 503, "")));
  CHECK(ClassifyStatus(Refused(), false) == RetryKind::kConnect);
  CHECK(ClassifyStatus(Refused(), true) == RetryKind::kConnect);
  // Nothing was sent, so a write's outcome is known.
  CHECK_FALSE(OutcomeUnknown(Refused()));

  SUBCASE("the longest schedule stays inside the window") {
    FakeEnv env;
    env.fixed = 0.999999;
    CHECK(RunFailing(Refused(), false, o, &env) == 4);
    CHECK(env.sleeps == std::vector<int64_t>{499, 999, 1999});  // limits 500, 1000, 2000
  }
  SUBCASE("the shortest one too, and no more than 3 retries") {
    FakeEnv env;
    env.fixed = 0.0;
    CHECK(RunFailing(Refused(), true, o, &env) == 4);
    CHECK(env.sleeps == std::vector<int64_t>{250, 500, 1000});
  }
  SUBCASE("slow refusals: no retry starts later than 5 s after the first refusal") {
    FakeEnv env;
    env.fixed = 0.5;  // sleeps 375, 750, 1500
    RetryState retry(o, &env);
    env.Advance(milliseconds(2000));  // each refusal takes 2 s (a connect timeout, say)
    CHECK(retry.ShouldRetry(Refused(), true));
    env.Advance(milliseconds(2000));
    // 2375 ms after the first refusal + 2000 + 750 would pass 5000.
    CHECK_FALSE(retry.ShouldRetry(Refused(), true));
    CHECK(env.sleeps == std::vector<int64_t>{375});
  }
  SUBCASE("a refusal after throttled attempts gets its own short count") {
    FakeEnv env;
    env.fixed = 0.0;
    RetryState retry(o, &env);
    for (int i = 0; i < 5; ++i) REQUIRE(retry.ShouldRetry(Busy(), true));
    CHECK(retry.ShouldRetry(Refused(), true));
    CHECK(env.sleeps.back() == 250);  // the first connect back-off, not the sixth throttle one
    CHECK(retry.ShouldRetry(Refused(), true));
    CHECK(retry.ShouldRetry(Refused(), true));
    CHECK_FALSE(retry.ShouldRetry(Refused(), true));
  }
}

TEST_CASE("the retry deadline: 300 s by default, and no wait may cross it") {
  RetryOptions o;
  CHECK(o.total_deadline == milliseconds(300000));
  FakeEnv env;
  env.fixed = 0.999999;  // sleeps 199, 399, 799, 1599, 2999, 2999, ...
  o.max_attempts = 1000;
  const auto start = env.Now();
  RetryState retry(o, &env);
  int attempts = 1;
  // Every attempt waits for an answer that never comes: the request timeout (30 s), capped by
  // the time left, as Client::Call caps it.
  for (;;) {
    env.Advance(std::min(milliseconds(30000), retry.RemainingTime()));
    if (!retry.ShouldRetry(Timeout(), true)) break;
    ++attempts;
  }
  // Nine 30 s attempts and their waits end at 288 s; the tenth gets the 12 s left.
  CHECK(attempts == 10);
  CHECK(env.sleeps == std::vector<int64_t>{199, 399, 799, 1599, 2999, 2999, 2999, 2999, 2999});
  CHECK(env.Now() - start == milliseconds(300000));
}

TEST_CASE("row errors whose outcome is unknown are retried only where a repeat is harmless") {
  for (const char* code : {"OTSTimeout", "OTSInternalServerError", "OTSServerUnavailable"}) {
    CAPTURE(code);
    CHECK(RowOutcomeUnknown(code));
    CHECK(ClassifyRowError(code, "", /*idempotent=*/true) == RetryKind::kNormal);
    CHECK(ClassifyRowError(code, "", /*idempotent=*/false) == RetryKind::kNone);
    CHECK(OutcomeUnknown(Status::FromService(code, "", 503, "r")));
  }
  CHECK_FALSE(RowOutcomeUnknown("OTSServerBusy"));
  CHECK(ClassifyRowError("OTSConditionCheckFail", "", true) == RetryKind::kNone);
  CHECK(ClassifyRowError("OTSServerBusy", "", true) == RetryKind::kThrottled);
  // A request the service refused before doing anything: known outcome.
  CHECK_FALSE(OutcomeUnknown(Busy()));
  // No answer at all (the request timeout ended it): unknown.
  CHECK(OutcomeUnknown(Status::Unavailable(
      "POST http://127.0.0.1:9/BatchWriteRow: Timeout was reached (deadline 2000 ms)")));
  CHECK(OutcomeUnknown(Status::FromService("", "HTTP 502 without a Tablestore error", 502, "")));
  CHECK_FALSE(OutcomeUnknown(Status::Corruption("endpoint https://x does not speak TLS")));
}
