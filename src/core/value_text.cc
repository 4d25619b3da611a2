#include "core/value_text.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/ascii.h"
#include "core/crypto.h"
#include "tsbridge/convert.h"

namespace tsb {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Lays out the output of to_chars(..., scientific) ("-d.ddde+XX") as ECMAScript's
// Number::toString does (ECMA-262 6.1.6.1.20), adding ".0" to integral values.
void LayOutShortest(const char* begin, const char* end, std::string* out) {
  const char* p = begin;
  if (*p == '-') {
    out->push_back('-');
    ++p;
  }
  char digits[32];
  int k = 0;
  while (p < end && *p != 'e') {
    if (*p != '.') digits[k++] = *p;
    ++p;
  }
  int exp10 = 0;
  if (p < end) {
    ++p;  // 'e'
    bool neg = *p == '-';
    ++p;
    while (p < end) exp10 = exp10 * 10 + (*p++ - '0');
    if (neg) exp10 = -exp10;
  }
  const int n = exp10 + 1;
  if (k <= n && n <= 21) {
    out->append(digits, k);
    out->append(static_cast<size_t>(n - k), '0');
    out->append(".0");
  } else if (0 < n && n <= 21) {
    out->append(digits, n);
    out->push_back('.');
    out->append(digits + n, k - n);
  } else if (-6 < n && n <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-n), '0');
    out->append(digits, k);
  } else {
    out->push_back(digits[0]);
    if (k > 1) {
      out->push_back('.');
      out->append(digits + 1, k - 1);
    }
    out->push_back('e');
    int e = n - 1;
    out->push_back(e < 0 ? '-' : '+');
    char buf[8];
    auto r = std::to_chars(buf, buf + sizeof(buf), e < 0 ? -e : e);
    out->append(buf, r.ptr);
  }
}

// A float's shortest digits can have two candidates at the same distance from its exact value
// (1277201.25f: "1277201.2" and "1277201.3"). to_chars picks the even one; ECMAScript's
// toPrecision, which the corpus and DuckDB follow, picks the one away from zero. This rewrites
// `shortest` (to_chars scientific output in buf, ending at end) into that candidate when it also
// reads back as `v`; returns the new end.
char* TieBreakAwayFromZero(float v, char* buf, char* end) {
  char* p = buf;
  if (*p == '-') ++p;
  int k = 0;
  const char* q = p;
  while (q < end && *q != 'e') k += (*q++ != '.');
  // The exact value of a float has at most 112 significant digits.
  char exact[160];
  auto r = std::to_chars(exact, exact + sizeof(exact), static_cast<double>(v < 0 ? -v : v),
                         std::chars_format::scientific, 120);
  if (r.ec != std::errc()) return end;
  char digits[128];
  int n = 0;
  const char* e = exact;
  while (e < r.ptr && *e != 'e') {
    if (*e != '.') digits[n++] = *e;
    ++e;
  }
  int exp10 = 0;
  if (e < r.ptr) {  // "e+06"
    const char* x = e + 1;
    const bool neg = *x == '-';
    std::from_chars(x + 1, r.ptr, exp10);
    if (neg) exp10 = -exp10;
  }
  if (k >= n || digits[k] < '5') return end;  // rounding down: to_chars already agrees
  // Round half away from zero at k digits.
  int i = k - 1;
  while (i >= 0 && digits[i] == '9') digits[i--] = '0';
  if (i < 0) {
    digits[0] = '1';
    ++exp10;
  } else {
    ++digits[i];
  }
  char candidate[64];
  char* c = candidate;
  if (v < 0) *c++ = '-';
  *c++ = digits[0];
  if (k > 1) {
    *c++ = '.';
    for (int j = 1; j < k; ++j) *c++ = digits[j];
  }
  *c++ = 'e';
  *c++ = exp10 < 0 ? '-' : '+';
  auto er = std::to_chars(c, candidate + sizeof(candidate), exp10 < 0 ? -exp10 : exp10);
  c = er.ptr;
  float back = 0;
  auto fr = std::from_chars(candidate, c, back, std::chars_format::scientific);
  if (fr.ec != std::errc() || fr.ptr != c || back != v) return end;
  std::memcpy(buf, candidate, static_cast<size_t>(c - candidate));
  return buf + (c - candidate);
}

