#include "core/predicate.h"

#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <optional>

#include "core/value_text.h"

using namespace tsb;

namespace {

std::vector<Field> OrderColumns() {
  return {{"odps_orderkey", DataType::Of(TypeId::kInt64)},
          {"odps_orderdate", DataType::Of(TypeId::kString)},
          {"odps_custkey", DataType::Of(TypeId::kInt64)},
          {"odps_orderstatus", DataType::Of(TypeId::kString)},
          {"odps_totalprice", DataType::Of(TypeId::kDouble)}};
}

// A column set with one column of each kind of type.
std::vector<Field> AllColumns() {
  return {
      {"i", DataType::Of(TypeId::kInt64)},         {"t", DataType::Of(TypeId::kInt8)},
      {"d", DataType::Of(TypeId::kDouble)},        {"s", DataType::Of(TypeId::kString)},
      {"b", DataType::Of(TypeId::kBoolean)},       {"m", DataType::Decimal(10, 2)},
      {"day", DataType::Of(TypeId::kDate)},        {"ts", DataType::Timestamp(TimeUnit::kSeconds)},
      {"Mixed Case", DataType::Of(TypeId::kInt64)}};
}

std::string Canon(const std::string& text, const std::vector<Field>& cols = AllColumns()) {
  auto p = Predicate::Parse(text, cols);
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  return p->ToString();
}

std::string ParseError(const std::string& text, const std::vector<Field>& cols = AllColumns()) {
  auto p = Predicate::Parse(text, cols);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == StatusCode::kInvalidArgument);
  return p.status().message();
}

// Rows of (i, d, s, b) with NULLs, for evaluation tests.
struct Row {
  std::optional<int64_t> i;
  std::optional<double> d;
  std::optional<std::string> s;
  std::optional<bool> b;
};

std::vector<Field> SmallColumns() {
  return {{"i", DataType::Of(TypeId::kInt64)},
          {"d", DataType::Of(TypeId::kDouble)},
          {"s", DataType::Of(TypeId::kString)},
          {"b", DataType::Of(TypeId::kBoolean)}};
}

RowBatch MakeBatch(const std::vector<Row>& rows) {
  RowBatch batch(std::make_shared<Schema>(SmallColumns()), rows.size() + 1);
  for (const Row& r : rows) {
    r.i ? batch.column(0).AppendInt(*r.i) : batch.column(0).AppendNull();
    r.d ? batch.column(1).AppendDouble(*r.d) : batch.column(1).AppendNull();
    r.s ? batch.column(2).AppendBytes(*r.s) : batch.column(2).AppendNull();
    r.b ? batch.column(3).AppendBool(*r.b) : batch.column(3).AppendNull();
    batch.CommitRow();
  }
  return batch;
}

const std::vector<Row> kRows = {
    {1, 1.5, "a", true},                              // 0
    {2, std::nan(""), "it's", false},                 // 1
    {std::nullopt, 3.0, std::nullopt, std::nullopt},  // 2
    {4, std::nullopt, "b", true},                     // 3
    {-5, -0.0, "", false},                            // 4
};

std::vector<uint32_t> Select(const std::string& text) {
  auto p = Predicate::Parse(text, SmallColumns());
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  RowBatch batch = MakeBatch(kRows);
  PredicateEvaluator ev(&*p);
  std::vector<uint32_t> sel;
  REQUIRE(ev.Evaluate(batch, &sel).ok());
  // A second run on the same evaluator gives the same answer (buffers are reused).
  std::vector<uint32_t> again;
  REQUIRE(ev.Evaluate(batch, &again).ok());
  CHECK(again == sel);
  return sel;
}

using Sel = std::vector<uint32_t>;

}  // namespace

TEST_CASE("the guide's predicate parses and prints back") {
  const std::string guide =
      "odps_orderkey > 5000 AND odps_orderkey < 7000 AND odps_orderdate >= '1996-05-03' AND "
      "odps_orderdate < '1997-05-01'";
  CHECK(Canon(guide, OrderColumns()) == guide);
  auto p = Predicate::Parse(guide, OrderColumns());
  REQUIRE(p.ok());
  CHECK(p->root().kind == ExprKind::kAnd);
  CHECK(p->root().children.size() == 4);
  CHECK(p->root().children[2]->position == 51);
}

