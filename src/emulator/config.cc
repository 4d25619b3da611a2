#include "emulator/config.h"

#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

#include "core/ascii.h"

namespace tsb::emulator {

namespace {

using nlohmann::json;

Status Bad(const std::string& path, std::string_view what) {
  return Status::InvalidArgument(path + ": " + std::string(what));
}

Result<std::string> NonEmptyString(const json& j, const std::string& path) {
  if (!j.is_string() || j.get_ref<const std::string&>().empty()) {
    return Bad(path, "expected a non-empty string");
  }
  return j.get<std::string>();
}

Status ParseAccessKeys(const json& j, const std::string& path, std::set<std::string>* seen_ids,
                       std::vector<AccessKeyConfig>* out) {
  if (!j.is_array()) return Bad(path, "expected an array of {id, secret}");
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    const json& item = j[i];
    if (!item.is_object()) return Bad(item_path, "expected an object {id, secret}");
    for (const auto& [key, value] : item.items()) {
      if (key != "id" && key != "secret") return Bad(item_path + "." + key, "unknown key");
    }
    if (!item.contains("id")) return Bad(item_path + ".id", "missing");
    if (!item.contains("secret")) return Bad(item_path + ".secret", "missing");
    AccessKeyConfig key;
    TSB_ASSIGN_OR_RETURN(key.id, NonEmptyString(item["id"], item_path + ".id"));
    TSB_ASSIGN_OR_RETURN(key.secret, NonEmptyString(item["secret"], item_path + ".secret"));
    if (!seen_ids->insert(key.id).second) {
      return Bad(item_path + ".id", "access key id \"" + key.id + "\" is declared twice");
    }
    out->push_back(std::move(key));
  }
  return Status::OK();
}

Status CheckKeys(const json& j, const std::string& path,
                 std::initializer_list<std::string_view> allowed) {
  if (!j.is_object()) return Bad(path, "expected an object");
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || key == name;
    if (!known) {
      std::string expected;
      for (std::string_view name : allowed) {
        expected += expected.empty() ? "" : ", ";
        expected += name;
      }
      return Bad(path + "." + key, "unknown key (expected " + expected + ")");
    }
  }
  return Status::OK();
}

bool IsSystemPolicy(std::string_view name);

// `names` must each be the account's policy or a system one.
Status ParsePolicyNames(const json& j, const std::string& path, const json& account_policies,
                        std::vector<std::string>* out) {
  if (!j.is_array()) return Bad(path, "expected an array of policy names");
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    std::string name;
    TSB_ASSIGN_OR_RETURN(name, NonEmptyString(j[i], item_path));
    if (!(account_policies.is_object() && account_policies.contains(name)) &&
        !IsSystemPolicy(name)) {
      return Bad(item_path, "no policy \"" + name +
                                "\" in this account's policies (nor a system policy: "
                                "AliyunOTSFullAccess, AliyunOTSReadOnlyAccess, "
                                "AliyunSTSAssumeRoleAccess)");
    }
    out->push_back(std::move(name));
  }
  return Status::OK();
}

// RAM user and role names: 1-64 characters of letters, digits, '.', '_' and '-'.
Status CheckEntityName(const json& j, const std::string& path, std::string* out) {
  TSB_ASSIGN_OR_RETURN(*out, NonEmptyString(j, path));
  if (out->size() > 64 || out->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                                                 "vwxyz0123456789._-") != std::string::npos) {
    return Bad(path, "expected 1 to 64 letters, digits, '.', '_' or '-'");
  }
  return Status::OK();
}