// Shared by ParseDouble/ParseFloat: the special names, then from_chars.
template <typename F>
bool ParseFloating(std::string_view text, F* out) {
  if (text.empty()) return false;
  bool neg = false;
  std::string_view body = text;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body.remove_prefix(1);
    if (body.empty() || body[0] == '+' || body[0] == '-') return false;
  }
  if (EqualsIgnoreCase(body, "nan")) {
    *out = std::numeric_limits<F>::quiet_NaN();
    return true;
  }
  if (EqualsIgnoreCase(body, "infinity") || EqualsIgnoreCase(body, "inf")) {
    *out = neg ? -std::numeric_limits<F>::infinity() : std::numeric_limits<F>::infinity();
    return true;
  }
  if (!IsDigit(body[0]) && body[0] != '.') return false;
  F v{};
  auto r = std::from_chars(body.data(), body.data() + body.size(), v, std::chars_format::general);
  if (r.ptr != body.data() + body.size()) return false;
  if (r.ec == std::errc::result_out_of_range) {
    // Overflow is an error; underflow rounds as strtod/strtof do.
    std::string copy(body);
    char* end = nullptr;
    if constexpr (std::is_same_v<F, float>) {
      v = std::strtof(copy.c_str(), &end);
    } else {
      v = std::strtod(copy.c_str(), &end);
    }
    if (std::isinf(v)) return false;
  } else if (r.ec != std::errc()) {
    return false;
  }
  *out = neg ? -v : v;
  return true;
}

enum class IntParse { kOk, kSyntax, kRange };

IntParse ParseSigned(std::string_view text, int64_t* out) {
  if (text.empty()) return IntParse::kSyntax;
  const char* b = text.data();
  const char* e = b + text.size();
  if (*b == '+') {
    ++b;
    if (b == e || *b == '-') return IntParse::kSyntax;
  }
  if (!IsDigit(*b) && !(*b == '-' && b + 1 < e && IsDigit(b[1]))) return IntParse::kSyntax;
  int64_t v = 0;
  auto r = std::from_chars(b, e, v);
  if (r.ec == std::errc::result_out_of_range) {
    const char* p = r.ptr;
    return p == e ? IntParse::kRange : IntParse::kSyntax;
  }
  if (r.ec != std::errc() || r.ptr != e) return IntParse::kSyntax;
  *out = v;
  return IntParse::kOk;
}

IntParse ParseUnsigned(std::string_view text, uint64_t* out) {
  if (text.empty()) return IntParse::kSyntax;
  const char* b = text.data();
  const char* e = b + text.size();
  if (*b == '+') ++b;
  if (b == e || !IsDigit(*b)) {
    // "-0" is zero; any other negative number is out of range.
    if (b < e && *b == '-') {
      bool all_zero = b + 1 < e;
      for (const char* p = b + 1; p < e; ++p) {
        if (!IsDigit(*p)) return IntParse::kSyntax;
        if (*p != '0') all_zero = false;
      }
      if (b + 1 == e) return IntParse::kSyntax;
      if (all_zero) {
        *out = 0;
        return IntParse::kOk;
      }
      return IntParse::kRange;
    }
    return IntParse::kSyntax;
  }
  uint64_t v = 0;
  auto r = std::from_chars(b, e, v);
  if (r.ec == std::errc::result_out_of_range) {
    return r.ptr == e ? IntParse::kRange : IntParse::kSyntax;
  }
  if (r.ec != std::errc() || r.ptr != e) return IntParse::kSyntax;
  *out = v;
  return IntParse::kOk;
}

bool ParseFixedDigits(const char* p, int n, int* out) {
  int v = 0;
  for (int i = 0; i < n; ++i) {
    if (!IsDigit(p[i])) return false;
    v = v * 10 + (p[i] - '0');
  }
  *out = v;
  return true;
}

