#include "tsbridge/types.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/ascii.h"
#include "tsbridge/convert.h"

namespace tsb {

Storage DataType::storage() const {
  switch (id) {
    case TypeId::kFloat:
    case TypeId::kDouble:
      return Storage::kDouble;
    case TypeId::kString:
    case TypeId::kBinary:
      return Storage::kBytes;
    case TypeId::kDecimal:
      return Storage::kInt128;
    default:
      return Storage::kInt64;
  }
}

std::string DataType::ToString() const {
  std::string u = is_unsigned ? "u" : "";
  switch (id) {
    case TypeId::kNull:
      return "null";
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt8:
      return is_unsigned ? "uint8" : "tinyint";
    case TypeId::kInt16:
      return is_unsigned ? "uint16" : "smallint";
    case TypeId::kInt32:
      return is_unsigned ? "uint32" : "int";
    case TypeId::kInt64:
      return is_unsigned ? "uint64" : "bigint";
    case TypeId::kFloat:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kString:
      return "string";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kDecimal:
      return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case TypeId::kDate:
      return "date";
    case TypeId::kDateTime:
    case TypeId::kTimestamp: {
      std::string name = id == TypeId::kDateTime ? "datetime" : "timestamp";
      if (unit == TimeUnit::kMillis && utc) return name;
      return name + "(" + std::string(TicksUnitName(unit)) + (utc ? "" : ", local") + ")";
    }
  }
  return "unknown";
}

Result<DataType> DataType::ParseSpecType(std::string_view text) {
  std::string t;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      t.push_back(AsciiLower(c));
    }
  }
  static const std::pair<std::string_view, TypeId> kSimple[] = {
      {"bigint", TypeId::kInt64},      {"int", TypeId::kInt32},
      {"smallint", TypeId::kInt16},    {"tinyint", TypeId::kInt8},
      {"double", TypeId::kDouble},     {"float", TypeId::kFloat},
      {"boolean", TypeId::kBoolean},   {"string", TypeId::kString},
      {"binary", TypeId::kBinary},     {"date", TypeId::kDate},
      {"datetime", TypeId::kDateTime}, {"timestamp", TypeId::kTimestamp},
  };
  for (const auto& [name, id] : kSimple) {
    if (t == name) return DataType::Of(id);
  }
  if (t.rfind("decimal(", 0) == 0 && t.back() == ')') {
    std::string_view args(t);
    args = args.substr(8, args.size() - 9);
    size_t comma = args.find(',');
    int p = -1, s = -1;
    std::string_view ps = args.substr(0, comma);
    auto r1 = std::from_chars(ps.data(), ps.data() + ps.size(), p);
    bool ok = r1.ec == std::errc() && r1.ptr == ps.data() + ps.size();
    if (comma != std::string_view::npos) {
      std::string_view ss = args.substr(comma + 1);
      auto r2 = std::from_chars(ss.data(), ss.data() + ss.size(), s);
      ok = ok && r2.ec == std::errc() && r2.ptr == ss.data() + ss.size();
    } else {
      s = 0;
    }
    if (ok && p >= 1 && p <= 38 && s >= 0 && s <= p) return DataType::Decimal(p, s);
    return Status::InvalidArgument("bad decimal type \"" + std::string(text) +
                                   "\"; expected decimal(p,s) with 1 <= p <= 38 and 0 <= s <= p");
  }
  return Status::InvalidArgument(
      "unknown type \"" + std::string(text) +
      "\"; expected one of bigint, int, smallint, tinyint, double, float, boolean, string, "
      "binary, decimal(p,s), date, datetime, timestamp");
}

Schema::Schema(std::vector<Field> fields) : fields_(std::move(fields)) {
  if (fields_.size() >= kIndexFrom) {
    for (size_t i = 0; i < fields_.size(); ++i) Index(i);
  }
}

void Schema::Add(Field f) {
  fields_.push_back(std::move(f));
  if (fields_.size() == kIndexFrom) {
    for (size_t i = 0; i < fields_.size(); ++i) Index(i);
  } else if (fields_.size() > kIndexFrom) {
    Index(fields_.size() - 1);
  }
}

void Schema::Index(size_t i) { index_.emplace(fields_[i].name, static_cast<int>(i)); }

int Schema::Find(std::string_view name) const {
  if (fields_.size() >= kIndexFrom) {
    auto it = index_.find(std::string(name));
    return it == index_.end() ? -1 : it->second;
  }
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace tsb