Status ParseUsers(const json& j, const std::string& path, const json& policies,
                  std::set<std::string>* key_ids, std::vector<UserConfig>* out) {
  if (!j.is_array()) return Bad(path, "expected an array of users");
  std::set<std::string> names;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    const json& item = j[i];
    TSB_RETURN_IF_ERROR(CheckKeys(item, item_path, {"name", "access_keys", "policies"}));
    UserConfig user;
    if (!item.contains("name")) return Bad(item_path + ".name", "missing");
    TSB_RETURN_IF_ERROR(CheckEntityName(item["name"], item_path + ".name", &user.name));
    if (!names.insert(AsciiLower(user.name)).second) {
      return Bad(item_path + ".name", "user \"" + user.name + "\" is declared twice");
    }
    if (item.contains("access_keys")) {
      TSB_RETURN_IF_ERROR(ParseAccessKeys(item["access_keys"], item_path + ".access_keys", key_ids,
                                          &user.access_keys));
    }
    if (item.contains("policies")) {
      TSB_RETURN_IF_ERROR(
          ParsePolicyNames(item["policies"], item_path + ".policies", policies, &user.policies));
    }
    out->push_back(std::move(user));
  }
  return Status::OK();
}

Status ParseRoles(const json& j, const std::string& path, const json& policies,
                  std::vector<RoleConfig>* out) {
  if (!j.is_array()) return Bad(path, "expected an array of roles");
  std::set<std::string> names;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    const json& item = j[i];
    TSB_RETURN_IF_ERROR(
        CheckKeys(item, item_path, {"name", "trust_policy", "policies", "max_session_duration"}));
    RoleConfig role;
    if (!item.contains("name")) return Bad(item_path + ".name", "missing");
    TSB_RETURN_IF_ERROR(CheckEntityName(item["name"], item_path + ".name", &role.name));
    if (!names.insert(AsciiLower(role.name)).second) {
      return Bad(item_path + ".name", "role \"" + role.name + "\" is declared twice");
    }
    if (!item.contains("trust_policy")) return Bad(item_path + ".trust_policy", "missing");
    TSB_ASSIGN_OR_RETURN(
        role.trust_policy,
        ParsePolicy(item["trust_policy"], item_path + ".trust_policy", PolicyKind::kTrust));
    if (item.contains("policies")) {
      TSB_RETURN_IF_ERROR(
          ParsePolicyNames(item["policies"], item_path + ".policies", policies, &role.policies));
    }
    if (item.contains("max_session_duration")) {
      const json& max = item["max_session_duration"];
      // RAM's range for a role's MaxSessionDuration.
      if (!max.is_number_integer() || max.get<int64_t>() < 3600 || max.get<int64_t>() > 43200) {
        return Bad(item_path + ".max_session_duration",
                   "expected a whole number of seconds from 3600 to 43200");
      }
      role.max_session_duration = max.get<int64_t>();
    }
    out->push_back(std::move(role));
  }
  return Status::OK();
}

Status ParseAccount(const json& j, const std::string& path, std::set<std::string>* key_ids,
                    std::set<std::string>* instances, AccountConfig* out) {
  TSB_RETURN_IF_ERROR(
      CheckKeys(j, path, {"id", "access_keys", "instances", "users", "roles", "policies"}));
  if (!j.contains("id")) return Bad(path + ".id", "missing");
  TSB_ASSIGN_OR_RETURN(out->id, NonEmptyString(j["id"], path + ".id"));
  if (out->id.find_first_not_of("0123456789") != std::string::npos) {
    // It is the UID inside every ARN (acs:ram::UID:role/NAME), so ARNs must be able to name it.
    return Bad(path + ".id", "expected an account UID of digits, e.g. \"1234567890123456\"");
  }
  if (j.contains("access_keys")) {
    TSB_RETURN_IF_ERROR(
        ParseAccessKeys(j["access_keys"], path + ".access_keys", key_ids, &out->access_keys));
  }
  if (!j.contains("instances")) return Bad(path + ".instances", "missing");
  const json& list = j["instances"];
  if (!list.is_array()) return Bad(path + ".instances", "expected an array of instance names");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string item_path = path + ".instances[" + std::to_string(i) + "]";
    std::string name;
    TSB_ASSIGN_OR_RETURN(name, NonEmptyString(list[i], item_path));
    // Instance names are global (they are DNS labels of the endpoint), so one name belongs to one
    // account. The service treats them case-insensitively (wire doc A.1).
    std::string lower = AsciiLower(name);
    if (!instances->insert(lower).second) {
      return Bad(item_path, "instance \"" + name + "\" is declared twice");
    }
    out->instances.push_back(std::move(name));
  }
  const json none = json::object();
  const json& policies = j.contains("policies") ? j["policies"] : none;
  if (!policies.is_object()) {
    return Bad(path + ".policies", "expected an object of policy name -> policy document");
  }
  for (const auto& [name, document] : policies.items()) {
    TSB_ASSIGN_OR_RETURN(out->policies[name], ParsePolicy(document, path + ".policies." + name,
                                                          PolicyKind::kPermission));
  }
  if (j.contains("users")) {
    TSB_RETURN_IF_ERROR(ParseUsers(j["users"], path + ".users", policies, key_ids, &out->users));
  }
  if (j.contains("roles")) {
    TSB_RETURN_IF_ERROR(ParseRoles(j["roles"], path + ".roles", policies, &out->roles));
  }
  return Status::OK();
}

