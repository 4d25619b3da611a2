// RunImport (jobs/import_job.h) against the emulator, in-process: part files and the reject file
// of --output DIR/, --max-errors, --limit over parallel splits, --explain without a file, and a
// failed job leaving nothing under the final name. The user-level scenarios (the guide's table,
// DuckDB as the oracle) are in tests/e2e/import_*.test.mjs.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/exit_status.h"
#include "emulator/faults.h"
#include "emulator/server.h"
#include "jobs/import_job.h"
#include "tsbridge/tablestore/client.h"
#include "support/cells.h"
#include "support/emulator_fixture.h"
#include "support/testing.h"

using namespace tsb;
using namespace tsb::ots;
using tsb::testing::MakeCell;

namespace {

using tsb::testing::ReadFile;
using tsb::testing::SplitLines;

// An emulator with table "t" (id INTEGER) holding `rows` rows: v = id * 10, except the ids in
// `bad`, whose v is the STRING "bad".
struct Fixture : tsb::testing::EmulatorFixture {
  std::filesystem::path dir;

  explicit Fixture(int64_t rows, const std::vector<int64_t>& bad = {}) : EmulatorFixture("importtest") {
    UseDevKeyFromEnvironment();
    CreateTableRequest t;
    t.meta.name = "t";
    t.meta.primary_key = {{"id", PrimaryKeyType::kInteger}};
    REQUIRE(client->CreateTable(t).ok());

    std::vector<Row> batch;
    auto flush = [&] {
      if (batch.empty()) return;
      BatchWriteRowRequest request;
      BatchWriteTable& table = request.tables.emplace_back();
      table.table = "t";
      for (const Row& row : batch) table.rows.push_back(BatchWriteRowItem{WriteType::kPut, &row, {}, {}});
      BatchResult result;
      Status w = client->BatchWriteRow(request, &result);
      REQUIRE_MESSAGE(w.ok(), w.ToString());
      REQUIRE(result.failed_rows == 0);
      batch.clear();
    };
    for (int64_t id = 0; id < rows; ++id) {
      Row& row = batch.emplace_back();
      const bool is_bad = std::find(bad.begin(), bad.end(), id) != bad.end();
      row.primary_key.push_back(MakeCell("id", Value::Integer(id)));
      row.attributes.push_back(
          MakeCell("v", is_bad ? Value::String("bad") : Value::Integer(id * 10)));
      if (batch.size() == 200) flush();
    }
    flush();

    char templ[] = "/tmp/tsb-import-test-XXXXXX";
    REQUIRE(mkdtemp(templ) != nullptr);
    dir = templ;
    std::ofstream spec(dir / "spec.json");
    spec << R"({"tablestore": {"endpoint": ")" << server.endpoint()
         << R"(", "instance": "importtest", "table": "t"},
                "columns": [{"name": "id", "type": "bigint"}, {"name": "v", "type": "bigint"}],
                "mapping": ":id, v"})";
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  jobs::ImportOptions Import(const std::string& output) const {
    jobs::ImportOptions o;
    o.spec_path = (dir / "spec.json").string();
    o.output = output;
    o.quiet = true;
    return o;
  }
};

}  // namespace

TEST_CASE("import: --output DIR/ writes one part per split and DIR/_rejects.jsonl") {
  Fixture f(3000, {5, 2999});
  jobs::ImportOptions o = f.Import((f.dir / "out").string() + "/");
  o.format = "csv";
  jobs::JobSummary summary;
  Status s = jobs::RunImport(o, &summary);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(summary.rows_read == 3000);
  CHECK(summary.rows_written == 2998);
  CHECK(summary.rows_rejected == 2);
  CHECK(summary.splits >= 1);

  std::vector<std::string> parts;
  for (const auto& e : std::filesystem::directory_iterator(f.dir / "out")) {
    parts.push_back(e.path().filename().string());
  }
  std::sort(parts.begin(), parts.end());
  // "_SUCCESS" sorts first ('S' < 'r'): the finished import's marker, then the reject file.
  REQUIRE(parts.size() == static_cast<size_t>(summary.splits) + 2);
  CHECK(parts[0] == "_SUCCESS");
  CHECK(std::filesystem::file_size(f.dir / "out" / "_SUCCESS") == 0);
  parts.erase(parts.begin());
  CHECK(parts.front() == "_rejects.jsonl");
  CHECK(parts[1] == "part-00000.csv");

  int64_t expected_id = 0;
  for (size_t p = 1; p < parts.size(); ++p) {
    std::vector<std::string> lines = SplitLines(ReadFile(f.dir / "out" / parts[p]));
    REQUIRE(!lines.empty());
    CHECK(lines[0] == "id,v");
    for (size_t i = 1; i < lines.size(); ++i) {
      if (expected_id == 5) ++expected_id;
      CHECK(lines[i] == std::to_string(expected_id) + "," + std::to_string(expected_id * 10));
      ++expected_id;
    }
  }
  CHECK(expected_id == 2999);

  std::vector<std::string> rejects = SplitLines(ReadFile(f.dir / "out" / "_rejects.jsonl"));
  REQUIRE(rejects.size() == 2);
  CHECK(rejects[0] ==
        R"({"primary_key":{"id":5},"column":"v","stored_type":"STRING","expected_type":"bigint",)"
        R"("reason":"stored STRING where the spec says bigint"})");
  CHECK(rejects[1].find(R"({"primary_key":{"id":2999},)") == 0);
}