TEST_CASE("syntax: keywords, quoting, numbers, precedence") {
  CHECK(Canon("i = 1 or i = 2 and not s = 'x'") == "i = 1 OR (i = 2 AND NOT s = 'x')");
  CHECK(Canon("(i = 1 OR i = 2) AND s <> 'x'") == "(i = 1 OR i = 2) AND s != 'x'");
  CHECK(Canon("s = 'it''s'") == "s = 'it''s'");
  CHECK(Canon("\"Mixed Case\" >= -9223372036854775808") ==
        "\"Mixed Case\" >= -9223372036854775808");
  CHECK(Canon("I=+3") == "i = 3");
  CHECK(Canon("5 < i") == "i > 5");
  CHECK(Canon("d > -1.5e3 AND d < .5") == "d > -1500.0 AND d < 0.5");
  CHECK(Canon("i IN (3, 1, 2, 3)") == "i IN (1, 2, 3)");
  CHECK(Canon("s NOT IN ('b','a')") == "s NOT IN ('a', 'b')");
  CHECK(Canon("i BETWEEN 1 AND 10") == "i >= 1 AND i <= 10");
  CHECK(Canon("i NOT BETWEEN 1 AND 10") == "i < 1 OR i > 10");
  CHECK(Canon("s IS NULL OR s is not null") == "s IS NULL OR s IS NOT NULL");
  CHECK(Canon("b AND NOT b") == "b = TRUE AND NOT b = TRUE");
  CHECK(Canon("TRUE") == "TRUE");
  CHECK(Canon("i = t") == "i = t");
  CHECK(Canon("`i` = 1") == "i = 1");
}

TEST_CASE("literals bind to the column types, with exact rewrites") {
  CHECK(Canon("i < 2.5") == "i <= 2");
  CHECK(Canon("i <= 2.5") == "i <= 2");
  CHECK(Canon("i > 2.5") == "i >= 3");
  CHECK(Canon("i >= -2.5") == "i >= -2");
  CHECK(Canon("i < -2.5") == "i <= -3");
  CHECK(Canon("i = 2.5") == "i != i");
  CHECK(Canon("i != 2.5") == "i = i");
  CHECK(Canon("i = 2.000") == "i = 2");
  CHECK(Canon("i < 1e30") == "i = i");
  CHECK(Canon("i > 99999999999999999999") == "i != i");
  CHECK(Canon("i IN (1.5, 2)") == "i IN (2)");
  CHECK(Canon("i IN (1.5)") == "i != i");
  CHECK(Canon("i NOT IN (1.5)") == "i = i");
  CHECK(Canon("m = 12.5") == "m = 12.50");
  CHECK(Canon("m > 12.555") == "m >= 12.56");
  CHECK(Canon("m = 12.555") == "m != m");
  CHECK(Canon("day >= '1996-05-03'") == "day >= '1996-05-03'");
  CHECK(Canon("ts < '1970-01-02 00:00:00'") == "ts < '1970-01-02T00:00:00Z'");
  CHECK(Canon("d = 1") == "d = 1.0");
  CHECK(Canon("b = false") == "b = FALSE");
}

