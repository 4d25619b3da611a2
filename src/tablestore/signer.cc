// Tablestore V2 signing (wire doc A.2): canonical x-ots-* headers, HMAC-SHA1, and the x-ots-date
// format. See signer.h for the strings; the known-answer vectors are in tests/tablestore.
#include "tablestore/signer.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/ascii.h"
#include "core/crypto.h"
#include "core/value_text.h"

namespace tsb::ots {
namespace {

constexpr std::string_view kOtsPrefix = "x-ots-";
constexpr std::string_view kSignatureHeader = "x-ots-signature";

std::string_view Trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::string CanonicalOtsHeaders(std::span<const HeaderEntry> headers) {
  struct Entry {
    std::string name;
    std::string_view value;
  };
  std::vector<Entry> entries;
  entries.reserve(headers.size());
  for (const HeaderEntry& h : headers) {
    if (!StartsWithIgnoreCase(h.name, kOtsPrefix)) continue;
    std::string name(h.name);
    for (char& c : name) c = AsciiLower(c);
    if (name == kSignatureHeader) continue;
    entries.push_back({std::move(name), Trim(h.value)});
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.name < b.name; });
  std::string out;
  for (const Entry& e : entries) {
    out += e.name;
    out += ':';
    out += e.value;
    out += '\n';
  }
  return out;
}

std::string RequestStringToSign(std::string_view path, std::span<const HeaderEntry> headers) {
  std::string out(path);
  out += "\nPOST\n\n";
  out += CanonicalOtsHeaders(headers);
  return out;
}

std::string ResponseStringToSign(std::string_view path, std::span<const HeaderEntry> headers) {
  std::string out = CanonicalOtsHeaders(headers);
  out += path;
  return out;
}

std::string Signature(std::string_view access_key_secret, std::string_view string_to_sign) {
  return Base64Encode(HmacSha1(access_key_secret, string_to_sign));
}

std::string ResponseAuthorization(std::string_view access_key_id,
                                  std::string_view access_key_secret,
                                  std::string_view string_to_sign) {
  std::string out = "OTS ";
  out += access_key_id;
  out += ':';
  out += Signature(access_key_secret, string_to_sign);
  return out;
}

bool SignaturesEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string ContentMd5(std::string_view body) { return Base64Encode(Md5(body)); }

std::string FormatOtsDate(int64_t unix_micros, int fraction_digits) {
  int64_t secs = unix_micros / 1000000;
  int64_t micros = unix_micros % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[48];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02d:%02d:%02d",
                        static_cast<long long>(y), m, d, static_cast<int>(sod / 3600),
                        static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  std::string out(buf, static_cast<size_t>(n));
  fraction_digits = std::clamp(fraction_digits, 0, 6);
  if (fraction_digits > 0) {
    char frac[8];
    std::snprintf(frac, sizeof(frac), "%06lld", static_cast<long long>(micros));
    out += '.';
    out.append(frac, static_cast<size_t>(fraction_digits));
  }
  out += 'Z';
  return out;
}

Result<int64_t> ParseOtsDate(std::string_view text) {
  auto bad = [&]() {
    return Status::InvalidArgument("invalid x-ots-date \"" + std::string(text.substr(0, 64)) +
                                   "\": expected YYYY-MM-DDTHH:MM:SS[.fraction]Z");
  };
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !Digits(text, 0, 4, &year) || text[4] != '-' ||
      !Digits(text, 5, 2, &month) || text[7] != '-' || !Digits(text, 8, 2, &day) ||
      text[10] != 'T' || !Digits(text, 11, 2, &hour) || text[13] != ':' ||
      !Digits(text, 14, 2, &minute) || text[16] != ':' || !Digits(text, 17, 2, &second)) {
    return bad();
  }
  size_t pos = 19;
  int64_t micros = 0;
  if (text[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (scale > 0) {
        micros += (text[pos] - '0') * scale;
        scale /= 10;
      }
      ++pos;
    }
    if (pos - start > 9) return bad();
  }
  if (pos + 1 != text.size() || text[pos] != 'Z') return bad();
  static constexpr unsigned kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > kDaysInMonth[month - 1] ||
      hour > 23 || minute > 59 || second > 60) {
    return bad();
  }
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return bad();
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second;
  return secs * 1000000 + micros;
}

}  // namespace tsb::ots