void AppendPadded(uint64_t v, int width, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  int len = static_cast<int>(r.ptr - buf);
  if (len < width) out->append(static_cast<size_t>(width - len), '0');
  out->append(buf, r.ptr);
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2) {
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[m - 1];
}

int UnitDigits(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSeconds:
      return 0;
    case TimeUnit::kMillis:
      return 3;
    case TimeUnit::kMicros:
      return 6;
    case TimeUnit::kNanos:
      return 9;
  }
  return 0;
}

}  // namespace

// ---- Floating point ----

void AppendDouble(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v < 0 ? "-Infinity" : "Infinity");
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  LayOutShortest(buf, r.ptr, out);
}

void AppendFloat(float v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v < 0 ? "-Infinity" : "Infinity");
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  char* end = TieBreakAwayFromZero(v, buf, r.ptr);
  LayOutShortest(buf, end, out);
}

std::string FormatDouble(double v) {
  std::string s;
  AppendDouble(v, &s);
  return s;
}

std::string FormatFloat(float v) {
  std::string s;
  AppendFloat(v, &s);
  return s;
}

bool ParseDouble(std::string_view text, double* out) { return ParseFloating(text, out); }
bool ParseFloat(std::string_view text, float* out) { return ParseFloating(text, out); }

// ---- Integers ----

bool ParseInt64(std::string_view text, int64_t* out) {
  return ParseSigned(text, out) == IntParse::kOk;
}

bool ParseUint64(std::string_view text, uint64_t* out) {
  return ParseUnsigned(text, out) == IntParse::kOk;
}

void AppendInt64(int64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

void AppendUint64(uint64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

// ---- Dates ----
// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, 400-year eras).

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* year, unsigned* month, unsigned* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = y + (*month <= 2);
}

void AppendDate(int64_t days, std::string* out) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 0) {
    out->push_back('-');
    AppendPadded(static_cast<uint64_t>(-y), 4, out);
  } else {
    AppendPadded(static_cast<uint64_t>(y), 4, out);
  }
  out->push_back('-');
  out->push_back(static_cast<char>('0' + m / 10));
  out->push_back(static_cast<char>('0' + m % 10));
  out->push_back('-');
  out->push_back(static_cast<char>('0' + d / 10));
  out->push_back(static_cast<char>('0' + d % 10));
}

std::string FormatDate(int64_t days) {
  std::string s;
  AppendDate(days, &s);
  return s;
}

bool ParseDate(std::string_view t, int64_t* days) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  int y, m, d;
  if (!ParseFixedDigits(t.data(), 4, &y) || !ParseFixedDigits(t.data() + 5, 2, &m) ||
      !ParseFixedDigits(t.data() + 8, 2, &d)) {
    return false;
  }
  if (y < 1 || m < 1 || m > 12 || d < 1 ||
      static_cast<unsigned>(d) > DaysInMonth(y, static_cast<unsigned>(m))) {
    return false;
  }
  *days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

// ---- Timestamps ----

int64_t TicksPerSecond(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSeconds:
      return 1;
    case TimeUnit::kMillis:
      return 1000;
    case TimeUnit::kMicros:
      return 1000000;
    case TimeUnit::kNanos:
      return 1000000000;
  }
  return 1;
}

void AppendTimestamp(int64_t ticks, TimeUnit unit, bool with_zone, std::string* out) {
  const int64_t per = TicksPerSecond(unit);
  int64_t secs = ticks / per;
  int64_t frac = ticks % per;  // made 0 <= frac < per: before 1970 it counts up from the second
  if (frac < 0) {
    frac += per;
    --secs;
  }
  const int64_t days = FloorDiv(secs, 86400);
  const int64_t sod = secs - days * 86400;
  AppendDate(days, out);
  out->push_back('T');
  AppendPadded(static_cast<uint64_t>(sod / 3600), 2, out);
  out->push_back(':');
  AppendPadded(static_cast<uint64_t>(sod / 60 % 60), 2, out);
  out->push_back(':');
  AppendPadded(static_cast<uint64_t>(sod % 60), 2, out);
  if (unit != TimeUnit::kSeconds) {
    out->push_back('.');
    AppendPadded(static_cast<uint64_t>(frac), UnitDigits(unit), out);
  }
  if (with_zone) out->push_back('Z');
}

