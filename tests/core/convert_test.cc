#include "tsbridge/convert.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "core/value_text.h"

using namespace tsb;

namespace {

OtsValueRef Int(int64_t v) {
  OtsValueRef r;
  r.type = OtsType::kInteger;
  r.i = v;
  return r;
}
OtsValueRef Dbl(double v) {
  OtsValueRef r;
  r.type = OtsType::kDouble;
  r.d = v;
  return r;
}
OtsValueRef Str(std::string_view v) {
  OtsValueRef r;
  r.type = OtsType::kString;
  r.bytes = v;
  return r;
}
OtsValueRef Bin(std::string_view v) {
  OtsValueRef r;
  r.type = OtsType::kBinary;
  r.bytes = v;
  return r;
}
OtsValueRef Bool(bool v) {
  OtsValueRef r;
  r.type = OtsType::kBoolean;
  r.b = v;
  return r;
}

std::string ImportError(const OtsValueRef& v, const DataType& t) {
  Column c(t);
  Status s = AppendOtsValue(v, &c);
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(c.size() == 0);
  return s.message();
}

}  // namespace

TEST_CASE("each spec type has one Tablestore kind") {
  CHECK(*StoredType(DataType::Of(TypeId::kInt64)) == OtsType::kInteger);
  CHECK(*StoredType(DataType::Of(TypeId::kInt8)) == OtsType::kInteger);
  CHECK(*StoredType(DataType::Timestamp(TimeUnit::kNanos)) == OtsType::kInteger);
  CHECK(*StoredType(DataType::Of(TypeId::kDateTime)) == OtsType::kInteger);
  CHECK(*StoredType(DataType::Of(TypeId::kFloat)) == OtsType::kDouble);
  CHECK(*StoredType(DataType::Of(TypeId::kBoolean)) == OtsType::kBoolean);
  CHECK(*StoredType(DataType::Decimal(10, 2)) == OtsType::kString);
  CHECK(*StoredType(DataType::Of(TypeId::kDate)) == OtsType::kString);
  CHECK(*StoredType(DataType::Of(TypeId::kBinary)) == OtsType::kBinary);
  CHECK_FALSE(StoredType(DataType::Of(TypeId::kNull)).ok());
  CHECK(IsKeyType(DataType::Of(TypeId::kDate)));
  CHECK_FALSE(IsKeyType(DataType::Of(TypeId::kDouble)));
  CHECK_FALSE(IsKeyType(DataType::Of(TypeId::kBoolean)));
  CHECK(OtsTypeName(OtsType::kBinary) == "BINARY");
  CHECK(*ParseOtsTypeName("integer") == OtsType::kInteger);
  CHECK_FALSE(ParseOtsTypeName("int").ok());
}

