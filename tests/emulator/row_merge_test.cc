// Unconditional UpdateRow as a RocksDB merge (row_merge.h) against the read-modify-write path
// (StoreOptions::merge_updates = false): the same writes into two stores, with the same clock,
// must read back the same everywhere (GetRow, GetRange, BatchGetRow, split points), before and
// after a reopen and a full compaction, and fold to the same stored bytes.
#include "emulator/row_merge.h"

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include <atomic>
#include <deque>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "emulator/row_codec.h"
#include "emulator/store.h"
#include "support/temp_files.h"

namespace tsb::emulator {
namespace {

using ots::Value;

constexpr int64_t kStartMs = 1'700'000'000'000;
constexpr std::string_view kInst = "demo";
constexpr int64_t kDayMs = 86'400'000;

std::string ValueText(const Value& v) {
  switch (v.type) {
    case ots::ValueType::kInteger:
      return "I" + std::to_string(v.i);
    case ots::ValueType::kString:
      return "S'" + std::string(v.bytes) + "'";
    case ots::ValueType::kBoolean:
      return v.b ? "Btrue" : "Bfalse";
    case ots::ValueType::kDouble:
      return "D" + std::to_string(v.d);
    default:
      return "?";
  }
}

ots::Cell KeyCell(Value v) {
  ots::Cell c;
  c.name = "pk";
  c.value = v;
  return c;
}

std::string RowText(const ots::Row& row) {
  std::string out;
  for (const auto& c : row.primary_key)
    out += std::string(c.name) + "=" + ValueText(*c.value) + " ";
  out += "|";
  for (const auto& c : row.attributes) {
    out += " " + std::string(c.name) + "=" + ValueText(*c.value);
    if (c.timestamp) out += "@" + std::to_string(*c.timestamp);
  }
  return out;
}

struct Collect : RowSink {
  std::vector<std::string> rows;
  void OnRow(const ots::Row& row) override { rows.push_back(RowText(row)); }
};

// One write of the sequence; owns what its cells view.
struct Write {
  WriteType type = WriteType::kUpdate;
  Condition condition;
  std::deque<std::string> names;
  ots::Row row;
  void Cell(std::string name, std::optional<Value> v, ots::CellOp op, std::optional<int64_t> ts) {
    names.push_back(std::move(name));
    ots::Cell& c = row.attributes.emplace_back();
    c.name = names.back();
    c.value = v;
    c.op = op;
    c.timestamp = ts;
  }
};

struct Side {
  std::string dir;
  std::unique_ptr<Store> store;
};

class Pair {
 public:
  Pair(std::string root, TableOptions options) : options_(options) {
    sides_[0].dir = root + "/merge";
    sides_[1].dir = root + "/rmw";
    Open();
    TableMeta meta;
    meta.name = "t";
    meta.primary_key = {{"pk", PrimaryKeyType::kInteger}};
    for (Side& s : sides_) {
      REQUIRE(s.store->CreateTable(kInst, meta, options_, ReservedThroughput{}).ok());
    }
  }

  void Open() {
    for (int i = 0; i < 2; ++i) {
      StoreOptions o;
      o.data_dir = sides_[i].dir;
      o.sync = false;
      o.merge_updates = i == 0;
      auto clock = now;
      o.now_ms_for_test = [clock] { return clock->load(); };
      auto s = Store::Open(o);
      REQUIRE(s.ok());
      sides_[i].store = std::move(s).value();
    }
  }

  // Closes both stores, compacts every level of each (merge operands fold in, or stay as they
  // are where no base is known) and opens them again.
  void CompactAndReopen() {
    for (Side& s : sides_) {
      s.store.reset();
      rocksdb::Options o;
      o.merge_operator = NewRowUpdateMergeOperator();
      rocksdb::DB* raw = nullptr;
      REQUIRE(rocksdb::DB::Open(o, s.dir, &raw).ok());
      std::unique_ptr<rocksdb::DB> db(raw);
      rocksdb::CompactRangeOptions c;
      c.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
      REQUIRE(db->CompactRange(c, nullptr, nullptr).ok());
    }
    Open();
  }

  // UpdateTable on both sides: rows written before keep their extra versions until written.
  void SetMaxVersions(int32_t n) {
    TableOptions o;
    o.max_versions = n;
    for (Side& s : sides_) REQUIRE(s.store->UpdateTable(kInst, "t", o, nullptr).ok());
  }

