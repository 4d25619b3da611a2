// STS AssumeRole for the emulator (wire doc C.4), served at the same address as the OTS API: a
// request to path `/` with Action=AssumeRole, its parameters in the query (GET) or in the query and
// an application/x-www-form-urlencoded body (POST), signed as POP RPC requests are
// (Base64(HMAC-SHA1(secret + "&", METHOD&%2F&percentEncode(sorted canonical query)))).
//
// Answers are JSON whatever Format asks for (the credential providers of the SDKs and the aliyun
// CLI ask for JSON; nothing in tsbridge's world parses STS's XML).
//
// Checks, in order, and STS's answer to each (HTTP status, Code):
//   missing AccessKeyId, Signature, SignatureNonce, Timestamp, RoleArn, RoleSessionName
//                                       400 Missing{Name} ("{Name} is mandatory for this action.")
//   Action other than AssumeRole        404 InvalidAction.NotFound
//   Version, SignatureMethod, SignatureVersion wrong   400 InvalidParameter
//   Timestamp not YYYY-MM-DDThh:mm:ssZ  400 InvalidTimeStamp.Format
//   Timestamp over 15 minutes off       400 InvalidTimeStamp.Expired
//   unknown AccessKeyId                 404 InvalidAccessKeyId.NotFound
//   signature differs                   400 SignatureDoesNotMatch (with the string to sign we
//                                       computed, the SecurityToken's value masked; it holds no
//                                       secret otherwise)
//   a temporary caller's SecurityToken not the one issued with its key, or expired
//                                       400 InvalidSecurityToken.Malformed / .Expired
//   SignatureNonce seen in the last 15 minutes   400 SignatureNonceUsed
//   RoleArn / RoleSessionName / DurationSeconds / Policy malformed   400 InvalidParameter.*
//   the role's account or the role not declared  404 EntityNotExist.Role
//   the trust policy does not allow the caller, or a RAM user's (or role session's) own policies
//   do not allow sts:AssumeRole on the role's ARN   403 NoPermission
// The root account's own key may assume a role that trusts its account: real STS refuses root
// callers, but the emulator allows them so that a minimal config (one account, no users) can run
// role-based jobs; its trust policy is still checked.
//
// Issued credentials (an `STS.` key id, a secret and a SecurityToken) are kept in memory only, with
// the role, the session name and the session policy; a restart of the emulator forgets them. They
// are kept for the life of the process, expired ones too, so that an expired token is refused as
// expired rather than as unknown, and so that a key found once stays valid to sign with (a few
// hundred bytes each: a test server issues far too few for this to matter).
//
// DurationSeconds defaults to 3600 s, or to the largest allowed duration when that is shorter.
//
// Thread safety: CredentialStore and StsService are safe to use from any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "emulator/config.h"
#include "emulator/policy.h"

namespace tsb::emulator {

struct IssuedCredential {
  AccessKeyConfig key;  // "STS.…" and its secret
  std::string security_token;
  int64_t expires_us = 0;
  const AccountConfig* account = nullptr;  // the role's: its instances, its resources
  const RoleConfig* role = nullptr;
  std::string session_name;
  std::optional<PolicyDocument> session_policy;
};

class CredentialStore {
 public:
  void Add(std::shared_ptr<const IssuedCredential> credential);
  // Null when no credential was issued with this key id (expired ones are kept: they earn
  // "expired" rather than "unknown").
  std::shared_ptr<const IssuedCredential> Find(std::string_view access_key_id) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const IssuedCredential>> by_key_id_;
};

// POP RPC signing (wire doc C.4).
std::string PopPercentEncode(std::string_view text);
// METHOD&%2F&percentEncode(k1=v1&k2=v2...), `params` sorted by name, Signature left out.
std::string PopStringToSign(std::string_view method,
                            const std::vector<std::pair<std::string, std::string>>& params);
// Base64(HMAC-SHA1(secret + "&", string_to_sign)).
std::string PopSignature(std::string_view secret, std::string_view string_to_sign);
// Decodes application/x-www-form-urlencoded text ("a=b%20c&d=e"; '+' is a space). False when a
// %-escape is malformed.
bool ParseFormParams(std::string_view text, std::vector<std::pair<std::string, std::string>>* out);

struct StsAnswer {
  int http_status = 200;
  std::string json;  // the JSON body
};

class StsService {
 public:
  // REQUIRES: config and credentials outlive the service. now_us: microseconds since the epoch;
  // null = the system clock.
  StsService(const EmulatorConfig* config, CredentialStore* credentials,
             std::function<int64_t()> now_us = nullptr);

  // `query` is the request target's query string, `body` the (form) body.
  StsAnswer Handle(std::string_view method, std::string_view query, std::string_view body);

 private:
  struct Caller;
  StsAnswer AssumeRole(const std::map<std::string, std::string>& params, const Caller& caller,
                       const std::string& request_id);
  bool UseNonce(const std::string& key_id, const std::string& nonce, int64_t now_us);

  const EmulatorConfig* config_;
  CredentialStore* credentials_;
  std::function<int64_t()> now_us_;
  std::mutex nonce_mu_;
  std::map<std::string, int64_t> nonces_;  // key id + nonce -> when first seen
};

}  // namespace tsb::emulator
