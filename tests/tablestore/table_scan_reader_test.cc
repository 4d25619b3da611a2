// TableScanReader (tablestore/table_scan_reader.h) against the emulator, in-process: every row of
// a range in key order (rows holding none of the mapped attributes too), key ranges, page size
// and row cap across batch boundaries, the server filter, rejects through the callback, the
// hooks, and the long layout of --versions resumed in the middle of a row.
#include "tablestore/table_scan_reader.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "emulator/server.h"
#include "support/cells.h"
#include "tsbridge/tablestore/client.h"

using namespace tsb;
using namespace tsb::ots;
using tsb::testing::MakeCell;

namespace {

// Table "r" (id INTEGER, up to 5 versions): ids 0..9; v = id * 10 except id 4, which holds no
// attribute, and id 7, whose v is the STRING "bad"; every row also holds an unmapped `w`, but 4.
struct Fixture {
  emulator::EmulatorServer server{Options()};
  std::unique_ptr<Client> client;
  JobSpec spec;

  static emulator::EmulatorOptions Options() {
    emulator::EmulatorOptions o;
    o.port = 0;
    o.log_requests = false;
    return o;
  }

  Fixture() {
    Status s = server.Start();
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    ClientOptions o;
    o.endpoint = server.endpoint();
    o.instance = "scantest";
    o.credentials.access_key_id = std::string(emulator::kDevAccessKeyId);
    o.credentials.access_key_secret = std::string(emulator::kDevAccessKeySecret);
    auto c = Client::Create(o);
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    client = std::move(c).value();
    CreateTableRequest t;
    t.meta.name = "r";
    t.meta.primary_key = {{"id", PrimaryKeyType::kInteger}};
    t.options.max_versions = 5;
    REQUIRE(client->CreateTable(t).ok());
    for (int64_t id = 0; id < 10; ++id) {
      Row row;
      row.primary_key.push_back(MakeCell("id", Value::Integer(id)));
      if (id != 4) {
        row.attributes.push_back(
            MakeCell("v", id == 7 ? Value::String("bad") : Value::Integer(id * 10)));
        row.attributes.push_back(MakeCell("w", Value::Integer(-id)));
      }
      Put(row);
    }
    auto parsed = ParseJobSpec(R"({"tablestore": {"endpoint": "http://localhost:1",
        "instance": "scantest", "table": "r"},
        "columns": [{"name": "id", "type": "bigint"}, {"name": "v", "type": "bigint"}],
        "mapping": ":id, v"})");
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
    spec = std::move(parsed).value();
  }

  void Put(const Row& row) {
    WriteRowRequest request;
    request.table = "r";
    request.row = &row;
    WriteRowResult result;
    Status s = client->PutRow(request, &result);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }

  // The whole table, the key and `v` to get, rejects collected as "id:column:stored".
  TableScanOptions Scan(std::vector<std::string>* rejects) {
    TableScanOptions o;
    o.table = "r";
    o.start = {KeyBound::InfMin()};
    o.end = {KeyBound::InfMax()};
    o.key_names = {"id"};
    o.columns_to_get = TableScanReader::ColumnsToGet(spec, o.key_names);
    o.spec = &spec;
    o.on_reject = [rejects](const RejectedValue& r) {
      rejects->push_back(std::to_string(r.row.primary_key[0].value->i) + ":" + r.column.name + ":" +
                         std::string(r.stored_type));
      return Status::OK();
    };
    return o;
  }
};

// Every row the reader yields, as "id=v" ("id=NULL"), and the sizes of its batches.
std::vector<std::string> ReadAll(TableScanReader* reader, size_t capacity = 4096,
                                 std::vector<size_t>* sizes = nullptr) {
  std::vector<std::string> rows;
  auto schema = std::make_shared<const Schema>(reader->schema());
  RowBatch batch(schema, capacity);
  for (;;) {
    Status s = reader->Next(&batch);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    if (batch.num_rows() == 0) break;
    if (sizes != nullptr) sizes->push_back(batch.num_rows());
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      const Column& v = batch.column(1);
      rows.push_back(std::to_string(batch.column(0).GetInt(r)) + "=" +
                     (v.IsNull(r) ? "NULL" : std::to_string(v.GetInt(r))));
    }
  }
  return rows;
}

}  // namespace

