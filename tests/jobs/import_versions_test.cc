// RunImport --versions (jobs/import_job.h) against the emulator, in-process: the long layout's
// JSON Lines `value` when the selection mixes types (strings that look like the layout's own keys,
// non-UTF-8 strings, binaries), --output DIR/ parts in the long layout, decimal and timestamp
// value columns in CSV, and the shared RateLimiter of jobs/job_common.h. The DuckDB-checked
// scenarios are in tests/e2e/import_versions.test.mjs.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "emulator/server.h"
#include "jobs/import_job.h"
#include "jobs/job_common.h"
#include "tsbridge/tablestore/client.h"
#include "support/emulator_fixture.h"
#include "support/testing.h"

using namespace tsb;
using namespace tsb::ots;

namespace {

using tsb::testing::ReadFile;
using tsb::testing::SplitLines;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Table "h" (k STRING, max 5 versions); each row gets its cells through UpdateRow, one call per
// version, at timestamps t0, t0 + 1000, ...
struct Fixture : tsb::testing::EmulatorFixture {
  std::filesystem::path dir;
  const int64_t t0 = NowMs() - 3600 * 1000;

  Fixture() : EmulatorFixture("versionstest") {
    UseDevKeyFromEnvironment();
    CreateTableRequest t;
    t.meta.name = "h";
    t.meta.primary_key = {{"k", PrimaryKeyType::kString}};
    t.options.max_versions = 5;
    REQUIRE(client->CreateTable(t).ok());

    char templ[] = "/tmp/tsb-import-versions-XXXXXX";
    REQUIRE(mkdtemp(templ) != nullptr);
    dir = templ;
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  void Update(std::string_view key, std::vector<std::pair<std::string, Value>> cells, int64_t ts) {
    Row row;
    Cell k;
    k.name = "k";
    k.value = Value::String(key);
    row.primary_key.push_back(k);
    for (const auto& [name, value] : cells) {
      Cell c;
      c.name = name;
      c.value = value;
      c.timestamp = ts;
      row.attributes.push_back(c);
    }
    WriteRowRequest request;
    request.table = "h";
    request.row = &row;
    WriteRowResult result;
    Status s = client->UpdateRow(request, &result);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }

  std::string Spec(const std::string& columns, const std::string& mapping) const {
    const auto path = dir / ("spec-" + std::to_string(counter_++) + ".json");
    std::ofstream spec(path);
    spec << R"({"tablestore": {"endpoint": ")" << server.endpoint()
         << R"(", "instance": "versionstest", "table": "h"}, "columns": [)" << columns
         << R"(], "mapping": ")" << mapping << R"("})";
    return path.string();
  }

  jobs::ImportOptions Import(const std::string& spec, const std::string& output,
                             int versions) const {
    jobs::ImportOptions o;
    o.spec_path = spec;
    o.output = output;
    o.quiet = true;
    o.versions = versions;
    return o;
  }

 private:
  mutable int counter_ = 0;
};

}  // namespace

TEST_CASE("import --versions: mixed JSON Lines values keep their JSON forms, whatever they hold") {
  Fixture f;
  // Strings that spell the layout's own keys, quotes, a non-UTF-8 string and binaries.
  const std::string tricky = R"(a,"value_bigint":null,"value_string":1})";
  const std::string latin1 = "caf\xE9";
  f.Update("a", {{"n", Value::Integer(-9223372036854775807 - 1)}, {"s", Value::String(tricky)}},
           f.t0);
  f.Update("a", {{"n", Value::Integer(42)}, {"s", Value::String(latin1)},
                 {"b", Value::Binary(std::string("\x00\xFF", 2))}},
           f.t0 + 1000);
  f.Update("b\"}", {{"s", Value::String("")}, {"b", Value::Binary("")}}, f.t0 + 2000);

  const std::string spec = f.Spec(
      R"({"name": "k", "type": "string"}, {"name": "n", "type": "bigint"},
         {"name": "s", "type": "string"}, {"name": "b", "type": "binary"})",
      ":k, n, s, b");
  jobs::JobSummary summary;
  Status s = jobs::RunImport(f.Import(spec, (f.dir / "mixed.jsonl").string(), 5), &summary);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(summary.rows_read == 2);
  CHECK(summary.rows_written == 7);

  std::vector<std::string> lines = SplitLines(ReadFile(f.dir / "mixed.jsonl"));
  REQUIRE(lines.size() == 7);
  const std::string t0 = std::to_string(f.t0);
  const std::string t1 = std::to_string(f.t0 + 1000);
  const std::string t2 = std::to_string(f.t0 + 2000);
  CHECK(lines[0] == R"({"k":"a","column":"n","timestamp":)" + t1 + R"(,"value":42})");
  CHECK(lines[1] == R"({"k":"a","column":"n","timestamp":)" + t0 +
                        R"(,"value":-9223372036854775808})");
  CHECK(lines[2] == R"({"k":"a","column":"s","timestamp":)" + t1 +
                        R"(,"value":{"base64":"Y2Fm6Q=="}})");
  CHECK(lines[3] == R"({"k":"a","column":"s","timestamp":)" + t0 +
                        R"(,"value":"a,\"value_bigint\":null,\"value_string\":1}"})");
  CHECK(lines[4] == R"({"k":"a","column":"b","timestamp":)" + t1 + R"(,"value":"AP8="})");
  CHECK(lines[5] == R"({"k":"b\"}","column":"s","timestamp":)" + t2 + R"(,"value":""})");
  CHECK(lines[6] == R"({"k":"b\"}","column":"b","timestamp":)" + t2 + R"(,"value":""})");
  for (const std::string& line : lines) {
    CHECK(nlohmann::json::accept(line));
  }

  // The same in CSV: one text `value` column.
  s = jobs::RunImport(f.Import(spec, (f.dir / "mixed.csv").string(), 5), &summary);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  const std::string csv = ReadFile(f.dir / "mixed.csv");
  CHECK(csv.rfind("k,column,timestamp,value\na,n," + t1 + ",42\n", 0) == 0);
  CHECK(csv.find("\na,s," + t0 + R"(,"a,""value_bigint"":null,""value_string"":1}")" + "\n") !=
        std::string::npos);
  CHECK(csv.find("\na,b," + t1 + ",AP8=\n") != std::string::npos);
}

