// Export's --resume parts (jobs/export_resume.h): the acknowledged prefix under out-of-order
// acknowledgments, the line cursor that turns record lines into byte offsets (checked against
// the bytes themselves), the payload's round trip, and the reject file cut back to a checkpoint.
#include "jobs/export_resume.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "jobs/reject_writer.h"
#include "support/temp_files.h"

using namespace tsb;
using namespace tsb::jobs;
namespace fs = std::filesystem;

namespace {

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::pair<int64_t, int64_t> Snap(const AckPrefix& a) {
  int64_t position = 0, records = 0;
  a.Snapshot(&position, &records);
  return {position, records};
}

}  // namespace

TEST_CASE("AckPrefix: the contiguous prefix, not the last acknowledgment") {
  AckPrefix acks(2, 0);  // a CSV's first record is on line 2
  CHECK(Snap(acks) == std::pair<int64_t, int64_t>{2, 0});
  acks.Begin(2, 3, 3);  // lines 2, 3, 4
  acks.Begin(5, 4, 3);  // lines 5..8, one of them a reader reject (acknowledged already)
  acks.Begin(9, 2, 2);  // lines 9, 10
  // The second and third batches finish first: nothing is acknowledged before line 2 still.
  for (int64_t p : {5, 6, 8, 9, 10}) acks.Done(p);
  CHECK(Snap(acks) == std::pair<int64_t, int64_t>{2, 0});
  acks.Done(3);
  acks.Done(2);
  CHECK(Snap(acks) == std::pair<int64_t, int64_t>{2, 0});
  acks.Done(4);
  // All three are done, but where the last one ends is not known: it counts as not done.
  CHECK(Snap(acks) == std::pair<int64_t, int64_t>{9, 7});
  acks.Begin(11, 1, 1);
  CHECK(Snap(acks) == std::pair<int64_t, int64_t>{11, 9});
}

TEST_CASE("AckPrefix: a resumed range starts where the checkpoint said, with its count") {
  AckPrefix acks(1001, 1000);
  acks.Begin(1001, 10, 10);
  for (int64_t p = 1001; p < 1010; ++p) acks.Done(p);
  acks.Begin(1011, 5, 5);
  CHECK(Snap(acks) == std::pair<int64_t, int64_t>{1001, 1000});  // line 1010 is still out
  acks.Done(1010);
  CHECK(Snap(acks) == std::pair<int64_t, int64_t>{1011, 1010});
}

TEST_CASE("AckPrefix: a request's rows acknowledged at once move the prefix as one by one") {
  // Requests hold rows of several batches, out of order (writers, generations, retries): every
  // DoneAll must leave the prefix where Done of each of its positions would have.
  std::mt19937 rng(20);
  for (int round = 0; round < 200; ++round) {
    AckPrefix one(2, 7), all(2, 7);
    std::vector<int64_t> rows;  // the positions handed to the writers
    int64_t next = 2;
    const int batches = 1 + static_cast<int>(rng() % 6);
    for (int b = 0; b < batches; ++b) {
      const int64_t n = 1 + static_cast<int64_t>(rng() % 9);
      const int64_t reader_rejects = static_cast<int64_t>(rng() % 3);
      one.Begin(next, n + reader_rejects, n);
      all.Begin(next, n + reader_rejects, n);
      for (int64_t i = 0; i < n; ++i) rows.push_back(next + i);
      next += n + reader_rejects;
    }
    std::shuffle(rows.begin(), rows.end(), rng);
    for (size_t at = 0; at < rows.size();) {
      const size_t take = std::min(rows.size() - at, static_cast<size_t>(1 + rng() % 12));
      std::vector<int64_t> request(rows.begin() + static_cast<std::ptrdiff_t>(at),
                                   rows.begin() + static_cast<std::ptrdiff_t>(at + take));
      if (rng() % 2 == 0) std::sort(request.begin(), request.end());
      for (int64_t p : request) one.Done(p);
      all.DoneAll(request);
      REQUIRE(Snap(all) == Snap(one));
      at += take;
    }
  }
  // Positions before the first batch (acknowledged by an earlier run) change nothing.
  AckPrefix acks(10, 8);
  acks.Begin(10, 2, 2);
  acks.Begin(12, 1, 1);
  const std::vector<int64_t> request = {4, 11, 10, 3};
  acks.DoneAll(request);
  CHECK(Snap(acks) == std::pair<int64_t, int64_t>{12, 10});
}

TEST_CASE("LineCursor: each line's first byte, with LF, CRLF and a lone CR") {
  testing::ScratchDir dir;
  const std::string data = "h,e\r\na,1\rb,\"x\ny\"\n\nc,3";
  WriteFile(dir / "x.csv", data);
  // Where each line starts, found by hand: after "h,e\r\n", "a,1\r", "b,\"x\n", "y\"\n", "\n".
  const std::vector<uint64_t> starts = {0, 5, 9, 14, 17, 18};
  {
    auto cursor = LineCursor::Open(dir / "x.csv", /*cr_ends_line=*/true);
    REQUIRE(cursor.ok());
    for (size_t line = 1; line <= starts.size(); ++line) {
      auto at = (*cursor)->Start(static_cast<int64_t>(line));
      REQUIRE(at.ok());
      CHECK(*at == starts[line - 1]);
    }
    auto past = (*cursor)->Start(40);
    REQUIRE(past.ok());
    CHECK(*past == data.size());
  }
  {
    // JSON Lines: a CR is data, so "a,1\rb..." is one line.
    auto cursor = LineCursor::Open(dir / "x.csv", /*cr_ends_line=*/false);
    REQUIRE(cursor.ok());
    auto at = (*cursor)->Start(3);
    REQUIRE(at.ok());
    CHECK(*at == 14);
  }
  {
    // Opened mid-file at a known line start, as a --scatter range's cursor is.
    auto cursor = LineCursor::Open(dir / "x.csv", true, 9, 3);
    REQUIRE(cursor.ok());
    auto at = (*cursor)->Start(5);
    REQUIRE(at.ok());
    CHECK(*at == 17);
  }
  auto header = ReadLeadingLines(dir / "x.csv", true, 2);
  REQUIRE(header.ok());
  CHECK(*header == "h,e\r\n");
}