std::string FormatTimestamp(int64_t ticks, TimeUnit unit, bool with_zone) {
  std::string s;
  AppendTimestamp(ticks, unit, with_zone, &s);
  return s;
}

bool ParseTimestamp(std::string_view t, TimeUnit unit, int64_t* ticks) {
  if (t.size() < 10) return false;
  int64_t days;
  if (!ParseDate(t.substr(0, 10), &days)) return false;
  size_t i = 10;
  int hh = 0, mm = 0, ss = 0;
  int64_t frac_ticks = 0;
  int64_t offset_seconds = 0;
  const int unit_digits = UnitDigits(unit);
  if (i < t.size() && (t[i] == 'T' || t[i] == 't' || t[i] == ' ')) {
    ++i;
    if (t.size() < i + 5 || !ParseFixedDigits(t.data() + i, 2, &hh) || t[i + 2] != ':' ||
        !ParseFixedDigits(t.data() + i + 3, 2, &mm)) {
      return false;
    }
    i += 5;
    if (i < t.size() && t[i] == ':') {
      if (t.size() < i + 3 || !ParseFixedDigits(t.data() + i + 1, 2, &ss)) return false;
      i += 3;
      if (i < t.size() && (t[i] == '.' || t[i] == ',')) {
        ++i;
        int n = 0;
        while (i < t.size() && IsDigit(t[i])) {
          if (n < unit_digits) {
            frac_ticks = frac_ticks * 10 + (t[i] - '0');
          } else if (t[i] != '0') {
            return false;  // finer than the unit: would be rounded away
          }
          ++n;
          ++i;
        }
        if (n == 0) return false;
        for (int k = n; k < unit_digits; ++k) frac_ticks *= 10;
      }
    }
    if (hh > 23 || mm > 59 || ss > 59) return false;
  }
  if (i < t.size()) {
    char c = t[i];
    if (c == 'Z' || c == 'z') {
      ++i;
    } else if (c == '+' || c == '-') {
      int oh = 0, om = 0;
      if (t.size() < i + 3 || !ParseFixedDigits(t.data() + i + 1, 2, &oh)) return false;
      i += 3;
      if (i < t.size()) {
        if (t[i] == ':') ++i;
        if (t.size() < i + 2 || !ParseFixedDigits(t.data() + i, 2, &om)) return false;
        i += 2;
      }
      if (oh > 23 || om > 59) return false;
      offset_seconds = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
    } else {
      return false;
    }
  }
  if (i != t.size()) return false;
  const __int128 secs =
      static_cast<__int128>(days) * 86400 + hh * 3600 + mm * 60 + ss - offset_seconds;
  const __int128 v = secs * TicksPerSecond(unit) + frac_ticks;
  if (v < std::numeric_limits<int64_t>::min() || v > std::numeric_limits<int64_t>::max()) {
    return false;
  }
  *ticks = static_cast<int64_t>(v);
  return true;
}

// ---- Decimals ----

