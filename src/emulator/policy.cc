#include "emulator/policy.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "core/ascii.h"

namespace tsb::emulator {

namespace {

using nlohmann::json;

Status Bad(const std::string& path, std::string_view what) {
  return Status::InvalidArgument(path + ": " + std::string(what));
}

// A string or a non-empty array of non-empty strings (RAM accepts both forms).
Status StringList(const json& j, const std::string& path, std::vector<std::string>* out) {
  if (j.is_string()) {
    if (j.get_ref<const std::string&>().empty()) return Bad(path, "expected a non-empty string");
    out->push_back(j.get<std::string>());
    return Status::OK();
  }
  if (!j.is_array() || j.empty()) {
    return Bad(path, "expected a string or a non-empty array of strings");
  }
  for (size_t i = 0; i < j.size(); ++i) {
    const json& item = j[i];
    if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
      return Bad(path + "[" + std::to_string(i) + "]", "expected a non-empty string");
    }
    out->push_back(item.get<std::string>());
  }
  return Status::OK();
}

Status ParsePrincipal(const json& j, const std::string& path, PolicyStatement* out) {
  if (!j.is_object() || j.empty()) {
    return Bad(path, "expected an object such as {\"RAM\": [\"acs:ram::UID:root\"]}");
  }
  for (const auto& [key, value] : j.items()) {
    const std::string item_path = path + "." + key;
    if (key == "RAM") {
      TSB_RETURN_IF_ERROR(StringList(value, item_path, &out->principals));
      for (size_t i = 0; i < out->principals.size(); ++i) {
        const std::string& p = out->principals[i];
        if (!p.starts_with("acs:ram::")) {
          return Bad(
              value.is_array() ? item_path + "[" + std::to_string(i) + "]" : item_path,
              "expected \"acs:ram::UID:root\" or \"acs:ram::UID:user/NAME\", got \"" + p + "\"");
        }
      }
    } else if (key == "Service" || key == "Federated") {
      // Valid, and never a caller of the emulator: they match nothing.
      std::vector<std::string> ignored;
      TSB_RETURN_IF_ERROR(StringList(value, item_path, &ignored));
    } else {
      return Bad(item_path, "unknown principal type (expected RAM, Service or Federated)");
    }
  }
  return Status::OK();
}

Status ParseStatement(const json& j, const std::string& path, PolicyKind kind,
                      PolicyStatement* out) {
  if (!j.is_object()) return Bad(path, "expected an object {Effect, Action, Resource}");
  for (const auto& [key, value] : j.items()) {
    if (key == "Condition") {
      return Status::NotSupported(path +
                                  ".Condition: not supported by the emulator (it would "
                                  "grant what the condition restricts); remove it");
    }
    if (key == "Principal" && kind == PolicyKind::kPermission) {
      return Bad(path + ".Principal", "only a role's trust policy names principals");
    }
    if (key != "Effect" && key != "Action" && key != "NotAction" && key != "Resource" &&
        key != "Principal") {
      return Bad(path + "." + key,
                 "unknown key (expected Effect, Action or NotAction, Resource, Principal)");
    }
  }
  if (!j.contains("Effect")) return Bad(path + ".Effect", "missing");
  const json& effect = j["Effect"];
  if (effect == "Allow") {
    out->allow = true;
  } else if (effect == "Deny") {
    out->allow = false;
  } else {
    return Bad(path + ".Effect", "expected \"Allow\" or \"Deny\"");
  }
  const bool has_action = j.contains("Action");
  const bool has_not_action = j.contains("NotAction");
  if (has_action == has_not_action) {
    return Bad(path + ".Action", "expected exactly one of Action and NotAction");
  }
  out->not_action = has_not_action;
  const char* action_key = has_action ? "Action" : "NotAction";
  TSB_RETURN_IF_ERROR(StringList(j[action_key], path + "." + action_key, &out->actions));
  if (j.contains("Resource")) {
    TSB_RETURN_IF_ERROR(StringList(j["Resource"], path + ".Resource", &out->resources));
  } else if (kind == PolicyKind::kPermission) {
    return Bad(path + ".Resource", "missing");
  }
  if (kind == PolicyKind::kTrust) {
    if (!j.contains("Principal")) return Bad(path + ".Principal", "missing");
    TSB_RETURN_IF_ERROR(ParsePrincipal(j["Principal"], path + ".Principal", out));
  }
  return Status::OK();
}

bool AnyMatches(const std::vector<std::string>& patterns, std::string_view text, bool ignore_case) {
  for (const std::string& pattern : patterns) {
    if (WildcardMatch(pattern, text, ignore_case)) return true;
  }
  return false;
}

bool CoversAction(const PolicyStatement& s, std::string_view action) {
  return AnyMatches(s.actions, action, true) != s.not_action;
}

bool CoversResource(const PolicyStatement& s, std::string_view resource) {
  return s.resources.empty() || AnyMatches(s.resources, resource, false);
}

}  // namespace