TEST_CASE("import --versions: decimal and timestamp columns, --output DIR/ parts, --limit") {
  Fixture f;
  for (int v = 0; v < 3; ++v) {
    for (const char* key : {"k1", "k2", "k3"}) {
      f.Update(key,
               {{"price", Value::String(std::to_string(10 + v) + ".50")},
                {"at", Value::Integer(1700000000000 + v)}},
               f.t0 + v * 1000);
    }
  }
  const std::string spec = f.Spec(
      R"x({"name": "k", "type": "string"}, {"name": "price", "type": "decimal(10,2)"},
         {"name": "at", "type": "timestamp"})x",
      ":k, price, at");
  jobs::ImportOptions o = f.Import(spec, (f.dir / "parts").string() + "/", 2);
  o.format = "csv";
  o.split_unit_bytes_for_test = 1;
  jobs::JobSummary summary;
  Status s = jobs::RunImport(o, &summary);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(summary.rows_written == 12);
  std::string all;
  for (int64_t p = 0; p < summary.splits; ++p) {
    char name[32];
    std::snprintf(name, sizeof(name), "part-%05lld.csv", static_cast<long long>(p));
    std::vector<std::string> lines = SplitLines(ReadFile(f.dir / "parts" / name));
    REQUIRE(!lines.empty());
    CHECK(lines[0] == "k,column,timestamp,value");
    for (size_t i = 1; i < lines.size(); ++i) all += lines[i] + "\n";
  }
  const std::string t1 = std::to_string(f.t0 + 1000);
  const std::string t2 = std::to_string(f.t0 + 2000);
  std::string want;
  for (const char* key : {"k1", "k2", "k3"}) {
    want += std::string(key) + ",price," + t2 + ",12.50\n";
    want += std::string(key) + ",price," + t1 + ",11.50\n";
    want += std::string(key) + ",at," + t2 + ",2023-11-14T22:13:20.002Z\n";
    want += std::string(key) + ",at," + t1 + ",2023-11-14T22:13:20.001Z\n";
  }
  CHECK(all == want);

  o = f.Import(spec, (f.dir / "limit.csv").string(), 3);
  o.limit = 5;
  s = jobs::RunImport(o, &summary);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(summary.rows_written == 5);
  CHECK(SplitLines(ReadFile(f.dir / "limit.csv")).size() == 6);
}

TEST_CASE("import --versions: refusals before any request") {
  Fixture f;
  const std::string spec =
      f.Spec(R"({"name": "value", "type": "string"}, {"name": "n", "type": "bigint"})",
             ":k, n");
  jobs::JobSummary summary;
  // (The mapping's key is "k"; the spec column naming it is "value": a clash with the layout.)
  Status s = jobs::RunImport(f.Import(spec, (f.dir / "x.csv").string(), 2), &summary);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message().find("clashes") != std::string::npos);

  jobs::ImportOptions o = f.Import(spec, (f.dir / "x.csv").string(), 0);
  o.time_from = 0;
  o.time_to = 10;
  s = jobs::RunImport(o, &summary);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message().find("--time-range needs --versions") != std::string::npos);

  o = f.Import(spec, (f.dir / "x.csv").string(), 2);
  o.where = "n > 1";
  s = jobs::RunImport(o, &summary);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(!std::filesystem::exists(f.dir / "x.csv"));
}

TEST_CASE("RateLimiter: a bucket that starts empty paces from the first token") {
  const auto start = std::chrono::steady_clock::now();
  jobs::RateLimiter empty(100, /*start_full=*/false);
  empty.Acquire(20);
  empty.Acquire(20);
  const double paced =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(paced >= 0.35);
}
