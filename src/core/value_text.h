// Value text forms: the one place that turns typed values into text and back.
//
// CSV, JSON Lines, predicate literals, reject files and tests all use these functions, so every
// text surface of tsbridge agrees on the forms of decisions.md section 8:
//   double / float  shortest text that reads back bit-exact, laid out as ECMAScript's
//                   Number#toString with ".0" added to integral values ("0.1", "3.0", "-0.0",
//                   "1e+21", "5e-324"); a float is the shortest text for its binary32 value;
//                   NaN, Infinity, -Infinity
//   boolean         true / false
//   date            YYYY-MM-DD, proleptic Gregorian, years 0001..9999
//   datetime/timestamp  YYYY-MM-DDTHH:MM:SS[.f] with 0/3/6/9 fraction digits for
//                   seconds/millis/micros/nanos, and "Z" when the value is UTC
//   decimal(p,s)    exact text with exactly s digits after the point
//   binary          base64 (core/crypto.h)
//
// The Format/Append functions never fail. Parse functions accept the output forms plus the usual
// variants (see each), consume the whole text (no surrounding spaces), and return false (or a
// ParseOutcome) without touching their output on failure; callers add the context (file, line,
// column). All functions are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tsbridge/row_batch.h"
#include "tsbridge/types.h"

namespace tsb {

// ---- Floating point ----
void AppendDouble(double v, std::string* out);
void AppendFloat(float v, std::string* out);
std::string FormatDouble(double v);
std::string FormatFloat(float v);
// Accepts decimal and exponent forms with an optional sign, "NaN", "Infinity", "-Infinity",
// "+Infinity", "inf", "-inf" and "nan" (case-insensitive). Values beyond the range are
// out-of-range errors (false); underflow rounds to the nearest value as strtod does.
bool ParseDouble(std::string_view text, double* out);
// The same, rounding once to binary32 (as strtof does).
bool ParseFloat(std::string_view text, float* out);

// ---- Integers ----
// Optional sign ('-' or '+') and decimal digits, nothing else; false on overflow.
bool ParseInt64(std::string_view text, int64_t* out);
bool ParseUint64(std::string_view text, uint64_t* out);
void AppendInt64(int64_t v, std::string* out);
void AppendUint64(uint64_t v, std::string* out);

// ---- Dates: days since 1970-01-01 ----
inline constexpr int64_t kMinDate = -719162;  // 0001-01-01
inline constexpr int64_t kMaxDate = 2932896;  // 9999-12-31
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);
// Days outside 0001..9999 are written with as many year digits as needed (and a sign).
void AppendDate(int64_t days, std::string* out);
std::string FormatDate(int64_t days);
// Exactly YYYY-MM-DD, a valid day in 0001-01-01..9999-12-31.
bool ParseDate(std::string_view text, int64_t* days);

// ---- Timestamps: ticks since the epoch in `unit` ----
int64_t TicksPerSecond(TimeUnit unit);
// with_zone adds "Z". Before 1970 the fraction counts up from the previous second.
void AppendTimestamp(int64_t ticks, TimeUnit unit, bool with_zone, std::string* out);
std::string FormatTimestamp(int64_t ticks, TimeUnit unit, bool with_zone = true);
// YYYY-MM-DD, then optionally 'T', 't' or ' ' and HH:MM[:SS[.fraction]], then optionally 'Z',
// 'z' or an offset ±HH, ±HHMM, ±HH:MM. No zone = UTC. A fraction finer than `unit` must have
// only zeros beyond it (nothing is rounded away); false when out of int64 range.
bool ParseTimestamp(std::string_view text, TimeUnit unit, int64_t* ticks);

// ---- Decimals: unscaled __int128 with `scale` digits after the point ----
inline constexpr int kMaxDecimalPrecision = 38;
void AppendDecimal(__int128 unscaled, int scale, std::string* out);
std::string FormatDecimal(__int128 unscaled, int scale);
// Optional sign, digits, optional point and digits (".5" and "5." accepted); fewer fraction
// digits than `scale` are padded, more are accepted only when the extra digits are zeros; the
// value must fit `precision` digits (precision - scale before the point).
bool ParseDecimal(std::string_view text, int precision, int scale, __int128* out);
// 10^n for 0 <= n <= 38.
__int128 Pow10Int128(int n);

// ---- Booleans ----
// true/false (case-insensitive), also 1/0.
bool ParseBool(std::string_view text, bool* out);

// ---- UTF-8 and JSON strings ----
// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool ValidateUtf8(std::string_view text);
// Appends `text` as a JSON string with its quotes: '"', '\\' and control characters escaped
// (\b \f \n \r \t, others as \u00XX), everything else as is (the caller validates UTF-8).
void AppendJsonString(std::string_view text, std::string* out);
// The same as a new string.
std::string JsonQuoted(std::string_view text);

// ---- Whole values ----
enum class ParseOutcome { kOk, kBadValue, kOutOfRange, kBadUtf8 };

// Parses `text` as a value of `type` and appends it to `column` (whose storage matches `type`);
// appends nothing unless kOk. Strings are UTF-8 checked; binary is base64; integers are range
// checked for their width (unsigned columns take 0..2^w-1, a uint64 keeps its bits); kNull takes
// nothing but the empty text. Shared by the text readers and literal parsing.
ParseOutcome ParseValueInto(std::string_view text, const DataType& type, Column* column);

// Appends the text form of a non-NULL value at `row` of `column` (type from the column), as
// above; strings and binary go out raw and base64 respectively, without quoting.
void AppendValueText(const Column& column, size_t row, std::string* out);

// "expected bigint, got \"abc\"" (the value shortened to 64 bytes), for reject messages.
std::string DescribeBadValue(ParseOutcome outcome, const DataType& type, std::string_view text);

}  // namespace tsb
