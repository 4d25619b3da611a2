#include "tsbridge/convert.h"

#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/crypto.h"
#include "core/value_text.h"

namespace tsb {

namespace {

constexpr size_t kShownBytes = 64;

bool IntegerRange(TypeId id, int64_t* lo, int64_t* hi) {
  switch (id) {
    case TypeId::kInt8:
      *lo = INT8_MIN;
      *hi = INT8_MAX;
      return true;
    case TypeId::kInt16:
      *lo = INT16_MIN;
      *hi = INT16_MAX;
      return true;
    case TypeId::kInt32:
      *lo = INT32_MIN;
      *hi = INT32_MAX;
      return true;
    default:
      return false;
  }
}

std::string Shorten(std::string_view text) {
  if (text.size() <= kShownBytes) return std::string(text);
  return std::string(text.substr(0, kShownBytes)) + "...";
}

Status KindMismatch(OtsType stored, const DataType& type) {
  return Status::InvalidArgument("stored " + std::string(OtsTypeName(stored)) +
                                 " where the spec says " + type.ToString());
}

}  // namespace

std::string_view OtsTypeName(OtsType type) {
  switch (type) {
    case OtsType::kInteger:
      return "INTEGER";
    case OtsType::kDouble:
      return "DOUBLE";
    case OtsType::kBoolean:
      return "BOOLEAN";
    case OtsType::kString:
      return "STRING";
    case OtsType::kBinary:
      return "BINARY";
  }
  return "?";
}

Result<OtsType> ParseOtsTypeName(std::string_view name) {
  std::string upper;
  for (char c : name)
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  for (OtsType t : {OtsType::kInteger, OtsType::kDouble, OtsType::kBoolean, OtsType::kString,
                    OtsType::kBinary}) {
    if (upper == OtsTypeName(t)) return t;
  }
  return Status::InvalidArgument("unknown Tablestore type \"" + std::string(name) +
                                 "\"; expected INTEGER, DOUBLE, BOOLEAN, STRING or BINARY");
}

Result<OtsType> StoredType(const DataType& type) {
  if (type.is_unsigned) {
    return Status::InvalidArgument("type " + type.ToString() + " has no Tablestore form");
  }
  switch (type.id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kDateTime:
    case TypeId::kTimestamp:
      return OtsType::kInteger;
    case TypeId::kFloat:
    case TypeId::kDouble:
      return OtsType::kDouble;
    case TypeId::kBoolean:
      return OtsType::kBoolean;
    case TypeId::kString:
    case TypeId::kDecimal:
    case TypeId::kDate:
      return OtsType::kString;
    case TypeId::kBinary:
      return OtsType::kBinary;
    case TypeId::kNull:
      break;
  }
  return Status::InvalidArgument("type " + type.ToString() + " has no Tablestore form");
}

bool IsKeyType(const DataType& type) {
  auto stored = StoredType(type);
  return stored.ok() && (*stored == OtsType::kInteger || *stored == OtsType::kString ||
                         *stored == OtsType::kBinary);
}

OtsValue OtsValue::Integer(int64_t v) {
  OtsValue x;
  x.type = OtsType::kInteger;
  x.i = v;
  return x;
}
OtsValue OtsValue::Double(double v) {
  OtsValue x;
  x.type = OtsType::kDouble;
  x.d = v;
  return x;
}
OtsValue OtsValue::Boolean(bool v) {
  OtsValue x;
  x.type = OtsType::kBoolean;
  x.b = v;
  return x;
}
OtsValue OtsValue::String(std::string v) {
  OtsValue x;
  x.type = OtsType::kString;
  x.bytes = std::move(v);
  return x;
}
OtsValue OtsValue::Binary(std::string v) {
  OtsValue x;
  x.type = OtsType::kBinary;
  x.bytes = std::move(v);
  return x;
}
OtsValue OtsValue::FromRef(const OtsValueRef& ref) {
  OtsValue x;
  x.type = ref.type;
  x.i = ref.i;
  x.d = ref.d;
  x.b = ref.b;
  x.bytes = std::string(ref.bytes);
  return x;
}
OtsValueRef OtsValue::ref() const {
  OtsValueRef r;
  r.type = type;
  r.i = i;
  r.d = d;
  r.b = b;
  r.bytes = bytes;
  return r;
}

bool operator==(const OtsValue& a, const OtsValue& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case OtsType::kInteger:
      return a.i == b.i;
    case OtsType::kDouble:
      return std::memcmp(&a.d, &b.d, sizeof(double)) == 0;
    case OtsType::kBoolean:
      return a.b == b.b;
    default:
      return a.bytes == b.bytes;
  }
}

