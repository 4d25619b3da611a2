// Signing tests: the wire doc's request vectors V1-V3 and response vector R1 (A.2), content MD5,
// and the x-ots-date formatter/parser.
#include <doctest/doctest.h>

#include <vector>

#include "tablestore/signer.h"

namespace tsb::ots {
namespace {

constexpr std::string_view kKeyId = "tsbAcceptKey";
constexpr std::string_view kSecret = "tsbAcceptSecret0123456789";
constexpr std::string_view kDate = "2026-01-01T00:00:00.000Z";

std::vector<HeaderEntry> RequestHeaders(std::string_view md5) {
  // Node's order and case, plus headers that must not be signed.
  return {{"x-ots-date", kDate},
          {"x-ots-apiversion", "2015-12-31"},
          {"x-ots-accesskeyid", kKeyId},
          {"x-ots-instancename", "accept"},
          {"x-ots-contentmd5", md5},
          {"Host", "accept.cn-hangzhou.ots.aliyuncs.com"},
          {"Content-Length", "0"},
          {"x-ots-signature", "ignored"}};
}

TEST_CASE("signer: V1 ListTable") {
  std::string md5 = ContentMd5("");
  CHECK(md5 == "1B2M2Y8AsgTpgAmY7PhCfg==");
  auto headers = RequestHeaders(md5);
  std::string sts = RequestStringToSign("/ListTable", headers);
  CHECK(sts ==
        "/ListTable\nPOST\n\nx-ots-accesskeyid:tsbAcceptKey\nx-ots-apiversion:2015-12-31\n"
        "x-ots-contentmd5:1B2M2Y8AsgTpgAmY7PhCfg==\nx-ots-date:2026-01-01T00:00:00.000Z\n"
        "x-ots-instancename:accept\n");
  CHECK(Signature(kSecret, sts) == "Y9NWeR65y9VEEcv5SSREQ4ZKPJE=");
}

TEST_CASE("signer: V2 with STS token, mixed-case names and padded values") {
  std::vector<HeaderEntry> headers = {{"X-OTS-StsToken", "  tsbAcceptStsToken\t"},
                                      {"X-Ots-Date", kDate},
                                      {"x-ots-apiversion", "2015-12-31"},
                                      {"x-ots-accesskeyid", kKeyId},
                                      {"x-ots-instancename", "accept"},
                                      {"x-ots-contentmd5", "1B2M2Y8AsgTpgAmY7PhCfg=="}};
  std::string sts = RequestStringToSign("/ListTable", headers);
  CHECK(sts.ends_with("x-ots-instancename:accept\nx-ots-ststoken:tsbAcceptStsToken\n"));
  CHECK(Signature(kSecret, sts) == "AC4hQQpaiboufn5924Uko4IpJ8k=");
}

TEST_CASE("signer: V3 DescribeTable") {
  std::string body("\x0a\x02t1", 4);
  std::string md5 = ContentMd5(body);
  CHECK(md5 == "sNnO8EJ2mwgU0Z/k1zqY2g==");
  std::string sts = RequestStringToSign("/DescribeTable", RequestHeaders(md5));
  CHECK(sts ==
        "/DescribeTable\nPOST\n\nx-ots-accesskeyid:tsbAcceptKey\nx-ots-apiversion:2015-12-31\n"
        "x-ots-contentmd5:sNnO8EJ2mwgU0Z/k1zqY2g==\nx-ots-date:2026-01-01T00:00:00.000Z\n"
        "x-ots-instancename:accept\n");
  CHECK(Signature(kSecret, sts) == "bn+bVtxDYW92D7CBRAzs6Fg3NkA=");
}

TEST_CASE("signer: R1 response signature") {
  std::vector<HeaderEntry> headers = {{"x-ots-requestid", "00000000-0000-0000-0000-000000000001"},
                                      {"x-ots-contenttype", "protocol buffer"},
                                      {"x-ots-date", kDate},
                                      {"x-ots-contentmd5", "sNnO8EJ2mwgU0Z/k1zqY2g=="},
                                      {"Date", "ignored"}};
  std::string sts = ResponseStringToSign("/ListTable", headers);
  CHECK(sts ==
        "x-ots-contentmd5:sNnO8EJ2mwgU0Z/k1zqY2g==\nx-ots-contenttype:protocol buffer\n"
        "x-ots-date:2026-01-01T00:00:00.000Z\nx-ots-requestid:00000000-0000-0000-0000-000000000001\n"
        "/ListTable");
  CHECK(ResponseAuthorization(kKeyId, kSecret, sts) == "OTS tsbAcceptKey:bwfv6YqVTpVJ5xRzOh3kgaUMAUs=");
  CHECK(SignaturesEqual("bwfv6YqVTpVJ5xRzOh3kgaUMAUs=", "bwfv6YqVTpVJ5xRzOh3kgaUMAUs="));
  CHECK(!SignaturesEqual("bwfv6YqVTpVJ5xRzOh3kgaUMAUs=", "bwfv6YqVTpVJ5xRzOh3kgaUMAUt="));
  CHECK(!SignaturesEqual("abc", "abcd"));
}

TEST_CASE("x-ots-date: format") {
  // 2026-01-01T00:00:00Z = 1767225600 s.
  constexpr int64_t kMicros = 1767225600LL * 1000000;
  CHECK(FormatOtsDate(kMicros) == "2026-01-01T00:00:00.000Z");
  CHECK(FormatOtsDate(kMicros + 680616, 6) == "2026-01-01T00:00:00.680616Z");
  CHECK(FormatOtsDate(kMicros + 680616, 3) == "2026-01-01T00:00:00.680Z");
  CHECK(FormatOtsDate(kMicros, 0) == "2026-01-01T00:00:00Z");
  CHECK(FormatOtsDate(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatOtsDate(951782400LL * 1000000 + 86399999999LL) == "2000-02-29T23:59:59.999Z");
  CHECK(FormatOtsDate(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("x-ots-date: parse accepts 0-9 fraction digits") {
  constexpr int64_t kMicros = 1767225600LL * 1000000;
  struct Case {
    const char* text;
    int64_t micros;
  } cases[] = {
      {"2026-01-01T00:00:00Z", kMicros},
      {"2026-01-01T00:00:00.Z", kMicros},
      {"2026-01-01T00:00:00.1Z", kMicros + 100000},
      {"2026-01-01T00:00:00.000Z", kMicros},
      {"2026-01-01T00:00:00.1112Z", kMicros + 111200},
      {"2026-01-01T00:00:00.680616Z", kMicros + 680616},
      {"2026-01-01T00:00:00.123456789Z", kMicros + 123456},
      {"1970-01-01T00:00:00.000Z", 0},
      {"2000-02-29T23:59:59.999Z", 951782400LL * 1000000 + 86399999000LL},
  };
  for (const Case& tc : cases) {
    CAPTURE(tc.text);
    auto r = ParseOtsDate(tc.text);
    REQUIRE(r.ok());
    CHECK(*r == tc.micros);
  }
  for (const char* bad : {"", "2026-01-01T00:00:00", "2026-01-01T00:00:00.0000000000Z",
                          "2026-01-01 00:00:00Z", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
                          "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+08:00",
                          "2026-01-01T00:00:00.000Zjunk", "Thu, 01 Jan 2026 00:00:00 GMT"}) {
    CAPTURE(bad);
    auto r = ParseOtsDate(bad);
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
  }
  // Round trip.
  for (int64_t t : {int64_t{0}, int64_t{1767225600123000}, int64_t{4102444799999000}}) {
    CHECK(*ParseOtsDate(FormatOtsDate(t)) == t);
  }
}

}  // namespace
}  // namespace tsb::ots
