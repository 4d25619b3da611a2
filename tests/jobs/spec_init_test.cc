// BuildStarterSpec (jobs/spec_init.h) against the in-process emulator: the key from DescribeTable,
// the defined columns and the sampled attributes in name order with their types, a note for an
// attribute of several kinds, names that differ only in case, an empty table, a missing one.
#include "jobs/spec_init.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/spec_text.h"
#include "support/cells.h"
#include "support/emulator_fixture.h"
#include "tsbridge/tablestore/client.h"

using namespace tsb;
using namespace tsb::ots;
using tsb::testing::MakeCell;

namespace {

struct InitFixture : tsb::testing::EmulatorFixture {
  InitFixture() : EmulatorFixture("inittest") { UseDevKeyFromEnvironment(); }

  void Create(const std::string& table, std::vector<DefinedColumn> defined = {}) {
    CreateTableRequest t;
    t.meta.name = table;
    t.meta.primary_key = {{"pk", PrimaryKeyType::kString}, {"n", PrimaryKeyType::kInteger}};
    t.meta.defined_columns = std::move(defined);
    Status s = client->CreateTable(t);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }

  void Put(const std::string& table, std::vector<Row> rows) {
    BatchWriteRowRequest request;
    BatchWriteTable& t = request.tables.emplace_back();
    t.table = table;
    for (const Row& row : rows) t.rows.push_back(BatchWriteRowItem{WriteType::kPut, &row, {}, {}});
    BatchResult result;
    Status s = client->BatchWriteRow(request, &result);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    REQUIRE(result.failed_rows == 0);
  }

  jobs::SpecInitOptions Options(const std::string& table) {
    jobs::SpecInitOptions o;
    o.table = table;
    o.endpoint = server.endpoint();
    o.instance = instance();
    o.from_table = true;
    return o;
  }
};

Row MakeRow(int64_t n, std::vector<Cell> attributes) {
  Row row;
  row.primary_key = {MakeCell("pk", Value::String("a")), MakeCell("n", Value::Integer(n))};
  row.attributes = std::move(attributes);
  return row;
}

}  // namespace

TEST_CASE("spec init --from-table: key, defined columns, sampled attributes, kinds and case") {
  InitFixture emu;
  emu.Create("t", {{"declared", DefinedColumnType::kDouble}});
  std::vector<Row> rows;
  for (int64_t n = 0; n < 10; ++n) {
    std::vector<Cell> cells;
    // INTEGER in 7 rows, STRING in 3: typed bigint, with a note.
    cells.push_back(MakeCell("mixed", n % 3 == 1 ? Value::String("x") : Value::Integer(n)));
    cells.push_back(MakeCell("Name", Value::String("upper")));
    if (n == 4) cells.push_back(MakeCell("name", Value::String("lower")));
    if (n % 2 == 0) cells.push_back(MakeCell("flag", Value::Boolean(n == 0)));
    rows.push_back(MakeRow(n, std::move(cells)));
  }
  emu.Put("t", std::move(rows));

  auto init = jobs::BuildStarterSpec(emu.Options("t"));
  REQUIRE_MESSAGE(init.ok(), init.status().ToString());
  const JobSpec& spec = init->spec;
  CHECK(FormatJobSpec(spec) ==
        "{\n"
        "  \"tablestore\": {\n"
        "    \"endpoint\": \"" +
            emu.server.endpoint() +
            "\",\n"
            "    \"instance\": \"inittest\",\n"
            "    \"table\": \"t\"\n"
            "  },\n"
            "  \"columns\": [\n"
            "    {\"name\": \"pk\", \"type\": \"string\"},\n"
            "    {\"name\": \"n\", \"type\": \"bigint\"},\n"
            "    {\"name\": \"Name\", \"type\": \"string\"},\n"
            "    {\"name\": \"declared\", \"type\": \"double\"},\n"
            "    {\"name\": \"flag\", \"type\": \"boolean\"},\n"
            "    {\"name\": \"mixed\", \"type\": \"bigint\"},\n"
            "    {\"name\": \"name_2\", \"type\": \"string\"}\n"
            "  ],\n"
            "  \"mapping\": \":pk,:n,Name,declared,flag,mixed,name\",\n"
            "  \"file\": {\"path\": \"t.parquet\"}\n"
            "}\n");
  const std::vector<std::string> notes = {
      "attribute \"mixed\" holds INTEGER in 7 rows, STRING in 3 rows of the sample; typed "
      "bigint, so import rejects the rows of the other kinds",
      "attribute \"name\" differs from another only in letter case; its local column is "
      "\"name_2\"",
      "sampled 10 rows from 1 of 1 splits: 5 attributes; an attribute that no sampled row carries "
      "(and no defined column names) is not in the spec"};
  CHECK(init->notes == notes);
}

TEST_CASE("spec init --from-table: an empty table gives its key; a missing one is named") {
  InitFixture emu;
  emu.Create("empty");
  auto init = jobs::BuildStarterSpec(emu.Options("empty"));
  REQUIRE_MESSAGE(init.ok(), init.status().ToString());
  CHECK(init->spec.mapping_text == ":pk,:n");
  CHECK(init->notes.back() ==
        "sampled 0 rows from 1 of 1 splits: 0 attributes; an attribute that no sampled row carries "
        "(and no defined column names) is not in the spec");

  auto missing = jobs::BuildStarterSpec(emu.Options("nope"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kInvalidArgument);
  CHECK(missing.status().message() ==
        "--table: table \"nope\" does not exist in instance \"inittest\"");

  jobs::SpecInitOptions bad = emu.Options("t");
  bad.endpoint = "ftp://x";
  CHECK(jobs::BuildStarterSpec(bad).status().message() ==
        "--endpoint: \"ftp://x\" is not an http:// or https:// URL");
}
