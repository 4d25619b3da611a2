#include "emulator/config.h"

#include <cctype>
#include <fstream>
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

Status NotYet(const std::string& path) {
  return Status::NotSupported(
      path + ": not supported yet (users, roles, policies and STS come with the auth work; "
             "remove the key: the emulator would not enforce it)");
}

Result<std::string> NonEmptyString(const json& j, const std::string& path) {
  if (!j.is_string() || j.get_ref<const std::string&>().empty()) {
    return Bad(path, "expected a non-empty string");
  }
  return j.get<std::string>();
}

Status ParseAccessKeys(const json& j, const std::string& path, std::set<std::string>* seen_ids,
                       std::vector<AccessKeyConfig>* out) {
  if (!j.is_array() || j.empty()) return Bad(path, "expected a non-empty array of {id, secret}");
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

Status ParseAccount(const json& j, const std::string& path, std::set<std::string>* key_ids,
                    std::set<std::string>* instances, AccountConfig* out) {
  if (!j.is_object()) return Bad(path, "expected an object");
  for (const auto& [key, value] : j.items()) {
    if (key == "users" || key == "roles" || key == "policies") return NotYet(path + "." + key);
    if (key != "id" && key != "access_keys" && key != "instances") {
      return Bad(path + "." + key, "unknown key");
    }
  }
  if (!j.contains("id")) return Bad(path + ".id", "missing");
  TSB_ASSIGN_OR_RETURN(out->id, NonEmptyString(j["id"], path + ".id"));
  if (!j.contains("access_keys")) return Bad(path + ".access_keys", "missing");
  TSB_RETURN_IF_ERROR(
      ParseAccessKeys(j["access_keys"], path + ".access_keys", key_ids, &out->access_keys));
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
  return Status::OK();
}

Result<EmulatorConfig> ParseDocument(const json& doc) {
  if (!doc.is_object()) return Bad("(top level)", "expected a JSON object");
  EmulatorConfig config;
  config.instances_declared = true;
  for (const auto& [key, value] : doc.items()) {
    if (key == "sts") return NotYet("sts");
    if (key != "region" && key != "accounts" && key != "faults" && key != "fault_seed") {
      return Bad(key, "unknown key (expected region, accounts, faults, fault_seed)");
    }
  }
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
  return config;
}

}  // namespace

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
