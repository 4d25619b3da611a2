// Our Tablestore client against the emulator, in-process on 127.0.0.1:<free port>: every typed
// operation end to end (signing, protobuf, PlainBuffer, paging, batches, splits, errors), and the
// retry paths through the emulator's fault injection.
#include <doctest/doctest.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "emulator/config.h"
#include "emulator/faults.h"
#include "emulator/server.h"
#include "tsbridge/tablestore/client.h"
#include "tsbridge/tablestore/limits.h"
#include "tsbridge/tablestore/retry.h"
#include "support/emulator_fixture.h"
#include "support/testing.h"

using namespace tsb;
using namespace tsb::ots;
using std::chrono::milliseconds;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using tsb::testing::NoSleepEnv;

// Owns the bytes request rows point into.
class Rows {
 public:
  std::string_view Keep(std::string s) { return store_.emplace_back(std::move(s)); }
  Row& New() { return rows_.emplace_back(); }
  void Pk(Row& r, std::string name, Value v) {
    Cell& c = r.primary_key.emplace_back();
    c.name = Keep(std::move(name));
    c.value = v;
  }
  void Col(Row& r, std::string name, Value v, std::optional<int64_t> ts = std::nullopt,
           CellOp op = CellOp::kPut) {
    Cell& c = r.attributes.emplace_back();
    c.name = Keep(std::move(name));
    c.value = v;
    c.timestamp = ts;
    c.op = op;
  }
  void Del(Row& r, std::string name, CellOp op, std::optional<int64_t> ts = std::nullopt) {
    Cell& c = r.attributes.emplace_back();
    c.name = Keep(std::move(name));
    c.op = op;
    c.timestamp = ts;
  }
  Value Str(std::string s) { return Value::String(Keep(std::move(s))); }
  Value Bin(std::string s) { return Value::Binary(Keep(std::move(s))); }
  void Clear() {
    rows_.clear();
    store_.clear();
  }
  std::deque<Row>& rows() { return rows_; }

 private:
  std::deque<std::string> store_;  // deque: earlier strings never move
  std::deque<Row> rows_;
};

struct Emulator : tsb::testing::EmulatorFixture {
  Emulator() : EmulatorFixture("clienttest") {}
};

CreateTableRequest TwoKeyTable(std::string name, int max_versions = 1) {
  CreateTableRequest t;
  t.meta.name = std::move(name);
  t.meta.primary_key = {{"pk", PrimaryKeyType::kString}, {"id", PrimaryKeyType::kInteger}};
  t.options.time_to_live = -1;
  t.options.max_versions = max_versions;
  return t;
}

CreateTableRequest IntKeyTable(std::string name, int max_versions = 1) {
  CreateTableRequest t;
  t.meta.name = std::move(name);
  t.meta.primary_key = {{"id", PrimaryKeyType::kInteger}};
  t.options.time_to_live = -1;
  t.options.max_versions = max_versions;
  return t;
}

const Cell* Find(const std::vector<Cell>& cells, std::string_view name) {
  for (const Cell& c : cells) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<Cell> IntKey(int64_t id) {
  Cell c;
  c.name = "id";
  c.value = Value::Integer(id);
  return {c};
}

std::vector<Cell> InfKey(bool max) {
  Cell c;
  c.name = "id";
  c.value = max ? Value::InfMax() : Value::InfMin();
  return {c};
}

}  // namespace

