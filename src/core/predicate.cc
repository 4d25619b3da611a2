#include "core/predicate.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <unordered_map>

#include "core/ascii.h"
#include "core/value_text.h"

namespace tsb {

namespace {

constexpr uint8_t kFalse = 0;
constexpr uint8_t kNull = 1;
constexpr uint8_t kTrue = 2;

// ---------------------------------------------------------------------------------------------
// Lexer

enum class Tok {
  kEnd,
  kIdent,
  kQuotedIdent,
  kNumber,
  kString,
  kLParen,
  kRParen,
  kComma,
  kOp,
  kMinus,
  kPlus,
  kAnd,
  kOr,
  kNot,
  kIn,
  kBetween,
  kIs,
  kNull,
  kTrue,
  kFalse,
};

struct Token {
  Tok type = Tok::kEnd;
  std::string text;  // identifier / literal text (unquoted), keyword or operator as written
  int pos = 0;       // 1-based
  CompareOp op = CompareOp::kEq;
};

std::string Upper(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

const std::pair<std::string_view, Tok> kKeywords[] = {
    {"AND", Tok::kAnd},   {"OR", Tok::kOr},           {"NOT", Tok::kNot},
    {"IN", Tok::kIn},     {"BETWEEN", Tok::kBetween}, {"IS", Tok::kIs},
    {"NULL", Tok::kNull}, {"TRUE", Tok::kTrue},       {"FALSE", Tok::kFalse}};

bool IsKeyword(std::string_view word) {
  std::string u = Upper(word);
  for (const auto& [kw, tok] : kKeywords) {
    if (u == kw) return true;
  }
  return false;
}

std::string DescribeToken(const Token& t) {
  switch (t.type) {
    case Tok::kEnd:
      return "the end of the text";
    case Tok::kString:
      return "'" + t.text + "'";
    case Tok::kQuotedIdent:
      return "\"" + t.text + "\"";
    default:
      return "\"" + t.text + "\"";
  }
}

class Parser {
 public:
  Parser(std::string_view text, const std::vector<Field>& columns, std::string_view source)
      : text_(text), columns_(columns), source_(source) {}

  Result<std::unique_ptr<Expr>> Run() {
    TSB_RETURN_IF_ERROR(Lex());
    if (tokens_.size() == 1) return Error(1, "empty predicate");
    std::unique_ptr<Expr> e;
    TSB_RETURN_IF_ERROR(ParseOr(&e));
    if (Peek().type != Tok::kEnd) {
      return Error(Peek().pos,
                   "unexpected " + DescribeToken(Peek()) + "; expected AND, OR or the end");
    }
    return e;
  }

 private:
  struct Operand {
    bool is_column = false;
    int column = -1;
    Tok kind = Tok::kNumber;  // literal: kNumber, kString, kTrue, kFalse
    std::string text;         // literal text, with its sign for numbers
    int pos = 0;
  };

  Status Error(int pos, const std::string& msg) const {
    return Status::InvalidArgument(std::string(source_) + ": position " + std::to_string(pos) +
                                   ": " + msg);
  }

  Status Lex() {
    size_t i = 0;
    const size_t n = text_.size();
    while (true) {
      while (i < n && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
      Token t;
      t.pos = static_cast<int>(i) + 1;
      if (i >= n) {
        t.type = Tok::kEnd;
        tokens_.push_back(std::move(t));
        return Status::OK();
      }
      char c = text_[i];
      if (IsIdentStart(c)) {
        size_t b = i;
        while (i < n && IsIdentChar(text_[i])) ++i;
        t.text = std::string(text_.substr(b, i - b));
        t.type = Tok::kIdent;
        std::string u = Upper(t.text);
        for (const auto& [kw, tok] : kKeywords) {
          if (u == kw) t.type = tok;
        }
      } else if (IsDigit(c) || (c == '.' && i + 1 < n && IsDigit(text_[i + 1]))) {
        size_t b = i;
        while (i < n && IsDigit(text_[i])) ++i;
        if (i < n && text_[i] == '.') {
          ++i;
          while (i < n && IsDigit(text_[i])) ++i;
        }
        if (i < n && (text_[i] == 'e' || text_[i] == 'E')) {
          size_t e = i + 1;
          if (e < n && (text_[e] == '+' || text_[e] == '-')) ++e;
          if (e < n && IsDigit(text_[e])) {
            i = e;
            while (i < n && IsDigit(text_[i])) ++i;
          }
        }
        if (i < n && IsIdentChar(text_[i])) {
          return Error(static_cast<int>(b) + 1,
                       "bad number \"" + std::string(text_.substr(b, i + 1 - b)) + "\"");
        }
        t.type = Tok::kNumber;
        t.text = std::string(text_.substr(b, i - b));
      } else if (c == '\'' || c == '"' || c == '`') {
        size_t b = i++;
        std::string value;
        bool closed = false;
        while (i < n) {
          if (text_[i] == c) {
            if (i + 1 < n && text_[i + 1] == c) {
              value.push_back(c);
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          value.push_back(text_[i++]);
        }
        if (!closed) {
          return Error(static_cast<int>(b) + 1,
                       std::string("unterminated ") + (c == '\'' ? "string" : "quoted name"));
        }
        if (c != '\'' && value.empty()) return Error(static_cast<int>(b) + 1, "empty quoted name");
        t.type = c == '\'' ? Tok::kString : Tok::kQuotedIdent;
        t.text = std::move(value);
      } else {
        ++i;
        t.text = std::string(1, c);
        switch (c) {
          case '(':
            t.type = Tok::kLParen;
            break;
          case ')':
            t.type = Tok::kRParen;
            break;
          case ',':
            t.type = Tok::kComma;
            break;
          case '-':
            t.type = Tok::kMinus;
            break;
          case '+':
            t.type = Tok::kPlus;
            break;
          case '=':
            t.type = Tok::kOp;
            t.op = CompareOp::kEq;
            if (i < n && text_[i] == '=') {  // "==" as a courtesy
              ++i;
              t.text = "==";
            }
            break;
          case '!':
            if (i < n && text_[i] == '=') {
              ++i;
              t.type = Tok::kOp;
              t.op = CompareOp::kNe;
              t.text = "!=";
              break;
            }
            return Error(t.pos, "unexpected character '!'; did you mean !=");
          case '<':
            t.type = Tok::kOp;
            t.op = CompareOp::kLt;
            if (i < n && text_[i] == '=') {
              ++i;
              t.op = CompareOp::kLe;
              t.text = "<=";
            } else if (i < n && text_[i] == '>') {
              ++i;
              t.op = CompareOp::kNe;
              t.text = "<>";
            }
            break;
          case '>':
            t.type = Tok::kOp;
            t.op = CompareOp::kGt;
            if (i < n && text_[i] == '=') {
              ++i;
              t.op = CompareOp::kGe;
              t.text = ">=";
            }
            break;
          default: {
            std::string shown = std::isprint(static_cast<unsigned char>(c))
                                    ? "'" + std::string(1, c) + "'"
                                    : "byte " + std::to_string(static_cast<unsigned char>(c));
            return Error(t.pos, "unexpected character " + shown);
          }
        }
      }
      tokens_.push_back(std::move(t));
    }
  }

  const Token& Peek(size_t ahead = 0) const {
    size_t k = std::min(idx_ + ahead, tokens_.size() - 1);
    return tokens_[k];
  }
  const Token& Take() {
    const Token& t = tokens_[idx_];
    if (idx_ + 1 < tokens_.size()) ++idx_;
    return t;
  }

  Status Expect(Tok type, std::string_view what) {
    if (Peek().type != type) {
      return Error(Peek().pos, "expected " + std::string(what) + ", got " + DescribeToken(Peek()));
    }
    Take();
    return Status::OK();
  }

  static std::unique_ptr<Expr> Combine(ExprKind kind, std::unique_ptr<Expr> a,
                                       std::unique_ptr<Expr> b) {
    if (a->kind == kind) {
      if (b->kind == kind) {
        for (auto& c : b->children) a->children.push_back(std::move(c));
      } else {
        a->children.push_back(std::move(b));
      }
      return a;
    }
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->position = a->position;
    e->children.push_back(std::move(a));
    if (b->kind == kind) {
      for (auto& c : b->children) e->children.push_back(std::move(c));
    } else {
      e->children.push_back(std::move(b));
    }
    return e;
  }

  Status ParseOr(std::unique_ptr<Expr>* out) {
    TSB_RETURN_IF_ERROR(ParseAnd(out));
    while (Peek().type == Tok::kOr) {
      Take();
      std::unique_ptr<Expr> rhs;
      TSB_RETURN_IF_ERROR(ParseAnd(&rhs));
      *out = Combine(ExprKind::kOr, std::move(*out), std::move(rhs));
    }
    return Status::OK();
  }

  Status ParseAnd(std::unique_ptr<Expr>* out) {
    TSB_RETURN_IF_ERROR(ParseNot(out));
    while (Peek().type == Tok::kAnd) {
      Take();
      std::unique_ptr<Expr> rhs;
      TSB_RETURN_IF_ERROR(ParseNot(&rhs));
      *out = Combine(ExprKind::kAnd, std::move(*out), std::move(rhs));
    }
    return Status::OK();
  }

  // Each '(' and NOT nests the recursive descent one level deeper; refusing past the limit keeps
  // the stack bounded whatever the text (10,000 '(' used to overflow it).
  Status Enter(int pos) {
    if (++depth_ > kMaxPredicateNesting) {
      return Error(pos, "nested deeper than " + std::to_string(kMaxPredicateNesting) +
                            " levels (each '(' and NOT counts one); simplify the predicate");
    }
    return Status::OK();
  }

  Status ParseNot(std::unique_ptr<Expr>* out) {
    if (Peek().type == Tok::kNot) {
      int pos = Take().pos;
      TSB_RETURN_IF_ERROR(Enter(pos));
      std::unique_ptr<Expr> inner;
      TSB_RETURN_IF_ERROR(ParseNot(&inner));
      --depth_;
      auto e = std::make_unique<Expr>();
      e->kind = ExprKind::kNot;
      e->position = pos;
      e->children.push_back(std::move(inner));
      *out = std::move(e);
      return Status::OK();
    }
    return ParsePredicate(out);
  }

  // A spec may have very many columns: name the first few only.
  std::string ColumnList() const {
    constexpr size_t kShown = 20;
    std::string s;
    for (size_t i = 0; i < columns_.size() && i < kShown; ++i) {
      s += (i ? ", " : "") + columns_[i].name;
    }
    if (columns_.size() > kShown) {
      s += ", ... (" + std::to_string(columns_.size()) + " columns)";
    }
    return s;
  }

  // The spec column an identifier names, or -1. The indexes are built on first use so that a
  // predicate of many terms over a spec of many columns costs terms + columns, not their product.
  int FindColumn(const Token& t) {
    if (!indexed_) {
      for (size_t i = 0; i < columns_.size(); ++i) {
        by_name_.emplace(columns_[i].name, static_cast<int>(i));
        by_lower_name_.emplace(AsciiLower(columns_[i].name), static_cast<int>(i));
      }
      indexed_ = true;
    }
    const auto& index = t.type == Tok::kIdent ? by_lower_name_ : by_name_;
    auto it = index.find(t.type == Tok::kIdent ? AsciiLower(t.text) : t.text);
    return it == index.end() ? -1 : it->second;
  }

  Status ParseOperand(Operand* op) {
    const Token& t = Peek();
    op->pos = t.pos;
    if (t.type == Tok::kIdent || t.type == Tok::kQuotedIdent) {
      Take();
      op->is_column = true;
      op->column = FindColumn(t);
      if (op->column >= 0) return Status::OK();
      return Error(t.pos, "unknown column \"" + t.text + "\"; columns are " + ColumnList());
    }
    if (t.type == Tok::kMinus || t.type == Tok::kPlus) {
      bool minus = t.type == Tok::kMinus;
      Take();
      if (Peek().type != Tok::kNumber) {
        return Error(Peek().pos, "expected a number after '" + std::string(minus ? "-" : "+") +
                                     "', got " + DescribeToken(Peek()));
      }
      op->kind = Tok::kNumber;
      op->text = (minus ? "-" : "") + Take().text;
      return Status::OK();
    }
    if (t.type == Tok::kNumber || t.type == Tok::kString || t.type == Tok::kTrue ||
        t.type == Tok::kFalse) {
      op->kind = t.type;
      op->text = Take().text;
      return Status::OK();
    }
    if (t.type == Tok::kNull) {
      return Error(t.pos, "a comparison with NULL is never true; write IS NULL or IS NOT NULL");
    }
    return Error(t.pos, "expected a column or a value, got " + DescribeToken(t));
  }

  std::string OperandText(const Operand& o) const {
    if (o.is_column)
      return "column " + columns_[o.column].name + " (" + columns_[o.column].type.ToString() + ")";
    switch (o.kind) {
      case Tok::kString:
        return "'" + o.text + "' (a string)";
      case Tok::kTrue:
        return "TRUE (a boolean)";
      case Tok::kFalse:
        return "FALSE (a boolean)";
      default:
        return o.text + " (a number)";
    }
  }

  // The result of binding a literal to a column: a value, or (for integer and decimal columns
  // compared with a number they cannot hold) the floor of the number and whether it was exact,
  // or whether it lies beyond the column's storage range.
  struct Bound {
    Literal lit;
    bool exact = true;
    int beyond = 0;  // +1: above every value of the column's storage; -1: below
  };

  // floor(value * 10^scale) of a plain decimal text ("-12.345"); false past 38 digits.
  static bool ScaledFloor(std::string_view text, int scale, __int128* floor, bool* exact) {
    bool neg = false;
    if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
      neg = text[0] == '-';
      text.remove_prefix(1);
    }
    size_t dot = text.find('.');
    std::string_view ip = text.substr(0, dot);
    std::string_view fp = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    const __int128 kLimit = Pow10Int128(37);
    __int128 v = 0;
    auto push = [&](int d) {
      if (v >= kLimit) return false;
      v = v * 10 + d;
      return true;
    };
    for (char c : ip) {
      if (!push(c - '0')) return false;
    }
    for (int j = 0; j < scale; ++j) {
      if (!push(j < static_cast<int>(fp.size()) ? fp[j] - '0' : 0)) return false;
    }
    bool remainder = false;
    for (size_t j = static_cast<size_t>(scale); j < fp.size(); ++j) remainder |= fp[j] != '0';
    if (neg) v = remainder ? -v - 1 : -v;
    *floor = v;
    *exact = !remainder;
    return true;
  }

  Status BindLiteral(const Operand& lit, const Field& col, Bound* out) const {
    const DataType& t = col.type;
    auto mismatch = [&] {
      return Error(lit.pos, "cannot compare column " + col.name + " (" + t.ToString() + ") with " +
                                OperandText(lit));
    };
    switch (lit.kind) {
      case Tok::kTrue:
      case Tok::kFalse:
        if (t.id != TypeId::kBoolean) return mismatch();
        out->lit.i = lit.kind == Tok::kTrue ? 1 : 0;
        return Status::OK();
      case Tok::kString:
        switch (t.id) {
          case TypeId::kString:
          case TypeId::kBinary:
            out->lit.bytes = lit.text;
            return Status::OK();
          case TypeId::kDate:
            if (!ParseDate(lit.text, &out->lit.i)) {
              return Error(lit.pos,
                           "'" + lit.text + "' is not a date (YYYY-MM-DD) for column " + col.name);
            }
            return Status::OK();
          case TypeId::kDateTime:
          case TypeId::kTimestamp:
            if (!ParseTimestamp(lit.text, t.unit, &out->lit.i)) {
              return Error(lit.pos, "'" + lit.text + "' is not a " + t.ToString() +
                                        " value for column " + col.name +
                                        " (YYYY-MM-DD[THH:MM[:SS[.fraction]]][Z|+HH:MM], no "
                                        "finer than the column's unit)");
            }
            return Status::OK();
          default:
            return mismatch();
        }
      default:
        break;
    }
    // A number.
    const bool has_exponent = lit.text.find_first_of("eE") != std::string::npos;
    if (t.id == TypeId::kDouble || t.id == TypeId::kFloat) {
      if (!ParseDouble(lit.text, &out->lit.d) || !std::isfinite(out->lit.d)) {
        return Error(lit.pos, "number " + lit.text + " is out of range for " + t.ToString());
      }
      return Status::OK();
    }
    if (t.is_integer()) {
      __int128 floor = 0;
      if (has_exponent) {
        double d = 0;
        if (!ParseDouble(lit.text, &d) || !std::isfinite(d) || std::fabs(d) >= 1e38) {
          if (d > 0 || (!std::isfinite(d) && lit.text[0] != '-')) {
            out->beyond = 1;
          } else {
            out->beyond = -1;
          }
          return Status::OK();
        }
        double f = std::floor(d);
        floor = static_cast<__int128>(f);
        out->exact = f == d;
      } else if (!ScaledFloor(lit.text, 0, &floor, &out->exact)) {
        out->beyond = lit.text[0] == '-' ? -1 : 1;
        return Status::OK();
      }
      out->lit.wide = floor;  // the caller narrows to int64 after the rewrite
      return Status::OK();
    }
    if (t.id == TypeId::kDecimal) {
      if (has_exponent) {
        return Error(lit.pos, "write the number " + lit.text +
                                  " without an exponent to compare "
                                  "it with " +
                                  col.name + " (" + t.ToString() + ")");
      }
      if (!ScaledFloor(lit.text, t.scale, &out->lit.wide, &out->exact)) {
        return Error(lit.pos, "number " + lit.text + " has too many digits for " + t.ToString());
      }
      return Status::OK();
    }
    return mismatch();
  }

  static std::unique_ptr<Expr> ColumnConst(int column, bool value, int pos) {
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::kColumnConst;
    e->column = column;
    e->value = value;
    e->position = pos;
    return e;
  }

  // column op literal, with the exact rewrites for integer and decimal columns.
  Result<std::unique_ptr<Expr>> MakeCompare(int column, CompareOp op, const Operand& lit,
                                            int pos) const {
    const Field& col = columns_[column];
    Bound b;
    TSB_RETURN_IF_ERROR(BindLiteral(lit, col, &b));
    const bool wide = col.type.is_integer() || col.type.id == TypeId::kDecimal;
    if (wide && b.beyond == 0 && !b.exact) {
      switch (op) {
        case CompareOp::kEq:
          return ColumnConst(column, false, pos);
        case CompareOp::kNe:
          return ColumnConst(column, true, pos);
        case CompareOp::kLt:
        case CompareOp::kLe:
          op = CompareOp::kLe;
          break;
        case CompareOp::kGt:
        case CompareOp::kGe:
          op = CompareOp::kGe;
          b.lit.wide += 1;
          break;
      }
    }
    if (col.type.is_integer() && b.beyond == 0) {
      if (b.lit.wide > INT64_MAX) b.beyond = 1;
      if (b.lit.wide < INT64_MIN) b.beyond = -1;
      b.lit.i = static_cast<int64_t>(b.lit.wide);
      b.lit.wide = 0;
    }
    if (b.beyond != 0) {
      bool above = b.beyond > 0;
      switch (op) {
        case CompareOp::kEq:
          return ColumnConst(column, false, pos);
        case CompareOp::kNe:
          return ColumnConst(column, true, pos);
        case CompareOp::kLt:
        case CompareOp::kLe:
          return ColumnConst(column, above, pos);
        case CompareOp::kGt:
        case CompareOp::kGe:
          return ColumnConst(column, !above, pos);
      }
    }
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::kCompare;
    e->column = column;
    e->op = op;
    e->literal = std::move(b.lit);
    e->position = pos;
    return e;
  }

  enum class Family { kInteger, kFloating, kOther };
  static Family FamilyOf(const DataType& t) {
    if (t.is_integer()) return Family::kInteger;
    if (t.id == TypeId::kDouble || t.id == TypeId::kFloat) return Family::kFloating;
    return Family::kOther;
  }

  Result<std::unique_ptr<Expr>> MakeCompareColumns(const Operand& a, CompareOp op, const Operand& b,
                                                   int pos) const {
    const DataType& ta = columns_[a.column].type;
    const DataType& tb = columns_[b.column].type;
    Family fa = FamilyOf(ta), fb = FamilyOf(tb);
    bool ok;
    if (fa != Family::kOther || fb != Family::kOther) {
      ok = fa != Family::kOther && fb != Family::kOther;
    } else if ((ta.id == TypeId::kString || ta.id == TypeId::kBinary) &&
               (tb.id == TypeId::kString || tb.id == TypeId::kBinary)) {
      ok = true;
    } else {
      ok = ta.id == tb.id && ta.scale == tb.scale && ta.unit == tb.unit;
      if ((ta.id == TypeId::kDateTime || ta.id == TypeId::kTimestamp) &&
          (tb.id == TypeId::kDateTime || tb.id == TypeId::kTimestamp)) {
        ok = ta.unit == tb.unit;
      }
    }
    if (!ok) {
      return Error(b.pos, "cannot compare " + OperandText(a) + " with " + OperandText(b));
    }
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::kCompareColumns;
    e->column = a.column;
    e->column2 = b.column;
    e->op = op;
    e->position = pos;
    return e;
  }

  static bool LiteralLess(Storage s, const Literal& x, const Literal& y) {
    switch (s) {
      case Storage::kInt64:
        return x.i < y.i;
      case Storage::kDouble:
        return x.d < y.d;
      case Storage::kInt128:
        return x.wide < y.wide;
      case Storage::kBytes:
        return x.bytes < y.bytes;
    }
    return false;
  }

  Status ParseIn(const Operand& col, bool negated, int pos, std::unique_ptr<Expr>* out) {
    TSB_RETURN_IF_ERROR(Expect(Tok::kLParen, "'(' after IN"));
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::kIn;
    e->column = col.column;
    e->negated = negated;
    e->position = pos;
    while (true) {
      Operand item;
      TSB_RETURN_IF_ERROR(ParseOperand(&item));
      if (item.is_column) return Error(item.pos, "IN takes a list of values, not columns");
      auto c = MakeCompare(col.column, CompareOp::kEq, item, item.pos);
      if (!c.ok()) return c.status();
      // A value the column cannot hold (kColumnConst FALSE) matches no row: leave it out.
      if ((*c)->kind == ExprKind::kCompare) e->list.push_back(std::move((*c)->literal));
      if (Peek().type == Tok::kComma) {
        Take();
        continue;
      }
      TSB_RETURN_IF_ERROR(Expect(Tok::kRParen, "',' or ')' in the IN list"));
      break;
    }
    if (e->list.empty()) {
      *out = ColumnConst(col.column, negated, pos);
      return Status::OK();
    }
    Storage s = columns_[col.column].type.storage();
    std::sort(e->list.begin(), e->list.end(),
              [s](const Literal& x, const Literal& y) { return LiteralLess(s, x, y); });
    auto last =
        std::unique(e->list.begin(), e->list.end(), [s](const Literal& x, const Literal& y) {
          return !LiteralLess(s, x, y) && !LiteralLess(s, y, x);
        });
    e->list.erase(last, e->list.end());
    *out = std::move(e);
    return Status::OK();
  }

  Status ParseBetween(const Operand& col, bool negated, int pos, std::unique_ptr<Expr>* out) {
    Operand lo, hi;
    TSB_RETURN_IF_ERROR(ParseOperand(&lo));
    if (lo.is_column) return Error(lo.pos, "BETWEEN takes values, not columns");
    TSB_RETURN_IF_ERROR(Expect(Tok::kAnd, "AND in BETWEEN"));
    TSB_RETURN_IF_ERROR(ParseOperand(&hi));
    if (hi.is_column) return Error(hi.pos, "BETWEEN takes values, not columns");
    // x BETWEEN a AND b  ==  x >= a AND x <= b;  NOT BETWEEN  ==  x < a OR x > b.
    auto a = MakeCompare(col.column, negated ? CompareOp::kLt : CompareOp::kGe, lo, pos);
    if (!a.ok()) return a.status();
    auto b = MakeCompare(col.column, negated ? CompareOp::kGt : CompareOp::kLe, hi, pos);
    if (!b.ok()) return b.status();
    *out = Combine(negated ? ExprKind::kOr : ExprKind::kAnd, std::move(*a), std::move(*b));
    return Status::OK();
  }

  Status ParsePredicate(std::unique_ptr<Expr>* out) {
    const Token& first = Peek();
    int pos = first.pos;
    if (first.type == Tok::kLParen) {
      Take();
      TSB_RETURN_IF_ERROR(Enter(pos));
      TSB_RETURN_IF_ERROR(ParseOr(out));
      --depth_;
      return Expect(Tok::kRParen, "')'");
    }
    Operand a;
    TSB_RETURN_IF_ERROR(ParseOperand(&a));
    const Token& next = Peek();
    if (next.type == Tok::kOp) {
      CompareOp op = Take().op;
      Operand b;
      TSB_RETURN_IF_ERROR(ParseOperand(&b));
      Result<std::unique_ptr<Expr>> e = Status::Internal("unreachable");
      if (a.is_column && b.is_column) {
        e = MakeCompareColumns(a, op, b, pos);
      } else if (a.is_column) {
        e = MakeCompare(a.column, op, b, pos);
      } else if (b.is_column) {
        e = MakeCompare(b.column, FlipOp(op), a, pos);
      } else {
        return Error(pos, "compare a column with a value; both sides are values");
      }
      if (!e.ok()) return e.status();
      *out = std::move(*e);
      return Status::OK();
    }
    bool negated = false;
    if (next.type == Tok::kNot && (Peek(1).type == Tok::kIn || Peek(1).type == Tok::kBetween)) {
      Take();
      negated = true;
    }
    if (Peek().type == Tok::kIn || Peek().type == Tok::kBetween) {
      bool in = Take().type == Tok::kIn;
      if (!a.is_column)
        return Error(pos, std::string(in ? "IN" : "BETWEEN") + " needs a column on its left");
      return in ? ParseIn(a, negated, pos, out) : ParseBetween(a, negated, pos, out);
    }
    if (Peek().type == Tok::kIs) {
      Take();
      if (!a.is_column) return Error(pos, "IS NULL needs a column on its left");
      bool not_null = false;
      if (Peek().type == Tok::kNot) {
        Take();
        not_null = true;
      }
      TSB_RETURN_IF_ERROR(Expect(Tok::kNull, "NULL after IS"));
      auto e = std::make_unique<Expr>();
      e->kind = ExprKind::kIsNull;
      e->column = a.column;
      e->negated = not_null;
      e->position = pos;
      *out = std::move(e);
      return Status::OK();
    }
    if (a.is_column) {
      if (columns_[a.column].type.id != TypeId::kBoolean) {
        return Error(Peek().pos, "expected a comparison after column " + columns_[a.column].name +
                                     ", got " + DescribeToken(Peek()));
      }
      Operand t;
      t.kind = Tok::kTrue;
      t.pos = pos;
      auto e = MakeCompare(a.column, CompareOp::kEq, t, pos);
      if (!e.ok()) return e.status();
      *out = std::move(*e);
      return Status::OK();
    }
    if (a.kind == Tok::kTrue || a.kind == Tok::kFalse) {
      auto e = std::make_unique<Expr>();
      e->kind = ExprKind::kConstant;
      e->value = a.kind == Tok::kTrue;
      e->position = pos;
      *out = std::move(e);
      return Status::OK();
    }
    return Error(Peek().pos, "expected a comparison after " + OperandText(a) + ", got " +
                                 DescribeToken(Peek()));
  }

  std::string_view text_;
  const std::vector<Field>& columns_;
  std::string_view source_;
  std::vector<Token> tokens_;
  size_t idx_ = 0;
  int depth_ = 0;  // '(' and NOT levels open at the current token
  bool indexed_ = false;
  std::unordered_map<std::string, int> by_name_;        // quoted names: exact
  std::unordered_map<std::string, int> by_lower_name_;  // unquoted names: case-insensitive
};

// ---------------------------------------------------------------------------------------------
// Evaluation kernels

struct IntGet {
  const int64_t* p;
  int64_t operator()(size_t i) const { return p[i]; }
};
struct DoubleGet {
  const double* p;
  double operator()(size_t i) const { return p[i]; }
};
struct IntAsDoubleGet {
  const int64_t* p;
  double operator()(size_t i) const { return static_cast<double>(p[i]); }
};
struct WideGet {
  const __int128* p;
  __int128 operator()(size_t i) const { return p[i]; }
};
struct BytesGet {
  const uint64_t* off;
  const char* data;
  std::string_view operator()(size_t i) const {
    return std::string_view(data + off[i], off[i + 1] - off[i]);
  }
};

template <typename Get, typename T, typename Cmp>
void LoopLiteral(size_t n, const uint8_t* valid, Get get, const T& lit, Cmp cmp, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    out[i] = valid[i] ? static_cast<uint8_t>(cmp(get(i), lit) ? kTrue : kFalse) : kNull;
  }
}

template <typename Get, typename T>
void CompareLiteral(CompareOp op, size_t n, const uint8_t* valid, Get get, const T& lit,
                    uint8_t* out) {
  switch (op) {
    case CompareOp::kEq:
      LoopLiteral(n, valid, get, lit, std::equal_to<>(), out);
      break;
    case CompareOp::kNe:
      LoopLiteral(n, valid, get, lit, std::not_equal_to<>(), out);
      break;
    case CompareOp::kLt:
      LoopLiteral(n, valid, get, lit, std::less<>(), out);
      break;
    case CompareOp::kLe:
      LoopLiteral(n, valid, get, lit, std::less_equal<>(), out);
      break;
    case CompareOp::kGt:
      LoopLiteral(n, valid, get, lit, std::greater<>(), out);
      break;
    case CompareOp::kGe:
      LoopLiteral(n, valid, get, lit, std::greater_equal<>(), out);
      break;
  }
}

template <typename GetA, typename GetB, typename Cmp>
void LoopColumns(size_t n, const uint8_t* va, const uint8_t* vb, GetA a, GetB b, Cmp cmp,
                 uint8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    out[i] = (va[i] & vb[i]) ? static_cast<uint8_t>(cmp(a(i), b(i)) ? kTrue : kFalse) : kNull;
  }
}

template <typename GetA, typename GetB>
void CompareColumns(CompareOp op, size_t n, const uint8_t* va, const uint8_t* vb, GetA a, GetB b,
                    uint8_t* out) {
  switch (op) {
    case CompareOp::kEq:
      LoopColumns(n, va, vb, a, b, std::equal_to<>(), out);
      break;
    case CompareOp::kNe:
      LoopColumns(n, va, vb, a, b, std::not_equal_to<>(), out);
      break;
    case CompareOp::kLt:
      LoopColumns(n, va, vb, a, b, std::less<>(), out);
      break;
    case CompareOp::kLe:
      LoopColumns(n, va, vb, a, b, std::less_equal<>(), out);
      break;
    case CompareOp::kGt:
      LoopColumns(n, va, vb, a, b, std::greater<>(), out);
      break;
    case CompareOp::kGe:
      LoopColumns(n, va, vb, a, b, std::greater_equal<>(), out);
      break;
  }
}

template <typename Get, typename Proj>
void InList(size_t n, const uint8_t* valid, Get get, const std::vector<Literal>& list, Proj proj,
            bool negated, uint8_t* out) {
  const uint8_t hit = negated ? kFalse : kTrue;
  const uint8_t miss = negated ? kTrue : kFalse;
  if (list.size() <= 8) {
    for (size_t i = 0; i < n; ++i) {
      if (!valid[i]) {
        out[i] = kNull;
        continue;
      }
      auto v = get(i);
      bool found = false;
      for (const Literal& l : list) found |= proj(l) == v;
      out[i] = found ? hit : miss;
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    if (!valid[i]) {
      out[i] = kNull;
      continue;
    }
    auto v = get(i);
    auto it = std::lower_bound(list.begin(), list.end(), v,
                               [&](const Literal& l, const auto& x) { return proj(l) < x; });
    out[i] = (it != list.end() && proj(*it) == v) ? hit : miss;
  }
}

int Depth(const Expr& e) {
  int d = 0;
  for (const auto& c : e.children) d = std::max(d, Depth(*c));
  return d + 1;
}

bool IsSimpleName(std::string_view name) {
  if (name.empty() || !IsIdentStart(name[0]) || IsKeyword(name)) return false;
  for (char c : name) {
    if (!IsIdentChar(c)) return false;
  }
  return true;
}

std::string NameToString(std::string_view name) {
  if (IsSimpleName(name)) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string SqlString(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string_view CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

CompareOp NegateOp(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return CompareOp::kNe;
    case CompareOp::kNe:
      return CompareOp::kEq;
    case CompareOp::kLt:
      return CompareOp::kGe;
    case CompareOp::kLe:
      return CompareOp::kGt;
    case CompareOp::kGt:
      return CompareOp::kLe;
    case CompareOp::kGe:
      return CompareOp::kLt;
  }
  return op;
}

CompareOp FlipOp(CompareOp op) {
  switch (op) {
    case CompareOp::kLt:
      return CompareOp::kGt;
    case CompareOp::kLe:
      return CompareOp::kGe;
    case CompareOp::kGt:
      return CompareOp::kLt;
    case CompareOp::kGe:
      return CompareOp::kLe;
    default:
      return op;
  }
}

std::unique_ptr<Expr> Expr::Clone() const {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->position = position;
  for (const auto& c : children) e->children.push_back(c->Clone());
  e->column = column;
  e->column2 = column2;
  e->op = op;
  e->literal = literal;
  e->list = list;
  e->negated = negated;
  e->value = value;
  return e;
}

Predicate::Predicate(std::unique_ptr<Expr> root, std::vector<Field> columns)
    : root_(std::move(root)), columns_(std::move(columns)) {}

Result<Predicate> Predicate::Parse(std::string_view text, const std::vector<Field>& columns,
                                   std::string_view source) {
  Parser parser(text, columns, source);
  auto root = parser.Run();
  if (!root.ok()) return root.status();
  return Predicate(std::move(*root), columns);
}

Predicate Predicate::FromConjuncts(std::vector<std::unique_ptr<Expr>> conjuncts,
                                   const std::vector<Field>& columns) {
  if (conjuncts.size() == 1) return Predicate(std::move(conjuncts[0]), columns);
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kAnd;
  e->position = conjuncts.empty() ? 0 : conjuncts[0]->position;
  for (auto& c : conjuncts) {
    if (c->kind == ExprKind::kAnd) {
      for (auto& g : c->children) e->children.push_back(std::move(g));
    } else {
      e->children.push_back(std::move(c));
    }
  }
  if (e->children.empty()) {
    e->kind = ExprKind::kConstant;
    e->value = true;
  }
  return Predicate(std::move(e), columns);
}

Predicate Predicate::Clone() const { return Predicate(root_->Clone(), columns_); }

std::string Predicate::ToString() const { return ExprToString(*root_); }

std::string Predicate::LiteralToString(const Literal& literal, const DataType& type) {
  switch (type.id) {
    case TypeId::kBoolean:
      return literal.i ? "TRUE" : "FALSE";
    case TypeId::kFloat:
    case TypeId::kDouble:
      return FormatDouble(literal.d);
    case TypeId::kDecimal:
      return FormatDecimal(literal.wide, type.scale);
    case TypeId::kString:
    case TypeId::kBinary:
      return SqlString(literal.bytes);
    case TypeId::kDate:
      return SqlString(FormatDate(literal.i));
    case TypeId::kDateTime:
    case TypeId::kTimestamp:
      return SqlString(FormatTimestamp(literal.i, type.unit, true));
    default:
      return std::to_string(literal.i);
  }
}

std::string Predicate::ExprToString(const Expr& e) const {
  auto col = [&](int c) { return NameToString(columns_[c].name); };
  switch (e.kind) {
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      std::string out;
      const char* sep = e.kind == ExprKind::kAnd ? " AND " : " OR ";
      for (size_t i = 0; i < e.children.size(); ++i) {
        const Expr& c = *e.children[i];
        bool paren = c.kind == ExprKind::kOr || c.kind == ExprKind::kAnd;
        if (i > 0) out += sep;
        out += paren ? "(" + ExprToString(c) + ")" : ExprToString(c);
      }
      return out;
    }
    case ExprKind::kNot: {
      const Expr& c = *e.children[0];
      bool paren = c.kind == ExprKind::kOr || c.kind == ExprKind::kAnd;
      return "NOT " + (paren ? "(" + ExprToString(c) + ")" : ExprToString(c));
    }
    case ExprKind::kCompare:
      return col(e.column) + " " + std::string(CompareOpText(e.op)) + " " +
             LiteralToString(e.literal, columns_[e.column].type);
    case ExprKind::kCompareColumns:
      return col(e.column) + " " + std::string(CompareOpText(e.op)) + " " + col(e.column2);
    case ExprKind::kIn: {
      std::string out = col(e.column) + (e.negated ? " NOT IN (" : " IN (");
      for (size_t i = 0; i < e.list.size(); ++i) {
        if (i > 0) out += ", ";
        out += LiteralToString(e.list[i], columns_[e.column].type);
      }
      return out + ")";
    }
    case ExprKind::kIsNull:
      return col(e.column) + (e.negated ? " IS NOT NULL" : " IS NULL");
    case ExprKind::kColumnConst:
      // NULL when the column is NULL, else the value: "k = k" / "k != k" (integer or decimal).
      return col(e.column) + (e.value ? " = " : " != ") + col(e.column);
    case ExprKind::kConstant:
      return e.value ? "TRUE" : "FALSE";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------

PredicateEvaluator::PredicateEvaluator(const Predicate* predicate) : predicate_(predicate) {
  scratch_.resize(static_cast<size_t>(Depth(predicate->root())) + 1);
}

Status PredicateEvaluator::Evaluate(const RowBatch& batch, std::vector<uint32_t>* selected) {
  const auto& cols = predicate_->columns();
  if (batch.num_columns() != cols.size()) {
    return Status::Internal("predicate over " + std::to_string(cols.size()) +
                            " columns evaluated on a batch of " +
                            std::to_string(batch.num_columns()));
  }
  for (size_t c = 0; c < cols.size(); ++c) {
    if (batch.column(c).type().storage() != cols[c].type.storage()) {
      return Status::Internal("predicate column " + cols[c].name + " is " +
                              cols[c].type.ToString() + " but the batch holds " +
                              batch.column(c).type().ToString());
    }
  }
  const size_t n = batch.num_rows();
  for (auto& s : scratch_) {
    if (s.size() < n) s.resize(n);
  }
  if (result_.size() < n) result_.resize(n);
  Eval(predicate_->root(), batch, n, 0, result_.data());
  selected->clear();
  for (size_t i = 0; i < n; ++i) {
    if (result_[i] == kTrue) selected->push_back(static_cast<uint32_t>(i));
  }
  return Status::OK();
}

void PredicateEvaluator::Eval(const Expr& e, const RowBatch& batch, size_t n, size_t depth,
                              uint8_t* out) {
  switch (e.kind) {
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      Eval(*e.children[0], batch, n, depth + 1, out);
      uint8_t* tmp = scratch_[depth + 1].data();
      const bool is_and = e.kind == ExprKind::kAnd;
      for (size_t k = 1; k < e.children.size(); ++k) {
        Eval(*e.children[k], batch, n, depth + 1, tmp);
        if (is_and) {
          for (size_t i = 0; i < n; ++i) out[i] = std::min(out[i], tmp[i]);
        } else {
          for (size_t i = 0; i < n; ++i) out[i] = std::max(out[i], tmp[i]);
        }
      }
      return;
    }
    case ExprKind::kNot:
      Eval(*e.children[0], batch, n, depth + 1, out);
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(kTrue - out[i]);
      return;
    case ExprKind::kConstant:
      std::fill(out, out + n, e.value ? kTrue : kFalse);
      return;
    default:
      break;
  }
  const Column& c = batch.column(static_cast<size_t>(e.column));
  const uint8_t* valid = c.validity().data();
  switch (e.kind) {
    case ExprKind::kIsNull: {
      const uint8_t when_null = e.negated ? kFalse : kTrue;
      const uint8_t when_set = e.negated ? kTrue : kFalse;
      for (size_t i = 0; i < n; ++i) out[i] = valid[i] ? when_set : when_null;
      return;
    }
    case ExprKind::kColumnConst: {
      const uint8_t v = e.value ? kTrue : kFalse;
      for (size_t i = 0; i < n; ++i) out[i] = valid[i] ? v : kNull;
      return;
    }
    case ExprKind::kCompare:
      switch (c.type().storage()) {
        case Storage::kInt64:
          CompareLiteral(e.op, n, valid, IntGet{c.ints().data()}, e.literal.i, out);
          return;
        case Storage::kDouble:
          CompareLiteral(e.op, n, valid, DoubleGet{c.doubles().data()}, e.literal.d, out);
          return;
        case Storage::kInt128:
          CompareLiteral(e.op, n, valid, WideGet{c.wide().data()}, e.literal.wide, out);
          return;
        case Storage::kBytes:
          CompareLiteral(e.op, n, valid, BytesGet{c.offsets().data(), c.bytes().data()},
                         std::string_view(e.literal.bytes), out);
          return;
      }
      return;
    case ExprKind::kIn:
      switch (c.type().storage()) {
        case Storage::kInt64:
          InList(
              n, valid, IntGet{c.ints().data()}, e.list, [](const Literal& l) { return l.i; },
              e.negated, out);
          return;
        case Storage::kDouble:
          InList(
              n, valid, DoubleGet{c.doubles().data()}, e.list, [](const Literal& l) { return l.d; },
              e.negated, out);
          return;
        case Storage::kInt128:
          InList(
              n, valid, WideGet{c.wide().data()}, e.list, [](const Literal& l) { return l.wide; },
              e.negated, out);
          return;
        case Storage::kBytes:
          InList(
              n, valid, BytesGet{c.offsets().data(), c.bytes().data()}, e.list,
              [](const Literal& l) { return std::string_view(l.bytes); }, e.negated, out);
          return;
      }
      return;
    case ExprKind::kCompareColumns: {
      const Column& d = batch.column(static_cast<size_t>(e.column2));
      const uint8_t* vd = d.validity().data();
      Storage sa = c.type().storage(), sb = d.type().storage();
      if (sa == Storage::kInt64 && sb == Storage::kInt64) {
        CompareColumns(e.op, n, valid, vd, IntGet{c.ints().data()}, IntGet{d.ints().data()}, out);
      } else if (sa == Storage::kDouble && sb == Storage::kDouble) {
        CompareColumns(e.op, n, valid, vd, DoubleGet{c.doubles().data()},
                       DoubleGet{d.doubles().data()}, out);
      } else if (sa == Storage::kInt64 && sb == Storage::kDouble) {
        CompareColumns(e.op, n, valid, vd, IntAsDoubleGet{c.ints().data()},
                       DoubleGet{d.doubles().data()}, out);
      } else if (sa == Storage::kDouble && sb == Storage::kInt64) {
        CompareColumns(e.op, n, valid, vd, DoubleGet{c.doubles().data()},
                       IntAsDoubleGet{d.ints().data()}, out);
      } else if (sa == Storage::kInt128 && sb == Storage::kInt128) {
        CompareColumns(e.op, n, valid, vd, WideGet{c.wide().data()}, WideGet{d.wide().data()}, out);
      } else {
        CompareColumns(e.op, n, valid, vd, BytesGet{c.offsets().data(), c.bytes().data()},
                       BytesGet{d.offsets().data(), d.bytes().data()}, out);
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace tsb