  void Apply(const Write& w) {
    std::string outcome[2];
    for (int i = 0; i < 2; ++i) {
      RowWrite rw;
      rw.type = w.type;
      rw.row = &w.row;
      rw.condition = w.condition;
      RowWriteResult r;
      Status s = sides_[i].store->WriteRow(kInst, "t", rw, &r);
      outcome[i] = s.ToString() + " cu=" + std::to_string(r.consumed.read) + "/" +
                   std::to_string(r.consumed.write);
    }
    CHECK(outcome[0] == outcome[1]);
  }

  // Every way of reading the table, as text, from one side.
  std::vector<std::string> ReadAll(int i, int rows) {
    std::vector<std::string> out;
    Store& st = *sides_[i].store;
    std::vector<ReadOptions> reads(3);
    reads[1].max_versions = 10;
    reads[2].time_range = TimeRange{kStartMs, kStartMs + 5 * kDayMs, std::nullopt};
    reads[2].columns_to_get = {"a", "n"};
    for (const ReadOptions& read : reads) {
      for (int k = 0; k < rows; ++k) {
        ots::Cell pk = KeyCell(Value::Integer(k));
        Collect sink;
        auto r = st.GetRow(kInst, "t", std::span(&pk, 1), read, &sink);
        REQUIRE(r.ok());
        out.push_back("get " + std::to_string(k) + " cu=" + std::to_string(r->read));
        out.insert(out.end(), sink.rows.begin(), sink.rows.end());
      }
      ots::Cell lo = KeyCell(Value::InfMin()), hi = KeyCell(Value::InfMax());
      GetRangeRequest req;
      req.table = "t";
      req.inclusive_start = std::span(&lo, 1);
      req.exclusive_end = std::span(&hi, 1);
      req.read = read;
      Collect sink;
      auto r = st.GetRange(kInst, req, &sink);
      REQUIRE(r.ok());
      out.push_back("range cu=" + std::to_string(r->consumed.read));
      out.insert(out.end(), sink.rows.begin(), sink.rows.end());
    }
    auto splits = st.ComputeSplitPointsBySize(kInst, "t", 1, 64);
    REQUIRE(splits.ok());
    out.push_back("splits " + std::to_string(splits->points.size()));
    return out;
  }

  void CheckSame(int rows, const char* when) {
    INFO(when);
    auto a = ReadAll(0, rows);
    auto b = ReadAll(1, rows);
    CHECK(a == b);
  }

  std::shared_ptr<std::atomic<int64_t>> now = std::make_shared<std::atomic<int64_t>>(kStartMs);

