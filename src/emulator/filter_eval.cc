#include "emulator/filter_eval.h"

#include <algorithm>
#include <cmath>

namespace tsb::emulator {

namespace {

bool IsNumeric(ots::ValueType t) {
  return t == ots::ValueType::kInteger || t == ots::ValueType::kDouble;
}

// <0, 0, >0; `comparable` false when the types cannot be ordered against each other.
int Compare(const ots::Value& a, const ots::Value& b, bool* comparable) {
  *comparable = true;
  if (a.type == b.type) {
    switch (a.type) {
      case ots::ValueType::kInteger:
        return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
      case ots::ValueType::kDouble:
        if (std::isnan(a.d) || std::isnan(b.d)) {
          *comparable = false;
          return 0;
        }
        return a.d < b.d ? -1 : (a.d > b.d ? 1 : 0);
      case ots::ValueType::kBoolean:
        return static_cast<int>(a.b) - static_cast<int>(b.b);
      case ots::ValueType::kString:
      case ots::ValueType::kBinary: {
        int c = a.bytes.compare(b.bytes);  // char_traits<char>::compare is unsigned (memcmp)
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
      }
      default:
        *comparable = false;
        return 0;
    }
  }
  if (IsNumeric(a.type) && IsNumeric(b.type)) {
    // INTEGER vs DOUBLE: numerically. Node sends every JS number as DOUBLE, so a filter on an
    // INTEGER column written from Node would otherwise never match.
    long double x = a.type == ots::ValueType::kInteger ? a.i : a.d;
    long double y = b.type == ots::ValueType::kInteger ? b.i : b.d;
    if (std::isnan(x) || std::isnan(y)) {
      *comparable = false;
      return 0;
    }
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  *comparable = false;
  return 0;
}

bool EvaluateSingle(const ColumnFilter& f, const ots::Row& row) {
  const ots::Value& target = f.value;
  bool found = false;
  for (const ots::Cell& cell : row.attributes) {
    if (cell.name != f.column || !cell.value) continue;
    found = true;
    if (CompareValues(*cell.value, f.comparator, target)) return true;
    if (f.latest_version_only) return false;  // the first cell of a column is its newest
  }
  if (found) return false;
  // A primary-key column may be referenced too (one version, never missing from a real row).
  for (const ots::Cell& cell : row.primary_key) {
    if (cell.name == f.column && cell.value) {
      return CompareValues(*cell.value, f.comparator, target);
    }
  }
  return !f.filter_if_missing;
}

}  // namespace

bool CompareValues(const ots::Value& a, Comparator cmp, const ots::Value& b) {
  bool comparable;
  int c = Compare(a, b, &comparable);
  if (!comparable) return cmp == Comparator::kNotEqual;
  switch (cmp) {
    case Comparator::kEqual:
      return c == 0;
    case Comparator::kNotEqual:
      return c != 0;
    case Comparator::kGreaterThan:
      return c > 0;
    case Comparator::kGreaterEqual:
      return c >= 0;
    case Comparator::kLessThan:
      return c < 0;
    case Comparator::kLessEqual:
      return c <= 0;
  }
  return false;
}

bool EvaluateFilter(const ColumnFilter& filter, const ots::Row& row) {
  switch (filter.kind) {
    case ColumnFilter::Kind::kSingle:
      return EvaluateSingle(filter, row);
    case ColumnFilter::Kind::kColumnPagination:
      return true;
    case ColumnFilter::Kind::kNot:
      return filter.children.empty() || !EvaluateFilter(filter.children[0], row);
    case ColumnFilter::Kind::kAnd:
      for (const ColumnFilter& c : filter.children) {
        if (!EvaluateFilter(c, row)) return false;
      }
      return true;
    case ColumnFilter::Kind::kOr:
      for (const ColumnFilter& c : filter.children) {
        if (EvaluateFilter(c, row)) return true;
      }
      return false;
  }
  return false;
}

void ApplyColumnPagination(int32_t offset, int32_t limit, ots::Row* row) {
  auto& cells = row->attributes;
  size_t out = 0;
  int64_t column_index = -1;
  std::string_view previous;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i == 0 || cells[i].name != previous) {
      ++column_index;
      previous = cells[i].name;
    }
    if (column_index >= offset && column_index < static_cast<int64_t>(offset) + limit) {
      if (out != i) cells[out] = cells[i];
      ++out;
    }
  }
  cells.resize(out);
}

Status ValidateFilter(const ColumnFilter& filter, bool top_level) {
  switch (filter.kind) {
    case ColumnFilter::Kind::kSingle:
      if (filter.column.empty()) {
        return OtsError("OTSParameterInvalid", "The name of column in filter is empty.");
      }
      switch (filter.value.type) {
        case ots::ValueType::kInteger:
        case ots::ValueType::kDouble:
        case ots::ValueType::kBoolean:
        case ots::ValueType::kString:
        case ots::ValueType::kBinary:
          return Status::OK();
        default:
          return OtsError("OTSParameterInvalid", "Invalid column value type in filter.");
      }
    case ColumnFilter::Kind::kColumnPagination:
      if (!top_level) {
        return OtsError("OTSParameterInvalid",
                        "ColumnPaginationFilter can not be used in CompositeColumnValueFilter.");
      }
      if (filter.offset < 0 || filter.limit < 0) {
        return OtsError("OTSParameterInvalid",
                        "The offset and limit of ColumnPaginationFilter must be non-negative.");
      }
      return Status::OK();
    case ColumnFilter::Kind::kNot:
    case ColumnFilter::Kind::kAnd:
    case ColumnFilter::Kind::kOr: {
      size_t n = filter.children.size();
      if (filter.kind == ColumnFilter::Kind::kNot ? n != 1 : n < 2) {
        return OtsError("OTSParameterInvalid",
                        filter.kind == ColumnFilter::Kind::kNot
                            ? "The number of sub filters of NOT must be 1."
                            : "The number of sub filters of AND/OR must be at least 2.");
      }
      for (const ColumnFilter& c : filter.children) {
        TSB_RETURN_IF_ERROR(ValidateFilter(c, false));
      }
      return Status::OK();
    }
  }
  return OtsError("OTSParameterInvalid", "Invalid filter type.");
}

}  // namespace tsb::emulator
