// `tsbridge auth policy`: the trust and permission policies a job's spec asks for (decisions 7,
// wire doc C.6), and the shell quoting of `auth assume-role --export-env`.
#include "jobs/auth_policy.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "jobs/auth_commands.h"

using namespace tsb;
using namespace tsb::jobs;
using nlohmann::json;

namespace {

JobSpec Spec(const std::string& tablestore) {
  auto spec = ParseJobSpec(R"({"tablestore": )" + tablestore +
                           R"(, "columns": [{"name": "k", "type": "bigint"}], "mapping": ":k"})");
  REQUIRE(spec.ok());
  return *spec;
}

const char kGuide[] =
    R"({"location": "tablestore://odps-ots-dev.cn-shanghai.ots-internal.aliyuncs.com",
        "table": "ots_tpch_orders", "role_arn": "acs:ram::1234567890123456:role/aliyunodpsdefaultrole"})";

}  // namespace

TEST_CASE("auth policy: the guide's spec gives exact trust and permission policies") {
  auto p = MakePolicies(Spec(kGuide), {});
  REQUIRE(p.ok());
  CHECK(p->notes.empty());
  CHECK(json::parse(p->trust_policy) ==
        json::parse(R"({"Version": "1", "Statement": [{"Action": "sts:AssumeRole",
          "Effect": "Allow", "Principal": {"RAM": ["acs:ram::1234567890123456:root"]}}]})"));
  CHECK(json::parse(p->permission_policy) == json::parse(R"({"Version": "1", "Statement": [{
          "Effect": "Allow",
          "Action": ["ots:DescribeTable", "ots:ComputeSplitPointsBySize", "ots:GetRange",
                     "ots:BatchWriteRow", "ots:BatchGetRow"],
          "Resource": ["acs:ots:cn-shanghai:1234567890123456:instance/odps-ots-dev",
                       "acs:ots:cn-shanghai:1234567890123456:instance/odps-ots-dev/table/ots_tpch_orders"]}]})"));
  const json both = json::parse(PoliciesJson(*p));
  CHECK(both["trust_policy"] == json::parse(p->trust_policy));
  CHECK(both["permission_policy"] == json::parse(p->permission_policy));
}

TEST_CASE("auth policy: --read-only and --write-only list exactly that direction's actions") {
  PolicyOptions options;
  options.need = AccessNeed::kImport;
  auto r = MakePolicies(Spec(kGuide), options);
  REQUIRE(r.ok());
  CHECK(json::parse(r->permission_policy)["Statement"][0]["Action"] ==
        json{"ots:DescribeTable", "ots:ComputeSplitPointsBySize", "ots:GetRange"});
  options.need = AccessNeed::kExport;
  auto w = MakePolicies(Spec(kGuide), options);
  REQUIRE(w.ok());
  CHECK(json::parse(w->permission_policy)["Statement"][0]["Action"] ==
        json{"ots:DescribeTable", "ots:BatchWriteRow", "ots:BatchGetRow"});
}

TEST_CASE("auth policy: --cross-account and --for-maxcompute change the trusted principal") {
  PolicyOptions options;
  options.cross_account = "5555555555555555";
  auto cross = MakePolicies(Spec(kGuide), options);
  REQUIRE(cross.ok());
  CHECK(json::parse(cross->trust_policy)["Statement"][0]["Principal"] ==
        json::parse(R"({"RAM": ["acs:ram::5555555555555555:root"]})"));
  // The resources stay the role's account: the role lives where the table is.
  CHECK(json::parse(cross->permission_policy)["Statement"][0]["Resource"][0] ==
        "acs:ots:cn-shanghai:1234567890123456:instance/odps-ots-dev");

  options.for_maxcompute = true;
  auto mc_cross = MakePolicies(Spec(kGuide), options);
  REQUIRE(mc_cross.ok());
  CHECK(json::parse(mc_cross->trust_policy)["Statement"][0]["Principal"] ==
        json::parse(R"({"Service": ["5555555555555555@odps.aliyuncs.com"]})"));
  options.cross_account.clear();
  auto mc = MakePolicies(Spec(kGuide), options);
  REQUIRE(mc.ok());
  CHECK(json::parse(mc->trust_policy)["Statement"][0]["Principal"] ==
        json::parse(R"({"Service": ["odps.aliyuncs.com"]})"));

  options.cross_account = "12ab";
  auto bad = MakePolicies(Spec(kGuide), options);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("--cross-account") != std::string::npos);
}

TEST_CASE(
    "auth policy: an unknown region or account is * and said so; no trust policy without an "
    "account") {
  auto p = MakePolicies(
      Spec(R"({"endpoint": "http://127.0.0.1:8800", "instance": "Demo", "table": "t"})"), {});
  REQUIRE(p.ok());
  CHECK(json::parse(p->permission_policy)["Statement"][0]["Resource"] ==
        json{"acs:ots:*:*:instance/demo", "acs:ots:*:*:instance/demo/table/t"});
  CHECK(p->trust_policy.empty());
  REQUIRE(p->notes.size() == 3);
  CHECK(p->notes[0].find("region is not known") != std::string::npos);
  CHECK(p->notes[1].find("account is not known") != std::string::npos);
  CHECK(p->notes[2].find("--cross-account") != std::string::npos);
  CHECK(json::parse(PoliciesJson(*p)).contains("trust_policy") == false);
}

TEST_CASE("export-env values are single-quoted for any shell text") {
  CHECK(ShellQuote("abc") == "'abc'");
  CHECK(ShellQuote("a'b") == "'a'\\''b'");
  CHECK(ShellQuote("$(rm -rf /) `x` \"y\" \\n") == "'$(rm -rf /) `x` \"y\" \\n'");
  CHECK(ShellQuote("") == "''");
}
