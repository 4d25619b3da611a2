// RateLimiter (--max-rows-per-sec, --max-cu-per-sec) on a simulated clock: the bucket starts
// empty, so the rate achieved from the first token is the cap (decisions 11).
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>

#include "jobs/job_common.h"

using namespace tsb;

namespace {

// A clock that moves only when the limiter sleeps.
struct FakeClock {
  std::chrono::steady_clock::time_point t{};
  jobs::RateLimiter Limiter(double rate) {
    return jobs::RateLimiter(
        rate, /*start_full=*/false, [this] { return t; },
        [this](std::chrono::duration<double> d) {
          t += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
        });
  }
  double Seconds() const { return std::chrono::duration<double>(t.time_since_epoch()).count(); }
};

}  // namespace

TEST_CASE("RateLimiter: a bucket that starts empty achieves the cap from the first request") {
  FakeClock clock;
  jobs::RateLimiter limiter = clock.Limiter(5000);
  // 75 requests of 200 rows, as export's writers send them: 15,000 rows at 5000/s = 3 s.
  for (int i = 0; i < 75; ++i) limiter.Acquire(200);
  CHECK(clock.Seconds() == doctest::Approx(3.0).epsilon(0.001));
}

TEST_CASE("RateLimiter: the default bucket starts empty (export's caps use it)") {
  const auto start = std::chrono::steady_clock::now();
  jobs::RateLimiter limiter(1000);
  limiter.Acquire(300);  // a full bucket would give these at once
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= 0.29);
}

TEST_CASE("RateLimiter: a request over a second's worth goes into debt that later ones pay") {
  FakeClock clock;
  jobs::RateLimiter limiter = clock.Limiter(5000);
  limiter.Acquire(12000);  // waits for a full bucket (1 s), then owes 7000
  CHECK(clock.Seconds() == doctest::Approx(1.0).epsilon(0.001));
  limiter.Acquire(5000);  // 7000 + 5000 more at 5000/s
  CHECK(clock.Seconds() == doctest::Approx(3.4).epsilon(0.001));
}

TEST_CASE("RateLimiter: a pause saves at most one second of tokens") {
  FakeClock clock;
  jobs::RateLimiter limiter = clock.Limiter(1000);
  clock.t += std::chrono::seconds(10);  // idle
  limiter.Acquire(1000);                // one second's worth is there at once
  CHECK(clock.Seconds() == doctest::Approx(10.0).epsilon(0.0001));
  limiter.Acquire(1000);  // the other nine seconds are gone
  CHECK(clock.Seconds() == doctest::Approx(11.0).epsilon(0.0001));
}