TEST_CASE("TableScanReader: every row of the table in key order, NULL for a missing attribute") {
  Fixture f;
  std::vector<std::string> rejects;
  int pages = 0;
  std::vector<bool> carried_seen;
  std::unique_ptr<std::atomic<bool>[]> carried(new std::atomic<bool>[2]());
  TableScanOptions o = f.Scan(&rejects);
  o.carried = carried.get();
  o.on_page = [&](const GetRangeResult&) {
    ++pages;
    return Status::OK();
  };
  TableScanReader reader(f.client.get(), std::move(o),
                         std::make_shared<const Schema>(f.spec.schema()));
  CHECK(ReadAll(&reader) == std::vector<std::string>{"0=0", "1=10", "2=20", "3=30", "4=NULL",
                                                     "5=50", "6=60", "8=80", "9=90"});
  CHECK(rejects == std::vector<std::string>{"7:v:STRING"});
  CHECK(pages == 1);
  CHECK(!carried[0].load());  // the key column is no attribute
  CHECK(carried[1].load());
}

TEST_CASE("TableScanReader: a key range, pages of 2 rows, batches of 3 rows") {
  Fixture f;
  std::vector<std::string> rejects;
  int pages = 0, after = 0;
  TableScanOptions o = f.Scan(&rejects);
  o.start = {KeyBound::Of(OtsValue::Integer(2))};
  o.end = {KeyBound::Of(OtsValue::Integer(9))};
  o.page_limit = 2;
  o.on_page = [&](const GetRangeResult& page) {
    ++pages;
    CHECK(page.rows.size() <= 2);
    return Status::OK();
  };
  o.after_page = [&] {
    ++after;
    return Status::OK();
  };
  TableScanReader reader(f.client.get(), std::move(o),
                         std::make_shared<const Schema>(f.spec.schema()));
  std::vector<size_t> sizes;
  CHECK(ReadAll(&reader, 3, &sizes) ==
        std::vector<std::string>{"2=20", "3=30", "4=NULL", "5=50", "6=60", "8=80"});
  CHECK(sizes == std::vector<size_t>{3, 3});
  CHECK(rejects == std::vector<std::string>{"7:v:STRING"});
  CHECK(pages == 4);  // ids 2-3, 4-5, 6-7, 8
  CHECK(after == 4);
}

TEST_CASE("TableScanReader: batch_per_page returns each page's rows; max_rows caps the scan") {
  Fixture f;
  std::vector<std::string> rejects;
  TableScanOptions o = f.Scan(&rejects);
  o.page_limit = 3;
  o.max_rows = 5;
  o.batch_per_page = true;
  TableScanReader reader(f.client.get(), std::move(o),
                         std::make_shared<const Schema>(f.spec.schema()));
  std::vector<size_t> sizes;
  CHECK(ReadAll(&reader, 100, &sizes) ==
        std::vector<std::string>{"0=0", "1=10", "2=20", "3=30", "4=NULL"});
  CHECK(sizes == std::vector<size_t>{3, 2});
}

TEST_CASE("TableScanReader: the server filter, with and without filter_if_missing") {
  Fixture f;
  for (bool if_missing : {true, false}) {
    std::vector<std::string> rejects;
    TableScanOptions o = f.Scan(&rejects);
    o.filter = ots::ColumnFilter::Compare("v", Comparator::kEqual, Value::Integer(50), if_missing);
    TableScanReader reader(f.client.get(), std::move(o),
                           std::make_shared<const Schema>(f.spec.schema()));
    CHECK(ReadAll(&reader) == (if_missing ? std::vector<std::string>{"5=50"}
                                          : std::vector<std::string>{"4=NULL", "5=50"}));
    CHECK(rejects.empty());
  }
}

TEST_CASE("TableScanReader: an error from a hook ends the scan with it") {
  Fixture f;
  std::vector<std::string> rejects;
  TableScanOptions o = f.Scan(&rejects);
  o.page_limit = 4;
  int pages = 0;
  o.on_page = [&](const GetRangeResult&) {
    return ++pages == 2 ? Status::Cancelled("stop") : Status::OK();
  };
  TableScanReader reader(f.client.get(), std::move(o),
                         std::make_shared<const Schema>(f.spec.schema()));
  RowBatch batch(std::make_shared<const Schema>(f.spec.schema()));
  Status s = reader.Next(&batch);
  CHECK(s.code() == StatusCode::kCancelled);
  CHECK(s.message() == "stop");
  CHECK(pages == 2);
}

