// RAM policies in the emulator (wire doc C.6): grammar errors with their JSON paths, wildcard
// matching, evaluation (explicit Deny wins, NotAction, implicit deny), trust policies across
// accounts, and the tables a request names, read from its protobuf body.
#include "emulator/policy.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "emulator/auth.h"
#include "tablestore/proto/table_store.pb.h"

using namespace tsb;
using namespace tsb::emulator;
namespace pb = tsb::ots::pb;

namespace {

PolicyDocument Policy(const char* text, PolicyKind kind = PolicyKind::kPermission) {
  auto doc = ParsePolicyText(text, kind);
  REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  return std::move(doc).value();
}

std::string GrammarError(const char* text, PolicyKind kind = PolicyKind::kPermission) {
  auto doc = ParsePolicyText(text, kind);
  REQUIRE_FALSE(doc.ok());
  return doc.status().message();
}

PolicyDecision Decide(const std::vector<const PolicyDocument*>& docs, const char* action,
                      const char* resource) {
  return Evaluate(docs, action, resource);
}

constexpr const char* kTable = "acs:ots:cn-hangzhou:1111:instance/demo/table/orders";

}  // namespace

TEST_CASE("policy: grammar errors name their path") {
  CHECK(GrammarError(R"({"Statement": []})") == "Policy.Version: missing");
  CHECK(GrammarError(R"({"Version": "2", "Statement": []})") == "Policy.Version: expected \"1\"");
  CHECK(GrammarError(R"({"Version": "1", "Statement": {}})") ==
        "Policy.Statement: expected an array of statements");
  CHECK(GrammarError(R"({"Version": "1", "Statement": [{"Effect": "allow", "Action": "ots:*",
                         "Resource": "*"}]})") ==
        "Policy.Statement[0].Effect: expected \"Allow\" or \"Deny\"");
  CHECK(GrammarError(R"({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ots:*",
                         "NotAction": "ots:Get*", "Resource": "*"}]})") ==
        "Policy.Statement[0].Action: expected exactly one of Action and NotAction");
  CHECK(GrammarError(R"({"Version": "1", "Statement": [{"Effect": "Allow",
                         "Action": ["ots:GetRow", 7], "Resource": "*"}]})") ==
        "Policy.Statement[0].Action[1]: expected a non-empty string");
  CHECK(
      GrammarError(R"({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ots:*"}]})") ==
      "Policy.Statement[0].Resource: missing");
  CHECK(GrammarError(R"({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ots:*",
                         "Resource": "*", "Principal": {"RAM": ["acs:ram::1:root"]}}]})") ==
        "Policy.Statement[0].Principal: only a role's trust policy names principals");
  CHECK(GrammarError(R"({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ots:*",
                         "Resource": "*", "Condition": {"IpAddress": {}}}]})")
            .starts_with("Policy.Statement[0].Condition: not supported"));
  CHECK(GrammarError(R"({"Version": "1", "Statement": [{"Effect": "Allow",
                         "Action": "sts:AssumeRole", "Principal": {"RAM": ["1111"]}}]})",
                     PolicyKind::kTrust)
            .starts_with("Policy.Statement[0].Principal.RAM[0]: expected \"acs:ram::UID:root\""));
  CHECK(GrammarError("{not json") == "Policy: not valid JSON");
}

TEST_CASE("policy: wildcards") {
  CHECK(WildcardMatch("ots:Get*", "ots:GetRange", true));
  CHECK(WildcardMatch("OTS:get*", "ots:GetRange", true));
  CHECK_FALSE(WildcardMatch("ots:Get*", "ots:BatchGetRow", true));
  CHECK(WildcardMatch("*", "", false));
  CHECK(WildcardMatch("acs:ots:*:*:instance/demo*", kTable, false));
  CHECK(WildcardMatch("acs:ots:*:1111:instance/demo/table/ord?rs", kTable, false));
  CHECK_FALSE(WildcardMatch("acs:ots:*:2222:instance/demo/table/*", kTable, false));
  // An instance-level resource does not cover its tables without a wildcard.
  CHECK_FALSE(WildcardMatch("acs:ots:*:1111:instance/demo", kTable, false));
  CHECK_FALSE(WildcardMatch("acs:ots:*:1111:instance/DEMO/table/*", kTable, false));
  // Many stars stay linear and still match correctly.
  CHECK_FALSE(WildcardMatch(std::string(50, '*') + "b", std::string(5000, 'a'), false));
  CHECK(WildcardMatch("a*b*c*d", "axxbyyczzd", false));
  CHECK_FALSE(WildcardMatch("a*b*c*d", "axxbyyczz", false));
}

