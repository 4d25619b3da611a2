// Store semantics: tables, rows, versions, TTL, conditions, filters, paging, limits, capacity,
// split points and durability, against a temporary (or data-dir) RocksDB store.
#include "emulator/store.h"

#include <doctest/doctest.h>

#include <atomic>
#include <deque>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tablestore/plainbuffer.h"
#include "tsbridge/tablestore/limits.h"

namespace tsb::emulator {
namespace {

using ots::Value;

constexpr int64_t kStartMs = 1'700'000'000'000;
constexpr std::string_view kInst = "demo";

// A row built for a request; owns the bytes its views point to.
class RowBuilder {
 public:
  RowBuilder& Pk(std::string name, Value v) {
    ots::Cell& c = row_.primary_key.emplace_back();
    c.name = Keep(std::move(name));
    c.value = KeepValue(v);
    return *this;
  }
  RowBuilder& PkS(std::string name, std::string v) {
    return Pk(std::move(name), Value::String(Keep(std::move(v))));
  }
  RowBuilder& PkI(std::string name, int64_t v) { return Pk(std::move(name), Value::Integer(v)); }
  RowBuilder& Col(std::string name, Value v, std::optional<int64_t> ts = std::nullopt,
                  ots::CellOp op = ots::CellOp::kPut) {
    ots::Cell& c = row_.attributes.emplace_back();
    c.name = Keep(std::move(name));
    c.value = KeepValue(v);
    c.timestamp = ts;
    c.op = op;
    return *this;
  }
  RowBuilder& ColS(std::string name, std::string v, std::optional<int64_t> ts = std::nullopt) {
    return Col(std::move(name), Value::String(Keep(std::move(v))), ts);
  }
  RowBuilder& ColI(std::string name, int64_t v, std::optional<int64_t> ts = std::nullopt) {
    return Col(std::move(name), Value::Integer(v), ts);
  }
  RowBuilder& Op(std::string name, ots::CellOp op, std::optional<int64_t> ts = std::nullopt) {
    ots::Cell& c = row_.attributes.emplace_back();
    c.name = Keep(std::move(name));
    c.op = op;
    c.timestamp = ts;
    return *this;
  }
  const ots::Row& row() const { return row_; }
  std::span<const ots::Cell> pk() const { return row_.primary_key; }

 private:
  std::string_view Keep(std::string s) {
    storage_.push_back(std::move(s));
    return storage_.back();
  }
  Value KeepValue(Value v) {
    if (v.type == ots::ValueType::kString || v.type == ots::ValueType::kBinary) {
      v.bytes = Keep(std::string(v.bytes));
    }
    return v;
  }
  std::deque<std::string> storage_;
  ots::Row row_;
};

std::string ValueText(const Value& v) {
  switch (v.type) {
    case ots::ValueType::kInteger:
      return "I" + std::to_string(v.i);
    case ots::ValueType::kDouble:
      return "D" + std::to_string(v.d);
    case ots::ValueType::kBoolean:
      return v.b ? "Btrue" : "Bfalse";
    case ots::ValueType::kString:
      return "S'" + std::string(v.bytes) + "'";
    case ots::ValueType::kBinary:
      return "X'" + std::string(v.bytes) + "'";
    default:
      return "?";
  }
}

// "pk=I1 | a=S'x'@100 b=I2@90"
std::string RowText(const ots::Row& row) {
  std::string out;
  for (const auto& c : row.primary_key) {
    if (!out.empty()) out += " ";
    out += std::string(c.name) + "=" + ValueText(*c.value);
  }
  out += " |";
  for (const auto& c : row.attributes) {
    out += " " + std::string(c.name) + "=" + ValueText(*c.value);
    if (c.timestamp) out += "@" + std::to_string(*c.timestamp);
  }
  return out;
}

struct CollectSink : RowSink {
  std::vector<std::string> rows;
  void OnRow(const ots::Row& row) override { rows.push_back(RowText(row)); }
};

struct Fixture {
  std::shared_ptr<std::atomic<int64_t>> now = std::make_shared<std::atomic<int64_t>>(kStartMs);
  std::unique_ptr<Store> store;

  explicit Fixture(std::string dir = "") { Open(std::move(dir)); }
  void Open(std::string dir) {
    StoreOptions opts;
    opts.data_dir = std::move(dir);
    auto clock = now;
    opts.now_ms_for_test = [clock] { return clock->load(); };
    auto s = Store::Open(opts);
    REQUIRE(s.ok());
    store = std::move(s).value();
  }