TEST_CASE("import converts stored values and refuses what does not fit") {
  Column big(DataType::Of(TypeId::kInt64));
  REQUIRE(AppendOtsValue(Int(INT64_MIN), &big).ok());
  CHECK(big.GetInt(0) == INT64_MIN);
  CHECK(ImportError(Str("5"), DataType::Of(TypeId::kInt64)) ==
        "stored STRING where the spec says bigint");
  CHECK(ImportError(Int(300), DataType::Of(TypeId::kInt8)) ==
        "INTEGER 300 out of range for tinyint");
  CHECK(ImportError(Int(-32769), DataType::Of(TypeId::kInt16)) ==
        "INTEGER -32769 out of range for smallint");
  CHECK(ImportError(Int(2147483648LL), DataType::Of(TypeId::kInt32)) ==
        "INTEGER 2147483648 out of range for int");
  Column tiny(DataType::Of(TypeId::kInt8));
  REQUIRE(AppendOtsValue(Int(-128), &tiny).ok());
  REQUIRE(AppendOtsValue(Int(127), &tiny).ok());
  CHECK(tiny.GetInt(1) == 127);

  Column f(DataType::Of(TypeId::kFloat));
  REQUIRE(AppendOtsValue(Dbl(0.1), &f).ok());
  CHECK(f.GetDouble(0) == static_cast<double>(0.1f));
  REQUIRE(AppendOtsValue(Dbl(std::numeric_limits<double>::infinity()), &f).ok());
  CHECK(ImportError(Dbl(1e300), DataType::Of(TypeId::kFloat)) ==
        "DOUBLE 1e+300 out of range for float");
  CHECK(ImportError(Int(1), DataType::Of(TypeId::kDouble)) ==
        "stored INTEGER where the spec says double");

  Column b(DataType::Of(TypeId::kBoolean));
  REQUIRE(AppendOtsValue(Bool(true), &b).ok());
  CHECK(b.GetBool(0));
  CHECK(ImportError(Int(1), DataType::Of(TypeId::kBoolean)) ==
        "stored INTEGER where the spec says boolean");

  Column s(DataType::Of(TypeId::kString));
  REQUIRE(AppendOtsValue(Str(std::string_view("a\0b", 3)), &s).ok());
  CHECK(s.GetBytes(0) == std::string_view("a\0b", 3));
  CHECK(ImportError(Bin("x"), DataType::Of(TypeId::kString)) ==
        "stored BINARY where the spec says string");

  Column d(DataType::Decimal(10, 2));
  REQUIRE(AppendOtsValue(Str("12.5"), &d).ok());
  REQUIRE(AppendOtsValue(Str("-0.07"), &d).ok());
  CHECK(d.GetInt128(0) == 1250);
  CHECK(d.GetInt128(1) == -7);
  CHECK(ImportError(Str("12.345"), DataType::Decimal(10, 2)) ==
        "STRING \"12.345\" is not a decimal(10,2) value");
  CHECK(ImportError(Int(12), DataType::Decimal(10, 2)) ==
        "stored INTEGER where the spec says decimal(10,2)");

  Column date(DataType::Of(TypeId::kDate));
  REQUIRE(AppendOtsValue(Str("1996-05-03"), &date).ok());
  CHECK(date.GetInt(0) == DaysFromCivil(1996, 5, 3));
  CHECK(ImportError(Str("1996-13-01"), DataType::Of(TypeId::kDate)) ==
        "STRING \"1996-13-01\" is not a date (YYYY-MM-DD)");

  Column ts(DataType::Timestamp(TimeUnit::kMicros));
  REQUIRE(AppendOtsValue(Int(1700000000123456), &ts).ok());
  CHECK(ts.GetInt(0) == 1700000000123456);
}

TEST_CASE("a row converts cell by cell before anything is appended") {
  ConvertedValue v;
  CHECK(ConvertOtsValue(Str("abc"), DataType::Of(TypeId::kBinary), &v).message() ==
        "stored STRING where the spec says binary");
  REQUIRE(ConvertOtsValue(Bin("abc"), DataType::Of(TypeId::kBinary), &v).ok());
  CHECK(v.bytes == "abc");
  Column c(DataType::Of(TypeId::kBinary));
  AppendConverted(v, &c);
  CHECK(c.GetBytes(0) == "abc");
}

