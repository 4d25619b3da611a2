// Test-side renderer: RowBatch cells -> the JSON value forms of the shared corpus's expected files
// (shared/testdata/README.md), and a splitter of one expected JSON object line into its top-level
// (key, raw value text) pairs. Used by parquet_reader_test.cc only.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tsbridge/row_batch.h"

namespace tsb::testing {

// ECMAScript Number#toString on the shortest round-trip digits of a binary64 (or binary32),
// with ".0" on integral values as the corpus writes them.
inline std::string JsNumber(double v, bool is_float) {
  if (std::isnan(v)) return "\"NaN\"";
  if (std::isinf(v)) return v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  std::to_chars_result r =
      is_float ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(v),
                               std::chars_format::scientific)
               : std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string s(buf, r.ptr);
  std::string sign;
  if (s[0] == '-') {
    sign = "-";
    s.erase(0, 1);
  }
  size_t e = s.find('e');
  int exp = std::stoi(s.substr(e + 1));
  std::string digits;
  for (char c : s.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int k = static_cast<int>(digits.size());
  int n = exp + 1;
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(n - k, '0') + ".0";
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, n) + "." + digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(-n, '0') + digits;
  } else {
    out = digits.substr(0, 1) + (k > 1 ? "." + digits.substr(1) : "") + "e" +
          (n - 1 >= 0 ? "+" : "-") + std::to_string(std::abs(n - 1));
  }
  return sign + out;
}

inline std::string Int128Text(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u =
      neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (u) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + s : s;
}

inline std::string DecimalText(__int128 v, int scale) {
  std::string digits = Int128Text(v < 0 ? -v : v);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale))
      digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, ".");
  }
  return (v < 0 ? "-" : "") + digits;
}

inline std::string CivilDate(int64_t days) {
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[80];
  std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  return buf;
}

inline std::string TimestampText(int64_t ticks, TimeUnit unit, bool utc) {
  int64_t per_sec = unit == TimeUnit::kSeconds  ? 1
                    : unit == TimeUnit::kMillis ? 1000
                    : unit == TimeUnit::kMicros ? 1000000
                                                : 1000000000;
  int digits = unit == TimeUnit::kSeconds  ? 0
               : unit == TimeUnit::kMillis ? 3
               : unit == TimeUnit::kMicros ? 6
                                           : 9;
  int64_t secs = ticks / per_sec, frac = ticks % per_sec;
  if (frac < 0) {
    frac += per_sec;
    --secs;
  }
  int64_t days = secs / 86400, sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  char buf[80];
  std::snprintf(buf, sizeof(buf), "T%02lld:%02lld:%02lld", static_cast<long long>(sod / 3600),
                static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60));
  std::string out = CivilDate(days) + buf;
  if (digits > 0) {
    std::string f = std::to_string(frac);
    out += "." + std::string(digits - f.size(), '0') + f;
  }
  return out + (utc ? "Z" : "");
}

inline std::string Base64(std::string_view in) {
  static const char kAlpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kAlpha[v >> 18];
    out += kAlpha[(v >> 12) & 63];
    out += kAlpha[(v >> 6) & 63];
    out += kAlpha[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kAlpha[v >> 18];
    out += kAlpha[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlpha[v >> 18];
    out += kAlpha[(v >> 12) & 63];
    out += kAlpha[(v >> 6) & 63];
    out += "=";
  }
  return out;
}

inline std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

// One cell in the corpus's JSON form.
inline std::string RenderCell(const Column& col, size_t i) {
  if (col.IsNull(i) || col.type().id == TypeId::kNull) return "null";
  const DataType& t = col.type();
  constexpr __int128 kMaxSafe = 9007199254740991;
  switch (t.id) {
    case TypeId::kBoolean:
      return col.GetBool(i) ? "true" : "false";
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: {
      __int128 v = col.GetInt(i);
      if (t.is_unsigned && t.id == TypeId::kInt64) v = static_cast<uint64_t>(col.GetInt(i));
      std::string s = Int128Text(v);
      return (v > kMaxSafe || v < -kMaxSafe) ? "\"" + s + "\"" : s;
    }
    case TypeId::kFloat:
      return JsNumber(col.GetDouble(i), true);
    case TypeId::kDouble:
      return JsNumber(col.GetDouble(i), false);
    case TypeId::kString:
      return JsonString(col.GetBytes(i));
    case TypeId::kBinary:
      return "{\"base64\":\"" + Base64(col.GetBytes(i)) + "\"}";
    case TypeId::kDecimal:
      return "\"" + DecimalText(col.GetInt128(i), t.scale) + "\"";
    case TypeId::kDate:
      return "\"" + CivilDate(col.GetInt(i)) + "\"";
    case TypeId::kDateTime:
    case TypeId::kTimestamp:
      return "\"" + TimestampText(col.GetInt(i), t.unit, t.utc) + "\"";
    case TypeId::kNull:
      return "null";
  }
  return "?";
}

// Splits `{"k":v,...}` into (key, raw value text) pairs; false if the line is not such an object.
inline bool SplitJsonObject(std::string_view line,
                            std::vector<std::pair<std::string, std::string>>* out) {
  out->clear();
  size_t i = 0;
  auto ws = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
  };
  auto scan_string = [&]() -> bool {  // at '"', moves past the closing quote
    ++i;
    while (i < line.size() && line[i] != '"') i += line[i] == '\\' ? 2 : 1;
    if (i >= line.size()) return false;
    ++i;
    return true;
  };
  ws();
  if (i >= line.size() || line[i] != '{') return false;
  ++i;
  ws();
  if (i < line.size() && line[i] == '}') return true;
  while (i < line.size()) {
    ws();
    if (line[i] != '"') return false;
    size_t k0 = i;
    if (!scan_string()) return false;
    std::string key(line.substr(k0 + 1, i - k0 - 2));
    ws();
    if (i >= line.size() || line[i] != ':') return false;
    ++i;
    ws();
    size_t v0 = i;
    int depth = 0;
    while (i < line.size()) {
      char c = line[i];
      if (c == '"') {
        if (!scan_string()) return false;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (depth == 0) break;
        --depth;
      }
      if (c == ',' && depth == 0) break;
      ++i;
    }
    if (i >= line.size()) return false;
    size_t v1 = i;
    while (v1 > v0 && line[v1 - 1] == ' ') --v1;
    out->emplace_back(std::move(key), std::string(line.substr(v0, v1 - v0)));
    if (line[i] == '}') return true;
    ++i;
  }
  return false;
}

}  // namespace tsb::testing