  Status Create(std::string name, std::vector<PrimaryKeyColumn> pk, TableOptions options = {}) {
    TableMeta meta;
    meta.name = std::move(name);
    meta.primary_key = std::move(pk);
    return store->CreateTable(kInst, meta, options, ReservedThroughput{});
  }
  void CreateSimple(std::string name = "t", TableOptions options = {}) {
    REQUIRE(Create(name, {{"pk", PrimaryKeyType::kInteger}}, options).ok());
  }
  Status Put(std::string_view table, const RowBuilder& b, Condition cond = {},
             RowWriteResult* out = nullptr) {
    RowWriteResult r;
    Status s = store->PutRow(kInst, table, b.row(), cond, out ? out : &r);
    return s;
  }
  Status Update(std::string_view table, const RowBuilder& b, Condition cond = {},
                RowWriteResult* out = nullptr) {
    RowWriteResult r;
    return store->UpdateRow(kInst, table, b.row(), cond, out ? out : &r);
  }
  std::vector<std::string> Get(std::string_view table, const RowBuilder& pk, ReadOptions read = {},
                               CapacityUnits* cu = nullptr) {
    CollectSink sink;
    auto r = store->GetRow(kInst, table, pk.pk(), read, &sink);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    if (cu) *cu = *r;
    return sink.rows;
  }
  // All rows of the range, following next_start_primary_key; returns the pages' row counts.
  std::vector<std::string> Scan(std::string_view table, std::vector<ots::Cell> start,
                                std::vector<ots::Cell> end, Direction dir = Direction::kForward,
                                ReadOptions read = {}, std::vector<int64_t>* pages = nullptr,
                                std::optional<int32_t> limit = std::nullopt) {
    CollectSink sink;
    OwnedRow next_holder;
    std::vector<ots::Cell> cur = start;
    for (int guard = 0; guard < 10000; ++guard) {
      GetRangeRequest req;
      req.table = table;
      req.direction = dir;
      req.inclusive_start = cur;
      req.exclusive_end = end;
      req.read = read;
      req.limit = limit.value_or(0);
      size_t before = sink.rows.size();
      auto r = store->GetRange(kInst, req, &sink);
      REQUIRE_MESSAGE(r.ok(), r.status().ToString());
      if (pages) pages->push_back(static_cast<int64_t>(sink.rows.size() - before));
      if (r->next_start_primary_key.empty()) break;
      for (const auto& c : r->next_start_primary_key.row().primary_key) {
        REQUIRE(c.value->type != ots::ValueType::kInfMin);
        REQUIRE(c.value->type != ots::ValueType::kInfMax);
      }
      next_holder = std::move(r.value().next_start_primary_key);
      cur = next_holder.row().primary_key;
    }
    return sink.rows;
  }
};

std::vector<ots::Cell> Bound(std::vector<std::pair<std::string_view, Value>> cells) {
  std::vector<ots::Cell> out;
  for (auto& [n, v] : cells) {
    ots::Cell& c = out.emplace_back();
    c.name = n;
    c.value = v;
  }
  return out;
}

void CheckError(const Status& s, std::string_view code, std::string_view message, int http) {
  CHECK_MESSAGE(s.ots_code() == code, s.ToString());
  CHECK(s.message() == message);
  CHECK(s.http_status() == http);
}

TEST_CASE("store: table lifecycle and table errors") {
  Fixture f;
  CHECK(f.store->ListTables(kInst)->empty());
  f.CreateSimple("orders");
  CheckError(f.Create("orders", {{"pk", PrimaryKeyType::kInteger}}), "OTSObjectAlreadyExist",
             "Requested table already exists.", 409);
  CheckError(f.store->DescribeTable(kInst, "nope").status(), "OTSObjectNotExist",
             "Requested table does not exist.", 404);
  // Instances are namespaces.
  CHECK(f.store->ListTables("other")->empty());
  CHECK(f.store->DescribeTable("other", "orders").status().ots_code() == "OTSObjectNotExist");

  CheckError(f.Create("bad", {}), "OTSParameterInvalid",
             "The number of primary key columns must be in range: [1, 4].", 400);
  CheckError(f.Create("bad", {{"a", PrimaryKeyType::kInteger},
                              {"b", PrimaryKeyType::kInteger},
                              {"c", PrimaryKeyType::kInteger},
                              {"d", PrimaryKeyType::kInteger},
                              {"e", PrimaryKeyType::kInteger}}),
             "OTSParameterInvalid", "The number of primary key columns must be in range: [1, 4].",
             400);
  CheckError(f.Create("bad", {{"a", static_cast<PrimaryKeyType>(5)}}), "OTSParameterInvalid",
             "double can not be used as primary key.", 400);
  CheckError(f.Create("9bad", {{"a", PrimaryKeyType::kInteger}}), "OTSParameterInvalid",
             "Invalid table name: '9bad'.", 400);
  TableOptions ttl0;
  ttl0.time_to_live = 0;
  CheckError(f.Create("bad", {{"a", PrimaryKeyType::kInteger}}, ttl0), "OTSParameterInvalid",
             "TimeToLive cannot be 0 or less than -1.", 400);
  ttl0.time_to_live = -2;
  CHECK(f.Create("bad", {{"a", PrimaryKeyType::kInteger}}, ttl0).ots_code() ==
        "OTSParameterInvalid");
  ttl0.time_to_live = 86399;
  CHECK(f.Create("bad", {{"a", PrimaryKeyType::kInteger}}, ttl0).ots_code() ==
        "OTSParameterInvalid");
  TableOptions mv0;
  mv0.max_versions = 0;
  CHECK(f.Create("bad", {{"a", PrimaryKeyType::kInteger}}, mv0).ots_code() ==
        "OTSParameterInvalid");

  auto d = f.store->DescribeTable(kInst, "orders");
  REQUIRE(d.ok());
  CHECK(*d->options.time_to_live == -1);
  CHECK(*d->options.max_versions == 1);
  CHECK(*d->options.max_time_deviation == 86400);
  CHECK(d->last_increase_time == kStartMs / 1000);

  TableOptions upd;
  upd.max_versions = 3;
  auto u = f.store->UpdateTable(kInst, "orders", upd, nullptr);
  REQUIRE(u.ok());
  CHECK(*u->options.max_versions == 3);
  CHECK(*u->options.time_to_live == -1);

  REQUIRE(f.Put("orders", RowBuilder().PkI("pk", 1).ColI("a", 1)).ok());
  REQUIRE(f.store->DeleteTable(kInst, "orders").ok());
  CHECK(f.store->DeleteTable(kInst, "orders").ots_code() == "OTSObjectNotExist");
  f.CreateSimple("orders");
  CHECK(f.Get("orders", RowBuilder().PkI("pk", 1)).empty());  // the old rows are gone

  for (int i = 1; i < 64; ++i) f.CreateSimple("t" + std::to_string(i));
  CheckError(f.Create("t64", {{"pk", PrimaryKeyType::kInteger}}), "OTSQuotaExhausted",
             "Number of tables exceeded the quota.", 403);
  auto names = f.store->ListTables(kInst);
  CHECK(names->size() == 64);
}

TEST_CASE("store: primary-key and value checks on writes") {
  Fixture f;
  REQUIRE(f.Create("t", {{"a", PrimaryKeyType::kString}, {"b", PrimaryKeyType::kInteger}}).ok());
  CHECK(f.Put("t", RowBuilder().PkS("a", "x").PkI("b", 1).ColS("c", "v")).ok());
  CheckError(f.Put("t", RowBuilder().PkS("a", "x")), "OTSInvalidPK", "Primary key schema mismatch.",
             400);
  CheckError(f.Put("t", RowBuilder().PkI("b", 1).PkS("a", "x")), "OTSInvalidPK",
             "Primary key schema mismatch.", 400);
  CheckError(f.Put("t", RowBuilder().PkS("a", "x").PkS("b", "1")), "OTSInvalidPK",
             "Primary key schema mismatch.", 400);
  CheckError(f.Put("t", RowBuilder().PkS("a", "x").Pk("b", Value::Double(1))),
             "OTSParameterInvalid", "double can not be used as primary key.", 400);
  CheckError(f.Put("t", RowBuilder().PkS("a", std::string(1025, 'k')).PkI("b", 1)),
             "OTSParameterInvalid",
             "The length of primary key column: 'a' exceeded the MaxLength:1024 with "
             "CurrentLength:1025.",
             400);
  CHECK(f.Put("t", RowBuilder().PkS("a", std::string(1024, 'k')).PkI("b", 1)).ok());
  CheckError(
      f.Put("t", RowBuilder().PkS("a", "x").PkI("b", 1).ColS("c", std::string(2097153, 'v'))),
      "OTSParameterInvalid",
      "The length of attribute column: 'c' exceeded the MaxLength:2097152 with "
      "CurrentLength:2097153.",
      400);
  RowBuilder wide;
  wide.PkS("a", "x").PkI("b", 1);
  for (int i = 0; i < 1025; ++i) wide.ColI("c" + std::to_string(i), i);
  CheckError(f.Put("t", wide), "OTSOutOfColumnCountLimit",
             "The number of columns in one row exceeded the limit.", 400);
  // INF is only a range bound.
  CHECK(f.Put("t", RowBuilder().PkS("a", "x").Pk("b", Value::InfMax())).ots_code() ==
        "OTSInvalidPK");
  CHECK(f.Put("missing", RowBuilder().PkS("a", "x")).ots_code() == "OTSObjectNotExist");
}

TEST_CASE("store: put, get, columns_to_get, capacity units") {
  Fixture f;
  f.CreateSimple();
  RowWriteResult res;
  REQUIRE(f.Put("t", RowBuilder().PkI("pk", 1).ColS("a", "x").ColI("b", 7), {}, &res).ok());
  CHECK(res.consumed == CapacityUnits{0, 1});
  CapacityUnits cu;
  auto rows = f.Get("t", RowBuilder().PkI("pk", 1), {}, &cu);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] ==
        "pk=I1 | a=S'x'@" + std::to_string(kStartMs) + " b=I7@" + std::to_string(kStartMs));
  CHECK(cu == CapacityUnits{1, 0});
  CHECK(f.Get("t", RowBuilder().PkI("pk", 2), {}, &cu).empty());
  CHECK(cu == CapacityUnits{1, 0});

  ReadOptions only_b;
  only_b.columns_to_get = {"b"};
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), only_b)[0] ==
        "pk=I1 | b=I7@" + std::to_string(kStartMs));
  ReadOptions missing;
  missing.columns_to_get = {"zzz"};
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), missing).empty());
  ReadOptions pk_only;
  pk_only.columns_to_get = {"pk"};
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), pk_only)[0] == "pk=I1 |");

  // A 5000-byte value costs 2 write CU and 2 read CU.
  REQUIRE(f.Put("t", RowBuilder().PkI("pk", 3).ColS("a", std::string(5000, 'z')), {}, &res).ok());
  CHECK(res.consumed == CapacityUnits{0, 2});
  f.Get("t", RowBuilder().PkI("pk", 3), {}, &cu);
  CHECK(cu == CapacityUnits{2, 0});

  // PutRow replaces the whole row.
  REQUIRE(f.Put("t", RowBuilder().PkI("pk", 1).ColI("c", 1, kStartMs - 5)).ok());
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1))[0] == "pk=I1 | c=I1@" + std::to_string(kStartMs - 5));
}