TEST_CASE("export turns column values into Tablestore values") {
  std::string scratch;
  OtsValueRef out;
  Column d(DataType::Decimal(10, 2));
  d.AppendInt128(1250);
  d.AppendInt128(-7);
  REQUIRE(ColumnValueToOts(d, 0, &scratch, &out).ok());
  CHECK(out.type == OtsType::kString);
  CHECK(out.bytes == "12.50");
  REQUIRE(ColumnValueToOts(d, 1, &scratch, &out).ok());
  CHECK(out.bytes == "-0.07");

  Column date(DataType::Of(TypeId::kDate));
  date.AppendInt(DaysFromCivil(1996, 5, 3));
  date.AppendInt(kMaxDate + 1);
  REQUIRE(ColumnValueToOts(date, 0, &scratch, &out).ok());
  CHECK(out.bytes == "1996-05-03");
  Status bad = ColumnValueToOts(date, 1, &scratch, &out);
  CHECK(bad.message() == "date 10000-01-01 is outside 0001-01-01..9999-12-31");

  Column tiny(DataType::Of(TypeId::kInt8));
  tiny.AppendInt(300);
  CHECK(ColumnValueToOts(tiny, 0, &scratch, &out).message() ==
        "value 300 out of range for tinyint");

  Column f(DataType::Of(TypeId::kFloat));
  f.AppendDouble(static_cast<double>(0.1f));
  REQUIRE(ColumnValueToOts(f, 0, &scratch, &out).ok());
  CHECK(out.type == OtsType::kDouble);
  CHECK(out.d == static_cast<double>(0.1f));

  Column ts(DataType::Timestamp(TimeUnit::kSeconds));
  ts.AppendInt(86400);
  REQUIRE(ColumnValueToOts(ts, 0, &scratch, &out).ok());
  CHECK(out.type == OtsType::kInteger);
  CHECK(out.i == 86400);

  Column b(DataType::Of(TypeId::kBoolean));
  b.AppendBool(true);
  REQUIRE(ColumnValueToOts(b, 0, &scratch, &out).ok());
  CHECK(out.type == OtsType::kBoolean);
  CHECK(out.b);

  Column s(DataType::Of(TypeId::kString));
  s.AppendBytes("héllo");
  REQUIRE(ColumnValueToOts(s, 0, &scratch, &out).ok());
  CHECK(out.bytes == "héllo");
}

TEST_CASE("round trips through Tablestore values are exact") {
  const DataType types[] = {DataType::Of(TypeId::kInt64), DataType::Decimal(38, 10),
                            DataType::Of(TypeId::kDate), DataType::Of(TypeId::kDouble)};
  Column big(types[0]);
  for (int64_t v : {INT64_MIN, int64_t{-1}, int64_t{0}, INT64_MAX}) big.AppendInt(v);
  Column dec(types[1]);
  for (__int128 v : {Pow10Int128(38) - 1, -(Pow10Int128(38) - 1), __int128{0}, __int128{1}}) {
    dec.AppendInt128(v);
  }
  Column date(types[2]);
  for (int64_t v : {kMinDate, int64_t{0}, int64_t{-1}, kMaxDate}) date.AppendInt(v);
  Column dbl(types[3]);
  for (double v : {-0.0, 5e-324, 1.7976931348623157e308, std::nan("")}) dbl.AppendDouble(v);
  for (const Column* c : {&big, &dec, &date, &dbl}) {
    Column back(c->type());
    for (size_t i = 0; i < c->size(); ++i) {
      std::string scratch;
      OtsValueRef v;
      REQUIRE(ColumnValueToOts(*c, i, &scratch, &v).ok());
      OtsValue owned = OtsValue::FromRef(v);
      REQUIRE(AppendOtsValue(owned.ref(), &back).ok());
    }
    for (size_t i = 0; i < c->size(); ++i) {
      switch (c->type().storage()) {
        case Storage::kInt64:
          CHECK(back.GetInt(i) == c->GetInt(i));
          break;
        case Storage::kInt128:
          CHECK(back.GetInt128(i) == c->GetInt128(i));
          break;
        case Storage::kDouble:
          CHECK(std::memcmp(&c->doubles()[i], &back.doubles()[i], sizeof(double)) == 0);
          break;
        default:
          break;
      }
    }
  }
}

TEST_CASE("values print and compare in Tablestore's order") {
  CHECK(OtsValue::Integer(5001).ToString() == "5001");
  CHECK(OtsValue::String("it\"s").ToString() == "\"it\\\"s\"");
  CHECK(OtsValue::Binary("\x01\x02").ToString() == "b\"AQI=\"");
  CHECK(OtsValue::Boolean(false).ToString() == "false");
  CHECK(OtsValue::Double(1.5).ToString() == "1.5");
  CHECK(CompareOtsValues(Str("a"), Str("\xC3\xA9")) < 0);  // bytes compare unsigned
  CHECK(CompareOtsValues(Str("ab"), Str("a")) > 0);
  CHECK(CompareOtsValues(Int(-1), Int(0)) < 0);
  CHECK(OtsValue::String("x") == OtsValue::String("x"));
  CHECK_FALSE(OtsValue::String("x") == OtsValue::Binary("x"));
}

