#include "core/scan_plan.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>

using namespace tsb;

namespace {

struct Fixture {
  std::vector<Field> columns;
  ColumnMapping mapping;
};

Fixture Orders() {
  Fixture f;
  f.columns = {{"odps_orderkey", DataType::Of(TypeId::kInt64)},
               {"odps_orderdate", DataType::Of(TypeId::kString)},
               {"odps_custkey", DataType::Of(TypeId::kInt64)},
               {"odps_orderstatus", DataType::Of(TypeId::kString)},
               {"odps_totalprice", DataType::Of(TypeId::kDouble)},
               {"odps_comment", DataType::Of(TypeId::kString)},
               {"odps_shipdate", DataType::Of(TypeId::kDate)},
               {"odps_discount", DataType::Decimal(10, 2)},
               {"odps_urgent", DataType::Of(TypeId::kBoolean)}};
  auto m = ColumnMapping::Parse(
      ":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice,o_comment,o_shipdate,"
      "o_discount,o_urgent",
      f.columns);
  REQUIRE(m.ok());
  f.mapping = std::move(*m);
  return f;
}

ScanPlan Plan(const Fixture& f, const std::string& where) {
  auto p = Predicate::Parse(where, f.columns);
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  auto plan = PlanScan(&*p, f.columns, f.mapping);
  REQUIRE_MESSAGE(plan.ok(), plan.status().message());
  return std::move(*plan);
}

std::vector<std::string> Ranges(const ScanPlan& plan) {
  std::vector<std::string> out;
  for (const auto& r : plan.ranges) out.push_back(r.ToString());
  return out;
}

std::string Residue(const ScanPlan& plan) {
  return plan.residue ? plan.residue->ToString() : "none";
}

std::string Filter(const ScanPlan& plan) { return plan.filter ? plan.filter->ToString() : "none"; }

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("the guide's predicate: a range on the first key, the dates stay local") {
  Fixture f = Orders();
  ScanPlan plan = Plan(f,
                       "odps_orderkey > 5000 AND odps_orderkey < 7000 AND odps_orderdate >= "
                       "'1996-05-03' AND odps_orderdate < '1997-05-01'");
  REQUIRE(plan.ranges.size() == 1);
  const KeyRange& r = plan.ranges[0];
  CHECK(r.start ==
        std::vector<KeyBound>{KeyBound::Of(OtsValue::Integer(5001)), KeyBound::InfMin()});
  CHECK(r.end == std::vector<KeyBound>{KeyBound::Of(OtsValue::Integer(7000)), KeyBound::InfMin()});
  CHECK(r.ToString() == "[(5001, INF_MIN), (7000, INF_MIN))");
  CHECK_FALSE(plan.filter.has_value());
  CHECK(Residue(plan) == "odps_orderdate >= '1996-05-03' AND odps_orderdate < '1997-05-01'");
  CHECK_FALSE(plan.IsFullTable());
  CHECK(plan.Explain() ==
        "primary key: (o_orderkey, o_orderdate)\n"
        "key ranges: 1\n"
        "  [(5001, INF_MIN), (7000, INF_MIN))\n"
        "server filter: none\n"
        "local residue: odps_orderdate >= '1996-05-03' AND odps_orderdate < '1997-05-01'\n");
}

TEST_CASE("no predicate scans the whole table") {
  Fixture f = Orders();
  auto plan = PlanScan(nullptr, f.columns, f.mapping);
  REQUIRE(plan.ok());
  CHECK(Ranges(*plan) == Strings{"[(INF_MIN, INF_MIN), (INF_MAX, INF_MAX))"});
  CHECK(plan->IsFullTable());
  CHECK_FALSE(plan->residue.has_value());
  CHECK(plan->Explain() ==
        "primary key: (o_orderkey, o_orderdate)\n"
        "key ranges: 1 (the whole table)\n"
        "  [(INF_MIN, INF_MIN), (INF_MAX, INF_MAX))\n"
        "server filter: none\n"
        "local residue: none\n");
  CHECK(Plan(f, "odps_custkey = 3").IsFullTable());
}

TEST_CASE("key bounds become exact tuple bounds") {
  Fixture f = Orders();
  CHECK(Ranges(Plan(f, "odps_orderkey >= 5000")) ==
        Strings{"[(5000, INF_MIN), (INF_MAX, INF_MAX))"});
  CHECK(Ranges(Plan(f, "odps_orderkey <= 7000")) ==
        Strings{"[(INF_MIN, INF_MIN), (7000, INF_MAX))"});
  CHECK(Ranges(Plan(f, "odps_orderkey BETWEEN 1 AND 3")) ==
        Strings{"[(1, INF_MIN), (3, INF_MAX))"});
  CHECK(Ranges(Plan(f, "odps_orderkey > 5 AND odps_orderkey > 7 AND odps_orderkey <= 9")) ==
        Strings{"[(8, INF_MIN), (9, INF_MAX))"});
  // An equality on the first key lets the second bound the range.
  ScanPlan eq =
      Plan(f, "odps_orderkey = 5 AND odps_orderdate >= '1996' AND odps_orderdate < '1997'");
  CHECK(Ranges(eq) == Strings{"[(5, \"1996\"), (5, \"1997\"))"});
  CHECK(Residue(eq) == "none");
  CHECK(Ranges(Plan(f, "odps_orderkey = 5 AND odps_orderdate > 'b'")) ==
        Strings{"[(5, \"b\\u0000\"), (5, INF_MAX))"});
  CHECK(Ranges(Plan(f, "odps_orderkey = 5 AND odps_orderdate <= 'b'")) ==
        Strings{"[(5, INF_MIN), (5, \"b\\u0000\"))"});
  CHECK(Ranges(Plan(f, "odps_orderkey = 5 AND odps_orderdate = 'b'")) ==
        Strings{"[(5, \"b\"), (5, \"b\\u0000\"))"});
  // Bounds that pin an integer to one value count as an equality.
  CHECK(Ranges(Plan(f, "odps_orderkey > 4 AND odps_orderkey < 6 AND odps_orderdate = 'b'")) ==
        Strings{"[(5, \"b\"), (5, \"b\\u0000\"))"});
  // A non-equality on the first key: the second key's bounds stay local.
  ScanPlan two = Plan(f, "odps_orderkey > 5 AND odps_orderdate = 'b'");
  CHECK(Ranges(two) == Strings{"[(6, INF_MIN), (INF_MAX, INF_MAX))"});
  CHECK(Residue(two) == "odps_orderdate = 'b'");
  // != never bounds a range.
  ScanPlan ne = Plan(f, "odps_orderkey != 5");
  CHECK(ne.IsFullTable());
  CHECK(Residue(ne) == "odps_orderkey != 5");
  // Keys under OR stay local.
  ScanPlan orp = Plan(f, "odps_orderkey = 5 OR odps_orderkey = 7");
  CHECK(orp.IsFullTable());
  CHECK(Residue(orp) == "odps_orderkey = 5 OR odps_orderkey = 7");
}

TEST_CASE("strict string bounds on a leading key pad with INF_MAX") {
  Fixture f = Orders();
  std::vector<Field> cols = {{"k", DataType::Of(TypeId::kString)},
                             {"n", DataType::Of(TypeId::kInt64)}};
  auto m = ColumnMapping::Parse(":pk1,:pk2", cols);
  REQUIRE(m.ok());
  auto p = Predicate::Parse("k > 'm' AND k < 'q'", cols);
  REQUIRE(p.ok());
  auto plan = PlanScan(&*p, cols, *m);
  REQUIRE(plan.ok());
  CHECK(Ranges(*plan) == Strings{"[(\"m\", INF_MAX), (\"q\", INF_MIN))"});
  // The last key: successors.
  std::vector<Field> one = {{"k", DataType::Of(TypeId::kInt64)}};
  auto m1 = ColumnMapping::Parse(":pk", one);
  REQUIRE(m1.ok());
  auto p1 = Predicate::Parse("k > 5 AND k <= 9", one);
  REQUIRE(p1.ok());
  CHECK(Ranges(*PlanScan(&*p1, one, *m1)) == Strings{"[(6), (10))"});
  auto p2 = Predicate::Parse("k >= 9223372036854775807", one);
  REQUIRE(p2.ok());
  CHECK(Ranges(*PlanScan(&*p2, one, *m1)) == Strings{"[(9223372036854775807), (INF_MAX))"});
  auto p3 = Predicate::Parse("k = 9223372036854775807", one);
  CHECK(Ranges(*PlanScan(&*p3, one, *m1)) == Strings{"[(9223372036854775807), (INF_MAX))"});
  auto p4 = Predicate::Parse("k > 9223372036854775807", one);
  CHECK(PlanScan(&*p4, one, *m1)->empty());
}

TEST_CASE("contradictions read nothing") {
  Fixture f = Orders();
  for (const char* where :
       {"odps_orderkey > 10 AND odps_orderkey < 5", "odps_orderkey = 3 AND odps_orderkey = 4",
        "odps_orderkey > 5 AND odps_orderkey < 6",
        "odps_orderkey = 5 AND odps_orderdate > 'b' AND odps_orderdate < 'b'",
        "odps_orderkey IN (1, 2) AND odps_orderkey > 2", "FALSE", "odps_custkey = 1 AND FALSE"}) {
    ScanPlan plan = Plan(f, where);
    CHECK_MESSAGE(plan.empty(), where);
    CHECK(plan.Explain() ==
          "primary key: (o_orderkey, o_orderdate)\n"
          "key ranges: none (the predicate matches no row; nothing is read)\n");
  }
}

TEST_CASE("IN on the first key gives one range per value") {
  Fixture f = Orders();
  ScanPlan plan = Plan(f, "odps_orderkey IN (7, 3, 5) AND odps_orderkey < 7");
  CHECK(Ranges(plan) == Strings{"[(3, INF_MIN), (3, INF_MAX))", "[(5, INF_MIN), (5, INF_MAX))"});
  CHECK(Residue(plan) == "none");
  ScanPlan both = Plan(f, "odps_orderkey IN (1, 2) AND odps_orderdate IN ('a', 'b')");
  CHECK(Ranges(both) ==
        Strings{"[(1, \"a\"), (1, \"a\\u0000\"))", "[(1, \"b\"), (1, \"b\\u0000\"))",
                "[(2, \"a\"), (2, \"a\\u0000\"))", "[(2, \"b\"), (2, \"b\\u0000\"))"});
  std::string many = "odps_orderkey IN (0";
  for (int i = 1; i < 300; ++i) many += ", " + std::to_string(i);
  many += ")";
  ScanPlan big = Plan(f, many);
  CHECK(big.IsFullTable());
  CHECK(big.residue.has_value());
}

TEST_CASE("attribute conditions go to the server filter when exact") {
  Fixture f = Orders();
  ScanPlan eq = Plan(f, "odps_custkey = 5");
  REQUIRE(eq.filter.has_value());
  CHECK(eq.filter->kind == ColumnFilter::Kind::kSingle);
  CHECK(eq.filter->column == "o_custkey");
  CHECK(eq.filter->op == CompareOp::kEq);
  CHECK(eq.filter->value == OtsValue::Integer(5));
  CHECK(eq.filter->filter_if_missing);
  CHECK(eq.filter->latest_version_only);
  CHECK(Residue(eq) == "none");

  ScanPlan mixed = Plan(f,
                        "odps_orderkey > 5000 AND (odps_custkey < 10 OR odps_orderstatus = 'F') "
                        "AND odps_totalprice > 1000 AND NOT odps_custkey >= 100 AND "
                        "odps_orderstatus NOT IN ('O', 'P') AND odps_comment IS NOT NULL");
  CHECK(Ranges(mixed) == Strings{"[(5001, INF_MIN), (INF_MAX, INF_MAX))"});
  CHECK(Filter(mixed) ==
        "(o_custkey < 10 OR o_orderstatus = \"F\") AND o_custkey < 100 AND o_orderstatus != "
        "\"O\" AND o_orderstatus != \"P\"");
  CHECK(Residue(mixed) == "odps_totalprice > 1000.0 AND odps_comment IS NOT NULL");
  CHECK(mixed.Explain() ==
        "primary key: (o_orderkey, o_orderdate)\n"
        "key ranges: 1\n"
        "  [(5001, INF_MIN), (INF_MAX, INF_MAX))\n"
        "server filter: (o_custkey < 10 OR o_orderstatus = \"F\") AND o_custkey < 100 AND "
        "o_orderstatus != \"O\" AND o_orderstatus != \"P\"\n"
        "  (each column filter: filter_if_missing=true, latest_version_only=true)\n"
        "local residue: odps_totalprice > 1000.0 AND odps_comment IS NOT NULL\n");

  // Dates go as their STRING text; decimals, doubles and key columns stay local.
  ScanPlan date = Plan(f, "odps_shipdate >= '1996-05-03' AND odps_discount > 0.05");
  CHECK(Filter(date) == "o_shipdate >= \"1996-05-03\"");
  CHECK(Residue(date) == "odps_discount > 0.05");
  ScanPlan key_or = Plan(f, "odps_custkey = 1 OR odps_orderkey = 2");
  CHECK(Filter(key_or) == "none");
  CHECK(Residue(key_or) == "odps_custkey = 1 OR odps_orderkey = 2");
  // Booleans push equality only.
  CHECK(Filter(Plan(f, "odps_urgent")) == "o_urgent = true");
  CHECK(Filter(Plan(f, "NOT odps_urgent")) == "o_urgent != true");
  CHECK(Filter(Plan(f, "odps_urgent > FALSE")) == "none");
  // A NOT over an AND/OR is pushed through to the leaves.
  CHECK(Filter(Plan(f, "NOT (odps_custkey = 1 OR odps_orderstatus IN ('A', 'B'))")) ==
        "o_custkey != 1 AND o_orderstatus != \"A\" AND o_orderstatus != \"B\"");
  // Exact rewrites that leave a NULL test stay local.
  ScanPlan never = Plan(f, "odps_custkey = 2.5");
  CHECK(Filter(never) == "none");
  CHECK(Residue(never) == "odps_custkey != odps_custkey");
  // A double's ordering under NOT keeps its NOT.
  CHECK(Residue(Plan(f, "NOT odps_totalprice < 5")) == "NOT odps_totalprice < 5.0");
}

TEST_CASE("key tuples compare with INF_MIN and INF_MAX around values") {
  std::vector<KeyBound> a = {KeyBound::Of(OtsValue::Integer(1)), KeyBound::InfMax()};
  std::vector<KeyBound> b = {KeyBound::Of(OtsValue::Integer(2)), KeyBound::InfMin()};
  std::vector<KeyBound> c = {KeyBound::Of(OtsValue::Integer(1)),
                             KeyBound::Of(OtsValue::String("z"))};
  CHECK(CompareKeyTuples(a, b) < 0);
  CHECK(CompareKeyTuples(c, a) < 0);
  CHECK(CompareKeyTuples(a, a) == 0);
  CHECK(CompareKeyTuples({KeyBound::InfMin()}, {KeyBound::Of(OtsValue::Integer(INT64_MIN))}) < 0);
}

TEST_CASE("literals take their Tablestore form") {
  Literal l;
  l.i = 0;
  CHECK(LiteralToOts(l, DataType::Of(TypeId::kDate))->bytes == "1970-01-01");
  l.wide = 1250;
  CHECK(LiteralToOts(l, DataType::Decimal(10, 2))->bytes == "12.50");
  l.i = 1;
  CHECK(LiteralToOts(l, DataType::Of(TypeId::kBoolean))->b);
  l.bytes = "x";
  CHECK(LiteralToOts(l, DataType::Of(TypeId::kBinary))->type == OtsType::kBinary);
}

// ---------------------------------------------------------------------------------------------
// The plan keeps exactly the rows the whole predicate keeps: random predicates over a small
// table, the scan simulated (key ranges by tuple comparison, the server filter with Tablestore's
// missing-column rule, then the residue) against evaluating the predicate on every row.

namespace {

struct SimRow {
  int64_t k1;
  std::string k2;
  std::optional<int64_t> a;
  std::optional<std::string> s;
  std::optional<double> d;
  std::optional<bool> b;
};

bool SimFilter(const ColumnFilter& f, const SimRow& row) {
  switch (f.kind) {
    case ColumnFilter::Kind::kAnd:
      for (const auto& c : f.children) {
        if (!SimFilter(c, row)) return false;
      }
      return true;
    case ColumnFilter::Kind::kOr:
      for (const auto& c : f.children) {
        if (SimFilter(c, row)) return true;
      }
      return false;
    case ColumnFilter::Kind::kNot:
      return !SimFilter(f.children[0], row);
    case ColumnFilter::Kind::kSingle:
      break;
  }
  std::optional<OtsValue> cell;
  if (f.column == "A" && row.a) cell = OtsValue::Integer(*row.a);
  if (f.column == "S" && row.s) cell = OtsValue::String(*row.s);
  if (f.column == "D" && row.d) cell = OtsValue::Double(*row.d);
  if (f.column == "B" && row.b) cell = OtsValue::Boolean(*row.b);
  if (!cell) return !f.filter_if_missing;
  int c = CompareOtsValues(cell->ref(), f.value.ref());
  switch (f.op) {
    case CompareOp::kEq:
      return c == 0;
    case CompareOp::kNe:
      return c != 0;
    case CompareOp::kLt:
      return c < 0;
    case CompareOp::kLe:
      return c <= 0;
    case CompareOp::kGt:
      return c > 0;
    case CompareOp::kGe:
      return c >= 0;
  }
  return false;
}

class RandomWhere {
 public:
  explicit RandomWhere(uint32_t seed) : rng_(seed) {}
  std::string Expr(int depth) {
    int r = Pick(depth > 0 ? 10 : 6);
    if (r >= 8) return "(" + Expr(depth - 1) + (r == 8 ? " AND " : " OR ") + Expr(depth - 1) + ")";
    if (r == 7) return "NOT (" + Expr(depth - 1) + ")";
    return Atom();
  }
  std::string Top() {
    std::string out = Expr(2);
    int extra = Pick(3);
    for (int i = 0; i < extra; ++i) out += " AND " + Expr(1);
    return out;
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % static_cast<uint32_t>(n)); }
  std::string Op() {
    static const char* kOps[] = {"=", "!=", "<", "<=", ">", ">="};
    return kOps[Pick(6)];
  }
  std::string Int() {
    if (Pick(6) == 0) return std::to_string(Pick(9) - 4) + ".5";
    return std::to_string(Pick(9) - 4);
  }
  std::string Str() {
    static const char* kStrs[] = {"''", "'a'", "'b'", "'ba'", "'c'", "'bb'"};
    return kStrs[Pick(6)];
  }
  std::string Dbl() {
    static const char* kDbls[] = {"0", "-0.0", "1.5", "-2", "3"};
    return kDbls[Pick(5)];
  }
  std::string Value(const std::string& col) {
    if (col == "k1" || col == "a") return Int();
    if (col == "k2" || col == "s") return Str();
    if (col == "d") return Dbl();
    return Pick(2) ? "TRUE" : "FALSE";
  }
  std::string Atom() {
    static const char* kCols[] = {"k1", "k2", "a", "s", "d", "b"};
    std::string col = kCols[Pick(6)];
    switch (Pick(7)) {
      case 0:
        return col + (Pick(2) ? " IS NULL" : " IS NOT NULL");
      case 1: {
        std::string list = Value(col);
        int n = Pick(3);
        for (int i = 0; i < n; ++i) list += ", " + Value(col);
        return col + (Pick(2) ? " NOT IN (" : " IN (") + list + ")";
      }
      case 2:
        return col + (Pick(2) ? " NOT BETWEEN " : " BETWEEN ") + Value(col) + " AND " + Value(col);
      case 3:
        if (col == "b") return Pick(2) ? "b" : "NOT b";
        if (col == "d" || col == "a") return col + " " + Op() + (col == "d" ? " a" : " k1");
        [[fallthrough]];
      default:
        return col + " " + Op() + " " + Value(col);
    }
  }
  std::mt19937 rng_;
};

}  // namespace