TEST_CASE("store: versions, max_versions, time ranges, TTL") {
  Fixture f;
  TableOptions opts;
  opts.max_versions = 3;
  opts.time_to_live = 86400;
  f.CreateSimple("t", opts);
  const int64_t t0 = kStartMs - 10000;
  RowBuilder b;
  b.PkI("pk", 1);
  for (int i = 0; i < 5; ++i) b.ColI("v", i, t0 + i * 1000);
  REQUIRE(f.Put("t", b).ok());
  ReadOptions all;
  all.max_versions = 10;
  auto rows = f.Get("t", RowBuilder().PkI("pk", 1), all);
  REQUIRE(rows.size() == 1);
  // Pruned to the newest 3 on write, newest first.
  CHECK(rows[0] == "pk=I1 | v=I4@" + std::to_string(t0 + 4000) + " v=I3@" +
                       std::to_string(t0 + 3000) + " v=I2@" + std::to_string(t0 + 2000));
  ReadOptions two;
  two.max_versions = 2;
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), two)[0] ==
        "pk=I1 | v=I4@" + std::to_string(t0 + 4000) + " v=I3@" + std::to_string(t0 + 3000));
  ReadOptions range;
  range.time_range = TimeRange{t0 + 2000, t0 + 4000, std::nullopt};
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), range)[0] ==
        "pk=I1 | v=I3@" + std::to_string(t0 + 3000) + " v=I2@" + std::to_string(t0 + 2000));
  ReadOptions specific;
  specific.time_range = TimeRange::Specific(t0 + 2000);
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), specific)[0] ==
        "pk=I1 | v=I2@" + std::to_string(t0 + 2000));
  specific.max_versions = 1;
  CollectSink sink;
  CheckError(f.store->GetRow(kInst, "t", RowBuilder().PkI("pk", 1).pk(), specific, &sink).status(),
             "OTSParameterInvalid",
             "Specific tiemstamp and max versions cannot be given at the same time.", 400);

  // Versioned tables add 8 bytes per version to CU sizes; still 1 CU here.
  CapacityUnits cu;
  f.Get("t", RowBuilder().PkI("pk", 1), all, &cu);
  CHECK(cu.read == 1);

  // Timestamps outside the deviation window are refused.
  Status s = f.Put("t", RowBuilder().PkI("pk", 2).ColI("v", 1, kStartMs + 86400LL * 1000 + 1));
  CHECK(s.ots_code() == "OTSParameterInvalid");

  // TTL: the versions expire with the clock.
  f.now->store(t0 + 2500 + 86400LL * 1000);  // v2 (t0+2000) expires, v3 and v4 stay
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), all)[0] ==
        "pk=I1 | v=I4@" + std::to_string(t0 + 4000) + " v=I3@" + std::to_string(t0 + 3000));
  f.now->store(t0 + 5000 + 86400LL * 1000);
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), all).empty());
  CHECK(f.Scan("t", Bound({{"pk", Value::InfMin()}}), Bound({{"pk", Value::InfMax()}})).empty());
}

TEST_CASE("store: PlainBufferRowSize matches the codec's encoder") {
  RowBuilder a;
  a.PkS("p", "key").PkI("q", -1).Pk("r", Value::Binary(std::string_view("\0\1", 2)));
  CHECK(PlainBufferRowSize(a.row()) == static_cast<int64_t>(ots::EncodedRowSize(a.row())));
  a.ColS("s", "text", 5)
      .ColI("i", 1, 6)
      .Col("d", Value::Double(0.5), 7)
      .Col("b", Value::Boolean(true), 8)
      .Col("x", Value::Binary(""), 9)
      .ColS("n", "no-ts");
  CHECK(PlainBufferRowSize(a.row()) == static_cast<int64_t>(ots::EncodedRowSize(a.row())));
  RowBuilder u;
  u.PkI("p", 1)
      .Op("a", ots::CellOp::kDeleteAllVersions)
      .Op("b", ots::CellOp::kDeleteOneVersion, 3)
      .Col("c", Value::Integer(1), std::nullopt, ots::CellOp::kIncrement);
  CHECK(PlainBufferRowSize(u.row()) == static_cast<int64_t>(ots::EncodedRowSize(u.row())));
}

TEST_CASE("store: lowering max_versions hides older versions at once") {
  Fixture f;
  TableOptions opts;
  opts.max_versions = 3;
  f.CreateSimple("t", opts);
  REQUIRE(
      f.Put("t", RowBuilder().PkI("pk", 1).ColI("v", 1, kStartMs - 3).ColI("v", 2, kStartMs - 2))
          .ok());
  ReadOptions all;
  all.max_versions = 5;
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), all)[0].find("v=I1") != std::string::npos);
  TableOptions one;
  one.max_versions = 1;
  REQUIRE(f.store->UpdateTable(kInst, "t", one, nullptr).ok());
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), all)[0] ==
        "pk=I1 | v=I2@" + std::to_string(kStartMs - 2));
  // Filters may name a primary-key column.
  ReadOptions by_pk;
  by_pk.filter = ColumnFilter::Compare("pk", Comparator::kEqual, Value::Integer(1), true);
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), by_pk).size() == 1);
  by_pk.filter = ColumnFilter::Compare("pk", Comparator::kEqual, Value::Integer(2), true);
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), by_pk).empty());
}

TEST_CASE("store: UpdateRow operations") {
  Fixture f;
  TableOptions opts;
  opts.max_versions = 5;
  f.CreateSimple("t", opts);
  const int64_t t0 = kStartMs - 1000;
  REQUIRE(
      f.Update("t",
               RowBuilder().PkI("pk", 1).ColI("a", 1, t0).ColI("a", 2, t0 + 1).ColS("b", "x", t0))
          .ok());
  ReadOptions all;
  all.max_versions = 10;
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), all)[0] == "pk=I1 | a=I2@" + std::to_string(t0 + 1) +
                                                             " a=I1@" + std::to_string(t0) +
                                                             " b=S'x'@" + std::to_string(t0));
  REQUIRE(f.Update("t", RowBuilder().PkI("pk", 1).Op("a", ots::CellOp::kDeleteOneVersion, t0 + 1))
              .ok());
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), all)[0] ==
        "pk=I1 | a=I1@" + std::to_string(t0) + " b=S'x'@" + std::to_string(t0));
  REQUIRE(f.Update("t", RowBuilder().PkI("pk", 1).Op("b", ots::CellOp::kDeleteAllVersions)).ok());
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), all)[0] == "pk=I1 | a=I1@" + std::to_string(t0));

  // INCREMENT: from the latest value, or from 0; returns the new value with RT_AFTER_MODIFY.
  RowBuilder inc;
  inc.PkI("pk", 1)
      .Col("a", Value::Integer(10), std::nullopt, ots::CellOp::kIncrement)
      .Col("n", Value::Integer(-3), std::nullopt, ots::CellOp::kIncrement);
  RowWrite w;
  w.type = WriteType::kUpdate;
  w.row = &inc.row();
  w.return_content.type = ReturnType::kAfterModify;
  RowWriteResult res;
  REQUIRE(f.store->WriteRow(kInst, "t", w, &res).ok());
  CHECK(RowText(res.returned.row()) ==
        "pk=I1 | a=I11@" + std::to_string(kStartMs) + " n=I-3@" + std::to_string(kStartMs));
  ReadOptions latest;
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1), latest)[0] ==
        "pk=I1 | a=I11@" + std::to_string(kStartMs) + " n=I-3@" + std::to_string(kStartMs));
  REQUIRE(f.Update("t", RowBuilder().PkI("pk", 1).ColS("s", "str")).ok());
  Status s = f.Update("t", RowBuilder().PkI("pk", 1).Col("s", Value::Integer(1), std::nullopt,
                                                         ots::CellOp::kIncrement));
  CHECK(s.ots_code() == "OTSParameterInvalid");
  s = f.Update("t", RowBuilder().PkI("pk", 1).Col("s", Value::String("x"), std::nullopt,
                                                  ots::CellOp::kIncrement));
  CHECK(s.ots_code() == "OTSParameterInvalid");
}

TEST_CASE("store: row existence and column conditions") {
  Fixture f;
  f.CreateSimple();
  Condition exist{RowExistence::kExpectExist, std::nullopt};
  Condition not_exist{RowExistence::kExpectNotExist, std::nullopt};
  RowWriteResult res;
  Status s = f.Put("t", RowBuilder().PkI("pk", 1).ColI("a", 1), exist, &res);
  CheckError(s, "OTSConditionCheckFail", "Condition check failed.", 403);
  CHECK(res.consumed == CapacityUnits{1, 1});
  REQUIRE(f.Put("t", RowBuilder().PkI("pk", 1).ColI("a", 1), not_exist, &res).ok());
  CHECK(res.consumed == CapacityUnits{1, 1});
  CHECK(f.Put("t", RowBuilder().PkI("pk", 1).ColI("a", 2), not_exist).ots_code() ==
        "OTSConditionCheckFail");
  CHECK(f.Update("t", RowBuilder().PkI("pk", 1).ColI("a", 3), exist).ok());

  Condition col;
  col.column_condition = ColumnFilter::Compare("a", Comparator::kEqual, Value::Integer(3));
  CHECK(f.Update("t", RowBuilder().PkI("pk", 1).ColI("a", 4), col).ok());
  CHECK(f.Update("t", RowBuilder().PkI("pk", 1).ColI("a", 5), col).ots_code() ==
        "OTSConditionCheckFail");
  // Missing column: passes unless filter_if_missing.
  Condition missing;
  missing.column_condition = ColumnFilter::Compare("zz", Comparator::kEqual, Value::Integer(3));
  CHECK(f.Update("t", RowBuilder().PkI("pk", 1).ColI("b", 1), missing).ok());
  missing.column_condition->filter_if_missing = true;
  CHECK(f.Update("t", RowBuilder().PkI("pk", 1).ColI("b", 1), missing).ots_code() ==
        "OTSConditionCheckFail");

  RowWriteResult del;
  CHECK(f.store->DeleteRow(kInst, "t", RowBuilder().PkI("pk", 9).row(), exist, &del).ots_code() ==
        "OTSConditionCheckFail");
  REQUIRE(f.store->DeleteRow(kInst, "t", RowBuilder().PkI("pk", 1).row(), exist, &del).ok());
  CHECK(del.consumed == CapacityUnits{1, 1});
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1)).empty());
}