TEST_CASE("a row key reads as name=value pairs") {
  CHECK(DescribeRowKey({"o_orderkey", "o_orderdate"}, {Int(5), Str("1996-05-03")}) ==
        "(o_orderkey=5, o_orderdate=\"1996-05-03\")");
  CHECK(FormatOtsValue(Str(std::string(70, 'x'))) == "\"" + std::string(64, 'x') + "...\"");
}

TEST_CASE("timestamps finer than the ticks_unit: the reason names the unit that keeps them") {
  CHECK(CoarsestTicksUnit(1700000000, TimeUnit::kSeconds) == TimeUnit::kSeconds);
  CHECK(CoarsestTicksUnit(1700000000000, TimeUnit::kMillis) == TimeUnit::kSeconds);
  CHECK(CoarsestTicksUnit(1700000000123, TimeUnit::kMillis) == TimeUnit::kMillis);
  CHECK(CoarsestTicksUnit(1700000000123000, TimeUnit::kMicros) == TimeUnit::kMillis);
  CHECK(CoarsestTicksUnit(1700000000123456, TimeUnit::kMicros) == TimeUnit::kMicros);
  CHECK(CoarsestTicksUnit(-1, TimeUnit::kNanos) == TimeUnit::kNanos);  // before 1970 too
  CHECK(CoarsestTicksUnit(-1000, TimeUnit::kNanos) == TimeUnit::kMicros);

  CHECK(CoarsestTicksUnitOfText("2024-01-02T03:04:05Z") == TimeUnit::kSeconds);
  CHECK(CoarsestTicksUnitOfText("2024-01-02 03:04:05.120") == TimeUnit::kMillis);
  CHECK(CoarsestTicksUnitOfText("2024-01-02T03:04:05.123456+08:00") == TimeUnit::kMicros);
  CHECK(CoarsestTicksUnitOfText("1969-12-31T23:59:59.999999999") == TimeUnit::kNanos);
  CHECK_FALSE(CoarsestTicksUnitOfText("2024-01-02T03:04:05.1234567891").has_value());
  CHECK_FALSE(CoarsestTicksUnitOfText("yesterday").has_value());

  CHECK(FinerThanTicksUnit(TimeUnit::kMillis, TimeUnit::kMicros) ==
        "is finer than the column's \"ticks_unit\": \"millis\"; \"ticks_unit\": \"micros\" would "
        "keep it");

  // The CSV and JSON Lines readers' reason for a value that does not parse.
  Column ts(DataType::Timestamp(TimeUnit::kMillis));
  const std::string micros = "2024-01-02T03:04:05.123456Z";
  CHECK(ParseValueInto(micros, ts.type(), &ts) == ParseOutcome::kBadValue);
  CHECK(DescribeBadValue(ParseOutcome::kBadValue, ts.type(), micros) ==
        "expected timestamp, got \"2024-01-02T03:04:05.123456Z\", which is finer than the "
        "column's \"ticks_unit\": \"millis\"; \"ticks_unit\": \"micros\" would keep it");
  const DataType dt_micros{TypeId::kDateTime, 0, 0, TimeUnit::kMicros};
  CHECK(DescribeBadValue(ParseOutcome::kBadValue, dt_micros, "2024-01-02T03:04:05.000000001")
            .find("\"ticks_unit\": \"nanos\" would keep it") != std::string::npos);
  // Wrong whatever the unit, or wrong for another reason: no unit is named.
  CHECK(DescribeBadValue(ParseOutcome::kBadValue, ts.type(), "2024-13-01T00:00:00Z")
            .find("ticks_unit") == std::string::npos);
  CHECK(DescribeBadValue(ParseOutcome::kBadValue, ts.type(), "2024-01-02T03:04:05.1234567891")
            .find("ticks_unit") == std::string::npos);
  // A value that fits the column's unit is kept exactly.
  Column ok(DataType::Timestamp(TimeUnit::kMicros));
  REQUIRE(ParseValueInto(micros, ok.type(), &ok) == ParseOutcome::kOk);
  CHECK(ok.GetInt(0) == 1704164645123456);
}