TEST_CASE("TableScanReader: reading ahead yields the same rows, pages and hooks in order") {
  Fixture f;
  for (int32_t page_limit : {1, 2, 3, 4, 9, 10, 0}) {
    std::vector<std::string> runs[2];
    for (bool ahead : {false, true}) {
      CAPTURE(page_limit);
      CAPTURE(ahead);
      std::vector<std::string> rejects;
      std::vector<std::string>& log = runs[ahead];
      TableScanOptions o = f.Scan(&rejects);
      o.page_limit = page_limit;
      o.read_ahead = ahead;
      o.on_page = [&](const GetRangeResult& page) {
        log.push_back("page of " + std::to_string(page.rows.size()));
        return Status::OK();
      };
      o.after_page = [&] {
        log.push_back("after page");
        return Status::OK();
      };
      TableScanReader reader(f.client.get(), std::move(o),
                             std::make_shared<const Schema>(f.spec.schema()));
      // Batches of 2 rows: the reader converts a page's rows across several Next calls while
      // the next page is being read into the other buffer.
      for (const std::string& row : ReadAll(&reader, 2)) log.push_back(row);
      CHECK(rejects == std::vector<std::string>{"7:v:STRING"});
    }
    CHECK(runs[1] == runs[0]);
    CHECK(std::count(runs[1].begin(), runs[1].end(), "after page") ==
          (page_limit == 0 ? 1 : (9 + page_limit) / page_limit));
  }
}

TEST_CASE(
    "TableScanReader: a table dropped during the scan ends it with the error, read ahead or not") {
  for (bool ahead : {false, true}) {
    CAPTURE(ahead);
    Fixture f;
    std::vector<std::string> rejects;
    TableScanOptions o = f.Scan(&rejects);
    o.page_limit = 2;
    o.read_ahead = ahead;
    int pages = 0;
    o.on_page = [&](const GetRangeResult&) {
      // The page read ahead may already be in: the error can come a page later, but it comes.
      if (++pages == 1) REQUIRE(f.client->DeleteTable("r").ok());
      return Status::OK();
    };
    TableScanReader reader(f.client.get(), std::move(o),
                           std::make_shared<const Schema>(f.spec.schema()));
    RowBatch batch(std::make_shared<const Schema>(f.spec.schema()));
    Status s;
    size_t rows = 0;
    do {
      s = reader.Next(&batch);
      rows += batch.num_rows();
    } while (s.ok() && batch.num_rows() > 0);
    CHECK_MESSAGE(!s.ok(), "the scan ended without an error after ", rows, " rows");
    CHECK_MESSAGE(s.ToString().find("OTSObjectNotExist") != std::string::npos, s.ToString());
    CHECK(pages <= 2);
  }
}

TEST_CASE("TableScanReader: the long layout, newest version first, across batch boundaries") {
  Fixture f;
  // Versions within the table's allowed deviation from now (a day).
  const int64_t base = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() -
                       3600 * 1000;
  for (int64_t offset : {1000, 3000, 2000}) {
    Row row;
    row.primary_key.push_back(MakeCell("id", Value::Integer(3)));
    row.attributes.push_back(MakeCell("v", Value::Integer(offset / 100), base + offset));
    WriteRowRequest request;
    request.table = "r";
    request.row = &row;
    WriteRowResult result;
    REQUIRE(f.client->UpdateRow(request, &result).ok());
  }
  CellVersionColumns layout;
  layout.key_columns = {0};
  layout.attributes = {1};
  layout.value_slot = {0, 0};
  auto schema = std::make_shared<const Schema>(
      std::vector<Field>{Field{"id", DataType::Of(TypeId::kInt64), false},
                         Field{"column", DataType::Of(TypeId::kString), false},
                         Field{"timestamp", DataType::Of(TypeId::kInt64), false},
                         Field{"value", DataType::Of(TypeId::kInt64), false}});
  std::vector<std::string> rejects;
  TableScanOptions o = f.Scan(&rejects);
  o.start = {KeyBound::Of(OtsValue::Integer(3))};
  o.end = {KeyBound::Of(OtsValue::Integer(5))};
  o.max_versions = 5;
  o.time_range = TimeRange{base, base + 2500, std::nullopt};
  o.versions = &layout;
  TableScanReader reader(f.client.get(), std::move(o), schema);
  RowBatch batch(schema, 1);
  std::vector<std::string> rows;
  for (;;) {
    Status s = reader.Next(&batch);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    if (batch.num_rows() == 0) break;
    REQUIRE(batch.num_rows() == 1);
    rows.push_back(std::to_string(batch.column(0).GetInt(0)) + " " +
                   std::string(batch.column(1).GetBytes(0)) + " " +
                   std::to_string(batch.column(2).GetInt(0) - base) + " " +
                   std::to_string(batch.column(3).GetInt(0)));
  }
  // Row 3's put at the current time is outside the range; row 4 holds no version of v.
  CHECK(rows == std::vector<std::string>{"3 v 2000 20", "3 v 1000 10"});
  CHECK(rejects.empty());
}

