// The emulator's accounts, their RAM users, roles and policies, instances, and the STS bounds:
// parsed from `tsbridge emulator --config FILE` (decisions.md section 5), or the single default
// account used without one.
//
// Config file (JSON):
//   {"region": "cn-hangzhou",
//    "accounts": [{"id": "1234567890123456",
//                  "access_keys": [{"id": "...", "secret": "..."}],     (the account's own, root)
//                  "instances": ["demo"],
//                  "users": [{"name": "reader", "access_keys": [...], "policies": ["ReadOnly"]}],
//                  "roles": [{"name": "reader-role", "trust_policy": {...}, "policies": [...],
//                             "max_session_duration": 3600}],
//                  "policies": {"ReadOnly": {"Version": "1", "Statement": [...]}}}],
//    "sts": {"min_duration_seconds": 900, "max_duration_seconds": 3600},
//    "faults": ["BatchWriteRow:OTSServerBusy:0.2", ...],   (tsbridge's own; see faults.h)
//    "fault_seed": 7,
//    "partition_write_rate": 2000}                   (rows/s per partition; see throttle.h)
// Policy documents are checked at load (policy.h). A user's or role's `policies` name the
// account's own `policies`, or one of the system policies AliyunOTSFullAccess,
// AliyunOTSReadOnlyAccess and AliyunSTSAssumeRoleAccess (wire doc C.6), unless the account
// defines a policy of that name. `access_keys` of an account may be left out (an account that only
// owns roles for others to assume). Unknown keys are refused (typos would otherwise silently
// weaken a test). Every error names its JSON path.
//
// sts: the bounds of AssumeRole's DurationSeconds. STS's own minimum is 900 s; a config may set a
// lower one (down to 1 s) so that tests can watch short-lived credentials expire. A role's
// max_session_duration (default 3600, as RAM's) bounds its sessions further.
//
// Without a config there is one account holding one key pair, and every instance name is served as
// its own namespace (`instances_declared` is false).
//
// Thread safety: a parsed config is immutable and may be read from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/policy.h"
#include "tsbridge/status.h"

namespace tsb::emulator {

// The well-known development key pair, used when neither --access-key-id/--access-key-secret nor
// TSBRIDGE_EMULATOR_ACCESS_KEY_ID/_SECRET is given. Public by design (as Azurite's account key
// is): the emulator is a local test server and its banner prints the pair.
inline constexpr std::string_view kDevAccessKeyId = "tsbridge-dev-key-id";
inline constexpr std::string_view kDevAccessKeySecret = "tsbridge-dev-key-secret";
inline constexpr std::string_view kDefaultAccountId = "1234567890123456";
inline constexpr std::string_view kDefaultRegion = "cn-hangzhou";

struct AccessKeyConfig {
  std::string id;
  std::string secret;
};

struct UserConfig {
  std::string name;
  std::vector<AccessKeyConfig> access_keys;
  std::vector<std::string> policies;  // names; see ResolvePolicies
};

struct RoleConfig {
  std::string name;
  PolicyDocument trust_policy;
  std::vector<std::string> policies;
  int64_t max_session_duration = 3600;
};

struct AccountConfig {
  std::string id;
  std::vector<AccessKeyConfig> access_keys;  // the account's own (root) keys
  std::vector<std::string> instances;        // only meaningful when instances_declared
  std::vector<UserConfig> users;
  std::vector<RoleConfig> roles;
  std::map<std::string, PolicyDocument> policies;

  const RoleConfig* FindRole(std::string_view name) const;  // RAM role names ignore case
};

struct StsConfig {
  int64_t min_duration_seconds = 900;
  int64_t max_duration_seconds = 3600;
};

struct EmulatorConfig {
  std::string region{kDefaultRegion};
  std::vector<AccountConfig> accounts;
  StsConfig sts;
  // True with --config: a request naming an instance that its account does not declare is
  // refused. False without: every instance name is its own namespace.
  bool instances_declared = false;
  // Fault rules in the --fault syntax (faults.h), and the seed that makes them deterministic.
  std::vector<std::string> faults;
  uint64_t fault_seed = 1;
  // Rows/s each partition of a table accepts (throttle.h); 0 = no cap.
  double partition_write_rate = 0;
};

// The documents behind policy names of `account` (checked to exist when the config was parsed).
std::vector<const PolicyDocument*> ResolvePolicies(const AccountConfig& account,
                                                   const std::vector<std::string>& names);

// One account (kDefaultAccountId) with the given key pair; every instance served.
EmulatorConfig DefaultEmulatorConfig(std::string access_key_id, std::string access_key_secret);

// Parses a config document. Errors are InvalidArgument naming the JSON path of the problem
// ("accounts[0].access_keys[1].secret: expected a non-empty string"); a policy Condition gives
// NotSupported.
Result<EmulatorConfig> ParseEmulatorConfig(std::string_view json_text);

// Reads and parses FILE; errors are prefixed with the path.
Result<EmulatorConfig> LoadEmulatorConfig(const std::string& path);

}  // namespace tsb::emulator
