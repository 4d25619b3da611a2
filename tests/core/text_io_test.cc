#include "core/text_io.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <set>
#include <vector>

#include "support/temp_files.h"

using namespace tsb;
using namespace tsb::testing;

namespace {

std::string Payload() {
  std::string s;
  for (int64_t i = 0; i < 300000; ++i) s += "line " + std::to_string(i * 7919 % 100003) + "\n";
  return s;  // about 3.5 MB: several blocks
}

Status WriteStream(const std::string& path, StreamCompression c, const std::string& data,
                   size_t piece) {
  auto out = OutputStream::Open(path, c);
  if (!out.ok()) return out.status();
  for (size_t i = 0; i < data.size(); i += piece) {
    TSB_RETURN_IF_ERROR((*out)->Write(std::string_view(data).substr(i, piece)));
  }
  return (*out)->Close();
}

}  // namespace

TEST_CASE("streams round-trip through none, gzip and zstd with any write sizes") {
  const std::string data = Payload();
  const std::pair<StreamCompression, const char*> kCodecs[] = {{StreamCompression::kNone, ".txt"},
                                                               {StreamCompression::kGzip, ".gz"},
                                                               {StreamCompression::kZstd, ".zst"}};
  for (const auto& [codec, ext] : kCodecs) {
    for (size_t piece : {size_t{1} << 22, size_t{4097}, size_t{1} << 20}) {
      const char* extension = ext;  // clang 14: CAPTURE cannot name a structured binding
      CAPTURE(extension);
      CAPTURE(piece);
      std::string path = TempPath(std::string("stream") + ext);
      REQUIRE(WriteStream(path, codec, data, piece).ok());
      CHECK(ReadDecompressed(path) == data);
    }
  }
  // Concatenated gzip members and zstd frames read as one stream.
  std::string a = TempPath("a.gz"), b = TempPath("b.gz");
  REQUIRE(WriteStream(a, StreamCompression::kGzip, "first\n", 100).ok());
  REQUIRE(WriteStream(b, StreamCompression::kGzip, "second\n", 100).ok());
  WriteFileBytes(TempPath("ab.gz"), ReadFileBytes(a) + ReadFileBytes(b));
  CHECK(ReadDecompressed(TempPath("ab.gz")) == "first\nsecond\n");
  a = TempPath("a.zst");
  b = TempPath("b.zst");
  REQUIRE(WriteStream(a, StreamCompression::kZstd, "first\n", 100).ok());
  REQUIRE(WriteStream(b, StreamCompression::kZstd, "second\n", 100).ok());
  WriteFileBytes(TempPath("ab.zst"), ReadFileBytes(a) + ReadFileBytes(b));
  CHECK(ReadDecompressed(TempPath("ab.zst")) == "first\nsecond\n");
}

TEST_CASE("truncated or corrupt compressed input is Corruption") {
  const std::string data = Payload();
  for (auto [codec, ext] :
       {std::pair{StreamCompression::kGzip, ".gz"}, std::pair{StreamCompression::kZstd, ".zst"}}) {
    const char* extension = ext;  // clang 14: CAPTURE cannot name a structured binding
    CAPTURE(extension);
    std::string path = TempPath(std::string("trunc") + ext);
    REQUIRE(WriteStream(path, codec, data, 1 << 20).ok());
    std::string bytes = ReadFileBytes(path);
    WriteFileBytes(path, bytes.substr(0, bytes.size() / 2));
    auto in = InputStream::Open(path, codec);
    REQUIRE(in.ok());
    std::vector<char> buf(1 << 16);
    Status st;
    for (;;) {
      auto n = (*in)->Read(buf.data(), buf.size());
      if (!n.ok()) {
        st = n.status();
        break;
      }
      if (*n == 0) break;
    }
    CHECK(st.code() == StatusCode::kCorruption);
    CHECK(st.message().find(path) == 0);
  }
  WriteFileBytes(TempPath("garbage.gz"), "this is not gzip at all");
  auto in = InputStream::Open(TempPath("garbage.gz"), StreamCompression::kGzip);
  REQUIRE(in.ok());
  char c[16];
  CHECK((*in)->Read(c, sizeof(c)).status().code() == StatusCode::kCorruption);
}

