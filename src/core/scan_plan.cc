#include "core/scan_plan.h"

#include <algorithm>

#include "core/value_text.h"

namespace tsb {

namespace {

bool IsFloating(const DataType& t) { return t.id == TypeId::kDouble || t.id == TypeId::kFloat; }

bool IsOrderOp(CompareOp op) { return op != CompareOp::kEq && op != CompareOp::kNe; }

// Negation normal form: NOTs pushed down to the leaves, which absorb them. Under SQL's
// three-valued logic NOT (a AND b) = NOT a OR NOT b, NOT (x < v) = x >= v (x NULL gives NULL on
// both sides), NOT (x IN l) = x NOT IN l. Ordering comparisons of doubles keep their NOT: with
// NaN, NOT (x < 1) is TRUE while x >= 1 is FALSE.
std::unique_ptr<Expr> ToNnf(const Expr& e, bool negate, const std::vector<Field>& cols) {
  switch (e.kind) {
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      auto out = std::make_unique<Expr>();
      out->position = e.position;
      bool is_and = (e.kind == ExprKind::kAnd) != negate;
      out->kind = is_and ? ExprKind::kAnd : ExprKind::kOr;
      for (const auto& c : e.children) {
        auto n = ToNnf(*c, negate, cols);
        if (n->kind == out->kind) {
          for (auto& g : n->children) out->children.push_back(std::move(g));
        } else {
          out->children.push_back(std::move(n));
        }
      }
      return out;
    }
    case ExprKind::kNot:
      return ToNnf(*e.children[0], !negate, cols);
    default:
      break;
  }
  auto out = e.Clone();
  if (!negate) return out;
  switch (e.kind) {
    case ExprKind::kCompare:
    case ExprKind::kCompareColumns: {
      bool floating = IsFloating(cols[e.column].type) ||
                      (e.kind == ExprKind::kCompareColumns && IsFloating(cols[e.column2].type));
      if (floating && IsOrderOp(e.op)) {
        auto n = std::make_unique<Expr>();
        n->kind = ExprKind::kNot;
        n->position = e.position;
        n->children.push_back(std::move(out));
        return n;
      }
      out->op = NegateOp(e.op);
      return out;
    }
    case ExprKind::kIn:
    case ExprKind::kIsNull:
      out->negated = !out->negated;
      return out;
    case ExprKind::kColumnConst:
    case ExprKind::kConstant:
      out->value = !out->value;
      return out;
    default:
      return out;
  }
}

// Key types whose Tablestore order is the order of the spec values.
bool RangeableKeyType(const DataType& t) {
  return t.is_integer() || t.id == TypeId::kDateTime || t.id == TypeId::kTimestamp ||
         t.id == TypeId::kString || t.id == TypeId::kBinary || t.id == TypeId::kDate;
}

// Attribute types a column filter tests exactly (see the header).
bool FilterableType(const DataType& t, CompareOp op) {
  if (t.id == TypeId::kBoolean) return !IsOrderOp(op);
  return RangeableKeyType(t);
}

struct ColumnBounds {
  std::optional<OtsValue> lo, hi;
  bool lo_incl = true, hi_incl = true;
  bool empty = false;
  std::vector<size_t> atoms;  // conjuncts that set the bounds
  int in_conjunct = -1;       // the first IN on this column
  std::vector<OtsValue> in_points;
};

int Cmp(const OtsValue& a, const OtsValue& b) { return CompareOtsValues(a.ref(), b.ref()); }

void AddLower(ColumnBounds* cb, OtsValue v, bool incl) {
  if (v.type == OtsType::kInteger && !incl) {
    if (v.i == INT64_MAX) {
      cb->empty = true;
      return;
    }
    v.i += 1;
    incl = true;
  }
  if (!cb->lo || Cmp(v, *cb->lo) > 0 || (Cmp(v, *cb->lo) == 0 && !incl)) {
    cb->lo = std::move(v);
    cb->lo_incl = incl;
  }
}

void AddUpper(ColumnBounds* cb, OtsValue v, bool incl) {
  if (!cb->hi || Cmp(v, *cb->hi) < 0 || (Cmp(v, *cb->hi) == 0 && !incl)) {
    cb->hi = std::move(v);
    cb->hi_incl = incl;
  }
}

bool WithinBounds(const ColumnBounds& cb, const OtsValue& v) {
  if (cb.lo) {
    int c = Cmp(v, *cb.lo);
    if (c < 0 || (c == 0 && !cb.lo_incl)) return false;
  }
  if (cb.hi) {
    int c = Cmp(v, *cb.hi);
    if (c > 0 || (c == 0 && !cb.hi_incl)) return false;
  }
  return true;
}

// The single value the bounds allow, if they allow exactly one.
std::optional<OtsValue> Pinned(const ColumnBounds& cb) {
  if (!cb.lo || !cb.hi || !cb.lo_incl) return std::nullopt;
  if (cb.hi_incl) {
    if (Cmp(*cb.lo, *cb.hi) == 0) return cb.lo;
    return std::nullopt;
  }
  if (cb.lo->type == OtsType::kInteger && cb.hi->i != INT64_MIN && cb.hi->i - 1 == cb.lo->i) {
    return cb.lo;
  }
  return std::nullopt;
}

// The smallest tuple element after `v` at the last key position.
KeyBound Successor(const OtsValue& v) {
  if (v.type == OtsType::kInteger) {
    if (v.i == INT64_MAX) return KeyBound::InfMax();
    return KeyBound::Of(OtsValue::Integer(v.i + 1));
  }
  OtsValue s = v;
  s.bytes.push_back('\0');
  return KeyBound::Of(std::move(s));
}

std::vector<KeyBound> Prefix(const std::vector<OtsValue>& p) {
  std::vector<KeyBound> out;
  for (const auto& v : p) out.push_back(KeyBound::Of(v));
  return out;
}

void Pad(std::vector<KeyBound>* t, size_t n, KeyBound::Kind kind) {
  while (t->size() < n) t->push_back(KeyBound{kind, {}});
}

// The range for key tuples starting with `prefix` whose next element (position prefix.size())
// lies within `cb`.
KeyRange MakeRange(const std::vector<OtsValue>& prefix, const ColumnBounds& cb, size_t n) {
  const size_t k = prefix.size();
  const bool last = k + 1 == n;
  KeyRange r;
  r.start = Prefix(prefix);
  r.end = Prefix(prefix);
  if (!cb.lo) {
    Pad(&r.start, n, KeyBound::Kind::kInfMin);
  } else if (cb.lo_incl) {
    r.start.push_back(KeyBound::Of(*cb.lo));
    Pad(&r.start, n, KeyBound::Kind::kInfMin);
  } else if (last) {
    r.start.push_back(Successor(*cb.lo));
  } else {
    r.start.push_back(KeyBound::Of(*cb.lo));
    Pad(&r.start, n, KeyBound::Kind::kInfMax);
  }
  if (!cb.hi) {
    Pad(&r.end, n, KeyBound::Kind::kInfMax);
  } else if (!cb.hi_incl) {
    r.end.push_back(KeyBound::Of(*cb.hi));
    Pad(&r.end, n, KeyBound::Kind::kInfMin);
  } else if (last) {
    r.end.push_back(Successor(*cb.hi));
  } else {
    r.end.push_back(KeyBound::Of(*cb.hi));
    Pad(&r.end, n, KeyBound::Kind::kInfMax);
  }
  return r;
}

class Planner {
 public:
  Planner(const std::vector<Field>& columns, const ColumnMapping& mapping)
      : columns_(columns), mapping_(mapping) {}

