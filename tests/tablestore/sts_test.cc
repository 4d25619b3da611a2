#include "tsbridge/tablestore/sts.h"

#include <doctest/doctest.h>

#include <map>

using namespace tsb;
using namespace tsb::ots;

namespace {

std::map<std::string, std::string> VectorB() {
  return {{"AccessKeyId", "LTAI5tTestKeyId0001"},
          {"Action", "AssumeRole"},
          {"DurationSeconds", "3600"},
          {"Format", "JSON"},
          {"RoleArn", "acs:ram::1234567890123456:role/ots-export-role"},
          {"RoleSessionName", "ots-cli.session_01"},
          {"SignatureMethod", "HMAC-SHA1"},
          {"SignatureNonce", "9f1c2d3e-4b5a-6789-abcd-ef0123456789"},
          {"SignatureVersion", "1.0"},
          {"Timestamp", "2024-05-01T08:30:00Z"},
          {"Version", "2015-04-01"}};
}

}  // namespace

// Wire doc C.4: Alibaba's published example, reproduced.
TEST_CASE("POP signing: vector A, the published DescribeRegions example") {
  std::map<std::string, std::string> params = {
      {"AccessKeyId", "testid"},
      {"Action", "DescribeRegions"},
      {"Format", "XML"},
      {"SignatureMethod", "HMAC-SHA1"},
      {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
      {"SignatureVersion", "1.0"},
      {"TimeStamp", "2016-02-23T12:46:24Z"},
      {"Version", "2014-05-26"}};
  const std::string to_sign = PopStringToSign("GET", params);
  CHECK(to_sign ==
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26"
        "SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26"
        "SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26");
  CHECK(PopSignature("testsecret", to_sign) == "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
}

TEST_CASE("POP signing: vector B, AssumeRole by POST") {
  const std::string to_sign = PopStringToSign("POST", VectorB());
  CHECK(to_sign ==
        "POST&%2F&AccessKeyId%3DLTAI5tTestKeyId0001%26Action%3DAssumeRole%26DurationSeconds%"
        "3D3600%26Format%3DJSON%26RoleArn%3Dacs%253Aram%253A%253A1234567890123456%253Arole%"
        "252Fots-export-role%26RoleSessionName%3Dots-cli.session_01%26SignatureMethod%3DHMAC-"
        "SHA1%26SignatureNonce%3D9f1c2d3e-4b5a-6789-abcd-ef0123456789%26SignatureVersion%3D1.0%"
        "26Timestamp%3D2024-05-01T08%253A30%253A00Z%26Version%3D2015-04-01");
  const std::string signature = PopSignature("testsecret", to_sign);
  CHECK(signature == "zzoEPxEj/ybK0RTomJA3Gffbgss=");
  CHECK(PopPercentEncode(signature) == "zzoEPxEj%2FybK0RTomJA3Gffbgss%3D");
}

TEST_CASE("POP signing: vector C, a session policy and a secret of special characters") {
  auto params = VectorB();
  params["Policy"] =
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":["ots:GetRange","ots:BatchWriteRow"],"Resource":["acs:ots:*:*:instance/my-inst*"]}]})";
  const std::string secret = "TestSecretKey+/=&~ 42";
  CHECK(PopSignature(secret, PopStringToSign("GET", params)) == "59Sec2F00mLKQbMlIEgNZu8ilfU=");
  CHECK(PopSignature(secret, PopStringToSign("POST", params)) == "MqbFXBoFgeEuqWNF2yUyb7yWFZA=");
}

TEST_CASE("percent-encoding keeps only the unreserved characters") {
  CHECK(PopPercentEncode("a-Z_0.~") == "a-Z_0.~");
  CHECK(PopPercentEncode(" *+/:=&%") == "%20%2A%2B%2F%3A%3D%26%25");
  CHECK(PopPercentEncode("\xC3\xA9") == "%C3%A9");
}

TEST_CASE("the default STS endpoint follows the region") {
  CHECK(DefaultStsEndpoint("cn-shanghai") == "https://sts.cn-shanghai.aliyuncs.com");
  CHECK(DefaultStsEndpoint("") == "https://sts.aliyuncs.com");
}

TEST_CASE("session names: given, from the environment, or tsbridge-HOST") {
  std::map<std::string, std::string> vars;
  Environment env = Environment::System();
  env.get_env = [&](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  CHECK(*ChooseSessionName("nightly.orders@ci", env) == "nightly.orders@ci");
  auto bad = ChooseSessionName("has space", env);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("2 to 32") != std::string::npos);
  CHECK_FALSE(ChooseSessionName(std::string(33, 'a'), env).ok());

  vars["ALIBABA_CLOUD_ROLE_SESSION_NAME"] = "from-env";
  CHECK(*ChooseSessionName("", env) == "from-env");
  vars["ALIBABA_CLOUD_ROLE_SESSION_NAME"] = "x";
  auto short_name = ChooseSessionName("", env);
  REQUIRE_FALSE(short_name.ok());
  CHECK(short_name.status().message().find("ALIBABA_CLOUD_ROLE_SESSION_NAME") != std::string::npos);

  vars.clear();
  auto host = ChooseSessionName("", env);
  REQUIRE(host.ok());
  CHECK(host->starts_with("tsbridge-"));
  CHECK(host->size() <= 32);
  for (char c : *host) {
    CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'));
  }
}

TEST_CASE("renewal: 180 s before expiry, or at two thirds of a short lifetime") {
  using std::chrono::seconds;
  const auto t0 = std::chrono::system_clock::time_point(seconds(1'700'000'000));
  CHECK(RenewAt(t0, t0 + seconds(3600)) == t0 + seconds(3420));
  CHECK(RenewAt(t0, t0 + seconds(900)) == t0 + seconds(720));
  CHECK(RenewAt(t0, t0 + seconds(6)) == t0 + seconds(4));
  CHECK(RenewAt(t0, t0 + seconds(300)) == t0 + seconds(200));
}