Status ParseSts(const json& j, StsConfig* out) {
  TSB_RETURN_IF_ERROR(CheckKeys(j, "sts", {"min_duration_seconds", "max_duration_seconds"}));
  for (const char* key : {"min_duration_seconds", "max_duration_seconds"}) {
    if (!j.contains(key)) continue;
    const json& value = j[key];
    if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 43200) {
      return Bad(std::string("sts.") + key, "expected a whole number of seconds from 1 to 43200");
    }
    (std::string_view(key) == "min_duration_seconds" ? out->min_duration_seconds
                                                     : out->max_duration_seconds) =
        value.get<int64_t>();
  }
  if (out->min_duration_seconds > out->max_duration_seconds) {
    return Bad("sts.min_duration_seconds", "is above sts.max_duration_seconds (" +
                                               std::to_string(out->max_duration_seconds) + ")");
  }
  return Status::OK();
}

Result<EmulatorConfig> ParseDocument(const json& doc) {
  if (!doc.is_object()) return Bad("(top level)", "expected a JSON object");
  EmulatorConfig config;
  config.instances_declared = true;
  for (const auto& [key, value] : doc.items()) {
    if (key != "region" && key != "accounts" && key != "sts" && key != "faults" &&
        key != "fault_seed" && key != "partition_write_rate") {
      return Bad(key,
                 "unknown key (expected region, accounts, sts, faults, fault_seed, "
                 "partition_write_rate)");
    }
  }
  if (doc.contains("sts")) TSB_RETURN_IF_ERROR(ParseSts(doc["sts"], &config.sts));
  if (doc.contains("region")) {
    TSB_ASSIGN_OR_RETURN(config.region, NonEmptyString(doc["region"], "region"));
  }
  if (!doc.contains("accounts")) return Bad("accounts", "missing");
  const json& accounts = doc["accounts"];
  if (!accounts.is_array() || accounts.empty()) {
    return Bad("accounts", "expected a non-empty array of accounts");
  }
  std::set<std::string> key_ids;
  std::set<std::string> instances;
  std::set<std::string> account_ids;
  for (size_t i = 0; i < accounts.size(); ++i) {
    const std::string path = "accounts[" + std::to_string(i) + "]";
    AccountConfig account;
    TSB_RETURN_IF_ERROR(ParseAccount(accounts[i], path, &key_ids, &instances, &account));
    if (!account_ids.insert(account.id).second) {
      return Bad(path + ".id", "account \"" + account.id + "\" is declared twice");
    }
    config.accounts.push_back(std::move(account));
  }
  if (doc.contains("faults")) {
    const json& faults = doc["faults"];
    if (!faults.is_array()) return Bad("faults", "expected an array of \"OP:CODE:RATE[:rows]\"");
    for (size_t i = 0; i < faults.size(); ++i) {
      std::string rule;
      TSB_ASSIGN_OR_RETURN(rule, NonEmptyString(faults[i], "faults[" + std::to_string(i) + "]"));
      config.faults.push_back(std::move(rule));
    }
  }
  if (doc.contains("fault_seed")) {
    const json& seed = doc["fault_seed"];
    if (!seed.is_number_unsigned()) return Bad("fault_seed", "expected a non-negative integer");
    config.fault_seed = seed.get<uint64_t>();
  }
  if (doc.contains("partition_write_rate")) {
    const json& rate = doc["partition_write_rate"];
    if (!rate.is_number() || !(rate.get<double>() > 0) || !std::isfinite(rate.get<double>())) {
      return Bad("partition_write_rate", "expected a positive number of rows per second");
    }
    config.partition_write_rate = rate.get<double>();
  }
  return config;
}