  Result<ScanPlan> Run(const Predicate* where) {
    ScanPlan plan;
    const auto& keys = mapping_.key_columns();
    for (int idx : keys) plan.key_names.push_back(mapping_.columns()[idx].ots_name);
    if (where != nullptr) {
      auto nnf = ToNnf(where->root(), false, columns_);
      if (nnf->kind == ExprKind::kAnd) {
        for (auto& c : nnf->children) conjuncts_.push_back(std::move(c));
      } else {
        conjuncts_.push_back(std::move(nnf));
      }
    }
    used_.assign(conjuncts_.size(), false);
    for (size_t i = 0; i < conjuncts_.size(); ++i) {
      const Expr& c = *conjuncts_[i];
      if (c.kind == ExprKind::kConstant) {
        if (!c.value) return plan;  // FALSE: nothing matches
        used_[i] = true;
      }
    }
    TSB_RETURN_IF_ERROR(PlanRanges(&plan));
    if (plan.ranges.empty()) return plan;
    TSB_RETURN_IF_ERROR(PlanFilter(&plan));
    std::vector<std::unique_ptr<Expr>> rest;
    for (size_t i = 0; i < conjuncts_.size(); ++i) {
      if (!used_[i]) rest.push_back(std::move(conjuncts_[i]));
    }
    if (!rest.empty()) plan.residue = Predicate::FromConjuncts(std::move(rest), columns_);
    return plan;
  }