TEST_CASE("store: GetRange directions, bounds, limit, errors") {
  Fixture f;
  REQUIRE(f.Create("t", {{"a", PrimaryKeyType::kString}, {"b", PrimaryKeyType::kInteger}}).ok());
  for (const char* a : {"x", "y", "z"}) {
    for (int b = -2; b <= 2; ++b) {
      REQUIRE(f.Put("t", RowBuilder().PkS("a", a).PkI("b", b).ColI("v", b, 1000 + kStartMs - 5000))
                  .ok());
    }
  }
  auto all = f.Scan("t", Bound({{"a", Value::InfMin()}, {"b", Value::InfMin()}}),
                    Bound({{"a", Value::InfMax()}, {"b", Value::InfMax()}}));
  REQUIRE(all.size() == 15);
  CHECK(all.front().starts_with("a=S'x' b=I-2 |"));
  CHECK(all.back().starts_with("a=S'z' b=I2 |"));
  // Start inclusive, end exclusive, INF in later columns.
  auto mid = f.Scan("t", Bound({{"a", Value::String("x")}, {"b", Value::Integer(1)}}),
                    Bound({{"a", Value::String("y")}, {"b", Value::InfMax()}}));
  REQUIRE(mid.size() == 7);
  CHECK(mid.front().starts_with("a=S'x' b=I1 |"));
  CHECK(mid.back().starts_with("a=S'y' b=I2 |"));
  auto back =
      f.Scan("t", Bound({{"a", Value::String("y")}, {"b", Value::Integer(0)}}),
             Bound({{"a", Value::String("x")}, {"b", Value::Integer(1)}}), Direction::kBackward);
  REQUIRE(back.size() == 4);  // y0 y-1 y-2 x2
  CHECK(back.front().starts_with("a=S'y' b=I0 |"));
  CHECK(back.back().starts_with("a=S'x' b=I2 |"));
  auto back_all =
      f.Scan("t", Bound({{"a", Value::InfMax()}, {"b", Value::InfMax()}}),
             Bound({{"a", Value::InfMin()}, {"b", Value::InfMin()}}), Direction::kBackward);
  REQUIRE(back_all.size() == 15);
  CHECK(back_all.front().starts_with("a=S'z' b=I2 |"));

  // Limit: pages of 4, next key is the next real row.
  std::vector<int64_t> pages;
  auto limited = f.Scan("t", Bound({{"a", Value::InfMin()}, {"b", Value::InfMin()}}),
                        Bound({{"a", Value::InfMax()}, {"b", Value::InfMax()}}),
                        Direction::kForward, {}, &pages, 4);
  CHECK(limited == all);
  CHECK(pages == std::vector<int64_t>{4, 4, 4, 3});

  GetRangeRequest req;
  req.table = "t";
  auto s1 = Bound({{"a", Value::String("y")}, {"b", Value::Integer(0)}});
  auto s2 = Bound({{"a", Value::String("x")}, {"b", Value::Integer(0)}});
  req.inclusive_start = s1;
  req.exclusive_end = s2;
  CollectSink sink;
  CheckError(f.store->GetRange(kInst, req, &sink).status(), "OTSParameterInvalid",
             "Begin key must less than end key in FORWARD", 400);
  req.inclusive_start = s2;
  req.exclusive_end = s2;
  CHECK(f.store->GetRange(kInst, req, &sink).status().ots_code() == "OTSParameterInvalid");
  req.direction = Direction::kBackward;
  req.inclusive_start = s2;
  req.exclusive_end = s1;
  CheckError(f.store->GetRange(kInst, req, &sink).status(), "OTSParameterInvalid",
             "Begin key must more than end key in BACKWARD", 400);
  auto bad = Bound({{"a", Value::Integer(1)}, {"b", Value::Integer(0)}});
  req.inclusive_start = bad;
  CHECK(f.store->GetRange(kInst, req, &sink).status().ots_code() == "OTSInvalidPK");

  // CU: every scanned row's PK plus attributes, one request: 15 small rows -> 1 CU.
  req.direction = Direction::kForward;
  auto lo = Bound({{"a", Value::InfMin()}, {"b", Value::InfMin()}});
  auto hi = Bound({{"a", Value::InfMax()}, {"b", Value::InfMax()}});
  req.inclusive_start = lo;
  req.exclusive_end = hi;
  auto r = f.store->GetRange(kInst, req, &sink);
  REQUIRE(r.ok());
  CHECK(r->consumed == CapacityUnits{1, 0});
  CHECK(r->rows_scanned == 15);
}

TEST_CASE("store: GetRange capacity units count every scanned row") {
  Fixture f;
  f.CreateSimple();
  for (int i = 0; i < 100; ++i) {
    REQUIRE(f.Put("t", RowBuilder().PkI("pk", i).ColS("v", std::string(100, 'x'))).ok());
  }
  auto lo = Bound({{"pk", Value::InfMin()}});
  auto hi = Bound({{"pk", Value::InfMax()}});
  GetRangeRequest req;
  req.table = "t";
  req.inclusive_start = lo;
  req.exclusive_end = hi;
  CollectSink sink;
  // Each row: "pk" + 8 + "v" + 100 = 111 bytes; 100 rows = 11,100 bytes = 3 CU.
  auto r = f.store->GetRange(kInst, req, &sink);
  REQUIRE(r.ok());
  CHECK(r->consumed == CapacityUnits{3, 0});
  req.read.filter = ColumnFilter::Compare("v", Comparator::kEqual, Value::String("none"));
  r = f.store->GetRange(kInst, req, &sink);
  REQUIRE(r.ok());
  CHECK(r->rows_returned == 0);
  CHECK(r->consumed == CapacityUnits{3, 0});  // filters don't reduce it
  req.read.filter.reset();
  req.read.columns_to_get = {"pk"};
  r = f.store->GetRange(kInst, req, &sink);
  REQUIRE(r.ok());
  CHECK(r->rows_returned == 100);
  CHECK(r->consumed == CapacityUnits{1, 0});  // 100 * 10 bytes of keys
  req.limit = 10;
  req.read.columns_to_get.clear();
  r = f.store->GetRange(kInst, req, &sink);
  REQUIRE(r.ok());
  CHECK(r->consumed == CapacityUnits{1, 0});
  REQUIRE(!r->next_start_primary_key.empty());
  CHECK(r->next_start_primary_key.row().primary_key[0].value->i == 10);
}