 private:
  TableOptions options_;
  Side sides_[2];
};

// A deterministic mix of writes on `rows` rows: mostly unconditional updates (PUT with and
// without timestamps, deletes of one version and of a column), with PutRow, DeleteRow,
// conditional updates and increments (the read-modify-write path on both sides) in between, and
// a clock that moves far enough for the TTL to expire versions; halfway, optionally, the table
// keeps fewer versions than rows already hold.
void RunSequence(Pair* pair, int rows, int steps, uint32_t seed, int compact_every,
                 bool lower_max_versions) {
  std::mt19937 rng(seed);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const char* cols[] = {"a", "b", "c", "n"};
  std::vector<int64_t> used_ts;
  for (int step = 1; step <= steps; ++step) {
    const int64_t now = pair->now->load();
    Write w;
    w.row.primary_key.push_back(KeyCell(Value::Integer(pick(rows))));
    const int kind = pick(20);
    if (kind == 0) {
      w.type = WriteType::kDelete;
      w.row.delete_marker = true;
    } else if (kind <= 2) {
      w.type = WriteType::kPut;
      w.Cell("a", Value::Integer(step), ots::CellOp::kPut, std::nullopt);
      w.Cell("n", Value::Integer(pick(100)), ots::CellOp::kPut, now - pick(1000));
    } else {
      w.type = WriteType::kUpdate;
      if (kind == 3) w.condition.row_existence = RowExistence::kExpectExist;
      const int cells = 1 + pick(4);
      for (int c = 0; c < cells; ++c) {
        const char* name = cols[pick(3)];
        const int op = pick(10);
        if (op < 6) {
          std::optional<int64_t> ts;
          if (pick(3) > 0) {
            ts = now - pick(kDayMs / 1000) * 900;  // within the TTL, often a repeat
            used_ts.push_back(*ts);
          }
          w.names.push_back("v" + std::to_string(step) + "." + std::to_string(c));
          w.Cell(name, pick(2) ? Value::String(w.names.back()) : Value::Integer(step * 10 + c),
                 ots::CellOp::kPut, ts);
        } else if (op < 8 && !used_ts.empty()) {
          w.Cell(name, std::nullopt, ots::CellOp::kDeleteOneVersion,
                 used_ts[pick(static_cast<int>(used_ts.size()))]);
        } else if (op == 8) {
          w.Cell(name, std::nullopt, ots::CellOp::kDeleteAllVersions, std::nullopt);
        } else {
          w.Cell("n", Value::Integer(1), ots::CellOp::kIncrement, std::nullopt);
        }
      }
    }
    pair->Apply(w);
    pair->now->store(now + (pick(25) == 0 ? kDayMs / 2 : 1 + pick(5000)));
    if (step % 25 == 0) pair->CheckSame(rows, "during the sequence");
    if (step == steps / 2 && lower_max_versions) pair->SetMaxVersions(2);
    if (compact_every > 0 && step % compact_every == 0) {
      pair->CompactAndReopen();
      pair->CheckSame(rows, "after a compaction");
    }
  }
  pair->CheckSame(rows, "at the end");
}

TEST_CASE("merged updates read as the read-modify-write path: versions, deletes, TTL") {
  testing::ScratchDir dir;
  TableOptions options;
  options.max_versions = 3;
  options.time_to_live = 86400;
  options.max_time_deviation = 86400;
  Pair pair(dir.path, options);
  RunSequence(&pair, 6, 400, 20261207, 150, /*lower_max_versions=*/true);
}

TEST_CASE("merged updates read as the read-modify-write path: one version, no TTL") {
  testing::ScratchDir dir;
  TableOptions options;
  options.max_versions = 1;
  options.time_to_live = -1;
  options.max_time_deviation = 86400;
  Pair pair(dir.path, options);
  RunSequence(&pair, 4, 300, 7, 0, /*lower_max_versions=*/false);
}

TEST_CASE("a row updated many times reads back whole, before and after a compaction") {
  testing::ScratchDir dir;
  TableOptions options;
  options.max_versions = 2;
  Pair pair(dir.path, options);
  for (int i = 0; i < 500; ++i) {
    Write w;
    w.row.primary_key.push_back(KeyCell(Value::Integer(i % 2)));
    w.Cell("c" + std::to_string(i % 7), Value::Integer(i), ots::CellOp::kPut, kStartMs + i);
    pair.Apply(w);
  }
  pair.CheckSame(2, "500 updates");
  pair.CompactAndReopen();
  pair.CheckSame(2, "compacted");
}

// A merged update and a conditional read-modify-write of the same row, from two threads: the
// row lock keeps the conditional write from storing a row read before the merge landed.
TEST_CASE("concurrent merged and conditional updates of one row lose no column") {
  StoreOptions o;
  auto opened = Store::Open(o);
  REQUIRE(opened.ok());
  std::unique_ptr<Store> store = std::move(opened).value();
  TableMeta meta;
  meta.name = "t";
  meta.primary_key = {{"pk", PrimaryKeyType::kInteger}};
  REQUIRE(store->CreateTable(kInst, meta, TableOptions{}, ReservedThroughput{}).ok());
  ots::Row seed;
  seed.primary_key.push_back(KeyCell(Value::Integer(1)));
  RowWriteResult r;
  REQUIRE(store->UpdateRow(kInst, "t", seed, Condition{}, &r).ok());
  constexpr int kEach = 300;
  auto writer = [&](char prefix, Condition cond) {
    for (int i = 0; i < kEach; ++i) {
      Write w;
      w.row.primary_key.push_back(KeyCell(Value::Integer(1)));
      w.Cell(prefix + std::to_string(i), Value::Integer(i), ots::CellOp::kPut, std::nullopt);
      RowWriteResult res;
      CHECK(store->UpdateRow(kInst, "t", w.row, cond, &res).ok());
    }
  };
  Condition exist;
  exist.row_existence = RowExistence::kExpectExist;
  std::thread merged(writer, 'm', Condition{});
  std::thread conditional(writer, 'c', exist);
  merged.join();
  conditional.join();
  ots::Cell pk = KeyCell(Value::Integer(1));
  struct Count : RowSink {
    size_t cells = 0;
    void OnRow(const ots::Row& row) override { cells = row.attributes.size(); }
  } sink;
  REQUIRE(store->GetRow(kInst, "t", std::span(&pk, 1), ReadOptions{}, &sink).ok());
  CHECK(sink.cells == 2 * kEach);
}

// The fold itself, byte for byte: two versions kept of three, a deleted column, a version
// deleted, and the operands of two writes concatenated (what PartialMerge makes) fold the same.
TEST_CASE("FoldUpdates: exact stored bytes") {
  std::string base;
  {
    StoredRowWriter w(&base);
    w.AppendColumn("a", 2);
    w.AppendVersion(200, Value::Integer(2));
    w.AppendVersion(100, Value::Integer(1));
    w.AppendColumn("b", 1);
    w.AppendVersion(100, Value::String("gone"));
  }
  std::string op1, op2;
  {
    UpdateOperandWriter w(&op1, 1000, -1, 2, 2);
    w.Put("a", 300, Value::Integer(3));
    w.DeleteAllVersions("b");
  }
  {
    UpdateOperandWriter w(&op2, 1001, -1, 2, 2);
    w.Put("c", 50, Value::String("x"));
    w.DeleteOneVersion("a", 300);
  }
  std::string expected;
  {
    StoredRowWriter w(&expected);
    w.AppendColumn("a", 1);  // 100 fell out when 300 came in (two versions), then 300 went
    w.AppendVersion(200, Value::Integer(2));
    w.AppendColumn("c", 1);
    w.AppendVersion(50, Value::String("x"));
  }
  std::string_view b = base;
  std::string out;
  REQUIRE(FoldUpdates(&b, {op1, op2}, &out));
  CHECK(out == expected);

  std::string both = op1 + op2.substr(1);  // one operand holding both updates
  REQUIRE(FoldUpdates(&b, {both}, &out));
  CHECK(out == expected);

  std::string empty_row(1, kStoredRowVersion);
  std::string only_deletes;
  UpdateOperandWriter(&only_deletes, 1, -1, 1, 1).DeleteAllVersions("a");
  // As the read-modify-write path: an update of a missing row stores a row, even an empty one.
  REQUIRE(FoldUpdates(nullptr, {only_deletes}, &out));
  CHECK(out == empty_row);

  // A table lowered to two versions: the third goes before the newest is deleted, and does not
  // come back (the read-modify-write path prunes the old row first too).
  std::string three;
  {
    StoredRowWriter w(&three);
    w.AppendColumn("a", 3);
    w.AppendVersion(300, Value::Integer(3));
    w.AppendVersion(200, Value::Integer(2));
    w.AppendVersion(100, Value::Integer(1));
  }
  std::string drop_newest;
  UpdateOperandWriter(&drop_newest, 1000, -1, 2, 1).DeleteOneVersion("a", 300);
  std::string only_200;
  {
    StoredRowWriter w(&only_200);
    w.AppendColumn("a", 1);
    w.AppendVersion(200, Value::Integer(2));
  }
  std::string_view t = three;
  REQUIRE(FoldUpdates(&t, {drop_newest}, &out));
  CHECK(out == only_200);

  // A new row from one update of puts (the fold of every freshly exported row): columns sorted,
  // one version each, a version older than the TTL floor dropped, a repeated column merged.
  std::string fresh;
  {
    UpdateOperandWriter w(&fresh, 10'000, 5, 1, 3);  // TTL floor: 5000
    w.Put("z", 9000, Value::Integer(1));
    w.Put("m", 8000, Value::Boolean(true));
    w.Put("a", 7000, Value::Double(0.5));
  }
  std::string sorted;
  {
    StoredRowWriter w(&sorted);
    w.AppendColumn("a", 1);
    w.AppendVersion(7000, Value::Double(0.5));
    w.AppendColumn("m", 1);
    w.AppendVersion(8000, Value::Boolean(true));
    w.AppendColumn("z", 1);
    w.AppendVersion(9000, Value::Integer(1));
  }
  REQUIRE(FoldUpdates(nullptr, {fresh}, &out));
  CHECK(out == sorted);
  std::string stale;
  {
    UpdateOperandWriter w(&stale, 10'000, 5, 1, 2);
    w.Put("z", 9000, Value::Integer(1));
    w.Put("z", 9500, Value::Integer(3));
  }
  std::string newest_z;
  {
    StoredRowWriter w(&newest_z);
    w.AppendColumn("z", 1);
    w.AppendVersion(9500, Value::Integer(3));
  }
  REQUIRE(FoldUpdates(nullptr, {stale}, &out));
  CHECK(out == newest_z);
  std::string expired;
  {
    UpdateOperandWriter w(&expired, 10'000, 5, 1, 2);
    w.Put("old", 4999, Value::Integer(2));
    w.Put("z", 9500, Value::Integer(3));
  }
  REQUIRE(FoldUpdates(nullptr, {expired}, &out));
  CHECK(out == newest_z);

  CHECK_FALSE(FoldUpdates(&b, {std::string_view(op1).substr(0, op1.size() - 3)}, &out));
  CHECK_FALSE(FoldUpdates(&b, {std::string_view("\x01", 1)}, &out));
}

}  // namespace
}  // namespace tsb::emulator
