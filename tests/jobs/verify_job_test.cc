// RunVerify (jobs/verify_job.h) against the in-process emulator over a dozen splits: a file in
// another order is equal; differences in several splits are counted per split and shown in key
// order, with the key-by-key passes cut into groups of splits; --where limits both sides. The
// user-level scenarios (import's files, the official SDK changing the table) are in
// tests/e2e/verify.test.mjs.
#include "jobs/verify_job.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/cells.h"
#include "support/emulator_fixture.h"
#include "tsbridge/tablestore/client.h"

using namespace tsb;
using namespace tsb::ots;
using tsb::testing::MakeCell;

namespace {

// Table "t" (id INTEGER) of `rows` rows with v = id * 10.
struct Fixture : tsb::testing::EmulatorFixture {
  std::filesystem::path dir;

  explicit Fixture(int64_t rows) : EmulatorFixture("verifytest") {
    UseDevKeyFromEnvironment();
    CreateTableRequest t;
    t.meta.name = "t";
    t.meta.primary_key = {{"id", PrimaryKeyType::kInteger}};
    REQUIRE(client->CreateTable(t).ok());
    std::vector<Row> batch;
    auto flush = [&] {
      BatchWriteRowRequest request;
      BatchWriteTable& table = request.tables.emplace_back();
      table.table = "t";
      for (const Row& row : batch) {
        table.rows.push_back(BatchWriteRowItem{WriteType::kPut, &row, {}, {}});
      }
      BatchResult result;
      REQUIRE(client->BatchWriteRow(request, &result).ok());
      REQUIRE(result.failed_rows == 0);
      batch.clear();
    };
    for (int64_t id = 0; id < rows; ++id) {
      Row& row = batch.emplace_back();
      row.primary_key.push_back(MakeCell("id", Value::Integer(id)));
      row.attributes.push_back(MakeCell("v", Value::Integer(id * 10)));
      if (batch.size() == 200) flush();
    }
    if (!batch.empty()) flush();
    char templ[] = "/tmp/tsb-verify-test-XXXXXX";
    REQUIRE(mkdtemp(templ) != nullptr);
    dir = templ;
    std::ofstream spec(dir / "spec.json");
    spec << R"({"tablestore": {"endpoint": ")" << server.endpoint()
         << R"(", "instance": "verifytest", "table": "t"},
                "columns": [{"name": "id", "type": "bigint"}, {"name": "v", "type": "bigint"}],
                "mapping": ":id, v"})";
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  // A CSV file of the ids in `ids`, v = `v(id)`, in that order.
  std::string WriteCsv(const std::string& name, const std::vector<int64_t>& ids,
                       int64_t (*v)(int64_t)) const {
    const std::string path = (dir / name).string();
    std::ofstream out(path);
    out << "id,v\n";
    for (int64_t id : ids) out << id << "," << v(id) << "\n";
    return path;
  }

  jobs::VerifyOptions Options(const std::string& input) const {
    jobs::VerifyOptions o;
    o.spec_path = (dir / "spec.json").string();
    o.input = input;
    o.quiet = true;
    o.split_unit_bytes_for_test = 64;  // a dozen splits or so for 3000 rows
    return o;
  }
};

int64_t Tens(int64_t id) { return id * 10; }
// Id 100's value changed, 2500's too.
int64_t TensButTwo(int64_t id) { return id == 100 || id == 2500 ? -1 : id * 10; }

jobs::VerifyReport Verify(const jobs::VerifyOptions& o) {
  jobs::VerifyReport report;
  jobs::JobSummary summary;
  Status s = jobs::RunVerify(o, &report, &summary);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return report;
}

}  // namespace