 private:
  int KeyPosition(int column) const {
    const auto& keys = mapping_.key_columns();
    for (size_t k = 0; k < keys.size(); ++k) {
      if (keys[k] == column) return static_cast<int>(k);
    }
    return -1;
  }

  Status PlanRanges(ScanPlan* plan) {
    const auto& keys = mapping_.key_columns();
    const size_t n = keys.size();
    std::vector<ColumnBounds> bounds(n);
    for (size_t i = 0; i < conjuncts_.size(); ++i) {
      const Expr& c = *conjuncts_[i];
      if (used_[i] || (c.kind != ExprKind::kCompare && c.kind != ExprKind::kIn)) continue;
      int k = KeyPosition(c.column);
      if (k < 0 || !RangeableKeyType(columns_[c.column].type)) continue;
      ColumnBounds& cb = bounds[k];
      const DataType& type = columns_[c.column].type;
      if (c.kind == ExprKind::kIn) {
        if (c.negated || cb.in_conjunct >= 0) continue;
        cb.in_conjunct = static_cast<int>(i);
        for (const Literal& l : c.list) {
          TSB_ASSIGN_OR_RETURN(OtsValue v, LiteralToOts(l, type));
          cb.in_points.push_back(std::move(v));
        }
        continue;
      }
      if (c.op == CompareOp::kNe) continue;
      TSB_ASSIGN_OR_RETURN(OtsValue v, LiteralToOts(c.literal, type));
      switch (c.op) {
        case CompareOp::kEq:
          AddLower(&cb, v, true);
          AddUpper(&cb, std::move(v), true);
          break;
        case CompareOp::kGt:
          AddLower(&cb, std::move(v), false);
          break;
        case CompareOp::kGe:
          AddLower(&cb, std::move(v), true);
          break;
        case CompareOp::kLt:
          AddUpper(&cb, std::move(v), false);
          break;
        case CompareOp::kLe:
          AddUpper(&cb, std::move(v), true);
          break;
        case CompareOp::kNe:
          break;
      }
      cb.atoms.push_back(i);
    }

    std::vector<std::vector<OtsValue>> prefixes(1);
    for (size_t k = 0; k < n; ++k) {
      ColumnBounds& cb = bounds[k];
      if (cb.empty) return Status::OK();  // no range: nothing matches
      std::optional<std::vector<OtsValue>> points;
      if (cb.in_conjunct >= 0) {
        points.emplace();
        for (const auto& v : cb.in_points) {
          if (WithinBounds(cb, v)) points->push_back(v);
        }
      } else if (auto pin = Pinned(cb)) {
        points.emplace(1, *pin);
      } else if (cb.lo && cb.hi) {
        int c = Cmp(*cb.lo, *cb.hi);
        if (c > 0 || (c == 0 && !(cb.lo_incl && cb.hi_incl))) return Status::OK();
      }
      if (points && points->empty()) {
        // Every IN value lies outside the bounds: nothing matches.
        return Status::OK();
      }
      if (points && prefixes.size() * points->size() <= kMaxKeyRanges) {
        std::vector<std::vector<OtsValue>> next;
        for (const auto& p : prefixes) {
          for (const auto& v : *points) {
            next.push_back(p);
            next.back().push_back(v);
          }
        }
        prefixes = std::move(next);
        for (size_t a : cb.atoms) used_[a] = true;
        if (cb.in_conjunct >= 0) used_[static_cast<size_t>(cb.in_conjunct)] = true;
        continue;
      }
      for (size_t a : cb.atoms) used_[a] = true;
      for (const auto& p : prefixes) AddRange(plan, MakeRange(p, cb, n));
      return Status::OK();
    }
    // Every key column pinned: one single-row range per key.
    for (const auto& p : prefixes) {
      KeyRange r;
      r.start = Prefix(p);
      std::vector<OtsValue> head(p.begin(), p.end() - 1);
      r.end = Prefix(head);
      r.end.push_back(Successor(p.back()));
      AddRange(plan, std::move(r));
    }
    return Status::OK();
  }