TEST_CASE("client vs emulator: table operations") {
  Emulator emu;
  Client& c = *emu.client;

  REQUIRE(c.CreateTable(TwoKeyTable("t_meta")).ok());
  Status again = c.CreateTable(TwoKeyTable("t_meta"));
  CHECK(again.ots_code() == "OTSObjectAlreadyExist");

  auto tables = c.ListTable();
  REQUIRE(tables.ok());
  CHECK(std::find(tables->begin(), tables->end(), "t_meta") != tables->end());

  auto d = c.DescribeTable("t_meta");
  REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  CHECK(d->meta.name == "t_meta");
  REQUIRE(d->meta.primary_key.size() == 2);
  CHECK(d->meta.primary_key[0].name == "pk");
  CHECK(d->meta.primary_key[0].type == PrimaryKeyType::kString);
  CHECK(d->meta.primary_key[1].type == PrimaryKeyType::kInteger);
  CHECK(d->status == TableStatus::kActive);
  CHECK(d->options.max_versions.value_or(0) == 1);
  CHECK(d->options.time_to_live.value_or(0) == -1);

  UpdateTableRequest u;
  u.table = "t_meta";
  u.options = TableOptions{};
  u.options->max_versions = 5;
  auto updated = c.UpdateTable(u);
  REQUIRE_MESSAGE(updated.ok(), updated.status().ToString());
  CHECK(updated->options.max_versions.value_or(0) == 5);
  CHECK(c.DescribeTable("t_meta")->options.max_versions.value_or(0) == 5);

  REQUIRE(c.DeleteTable("t_meta").ok());
  auto missing = c.DescribeTable("t_meta");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().ots_code() == "OTSObjectNotExist");
  CHECK(missing.status().http_status() == 404);
  CHECK_FALSE(missing.status().request_id().empty());
}

TEST_CASE("client vs emulator: a wrong secret is refused as OTSAuthFailed") {
  Emulator emu;
  auto bad = Client::Create(emu.ClientConfig("not-the-secret"));
  REQUIRE(bad.ok());
  auto r = (*bad)->ListTable();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kPermissionDenied);
  CHECK(r.status().ots_code() == "OTSAuthFailed");
  CHECK(r.status().http_status() == 403);
  CHECK(r.status().ToString().find("not-the-secret") == std::string::npos);
  CHECK(emu.env.sleeps == 0);  // not retried
}