TEST_CASE("policy: evaluation: explicit Deny wins, NotAction, implicit deny") {
  const PolicyDocument read = Policy(R"({"Version": "1", "Statement": [{"Effect": "Allow",
      "Action": ["ots:Get*", "ots:DescribeTable"], "Resource": "acs:ots:*:1111:instance/demo/*"}]})");
  const PolicyDocument full = Policy(R"({"Version": "1", "Statement": [{"Effect": "Allow",
      "Action": "ots:*", "Resource": "*"}]})");
  const PolicyDocument deny_writes = Policy(R"({"Version": "1", "Statement": [{"Effect": "Deny",
      "Action": ["ots:BatchWriteRow", "ots:Put*"], "Resource": "*"}]})");
  const PolicyDocument all_but_delete = Policy(R"({"Version": "1", "Statement": [
      {"Effect": "Allow", "NotAction": "ots:Delete*", "Resource": "*"}]})");

  CHECK(Decide({&read}, "ots:GetRange", kTable) == PolicyDecision::kAllow);
  CHECK(Decide({&read}, "ots:BatchWriteRow", kTable) == PolicyDecision::kImplicitDeny);
  CHECK(Decide({&read}, "ots:GetRange", "acs:ots:cn-hangzhou:1111:instance/other/table/orders") ==
        PolicyDecision::kImplicitDeny);
  CHECK(Decide({}, "ots:GetRange", kTable) == PolicyDecision::kImplicitDeny);
  // Deny wins over an Allow in another document, in either order.
  CHECK(Decide({&full, &deny_writes}, "ots:BatchWriteRow", kTable) ==
        PolicyDecision::kExplicitDeny);
  CHECK(Decide({&deny_writes, &full}, "ots:PutRow", kTable) == PolicyDecision::kExplicitDeny);
  CHECK(Decide({&full, &deny_writes}, "ots:GetRange", kTable) == PolicyDecision::kAllow);
  CHECK(Decide({&all_but_delete}, "ots:BatchWriteRow", kTable) == PolicyDecision::kAllow);
  CHECK(Decide({&all_but_delete}, "ots:DeleteTable", kTable) == PolicyDecision::kImplicitDeny);
  // A Deny with NotAction denies everything else.
  const PolicyDocument deny_all_but_get = Policy(R"({"Version": "1", "Statement": [
      {"Effect": "Deny", "NotAction": "ots:GetRange", "Resource": "*"}]})");
  CHECK(Decide({&full, &deny_all_but_get}, "ots:GetRow", kTable) == PolicyDecision::kExplicitDeny);
  CHECK(Decide({&full, &deny_all_but_get}, "ots:GetRange", kTable) == PolicyDecision::kAllow);
}

TEST_CASE("policy: trust policies name accounts and users, across accounts") {
  const PolicyDocument trust = Policy(R"({"Version": "1", "Statement": [
      {"Effect": "Allow", "Action": "sts:AssumeRole",
       "Principal": {"RAM": ["acs:ram::2222:root", "acs:ram::1111:user/alice"]}},
      {"Effect": "Deny", "Action": "sts:*", "Principal": {"RAM": "acs:ram::2222:user/mallory"}},
      {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "odps.aliyuncs.com"}}]})",
                                      PolicyKind::kTrust);
  auto decide = [&](std::vector<std::string> principals) {
    return EvaluateTrust(trust, "sts:AssumeRole", principals);
  };
  // Any identity of account 2222 (another account: cross-account trust).
  CHECK(decide({"acs:ram::2222:root"}) == PolicyDecision::kAllow);
  CHECK(decide({"acs:ram::2222:root", "acs:ram::2222:user/carol"}) == PolicyDecision::kAllow);
  CHECK(decide({"acs:ram::2222:root", "acs:ram::2222:user/mallory"}) ==
        PolicyDecision::kExplicitDeny);
  // In 1111 only alice.
  CHECK(decide({"acs:ram::1111:root", "acs:ram::1111:user/alice"}) == PolicyDecision::kAllow);
  CHECK(decide({"acs:ram::1111:root", "acs:ram::1111:user/bob"}) == PolicyDecision::kImplicitDeny);
  CHECK(decide({"acs:ram::1111:root"}) == PolicyDecision::kImplicitDeny);
  CHECK(EvaluateTrust(trust, "sts:GetCallerIdentity",
                      std::vector<std::string>{"acs:ram::2222:root"}) ==
        PolicyDecision::kImplicitDeny);
}