  static void AddRange(ScanPlan* plan, KeyRange r) {
    if (CompareKeyTuples(r.start, r.end) < 0) plan->ranges.push_back(std::move(r));
  }

  Result<bool> ToFilter(const Expr& e, ColumnFilter* out) const {
    switch (e.kind) {
      case ExprKind::kAnd:
      case ExprKind::kOr: {
        out->kind = e.kind == ExprKind::kAnd ? ColumnFilter::Kind::kAnd : ColumnFilter::Kind::kOr;
        for (const auto& c : e.children) {
          ColumnFilter child;
          TSB_ASSIGN_OR_RETURN(bool ok, ToFilter(*c, &child));
          if (!ok) return false;
          out->children.push_back(std::move(child));
        }
        return true;
      }
      case ExprKind::kCompare:
      case ExprKind::kIn: {
        const DataType& type = columns_[e.column].type;
        if (mapping_.columns()[e.column].primary_key) return false;
        CompareOp op = e.kind == ExprKind::kCompare ? e.op
                       : e.negated                  ? CompareOp::kNe
                                                    : CompareOp::kEq;
        if (!FilterableType(type, op)) return false;
        const std::string& name = mapping_.columns()[e.column].ots_name;
        auto single = [&](const Literal& l, ColumnFilter* f) -> Status {
          f->kind = ColumnFilter::Kind::kSingle;
          f->column = name;
          f->op = op;
          TSB_ASSIGN_OR_RETURN(f->value, LiteralToOts(l, type));
          return Status::OK();
        };
        if (e.kind == ExprKind::kCompare || e.list.size() == 1) {
          TSB_RETURN_IF_ERROR(single(e.kind == ExprKind::kCompare ? e.literal : e.list[0], out));
          return true;
        }
        out->kind = e.negated ? ColumnFilter::Kind::kAnd : ColumnFilter::Kind::kOr;
        for (const Literal& l : e.list) {
          ColumnFilter f;
          TSB_RETURN_IF_ERROR(single(l, &f));
          out->children.push_back(std::move(f));
        }
        return true;
      }
      default:
        return false;
    }
  }

  Status PlanFilter(ScanPlan* plan) {
    std::vector<ColumnFilter> pushed;
    for (size_t i = 0; i < conjuncts_.size(); ++i) {
      if (used_[i]) continue;
      ColumnFilter f;
      TSB_ASSIGN_OR_RETURN(bool ok, ToFilter(*conjuncts_[i], &f));
      if (!ok) continue;
      used_[i] = true;
      if (f.kind == ColumnFilter::Kind::kAnd) {
        for (auto& c : f.children) pushed.push_back(std::move(c));
      } else {
        pushed.push_back(std::move(f));
      }
    }
    if (pushed.empty()) return Status::OK();
    if (pushed.size() == 1) {
      plan->filter = std::move(pushed[0]);
      return Status::OK();
    }
    ColumnFilter all;
    all.kind = ColumnFilter::Kind::kAnd;
    all.children = std::move(pushed);
    plan->filter = std::move(all);
    return Status::OK();
  }

  const std::vector<Field>& columns_;
  const ColumnMapping& mapping_;
  std::vector<std::unique_ptr<Expr>> conjuncts_;
  std::vector<bool> used_;
};

std::string TupleToString(const std::vector<KeyBound>& t) {
  std::string out = "(";
  for (size_t i = 0; i < t.size(); ++i) out += (i ? ", " : "") + t[i].ToString();
  return out + ")";
}

}  // namespace

std::string KeyBound::ToString() const {
  switch (kind) {
    case Kind::kInfMin:
      return "INF_MIN";
    case Kind::kInfMax:
      return "INF_MAX";
    case Kind::kValue:
      return value.ToString();
  }
  return "?";
}

