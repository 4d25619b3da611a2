// import --resume's progress (jobs/import_resume.h): the checkpoint's payload round-trips every
// key kind exactly, a damaged one is refused naming the checkpoint, and the rows a resumed split
// drops are exactly those at or before the last key written.
#include "jobs/import_resume.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "tsbridge/job_spec.h"

using namespace tsb;
using namespace tsb::jobs;

namespace {

JobSpec Spec() {
  Result<JobSpec> spec = ParseJobSpec(R"({"tablestore": {"endpoint": "http://localhost:1",
      "instance": "i", "table": "t"},
      "columns": [{"name": "v", "type": "string"}, {"name": "g", "type": "string"},
                  {"name": "k", "type": "bigint"}],
      "mapping": "v, :g, :k"})");
  REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
  return std::move(spec).value();
}

}  // namespace

TEST_CASE("import resume: the progress of a single file round-trips, keys byte for byte") {
  ImportProgress p;
  DurablePoint point;
  point.temp_path = "/data/.out.parquet.tmp-12-AbCdEf";
  point.bytes = 123456789012;
  point.rows = 40960;
  point.state = std::string("\x15\x00\xff\x80 footer", 11);
  p.file = point;
  p.split = 3;
  p.after = {OtsValue::String(std::string("g\xff\x00", 3)), OtsValue::Integer(-9007199254740993),
             OtsValue::Binary(std::string("\x00\x01", 2))};
  p.rows = 40960;
  Result<ImportProgress> back = ImportProgress::FromJson(p.ToJson(), "cp");
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  REQUIRE(back->file.has_value());
  CHECK(back->file->temp_path == point.temp_path);
  CHECK(back->file->bytes == point.bytes);
  CHECK(back->file->rows == point.rows);
  CHECK(back->file->state == point.state);
  CHECK(back->split == 3);
  CHECK(back->rows == 40960);
  REQUIRE(back->after.size() == 3);
  for (size_t i = 0; i < 3; ++i) CHECK(back->after[i] == p.after[i]);
}

TEST_CASE("import resume: a directory's progress round-trips; a damaged one names the checkpoint") {
  ImportProgress p;
  p.parts_done = 7;
  p.rows = 99;
  Result<ImportProgress> back = ImportProgress::FromJson(p.ToJson(), "cp");
  REQUIRE(back.ok());
  CHECK_FALSE(back->file.has_value());
  CHECK(back->parts_done == 7);
  CHECK(back->rows == 99);

  for (const char* damaged : {R"({})", R"({"rows": 1})", R"({"rows": 1, "file": {}})",
                              R"({"rows": 1, "parts_done": -1})"}) {
    CAPTURE(damaged);
    Result<ImportProgress> bad =
        ImportProgress::FromJson(nlohmann::json::parse(damaged), "DIR/_cp");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().code() == StatusCode::kInvalidArgument);
    CHECK(bad.status().message().find("DIR/_cp") == 0);
    CHECK(bad.status().message().find("--restart") != std::string::npos);
  }
}

TEST_CASE("import resume: the rows dropped from a resumed split are those up to the last key") {
  const JobSpec spec = Spec();
  RowBatch batch(std::make_shared<const Schema>(spec.schema()));
  auto add = [&](const char* g, int64_t k) {
    batch.column(0).AppendBytes("v");
    batch.column(1).AppendBytes(g);
    batch.column(2).AppendInt(k);
    batch.CommitRow();
  };
  add("a", 5);
  add("a", 9);
  add("b", 1);
  Result<std::vector<OtsValue>> key = RowKey(batch, 1, spec);
  REQUIRE(key.ok());
  REQUIRE(key->size() == 2);  // the key columns, in key order, not the spec's
  CHECK((*key)[0] == OtsValue::String("a"));
  CHECK((*key)[1] == OtsValue::Integer(9));
  CHECK(*RowsThrough(batch, spec, *key) == 2);
  CHECK(*RowsThrough(batch, spec, {OtsValue::String("a"), OtsValue::Integer(4)}) == 0);
  CHECK(*RowsThrough(batch, spec, {OtsValue::String("b"), OtsValue::Integer(1)}) == 3);
}