__int128 Pow10Int128(int n) {
  __int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

void AppendDecimal(__int128 unscaled, int scale, std::string* out) {
  unsigned __int128 mag = unscaled < 0 ? -static_cast<unsigned __int128>(unscaled)
                                       : static_cast<unsigned __int128>(unscaled);
  char buf[48];
  int len = 0;
  do {
    buf[len++] = static_cast<char>('0' + static_cast<int>(mag % 10));
    mag /= 10;
  } while (mag != 0);
  while (len < scale + 1) buf[len++] = '0';
  if (unscaled < 0) out->push_back('-');
  for (int i = len - 1; i >= 0; --i) {
    out->push_back(buf[i]);
    if (i == scale && scale > 0) out->push_back('.');
  }
}

std::string FormatDecimal(__int128 unscaled, int scale) {
  std::string s;
  AppendDecimal(unscaled, scale, &s);
  return s;
}

bool ParseDecimal(std::string_view t, int precision, int scale, __int128* out) {
  if (precision < 1 || precision > kMaxDecimalPrecision || scale < 0 || scale > precision) {
    return false;
  }
  size_t i = 0;
  bool neg = false;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    neg = t[i] == '-';
    ++i;
  }
  __int128 v = 0;
  int int_digits = 0;  // significant digits before the point
  int any_digits = 0;
  while (i < t.size() && IsDigit(t[i])) {
    ++any_digits;
    if (int_digits > 0 || t[i] != '0') {
      if (++int_digits > precision - scale) return false;
      v = v * 10 + (t[i] - '0');
    }
    ++i;
  }
  int frac_digits = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && IsDigit(t[i])) {
      ++any_digits;
      if (frac_digits < scale) {
        v = v * 10 + (t[i] - '0');
        ++frac_digits;
      } else if (t[i] != '0') {
        return false;  // more precision than the scale holds
      }
      ++i;
    }
  }
  if (i != t.size() || any_digits == 0) return false;
  for (; frac_digits < scale; ++frac_digits) v *= 10;
  *out = neg ? -v : v;
  return true;
}

// ---- Booleans ----

bool ParseBool(std::string_view t, bool* out) {
  if (EqualsIgnoreCase(t, "true") || t == "1") {
    *out = true;
    return true;
  }
  if (EqualsIgnoreCase(t, "false") || t == "0") {
    *out = false;
    return true;
  }
  return false;
}

// ---- UTF-8 and JSON ----

bool ValidateUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // ASCII fast path, 8 bytes at a time.
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // no overlong
      if (c == 0xF4) hi = 0x8F;  // <= U+10FFFF
    } else {
      return false;
    }
    if (i + len > n) return false;
    if (s[i + 1] < lo || s[i + 1] > hi) return false;
    for (size_t k = 2; k < len; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return false;
    }
    i += len;
  }
  return true;
}

std::string JsonQuoted(std::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  const char* p = text.data();
  const char* end = p + text.size();
  const char* run = p;
  for (; p < end; ++p) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(run, p);
    run = p + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(esc, 6);
      }
    }
  }
  out->append(run, end);
  out->push_back('"');
}

// ---- Whole values ----