TEST_CASE("store: filters on GetRange") {
  Fixture f;
  TableOptions opts;
  opts.max_versions = 2;
  f.CreateSimple("t", opts);
  const int64_t ts = kStartMs - 100;
  for (int i = 0; i < 10; ++i) {
    RowBuilder b;
    b.PkI("pk", i).ColI("n", i, ts).ColS("s", i % 2 ? "odd" : "even", ts);
    if (i == 3) b.Col("d", Value::Double(2.5), ts);
    if (i < 5) b.ColI("old", 100, ts - 10).ColI("old", i, ts);  // two versions
    REQUIRE(f.Put("t", b).ok());
  }
  auto lo = Bound({{"pk", Value::InfMin()}});
  auto hi = Bound({{"pk", Value::InfMax()}});
  auto count = [&](ColumnFilter filter) {
    ReadOptions read;
    read.filter = std::move(filter);
    read.max_versions = 2;
    return f.Scan("t", lo, hi, Direction::kForward, read).size();
  };
  CHECK(count(ColumnFilter::Compare("n", Comparator::kGreaterEqual, Value::Integer(7))) == 3);
  CHECK(count(ColumnFilter::Compare("n", Comparator::kLessThan, Value::Integer(2))) == 2);
  CHECK(count(ColumnFilter::Compare("n", Comparator::kNotEqual, Value::Integer(2))) == 9);
  CHECK(count(ColumnFilter::Compare("s", Comparator::kEqual, Value::String("odd"))) == 5);
  CHECK(count(ColumnFilter::Compare("s", Comparator::kGreaterThan, Value::String("even"))) == 5);
  // INTEGER column vs DOUBLE value compares numerically; STRING vs INTEGER never matches.
  CHECK(count(ColumnFilter::Compare("n", Comparator::kLessEqual, Value::Double(2.5))) == 3);
  CHECK(count(ColumnFilter::Compare("s", Comparator::kEqual, Value::Integer(1))) == 0);
  CHECK(count(ColumnFilter::Compare("s", Comparator::kNotEqual, Value::Integer(1))) == 10);
  // Missing column: passes unless filter_if_missing.
  CHECK(count(ColumnFilter::Compare("d", Comparator::kEqual, Value::Double(2.5))) == 10);
  CHECK(count(ColumnFilter::Compare("d", Comparator::kEqual, Value::Double(2.5), true)) == 1);
  // latest_version_only=false: any version may match ("old" = 100 is every row's older version).
  CHECK(count(ColumnFilter::Compare("old", Comparator::kEqual, Value::Integer(100), true, true)) ==
        0);
  CHECK(count(ColumnFilter::Compare("old", Comparator::kEqual, Value::Integer(100), true, false)) ==
        5);
  // Composite.
  std::vector<ColumnFilter> and_children;
  and_children.push_back(ColumnFilter::Compare("n", Comparator::kGreaterThan, Value::Integer(2)));
  and_children.push_back(ColumnFilter::Compare("s", Comparator::kEqual, Value::String("odd")));
  CHECK(count(ColumnFilter::Composite(LogicalOperator::kAnd, and_children)) == 4);  // 3 5 7 9
  std::vector<ColumnFilter> or_children = and_children;
  CHECK(count(ColumnFilter::Composite(LogicalOperator::kOr, or_children)) == 8);
  std::vector<ColumnFilter> not_child;
  not_child.push_back(ColumnFilter::Composite(LogicalOperator::kAnd, and_children));
  CHECK(count(ColumnFilter::Composite(LogicalOperator::kNot, not_child)) == 6);
  // NOT needs one child.
  ReadOptions bad;
  bad.filter = ColumnFilter::Composite(LogicalOperator::kNot, and_children);
  GetRangeRequest req;
  req.table = "t";
  req.inclusive_start = lo;
  req.exclusive_end = hi;
  req.read = bad;
  CollectSink sink;
  CHECK(f.store->GetRange(kInst, req, &sink).status().ots_code() == "OTSParameterInvalid");
  // Column pagination trims columns.
  ReadOptions page;
  page.filter = ColumnFilter::ColumnPagination(1, 1);
  auto rows = f.Scan("t", lo, hi, Direction::kForward, page);
  REQUIRE(rows.size() == 10);
  CHECK(rows[9] == "pk=I9 | s=S'odd'@" + std::to_string(ts));
}

TEST_CASE("store: GetRange pages at 5000 rows and at 4 MiB") {
  Fixture f;
  f.CreateSimple();
  // 12,345 small rows through BatchWriteRow (200 a request).
  int64_t next = 0;
  while (next < 12345) {
    std::deque<RowBuilder> builders;
    BatchWriteRequest req;
    req.tables.push_back({"t", {}});
    for (int i = 0; i < 200 && next < 12345; ++i, ++next) {
      builders.emplace_back().PkI("pk", next).ColS("v", "value-" + std::to_string(next));
      RowWrite w;
      w.row = &builders.back().row();
      req.tables[0].rows.push_back(std::move(w));
    }
    std::vector<std::vector<RowWriteResult>> results;
    REQUIRE(f.store->BatchWriteRow(kInst, req, &results).ok());
    for (auto& r : results[0]) REQUIRE(r.status.ok());
  }
  std::vector<int64_t> pages;
  auto rows = f.Scan("t", Bound({{"pk", Value::InfMin()}}), Bound({{"pk", Value::InfMax()}}),
                     Direction::kForward, {}, &pages);
  CHECK(rows.size() == 12345);
  CHECK(pages == std::vector<int64_t>{5000, 5000, 2345});
  pages.clear();
  rows = f.Scan("t", Bound({{"pk", Value::InfMax()}}), Bound({{"pk", Value::InfMin()}}),
                Direction::kBackward, {}, &pages);
  CHECK(rows.size() == 12345);
  CHECK(rows.front().starts_with("pk=I12344 |"));
  CHECK(pages == std::vector<int64_t>{5000, 5000, 2345});

  // A filter that drops every row still stops each page after 5000 scanned rows.
  ReadOptions none;
  none.filter = ColumnFilter::Compare("v", Comparator::kEqual, Value::String("no such value"));
  pages.clear();
  rows = f.Scan("t", Bound({{"pk", Value::InfMin()}}), Bound({{"pk", Value::InfMax()}}),
                Direction::kForward, none, &pages);
  CHECK(rows.empty());
  CHECK(pages == std::vector<int64_t>{0, 0, 0});

  // 4 MiB: 100 KB rows -> 41 rows a page (41 * 100,0xx bytes < 4 MiB < 42 * ...).
  f.CreateSimple("big");
  for (int i = 0; i < 100; ++i) {
    REQUIRE(f.Put("big", RowBuilder().PkI("pk", i).ColS("v", std::string(100000, 'b'))).ok());
  }
  pages.clear();
  rows = f.Scan("big", Bound({{"pk", Value::InfMin()}}), Bound({{"pk", Value::InfMax()}}),
                Direction::kForward, {}, &pages);
  CHECK(rows.size() == 100);
  CHECK(pages == std::vector<int64_t>{41, 41, 18});
}

// Two sinks over one GetRange: the one that offers a PlainBuffer buffer gets rows copied from
// their stored form, the other gets ots::Rows that the codec's own encoder (the independent
// oracle) turns into bytes. Both must hold the same bytes.
struct DirectSink : RowSink {
  std::string bytes;
  ots::RowWriter writer{&bytes};  // writes the header
  int64_t via_on_row = 0;
  void OnRow(const ots::Row& row) override {
    ++via_on_row;
    writer.AddRow(row);
  }
  std::string* plainbuffer_rows() override { return &bytes; }
};
struct CodecSink : RowSink {
  std::string bytes;
  ots::RowWriter writer{&bytes};
  void OnRow(const ots::Row& row) override { writer.AddRow(row); }
};

// One GetRange page each way; returns the direct bytes after checking them against the codec's.
std::string CompareRangeEncodings(Fixture& f, const GetRangeRequest& req,
                                  int64_t* rows_returned = nullptr) {
  DirectSink direct;
  CodecSink codec;
  auto a = f.store->GetRange(kInst, req, &direct);
  auto b = f.store->GetRange(kInst, req, &codec);
  REQUIRE_MESSAGE(a.ok(), a.status().ToString());
  REQUIRE(b.ok());
  CHECK(direct.bytes == codec.bytes);
  CHECK(a->rows_returned == b->rows_returned);
  CHECK(a->rows_scanned == b->rows_scanned);
  CHECK(a->consumed.read == b->consumed.read);
  CHECK(a->next_start_primary_key.empty() == b->next_start_primary_key.empty());
  if (rows_returned) *rows_returned = a->rows_returned;
  return direct.bytes;
}

