// The emulator's accounts, access keys and instances: parsed from `tsbridge emulator --config FILE`
// (decisions.md section 5), or the single default account used without one.
//
// Config file (JSON):
//   {"region": "cn-hangzhou",
//    "accounts": [{"id": "1234567890123456",
//                  "access_keys": [{"id": "...", "secret": "..."}],
//                  "instances": ["demo"]}],
//    "faults": ["BatchWriteRow:OTSServerBusy:0.2", ...],   (tsbridge's own; see faults.h)
//    "fault_seed": 7}
// The keys reserved for the auth work (accounts[].users, accounts[].roles, accounts[].policies and
// the top-level sts) are refused with a "not supported yet" error naming the key, so that nobody
// believes a policy is enforced when it is not. Unknown keys are refused too (typos would
// otherwise silently weaken a test).
//
// Without a config there is one account holding one key pair, and every instance name is served as
// its own namespace (`instances_declared` is false).
//
// Thread safety: a parsed config is immutable and may be read from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

struct AccountConfig {
  std::string id;
  std::vector<AccessKeyConfig> access_keys;
  std::vector<std::string> instances;  // only meaningful when instances_declared
};

struct EmulatorConfig {
  std::string region{kDefaultRegion};
  std::vector<AccountConfig> accounts;
  // True with --config: a request naming an instance that its account does not declare is
  // refused. False without: every instance name is its own namespace.
  bool instances_declared = false;
  // Fault rules in the --fault syntax (faults.h), and the seed that makes them deterministic.
  std::vector<std::string> faults;
  uint64_t fault_seed = 1;
};

// One account (kDefaultAccountId) with the given key pair; every instance served.
EmulatorConfig DefaultEmulatorConfig(std::string access_key_id, std::string access_key_secret);

// Parses a config document. Errors are InvalidArgument naming the JSON path of the problem
// ("accounts[0].access_keys[1].secret: expected a non-empty string"); reserved keys give
// NotSupported ("accounts[0].users: not supported yet ...").
Result<EmulatorConfig> ParseEmulatorConfig(std::string_view json_text);

// Reads and parses FILE; errors are prefixed with the path.
Result<EmulatorConfig> LoadEmulatorConfig(const std::string& path);

}  // namespace tsb::emulator
