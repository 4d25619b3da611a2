// STS AssumeRole in the emulator (wire doc C.4): the POP RPC signature against Alibaba's published
// vector and two AssumeRole vectors, the service's answers and error codes, and the temporary
// credentials it issues as they are then checked on OTS requests (token, expiry, RAM policies).
#include "emulator/sts.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "emulator/config.h"
#include "emulator/server.h"
#include "support/emulator_fixture.h"
#include "tablestore/signer.h"
#include "tsbridge/tablestore/client.h"

using namespace tsb;
using namespace tsb::emulator;
using nlohmann::json;
using Params = std::vector<std::pair<std::string, std::string>>;

namespace {

int64_t SystemNowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Two accounts: 1111 owns the instance "demo", a reader user and three roles; 2222 has a user who
// may assume 1111's "cross" role, which trusts account 2222.
constexpr const char* kConfig = R"({
  "region": "cn-hangzhou",
  "sts": {"min_duration_seconds": 2, "max_duration_seconds": 7200},
  "accounts": [
    {"id": "1111", "access_keys": [{"id": "root1", "secret": "root1-secret"}],
     "instances": ["demo"],
     "users": [{"name": "alice", "access_keys": [{"id": "alice-key", "secret": "alice-secret"}],
                "policies": ["AliyunSTSAssumeRoleAccess"]},
               {"name": "bob", "access_keys": [{"id": "bob-key", "secret": "bob-secret"}],
                "policies": []}],
     "roles": [{"name": "reader", "policies": ["ReadDemo"],
                "trust_policy": {"Version": "1", "Statement": [{"Effect": "Allow",
                  "Action": "sts:AssumeRole", "Principal": {"RAM": ["acs:ram::1111:root"]}}]}},
               {"name": "only-bob",
                "trust_policy": {"Version": "1", "Statement": [{"Effect": "Allow",
                  "Action": "sts:AssumeRole", "Principal": {"RAM": ["acs:ram::1111:user/bob"]}}]}},
               {"name": "chainer", "policies": ["AliyunSTSAssumeRoleAccess"],
                "trust_policy": {"Version": "1", "Statement": [{"Effect": "Allow",
                  "Action": "sts:AssumeRole", "Principal": {"RAM": ["acs:ram::1111:root"]}}]}},
               {"name": "cross", "policies": ["AliyunOTSFullAccess"],
                "trust_policy": {"Version": "1", "Statement": [{"Effect": "Allow",
                  "Action": "sts:AssumeRole", "Principal": {"RAM": ["acs:ram::2222:root"]}}]}}],
     "policies": {"ReadDemo": {"Version": "1", "Statement": [{"Effect": "Allow",
       "Action": ["ots:ListTable", "ots:DescribeTable", "ots:GetRange"],
       "Resource": ["acs:ots:*:1111:instance/demo", "acs:ots:*:1111:instance/demo/table/*"]}]}}},
    {"id": "2222", "instances": [],
     "users": [{"name": "carol", "access_keys": [{"id": "carol-key", "secret": "carol-secret"}],
                "policies": ["AliyunSTSAssumeRoleAccess"]}]}]
})";

EmulatorConfig TestConfig() {
  auto config = ParseEmulatorConfig(kConfig);
  REQUIRE_MESSAGE(config.ok(), config.status().ToString());
  return std::move(config).value();
}

std::atomic<int> nonce_counter{0};

// A signed AssumeRole request's parameters (POST form, all in the body).
Params AssumeRoleParams(const std::string& key_id, const std::string& secret,
                        const std::string& role_arn, Params extra = {},
                        int64_t now_us = SystemNowMicros()) {
  Params p = {{"AccessKeyId", key_id},
              {"Action", "AssumeRole"},
              {"Format", "JSON"},
              {"RoleArn", role_arn},
              {"RoleSessionName", "tsbridge-test"},
              {"SignatureMethod", "HMAC-SHA1"},
              {"SignatureNonce", "nonce-" + std::to_string(++nonce_counter)},
              {"SignatureVersion", "1.0"},
              {"Timestamp", ots::FormatOtsDate(now_us, 0)},
              {"Version", "2015-04-01"}};
  for (auto& [k, v] : extra) {
    bool replaced = false;
    for (auto& [pk, pv] : p) {
      if (pk == k) {
        pv = v;
        replaced = true;
      }
    }
    if (!replaced) p.emplace_back(k, v);
  }
  p.emplace_back("Signature", PopSignature(secret, PopStringToSign("POST", p)));
  return p;
}

