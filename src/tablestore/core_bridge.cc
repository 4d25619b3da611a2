#include "tablestore/core_bridge.h"

namespace tsb::ots {

Value ToWireValue(const OtsValueRef& value) {
  switch (value.type) {
    case OtsType::kInteger: return Value::Integer(value.i);
    case OtsType::kDouble: return Value::Double(value.d);
    case OtsType::kBoolean: return Value::Boolean(value.b);
    case OtsType::kString: return Value::String(value.bytes);
    case OtsType::kBinary: return Value::Binary(value.bytes);
  }
  return Value::InfMin();
}

bool FromWireValue(const Value& value, OtsValueRef* out) {
  switch (value.type) {
    case ValueType::kInteger:
      out->type = OtsType::kInteger;
      out->i = value.i;
      return true;
    case ValueType::kDouble:
      out->type = OtsType::kDouble;
      out->d = value.d;
      return true;
    case ValueType::kBoolean:
      out->type = OtsType::kBoolean;
      out->b = value.b;
      return true;
    case ValueType::kString:
      out->type = OtsType::kString;
      out->bytes = value.bytes;
      return true;
    case ValueType::kBinary:
      out->type = OtsType::kBinary;
      out->bytes = value.bytes;
      return true;
    default: return false;
  }
}

OtsType FromWireKeyType(PrimaryKeyType type) {
  switch (type) {
    case PrimaryKeyType::kInteger: return OtsType::kInteger;
    case PrimaryKeyType::kString: return OtsType::kString;
    case PrimaryKeyType::kBinary: return OtsType::kBinary;
  }
  return OtsType::kString;
}

std::vector<TableKeyColumn> TableKeyColumns(const TableMeta& meta) {
  std::vector<TableKeyColumn> out;
  for (const PrimaryKeyColumn& c : meta.primary_key) {
    out.push_back(TableKeyColumn{c.name, FromWireKeyType(c.type)});
  }
  return out;
}

std::vector<Cell> ToWireKey(const std::vector<KeyBound>& bound,
                            const std::vector<std::string>& names) {
  std::vector<Cell> out(bound.size());
  for (size_t i = 0; i < bound.size(); ++i) {
    out[i].name = names[i];
    switch (bound[i].kind) {
      case KeyBound::Kind::kInfMin: out[i].value = Value::InfMin(); break;
      case KeyBound::Kind::kInfMax: out[i].value = Value::InfMax(); break;
      case KeyBound::Kind::kValue: out[i].value = ToWireValue(bound[i].value.ref()); break;
    }
  }
  return out;
}

std::vector<KeyBound> FromWireKey(const std::vector<Cell>& key) {
  std::vector<KeyBound> out;
  out.reserve(key.size());
  for (const Cell& c : key) {
    if (!c.value || c.value->type == ValueType::kInfMin) {
      out.push_back(KeyBound::InfMin());
    } else if (c.value->type == ValueType::kInfMax) {
      out.push_back(KeyBound::InfMax());
    } else {
      OtsValueRef ref;
      FromWireValue(*c.value, &ref);
      out.push_back(KeyBound::Of(OtsValue::FromRef(ref)));
    }
  }
  return out;
}

namespace {
Comparator ToWireComparator(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return Comparator::kEqual;
    case CompareOp::kNe: return Comparator::kNotEqual;
    case CompareOp::kLt: return Comparator::kLessThan;
    case CompareOp::kLe: return Comparator::kLessEqual;
    case CompareOp::kGt: return Comparator::kGreaterThan;
    case CompareOp::kGe: return Comparator::kGreaterEqual;
  }
  return Comparator::kEqual;
}
}  // namespace

ColumnFilter ToWireFilter(const tsb::ColumnFilter& filter) {
  using Kind = tsb::ColumnFilter::Kind;
  if (filter.kind == Kind::kSingle) {
    return ColumnFilter::Compare(filter.column, ToWireComparator(filter.op),
                                 ToWireValue(filter.value.ref()), filter.filter_if_missing,
                                 filter.latest_version_only);
  }
  std::vector<ColumnFilter> children;
  for (const tsb::ColumnFilter& child : filter.children) children.push_back(ToWireFilter(child));
  switch (filter.kind) {
    case Kind::kNot: return ColumnFilter::Not(std::move(children.front()));
    case Kind::kAnd: return ColumnFilter::And(std::move(children));
    default: return ColumnFilter::Or(std::move(children));
  }
}

}  // namespace tsb::ots