ParseOutcome ParseValueInto(std::string_view text, const DataType& type, Column* column) {
  switch (type.id) {
    case TypeId::kNull:
      if (!text.empty()) return ParseOutcome::kBadValue;
      column->AppendNull();
      return ParseOutcome::kOk;
    case TypeId::kBoolean: {
      bool b;
      if (!ParseBool(text, &b)) return ParseOutcome::kBadValue;
      column->AppendBool(b);
      return ParseOutcome::kOk;
    }
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: {
      const int bits = type.id == TypeId::kInt8    ? 8
                       : type.id == TypeId::kInt16 ? 16
                       : type.id == TypeId::kInt32 ? 32
                                                   : 64;
      if (type.is_unsigned) {
        uint64_t u = 0;
        IntParse r = ParseUnsigned(text, &u);
        if (r == IntParse::kSyntax) return ParseOutcome::kBadValue;
        if (r == IntParse::kRange || (bits < 64 && u > ((uint64_t{1} << bits) - 1))) {
          return ParseOutcome::kOutOfRange;
        }
        column->AppendInt(static_cast<int64_t>(u));
        return ParseOutcome::kOk;
      }
      int64_t v = 0;
      IntParse r = ParseSigned(text, &v);
      if (r == IntParse::kSyntax) return ParseOutcome::kBadValue;
      if (r == IntParse::kRange) return ParseOutcome::kOutOfRange;
      if (bits < 64) {
        const int64_t max = (int64_t{1} << (bits - 1)) - 1;
        if (v > max || v < -max - 1) return ParseOutcome::kOutOfRange;
      }
      column->AppendInt(v);
      return ParseOutcome::kOk;
    }
    case TypeId::kFloat: {
      float f;
      if (!ParseFloat(text, &f)) return ParseOutcome::kBadValue;
      column->AppendDouble(static_cast<double>(f));
      return ParseOutcome::kOk;
    }
    case TypeId::kDouble: {
      double d;
      if (!ParseDouble(text, &d)) return ParseOutcome::kBadValue;
      column->AppendDouble(d);
      return ParseOutcome::kOk;
    }
    case TypeId::kString:
      if (!ValidateUtf8(text)) return ParseOutcome::kBadUtf8;
      column->AppendBytes(text);
      return ParseOutcome::kOk;
    case TypeId::kBinary: {
      Result<std::string> bytes = Base64Decode(text);
      if (!bytes.ok()) return ParseOutcome::kBadValue;
      column->AppendBytes(*bytes);
      return ParseOutcome::kOk;
    }
    case TypeId::kDecimal: {
      __int128 v;
      if (!ParseDecimal(text, type.precision, type.scale, &v)) return ParseOutcome::kBadValue;
      column->AppendInt128(v);
      return ParseOutcome::kOk;
    }
    case TypeId::kDate: {
      int64_t d;
      if (!ParseDate(text, &d)) return ParseOutcome::kBadValue;
      column->AppendInt(d);
      return ParseOutcome::kOk;
    }
    case TypeId::kDateTime:
    case TypeId::kTimestamp: {
      int64_t t;
      if (!ParseTimestamp(text, type.unit, &t)) return ParseOutcome::kBadValue;
      column->AppendInt(t);
      return ParseOutcome::kOk;
    }
  }
  return ParseOutcome::kBadValue;
}

void AppendValueText(const Column& column, size_t row, std::string* out) {
  const DataType& type = column.type();
  switch (type.id) {
    case TypeId::kNull:
      return;
    case TypeId::kBoolean:
      out->append(column.GetBool(row) ? "true" : "false");
      return;
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
      if (type.is_unsigned) {
        AppendUint64(static_cast<uint64_t>(column.GetInt(row)), out);
      } else {
        AppendInt64(column.GetInt(row), out);
      }
      return;
    case TypeId::kFloat:
      AppendFloat(static_cast<float>(column.GetDouble(row)), out);
      return;
    case TypeId::kDouble:
      AppendDouble(column.GetDouble(row), out);
      return;
    case TypeId::kString:
      out->append(column.GetBytes(row));
      return;
    case TypeId::kBinary:
      out->append(Base64Encode(column.GetBytes(row)));
      return;
    case TypeId::kDecimal:
      AppendDecimal(column.GetInt128(row), type.scale, out);
      return;
    case TypeId::kDate:
      AppendDate(column.GetInt(row), out);
      return;
    case TypeId::kDateTime:
    case TypeId::kTimestamp:
      AppendTimestamp(column.GetInt(row), type.unit, type.utc, out);
      return;
  }
}

std::string DescribeBadValue(ParseOutcome outcome, const DataType& type, std::string_view text) {
  if (outcome == ParseOutcome::kBadUtf8) return "invalid UTF-8 in a " + type.ToString() + " value";
  std::string msg = "expected " + type.ToString() + ", got ";
  std::string_view shown = text.substr(0, 64);
  if (ValidateUtf8(shown)) {
    AppendJsonString(shown, &msg);
  } else {
    msg += "bytes that are not UTF-8";
  }
  if (shown.size() < text.size()) msg += " (shortened)";
  if (outcome == ParseOutcome::kOutOfRange) msg += " (out of range)";
  if (outcome == ParseOutcome::kBadValue &&
      (type.id == TypeId::kDateTime || type.id == TypeId::kTimestamp)) {
    std::optional<TimeUnit> keeps = CoarsestTicksUnitOfText(text);
    if (keeps && *keeps > type.unit) msg += ", which " + FinerThanTicksUnit(type.unit, *keeps);
  }
  return msg;
}

}  // namespace tsb
