// Writers that make durable points (formats/format.h, ResumableWriter): a writer killed after a
// point and continued from it by another process ends with exactly the bytes of an uninterrupted
// writer, for every resumable format; a compressed output is refused.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "formats/format.h"
#include "formats/text_testing.h"
#include "support/round_trip.h"
#include "support/temp_files.h"
#include "tsbridge/row_batch.h"

namespace tsb::testing {
namespace {

// The round-trip rows, as one list to cut anywhere.
struct Rows {
  Rows() : schema(std::make_shared<const Schema>(RoundTripFields())) {
    batches = RoundTripBatches(schema);
    for (const RowBatch& b : batches) {
      for (size_t r = 0; r < b.num_rows(); ++r) refs.push_back({&b, r});
    }
  }
  // Writes rows [begin, end) in batches of at most `step` rows.
  void Write(BatchWriter* w, size_t begin, size_t end, size_t step) const {
    while (begin < end) {
      const size_t n = std::min(step, end - begin);
      RowBatch batch(schema, n);
      for (size_t i = 0; i < n; ++i)
        batch.AppendRow(*refs[begin + i].first, refs[begin + i].second);
      REQUIRE(w->Write(batch).ok());
      begin += n;
    }
  }
  std::shared_ptr<const Schema> schema;
  std::vector<RowBatch> batches;
  std::vector<std::pair<const RowBatch*, size_t>> refs;
};

WriterOptions OptionsFor(const std::string& name) {
  WriterOptions o;
  auto f = FormatFromPath(name, &o.compression);
  REQUIRE(f.ok());
  o.format = *f;
  o.path = TempPath(name);
  o.row_group_rows = 7;  // many row groups in a few rows
  return o;
}

std::string Serialize(const DurablePoint& p) {
  return p.temp_path + '\n' + std::to_string(p.bytes) + '\n' + std::to_string(p.rows) + '\n' +
         p.state;
}

DurablePoint Deserialize(const std::string& text) {
  DurablePoint p;
  size_t a = text.find('\n'), b = text.find('\n', a + 1), c = text.find('\n', b + 1);
  p.temp_path = text.substr(0, a);
  p.bytes = std::stoll(text.substr(a + 1, b - a - 1));
  p.rows = std::stoll(text.substr(b + 1, c - b - 1));
  p.state = text.substr(c + 1);
  return p;
}

}  // namespace

TEST_CASE(
    "resumable writers: killed after a point and continued, the bytes are an "
    "uninterrupted run's") {
  const Rows rows;
  const size_t total = rows.refs.size();
  REQUIRE(total > 40);
  for (const char* name : {"resume.csv", "resume.tsv", "resume.jsonl", "resume.parquet"}) {
    CAPTURE(name);
    WriterOptions options = OptionsFor(name);
    if (std::string(name) == "resume.tsv") {
      options.format = FileFormat::kCsv;
      options.dialect.delimiter = '\t';
    }
    auto plain = OpenWriter(*rows.schema, options);
    REQUIRE(plain.ok());
    rows.Write(plain->get(), 0, total, 5);
    REQUIRE((*plain)->Close().ok());
    const std::string expected = ReadFileBytes(options.path);
    std::filesystem::remove(options.path);

    // Points at each multiple of point_rows() the cut allows; the child dies mid-way after it.
    for (size_t cut : {size_t{0}, size_t{14}, size_t{21}, total / 7 * 7}) {
      CAPTURE(cut);
      const std::string point_file = TempPath("point");
      pid_t child = ::fork();
      REQUIRE(child >= 0);
      if (child == 0) {
        auto w = OpenResumableWriter(*rows.schema, options, nullptr);
        if (!w.ok() || cut % static_cast<size_t>((*w)->point_rows()) != 0) ::_exit(2);
        rows.Write(w->get(), 0, cut, 3);
        auto point = (*w)->MakeDurable();
        if (!point.ok() || point->rows != static_cast<int64_t>(cut)) ::_exit(3);
        WriteFileBytes(point_file, Serialize(*point));
        rows.Write(w->get(), cut, std::min(total, cut + 9), 4);  // written, never made durable
        ::_exit(0);  // a kill: no destructor removes the temporary
      }
      int status = 0;
      REQUIRE(::waitpid(child, &status, 0) == child);
      REQUIRE(WIFEXITED(status));
      REQUIRE(WEXITSTATUS(status) == 0);
      const DurablePoint point = Deserialize(ReadFileBytes(point_file));
      CHECK(std::filesystem::exists(point.temp_path));
      auto w = OpenResumableWriter(*rows.schema, options, &point);
      REQUIRE_MESSAGE(w.ok(), w.status().ToString());
      CHECK_FALSE(std::filesystem::exists(point.temp_path));  // taken over under this PID
      rows.Write(w->get(), cut, total, 6);
      REQUIRE((*w)->Close().ok());
      CHECK(ReadFileBytes(options.path) == expected);
      std::filesystem::remove(options.path);
    }
  }
}

TEST_CASE(
    "resumable writers: a Parquet point must end a row group, and a wrong footer is "
    "refused") {
  const Rows rows;
  WriterOptions options = OptionsFor("mid.parquet");
  auto w = OpenResumableWriter(*rows.schema, options, nullptr);
  REQUIRE(w.ok());
  CHECK((*w)->point_rows() == 7);
  rows.Write(w->get(), 0, 10, 10);
  CHECK_FALSE((*w)->MakeDurable().ok());
  rows.Write(w->get(), 10, 14, 10);
  auto point = (*w)->MakeDurable();
  REQUIRE(point.ok());
  CHECK(point->rows == 14);

  // Continued with other columns, the footer would not be the one a run of them writes.
  std::vector<Field> fields = rows.schema->fields();
  fields[0].name += "_renamed";
  auto refused = OpenResumableWriter(Schema(fields), options, &*point);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("cannot be continued") != std::string::npos);
  // A footer that does not parse is named as the checkpoint's.
  DurablePoint torn = *point;
  torn.state.resize(torn.state.size() / 2);
  auto unparsed = OpenResumableWriter(*rows.schema, options, &torn);
  REQUIRE_FALSE(unparsed.ok());
  CHECK(unparsed.status().message().find("the checkpoint's footer") != std::string::npos);
}

TEST_CASE(
    "resumable writers: compressed outputs and stdout are refused, and a missing or short "
    "temporary file is named") {
  const Rows rows;
  for (const char* name : {"x.csv.gz", "x.jsonl.zst"}) {
    auto w = OpenResumableWriter(*rows.schema, OptionsFor(name), nullptr);
    REQUIRE_FALSE(w.ok());
    CHECK(w.status().code() == StatusCode::kNotSupported);
    CHECK(w.status().message().find("cannot be continued") != std::string::npos);
  }
  WriterOptions out = OptionsFor("x.csv");
  out.path = "-";
  CHECK_FALSE(OpenResumableWriter(*rows.schema, out, nullptr).ok());

  DurablePoint gone{TempPath(".x.csv.tmp-1-gone"), 10, 1, ""};
  auto missing = OpenResumableWriter(*rows.schema, OptionsFor("x.csv"), &gone);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find(".x.csv.tmp-1-gone") != std::string::npos);
  WriteFileBytes(gone.temp_path, "abc");
  auto shorter = OpenResumableWriter(*rows.schema, OptionsFor("x.csv"), &gone);
  REQUIRE_FALSE(shorter.ok());
  CHECK(shorter.status().message().find("shorter than the 10 bytes") != std::string::npos);
}

}  // namespace tsb::testing