TEST_CASE("policy: the tables a request names") {
  pb::BatchWriteRowRequest batch;
  for (const char* name : {"a", "b"}) {
    auto* t = batch.add_tables();
    t->set_table_name(name);
    auto* row = t->add_rows();
    row->set_type(pb::PUT);
    row->set_row_change(std::string(300, 'x'));
    row->mutable_condition()->set_row_existence(pb::IGNORE);
  }
  auto tables = RequestTables("BatchWriteRow", batch.SerializeAsString());
  REQUIRE(tables.ok());
  CHECK(*tables == std::vector<std::string>{"a", "b"});

  pb::BatchGetRowRequest get;
  get.add_tables()->set_table_name("c");
  get.mutable_tables(0)->add_primary_key("pk");
  CHECK(*RequestTables("BatchGetRow", get.SerializeAsString()) == std::vector<std::string>{"c"});

  pb::CreateTableRequest create;
  create.mutable_table_meta()->set_table_name("new_table");
  create.mutable_reserved_throughput()->mutable_capacity_unit()->set_read(0);
  CHECK(*RequestTables("CreateTable", create.SerializeAsString()) ==
        std::vector<std::string>{"new_table"});

  pb::GetRangeRequest range;
  range.set_table_name("orders");
  range.set_direction(pb::FORWARD);
  range.set_inclusive_start_primary_key("s");
  range.set_exclusive_end_primary_key("e");
  CHECK(*RequestTables("GetRange", range.SerializeAsString()) ==
        std::vector<std::string>{"orders"});
  CHECK(RequestTables("ListTable", "")->empty());

  auto bad = RequestTables("GetRange", std::string("\x0a\x7f", 2));  // length past the end
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().ots_code() == "OTSParameterInvalid");
}

TEST_CASE("policy: every table of a batch is authorized; root keys may do everything") {
  auto config = ParseEmulatorConfig(R"({"region": "cn-hangzhou", "accounts": [{"id": "1111",
      "access_keys": [{"id": "root", "secret": "r"}], "instances": ["Demo"],
      "users": [{"name": "u", "access_keys": [{"id": "u", "secret": "s"}], "policies": ["W"]}],
      "policies": {"W": {"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "ots:BatchWriteRow",
         "Resource": "acs:ots:*:1111:instance/demo/table/a*"},
        {"Effect": "Deny", "Action": "ots:*", "Resource": "acs:ots:*:*:instance/demo/table/ab"},
        {"Effect": "Allow", "Action": "ots:ListTable", "Resource": "acs:ots:*:1111:instance/demo"}]}}}]})");
  REQUIRE_MESSAGE(config.ok(), config.status().ToString());
  Authenticator auth(&*config);
  const AccountConfig& account = config->accounts[0];
  Identity user;
  user.key = &account.users[0].access_keys[0];
  user.account = &account;
  user.user = &account.users[0];
  user.instance = "demo";

  auto batch = [](std::vector<std::string> names) {
    pb::BatchWriteRowRequest request;
    for (const std::string& name : names) request.add_tables()->set_table_name(name);
    return request.SerializeAsString();
  };
  CHECK(auth.Authorize(user, "BatchWriteRow", batch({"a1", "a2"})).ok());
  Status refused = auth.Authorize(user, "BatchWriteRow", batch({"a1", "b"}));
  CHECK(refused.ots_code() == "OTSNoPermissionAccess");
  CHECK(refused.http_status() == 403);
  CHECK(refused.message().ends_with(
      "Action: ots:BatchWriteRow, Resource: acs:ots:cn-hangzhou:1111:instance/demo/table/b."));
  // The Deny on "ab" wins over the Allow on "a*".
  CHECK(auth.Authorize(user, "BatchWriteRow", batch({"ab"})).ots_code() == "OTSNoPermissionAccess");
  CHECK(auth.Authorize(user, "ListTable", "").ok());
  pb::GetRangeRequest range;
  range.set_table_name("a1");
  CHECK(auth.Authorize(user, "GetRange", range.SerializePartialAsString()).ots_code() ==
        "OTSNoPermissionAccess");

  Identity root;
  root.key = &account.access_keys[0];
  root.account = &account;
  root.instance = "demo";
  CHECK(auth.Authorize(root, "BatchWriteRow", batch({"b", "ab"})).ok());
  CHECK(auth.Authorize(root, "DeleteTable", range.SerializePartialAsString()).ok());
}
