// Helpers shared by the doctest suites: a retry environment that never sleeps, and small file
// readers. Test-only; nothing here is linked into tsbridge.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tsbridge/tablestore/retry.h"

namespace tsb::testing {

// Retries without sleeping: time advances by each requested delay, and jitter is always the
// middle of its range. The schedule itself is unit-tested in tests/tablestore/retry_test.cc.
class NoSleepEnv : public ots::RetryEnv {
 public:
  std::chrono::steady_clock::time_point Now() override { return now_; }
  void SleepFor(std::chrono::milliseconds d) override {
    ++sleeps;
    now_ += d;
  }
  double Uniform01() override { return 0.5; }
  int sleeps = 0;

 private:
  std::chrono::steady_clock::time_point now_{};
};

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) out.push_back(line);
  return out;
}

}  // namespace tsb::testing