TEST_CASE("client vs emulator: single-row operations with every value type and conditions") {
  Emulator emu;
  Client& c = *emu.client;
  REQUIRE(c.CreateTable(TwoKeyTable("t_rows", 3)).ok());

  const int64_t ts = NowMs() - 60'000;
  Rows b;
  Row& put = b.New();
  b.Pk(put, "pk", b.Str("key-ä"));
  b.Pk(put, "id", Value::Integer(9007199254740993));  // past 2^53
  b.Col(put, "s", b.Str("hello, wörld"), ts);
  b.Col(put, "e", b.Str(""), ts);
  b.Col(put, "i", Value::Integer(INT64_MIN), ts);
  b.Col(put, "d", Value::Double(-0.5), ts);
  b.Col(put, "b", Value::Boolean(true), ts);
  b.Col(put, "x", b.Bin(std::string("\x00\xff\x01", 3)), ts);

  WriteRowRequest w;
  w.table = "t_rows";
  w.row = &put;
  w.condition.row_existence = RowExistence::kExpectNotExist;
  WriteRowResult wr;
  Status s = c.PutRow(w, &wr);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(wr.consumed.write >= 1);

  // Same row again with EXPECT_NOT_EXIST: the condition fails.
  s = c.PutRow(w, &wr);
  CHECK(s.ots_code() == "OTSConditionCheckFail");
  CHECK(s.http_status() == 403);

  GetRowRequest g;
  g.table = "t_rows";
  g.primary_key = put.primary_key;
  GetRowResult gr;
  s = c.GetRow(g, &gr);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(gr.found);
  CHECK(gr.consumed.read >= 1);
  REQUIRE(gr.row.primary_key.size() == 2);
  CHECK(gr.row.primary_key[0].value->bytes == "key-ä");
  CHECK(gr.row.primary_key[1].value->i == 9007199254740993);
  REQUIRE(gr.row.attributes.size() == 6);
  CHECK(Find(gr.row.attributes, "s")->value->bytes == "hello, wörld");
  CHECK(Find(gr.row.attributes, "s")->timestamp.value_or(0) == ts);
  CHECK(Find(gr.row.attributes, "e")->value->type == ValueType::kString);
  CHECK(Find(gr.row.attributes, "e")->value->bytes.empty());
  CHECK(Find(gr.row.attributes, "i")->value->i == INT64_MIN);
  CHECK(Find(gr.row.attributes, "d")->value->d == -0.5);
  CHECK(Find(gr.row.attributes, "b")->value->b);
  CHECK(Find(gr.row.attributes, "x")->value->type == ValueType::kBinary);
  CHECK(Find(gr.row.attributes, "x")->value->bytes == std::string("\x00\xff\x01", 3));

  // columns_to_get and a filter that drops the row.
  g.read.columns_to_get = {"s", "i"};
  REQUIRE(c.GetRow(g, &gr).ok());
  CHECK(gr.row.attributes.size() == 2);
  g.read.columns_to_get.clear();
  g.read.filter = ColumnFilter::Compare("i", Comparator::kGreaterThan, Value::Integer(0));
  REQUIRE(c.GetRow(g, &gr).ok());
  CHECK_FALSE(gr.found);
  g.read.filter.reset();

  // A column condition on PutRow: passes, then fails.
  Rows b2;
  Row& upd = b2.New();
  upd.primary_key = put.primary_key;
  b2.Col(upd, "s", b2.Str("updated"));
  b2.Del(upd, "e", CellOp::kDeleteAllVersions);
  b2.Del(upd, "i", CellOp::kDeleteOneVersion, ts);
  WriteRowRequest u;
  u.table = "t_rows";
  u.row = &upd;
  u.condition.row_existence = RowExistence::kExpectExist;
  u.condition.column_condition =
      ColumnFilter::Compare("b", Comparator::kEqual, Value::Boolean(true));
  s = c.UpdateRow(u, &wr);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(c.GetRow(g, &gr).ok());
  REQUIRE(gr.found);
  CHECK(Find(gr.row.attributes, "s")->value->bytes == "updated");
  CHECK(Find(gr.row.attributes, "e") == nullptr);
  CHECK(Find(gr.row.attributes, "i") == nullptr);
  u.condition.column_condition =
      ColumnFilter::Compare("b", Comparator::kEqual, Value::Boolean(false));
  CHECK(c.UpdateRow(u, &wr).ots_code() == "OTSConditionCheckFail");

  // Two versions come back with max_versions 2.
  g.read.max_versions = 2;
  g.read.columns_to_get = {"s"};
  REQUIRE(c.GetRow(g, &gr).ok());
  CHECK(gr.row.attributes.size() == 2);
  g.read.max_versions = 1;
  g.read.columns_to_get.clear();

  // DeleteRow with a bare primary key (the client adds the delete marker).
  Row key;
  key.primary_key = put.primary_key;
  WriteRowRequest del;
  del.table = "t_rows";
  del.row = &key;
  del.condition.row_existence = RowExistence::kExpectExist;
  s = c.DeleteRow(del, &wr);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(c.GetRow(g, &gr).ok());
  CHECK_FALSE(gr.found);
  CHECK(c.DeleteRow(del, &wr).ots_code() == "OTSConditionCheckFail");

  // A missing table.
  g.table = "no_such_table";
  s = c.GetRow(g, &gr);
  CHECK(s.ots_code() == "OTSObjectNotExist");
  CHECK(s.code() == StatusCode::kNotFound);
}

