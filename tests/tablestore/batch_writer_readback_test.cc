// TableWriter's read-back of --if-absent rows (EXPECT_NOT_EXIST) after a write whose outcome is
// unknown, against the emulator in-process: a row that exists with exactly the values sent counts
// as written, one with other values is rejected as OTSConditionCheckFail, an absent one is sent
// again. The emulator's OTSTimeout fault refuses the request before applying it, so what exists
// is what the test wrote beforehand.
#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "emulator/faults.h"
#include "emulator/server.h"
#include "support/emulator_fixture.h"
#include "support/testing.h"
#include "tablestore/batch_writer.h"
#include "tablestore/plainbuffer.h"
#include "tsbridge/tablestore/client.h"

using namespace tsb;
using namespace tsb::ots;

namespace {

struct ReadBackFixture : tsb::testing::EmulatorFixture {
  std::deque<WriteItem> items;
  std::vector<int64_t> written;
  std::map<int64_t, std::string> rejected;  // id -> code

  ReadBackFixture() : EmulatorFixture("readback") {
    CreateTableRequest t;
    t.meta.name = "t";
    t.meta.primary_key = {{"id", PrimaryKeyType::kInteger}};
    REQUIRE(client->CreateTable(t).ok());
  }

  // An item for row `id` putting v = value (and n = id when with_n), tagged with its id.
  WriteItem* Make(int64_t id, std::string value, bool if_absent, bool with_n = true) {
    WriteItem& item = items.emplace_back();
    item.tag = id;
    item.type = WriteType::kUpdate;
    if (if_absent) item.condition.row_existence = RowExistence::kExpectNotExist;
    Row row;
    Cell& k = row.primary_key.emplace_back();
    k.name = "id";
    k.value = Value::Integer(id);
    Cell& v = row.attributes.emplace_back();
    v.name = "v";
    v.value = Value::String(value);
    if (with_n) {
      Cell& n = row.attributes.emplace_back();
      n.name = "n";
      n.value = Value::Integer(id);
    }
    item.SetRow(row);
    return &item;
  }

  TableWriter Writer(int max_attempts) {
    TableWriterOptions o;
    o.table = "t";
    o.retry.max_attempts = max_attempts;
    o.retry_env = &env;
    return TableWriter(
        client.get(), o,
        [this](std::span<WriteItem* const> items) {
          for (WriteItem* item : items) written.push_back(item->tag);
        },
        [this](WriteItem* item, std::string_view code, std::string_view) {
          rejected[item->tag] = std::string(code);
          return Status::OK();
        });
  }
};

}  // namespace

TEST_CASE("TableWriter: --if-absent rows are read back after an unanswered write, not resent") {
  ReadBackFixture f;
  {
    TableWriter w = f.Writer(21);
    // Rows 0-4 hold what the if-absent write will send, rows 5-8 something else, row 9 the
    // same v but not n (a subset is not "exactly").
    for (int id = 0; id < 5; ++id) REQUIRE(w.Add(f.Make(id, "same", false)).ok());
    for (int id = 5; id < 9; ++id) REQUIRE(w.Add(f.Make(id, "other", false)).ok());
    REQUIRE(w.Add(f.Make(9, "same", false, /*with_n=*/false)).ok());
    REQUIRE(w.Flush().ok());
    REQUIRE(f.rejected.empty());
  }
  f.written.clear();

  // Every BatchWriteRow now fails with OTSTimeout (outcome unknown); two attempts in all.
  auto rule = emulator::ParseFaultRule("BatchWriteRow:OTSTimeout:1");
  REQUIRE(rule.ok());
  f.server.faults().SetRules({*rule}, 1);
  TableWriter w = f.Writer(2);
  for (int id = 0; id < 20; ++id) REQUIRE(w.Add(f.Make(id, "same", true)).ok());
  REQUIRE(w.Flush().ok());

  // After the first failure all 20 rows were read back: 0-4 are ours, 5-9 are not, 10-19 are
  // absent and were sent again; the second attempt failed too, so they are rejected with it.
  CHECK(w.stats().rows_read_back == 20);
  CHECK(w.stats().requests == 2);
  CHECK(w.stats().requests_failed == 2);
  std::sort(f.written.begin(), f.written.end());
  CHECK(f.written == std::vector<int64_t>{0, 1, 2, 3, 4});
  REQUIRE(f.rejected.size() == 15);
  for (int id = 5; id < 10; ++id) CHECK(f.rejected[id] == "OTSConditionCheckFail");
  for (int id = 10; id < 20; ++id) CHECK(f.rejected[id] == "OTSTimeout");
}

TEST_CASE("TableWriter: update rows after an unanswered write are sent again, not read back") {
  ReadBackFixture f;
  auto rule = emulator::ParseFaultRule("BatchWriteRow:OTSTimeout:1");
  REQUIRE(rule.ok());
  f.server.faults().SetRules({*rule}, 1);
  TableWriter w = f.Writer(3);
  for (int id = 0; id < 5; ++id) REQUIRE(w.Add(f.Make(id, "v", false)).ok());
  REQUIRE(w.Flush().ok());
  CHECK(w.stats().rows_read_back == 0);
  CHECK(w.stats().requests == 3);
  CHECK(f.rejected.size() == 5);
}
