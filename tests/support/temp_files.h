// Temporary files for the doctest suites: one folder per process (removed at exit), whole-file
// reads and writes, and reading back a .gz / .zst file through core's own InputStream.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/text_io.h"

namespace tsb::testing {

// A fresh temporary folder per process, removed at exit.
inline const std::string& TempDir() {
  static const std::string dir = [] {
    std::string d = std::filesystem::temp_directory_path().string() + "/tsb_text_test_" +
                    std::to_string(::getpid());
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(std::filesystem::temp_directory_path().string() +
                                      "/tsb_text_test_" + std::to_string(::getpid()),
                                  ec);
    });
    return d;
  }();
  return dir;
}

inline std::string TempPath(const std::string& name) { return TempDir() + "/" + name; }

// A fresh folder of its own for one test case (for checks that count what a folder holds),
// removed when it goes out of scope.
struct ScratchDir {
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tsb-scratch-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string operator/(const std::string& name) const { return path + "/" + name; }
  std::string path;
};

inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFileBytes(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Decompresses by extension (.gz, .zst) with our own InputStream.
inline std::string ReadDecompressed(const std::string& path) {
  StreamCompression c = StreamCompression::kNone;
  if (path.size() > 3 && path.substr(path.size() - 3) == ".gz") c = StreamCompression::kGzip;
  if (path.size() > 4 && path.substr(path.size() - 4) == ".zst") c = StreamCompression::kZstd;
  auto in = InputStream::Open(path, c);
  REQUIRE(in.ok());
  std::string out;
  std::vector<char> buf(1 << 16);
  for (;;) {
    auto n = (*in)->Read(buf.data(), buf.size());
    REQUIRE(n.ok());
    if (*n == 0) break;
    out.append(buf.data(), *n);
  }
  return out;
}

}  // namespace tsb::testing
