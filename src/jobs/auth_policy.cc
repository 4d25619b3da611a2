#include "jobs/auth_policy.h"

#include <nlohmann/json.hpp>

namespace tsb::jobs {

Result<Policies> MakePolicies(const JobSpec& spec, const PolicyOptions& options) {
  if (!options.cross_account.empty() &&
      options.cross_account.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("--cross-account: expected an account id (digits), got \"" +
                                   options.cross_account + "\"");
  }
  Policies out;
  if (spec.tablestore.region.empty()) {
    out.notes.push_back(
        "the region is not known (no tablestore.region, and the endpoint's host does not name "
        "one): the resources say * for it");
  }
  if (spec.tablestore.role_account.empty()) {
    out.notes.push_back(
        "the account is not known (the spec has no role_arn): the resources say * for it");
  }

  nlohmann::ordered_json permission;
  permission["Version"] = "1";
  nlohmann::ordered_json statement;
  statement["Effect"] = "Allow";
  statement["Action"] = NeededActions(options.need);
  statement["Resource"] = {OtsResource(spec, false), OtsResource(spec, true)};
  permission["Statement"] = nlohmann::ordered_json::array({statement});
  out.permission_policy = permission.dump();

  const std::string trusted =
      !options.cross_account.empty() ? options.cross_account : spec.tablestore.role_account;
  nlohmann::ordered_json principal;
  if (options.for_maxcompute) {
    // The guide's form: MaxCompute assumes the role; across accounts it names the project
    // owner's account (wire doc C.6).
    principal["Service"] = {options.cross_account.empty()
                                ? std::string("odps.aliyuncs.com")
                                : options.cross_account + "@odps.aliyuncs.com"};
  } else if (!trusted.empty()) {
    principal["RAM"] = {"acs:ram::" + trusted + ":root"};
  } else {
    out.notes.push_back(
        "no trust policy: it names the account allowed to assume the role; give the spec a "
        "role_arn or pass --cross-account ID");
    return out;
  }
  nlohmann::ordered_json trust;
  trust["Version"] = "1";
  trust["Statement"] = nlohmann::ordered_json::array(
      {{{"Action", "sts:AssumeRole"}, {"Effect", "Allow"}, {"Principal", principal}}});
  out.trust_policy = trust.dump();
  return out;
}

std::string PoliciesJson(const Policies& policies) {
  nlohmann::ordered_json j;
  if (!policies.trust_policy.empty()) {
    j["trust_policy"] = nlohmann::ordered_json::parse(policies.trust_policy);
  }
  j["permission_policy"] = nlohmann::ordered_json::parse(policies.permission_policy);
  return j.dump(2) + "\n";
}

}  // namespace tsb::jobs
