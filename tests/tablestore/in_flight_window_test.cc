#include "tablestore/in_flight_window.h"

#include <doctest/doctest.h>

#include <chrono>

namespace tsb::ots {
namespace {

TEST_CASE("throttled answers halve the window once per round trip; calm ones raise it additively") {
  InFlightWindow w(4, "the table");
  auto a = w.Acquire();
  auto b = w.Acquire();
  w.Release(a, 200);  // halves: 4 -> 2
  CHECK(w.stats().window == doctest::Approx(2));
  w.Release(b, 10);  // sent before the decrease: counted, not halved again
  CHECK(w.stats().window == doctest::Approx(2));
  CHECK(w.stats().throttled_answers == 2);
  CHECK(w.stats().throttled_rows == 210);
  auto c = w.Acquire();
  w.Release(c, 0);  // +1/2
  CHECK(w.stats().window == doctest::Approx(2.5));
  for (int i = 0; i < 3; ++i) {
    auto s = w.Acquire();
    w.Release(s, 1);
  }
  // 2.5 -> 1.25 -> 0.625 -> 0.3125
  CHECK(w.stats().window == doctest::Approx(0.3125));
  CHECK(w.stats().lowest == doctest::Approx(0.3125));
  auto d = w.Acquire();
  w.Release(d, 0);  // below one, calm answers add 1/16
  CHECK(w.stats().window == doctest::Approx(0.3125 + 1.0 / 16));
}

TEST_CASE(
    "below one request in flight the next request waits its pace; the window never reaches 0") {
  InFlightWindow w(1, "range 1 of 4");
  for (int i = 0; i < 6; ++i) {  // 1 -> 1/64
    auto s = w.Acquire();
    w.Release(s, 1);
  }
  CHECK(w.stats().window == doctest::Approx(InFlightWindow::kMinWindow));
  auto s = w.Acquire();  // paced: at least 10 ms x (64 - 1) after the last answer
  w.Release(s, 0);
  const auto before = std::chrono::steady_clock::now();
  w.Acquire();
  // The window is now 1/64 + 1/16 = 5/64: at least 10 ms x (64/5 - 1) = 118 ms.
  CHECK(std::chrono::steady_clock::now() - before >= std::chrono::milliseconds(110));
}

TEST_CASE("a calm window grows back to the writers and no further") {
  InFlightWindow w(2, "the table");
  for (int i = 0; i < 20; ++i) {
    auto s = w.Acquire();
    w.Release(s, 0);
  }
  CHECK(w.stats().window == doctest::Approx(2));
  CHECK(w.stats().throttled_answers == 0);
}

}  // namespace
}  // namespace tsb::ots
