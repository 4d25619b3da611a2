// RAM policy documents for the emulator (wire doc C.6): their grammar, checked when a config or an
// STS session policy is read, and their evaluation.
//
//   {"Version": "1",
//    "Statement": [{"Effect": "Allow" | "Deny",
//                   "Action" | "NotAction": "ots:GetRange" | ["ots:Get*", ...],
//                   "Resource": "acs:ots:*:*:instance/demo/table/*" | [...],
//                   "Principal": {"RAM": ["acs:ram::UID:root", "acs:ram::UID:user/NAME"]}}]}
//
// Grammar: Version is "1"; Statement is an array of objects; Effect is Allow or Deny; exactly one
// of Action and NotAction; Resource is required in a permission policy (a trust policy may leave
// it out: its resource is the role itself); Principal only in trust policies, with RAM and Service
// lists (Service principals name cloud services, which never call the emulator, so they match
// nothing here, but they are valid). Condition is refused as not supported: the emulator would
// otherwise grant what a condition restricts.
//
// Evaluation (RAM's): an explicit Deny in any document wins; else a matching Allow allows; else
// the request is denied implicitly. `*` matches any run of characters (also none, also `/`) and
// `?` one character, in actions and resources; actions compare case-insensitively (RAM's action
// names do), resources case-sensitively (OTS resources carry the instance name lower-cased).
//
// Thread safety: documents are immutable after parsing.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/status.h"

namespace tsb::emulator {

struct PolicyStatement {
  bool allow = true;
  bool not_action = false;  // `actions` came from NotAction: the statement covers all others
  std::vector<std::string> actions;
  std::vector<std::string> resources;   // empty in a trust policy without Resource (= any)
  std::vector<std::string> principals;  // Principal.RAM, trust policies only
};

struct PolicyDocument {
  std::vector<PolicyStatement> statements;
};

enum class PolicyKind { kPermission, kTrust };

// Checks the grammar of `doc`; errors are InvalidArgument naming the JSON path below `path`
// ("accounts[0].policies.ReadOnly.Statement[1].Effect: expected \"Allow\" or \"Deny\"").
Result<PolicyDocument> ParsePolicy(const nlohmann::json& doc, const std::string& path,
                                   PolicyKind kind);

// Parses a policy given as JSON text (an STS session policy); errors name paths below "Policy".
Result<PolicyDocument> ParsePolicyText(std::string_view text, PolicyKind kind);

// RAM's wildcard match: `*` any run of characters, `?` exactly one. Linear-time (no backtracking
// blow-up on patterns with many stars).
bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case);

enum class PolicyDecision { kImplicitDeny, kAllow, kExplicitDeny };

// The decision of a set of documents for `action` on `resource`.
PolicyDecision Evaluate(std::span<const PolicyDocument* const> documents, std::string_view action,
                        std::string_view resource);

// Trust-policy decision for `action` (sts:AssumeRole) asked by a caller whose RAM principal names
// are `caller_principals` (e.g. "acs:ram::UID:root" for any caller of account UID and
// "acs:ram::UID:user/NAME" for that user): an Allow naming one of them, and no Deny naming one.
PolicyDecision EvaluateTrust(const PolicyDocument& trust, std::string_view action,
                             std::span<const std::string> caller_principals);

}  // namespace tsb::emulator