TEST_CASE("byte ranges and file sizes") {
  std::string path = TempPath("range.txt");
  WriteFileBytes(path, "0123456789");
  CHECK(*InputStream::FileSize(path) == 10);
  auto in = InputStream::OpenRange(path, 3, 7);
  REQUIRE(in.ok());
  char buf[16];
  auto n = (*in)->Read(buf, sizeof(buf));
  REQUIRE(n.ok());
  CHECK(std::string(buf, *n) == "3456");
  CHECK(*(*in)->Read(buf, sizeof(buf)) == 0);
  auto tail = InputStream::OpenRange(path, 8, 100);
  REQUIRE(tail.ok());
  n = (*tail)->Read(buf, sizeof(buf));
  CHECK(std::string(buf, *n) == "89");
  CHECK(InputStream::FileSize(TempPath("nope")).status().code() == StatusCode::kNotFound);
  CHECK(InputStream::OpenRange("-", 0, 1).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("an output replaces its target only on Close") {
  std::string path = TempPath("replace.txt");
  WriteFileBytes(path, "old");
  {
    auto out = OutputStream::Open(path, StreamCompression::kNone);
    REQUIRE(out.ok());
    REQUIRE((*out)->Write("new").ok());
    CHECK(ReadFileBytes(path) == "old");
  }  // abandoned
  CHECK(ReadFileBytes(path) == "old");
  auto out = OutputStream::Open(path, StreamCompression::kNone);
  REQUIRE(out.ok());
  REQUIRE((*out)->Write("new").ok());
  REQUIRE((*out)->Close().ok());
  CHECK((*out)->Close().ok());
  CHECK(ReadFileBytes(path) == "new");
}

TEST_CASE("an output's temporary is .NAME.tmp-PID-*, and stale ones of the same name go") {
  namespace fs = std::filesystem;
  const fs::path dir = TempPath("temporaries");
  fs::remove_all(dir);
  fs::create_directories(dir);
  // A PID that names no process: a child that has exited and been reaped.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  REQUIRE(child > 0);
  ::waitpid(child, nullptr, 0);
  const std::string self = std::to_string(::getpid());
  const std::vector<std::string> stale = {".out.csv.tmp-abc",
                                          ".out.csv.tmp-" + std::to_string(child) + "-Zq3xYw"};
  const std::vector<std::string> kept = {".out.csv.tmp-" + self + "-alive1",  // a live writer's
                                         ".other.csv.tmp-1-x", ".out.csv.tmp", "out.csv.tmp-1-x"};
  for (const auto& name : stale) WriteFileBytes((dir / name).string(), "stale");
  for (const auto& name : kept) WriteFileBytes((dir / name).string(), "kept");

  const std::string path = (dir / "out.csv").string();
  auto listing = [&] {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
    return names;
  };
  {
    auto out = OutputStream::Open(path, StreamCompression::kNone);
    REQUIRE(out.ok());
    std::set<std::string> names = listing();
    for (const auto& name : stale) CHECK(names.count(name) == 0);
    for (const auto& name : kept) CHECK(names.count(name) == 1);
    std::vector<std::string> ours;
    for (const auto& name : names) {
      if (name.rfind(".out.csv.tmp-" + self + "-", 0) == 0 && name != kept[0]) ours.push_back(name);
    }
    REQUIRE(ours.size() == 1);
    CHECK(IsTemporaryName(ours[0]));
    CHECK(ours[0].size() == (".out.csv.tmp-" + self + "-").size() + 6);
  }  // abandoned: its temporary goes
  std::set<std::string> after = listing();
  CHECK(after == std::set<std::string>(kept.begin(), kept.end()));
  CHECK(!IsTemporaryName("out.csv"));
  CHECK(!IsTemporaryName("part-00000.csv"));
  fs::remove_all(dir);
}

TEST_CASE("a long output keeps every byte across write-behind ranges, Sync and Continue") {
  // Past several of the 8 MiB ranges whose write-back starts while writing, in odd pieces so the
  // ranges end mid-write; Sync reports the offset the ranges have to agree with, and a file
  // continued from it goes on at that offset.
  std::string data;
  for (int64_t i = 0; data.size() < (size_t{20} << 20); ++i) {
    data += "row " + std::to_string(i * 2654435761 % 1000003) + "\n";
  }
  const std::string path = TempPath("long.txt");
  const size_t cut = (size_t{13} << 20) + 12345;
  std::string temp;
  {
    auto out = OutputStream::Open(path, StreamCompression::kNone);
    REQUIRE(out.ok());
    for (size_t i = 0; i < cut; i += 700001) {
      REQUIRE(
          (*out)->Write(std::string_view(data).substr(i, std::min<size_t>(700001, cut - i))).ok());
    }
    auto synced = (*out)->Sync();
    REQUIRE(synced.ok());
    CHECK(*synced == static_cast<int64_t>(cut));
    REQUIRE((*out)->Write("lost when the run stops\n").ok());
    temp = (*out)->temporary_path();
  }  // abandoned after its checkpoint, as a killed run is (the temporary is removed: keep a copy)
  WriteFileBytes(temp, data.substr(0, cut) + "lost when the run stops\n");
  auto more = OutputStream::Continue(path, temp, static_cast<int64_t>(cut));
  REQUIRE(more.ok());
  for (size_t i = cut; i < data.size(); i += 3 << 20) {
    REQUIRE((*more)->Write(std::string_view(data).substr(i, 3 << 20)).ok());
  }
  auto end = (*more)->Sync();
  REQUIRE(end.ok());
  CHECK(*end == static_cast<int64_t>(data.size()));
  REQUIRE((*more)->Close().ok());
  CHECK(ReadFileBytes(path) == data);
  for (const auto& [codec, ext] :
       {std::pair{StreamCompression::kGzip, ".gz"}, std::pair{StreamCompression::kZstd, ".zst"}}) {
    const std::string p = TempPath(std::string("long") + ext);
    REQUIRE(WriteStream(p, codec, data, 1 << 20).ok());
    CHECK(ReadDecompressed(p) == data);
  }
}