TEST_CASE("LineCursor: line starts across read blocks agree with a byte-by-byte count") {
  testing::ScratchDir dir;
  // Lines of every length up to 60 bytes ending in LF, CRLF or a lone CR, over several read
  // blocks, so breaks (and CRLF pairs) fall on block boundaries too.
  std::string data;
  uint64_t seed = 12345;
  while (data.size() < 3 * InputStream::kBlockSize + 100) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    data.append(static_cast<size_t>(seed >> 58), 'x');
    const char* ends[] = {"\n", "\r\n", "\r"};
    data += ends[(seed >> 20) % 3];
  }
  for (bool cr : {true, false}) {
    CAPTURE(cr);
    std::vector<uint64_t> starts = {0};
    for (size_t i = 0; i < data.size(); ++i) {
      if (data[i] == '\n' ||
          (cr && data[i] == '\r' && (i + 1 == data.size() || data[i + 1] != '\n'))) {
        starts.push_back(i + 1);
      }
    }
    WriteFile(dir / "big.csv", data);
    auto cursor = LineCursor::Open(dir / "big.csv", cr);
    REQUIRE(cursor.ok());
    for (size_t line = 1; line <= starts.size(); line += 1 + line % 3) {
      auto at = (*cursor)->Start(static_cast<int64_t>(line));
      REQUIRE(at.ok());
      REQUIRE(*at == starts[line - 1]);
    }
    auto past = (*cursor)->Start(static_cast<int64_t>(starts.size()) + 5);
    REQUIRE(past.ok());
    CHECK(*past == data.size());
  }
}

TEST_CASE("ResumePayload: a round trip, and a foreign payload named") {
  ResumePayload p;
  p.scatter = true;
  p.ranges.push_back({0, 100, 0, 0, INT64_MAX, 2, 12, 1});
  p.ranges.push_back({100, 250, 7, 0, INT64_MAX, 9, 140, 3});
  p.rejects_bytes = 321;
  p.rejects_past = {12, 15};
  auto back = ResumePayload::FromJson(p.ToJson());
  REQUIRE(back.ok());
  CHECK(back->ToJson() == p.ToJson());
  CHECK(back->ranges[1].offset == 140);
  CHECK(back->ranges[0].end_row == INT64_MAX);
  auto bad = ResumePayload::FromJson(nlohmann::json{{"splits", 3}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("--restart") != std::string::npos);
}

TEST_CASE("RejectWriter: resumed, cut back to the checkpoint, and no reject written twice") {
  testing::ScratchDir dir;
  RejectFileOptions options;
  options.path = dir / "r.jsonl";
  options.format = RejectFormat::kJsonl;
  options.columns = {Field{"k", DataType::Of(TypeId::kInt64)}};
  options.raw_record = false;
  auto reject = [](int64_t position) {
    RejectRecord r;
    r.position = position;
    r.code = "TSB_BAD_VALUE";
    r.message = "bad";
    return r;
  };
  int64_t bytes_at_checkpoint = 0;
  std::vector<int64_t> listed;
  {
    RejectWriter first(options);
    REQUIRE(first.Write(reject(3)).ok());
    REQUIRE(first.Write(reject(8)).ok());
    REQUIRE(first
                .Sync([&](int64_t bytes, std::vector<int64_t>* positions) {
                  bytes_at_checkpoint = bytes;
                  listed = *positions;
                })
                .ok());
    REQUIRE(first.Write(reject(12)).ok());  // after the checkpoint: cut off on resume
    REQUIRE(first.Close().ok());
  }
  CHECK(listed == std::vector<int64_t>{3, 8});
  const std::string kept = ReadFile(options.path).substr(0, bytes_at_checkpoint);
  CHECK(kept.find("\"_source_position\":8") != std::string::npos);

  // The checkpoint's positions ended before line 8: line 8 comes again and is not written twice.
  RejectWriter resumed(options);
  REQUIRE(resumed.ResumeFrom(bytes_at_checkpoint, {8}).ok());
  REQUIRE(resumed.Write(reject(8)).ok());
  REQUIRE(resumed.Write(reject(12)).ok());
  CHECK(resumed.count() == 2);
  REQUIRE(resumed.Close().ok());
  const std::string text = ReadFile(options.path);
  CHECK(text.substr(0, bytes_at_checkpoint) == kept);
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  CHECK(lines == 3);  // 3, 8, 12: each once
  CHECK(text.find("\"_source_position\":12") != std::string::npos);

  // A checkpoint taken before any reject removes the interrupted run's file.
  RejectWriter fresh(options);
  REQUIRE(fresh.ResumeFrom(0, {}).ok());
  CHECK_FALSE(fs::exists(options.path));
}