std::string OtsValue::ToString() const { return FormatOtsValue(ref()); }

std::string FormatOtsValue(const OtsValueRef& value) {
  std::string out;
  switch (value.type) {
    case OtsType::kInteger:
      AppendInt64(value.i, &out);
      break;
    case OtsType::kDouble:
      AppendDouble(value.d, &out);
      break;
    case OtsType::kBoolean:
      out = value.b ? "true" : "false";
      break;
    case OtsType::kString:
      AppendJsonString(Shorten(value.bytes), &out);
      break;
    case OtsType::kBinary:
      out = "b\"" + Shorten(Base64Encode(value.bytes)) + "\"";
      break;
  }
  return out;
}

std::string DescribeRowKey(const std::vector<std::string_view>& names,
                           const std::vector<OtsValueRef>& values) {
  std::string out = "(";
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::string(names[i]) + "=" + FormatOtsValue(values[i]);
  }
  return out + ")";
}

int CompareOtsValues(const OtsValueRef& a, const OtsValueRef& b) {
  switch (a.type) {
    case OtsType::kInteger:
      return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
    case OtsType::kDouble:
      return a.d < b.d ? -1 : (a.d > b.d ? 1 : 0);
    case OtsType::kBoolean:
      return static_cast<int>(a.b) - static_cast<int>(b.b);
    case OtsType::kString:
    case OtsType::kBinary: {
      int c = a.bytes.compare(b.bytes);  // char_traits<char>::compare is unsigned (memcmp)
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
  return 0;
}

Status ConvertOtsValue(const OtsValueRef& value, const DataType& type, ConvertedValue* out) {
  auto stored = StoredType(type);
  if (!stored.ok()) return stored.status();
  if (value.type != *stored) return KindMismatch(value.type, type);
  switch (type.id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32: {
      int64_t lo, hi;
      IntegerRange(type.id, &lo, &hi);
      if (value.i < lo || value.i > hi) {
        return Status::InvalidArgument("INTEGER " + std::to_string(value.i) + " out of range for " +
                                       type.ToString());
      }
      out->i = value.i;
      return Status::OK();
    }
    case TypeId::kInt64:
    case TypeId::kDateTime:
    case TypeId::kTimestamp:
      out->i = value.i;
      return Status::OK();
    case TypeId::kBoolean:
      out->i = value.b ? 1 : 0;
      return Status::OK();
    case TypeId::kDouble:
      out->d = value.d;
      return Status::OK();
    case TypeId::kFloat: {
      if (std::isfinite(value.d) &&
          std::fabs(value.d) > static_cast<double>(std::numeric_limits<float>::max())) {
        std::string text;
        AppendDouble(value.d, &text);
        return Status::InvalidArgument("DOUBLE " + text + " out of range for float");
      }
      out->d = static_cast<double>(static_cast<float>(value.d));
      return Status::OK();
    }
    case TypeId::kString:
    case TypeId::kBinary:
      out->bytes = value.bytes;
      return Status::OK();
    case TypeId::kDecimal: {
      if (!ParseDecimal(value.bytes, type.precision, type.scale, &out->wide)) {
        return Status::InvalidArgument("STRING " + FormatOtsValue(value) + " is not a " +
                                       type.ToString() + " value");
      }
      return Status::OK();
    }
    case TypeId::kDate: {
      if (!ParseDate(value.bytes, &out->i)) {
        return Status::InvalidArgument("STRING " + FormatOtsValue(value) +
                                       " is not a date (YYYY-MM-DD)");
      }
      return Status::OK();
    }
    case TypeId::kNull:
      break;
  }
  return KindMismatch(value.type, type);
}

void AppendConverted(const ConvertedValue& value, Column* column) {
  switch (column->type().storage()) {
    case Storage::kInt64:
      column->AppendInt(value.i);
      break;
    case Storage::kDouble:
      column->AppendDouble(value.d);
      break;
    case Storage::kInt128:
      column->AppendInt128(value.wide);
      break;
    case Storage::kBytes:
      column->AppendBytes(value.bytes);
      break;
  }
}

Status AppendOtsValue(const OtsValueRef& value, Column* column) {
  ConvertedValue converted;
  TSB_RETURN_IF_ERROR(ConvertOtsValue(value, column->type(), &converted));
  AppendConverted(converted, column);
  return Status::OK();
}

TimeUnit CoarsestTicksUnit(int64_t ticks, TimeUnit unit) {
  static constexpr TimeUnit kCoarseFirst[] = {TimeUnit::kSeconds, TimeUnit::kMillis,
                                              TimeUnit::kMicros, TimeUnit::kNanos};
  const int64_t per = TicksPerSecond(unit);
  for (TimeUnit u : kCoarseFirst) {
    const int64_t other = TicksPerSecond(u);
    if (other >= per || ticks % (per / other) == 0) return u;
  }
  return unit;
}

std::optional<TimeUnit> CoarsestTicksUnitOfText(std::string_view text) {
  for (TimeUnit u :
       {TimeUnit::kSeconds, TimeUnit::kMillis, TimeUnit::kMicros, TimeUnit::kNanos}) {
    int64_t ticks;
    if (ParseTimestamp(text, u, &ticks)) return u;
  }
  return std::nullopt;
}

std::string_view TicksUnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSeconds:
      return "seconds";
    case TimeUnit::kMillis:
      return "millis";
    case TimeUnit::kMicros:
      return "micros";
    case TimeUnit::kNanos:
      return "nanos";
  }
  return "millis";
}