TEST_CASE("TableScanReader::ColumnsToGet: the key columns and the mapped attributes, up to 128") {
  Fixture f;
  CHECK(TableScanReader::ColumnsToGet(f.spec, {"id"}) == std::vector<std::string>{"id", "v"});
  for (int width : {127, 128}) {
    std::string columns = R"({"name": "id", "type": "bigint"})";
    std::string mapping = ":id";
    std::vector<std::string> expected = {"id"};
    for (int i = 0; i < width; ++i) {
      const std::string name = "a" + std::to_string(i);
      columns += R"(, {"name": ")" + name + R"(", "type": "bigint"})";
      mapping += "," + name;
      expected.push_back(name);
    }
    auto spec = ParseJobSpec(R"({"tablestore": {"endpoint": "http://localhost:1",
        "instance": "scantest", "table": "r"}, "columns": [)" +
                             columns + R"(], "mapping": ")" + mapping + R"("})");
    REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
    // 128 names in all still fit; 129 read whole rows.
    CHECK(TableScanReader::ColumnsToGet(*spec, {"id"}) ==
          (width == 127 ? expected : std::vector<std::string>{}));
  }
}

TEST_CASE("TableScanReader: rows holding different sets of the mapped columns, in any order") {
  // A row's cells come sorted by name, so a column missing from a row moves the others: the
  // reader's guess of which entry a cell position matches must miss and look again.
  Fixture f;
  CreateTableRequest t;
  t.meta.name = "m";
  t.meta.primary_key = {{"id", PrimaryKeyType::kInteger}};
  REQUIRE(f.client->CreateTable(t).ok());
  // Which of a (INTEGER), b (STRING), c (DOUBLE) each row holds; z is not mapped.
  const std::vector<std::string> holds = {"abc", "bc", "ac", "c", "", "abcz", "az", "ab", "abc"};
  std::vector<std::string> texts;  // the STRING values' bytes, alive while the rows are put
  for (size_t id = 0; id < holds.size(); ++id) texts.push_back("s" + std::to_string(id));
  for (size_t id = 0; id < holds.size(); ++id) {
    Row row;
    row.primary_key.push_back(MakeCell("id", Value::Integer(static_cast<int64_t>(id))));
    const std::string& h = holds[id];
    if (h.find('a') != std::string::npos) {
      row.attributes.push_back(MakeCell("a", Value::Integer(static_cast<int64_t>(id) * 10)));
    }
    if (h.find('b') != std::string::npos) {
      row.attributes.push_back(MakeCell("b", Value::String(texts[id])));
    }
    if (h.find('c') != std::string::npos) {
      row.attributes.push_back(MakeCell("c", Value::Double(static_cast<double>(id) + 0.5)));
    }
    if (h.find('z') != std::string::npos)
      row.attributes.push_back(MakeCell("z", Value::Integer(1)));
    WriteRowRequest request;
    request.table = "m";
    request.row = &row;
    WriteRowResult result;
    REQUIRE(f.client->PutRow(request, &result).ok());
  }
  auto parsed = ParseJobSpec(R"({"tablestore": {"endpoint": "http://localhost:1",
      "instance": "scantest", "table": "m"},
      "columns": [{"name": "id", "type": "bigint"}, {"name": "c", "type": "double"},
                  {"name": "a", "type": "bigint"}, {"name": "b", "type": "string"}],
      "mapping": ":id, c, a, b"})");
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  JobSpec spec = std::move(parsed).value();
  TableScanOptions o;
  o.table = "m";
  o.start = {KeyBound::InfMin()};
  o.end = {KeyBound::InfMax()};
  o.key_names = {"id"};
  o.spec = &spec;  // no columns_to_get: every column comes back, z too
  TableScanReader reader(f.client.get(), std::move(o),
                         std::make_shared<const Schema>(spec.schema()));
  RowBatch batch(std::make_shared<const Schema>(reader.schema()), 64);
  REQUIRE(reader.Next(&batch).ok());
  std::vector<std::string> rows;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    const Column& c = batch.column(1);
    const Column& a = batch.column(2);
    const Column& b = batch.column(3);
    rows.push_back(std::to_string(batch.column(0).GetInt(r)) + ":" +
                   (c.IsNull(r) ? "-" : std::to_string(c.GetDouble(r))) + "," +
                   (a.IsNull(r) ? "-" : std::to_string(a.GetInt(r))) + "," +
                   (b.IsNull(r) ? "-" : std::string(b.GetBytes(r))));
  }
  std::string all;
  for (const std::string& r : rows) all += r + " ";
  CAPTURE(all);
  CHECK(rows == std::vector<std::string>{"0:0.500000,0,s0", "1:1.500000,-,s1", "2:2.500000,20,-",
                                         "3:3.500000,-,-", "4:-,-,-", "5:5.500000,50,s5",
                                         "6:-,60,-", "7:-,70,s7", "8:8.500000,80,s8"});
}
