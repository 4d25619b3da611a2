// --where: a SQL predicate over the job spec's columns, parsed, type-checked and evaluated.
//
// Grammar (keywords case-insensitive; identifiers as written, or "quoted" / `quoted` with the
// quote doubled inside; unquoted names match the spec's columns case-insensitively):
//   expr      := and_expr (OR and_expr)*
//   and_expr  := not_expr (AND not_expr)*
//   not_expr  := NOT not_expr | predicate
//   predicate := '(' expr ')' | TRUE | FALSE
//              | operand (= | != | <> | < | <= | > | >=) operand
//              | column [NOT] IN '(' literal (',' literal)* ')'
//              | column [NOT] BETWEEN literal AND literal
//              | column IS [NOT] NULL
//              | column                          (a boolean column: column = TRUE)
//   operand   := column | literal
//   literal   := ['-'|'+'] integer | ['-'|'+'] decimal/float (1.5, .5, 1e3) | 'text' ('it''s')
//              | TRUE | FALSE
//
// Type checking binds each literal to the type of the column it is compared with: numbers to the
// numeric types (an integer or decimal column compared with a number it cannot hold exactly is
// rewritten exactly: `k < 2.5` is `k <= 2`, `k = 2.5` is FALSE unless k is NULL), 'text' to
// string and binary columns, 'YYYY-MM-DD' to date columns, ISO 8601 text to datetime/timestamp
// columns (ParseTimestamp's forms), TRUE/FALSE to boolean columns. Two columns may be compared
// when their types are (numeric with numeric, else the same type). BETWEEN is rewritten to its
// two comparisons. Errors are InvalidArgument: "--where: position 17: unknown column ...", the
// position being the 1-based byte offset in the text.
//
// Nesting is limited to kMaxPredicateNesting levels, each '(' and each NOT counting one, so that
// no input can exhaust the stack of the recursive parser or of the walkers over the tree. Chains
// of AND / OR are flat (one node with many children), so a long chain adds no depth.
//
// Evaluation follows SQL's three-valued logic (a comparison with NULL is NULL; NOT NULL is NULL;
// FALSE AND NULL is FALSE; TRUE OR NULL is TRUE) and keeps the rows where the predicate is TRUE.
// Doubles compare as IEEE 754 (NaN equals nothing; NaN != x is TRUE).
//
// A Predicate is immutable after Parse and may be shared by threads; each thread evaluates with
// its own PredicateEvaluator, which reuses its buffers from batch to batch (no allocation per row).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"
#include "tsbridge/types.h"

namespace tsb {

// Deepest nesting of parentheses and NOTs that Predicate::Parse accepts (decisions 11).
inline constexpr int kMaxPredicateNesting = 256;

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
// "=", "!=", "<", "<=", ">", ">=".
std::string_view CompareOpText(CompareOp op);
// NOT (a op b) == a Negate(op) b;  (a op b) == (b Flip(op) a).
CompareOp NegateOp(CompareOp op);
CompareOp FlipOp(CompareOp op);

// A literal bound to a column type, in that type's storage class (see types.h): integers,
// booleans, dates (days) and timestamps (ticks) in `i`, double/float in `d`, decimals (unscaled at
// the column's scale) in `wide`, string/binary in `bytes`.
struct Literal {
  int64_t i = 0;
  double d = 0;
  __int128 wide = 0;
  std::string bytes;
};

enum class ExprKind : uint8_t {
  kAnd,             // children (2 or more)
  kOr,              // children (2 or more)
  kNot,             // children[0]
  kCompare,         // column op literal
  kCompareColumns,  // column op column2
  kIn,              // column [NOT] IN (list); never empty
  kIsNull,          // column IS [NOT] NULL
  kColumnConst,     // NULL when column is NULL, else `value` (from exact rewrites)
  kConstant,        // TRUE or FALSE
};

struct Expr {
  ExprKind kind = ExprKind::kConstant;
  int position = 0;  // 1-based byte offset in the text where this expression starts
  std::vector<std::unique_ptr<Expr>> children;
  int column = -1;   // spec column index
  int column2 = -1;  // kCompareColumns
  CompareOp op = CompareOp::kEq;
  Literal literal;            // kCompare
  std::vector<Literal> list;  // kIn: sorted ascending, no duplicates
  bool negated = false;       // kIn: NOT IN; kIsNull: IS NOT NULL
  bool value = false;         // kColumnConst, kConstant

  std::unique_ptr<Expr> Clone() const;
};

class Predicate {
 public:
  // Parses and type-checks `text` against `columns` (the spec's columns; evaluation expects
  // batches whose columns are these, in this order). `source` prefixes errors ("--where").
  static Result<Predicate> Parse(std::string_view text, const std::vector<Field>& columns,
                                 std::string_view source = "--where");
  // The conjunction of `conjuncts` (at least one) over `columns`.
  static Predicate FromConjuncts(std::vector<std::unique_ptr<Expr>> conjuncts,
                                 const std::vector<Field>& columns);

  Predicate(Predicate&&) = default;
  Predicate& operator=(Predicate&&) = default;
  Predicate Clone() const;

  const Expr& root() const { return *root_; }
  const std::vector<Field>& columns() const { return columns_; }
  // Canonical SQL text over the spec's column names, e.g.
  // odps_orderkey > 5000 AND odps_orderdate >= '1996-05-03'.
  std::string ToString() const;
  // Renders one expression of this predicate.
  std::string ExprToString(const Expr& e) const;
  // A literal in SQL form for a column type ('1996-05-03', 5000, 1.5, TRUE, 'it''s').
  static std::string LiteralToString(const Literal& literal, const DataType& type);

 private:
  Predicate(std::unique_ptr<Expr> root, std::vector<Field> columns);

  std::unique_ptr<Expr> root_;
  std::vector<Field> columns_;
};

// Evaluates one predicate over batches. Not thread-safe; one per thread.
class PredicateEvaluator {
 public:
  // `predicate` must outlive the evaluator and stay where it is (not be moved).
  explicit PredicateEvaluator(const Predicate* predicate);
  PredicateEvaluator(const PredicateEvaluator&) = delete;
  PredicateEvaluator& operator=(const PredicateEvaluator&) = delete;

  // Fills *selected with the indexes (ascending) of the rows of `batch` for which the predicate is
  // TRUE. The batch's columns must be the predicate's columns (same count and storage classes);
  // otherwise Internal.
  Status Evaluate(const RowBatch& batch, std::vector<uint32_t>* selected);

 private:
  // Three-valued results: 0 = FALSE, 1 = NULL, 2 = TRUE (so AND = min, OR = max, NOT = 2 - x).
  void Eval(const Expr& e, const RowBatch& batch, size_t n, size_t depth, uint8_t* out);

  const Predicate* predicate_;
  std::vector<std::vector<uint8_t>> scratch_;  // one buffer per tree depth
  std::vector<uint8_t> result_;
};

}  // namespace tsb