TEST_CASE("errors name the position and what was expected") {
  CHECK(ParseError("odps_orderkey > 5000 AND odps_orderky < 7000", OrderColumns()) ==
        "--where: position 26: unknown column \"odps_orderky\"; columns are odps_orderkey, "
        "odps_orderdate, odps_custkey, odps_orderstatus, odps_totalprice");
  CHECK(ParseError("\"I\" = 1") ==
        "--where: position 1: unknown column \"I\"; columns are i, t, d, s, b, m, day, ts, Mixed "
        "Case");
  CHECK(ParseError("s = 5") ==
        "--where: position 5: cannot compare column s (string) with 5 (a number)");
  CHECK(ParseError("i = 'x'") ==
        "--where: position 5: cannot compare column i (bigint) with 'x' (a string)");
  CHECK(ParseError("b = 1") ==
        "--where: position 5: cannot compare column b (boolean) with 1 (a number)");
  CHECK(ParseError("day = '1996-5-3'") ==
        "--where: position 7: '1996-5-3' is not a date (YYYY-MM-DD) for column day");
  CHECK(ParseError("i = s") ==
        "--where: position 5: cannot compare column i (bigint) with column s (string)");
  CHECK(ParseError("1 = 1") ==
        "--where: position 1: compare a column with a value; both sides are values");
  CHECK(ParseError("i = 1 AND") ==
        "--where: position 10: expected a column or a value, got the end of the text");
  CHECK(ParseError("i = 1 i = 2") ==
        "--where: position 7: unexpected \"i\"; expected AND, OR or the end");
  CHECK(ParseError("(i = 1") == "--where: position 7: expected ')', got the end of the text");
  CHECK(ParseError("s = 'abc") == "--where: position 5: unterminated string");
  CHECK(ParseError("i = 1 # 2") == "--where: position 7: unexpected character '#'");
  CHECK(ParseError("i") ==
        "--where: position 2: expected a comparison after column i, got the end of the text");
  CHECK(ParseError("i IN ()") == "--where: position 7: expected a column or a value, got \")\"");
  CHECK(ParseError("i IN (s)") == "--where: position 7: IN takes a list of values, not columns");
  CHECK(ParseError("   ") == "--where: position 1: empty predicate");
  CHECK(ParseError("s = NULL") ==
        "--where: position 5: a comparison with NULL is never true; write IS NULL or IS NOT NULL");
  CHECK(ParseError("i = 12abc") == "--where: position 5: bad number \"12a\"");
  CHECK(ParseError("m = 1e3") ==
        "--where: position 5: write the number 1e3 without an exponent to compare it with m "
        "(decimal(10,2))");
  auto custom = Predicate::Parse("x = 1", AllColumns(), "--filter");
  CHECK(custom.status().message().find("--filter: position 1: unknown column \"x\"") == 0);
}

TEST_CASE("evaluation follows SQL three-valued logic") {
  CHECK(Select("i > 1") == Sel{1, 3});
  CHECK(Select("i <= 1") == Sel{0, 4});
  CHECK(Select("NOT i > 1") == Sel{0, 4});  // the NULL row stays out
  CHECK(Select("i != 2") == Sel{0, 3, 4});
  CHECK(Select("i IS NULL") == Sel{2});
  CHECK(Select("i IS NOT NULL") == Sel{0, 1, 3, 4});
  CHECK(Select("i > 1 OR s IS NULL") == Sel{1, 2, 3});
  CHECK(Select("NOT (i > 1 AND s = 'b')") == Sel{0, 1, 4});
  CHECK(Select("NOT (i = 1 OR d = 3)") == Sel{1, 4});  // row 3: NOT (FALSE OR NULL) is NULL
  CHECK(Select("i IN (1, 4, 7)") == Sel{0, 3});
  CHECK(Select("i NOT IN (1, 4)") == Sel{1, 4});
  CHECK(Select("i IN (1,2,3,4,5,6,7,8,9,10,11)") == Sel{0, 1, 3});  // the binary-search path
  CHECK(Select("i NOT IN (-5,1,2,3,5,6,7,8,9,10,11)") == Sel{3});
  CHECK(Select("i BETWEEN -5 AND 2") == Sel{0, 1, 4});
  CHECK(Select("i NOT BETWEEN -5 AND 2") == Sel{3});
  CHECK(Select("s = 'it''s'") == Sel{1});
  CHECK(Select("s < 'b'") == Sel{0, 4});
  CHECK(Select("s >= ''") == Sel{0, 1, 3, 4});
  CHECK(Select("b") == Sel{0, 3});
  CHECK(Select("NOT b") == Sel{1, 4});
  CHECK(Select("b = FALSE OR b IS NULL") == Sel{1, 2, 4});
  CHECK(Select("d > 1") == Sel{0, 2});         // NaN > 1 is FALSE
  CHECK(Select("d != 1.5") == Sel{1, 2, 4});   // NaN != 1.5 is TRUE
  CHECK(Select("NOT d < 1") == Sel{0, 1, 2});  // NOT (NaN < 1) is TRUE
  CHECK(Select("d = 0") == Sel{4});            // -0.0 = 0
  CHECK(Select("i < 2.5") == Sel{0, 1, 4});
  CHECK(Select("i = 2.5") == Sel{});
  CHECK(Select("NOT i = 2.5") == Sel{0, 1, 3, 4});
  CHECK(Select("TRUE") == Sel{0, 1, 2, 3, 4});
  CHECK(Select("FALSE OR i = 4") == Sel{3});
  CHECK(Select("i IN (1.5)") == Sel{});
  CHECK(Select("i NOT IN (1.5)") == Sel{0, 1, 3, 4});
}