TEST_CASE("import: --max-errors stops the scan early and keeps what was written") {
  // Three GetRange pages of 5000 rows; the first page already holds too many bad rows.
  Fixture f(12000, {1, 2, 3});
  jobs::ImportOptions o = f.Import((f.dir / "out.csv").string());
  o.max_errors = 1;
  o.parallel = 1;
  jobs::JobSummary summary;
  Status s = jobs::RunImport(o, &summary);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(summary.rows_rejected == 3);
  CHECK(summary.rows_read < 12000);
  CHECK(std::filesystem::exists(f.dir / "out.csv"));
  CHECK(std::filesystem::exists(f.dir / "out.rejects.jsonl"));
}

TEST_CASE("import: --limit over parallel splits writes the first rows in key order") {
  Fixture f(2000);
  for (const std::string& output : {std::string("lim.csv"), std::string("lim/")}) {
    jobs::ImportOptions o = f.Import((f.dir / output).string());
    o.format = "csv";
    o.limit = 7;
    o.parallel = 4;
    jobs::JobSummary summary;
    Status s = jobs::RunImport(o, &summary);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(summary.rows_written == 7);
    const auto file = output == "lim.csv" ? f.dir / "lim.csv" : f.dir / "lim" / "part-00000.csv";
    CHECK(ReadFile(file) == "id,v\n0,0\n1,10\n2,20\n3,30\n4,40\n5,50\n6,60\n");
  }
}

TEST_CASE("import: --explain needs no output and writes nothing") {
  Fixture f(10);
  jobs::ImportOptions o = f.Import("");
  o.explain = true;
  o.where = "id >= 3 AND v = 40";
  jobs::JobSummary summary;
  Status s = jobs::RunImport(o, &summary);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(summary.rows_read == 0);
  CHECK(std::distance(std::filesystem::directory_iterator(f.dir), {}) == 1);  // spec.json
}

TEST_CASE("import: a failed scan leaves no file under the final name") {
  Fixture f(500);
  auto rule = emulator::ParseFaultRule("GetRange:OTSParameterInvalid:1");
  REQUIRE(rule.ok());
  f.server.faults().SetRules({*rule}, 1);
  for (const std::string& output : {std::string("fail.parquet"), std::string("fail/")}) {
    jobs::ImportOptions o = f.Import((f.dir / output).string());
    o.format = "parquet";
    jobs::JobSummary summary;
    Status s = jobs::RunImport(o, &summary);
    CHECK(s.ots_code() == "OTSParameterInvalid");
    CHECK(cli::ExitFor(s).code == 1);
  }
  CHECK(!std::filesystem::exists(f.dir / "fail.parquet"));
  CHECK(std::distance(std::filesystem::directory_iterator(f.dir / "fail"), {}) == 0);
  for (const auto& e : std::filesystem::directory_iterator(f.dir)) {
    CHECK_MESSAGE(e.path().filename().string().find("fail.parquet") == std::string::npos,
                  e.path().string());
  }
}

TEST_CASE("import: many splits: any --parallel gives the same file; --shard shares cover the table") {
  Fixture f(3000);
  // 3000 rows of ~30 encoded bytes against a 256 x 64-byte target: a dozen splits or so.
  auto import = [&](const std::string& output, int parallel, int shard_index, int shard_count) {
    jobs::ImportOptions o = f.Import((f.dir / output).string());
    o.format = "csv";
    o.parallel = parallel;
    o.shard_index = shard_index;
    o.shard_count = shard_count;
    o.split_unit_bytes_for_test = 64;
    jobs::JobSummary summary;
    Status s = jobs::RunImport(o, &summary);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    return summary;
  };
  jobs::JobSummary one = import("p1.csv", 1, 0, 0);
  jobs::JobSummary four = import("p4.csv", 4, 0, 0);
  REQUIRE(one.splits > 4);
  CHECK(four.splits == one.splits);
  const std::string whole = ReadFile(f.dir / "p1.csv");
  CHECK(ReadFile(f.dir / "p4.csv") == whole);
  CHECK(SplitLines(whole).size() == 3001);

  // Three hosts writing their shares into one directory: distinct part names, the same split
  // fingerprint, and the parts in name order are the whole table in key order.
  int64_t splits = 0;
  for (int k = 1; k <= 3; ++k) {
    jobs::JobSummary share = import("shared/", 2, k, 3);
    CHECK(share.split_fingerprint == one.split_fingerprint);
    CHECK(!share.split_fingerprint.empty());
    splits += share.splits;
  }
  CHECK(splits == one.splits);
  std::vector<std::string> parts;
  for (const auto& e : std::filesystem::directory_iterator(f.dir / "shared")) {
    parts.push_back(e.path().filename().string());
  }
  std::sort(parts.begin(), parts.end());
  CHECK(parts.size() == static_cast<size_t>(one.splits));
  std::string joined = "id,v\n";
  for (const std::string& part : parts) {
    std::vector<std::string> lines = SplitLines(ReadFile(f.dir / "shared" / part));
    REQUIRE(!lines.empty());
    CHECK(lines[0] == "id,v");
    for (size_t i = 1; i < lines.size(); ++i) joined += lines[i] + "\n";
  }
  CHECK(joined == whole);
}