std::string Form(const Params& p) {
  std::string out;
  for (const auto& [k, v] : p) {
    if (!out.empty()) out += '&';
    out += PopPercentEncode(k) + "=" + PopPercentEncode(v);
  }
  return out;
}

struct Answer {
  int status;
  json body;
};

Answer Call(StsService& sts, const Params& p) {
  StsAnswer a = sts.Handle("POST", "", Form(p));
  return {a.http_status, json::parse(a.json)};
}

void CheckError(const Answer& a, int status, const std::string& code) {
  CHECK_MESSAGE(a.status == status, a.body.dump());
  CHECK_MESSAGE(a.body.value("Code", "") == code, a.body.dump());
  CHECK(a.body.value("HostId", "") == "sts.aliyuncs.com");
  CHECK(a.body.contains("RequestId"));
}

}  // namespace

TEST_CASE("sts: POP RPC signature, Alibaba's published vector (A)") {
  const Params p = {{"AccessKeyId", "testid"},
                    {"Action", "DescribeRegions"},
                    {"Format", "XML"},
                    {"SignatureMethod", "HMAC-SHA1"},
                    {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
                    {"SignatureVersion", "1.0"},
                    {"TimeStamp", "2016-02-23T12:46:24Z"},
                    {"Version", "2014-05-26"}};
  const std::string to_sign = PopStringToSign("GET", p);
  CHECK(to_sign ==
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod"
        "%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion"
        "%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26");
  CHECK(PopSignature("testsecret", to_sign) == "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
}

TEST_CASE("sts: POP RPC signature, AssumeRole vectors (B, C)") {
  Params p = {{"AccessKeyId", "LTAI5tTestKeyId0001"},
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
  const std::string b = PopStringToSign("POST", p);
  CHECK(b ==
        "POST&%2F&AccessKeyId%3DLTAI5tTestKeyId0001%26Action%3DAssumeRole%26DurationSeconds%3D360"
        "0%26Format%3DJSON%26RoleArn%3Dacs%253Aram%253A%253A1234567890123456%253Arole%252Fots-exp"
        "ort-role%26RoleSessionName%3Dots-cli.session_01%26SignatureMethod%3DHMAC-SHA1%26Signatur"
        "eNonce%3D9f1c2d3e-4b5a-6789-abcd-ef0123456789%26SignatureVersion%3D1.0%26Timestamp%3D202"
        "4-05-01T08%253A30%253A00Z%26Version%3D2015-04-01");
  CHECK(PopSignature("testsecret", b) == "zzoEPxEj/ybK0RTomJA3Gffbgss=");
  CHECK(PopPercentEncode(PopSignature("testsecret", b)) == "zzoEPxEj%2FybK0RTomJA3Gffbgss%3D");

  // C: a session policy (sorted between Format and RoleArn) and a secret with URL-special bytes.
  p.emplace_back(
      "Policy",
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":["ots:GetRange","ots:BatchWriteRow"],"Resource":["acs:ots:*:*:instance/my-inst*"]}]})");
  const std::string secret = "TestSecretKey+/=&~ 42";
  CHECK(PopSignature(secret, PopStringToSign("GET", p)) == "59Sec2F00mLKQbMlIEgNZu8ilfU=");
  CHECK(PopSignature(secret, PopStringToSign("POST", p)) == "MqbFXBoFgeEuqWNF2yUyb7yWFZA=");

  // The server side reads the vector's own encoding back to the same parameters.
  Params decoded;
  REQUIRE(ParseFormParams(Form(p), &decoded));
  CHECK(decoded == p);
}

TEST_CASE("sts: AssumeRole issues credentials bounded by the config") {
  EmulatorConfig config = TestConfig();
  CredentialStore credentials;
  const int64_t now = 1714552200000000;  // 2024-05-01T08:30:00Z
  StsService sts(&config, &credentials, [now] { return now; });

  Answer a = Call(sts, AssumeRoleParams("alice-key", "alice-secret", "acs:ram::1111:role/reader",
                                        {{"DurationSeconds", "900"}}, now));
  REQUIRE_MESSAGE(a.status == 200, a.body.dump());
  const json& c = a.body["Credentials"];
  const std::string id = c["AccessKeyId"];
  CHECK(id.rfind("STS.", 0) == 0);
  CHECK(c["AccessKeySecret"].get<std::string>().size() >= 30);
  CHECK(c["SecurityToken"].get<std::string>().size() >= 100);
  CHECK(c["Expiration"] == "2024-05-01T08:45:00Z");
  CHECK(a.body["AssumedRoleUser"]["Arn"] == "acs:ram::1111:role/reader/tsbridge-test");
  CHECK(a.body["AssumedRoleUser"]["AssumedRoleId"].get<std::string>().ends_with(":tsbridge-test"));
  auto issued = credentials.Find(id);
  REQUIRE(issued != nullptr);
  CHECK(issued->key.secret == c["AccessKeySecret"]);
  CHECK(issued->security_token == c["SecurityToken"]);
  CHECK(issued->role->name == "reader");
  CHECK(issued->account->id == "1111");
  CHECK(issued->session_name == "tsbridge-test");
  CHECK(issued->expires_us == now + 900 * 1000000LL);

  SUBCASE("the default duration is an hour; the config's bounds and the role's max apply") {
    Answer d = Call(
        sts, AssumeRoleParams("alice-key", "alice-secret", "acs:ram::1111:role/reader", {}, now));
    REQUIRE(d.status == 200);
    CHECK(d.body["Credentials"]["Expiration"] == "2024-05-01T09:30:00Z");
    // 2 s is the config's minimum (below STS's own 900 s, for tests).
    CHECK(Call(sts, AssumeRoleParams("alice-key", "alice-secret", "acs:ram::1111:role/reader",
                                     {{"DurationSeconds", "2"}}, now))
              .status == 200);
    Answer low =
        Call(sts, AssumeRoleParams("alice-key", "alice-secret", "acs:ram::1111:role/reader",
                                   {{"DurationSeconds", "1"}}, now));
    CheckError(low, 400, "InvalidParameter.DurationSeconds");
    CHECK(low.body["Message"] == "The Min/Max value of DurationSeconds is 2s/3600s.");
    // The config allows 7200, the role's max_session_duration (default 3600) does not.
    CheckError(Call(sts, AssumeRoleParams("alice-key", "alice-secret", "acs:ram::1111:role/reader",
                                          {{"DurationSeconds", "7200"}}, now)),
               400, "InvalidParameter.DurationSeconds");
    CheckError(Call(sts, AssumeRoleParams("alice-key", "alice-secret", "acs:ram::1111:role/reader",
                                          {{"DurationSeconds", "12x"}}, now)),
               400, "InvalidParameter.DurationSeconds");
  }
  SUBCASE("the root key may assume a role that trusts its account") {
    CHECK(Call(sts, AssumeRoleParams("root1", "root1-secret", "acs:ram::1111:role/reader", {}, now))
              .status == 200);
  }
  SUBCASE("cross-account: a user of 2222 assumes 1111's role that trusts 2222") {
    Answer x = Call(
        sts, AssumeRoleParams("carol-key", "carol-secret", "acs:ram::1111:role/cross", {}, now));
    REQUIRE_MESSAGE(x.status == 200, x.body.dump());
    auto session = credentials.Find(x.body["Credentials"]["AccessKeyId"].get<std::string>());
    REQUIRE(session != nullptr);
    CHECK(session->account->id == "1111");
    // 2222's user is not trusted by the reader role (it trusts 1111 only).
    CheckError(Call(sts, AssumeRoleParams("carol-key", "carol-secret", "acs:ram::1111:role/reader",
                                          {}, now)),
               403, "NoPermission");
  }
  SUBCASE("the trust policy and the caller's own policies decide: NoPermission") {
    // only-bob trusts bob alone; alice is refused by the trust policy.
    Answer refused = Call(
        sts, AssumeRoleParams("alice-key", "alice-secret", "acs:ram::1111:role/only-bob", {}, now));
    CheckError(refused, 403, "NoPermission");
    CHECK(refused.body["Message"] ==
          "You are not authorized to do this action. You should be authorized by RAM.");
    // bob is trusted, but has no sts:AssumeRole permission of his own.
    CheckError(Call(sts, AssumeRoleParams("bob-key", "bob-secret", "acs:ram::1111:role/only-bob",
                                          {}, now)),
               403, "NoPermission");
  }
}

TEST_CASE("sts: a role session may assume another role when its role's policies allow it") {
  EmulatorConfig config = TestConfig();
  CredentialStore credentials;
  const int64_t now = 1714552200000000;
  StsService sts(&config, &credentials, [now] { return now; });
  auto session_of = [&](const std::string& role) {
    Answer a = Call(
        sts, AssumeRoleParams("alice-key", "alice-secret", "acs:ram::1111:role/" + role, {}, now));
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    return a.body["Credentials"];
  };
  const json chainer = session_of("chainer");
  Params with_token = {{"SecurityToken", chainer["SecurityToken"]}};
  Answer chained = Call(sts, AssumeRoleParams(chainer["AccessKeyId"], chainer["AccessKeySecret"],
                                              "acs:ram::1111:role/reader", with_token, now));
  CHECK_MESSAGE(chained.status == 200, chained.body.dump());
  // The SecurityToken parameter must be the one issued with the key.
  CheckError(Call(sts, AssumeRoleParams(chainer["AccessKeyId"], chainer["AccessKeySecret"],
                                        "acs:ram::1111:role/reader",
                                        {{"SecurityToken", "CAISmadeUp"}}, now)),
             400, "InvalidSecurityToken.Malformed");
  // The reader role has no sts:AssumeRole permission.
  const json reader = session_of("reader");
  CheckError(Call(sts, AssumeRoleParams(reader["AccessKeyId"], reader["AccessKeySecret"],
                                        "acs:ram::1111:role/reader",
                                        {{"SecurityToken", reader["SecurityToken"]}}, now)),
             403, "NoPermission");
  // A wrong signature with a token: the echoed string to sign masks it.
  Answer bad = Call(sts, AssumeRoleParams(chainer["AccessKeyId"], "wrong",
                                          "acs:ram::1111:role/reader", with_token, now));
  CheckError(bad, 400, "SignatureDoesNotMatch");
  CHECK(bad.body["Message"].get<std::string>().find(chainer["SecurityToken"].get<std::string>()) ==
        std::string::npos);
  CHECK(bad.body["Message"].get<std::string>().find("SecurityToken%3D%252A%252A%252A") !=
        std::string::npos);
}

TEST_CASE("sts: AssumeRole refusals carry STS's codes") {
  EmulatorConfig config = TestConfig();
  CredentialStore credentials;
  const int64_t now = 1714552200000000;
  StsService sts(&config, &credentials, [now] { return now; });
  const std::string reader = "acs:ram::1111:role/reader";

  CheckError(Call(sts, AssumeRoleParams("nobody", "x", reader, {}, now)), 404,
             "InvalidAccessKeyId.NotFound");
  CheckError(
      Call(sts, AssumeRoleParams("alice-key", "alice-secret", "acs:ram::1111:role/ghost", {}, now)),
      404, "EntityNotExist.Role");
  CheckError(Call(sts, AssumeRoleParams("alice-key", "alice-secret", "acs:ram::9999:role/reader",
                                        {}, now)),
             404, "EntityNotExist.Role");
  CheckError(Call(sts, AssumeRoleParams("alice-key", "alice-secret", "arn:reader", {}, now)), 400,
             "InvalidParameter.RoleArn");
  CheckError(Call(sts, AssumeRoleParams("alice-key", "alice-secret", reader,
                                        {{"RoleSessionName", "a"}}, now)),
             400, "InvalidParameter.RoleSessionName");
  CheckError(Call(sts, AssumeRoleParams("alice-key", "alice-secret", reader,
                                        {{"Policy", "{\"Version\": \"1\"}"}}, now)),
             400, "InvalidParameter.PolicyGrammar");
  CheckError(Call(sts, AssumeRoleParams("alice-key", "alice-secret", reader,
                                        {{"Policy", std::string(1100, ' ')}}, now)),
             400, "InvalidParameter.PolicySize");
  CheckError(Call(sts, AssumeRoleParams("alice-key", "alice-secret", reader,
                                        {{"Timestamp", "2024-05-01 08:30:00"}}, now)),
             400, "InvalidTimeStamp.Format");
  CheckError(Call(sts, AssumeRoleParams("alice-key", "alice-secret", reader, {},
                                        now - 16 * 60 * 1000000LL)),
             400, "InvalidTimeStamp.Expired");

  SUBCASE("a wrong secret: SignatureDoesNotMatch, echoing the string to sign but no secret") {
    Answer a = Call(sts, AssumeRoleParams("alice-key", "not-alice-secret", reader, {}, now));
    CheckError(a, 400, "SignatureDoesNotMatch");
    const std::string message = a.body["Message"];
    CHECK(message.rfind("Specified signature is not matched with our calculation. server string "
                        "to sign is:POST&%2F&AccessKeyId%3Dalice-key%26",
                        0) == 0);
    CHECK(message.find("alice-secret") == std::string::npos);
  }
  SUBCASE("a nonce is used once") {
    Params p = AssumeRoleParams("alice-key", "alice-secret", reader, {}, now);
    CHECK(Call(sts, p).status == 200);
    CheckError(Call(sts, p), 400, "SignatureNonceUsed");
  }
  SUBCASE("missing parameters and other actions") {
    Params p = AssumeRoleParams("alice-key", "alice-secret", reader, {}, now);
    std::erase_if(p, [](const auto& kv) { return kv.first == "SignatureNonce"; });
    Answer a = Call(sts, p);
    CheckError(a, 400, "MissingSignatureNonce");
    CHECK(a.body["Message"] == "SignatureNonce is mandatory for this action.");
    CheckError(Call(sts, AssumeRoleParams("alice-key", "alice-secret", reader,
                                          {{"Action", "GetCallerIdentity"}}, now)),
               404, "InvalidAction.NotFound");
  }
  SUBCASE("GET with every parameter in the query verifies too") {
    Params p = AssumeRoleParams("alice-key", "alice-secret", reader, {}, now);
    p.pop_back();
    p.emplace_back("Signature", PopSignature("alice-secret", PopStringToSign("GET", p)));
    StsAnswer a = sts.Handle("GET", Form(p), "");
    CHECK_MESSAGE(a.http_status == 200, a.json);
  }
}

TEST_CASE("sts: temporary credentials on OTS requests: token, expiry and the role's policies") {
  emulator::EmulatorOptions options = testing::EmulatorTestOptions();
  options.config = TestConfig();
  EmulatorServer server(std::move(options));
  REQUIRE(server.Start().ok());

  httplib::Client http(server.host(), server.port());
  auto assume = [&](const std::string& key, const std::string& secret, const std::string& role,
                    Params extra = {}) {
    auto r = http.Post("/", Form(AssumeRoleParams(key, secret, role, std::move(extra))),
                       "application/x-www-form-urlencoded");
    REQUIRE(r);
    CHECK(r->get_header_value("Content-Type").starts_with("application/json"));
    REQUIRE_MESSAGE(r->status == 200, r->body);
    return json::parse(r->body)["Credentials"];
  };
  auto client_of = [&](std::string id, std::string secret, std::string token) {
    ots::ClientOptions o;
    o.endpoint = server.endpoint();
    o.instance = "demo";
    o.credentials.access_key_id = std::move(id);
    o.credentials.access_key_secret = std::move(secret);
    o.credentials.security_token = std::move(token);
    o.retry_env = nullptr;
    auto c = ots::Client::Create(o);
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    return std::move(c).value();
  };

  // The root key creates the table, then the reader role reads and is refused a write.
  auto root = client_of("root1", "root1-secret", "");
  ots::CreateTableRequest create;
  create.meta.name = "orders";
  create.meta.primary_key = {{"id", ots::PrimaryKeyType::kInteger}};
  REQUIRE(root->CreateTable(create).ok());

  const json c = assume("alice-key", "alice-secret", "acs:ram::1111:role/reader");
  auto reader = client_of(c["AccessKeyId"], c["AccessKeySecret"], c["SecurityToken"]);
  auto tables = reader->ListTable();
  REQUIRE_MESSAGE(tables.ok(), tables.status().ToString());
  CHECK(*tables == std::vector<std::string>{"orders"});
  CHECK(reader->DescribeTable("orders").ok());
  Status del = reader->DeleteTable("orders");
  CHECK(del.ots_code() == "OTSNoPermissionAccess");
  CHECK(del.http_status() == 403);
  // The client prefixes the table and operation.
  CHECK(del.message() ==
        "table orders: DeleteTable: "
        "You have no permission to access the requested resource, please contact the resource "
        "owner. Action: ots:DeleteTable, Resource: "
        "acs:ots:cn-hangzhou:1111:instance/demo/table/orders.");

  SUBCASE("a token the emulator did not issue, another key's token, no token") {
    auto made_up = client_of(c["AccessKeyId"], c["AccessKeySecret"], "CAISmadeUpToken");
    Status s = made_up->ListTable().status();
    CHECK(s.ots_code() == "OTSAuthFailed");
    CHECK(s.message() ==
          "ListTable: The SecurityToken is invalid: it was not issued for this AccessKeyID.");
    // The token with a long-term key.
    auto other_key = client_of("alice-key", "alice-secret", c["SecurityToken"]);
    CHECK(other_key->ListTable().status().ots_code() == "OTSAuthFailed");
    auto without = client_of(c["AccessKeyId"], c["AccessKeySecret"], "");
    CHECK(without->ListTable().status().ots_code() == "OTSAuthFailed");
  }
  SUBCASE("a session policy narrows the role") {
    const json narrowed = assume(
        "alice-key", "alice-secret", "acs:ram::1111:role/reader",
        {{"Policy", R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"ots:ListTable",)"
                    R"("Resource":"*"}]})"}});
    auto session =
        client_of(narrowed["AccessKeyId"], narrowed["AccessKeySecret"], narrowed["SecurityToken"]);
    CHECK(session->ListTable().ok());
    CHECK(session->DescribeTable("orders").status().ots_code() == "OTSNoPermissionAccess");
  }
  SUBCASE("credentials expire") {
    const json short_lived = assume("alice-key", "alice-secret", "acs:ram::1111:role/reader",
                                    {{"DurationSeconds", "2"}});
    auto session = client_of(short_lived["AccessKeyId"], short_lived["AccessKeySecret"],
                             short_lived["SecurityToken"]);
    CHECK(session->ListTable().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(3100));
    Status s = session->ListTable().status();
    CHECK(s.ots_code() == "OTSAuthFailed");
    CHECK(s.message() == "ListTable: The SecurityToken has expired.");
  }
}

TEST_CASE("sts: without a config, any token is refused") {
  testing::EmulatorFixture emu("plain");
  ots::ClientOptions o = emu.ClientConfig();
  o.credentials.security_token = "CAISanyTokenAtAll";
  auto c = ots::Client::Create(o);
  REQUIRE(c.ok());
  Status s = (*c)->ListTable().status();
  CHECK(s.ots_code() == "OTSAuthFailed");
  CHECK(emu.client->ListTable().ok());
}
