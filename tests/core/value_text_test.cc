#include "core/value_text.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace tsb;

namespace {

uint64_t Bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

uint32_t Bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

}  // namespace

TEST_CASE("doubles print shortest, ECMAScript layout, and read back bit-exact") {
  const std::pair<double, const char*> kCases[] = {
      {0.1, "0.1"},
      {3.0, "3.0"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {5e-324, "5e-324"},
      {1.7976931348623157e+308, "1.7976931348623157e+308"},
      {-1.7976931348623157e+308, "-1.7976931348623157e+308"},
      {2.2250738585072014e-308, "2.2250738585072014e-308"},
      {1e21, "1e+21"},
      {1e20, "100000000000000000000.0"},
      {123456.789, "123456.789"},
      {1e-6, "0.000001"},
      {1e-7, "1e-7"},
      {9007199254740993.0, "9007199254740992.0"},  // 2^53+1 is not a double: rounds to 2^53
      {9007199254740994.0, "9007199254740994.0"},
      {51181.17, "51181.17"},
      {-8.820619573816658e-290, "-8.820619573816658e-290"},
  };
  for (const auto& [v, text] : kCases) {
    const char* expected = text;  // clang 14: CAPTURE cannot name a structured binding
    CAPTURE(expected);
    CHECK(FormatDouble(v) == text);
    double back = 1;
    REQUIRE(ParseDouble(text, &back));
    CHECK(Bits(back) == Bits(v));
  }
  CHECK(FormatDouble(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  CHECK(FormatDouble(std::numeric_limits<double>::infinity()) == "Infinity");
  CHECK(FormatDouble(-std::numeric_limits<double>::infinity()) == "-Infinity");
  double d = 0;
  CHECK(ParseDouble("NaN", &d));
  CHECK(std::isnan(d));
  CHECK(ParseDouble("-Infinity", &d));
  CHECK(d == -std::numeric_limits<double>::infinity());
  CHECK(ParseDouble("+inf", &d));
  CHECK(d == std::numeric_limits<double>::infinity());
  CHECK(ParseDouble("+1.5E3", &d));
  CHECK(d == 1500.0);
  CHECK(ParseDouble("1e-400", &d));  // underflow rounds to zero
  CHECK(d == 0.0);
  CHECK_FALSE(ParseDouble("1e400", &d));
  CHECK_FALSE(ParseDouble("", &d));
  CHECK_FALSE(ParseDouble(" 1", &d));
  CHECK_FALSE(ParseDouble("1 ", &d));
  CHECK_FALSE(ParseDouble("--1", &d));
  CHECK_FALSE(ParseDouble("+-1", &d));
  CHECK_FALSE(ParseDouble("0x10", &d));
  CHECK_FALSE(ParseDouble("abc", &d));
  // Every power of two and its neighbours round-trips.
  for (int e = -1074; e <= 1023; e += 7) {
    for (double v :
         {std::ldexp(1.0, e), std::nextafter(std::ldexp(1.0, e), 0.0), -std::ldexp(1.0, e) * 1.1}) {
      double back;
      REQUIRE(ParseDouble(FormatDouble(v), &back));
      CHECK(Bits(back) == Bits(v));
    }
  }
}

TEST_CASE("floats print the shortest text of their binary32 value") {
  CHECK(FormatFloat(0.1f) == "0.1");
  CHECK(FormatFloat(3.4028235e+38f) == "3.4028235e+38");
  CHECK(FormatFloat(-3.4028235e+38f) == "-3.4028235e+38");
  CHECK(FormatFloat(1.1754944e-38f) == "1.1754944e-38");
  CHECK(FormatFloat(1e-45f) == "1e-45");
  CHECK(FormatFloat(351497.0f) == "351497.0");
  CHECK(FormatFloat(-4.753263e-06f) == "-0.000004753263");
  CHECK(FormatFloat(-0.0f) == "-0.0");
  // Two shortest candidates at the same distance: the one away from zero, as ECMAScript and
  // DuckDB print it.
  CHECK(FormatFloat(1277201.25f) == "1277201.3");
  CHECK(FormatFloat(-3286828.25f) == "-3286828.3");
  CHECK(FormatFloat(479662.125f) == "479662.13");
  float f;
  REQUIRE(ParseFloat("0.1", &f));
  CHECK(Bits(f) == 0x3dcccccdu);
  for (int e = -149; e <= 127; e += 3) {
    float v = std::ldexp(1.0f, e) * 1.3f;
    float back;
    REQUIRE(ParseFloat(FormatFloat(v), &back));
    CHECK(Bits(back) == Bits(v));
  }
  CHECK_FALSE(ParseFloat("1e39", &f));
}

TEST_CASE("integers parse exactly with range checks per width") {
  int64_t v;
  CHECK(ParseInt64("-9223372036854775808", &v));
  CHECK(v == std::numeric_limits<int64_t>::min());
  CHECK(ParseInt64("+9223372036854775807", &v));
  CHECK(v == std::numeric_limits<int64_t>::max());
  CHECK_FALSE(ParseInt64("9223372036854775808", &v));
  CHECK_FALSE(ParseInt64("1.0", &v));
  CHECK_FALSE(ParseInt64("", &v));
  CHECK_FALSE(ParseInt64("-", &v));
  CHECK_FALSE(ParseInt64("+-1", &v));
  CHECK_FALSE(ParseInt64(" 1", &v));
  uint64_t u;
  CHECK(ParseUint64("18446744073709551615", &u));
  CHECK(u == std::numeric_limits<uint64_t>::max());
  CHECK_FALSE(ParseUint64("18446744073709551616", &u));
  CHECK_FALSE(ParseUint64("-1", &u));

  auto parse = [](std::string_view text, DataType type) {
    Column c(type);
    ParseOutcome r = ParseValueInto(text, type, &c);
    if (r == ParseOutcome::kOk) CHECK(c.size() == 1);
    if (r != ParseOutcome::kOk) CHECK(c.size() == 0);
    return r;
  };
  CHECK(parse("127", DataType::Of(TypeId::kInt8)) == ParseOutcome::kOk);
  CHECK(parse("-128", DataType::Of(TypeId::kInt8)) == ParseOutcome::kOk);
  CHECK(parse("128", DataType::Of(TypeId::kInt8)) == ParseOutcome::kOutOfRange);
  CHECK(parse("-32769", DataType::Of(TypeId::kInt16)) == ParseOutcome::kOutOfRange);
  CHECK(parse("2147483647", DataType::Of(TypeId::kInt32)) == ParseOutcome::kOk);
  CHECK(parse("2147483648", DataType::Of(TypeId::kInt32)) == ParseOutcome::kOutOfRange);
  CHECK(parse("99999999999999999999", DataType::Of(TypeId::kInt64)) == ParseOutcome::kOutOfRange);
  CHECK(parse("12a", DataType::Of(TypeId::kInt64)) == ParseOutcome::kBadValue);
  DataType u64 = DataType::Of(TypeId::kInt64);
  u64.is_unsigned = true;
  Column c(u64);
  REQUIRE(ParseValueInto("18446744073709551615", u64, &c) == ParseOutcome::kOk);
  CHECK(c.GetInt(0) == -1);
  std::string out;
  AppendValueText(c, 0, &out);
  CHECK(out == "18446744073709551615");
  CHECK(DescribeBadValue(ParseOutcome::kOutOfRange, DataType::Of(TypeId::kInt16), "40000") ==
        "expected smallint, got \"40000\" (out of range)");
}

TEST_CASE("dates cover 0001-01-01..9999-12-31 in the proleptic Gregorian calendar") {
  int64_t d;
  REQUIRE(ParseDate("1970-01-01", &d));
  CHECK(d == 0);
  REQUIRE(ParseDate("1969-12-31", &d));
  CHECK(d == -1);
  REQUIRE(ParseDate("0001-01-01", &d));
  CHECK(d == kMinDate);
  REQUIRE(ParseDate("9999-12-31", &d));
  CHECK(d == kMaxDate);
  REQUIRE(ParseDate("2000-02-29", &d));
  CHECK(d == 11016);
  CHECK_FALSE(ParseDate("1900-02-29", &d));
  CHECK_FALSE(ParseDate("2001-02-29", &d));
  CHECK_FALSE(ParseDate("0000-01-01", &d));
  CHECK_FALSE(ParseDate("2000-13-01", &d));
  CHECK_FALSE(ParseDate("2000-1-01", &d));
  CHECK_FALSE(ParseDate("2000-01-01 ", &d));
  // Every day round-trips and consecutive days are consecutive texts.
  int64_t prev = kMinDate - 1;
  for (int64_t day = kMinDate; day <= kMaxDate; day += 1) {
    std::string s = FormatDate(day);
    int64_t back;
    if (!ParseDate(s, &back) || back != day) {
      FAIL("day " << day << " formats as " << s);
    }
    prev = back;
  }
  CHECK(prev == kMaxDate);
  CHECK(FormatDate(kMinDate) == "0001-01-01");
  CHECK(FormatDate(kMaxDate) == "9999-12-31");
}

TEST_CASE("timestamps: units, pre-1970 fractions, offsets and space for T") {
  CHECK(FormatTimestamp(0, TimeUnit::kMillis) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatTimestamp(-1, TimeUnit::kNanos) == "1969-12-31T23:59:59.999999999Z");
  CHECK(FormatTimestamp(-1, TimeUnit::kSeconds) == "1969-12-31T23:59:59Z");
  CHECK(FormatTimestamp(-1500, TimeUnit::kMillis) == "1969-12-31T23:59:58.500Z");
  CHECK(FormatTimestamp(951825600142857, TimeUnit::kMicros, false) == "2000-02-29T12:00:00.142857");
  CHECK(FormatTimestamp(std::numeric_limits<int64_t>::min(), TimeUnit::kNanos) ==
        "1677-09-21T00:12:43.145224192Z");
  CHECK(FormatTimestamp(std::numeric_limits<int64_t>::max(), TimeUnit::kNanos) ==
        "2262-04-11T23:47:16.854775807Z");
  int64_t t;
  REQUIRE(ParseTimestamp("1969-12-31T23:59:59.999999999Z", TimeUnit::kNanos, &t));
  CHECK(t == -1);
  REQUIRE(ParseTimestamp("1969-12-31 23:59:58.5", TimeUnit::kMillis, &t));
  CHECK(t == -1500);
  REQUIRE(ParseTimestamp("1970-01-01T08:00:00+08:00", TimeUnit::kSeconds, &t));
  CHECK(t == 0);
  REQUIRE(ParseTimestamp("1970-01-01T00:00:00-0130", TimeUnit::kSeconds, &t));
  CHECK(t == 5400);
  REQUIRE(ParseTimestamp("1970-01-01T01:00+01", TimeUnit::kMillis, &t));
  CHECK(t == 0);
  REQUIRE(ParseTimestamp("1970-01-02", TimeUnit::kSeconds, &t));
  CHECK(t == 86400);
  REQUIRE(ParseTimestamp("0001-01-01 00:00:00", TimeUnit::kMicros, &t));
  CHECK(t == kMinDate * 86400 * 1000000);
  REQUIRE(ParseTimestamp("9999-12-31 23:59:59.999999", TimeUnit::kMicros, &t));
  CHECK(FormatTimestamp(t, TimeUnit::kMicros, false) == "9999-12-31T23:59:59.999999");
  REQUIRE(ParseTimestamp("2000-01-01T00:00:00.120000", TimeUnit::kMillis, &t));
  CHECK_FALSE(ParseTimestamp("2000-01-01T00:00:00.1234", TimeUnit::kMillis, &t));
  CHECK_FALSE(ParseTimestamp("2000-01-01T24:00:00", TimeUnit::kMillis, &t));
  CHECK_FALSE(ParseTimestamp("2000-01-01T00:00:00.", TimeUnit::kMillis, &t));
  CHECK_FALSE(ParseTimestamp("2000-01-01T00:00:00Zx", TimeUnit::kMillis, &t));
  CHECK_FALSE(ParseTimestamp("2000-01-01X00:00:00", TimeUnit::kMillis, &t));
  CHECK_FALSE(ParseTimestamp("3000-01-01T00:00:00", TimeUnit::kNanos, &t));  // past int64
  for (TimeUnit unit :
       {TimeUnit::kSeconds, TimeUnit::kMillis, TimeUnit::kMicros, TimeUnit::kNanos}) {
    for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{-86400123456789},
                      int64_t{1700000000123456789}, int64_t{-1700000000123456789}}) {
      const int64_t ticks = v / (1000000000 / TicksPerSecond(unit));
      int64_t back;
      REQUIRE(ParseTimestamp(FormatTimestamp(ticks, unit), unit, &back));
      CHECK(back == ticks);
    }
  }
}

TEST_CASE("decimals are exact to 38 digits with exactly `scale` fraction digits") {
  const __int128 max38 = Pow10Int128(38) - 1;
  CHECK(FormatDecimal(max38, 10) == "9999999999999999999999999999.9999999999");
  CHECK(FormatDecimal(-max38, 10) == "-9999999999999999999999999999.9999999999");
  CHECK(FormatDecimal(1, 10) == "0.0000000001");
  CHECK(FormatDecimal(-5, 2) == "-0.05");
  CHECK(FormatDecimal(0, 2) == "0.00");
  CHECK(FormatDecimal(42, 0) == "42");
  __int128 v;
  REQUIRE(ParseDecimal("9999999999999999999999999999.9999999999", 38, 10, &v));
  CHECK(v == max38);
  REQUIRE(ParseDecimal("-9999999999999999999999999999.9999999999", 38, 10, &v));
  CHECK(v == -max38);
  REQUIRE(ParseDecimal("1.5", 9, 2, &v));
  CHECK(v == 150);
  REQUIRE(ParseDecimal("-.5", 9, 2, &v));
  CHECK(v == -50);
  REQUIRE(ParseDecimal("7.", 9, 2, &v));
  CHECK(v == 700);
  REQUIRE(ParseDecimal("0001.2300", 9, 2, &v));
  CHECK(v == 123);
  CHECK_FALSE(ParseDecimal("1.234", 9, 2, &v));        // would round
  CHECK_FALSE(ParseDecimal("10000000.00", 9, 2, &v));  // 8 digits before the point in (9,2)
  CHECK(ParseDecimal("9999999.99", 9, 2, &v));
  CHECK_FALSE(ParseDecimal("99999999999999999999999999999.0", 38, 10, &v));
  CHECK_FALSE(ParseDecimal("", 9, 2, &v));
  CHECK_FALSE(ParseDecimal(".", 9, 2, &v));
  CHECK_FALSE(ParseDecimal("1e3", 9, 2, &v));
  CHECK_FALSE(ParseDecimal("1,5", 9, 2, &v));
}

TEST_CASE("UTF-8 validation is strict") {
  CHECK(ValidateUtf8(""));
  CHECK(ValidateUtf8("plain ascii text, longer than eight bytes"));
  CHECK(ValidateUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  CHECK(ValidateUtf8(std::string_view("a\0b", 3)));
  CHECK(ValidateUtf8("\xF4\x8F\xBF\xBF"));    // U+10FFFF
  CHECK_FALSE(ValidateUtf8("\xED\xA0\x80"));  // surrogate
  CHECK_FALSE(ValidateUtf8("\xFF"));
  CHECK_FALSE(ValidateUtf8("caf\xE9"));
  CHECK_FALSE(ValidateUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(
      ValidateUtf8("\xC3"
                   "A"));
  CHECK_FALSE(ValidateUtf8("\xC0\xAF"));          // overlong
  CHECK_FALSE(ValidateUtf8("\xE0\x80\xAF"));      // overlong
  CHECK_FALSE(ValidateUtf8("abcdefgh\xE2\x82"));  // truncated at the end
}

TEST_CASE("JSON strings escape quotes, backslashes and control characters") {
  std::string out;
  AppendJsonString(std::string_view("a\"b\\c\n\t\x01\x1f\0\x7f\xC3\xA9", 13), &out);
  CHECK(out == "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\\u0000\x7f\xC3\xA9\"");
}

TEST_CASE("whole values round-trip through their text forms") {
  struct Case {
    DataType type;
    const char* text;
  };
  const Case kCases[] = {
      {DataType::Of(TypeId::kBoolean), "true"},
      {DataType::Of(TypeId::kInt64), "-9223372036854775808"},
      {DataType::Of(TypeId::kDouble), "-0.0"},
      {DataType::Of(TypeId::kDouble), "NaN"},
      {DataType::Of(TypeId::kFloat), "3.4028235e+38"},
      {DataType::Of(TypeId::kString), "héllo, \"world\""},
      {DataType::Of(TypeId::kBinary), "//79AA=="},
      {DataType::Decimal(38, 10), "-0.0000000001"},
      {DataType::Of(TypeId::kDate), "0001-01-01"},
      {DataType::Timestamp(TimeUnit::kNanos), "1969-12-31T23:59:59.999999999Z"},
      {DataType::Of(TypeId::kDateTime), "2024-02-29T13:14:15.016Z"},
  };
  for (const Case& c : kCases) {
    CAPTURE(c.text);
    Column col(c.type);
    REQUIRE(ParseValueInto(c.text, c.type, &col) == ParseOutcome::kOk);
    std::string out;
    AppendValueText(col, 0, &out);
    CHECK(out == c.text);
  }
  Column col(DataType::Of(TypeId::kBinary));
  CHECK(ParseValueInto("not base64!", col.type(), &col) == ParseOutcome::kBadValue);
  Column s(DataType::Of(TypeId::kString));
  CHECK(ParseValueInto("caf\xE9", s.type(), &s) == ParseOutcome::kBadUtf8);
}