TEST_CASE("client vs emulator: the shared read model (column pagination, time ranges, versions)") {
  // The filter, time range and read options are one model (model.h) on both sides: what the
  // client encodes is what the emulator decodes and evaluates.
  Emulator emu;
  Client& c = *emu.client;
  REQUIRE(c.CreateTable(IntKeyTable("t_model", 3)).ok());
  const int64_t ts = NowMs() - 60'000;
  Rows b;
  Row& row = b.New();
  b.Pk(row, "id", Value::Integer(1));
  for (int v = 0; v < 3; ++v) {
    for (const char* name : {"a", "b", "c", "d"}) {
      b.Col(row, name, Value::Integer(v), ts + v * 1000);
    }
  }
  WriteRowRequest w;
  w.table = "t_model";
  w.row = &row;
  WriteRowResult wr;
  REQUIRE(c.PutRow(w, &wr).ok());

  GetRowRequest g;
  g.table = "t_model";
  g.primary_key = IntKey(1);
  GetRowResult gr;
  auto names = [&] {
    std::vector<std::string> out;
    for (const Cell& cell : gr.row.attributes) out.emplace_back(cell.name);
    return out;
  };

  // Skip one column, keep two: b and c, newest version each.
  g.read.filter = ColumnFilter::ColumnPagination(1, 2);
  REQUIRE(c.GetRow(g, &gr).ok());
  REQUIRE(gr.found);
  CHECK(names() == std::vector<std::string>{"b", "c"});
  CHECK(gr.row.attributes[0].value->i == 2);
  g.read.filter.reset();

  // A time range without max_versions reads every version in it, as the service does.
  g.read.columns_to_get = {"a"};
  g.read.time_range = TimeRange{ts, ts + 2000, std::nullopt};
  REQUIRE(c.GetRow(g, &gr).ok());
  REQUIRE(gr.row.attributes.size() == 2);
  CHECK(gr.row.attributes[0].value->i == 1);
  CHECK(gr.row.attributes[1].value->i == 0);
  g.read.max_versions = 1;
  REQUIRE(c.GetRow(g, &gr).ok());
  REQUIRE(gr.row.attributes.size() == 1);
  CHECK(gr.row.attributes[0].value->i == 1);

  // One exact version.
  g.read.max_versions.reset();
  g.read.time_range = TimeRange::Specific(ts + 2000);
  REQUIRE(c.GetRow(g, &gr).ok());
  REQUIRE(gr.row.attributes.size() == 1);
  CHECK(gr.row.attributes[0].value->i == 2);
  CHECK(gr.row.attributes[0].timestamp.value_or(0) == ts + 2000);

  // No time range and no max_versions: the newest version only.
  g.read.time_range.reset();
  REQUIRE(c.GetRow(g, &gr).ok());
  REQUIRE(gr.row.attributes.size() == 1);
  CHECK(gr.row.attributes[0].value->i == 2);
}