bool operator==(const KeyBound& a, const KeyBound& b) {
  return a.kind == b.kind && (a.kind != KeyBound::Kind::kValue || a.value == b.value);
}

int CompareKeyTuples(const std::vector<KeyBound>& a, const std::vector<KeyBound>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].kind != b[i].kind) return a[i].kind < b[i].kind ? -1 : 1;
    if (a[i].kind == KeyBound::Kind::kValue) {
      int c = CompareOtsValues(a[i].value.ref(), b[i].value.ref());
      if (c != 0) return c;
    }
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

std::string KeyRange::ToString() const {
  return "[" + TupleToString(start) + ", " + TupleToString(end) + ")";
}

bool KeyRange::IsFullTable() const {
  for (const auto& b : start) {
    if (b.kind != KeyBound::Kind::kInfMin) return false;
  }
  for (const auto& b : end) {
    if (b.kind != KeyBound::Kind::kInfMax) return false;
  }
  return true;
}

std::string ColumnFilter::ToString() const {
  switch (kind) {
    case Kind::kSingle:
      return column + " " + std::string(CompareOpText(op)) + " " + value.ToString();
    case Kind::kNot:
      return "NOT (" + (children.empty() ? "" : children[0].ToString()) + ")";
    case Kind::kAnd:
    case Kind::kOr: {
      std::string out;
      for (size_t i = 0; i < children.size(); ++i) {
        if (i > 0) out += kind == Kind::kAnd ? " AND " : " OR ";
        bool paren = children[i].kind == Kind::kAnd || children[i].kind == Kind::kOr;
        out += paren ? "(" + children[i].ToString() + ")" : children[i].ToString();
      }
      return out;
    }
  }
  return "?";
}

std::string ScanPlan::Explain() const {
  std::string out = "primary key: (";
  for (size_t i = 0; i < key_names.size(); ++i) out += (i ? ", " : "") + key_names[i];
  out += ")\n";
  if (ranges.empty()) {
    out += "key ranges: none (the predicate matches no row; nothing is read)\n";
    return out;
  }
  out += "key ranges: " + std::to_string(ranges.size()) +
         (IsFullTable() ? " (the whole table)" : "") + "\n";
  for (const auto& r : ranges) out += "  " + r.ToString() + "\n";
  if (filter) {
    out += "server filter: " + filter->ToString() + "\n";
    out += "  (each column filter: filter_if_missing=true, latest_version_only=true)\n";
  } else {
    out += "server filter: none\n";
  }
  out += "local residue: " + (residue ? residue->ToString() : std::string("none")) + "\n";
  return out;
}

Result<OtsValue> LiteralToOts(const Literal& literal, const DataType& type) {
  switch (type.id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDateTime:
    case TypeId::kTimestamp:
      return OtsValue::Integer(literal.i);
    case TypeId::kBoolean:
      return OtsValue::Boolean(literal.i != 0);
    case TypeId::kFloat:
    case TypeId::kDouble:
      return OtsValue::Double(literal.d);
    case TypeId::kString:
      return OtsValue::String(literal.bytes);
    case TypeId::kBinary:
      return OtsValue::Binary(literal.bytes);
    case TypeId::kDecimal:
      return OtsValue::String(FormatDecimal(literal.wide, type.scale));
    case TypeId::kDate:
      if (literal.i < kMinDate || literal.i > kMaxDate) {
        return Status::InvalidArgument("date " + FormatDate(literal.i) +
                                       " is outside 0001-01-01..9999-12-31");
      }
      return OtsValue::String(FormatDate(literal.i));
    case TypeId::kNull:
      break;
  }
  return Status::InvalidArgument("type " + type.ToString() + " has no Tablestore form");
}

Result<ScanPlan> PlanScan(const Predicate* where, const std::vector<Field>& columns,
                          const ColumnMapping& mapping) {
  if (mapping.size() != columns.size()) {
    return Status::Internal("PlanScan: mapping and columns differ in length");
  }
  if (where != nullptr && where->columns().size() != columns.size()) {
    return Status::Internal("PlanScan: the predicate was parsed against other columns");
  }
  Planner planner(columns, mapping);
  return planner.Run(where);
}

}  // namespace tsb