TEST_CASE("verify: a file in reverse order is equal to its table over many splits") {
  Fixture f(3000);
  std::vector<int64_t> ids;
  for (int64_t id = 2999; id >= 0; --id) ids.push_back(id);
  jobs::VerifyOptions o = f.Options(f.WriteCsv("reverse.csv", ids, &Tens));
  o.parallel = 3;
  jobs::VerifyReport r = Verify(o);
  CHECK(r.equal());
  CHECK(r.splits.size() > 5);  // the scanned splits and the bucket of keys in none
  CHECK(r.table_rows == 3000);
  CHECK(r.file_rows == 3000);
  CHECK(r.differing_rows() == 0);
  CHECK(r.shown.empty());
}

TEST_CASE("verify: differences in several splits, counted per split and shown in key order") {
  Fixture f(3000);
  // Missing: 7 and 2999 (not in the file); extra: 5000 and -3; changed: 100 and 2500; and 1500
  // twice (a duplicate is one extra row).
  std::vector<int64_t> ids = {5000, -3, 1500};
  for (int64_t id = 0; id < 3000; ++id) {
    if (id != 7 && id != 2999) ids.push_back(id);
  }
  const std::string file = f.WriteCsv("diff.csv", ids, &TensButTwo);
  for (int64_t per_pass : {int64_t{1}, int64_t{1'000'000}}) {
    CAPTURE(per_pass);
    jobs::VerifyOptions o = f.Options(file);
    o.show = 100;
    o.detail_rows_per_pass = per_pass;  // 1: each differing split is its own pass
    jobs::VerifyReport r = Verify(o);
    CHECK(!r.equal());
    CHECK(r.table_rows == 3000);
    CHECK(r.file_rows == 3001);
    int64_t missing = 0, extra = 0, changed = 0, differing = 0;
    for (const jobs::VerifySplit& s : r.splits) {
      missing += s.missing;
      extra += s.extra;
      changed += s.changed;
      differing += s.differs ? 1 : 0;
      if (!s.differs) CHECK(s.table_rows == s.file_rows);
    }
    CHECK(missing == 2);
    CHECK(extra == 3);
    CHECK(changed == 2);
    CHECK(differing >= 3);
    REQUIRE(r.shown.size() == 7);
    std::vector<std::string> seen;
    for (const jobs::VerifyRowDiff& d : r.shown) {
      const char* kind = d.kind == jobs::VerifyRowDiff::Kind::kMissing ? "missing"
                         : d.kind == jobs::VerifyRowDiff::Kind::kExtra ? "extra"
                                                                       : "changed";
      REQUIRE(d.key_texts.size() == 1);
      seen.push_back(std::string(kind) + " " + d.key_texts[0].value_or("NULL") + " " +
                     (d.table_values.empty() ? "-" : d.table_values[1].value_or("NULL")) + " " +
                     (d.file_values.empty() ? "-" : d.file_values[1].value_or("NULL")));
    }
    // Split by split in key order; -3 and 5000 lie in the first and last splits (the table's
    // splits cover the whole key space).
    CHECK(seen == std::vector<std::string>{"extra -3 - -30", "missing 7 70 -",
                                           "changed 100 1000 -1", "extra 1500 - 15000",
                                           "changed 2500 25000 -1", "missing 2999 29990 -",
                                           "extra 5000 - 50000"});
  }

  // --show 2: the first two by key; the counts stay whole.
  jobs::VerifyOptions o = f.Options(file);
  o.show = 2;
  jobs::VerifyReport r = Verify(o);
  CHECK(r.shown.size() == 2);
  CHECK(r.differing_rows() == 7);

  // --where limits both sides: ids 200..1499 hold no difference; 200..1500 holds the duplicate.
  o.show = 10;
  o.where = "id >= 200 AND id < 1500";
  r = Verify(o);
  CHECK(r.equal());
  CHECK(r.table_rows == 1300);
  CHECK(r.file_rows == 1300);
  o.where = "id >= 200 AND id <= 1500 AND v >= 0";
  r = Verify(o);
  CHECK(!r.equal());
  CHECK(r.differing_rows() == 1);
  REQUIRE(r.shown.size() == 1);
  CHECK(r.shown[0].kind == jobs::VerifyRowDiff::Kind::kExtra);
  CHECK(r.shown[0].key_texts[0] == "1500");
}