TEST_CASE("store: GetRange copies stored rows into PlainBuffer as the codec encodes them") {
  Fixture f;
  TableOptions opts;
  opts.max_versions = 3;
  opts.time_to_live = 86400;
  REQUIRE(f.Create("t",
                   {{"p", PrimaryKeyType::kString},
                    {"q", PrimaryKeyType::kInteger},
                    {"r", PrimaryKeyType::kBinary}},
                   opts)
              .ok());
  const int64_t t0 = kStartMs - 10000;
  const std::string zeros("a\0b\0", 4);
  auto key = [](RowBuilder& b, std::string p, int64_t q, std::string r) -> RowBuilder& {
    return b.PkS("p", std::move(p)).PkI("q", q).Pk("r", Value::Binary(r));
  };
  std::deque<RowBuilder> rows;
  key(rows.emplace_back(), "", -5, "")
      .ColS("s", "text", t0)
      .ColI("i", INT64_MIN, t0 + 1)
      .Col("d", Value::Double(-0.25), t0 + 2)
      .Col("b", Value::Boolean(true), t0 + 3)
      .Col("f", Value::Boolean(false), t0 + 4)
      .Col("x", Value::Binary(zeros), t0 + 5)
      .ColS("e", "", t0 + 6);
  key(rows.emplace_back(), zeros, 7, zeros);  // no attributes at all
  RowBuilder& versions = key(rows.emplace_back(), "v", 1, "\x01");
  for (int i = 0; i < 5; ++i) versions.ColI("v", i, t0 + i * 1000);
  versions.ColS("w", std::string(300, 'w'));
  for (const RowBuilder& b : rows) REQUIRE(f.Put("t", b).ok());

  auto all_keys = [](Direction d) {
    GetRangeRequest req;
    req.table = "t";
    req.direction = d;
    return req;
  };
  static const std::vector<ots::Cell> kMin =
      Bound({{"p", Value::InfMin()}, {"q", Value::InfMin()}, {"r", Value::InfMin()}});
  static const std::vector<ots::Cell> kMax =
      Bound({{"p", Value::InfMax()}, {"q", Value::InfMax()}, {"r", Value::InfMax()}});
  GetRangeRequest fwd = all_keys(Direction::kForward);
  fwd.inclusive_start = kMin;
  fwd.exclusive_end = kMax;
  GetRangeRequest bwd = all_keys(Direction::kBackward);
  bwd.inclusive_start = kMax;
  bwd.exclusive_end = kMin;

  int64_t n = 0;
  std::string bytes = CompareRangeEncodings(f, fwd, &n);
  CHECK(n == 3);
  // And the bytes decode (checksums verified) to the rows the row-by-row path reads.
  std::vector<ots::Row> decoded;
  REQUIRE(ots::DecodeRows(bytes, &decoded).ok());
  std::vector<std::string> texts;
  for (const auto& r : decoded) texts.push_back(RowText(r));
  CHECK(texts == f.Scan("t", kMin, kMax));
  CHECK(texts[2] == "p=S'v' q=I1 r=X'\x01' | v=I4@" + std::to_string(t0 + 4000) + " w=S'" +
                        std::string(300, 'w') + "'@" + std::to_string(kStartMs));
  CompareRangeEncodings(f, bwd);
  GetRangeRequest versioned = fwd;
  versioned.read.max_versions = 2;
  CompareRangeEncodings(f, versioned);
  GetRangeRequest ranged = fwd;
  ranged.read.time_range = TimeRange{t0 + 1, t0 + 3500, std::nullopt};
  CompareRangeEncodings(f, ranged);
  GetRangeRequest limited = fwd;
  limited.limit = 2;
  CompareRangeEncodings(f, limited, &n);
  CHECK(n == 2);
  // TTL: the oldest versions expire and the first row (all cells at t0..t0+6) disappears.
  f.now->store(t0 + 2500 + 86400LL * 1000);
  versioned.read.max_versions = 3;
  CompareRangeEncodings(f, versioned, &n);
  CHECK(n == 2);

  // Only reads of every column without a filter are copied; the others come through OnRow (of
  // the two rows left, the one without columns has no "w" and is not returned).
  GetRangeRequest some = fwd;
  some.read.columns_to_get = {"w"};
  DirectSink direct;
  REQUIRE(f.store->GetRange(kInst, some, &direct).ok());
  CHECK(direct.via_on_row == 1);
  DirectSink copied;
  REQUIRE(f.store->GetRange(kInst, fwd, &copied).ok());
  CHECK(copied.via_on_row == 0);
}

// Random rows through both GetRange paths: several versions per column, every value type
// (strings and binaries with 0x00 bytes, in the key too), deleted versions and columns, cells
// that TTL has expired, and reads with max_versions, time ranges and columns_to_get. The direct
// copy must give the codec's bytes, row counts and capacity units for each.
TEST_CASE("store: GetRange's direct copy matches the codec on random rows") {
  Fixture f;
  TableOptions opts;
  opts.max_versions = 4;
  opts.time_to_live = 86400;
  REQUIRE(
      f.Create("t", {{"k", PrimaryKeyType::kString}, {"n", PrimaryKeyType::kInteger}}, opts).ok());
  std::mt19937_64 rng(20);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  auto bytes = [&](int max_len) {
    std::string b(static_cast<size_t>(pick(max_len + 1)), '\0');
    for (char& c : b) c = static_cast<char>(pick(4) == 0 ? 0 : pick(256));
    return b;
  };
  const std::vector<std::string> names = {"a", "b", "col_c", "d", std::string(200, 'e'), "z"};
  auto value = [&]() {
    switch (pick(5)) {
      case 0:
        return Value::Integer(static_cast<int64_t>(rng()));
      case 1:
        return Value::Double(static_cast<double>(static_cast<int64_t>(rng())) / 7);
      case 2:
        return Value::Boolean(pick(2) == 0);
      case 3:
        return Value::String(std::string_view("text\0with a zero", 4 + pick(14)));
      default:
        return Value::Binary(std::string_view("\0\x01\xff binary", pick(12)));
    }
  };
  // Versions spread over a day, so that moving the clock expires part of them.
  const int64_t day_ms = 86400LL * 1000;
  auto ts = [&] { return kStartMs - static_cast<int64_t>(rng() % static_cast<uint64_t>(day_ms)); };
  for (int r = 0; r < 150; ++r) {
    RowBuilder row;
    row.PkS("k", bytes(6)).PkI("n", static_cast<int64_t>(rng()));
    const int writes = 1 + pick(3);
    for (int w = 0; w < writes; ++w) {
      RowBuilder update;
      update.Pk("k", *row.row().primary_key[0].value).Pk("n", *row.row().primary_key[1].value);
      for (const std::string& name : names) {
        const int what = pick(8);
        if (what < 4) {
          update.Col(name, value(), ts());
        } else if (what == 4 && w > 0) {
          update.Op(name, ots::CellOp::kDeleteAllVersions);
        } else if (what == 5 && w > 0) {
          update.Op(name, ots::CellOp::kDeleteOneVersion, ts());
        }
      }
      Status s = w == 0 ? f.Put("t", update) : f.Update("t", update);
      REQUIRE_MESSAGE(s.ok(), s.ToString());
    }
  }

  static const std::vector<ots::Cell> kMin =
      Bound({{"k", Value::InfMin()}, {"n", Value::InfMin()}});
  static const std::vector<ots::Cell> kMax =
      Bound({{"k", Value::InfMax()}, {"n", Value::InfMax()}});
  std::vector<GetRangeRequest> reads;
  for (const Direction d : {Direction::kForward, Direction::kBackward}) {
    GetRangeRequest req;
    req.table = "t";
    req.direction = d;
    req.inclusive_start = d == Direction::kForward ? kMin : kMax;
    req.exclusive_end = d == Direction::kForward ? kMax : kMin;
    reads.push_back(req);
    for (int v = 2; v <= 5; ++v) {
      reads.push_back(req);
      reads.back().read.max_versions = v;
    }
    reads.push_back(req);
    reads.back().read.time_range = TimeRange{kStartMs - day_ms / 2, kStartMs - day_ms / 4, {}};
    reads.push_back(req);
    reads.back().read.time_range = TimeRange{kStartMs - day_ms / 2, kStartMs, {}};
    reads.back().read.max_versions = 2;
    reads.push_back(req);
    reads.back().read.columns_to_get = {"b", "z"};
    reads.back().read.max_versions = 3;
    reads.push_back(req);
    reads.back().limit = 17;
  }
  // Now, then with a third and two thirds of the versions past the TTL.
  for (const int64_t later : {int64_t{0}, day_ms / 3, 2 * day_ms / 3}) {
    f.now->store(kStartMs + later);
    for (const GetRangeRequest& req : reads) {
      int64_t n = 0;
      const std::string page = CompareRangeEncodings(f, req, &n);
      CHECK(n > 0);
      std::vector<ots::Row> decoded;
      CHECK(ots::DecodeRows(page, &decoded).ok());
      CHECK(static_cast<int64_t>(decoded.size()) == n);
    }
  }
}