TEST_CASE("client vs emulator: BatchWriteRow limits and BatchGetRow") {
  Emulator emu;
  Client& c = *emu.client;
  REQUIRE(c.CreateTable(IntKeyTable("t_batch")).ok());
  REQUIRE(c.CreateTable(IntKeyTable("t_batch2")).ok());

  auto make = [](Rows* b, int from, int n, BatchWriteTable* t) {
    for (int i = from; i < from + n; ++i) {
      Row& r = b->New();
      b->Pk(r, "id", Value::Integer(i));
      b->Col(r, "v", Value::Integer(i * 2));
      t->rows.push_back(BatchWriteRowItem{WriteType::kPut, &r, {}, {}});
    }
  };

  BatchResult result;
  {  // 200 rows over two tables: accepted.
    Rows b;
    BatchWriteRowRequest req;
    req.tables.resize(2);
    req.tables[0].table = "t_batch";
    req.tables[1].table = "t_batch2";
    make(&b, 0, 150, &req.tables[0]);
    make(&b, 0, 50, &req.tables[1]);
    Status s = c.BatchWriteRow(req, &result);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    REQUIRE(result.tables.size() == 2);
    CHECK(result.tables[0].table == "t_batch");
    CHECK(result.tables[0].rows.size() == 150);
    CHECK(result.tables[1].rows.size() == 50);
    CHECK(result.failed_rows == 0);
    CHECK(result.consumed.write >= 200);
    for (const auto& r : result.tables[0].rows) CHECK(r.ok);
  }
  {  // 201 rows: refused as a whole.
    Rows b;
    BatchWriteRowRequest req;
    req.tables.resize(1);
    req.tables[0].table = "t_batch";
    make(&b, 1000, 201, &req.tables[0]);
    Status s = c.BatchWriteRow(req, &result);
    CHECK(s.ots_code() == "OTSParameterInvalid");
    CHECK(s.message().find("Rows count exceeds the upper limit") != std::string::npos);
  }
  {  // More than 4 MiB of rows: refused.
    Rows b;
    BatchWriteRowRequest req;
    req.tables.resize(1);
    req.tables[0].table = "t_batch";
    for (int i = 0; i < 3; ++i) {
      Row& r = b.New();
      b.Pk(r, "id", Value::Integer(5000 + i));
      b.Col(r, "blob", b.Bin(std::string(1'450'000, 'x')));
      req.tables[0].rows.push_back(BatchWriteRowItem{WriteType::kPut, &r, {}, {}});
    }
    Status s = c.BatchWriteRow(req, &result);
    CHECK(s.ots_code() == "OTSParameterInvalid");
    CHECK(s.message().find("exceeds the limit") != std::string::npos);
  }
  {  // Duplicate rows: refused.
    Rows b;
    BatchWriteRowRequest req;
    req.tables.resize(1);
    req.tables[0].table = "t_batch";
    make(&b, 7, 1, &req.tables[0]);
    make(&b, 7, 1, &req.tables[0]);
    Status s = c.BatchWriteRow(req, &result);
    CHECK(s.ots_code() == "OTSParameterInvalid");
  }
  {  // A failed condition is a row error, the rest of the batch is written.
    Rows b;
    BatchWriteRowRequest req;
    req.tables.resize(1);
    req.tables[0].table = "t_batch";
    make(&b, 0, 1, &req.tables[0]);     // exists
    make(&b, 900, 1, &req.tables[0]);   // new
    for (auto& item : req.tables[0].rows) {
      item.condition.row_existence = RowExistence::kExpectNotExist;
    }
    Row& gone = b.New();
    b.Pk(gone, "id", Value::Integer(1));
    req.tables[0].rows.push_back(BatchWriteRowItem{WriteType::kDelete, &gone, {}, {}});
    Status s = c.BatchWriteRow(req, &result);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    REQUIRE(result.tables[0].rows.size() == 3);
    CHECK_FALSE(result.tables[0].rows[0].ok);
    CHECK(result.tables[0].rows[0].error_code == "OTSConditionCheckFail");
    CHECK(result.tables[0].rows[1].ok);
    CHECK(result.tables[0].rows[2].ok);
    CHECK(result.failed_rows == 1);
  }

  // BatchGetRow across both tables, with a missing row.
  BatchGetRowRequest get;
  get.tables.resize(2);
  get.tables[0].table = "t_batch";
  get.tables[1].table = "t_batch2";
  for (int id : {0, 1, 149, 900, 12345}) {
    Row& k = get.tables[0].primary_keys.emplace_back();
    k.primary_key = IntKey(id);
  }
  Row& k2 = get.tables[1].primary_keys.emplace_back();
  k2.primary_key = IntKey(49);
  Status s = c.BatchGetRow(get, &result);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(result.tables.size() == 2);
  REQUIRE(result.tables[0].rows.size() == 5);
  const auto& rows = result.tables[0].rows;
  CHECK(rows[0].ok);
  REQUIRE(rows[0].has_row);
  CAPTURE(rows[0].row.attributes.size());
  CAPTURE(rows[0].row.primary_key.size());
  REQUIRE(Find(rows[0].row.attributes, "v") != nullptr);
  CHECK(Find(rows[0].row.attributes, "v")->value->i == 0);
  CHECK_FALSE(rows[1].has_row);  // deleted above
  CHECK(Find(rows[2].row.attributes, "v")->value->i == 298);
  CHECK(rows[3].has_row);
  CHECK_FALSE(rows[4].has_row);
  REQUIRE(result.tables[1].rows.size() == 1);
  CHECK(Find(result.tables[1].rows[0].row.attributes, "v")->value->i == 98);
}