TEST_CASE("comparisons of two columns") {
  CHECK(Select("i < d") == Sel{0, 4});  // 1 < 1.5; 2 < NaN is FALSE; -5 < -0.0
  CHECK(Select("i < d AND i > 0") == Sel{0});
}

TEST_CASE("date, decimal and timestamp columns compare as values") {
  std::vector<Field> cols = {{"day", DataType::Of(TypeId::kDate)},
                             {"m", DataType::Decimal(10, 2)},
                             {"ts", DataType::Timestamp(TimeUnit::kMillis)}};
  RowBatch batch(std::make_shared<Schema>(cols), 8);
  batch.column(0).AppendInt(DaysFromCivil(1996, 5, 2));
  batch.column(1).AppendInt128(1250);
  batch.column(2).AppendInt(1000);
  batch.CommitRow();
  batch.column(0).AppendInt(DaysFromCivil(1997, 4, 30));
  batch.column(1).AppendInt128(-1);
  batch.column(2).AppendNull();
  batch.CommitRow();
  auto sel = [&](const std::string& text) {
    auto p = Predicate::Parse(text, cols);
    REQUIRE_MESSAGE(p.ok(), p.status().message());
    PredicateEvaluator ev(&*p);
    std::vector<uint32_t> out;
    REQUIRE(ev.Evaluate(batch, &out).ok());
    return out;
  };
  CHECK(sel("day >= '1996-05-03' AND day < '1997-05-01'") == Sel{1});
  CHECK(sel("m > 12.499") == Sel{0});
  CHECK(sel("m < 0") == Sel{1});
  CHECK(sel("m IN (12.5, -0.01)") == Sel{0, 1});
  CHECK(sel("ts = '1970-01-01T00:00:01Z'") == Sel{0});
  CHECK(sel("ts = '1970-01-01 08:00:01+08:00'") == Sel{0});
}

TEST_CASE("the evaluator refuses a batch of other columns") {
  auto p = Predicate::Parse("i = 1", SmallColumns());
  REQUIRE(p.ok());
  RowBatch other(std::make_shared<Schema>(std::vector<Field>{{"x", DataType::Of(TypeId::kInt64)}}));
  PredicateEvaluator ev(&*p);
  std::vector<uint32_t> sel;
  Status s = ev.Evaluate(other, &sel);
  CHECK(s.code() == StatusCode::kInternal);
}

TEST_CASE("Clone and FromConjuncts keep the meaning") {
  auto p = Predicate::Parse("i > 1 AND s = 'b'", SmallColumns());
  REQUIRE(p.ok());
  Predicate copy = p->Clone();
  CHECK(copy.ToString() == p->ToString());
  std::vector<std::unique_ptr<Expr>> parts;
  parts.push_back(p->root().children[1]->Clone());
  Predicate only = Predicate::FromConjuncts(std::move(parts), SmallColumns());
  CHECK(only.ToString() == "s = 'b'");
}

namespace {

std::string Nested(int depth, const std::string& inner) {
  return std::string(static_cast<size_t>(depth), '(') + inner + std::string(depth, ')');
}

std::string Nots(int count, const std::string& inner) {
  std::string out;
  for (int k = 0; k < count; ++k) out += "NOT ";
  return out + inner;
}

// "i = 0 OR i = 1 OR ... OR i = n-1".
std::string OrChain(int n) {
  std::string out;
  for (int k = 0; k < n; ++k) out += (k ? " OR i = " : "i = ") + std::to_string(k);
  return out;
}

}  // namespace