// BatchWriteRow PUTs that bring their cells' name-and-value checksums (as the server's decoding
// gives them) store those; GetRange then copies them into the page. The bytes must be the codec's
// own encoding of the same rows, and a wrong checksum must show: the store does use them.
TEST_CASE("store: BatchWriteRow keeps the request's cell checksums, GetRange copies them") {
  Fixture f;
  f.CreateSimple();
  const std::string zeros("a\0b\0", 4);
  std::deque<RowBuilder> builders;
  for (int i = 0; i < 5; ++i) {
    builders.emplace_back()
        .PkI("pk", i)
        .ColS("s", "text-" + std::to_string(i))
        .ColI("i", INT64_MIN + i, kStartMs - 100 - i)
        .Col("d", Value::Double(-0.25 * i))
        .Col("b", Value::Boolean(i % 2 == 0))
        .Col("x", Value::Binary(zeros))
        .ColS("e", "");
  }
  builders.emplace_back().PkI("pk", 5);  // no attributes
  // What the server does: encode, decode with the checksums.
  std::deque<std::string> encoded;
  std::deque<ots::Row> decoded;
  std::vector<std::vector<uint8_t>> crcs(builders.size());
  auto write = [&](bool corrupt) {
    BatchWriteRequest req;
    req.tables.push_back({"t", {}});
    req.attribute_crcs.emplace_back();
    for (size_t i = 0; i < builders.size(); ++i) {
      ots::EncodeRow(builders[i].row(), &encoded.emplace_back());
      REQUIRE(ots::DecodeRowWithValueCrcs(encoded.back(), &decoded.emplace_back(), &crcs[i]).ok());
      if (corrupt && !crcs[i].empty()) crcs[i][0] ^= 0x5a;
      RowWrite w;
      w.row = &decoded.back();
      req.tables[0].rows.push_back(std::move(w));
      req.attribute_crcs[0].push_back(crcs[i]);
    }
    std::vector<std::vector<RowWriteResult>> results;
    REQUIRE(f.store->BatchWriteRow(kInst, req, &results).ok());
    for (auto& r : results[0]) REQUIRE(r.status.ok());
  };
  const std::vector<ots::Cell> min = Bound({{"pk", Value::InfMin()}});
  const std::vector<ots::Cell> max = Bound({{"pk", Value::InfMax()}});
  GetRangeRequest fwd;
  fwd.table = "t";
  fwd.inclusive_start = min;
  fwd.exclusive_end = max;
  write(false);
  int64_t n = 0;
  std::string bytes = CompareRangeEncodings(f, fwd, &n);
  CHECK(n == 6);
  std::vector<ots::Row> rows;
  REQUIRE(ots::DecodeRows(bytes, &rows).ok());
  GetRangeRequest bwd = fwd;
  bwd.direction = Direction::kBackward;
  std::swap(bwd.inclusive_start, bwd.exclusive_end);
  CompareRangeEncodings(f, bwd);

  write(true);
  DirectSink direct;
  REQUIRE(f.store->GetRange(kInst, fwd, &direct).ok());
  std::vector<ots::Row> bad;
  CHECK_FALSE(ots::DecodeRows(direct.bytes, &bad).ok());
}

TEST_CASE("store: attribute names are letters, digits and '_', not starting with a digit") {
  Fixture f;
  f.CreateSimple();
  for (const std::string& ok :
       std::vector<std::string>{"a", "_", "Z9", "_0_a", "abcXYZ_019", std::string(255, 'n')}) {
    CHECK_MESSAGE(f.Put("t", RowBuilder().PkI("pk", 1).ColI(ok, 1)).ok(), ok);
  }
  for (std::string bad : {std::string(), std::string("9a"), std::string("a-b"), std::string("a b"),
                          std::string("\xc3\xa9"), std::string("a\0", 2), std::string("a\x80"),
                          std::string(256, 'n')}) {
    Status s = f.Put("t", RowBuilder().PkI("pk", 1).ColI(bad, 1));
    CHECK_MESSAGE(s.message().find("Invalid column name") != std::string::npos, s.ToString());
  }
}

TEST_CASE("store: GetRange pages of copied rows stop at 4 MiB") {
  Fixture f;
  f.CreateSimple("big");
  for (int i = 0; i < 100; ++i) {
    REQUIRE(f.Put("big", RowBuilder().PkI("pk", i).ColS("v", std::string(100000, 'b'))).ok());
  }
  std::vector<int64_t> pages;
  std::vector<ots::Cell> start = Bound({{"pk", Value::InfMin()}});
  const std::vector<ots::Cell> end = Bound({{"pk", Value::InfMax()}});
  OwnedRow next;
  for (int guard = 0; guard < 10; ++guard) {
    GetRangeRequest req;
    req.table = "big";
    req.inclusive_start = start;
    req.exclusive_end = end;
    int64_t n = 0;
    std::string bytes = CompareRangeEncodings(f, req, &n);
    CHECK(bytes.size() <= static_cast<size_t>(ots::kGetRangeMaxBytes));
    pages.push_back(n);
    auto r = f.store->GetRange(kInst, req, nullptr);
    REQUIRE(r.ok());
    if (r->next_start_primary_key.empty()) break;
    next = std::move(r.value().next_start_primary_key);
    start = next.row().primary_key;
  }
  CHECK(pages == std::vector<int64_t>{41, 41, 18});
}

TEST_CASE("store: BatchWriteRow limits, duplicates, per-row results") {
  Fixture f;
  f.CreateSimple("t");
  f.CreateSimple("u");
  std::deque<RowBuilder> b;
  auto row = [&](int64_t pk) {
    b.emplace_back().PkI("pk", pk).ColI("v", pk);
    RowWrite w;
    w.row = &b.back().row();
    return w;
  };
  std::vector<std::vector<RowWriteResult>> results;

  BatchWriteRequest too_many;
  too_many.tables.push_back({"t", {}});
  for (int i = 0; i < 201; ++i) too_many.tables[0].rows.push_back(row(i));
  CheckError(f.store->BatchWriteRow(kInst, too_many, &results), "OTSParameterInvalid",
             "Rows count exceeds the upper limit: 200.", 400);

  BatchWriteRequest big;
  big.tables.push_back({"t", {row(1)}});
  big.encoded_bytes = 4194305;
  CheckError(f.store->BatchWriteRow(kInst, big, &results), "OTSParameterInvalid",
             "The total data size of BatchWriteRow request exceeds the limit, limit size: 4194304, "
             "data size:4194305.",
             400);
  CHECK(CheckBatchWriteLimits(200, 4194304).ok());

  BatchWriteRequest empty;
  CheckError(f.store->BatchWriteRow(kInst, empty, &results), "OTSParameterInvalid",
             "No row is specified in BatchWriteRow.", 400);

  BatchWriteRequest dup;
  dup.tables.push_back({"t", {row(1), row(2), row(1)}});
  CheckError(f.store->BatchWriteRow(kInst, dup, &results), "OTSParameterInvalid",
             "Duplicate rows detected in MultiPut.", 400);
  dup.tables[0].rows[2].condition.row_existence = RowExistence::kExpectNotExist;
  CheckError(f.store->BatchWriteRow(kInst, dup, &results), "OTSParameterInvalid",
             "Repeated rows do not support row exist expectation check in BatchModify.", 400);
  CHECK(f.Get("t", RowBuilder().PkI("pk", 1)).empty());  // nothing applied
  // Rows already in key order (no sort needed) are checked the same way.
  BatchWriteRequest dup_sorted;
  dup_sorted.tables.push_back({"t", {row(1), row(2), row(2), row(3)}});
  CheckError(f.store->BatchWriteRow(kInst, dup_sorted, &results), "OTSParameterInvalid",
             "Duplicate rows detected in MultiPut.", 400);

  BatchWriteRequest missing;
  missing.tables.push_back({"t", {row(1)}});
  missing.tables.push_back({"nope", {row(1)}});
  CHECK(f.store->BatchWriteRow(kInst, missing, &results).ots_code() == "OTSObjectNotExist");

  REQUIRE(f.Put("t", RowBuilder().PkI("pk", 5).ColI("v", 0)).ok());
  BatchWriteRequest mixed;
  mixed.tables.push_back({"t", {row(4), row(5), row(6)}});
  mixed.tables[0].rows[1].condition.row_existence = RowExistence::kExpectNotExist;  // fails
  RowBuilder bad_pk;
  bad_pk.PkS("pk", "str").ColI("v", 1);
  RowWrite bad;
  bad.row = &bad_pk.row();
  mixed.tables.push_back({"u", {row(4), bad}});
  mixed.tables[1].rows[0].type = WriteType::kUpdate;
  REQUIRE(f.store->BatchWriteRow(kInst, mixed, &results).ok());
  REQUIRE(results.size() == 2);
  CHECK(results[0][0].status.ok());
  CHECK(results[0][0].consumed == CapacityUnits{0, 1});
  CHECK(results[0][1].status.ots_code() == "OTSConditionCheckFail");
  CHECK(results[0][1].consumed == CapacityUnits{1, 1});
  CHECK(results[0][2].status.ok());
  CHECK(results[1][0].status.ok());
  CHECK(results[1][1].status.ots_code() == "OTSInvalidPK");
  CHECK(f.Get("t", RowBuilder().PkI("pk", 4)).size() == 1);
  CHECK(f.Get("t", RowBuilder().PkI("pk", 5))[0] == "pk=I5 | v=I0@" + std::to_string(kStartMs));
  CHECK(f.Get("u", RowBuilder().PkI("pk", 4)).size() == 1);

  // DELETE rows in a batch.
  BatchWriteRequest del;
  del.tables.push_back({"t", {row(4)}});
  del.tables[0].rows[0].type = WriteType::kDelete;
  REQUIRE(f.store->BatchWriteRow(kInst, del, &results).ok());
  CHECK(results[0][0].status.ok());
  CHECK(f.Get("t", RowBuilder().PkI("pk", 4)).empty());
}