std::string FinerThanTicksUnit(TimeUnit column_unit, TimeUnit keeps) {
  return "is finer than the column's \"ticks_unit\": \"" + std::string(TicksUnitName(column_unit)) +
         "\"; \"ticks_unit\": \"" + std::string(TicksUnitName(keeps)) + "\" would keep it";
}

Status ColumnValueToOts(const Column& column, size_t row, std::string* scratch, OtsValueRef* out) {
  const DataType& type = column.type();
  auto stored = StoredType(type);
  if (!stored.ok()) return stored.status();
  *out = OtsValueRef();
  out->type = *stored;
  switch (type.id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32: {
      int64_t lo, hi, v = column.GetInt(row);
      IntegerRange(type.id, &lo, &hi);
      if (v < lo || v > hi) {
        return Status::InvalidArgument("value " + std::to_string(v) + " out of range for " +
                                       type.ToString());
      }
      out->i = v;
      return Status::OK();
    }
    case TypeId::kInt64:
    case TypeId::kDateTime:
    case TypeId::kTimestamp:
      out->i = column.GetInt(row);
      return Status::OK();
    case TypeId::kBoolean:
      out->b = column.GetBool(row);
      return Status::OK();
    case TypeId::kFloat:
    case TypeId::kDouble:
      out->d = column.GetDouble(row);
      return Status::OK();
    case TypeId::kString:
    case TypeId::kBinary:
      out->bytes = column.GetBytes(row);
      return Status::OK();
    case TypeId::kDecimal:
      scratch->clear();
      AppendDecimal(column.GetInt128(row), type.scale, scratch);
      out->bytes = *scratch;
      return Status::OK();
    case TypeId::kDate: {
      int64_t days = column.GetInt(row);
      if (days < kMinDate || days > kMaxDate) {
        return Status::InvalidArgument("date " + FormatDate(days) +
                                       " is outside 0001-01-01..9999-12-31");
      }
      scratch->clear();
      AppendDate(days, scratch);
      out->bytes = *scratch;
      return Status::OK();
    }
    case TypeId::kNull:
      break;
  }
  return Status::InvalidArgument("type " + type.ToString() + " has no Tablestore form");
}

}  // namespace tsb