// The system policies a config may attach by name (wire doc C.6), parsed once from their
// published documents.
const std::map<std::string, PolicyDocument, std::less<>>& SystemPolicies() {
  static const auto* policies = [] {
    auto* out = new std::map<std::string, PolicyDocument, std::less<>>();
    const std::pair<const char*, const char*> texts[] = {
        {"AliyunOTSFullAccess",
         R"({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ots:*",
             "Resource": "*"}]})"},
        {"AliyunOTSReadOnlyAccess",
         R"({"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["ots:BatchGet*",
             "ots:Describe*", "ots:Get*", "ots:List*", "ots:Consume*", "ots:Search",
             "ots:ComputeSplits", "ots:ParallelScan", "ots:ComputeSplitPointsBySize",
             "ots:BulkExport", "ots:SQL*", "ots:Query*", "ots:Scan*",
             "ots:SplitTimeseriesScanTask"], "Resource": "*"}]})"},
        {"AliyunSTSAssumeRoleAccess",
         R"({"Version": "1", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Resource": "*"}]})"},
    };
    for (const auto& [name, text] : texts) {
      out->emplace(name, ParsePolicyText(text, PolicyKind::kPermission).value());
    }
    return out;
  }();
  return *policies;
}

bool IsSystemPolicy(std::string_view name) { return SystemPolicies().contains(name); }

}  // namespace

const RoleConfig* AccountConfig::FindRole(std::string_view name) const {
  for (const RoleConfig& role : roles) {
    if (EqualsIgnoreCase(role.name, name)) return &role;
  }
  return nullptr;
}

std::vector<const PolicyDocument*> ResolvePolicies(const AccountConfig& account,
                                                   const std::vector<std::string>& names) {
  std::vector<const PolicyDocument*> out;
  for (const std::string& name : names) {
    if (auto it = account.policies.find(name); it != account.policies.end()) {
      out.push_back(&it->second);
    } else if (auto sys = SystemPolicies().find(name); sys != SystemPolicies().end()) {
      out.push_back(&sys->second);
    }
  }
  return out;
}

EmulatorConfig DefaultEmulatorConfig(std::string access_key_id, std::string access_key_secret) {
  EmulatorConfig config;
  AccountConfig account;
  account.id = std::string(kDefaultAccountId);
  account.access_keys.push_back({std::move(access_key_id), std::move(access_key_secret)});
  config.accounts.push_back(std::move(account));
  config.instances_declared = false;
  return config;
}

Result<EmulatorConfig> ParseEmulatorConfig(std::string_view json_text) {
  json doc;
  try {
    doc = json::parse(json_text.begin(), json_text.end());
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("not valid JSON: ") + e.what());
  }
  try {
    return ParseDocument(doc);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("bad config: ") + e.what());
  }
}

Result<EmulatorConfig> LoadEmulatorConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open the emulator config");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError(path + ": read failed");
  auto config = ParseEmulatorConfig(text.str());
  if (!config.ok()) return config.status().WithContext(path);
  return config;
}

}  // namespace tsb::emulator
