#include "tablestore/in_flight_window.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace tsb::ots {

namespace {

// Below one request in flight, each calm answer adds this much: 16 calm answers from 1/64 to
// about one, so a region that stopped being throttled is back at full speed within seconds.
constexpr double kSlowStep = 1.0 / 16;
constexpr double kMinRoundTripMs = 10;

}  // namespace

InFlightWindow::InFlightWindow(int writers, std::string region)
    : max_(std::max(1, writers)), region_(std::move(region)), window_(max_) {
  stats_.lowest = window_;
  stats_.window = window_;
}

std::chrono::steady_clock::time_point InFlightWindow::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    const int room = std::max(1, static_cast<int>(std::floor(window_)));
    if (in_flight_ < room) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= next_send_) break;
      // A Release may move the pace either way: wait for it or for the pace, whichever is first.
      cv_.wait_until(lock, next_send_);
      continue;
    }
    cv_.wait(lock);
  }
  ++in_flight_;
  const auto now = std::chrono::steady_clock::now();
  if (window_ < 1) {
    // One request at a time: the next one waits for this one's answer and then the pace.
    next_send_ = std::chrono::steady_clock::time_point::max();
  }
  return now;
}

void InFlightWindow::Release(std::chrono::steady_clock::time_point sent, int64_t throttled_rows) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  --in_flight_;
  const double rtt = std::chrono::duration<double, std::milli>(now - sent).count();
  rtt_ms_ = rtt_ms_ == 0 ? rtt : 0.8 * rtt_ms_ + 0.2 * rtt;
  const double before = window_;
  if (throttled_rows > 0) {
    ++stats_.throttled_answers;
    stats_.throttled_rows += throttled_rows;
    // Answers to requests sent before the last decrease saw the old window: one halving per
    // round trip, as TCP does once per window of losses.
    if (sent >= last_decrease_) {
      window_ = std::max(kMinWindow, window_ / 2);
      last_decrease_ = now;
    }
  } else {
    window_ = std::min(max_, window_ < 1 ? window_ + kSlowStep : window_ + 1 / window_);
  }
  if (window_ < 1) {
    const double gap_ms = std::max(rtt_ms_, kMinRoundTripMs) * (1 / window_ - 1);
    next_send_ = now + std::chrono::microseconds(static_cast<int64_t>(gap_ms * 1000));
  } else {
    next_send_ = {};
  }
  stats_.lowest = std::min(stats_.lowest, window_);
  stats_.window = window_;
  if (window_ < before) {
    spdlog::debug("export: {} throttled ({} rows): requests in flight {:.3g} -> {:.3g}", region_,
                  throttled_rows, before, window_);
  } else if (std::floor(window_) > std::floor(before) ||
             (window_ < 1 && std::floor(window_ * 8) > std::floor(before * 8))) {
    spdlog::debug("export: {} calm: requests in flight {:.3g} -> {:.3g}", region_, before, window_);
  }
  cv_.notify_all();
}

InFlightStats InFlightWindow::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace tsb::ots