TEST_CASE("random predicates: the plan keeps exactly the rows the predicate keeps") {
  std::vector<Field> cols = {
      {"k1", DataType::Of(TypeId::kInt64)}, {"k2", DataType::Of(TypeId::kString)},
      {"a", DataType::Of(TypeId::kInt64)},  {"s", DataType::Of(TypeId::kString)},
      {"d", DataType::Of(TypeId::kDouble)}, {"b", DataType::Of(TypeId::kBoolean)}};
  auto mapping = ColumnMapping::Parse(":K1,:K2,A,S,D,B", cols);
  REQUIRE(mapping.ok());
  std::mt19937 rng(7);
  std::vector<SimRow> rows;
  const char* kKeys2[] = {"", "a", "b", "ba", "c"};
  const double kDoubles[] = {0.0, -0.0, 1.5, -2.0, 3.0, std::nan("")};
  for (int64_t k1 = -3; k1 <= 3; ++k1) {
    for (const char* k2 : kKeys2) {
      SimRow r{k1, k2, {}, {}, {}, {}};
      if (rng() % 4) r.a = static_cast<int64_t>(rng() % 9) - 4;
      if (rng() % 4) r.s = kKeys2[rng() % 5];
      if (rng() % 4) r.d = kDoubles[rng() % 6];
      if (rng() % 4) r.b = rng() % 2 == 0;
      rows.push_back(r);
    }
  }
  auto schema = std::make_shared<Schema>(cols);
  RowBatch batch(schema, rows.size());
  for (const SimRow& r : rows) {
    batch.column(0).AppendInt(r.k1);
    batch.column(1).AppendBytes(r.k2);
    r.a ? batch.column(2).AppendInt(*r.a) : batch.column(2).AppendNull();
    r.s ? batch.column(3).AppendBytes(*r.s) : batch.column(3).AppendNull();
    r.d ? batch.column(4).AppendDouble(*r.d) : batch.column(4).AppendNull();
    r.b ? batch.column(5).AppendBool(*r.b) : batch.column(5).AppendNull();
    batch.CommitRow();
  }
  RandomWhere gen(11);
  int pushed_ranges = 0, pushed_filters = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string where = gen.Top();
    auto p = Predicate::Parse(where, cols);
    REQUIRE_MESSAGE(p.ok(), (where + ": " + p.status().message()));
    std::vector<uint32_t> expected;
    PredicateEvaluator full(&*p);
    REQUIRE(full.Evaluate(batch, &expected).ok());

    auto plan = PlanScan(&*p, cols, *mapping);
    REQUIRE(plan.ok());
    if (!plan->IsFullTable()) ++pushed_ranges;
    if (plan->filter) ++pushed_filters;
    std::vector<uint32_t> local;
    if (plan->residue) {
      PredicateEvaluator ev(&*plan->residue);
      REQUIRE(ev.Evaluate(batch, &local).ok());
    }
    std::vector<uint32_t> got;
    for (uint32_t i = 0; i < rows.size(); ++i) {
      std::vector<KeyBound> key = {KeyBound::Of(OtsValue::Integer(rows[i].k1)),
                                   KeyBound::Of(OtsValue::String(rows[i].k2))};
      bool in_range = false;
      for (const auto& r : plan->ranges) {
        in_range |= CompareKeyTuples(r.start, key) <= 0 && CompareKeyTuples(key, r.end) < 0;
      }
      if (!in_range) continue;
      if (plan->filter && !SimFilter(*plan->filter, rows[i])) continue;
      if (plan->residue && !std::binary_search(local.begin(), local.end(), i)) continue;
      got.push_back(i);
    }
    REQUIRE_MESSAGE(got == expected, (where + "\n" + plan->Explain()));
    // The ranges are ascending and disjoint.
    for (size_t r = 1; r < plan->ranges.size(); ++r) {
      CHECK(CompareKeyTuples(plan->ranges[r - 1].end, plan->ranges[r].start) <= 0);
    }
  }
  CHECK(pushed_ranges > 300);
  CHECK(pushed_filters > 300);
}