Result<PolicyDocument> ParsePolicy(const json& doc, const std::string& path, PolicyKind kind) {
  if (!doc.is_object()) return Bad(path, "expected a policy object {Version, Statement}");
  for (const auto& [key, value] : doc.items()) {
    if (key != "Version" && key != "Statement") {
      return Bad(path + "." + key, "unknown key (expected Version, Statement)");
    }
  }
  if (!doc.contains("Version")) return Bad(path + ".Version", "missing");
  if (doc["Version"] != "1") return Bad(path + ".Version", "expected \"1\"");
  if (!doc.contains("Statement")) return Bad(path + ".Statement", "missing");
  const json& statements = doc["Statement"];
  if (!statements.is_array()) return Bad(path + ".Statement", "expected an array of statements");
  PolicyDocument out;
  for (size_t i = 0; i < statements.size(); ++i) {
    PolicyStatement statement;
    TSB_RETURN_IF_ERROR(ParseStatement(
        statements[i], path + ".Statement[" + std::to_string(i) + "]", kind, &statement));
    out.statements.push_back(std::move(statement));
  }
  return out;
}

Result<PolicyDocument> ParsePolicyText(std::string_view text, PolicyKind kind) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::exception&) {
    return Status::InvalidArgument("Policy: not valid JSON");
  }
  return ParsePolicy(doc, "Policy", kind);
}

bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case) {
  auto same = [ignore_case](char a, char b) {
    return ignore_case ? AsciiLower(a) == AsciiLower(b) : a == b;
  };
  // The classic greedy match with one backtrack point: the last star seen.
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() &&
        (pattern[p] == '?' || (pattern[p] != '*' && same(pattern[p], text[t])))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

PolicyDecision Evaluate(std::span<const PolicyDocument* const> documents, std::string_view action,
                        std::string_view resource) {
  bool allowed = false;
  for (const PolicyDocument* document : documents) {
    for (const PolicyStatement& s : document->statements) {
      if (!CoversAction(s, action) || !CoversResource(s, resource)) continue;
      if (!s.allow) return PolicyDecision::kExplicitDeny;
      allowed = true;
    }
  }
  return allowed ? PolicyDecision::kAllow : PolicyDecision::kImplicitDeny;
}

PolicyDecision EvaluateTrust(const PolicyDocument& trust, std::string_view action,
                             std::span<const std::string> caller_principals) {
  bool allowed = false;
  for (const PolicyStatement& s : trust.statements) {
    if (!CoversAction(s, action)) continue;
    bool names_caller = false;
    for (const std::string& principal : s.principals) {
      for (const std::string& caller : caller_principals) {
        if (EqualsIgnoreCase(principal, caller)) names_caller = true;
      }
    }
    if (!names_caller) continue;
    if (!s.allow) return PolicyDecision::kExplicitDeny;
    allowed = true;
  }
  return allowed ? PolicyDecision::kAllow : PolicyDecision::kImplicitDeny;
}

}  // namespace tsb::emulator
