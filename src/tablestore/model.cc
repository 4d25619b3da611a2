#include "tsbridge/tablestore/model.h"

#include <utility>

namespace tsb::ots {

std::string_view PrimaryKeyTypeName(PrimaryKeyType type) {
  switch (type) {
    case PrimaryKeyType::kInteger: return "INTEGER";
    case PrimaryKeyType::kString: return "STRING";
    case PrimaryKeyType::kBinary: return "BINARY";
  }
  return "UNKNOWN";
}

ColumnFilter ColumnFilter::Compare(std::string column, Comparator comparator, Value value,
                                   bool filter_if_missing, bool latest_version_only) {
  ColumnFilter f;
  f.kind = Kind::kSingle;
  f.column = std::move(column);
  f.comparator = comparator;
  f.value = value;
  f.filter_if_missing = filter_if_missing;
  f.latest_version_only = latest_version_only;
  return f;
}

ColumnFilter ColumnFilter::Not(ColumnFilter child) {
  ColumnFilter f;
  f.kind = Kind::kNot;
  f.children.push_back(std::move(child));
  return f;
}

ColumnFilter ColumnFilter::And(std::vector<ColumnFilter> children) {
  return Composite(LogicalOperator::kAnd, std::move(children));
}

ColumnFilter ColumnFilter::Or(std::vector<ColumnFilter> children) {
  return Composite(LogicalOperator::kOr, std::move(children));
}

ColumnFilter ColumnFilter::Composite(LogicalOperator op, std::vector<ColumnFilter> children) {
  ColumnFilter f;
  f.kind = op == LogicalOperator::kNot ? Kind::kNot
           : op == LogicalOperator::kAnd ? Kind::kAnd
                                         : Kind::kOr;
  f.children = std::move(children);
  return f;
}

ColumnFilter ColumnFilter::ColumnPagination(int32_t offset, int32_t limit) {
  ColumnFilter f;
  f.kind = Kind::kColumnPagination;
  f.offset = offset;
  f.limit = limit;
  return f;
}

}  // namespace tsb::ots