TEST_CASE("a predicate nested 256 deep plans and explains") {
  Fixture f = Orders();
  // NOT at every other level: the planner pushes each one down through the groups below it.
  std::string text = "odps_custkey = 1";
  for (int k = 0; k < kMaxPredicateNesting / 2; ++k) {
    text = "NOT (odps_custkey = " + std::to_string(k + 2) + (k % 2 ? " AND " : " OR ") + text + ")";
  }
  ScanPlan plan = Plan(f, text);
  CHECK(plan.IsFullTable());
  REQUIRE(plan.filter.has_value());
  CHECK_FALSE(plan.residue.has_value());
  // De Morgan turns every AND under an odd number of NOTs into an OR, so the whole tree is one
  // flat OR; a leaf under an odd number of NOTs flips to !=.
  std::string expected;
  for (int v = kMaxPredicateNesting / 2 + 1; v >= 2; --v) {
    expected += "o_custkey " + std::string(v % 2 ? "!=" : "=") + " " + std::to_string(v) + " OR ";
  }
  expected += "o_custkey = 1";
  CHECK(Filter(plan) == expected);
  CHECK(plan.Explain().find("server filter: " + expected + "\n") != std::string::npos);
}

TEST_CASE("flat chains of 20,000 terms plan in one pass") {
  Fixture f = Orders();
  std::string ors, ands;
  for (int k = 0; k < 20000; ++k) {
    ors += (k ? " OR odps_custkey = " : "odps_custkey = ") + std::to_string(k);
    ands += (k ? " AND odps_orderkey > " : "odps_orderkey > ") + std::to_string(k);
  }
  ScanPlan by_filter = Plan(f, ors);
  REQUIRE(by_filter.filter.has_value());
  CHECK(by_filter.filter->kind == ColumnFilter::Kind::kOr);
  CHECK(by_filter.filter->children.size() == 20000);
  CHECK(by_filter.filter->children[19999].ToString() == "o_custkey = 19999");
  CHECK(by_filter.Explain().size() > 20000 * 15);
  ScanPlan by_range = Plan(f, ands);
  CHECK(Ranges(by_range) == Strings{"[(20000, INF_MIN), (INF_MAX, INF_MAX))"});
  CHECK(Residue(by_range) == "none");
  // The same chain on a key column that cannot be a range stays local, as one flat OR.
  ScanPlan local = Plan(f, "odps_orderkey = -1 OR " + ors);
  CHECK_FALSE(local.filter.has_value());
  REQUIRE(local.residue.has_value());
  CHECK(local.residue->root().children.size() == 20001);
}
