// The pushdown planner: which part of a --where predicate Tablestore evaluates, and which part
// tsbridge evaluates locally.
//
// PlanScan splits the predicate (in negation normal form, at its top-level ANDs) three ways:
//
// 1. Key ranges. Bounds on the leading primary-key columns become GetRange's
//    [inclusive_start, exclusive_end) over full key tuples padded with INF_MIN / INF_MAX, so rows
//    outside them are never read: `pk1 > 5000 AND pk1 < 7000` is [(5001, INF_MIN), (7000,
//    INF_MIN)). A key column extends the range to the next one only while it is pinned to a single
//    value (`=`, or equal bounds); `pk1 IN (...)` gives one range per value (at most
//    kMaxKeyRanges in all). Only key types whose Tablestore order is the spec type's order bound a
//    range: the integer types, datetime, timestamp, string, binary and date (a STRING
//    YYYY-MM-DD). Conjuncts turned into ranges are exact and leave the residue.
// 2. The server filter: conjuncts on attribute columns that Tablestore can evaluate with exactly
//    the result SQL gives. A conjunct qualifies when it is an AND/OR tree (after pushing NOTs down:
//    NOT (a < 5) is a >= 5, NOT (a IN (1,2)) is a NOT IN (1,2)) of `column op value`, IN and
//    NOT IN, on an attribute column whose type orders as stored (the integer types, datetime,
//    timestamp, string, binary, date, boolean). Each leaf becomes a single-column filter with
//    filter_if_missing = true and latest_version_only = true: a missing cell is SQL NULL, a
//    comparison with NULL is never TRUE, and in a NOT-free AND/OR tree a NULL leaf can only keep a
//    row out, exactly as a FALSE one (Kleene logic is monotone), so dropping the row is exact. IN
//    is an OR of EQUAL leaves and NOT IN an AND of NOT_EQUAL leaves (the lists hold no NULL).
//    Kept local: IS [NOT] NULL, comparisons of two columns, double/float columns (NaN order is
//    the service's own) and decimal columns (their STRING text does not sort as numbers),
//    primary-key columns (column filters here test attribute columns only).
// 3. The residue: every other conjunct, evaluated locally with PredicateEvaluator.
//
// The rows kept are exactly those the whole predicate keeps, with one caveat on rejects: a row
// that the service drops is never converted, so a stored value that does not fit its column (a
// row import would reject) goes unreported when the pushed part excludes the row anyway.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tsbridge/convert.h"
#include "tsbridge/mapping.h"
#include "core/predicate.h"
#include "tsbridge/status.h"

namespace tsb {

inline constexpr size_t kMaxKeyRanges = 256;

// One element of a primary-key tuple in a GetRange bound.
struct KeyBound {
  enum class Kind : uint8_t { kInfMin, kValue, kInfMax };
  Kind kind = Kind::kInfMin;
  OtsValue value;  // kValue

  static KeyBound InfMin() { return KeyBound{Kind::kInfMin, {}}; }
  static KeyBound InfMax() { return KeyBound{Kind::kInfMax, {}}; }
  static KeyBound Of(OtsValue v) { return KeyBound{Kind::kValue, std::move(v)}; }
  std::string ToString() const;  // INF_MIN, INF_MAX, 5001, "1996-05-03"
  friend bool operator==(const KeyBound& a, const KeyBound& b);
};

// A GetRange range: every key k with start <= k < end (tuples of the table's key length).
struct KeyRange {
  std::vector<KeyBound> start;
  std::vector<KeyBound> end;
  // "[(5001, INF_MIN), (7000, INF_MIN))".
  std::string ToString() const;
  // Every element of start INF_MIN and of end INF_MAX.
  bool IsFullTable() const;
};

// Compares two key tuples of the same length (INF_MIN < any value < INF_MAX): <0, 0, >0.
int CompareKeyTuples(const std::vector<KeyBound>& a, const std::vector<KeyBound>& b);

// A Tablestore column-value filter tree (SingleColumnValueFilter / CompositeColumnValueFilter).
struct ColumnFilter {
  enum class Kind : uint8_t { kSingle, kAnd, kOr, kNot };
  Kind kind = Kind::kSingle;
  // kSingle
  std::string column;  // the Tablestore column name
  CompareOp op =
      CompareOp::kEq;  // EQUAL, NOT_EQUAL, LESS_THAN, LESS_EQUAL, GREATER_THAN, GREATER_EQUAL
  OtsValue value;
  bool filter_if_missing = true;    // a row without the column is dropped
  bool latest_version_only = true;  // only the newest version of the cell is tested
  // kAnd, kOr (2 or more), kNot (1)
  std::vector<ColumnFilter> children;

  // "o_custkey = 5", "(a = 1 OR b != \"x\")".
  std::string ToString() const;
};

struct ScanPlan {
  std::vector<std::string> key_names;  // the table's primary-key columns, in order
  // Disjoint, ascending. Empty means no row can match: nothing is read.
  std::vector<KeyRange> ranges;
  std::optional<ColumnFilter> filter;
  std::optional<Predicate> residue;  // absent: every row the scan returns is kept

  // Whether the plan reads nothing.
  bool empty() const { return ranges.empty(); }
  // Whether the plan scans the whole table in one range (no key bound was pushed): the case in
  // which split points may be re-asked with smaller targets (decisions 4).
  bool IsFullTable() const { return ranges.size() == 1 && ranges[0].IsFullTable(); }
  // The --explain text:
  //   primary key: (o_orderkey, o_orderdate)
  //   key ranges: 1
  //     [(5001, INF_MIN), (7000, INF_MIN))
  //   server filter: none
  //   local residue: odps_orderdate >= '1996-05-03' AND odps_orderdate < '1997-05-01'
  std::string Explain() const;
};

// Plans a scan of the table mapped by `mapping` (whose key_columns() are the table's primary-key
// columns in order, as CheckAgainstTable ensures). `where` may be null (no predicate): one
// full-table range. The predicate must have been parsed against `columns`.
Result<ScanPlan> PlanScan(const Predicate* where, const std::vector<Field>& columns,
                          const ColumnMapping& mapping);

// The Tablestore value of a literal bound to a column of `type` (the same form export writes).
Result<OtsValue> LiteralToOts(const Literal& literal, const DataType& type);

}  // namespace tsb
