#include <doctest/doctest.h>

#include <deque>
#include <vector>

#include "tablestore/retry.h"

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
  for (const char* code : {"OTSAuthFailed", "OTSParameterInvalid", "OTSConditionCheckFail",
                           "OTSObjectNotExist", "OTSNoPermissionAccess", "OTSCapacityUnitExhausted",
                           "OTSFlowControl"}) {
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
  CHECK(ClassifyStatus(Status::FromService("OTSQuotaExhausted", "Too frequent table operations.",
                                           403, "")
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