TEST_CASE("client vs emulator: GetRange paging over 20,000 rows and splits covering the table") {
  Emulator emu;
  Client& c = *emu.client;
  REQUIRE(c.CreateTable(IntKeyTable("t_range", 3)).ok());
  constexpr int kRows = 20000;
  const int64_t base = NowMs() - 3'600'000;

  // Load: every row v=i at base+i and s; every 10th row gets a newer v=i*10 at base+100000+i.
  for (int start = 0; start < kRows; start += kBatchWriteMaxRows) {
    Rows b;
    BatchWriteRowRequest req;
    req.tables.resize(1);
    req.tables[0].table = "t_range";
    for (int i = start; i < start + kBatchWriteMaxRows; ++i) {
      Row& r = b.New();
      b.Pk(r, "id", Value::Integer(i));
      b.Col(r, "v", Value::Integer(i), base + i);
      if (i % 10 == 0) b.Col(r, "v", Value::Integer(i * 10), base + 100'000 + i);
      b.Col(r, "s", b.Str("row " + std::to_string(i)), base + i);
      req.tables[0].rows.push_back(BatchWriteRowItem{WriteType::kPut, &r, {}, {}});
    }
    BatchResult result;
    Status s = c.BatchWriteRow(req, &result);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    REQUIRE(result.failed_rows == 0);
  }

  GetRangeRequest all;
  all.table = "t_range";
  all.inclusive_start = InfKey(false);
  all.exclusive_end = InfKey(true);

  SUBCASE("forward, in pages of 1000, all columns, latest version") {
    all.limit = 1000;
    int64_t expect = 0;
    int pages = 0;
    int64_t read_cu = 0;
    Status s = c.GetRangeAll(all, [&](const GetRangeResult& page) {
      ++pages;
      read_cu += page.consumed.read;
      for (const Row& r : page.rows) {
        REQUIRE(r.primary_key.size() == 1);
        CHECK(r.primary_key[0].value->i == expect);
        const Cell* v = Find(r.attributes, "v");
        REQUIRE(v != nullptr);
        CHECK(v->value->i == (expect % 10 == 0 ? expect * 10 : expect));
        CHECK(r.attributes.size() == 2);
        ++expect;
      }
      return Status::OK();
    });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(expect == kRows);
    CHECK(pages >= 20);
    CHECK(read_cu > 0);
    CHECK(c.stats().read_cu >= read_cu);
  }
  SUBCASE("backward, service-sized pages") {
    GetRangeRequest back = all;
    back.direction = Direction::kBackward;
    back.inclusive_start = InfKey(true);
    back.exclusive_end = InfKey(false);
    int64_t expect = kRows - 1;
    Status s = c.GetRangeAll(back, [&](const GetRangeResult& page) {
      CHECK(page.rows.size() <= static_cast<size_t>(kGetRangeMaxRows));
      for (const Row& r : page.rows) CHECK(r.primary_key[0].value->i == expect--);
      return Status::OK();
    });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(expect == -1);
  }
  SUBCASE("a bounded range, a row cap, columns and versions") {
    GetRangeRequest r = all;
    r.inclusive_start = IntKey(100);
    r.exclusive_end = IntKey(300);
    r.read.columns_to_get = {"v"};
    r.read.max_versions = 2;
    int64_t rows = 0, cells = 0;
    Status s = c.GetRangeAll(r, [&](const GetRangeResult& page) {
      for (const Row& row : page.rows) {
        ++rows;
        CHECK(Find(row.attributes, "s") == nullptr);
        cells += static_cast<int64_t>(row.attributes.size());
      }
      return Status::OK();
    });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(rows == 200);
    CHECK(cells == 200 + 20);  // every 10th row has two versions of v

    rows = 0;
    r.limit = 7;
    s = c.GetRangeAll(r, [&](const GetRangeResult& page) {
      CHECK(page.rows.size() <= 7);
      rows += static_cast<int64_t>(page.rows.size());
      return Status::OK();
    }, 50);
    REQUIRE(s.ok());
    CHECK(rows == 50);
  }
  SUBCASE("a time range returns only cells inside it") {
    GetRangeRequest r = all;
    r.read.max_versions = 0;
    r.read.time_range = TimeRange{base, base + 5000, std::nullopt};
    int64_t cells = 0;
    Status s = c.GetRangeAll(r, [&](const GetRangeResult& page) {
      for (const Row& row : page.rows) {
        for (const Cell& cell : row.attributes) {
          ++cells;
          REQUIRE(cell.timestamp.has_value());
          CHECK(*cell.timestamp >= base);
          CHECK(*cell.timestamp < base + 5000);
        }
      }
      return Status::OK();
    });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(cells == 2 * 5000);  // v and s of rows 0..4999 (the newer v is outside)
  }
  SUBCASE("filters: a single comparison and a composite") {
    GetRangeRequest r = all;
    r.read.filter = ColumnFilter::Compare("v", Comparator::kGreaterEqual, Value::Integer(19990));
    int64_t expected = 0;
    for (int i = 0; i < kRows; ++i) {
      int64_t latest = i % 10 == 0 ? int64_t{i} * 10 : i;
      if (latest >= 19990) ++expected;
    }
    int64_t rows = 0;
    Status s = c.GetRangeAll(r, [&](const GetRangeResult& page) {
      rows += static_cast<int64_t>(page.rows.size());
      return Status::OK();
    });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(rows == expected);

    std::vector<ColumnFilter> parts;
    parts.push_back(ColumnFilter::Compare("v", Comparator::kLessThan, Value::Integer(100)));
    parts.push_back(ColumnFilter::Not(
        ColumnFilter::Compare("s", Comparator::kEqual, Value::String("row 5"))));
    r.read.filter = ColumnFilter::And(std::move(parts));
    rows = 0;
    s = c.GetRangeAll(r, [&](const GetRangeResult& page) {
      for (const Row& row : page.rows) {
        ++rows;
        CHECK(row.primary_key[0].value->i != 5);
      }
      return Status::OK();
    });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    // latest v < 100: ids 1..99 except multiples of 10 (their v is i*10), plus 0; minus id 5.
    CHECK(rows == 90);
  }
  SUBCASE("ComputeSplitPointsBySize covers the key space exactly") {
    ComputeSplitsRequest req;
    req.table = "t_range";
    req.split_size = 64;
    req.split_size_unit_bytes = 1024;  // 64 KiB splits
    ComputeSplitsResult splits;
    Status s = c.ComputeSplitPointsBySize(req, &splits);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    REQUIRE(splits.schema.size() == 1);
    CHECK(splits.schema[0].name == "id");
    REQUIRE(splits.splits.size() == splits.split_points.size() + 1);
    CHECK(splits.split_points.size() >= 2);
    CHECK(splits.splits.front().start[0].value->type == ValueType::kInfMin);
    CHECK(splits.splits.back().end[0].value->type == ValueType::kInfMax);
    for (size_t i = 0; i + 1 < splits.splits.size(); ++i) {
      CHECK(splits.splits[i].end[0].value->i == splits.splits[i + 1].start[0].value->i);
    }
    int64_t rows = 0;
    int64_t last = -1;
    for (const KeyRange& range : splits.splits) {
      GetRangeRequest r = all;
      r.inclusive_start = range.start;
      r.exclusive_end = range.end;
      s = c.GetRangeAll(r, [&](const GetRangeResult& page) {
        for (const Row& row : page.rows) {
          CHECK(row.primary_key[0].value->i == last + 1);
          last = row.primary_key[0].value->i;
          ++rows;
        }
        return Status::OK();
      });
      REQUIRE_MESSAGE(s.ok(), s.ToString());
    }
    CHECK(rows == kRows);
  }
}

TEST_CASE("client vs emulator: retries through injected faults") {
  Emulator emu;
  Client& c = *emu.client;
  REQUIRE(c.CreateTable(IntKeyTable("t_fault")).ok());

  // Every third-ish GetRange and ListTable fails with OTSServerBusy: reads retry through it.
  auto rule = emulator::ParseFaultRule("*:OTSServerBusy:0.4");
  REQUIRE(rule.ok());
  emu.server.faults().SetRules({*rule}, 7);
  for (int i = 0; i < 10; ++i) {
    auto t = c.ListTable();
    REQUIRE_MESSAGE(t.ok(), t.status().ToString());
  }
  CHECK(c.stats().retries > 0);
  CHECK(emu.env.sleeps > 0);

  // A non-retriable injected code is returned at once.
  auto fatal = emulator::ParseFaultRule("ListTable:OTSParameterInvalid:1");
  REQUIRE(fatal.ok());
  emu.server.faults().SetRules({*fatal}, 7);
  uint64_t before = c.stats().requests;
  auto t = c.ListTable();
  CHECK(t.status().ots_code() == "OTSParameterInvalid");
  CHECK(c.stats().requests == before + 1);

  // Row faults in BatchWriteRow: failed rows carry a retriable code; resending only them
  // converges, which is what the export layer does.
  auto rows_rule = emulator::ParseFaultRule("BatchWriteRow:OTSServerBusy:0.3:rows");
  REQUIRE(rows_rule.ok());
  emu.server.faults().SetRules({*rows_rule}, 7);
  Rows b;
  std::vector<const Row*> pending;
  for (int i = 0; i < 200; ++i) {
    Row& r = b.New();
    b.Pk(r, "id", Value::Integer(i));
    b.Col(r, "v", Value::Integer(i));
    pending.push_back(&r);
  }
  int rounds = 0;
  int row_failures = 0;
  while (!pending.empty() && rounds < 30) {
    ++rounds;
    BatchWriteRowRequest req;
    req.tables.resize(1);
    req.tables[0].table = "t_fault";
    for (const Row* r : pending) {
      req.tables[0].rows.push_back(BatchWriteRowItem{WriteType::kPut, r, {}, {}});
    }
    BatchResult result;
    Status s = c.BatchWriteRow(req, &result);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    std::vector<const Row*> again;
    for (size_t i = 0; i < pending.size(); ++i) {
      const BatchRowResult& r = result.tables[0].rows[i];
      if (!r.ok) {
        ++row_failures;
        CHECK(r.error_code == "OTSServerBusy");
        CHECK(ClassifyRowError(r.error_code, r.error_message) != RetryKind::kNone);
        again.push_back(pending[i]);
      }
    }
    pending.swap(again);
  }
  CHECK(pending.empty());
  CHECK(row_failures > 0);
  emu.server.faults().SetRules({}, 7);

  int64_t count = 0;
  GetRangeRequest all;
  all.table = "t_fault";
  all.inclusive_start = InfKey(false);
  all.exclusive_end = InfKey(true);
  REQUIRE(c.GetRangeAll(all, [&](const GetRangeResult& page) {
             count += static_cast<int64_t>(page.rows.size());
             return Status::OK();
           }).ok());
  CHECK(count == 200);
}

TEST_CASE("client vs emulator: one client shared by parallel scanners and writers") {
  Emulator emu;
  Client& c = *emu.client;
  REQUIRE(c.CreateTable(IntKeyTable("t_par")).ok());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;

  // Writers: each thread its own key block, 200-row batches.
  std::vector<std::thread> threads;
  std::vector<Status> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int start = 0; start < kPerThread; start += 200) {
        Rows b;
        BatchWriteRowRequest req;
        req.tables.resize(1);
        req.tables[0].table = "t_par";
        for (int i = start; i < start + 200; ++i) {
          Row& r = b.New();
          b.Pk(r, "id", Value::Integer(int64_t{t} * kPerThread + i));
          b.Col(r, "s", b.Str("value " + std::to_string(i)));
          req.tables[0].rows.push_back(
              BatchWriteRowItem{WriteType::kPut, &r, {}, {}});
        }
        BatchResult result;
        Status s = c.BatchWriteRow(req, &result);
        if (s.ok() && result.failed_rows > 0) s = Status::Internal("row failures");
        if (!s.ok()) {
          errors[t] = s;
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const Status& s : errors) CHECK_MESSAGE(s.ok(), s.ToString());

  // Scanners: each thread one key block, pages of 300.
  threads.clear();
  std::vector<int64_t> counts(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      GetRangeRequest r;
      r.table = "t_par";
      r.inclusive_start = IntKey(int64_t{t} * kPerThread);
      r.exclusive_end = IntKey(int64_t{t + 1} * kPerThread);
      r.limit = 300;
      int64_t expect = int64_t{t} * kPerThread;
      bool in_order = true;
      errors[t] = c.GetRangeAll(r, [&](const GetRangeResult& page) {
        for (const Row& row : page.rows) {
          if (row.primary_key[0].value->i != expect++) in_order = false;
          ++counts[t];
        }
        return Status::OK();
      });
      if (errors[t].ok() && !in_order) errors[t] = Status::Internal("out of order");
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    CHECK_MESSAGE(errors[t].ok(), errors[t].ToString());
    CHECK(counts[t] == kPerThread);
  }
  ClientStats stats = c.stats();
  CHECK(stats.bytes_sent > 0);
  CHECK(stats.bytes_received > 0);
  CHECK(stats.write_cu >= kThreads * kPerThread);
}