TEST_CASE("store: BatchGetRow") {
  Fixture f;
  f.CreateSimple();
  REQUIRE(f.Put("t", RowBuilder().PkI("pk", 1).ColI("v", 1)).ok());
  RowBuilder k1, k2;
  k1.PkI("pk", 1);
  k2.PkI("pk", 2);
  BatchGetTable t;
  t.table = "t";
  t.primary_keys = {k1.pk(), k2.pk()};
  struct Sink : BatchGetSink {
    std::vector<std::string> got;
    void OnRow(size_t ti, size_t ri, const Status& s, const ots::Row* row,
               const CapacityUnits& cu) override {
      got.push_back(std::to_string(ti) + "/" + std::to_string(ri) + ":" +
                    (s.ok() ? "ok" : s.ots_code()) + ":" + (row ? RowText(*row) : "none") + ":" +
                    std::to_string(cu.read));
    }
  } sink;
  std::vector<BatchGetTable> tables = {t};
  REQUIRE(f.store->BatchGetRow(kInst, tables, &sink).ok());
  REQUIRE(sink.got.size() == 2);
  CHECK(sink.got[0] == "0/0:ok:pk=I1 | v=I1@" + std::to_string(kStartMs) + ":1");
  CHECK(sink.got[1] == "0/1:ok:none:1");
  tables[0].primary_keys.assign(101, k1.pk());
  CheckError(f.store->BatchGetRow(kInst, tables, &sink), "OTSParameterInvalid",
             "Rows count exceeds the upper limit: 100.", 400);
}

TEST_CASE("store: split points cover the key space without overlap") {
  Fixture f;
  REQUIRE(f.Create("t", {{"a", PrimaryKeyType::kString}, {"b", PrimaryKeyType::kInteger}}).ok());
  int total = 0;
  for (int a = 0; a < 20; ++a) {
    std::deque<RowBuilder> builders;
    BatchWriteRequest req;
    req.tables.push_back({"t", {}});
    for (int b = 0; b < 100; ++b, ++total) {
      builders.emplace_back()
          .PkS("a", "k" + std::to_string(a))
          .PkI("b", b)
          .ColS("v", std::string(1000, 'x'));
      RowWrite w;
      w.row = &builders.back().row();
      req.tables[0].rows.push_back(std::move(w));
    }
    std::vector<std::vector<RowWriteResult>> results;
    REQUIRE(f.store->BatchWriteRow(kInst, req, &results).ok());
  }
  // ~2 MB of rows, 200 KB splits -> about 10 splits.
  auto sp = f.store->ComputeSplitPointsBySize(kInst, "t", 2, 100 * 1024);
  REQUIRE(sp.ok());
  CHECK(sp->points.size() >= 8);
  CHECK(sp->points.size() <= 11);
  CHECK(sp->consumed.read == static_cast<int64_t>(sp->points.size()) + 1);
  CHECK(sp->schema.size() == 2);
  // Splits [INF_MIN, p0), [p0, p1), ..., [pn, INF_MAX) hold every row exactly once.
  std::vector<std::vector<ots::Cell>> bounds;
  bounds.push_back(Bound({{"a", Value::InfMin()}, {"b", Value::InfMin()}}));
  for (const OwnedRow& p : sp->points) {
    CHECK(f.Get("t",
                [&] {
                  RowBuilder b;
                  for (const auto& c : p.row().primary_key) b.Pk(std::string(c.name), *c.value);
                  return b;
                }())
              .size() == 1);
    bounds.push_back(p.row().primary_key);
  }
  bounds.push_back(Bound({{"a", Value::InfMax()}, {"b", Value::InfMax()}}));
  std::vector<std::string> all;
  for (size_t i = 0; i + 1 < bounds.size(); ++i) {
    auto part = f.Scan("t", bounds[i], bounds[i + 1]);
    CHECK(!part.empty());
    all.insert(all.end(), part.begin(), part.end());
  }
  CHECK(all.size() == static_cast<size_t>(total));
  CHECK(all == f.Scan("t", bounds.front(), bounds.back()));
  // One huge split: no points.
  auto one = f.store->ComputeSplitPointsBySize(kInst, "t", 1, 0);
  REQUIRE(one.ok());
  CHECK(one->points.empty());
  CHECK(one->consumed.read == 1);
}

TEST_CASE("store: a data directory survives reopening") {
  std::string dir = (std::filesystem::temp_directory_path() / "tsb_store_test_reopen").string();
  std::filesystem::remove_all(dir);
  {
    Fixture f(dir);
    f.CreateSimple("a");
    REQUIRE(f.Put("a", RowBuilder().PkI("pk", 1).ColS("v", "kept")).ok());
    f.CreateSimple("gone");
    REQUIRE(f.Put("gone", RowBuilder().PkI("pk", 1).ColS("v", "x")).ok());
    REQUIRE(f.store->DeleteTable(kInst, "gone").ok());
  }
  {
    Fixture f(dir);
    CHECK(*f.store->ListTables(kInst) == std::vector<std::string>{"a"});
    auto rows = f.Get("a", RowBuilder().PkI("pk", 1));
    REQUIRE(rows.size() == 1);
    CHECK(rows[0] == "pk=I1 | v=S'kept'@" + std::to_string(kStartMs));
    f.CreateSimple("gone");  // a fresh id: the old rows do not come back
    CHECK(f.Get("gone", RowBuilder().PkI("pk", 1)).empty());
    f.CreateSimple("b");
    CHECK(f.Get("b", RowBuilder().PkI("pk", 1)).empty());
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("store: concurrent increments are serialized") {
  Fixture f;
  f.CreateSimple();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        RowBuilder b;
        b.PkI("pk", 1).Col("n", Value::Integer(1), std::nullopt, ots::CellOp::kIncrement);
        RowWriteResult r;
        CHECK(f.store->UpdateRow(kInst, "t", b.row(), {}, &r).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto rows = f.Get("t", RowBuilder().PkI("pk", 1));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].starts_with("pk=I1 | n=I1000@"));
}

TEST_CASE("store: auto-increment primary key") {
  Fixture f;
  REQUIRE(
      f.Create("t", {{"p", PrimaryKeyType::kString}, {"id", PrimaryKeyType::kInteger, true}}).ok());
  RowBuilder b;
  b.PkS("p", "x").Pk("id", Value::AutoIncrement()).ColI("v", 1);
  RowWrite w;
  w.row = &b.row();
  w.return_content.type = ReturnType::kPrimaryKey;
  RowWriteResult r1, r2;
  REQUIRE(f.store->WriteRow(kInst, "t", w, &r1).ok());
  REQUIRE(f.store->WriteRow(kInst, "t", w, &r2).ok());
  int64_t id1 = r1.returned.row().primary_key[1].value->i;
  int64_t id2 = r2.returned.row().primary_key[1].value->i;
  CHECK(id2 > id1);
  CHECK(f.Scan("t", Bound({{"p", Value::InfMin()}, {"id", Value::InfMin()}}),
               Bound({{"p", Value::InfMax()}, {"id", Value::InfMax()}}))
            .size() == 2);
  // AUTO_INCREMENT only where the schema says so.
  RowBuilder bad;
  bad.Pk("p", Value::AutoIncrement()).PkI("id", 1);
  CHECK(f.Put("t", bad).ots_code() == "OTSInvalidPK");
}

TEST_CASE("store: split points follow the writes made since the last call") {
  // The store keeps a size sample of the table between calls; a write must invalidate it.
  Fixture f;
  f.CreateSimple();
  auto put_rows = [&](int from, int to) {
    for (int k = from; k < to; ++k) {
      RowBuilder b;
      b.PkI("pk", k).ColS("v", std::string(20 * 1024, 'x'));
      REQUIRE(f.Put("t", b).ok());
    }
  };
  put_rows(0, 100);  // ~2 MB
  auto first = f.store->ComputeSplitPointsBySize(kInst, "t", 1, 1 << 20);
  REQUIRE(first.ok());
  auto again = f.store->ComputeSplitPointsBySize(kInst, "t", 1, 1 << 20);
  REQUIRE(again.ok());
  CHECK(again->points.size() == first->points.size());
  put_rows(100, 300);  // ~6 MB in all
  auto after = f.store->ComputeSplitPointsBySize(kInst, "t", 1, 1 << 20);
  REQUIRE(after.ok());
  CHECK(first->points.size() >= 1);
  CHECK(first->points.size() <= 2);
  CHECK(after->points.size() >= 5);
  CHECK(after->points.size() <= 6);
}

}  // namespace
}  // namespace tsb::emulator