TEST_CASE("nesting: 256 levels parse, 257 are refused, 10,000 do not crash") {
  CHECK(Canon(Nested(kMaxPredicateNesting, "i = 1")) == "i = 1");
  CHECK(Canon(Nots(kMaxPredicateNesting, "i = 1")) == Nots(kMaxPredicateNesting, "i = 1"));
  // '(' and NOT count together.
  CHECK(Canon(Nots(128, Nested(128, "i = 1"))) == Nots(128, "i = 1"));

  CHECK(ParseError(Nested(kMaxPredicateNesting + 1, "i = 1")) ==
        "--where: position 257: nested deeper than 256 levels (each '(' and NOT counts one); "
        "simplify the predicate");
  CHECK(ParseError(Nots(kMaxPredicateNesting + 1, "i = 1")) ==
        "--where: position 1025: nested deeper than 256 levels (each '(' and NOT counts one); "
        "simplify the predicate");
  CHECK(ParseError(Nots(128, Nested(129, "i = 1"))).find("position 641: nested deeper than 256") !=
        std::string::npos);
  CHECK(ParseError(Nested(10000, "i = 1")).find("position 257: nested deeper than 256") !=
        std::string::npos);
  CHECK(ParseError(Nots(100000, "i = 1")).find("position 1025: nested deeper than 256") !=
        std::string::npos);
  // Unbalanced: the depth error comes first, before any ')' is missed.
  CHECK(ParseError(std::string(10000, '(')).find("nested deeper than 256") != std::string::npos);
  // Depth is about what is open at once: many groups one after another are fine.
  std::string siblings;
  for (int k = 0; k < 1000; ++k) siblings += (k ? " OR " : "") + Nested(200, "i = 1");
  CHECK(Predicate::Parse(siblings, AllColumns()).ok());
}

TEST_CASE("a predicate nested 256 deep evaluates, clones and prints") {
  // Alternating OR / AND groups give the deepest tree the limit allows; the NOT of the innermost
  // AND group sits at level 256.
  std::string text = "i = 1";
  for (int k = 0; k < kMaxPredicateNesting; ++k) {
    text = k % 2 ? "(NOT i = 7 AND " + text + ")" : "(i = 4 OR " + text + ")";
  }
  auto p = Predicate::Parse(text, SmallColumns());
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  Predicate copy = p->Clone();
  CHECK(copy.ToString() == p->ToString());
  auto again = Predicate::Parse(copy.ToString(), SmallColumns());
  REQUIRE_MESSAGE(again.ok(), again.status().message());
  CHECK(again->ToString() == p->ToString());
  // Every level keeps rows 0 (i = 1) and 3 (i = 4) and drops the others.
  PredicateEvaluator ev(&*p);
  std::vector<uint32_t> sel;
  REQUIRE(ev.Evaluate(MakeBatch(kRows), &sel).ok());
  CHECK(sel == Sel{0, 3});
}

TEST_CASE("a chain of 20,000 ORs is one flat node and evaluates") {
  auto p = Predicate::Parse(OrChain(20000), SmallColumns());
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  CHECK(p->root().kind == ExprKind::kOr);
  CHECK(p->root().children.size() == 20000);
  CHECK(p->ToString() == OrChain(20000));
  PredicateEvaluator ev(&*p);
  std::vector<uint32_t> sel;
  REQUIRE(ev.Evaluate(MakeBatch(kRows), &sel).ok());
  CHECK(sel == Sel{0, 1, 3});  // i = 1, 2, 4; not NULL, not -5
}

TEST_CASE("a predicate over a spec of 100,000 columns names columns by index") {
  std::vector<Field> cols;
  for (int k = 0; k < 100000; ++k)
    cols.push_back({"c" + std::to_string(k), DataType::Of(TypeId::kInt64)});
  std::string text;
  for (int k = 0; k < 100000; k += 10) text += (k ? " AND C" : "C") + std::to_string(k) + " > 0";
  auto p = Predicate::Parse(text, cols);
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  REQUIRE(p->root().children.size() == 10000);
  CHECK(p->root().children[9999]->column == 99990);
  std::string err = ParseError("c99999 = 1 AND nope = 2", cols);
  CHECK(err.find("--where: position 16: unknown column \"nope\"; columns are c0, c1, ") == 0);
  CHECK(err.find(", c19, ... (100000 columns)") != std::string::npos);
  CHECK(err.size() < 300);
}
