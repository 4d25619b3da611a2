// InFlightWindow: how many BatchWriteRow requests may be in flight to one key region, adapted as
// TCP adapts its congestion window (AIMD), so that a throttled export neither stalls nor hammers.
//
// The writers of one region (export's --parallel writers, which all reach every key; or the one
// writer of each --scatter range) Acquire() before each request and Release() after its answer,
// saying whether the service throttled it (OTSServerBusy, OTSNotEnoughCapacityUnit,
// OTSQuotaExhausted "Too frequent table operations.", OTSOperationThrottled: retry.h's
// RetryKind::kThrottled, for the request or any of its rows).
//   * A throttled answer halves the window (multiplicative decrease), at most once per round
//     trip: answers to requests sent before the last decrease do not decrease it again.
//   * A calm answer raises it additively: by 1/window (one request per window's worth of calm
//     answers, i.e. about one per round trip) up to the region's writers, by 1/16 below one.
//   * Below one request in flight the window paces: after an answer, the next request waits
//     (1/window - 1) round trips (the recent mean, at least 10 ms), down to 1/64 (a request every
//     63 round trips). Writers never stop: the slowest pace still sends.
// The changes are logged at debug level; stats() counts the throttled answers and the lowest and
// latest windows, for the job summary.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

namespace tsb::ots {

struct InFlightStats {
  int64_t throttled_answers = 0;  // answers with a throttled request or row
  int64_t throttled_rows = 0;     // rows answered with a throttling code (whole requests: all)
  double lowest = 0;              // the lowest window reached
  double window = 0;              // the window now
};

class InFlightWindow {
 public:
  static constexpr double kMinWindow = 1.0 / 64;

  // `writers`: the most requests the region can have in flight (its writer threads); `region`
  // names it in the log ("the table", "range 2 of 4").
  InFlightWindow(int writers, std::string region);
  InFlightWindow(const InFlightWindow&) = delete;
  InFlightWindow& operator=(const InFlightWindow&) = delete;

  // Waits for room in the window (and, below one, for the pace); returns when the request
  // was sent, for Release.
  std::chrono::steady_clock::time_point Acquire();
  // After the answer to a request Acquire()d at `sent`: `throttled_rows` > 0 when the service
  // throttled it (or some of its rows).
  void Release(std::chrono::steady_clock::time_point sent, int64_t throttled_rows);

  InFlightStats stats() const;

 private:
  const double max_;
  const std::string region_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  double window_;
  int in_flight_ = 0;
  double rtt_ms_ = 0;  // moving mean of the answers' round trips
  std::chrono::steady_clock::time_point last_decrease_{};
  std::chrono::steady_clock::time_point next_send_{};
  InFlightStats stats_;
};

}  // namespace tsb::ots
