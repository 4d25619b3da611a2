// Request authentication for the emulator, as the service does it (wire doc A.1, A.2, C.2):
// required headers, the body's MD5, the date window, the access key, the signature over every
// x-ots-* header, and the instance.
//
// Checks, in order, and what each refusal is (HTTP status, code, message):
//   1. headers x-ots-accesskeyid, x-ots-apiversion, x-ots-contentmd5, x-ots-date,
//      x-ots-instancename, x-ots-signature present    400 OTSParameterInvalid "Missing header: {Name}."
//   2. x-ots-contentmd5 == Base64(MD5(body))          403 OTSAuthFailed "Mismatch between MD5 value
//                                                     of request body and x-ots-contentmd5 in header."
//   3. x-ots-date parses (0-9 fraction digits)        400 OTSParameterInvalid "Invalid date format: {Date}."
//      and is within 15 minutes of our clock          403 OTSAuthFailed "Mismatch between system time
//                                                     and x-ots-date: {Date}."
//   4. the access key id is known                     403 OTSAuthFailed "The AccessKeyID does not exist."
//   5. x-ots-signature matches                        403 OTSAuthFailed "Signature mismatch."
//   6. x-ots-ststoken: a temporary key (issued by our STS, sts.h) needs the token issued with it,
//      unexpired; a long-term key takes no token at all (so a made-up token never passes, with or
//      without a config)                         403 OTSAuthFailed "The SecurityToken ..."
//   7. with a config: the key's account (a role session's: the role's account) declares the
//      instance                                   403 OTSAuthFailed "The instance is not found."
//      without one, any instance name is served as its own namespace.
//
// Then Authorize (RAM, wire doc C.6): the action ots:<Operation> on the resource
// acs:ots:REGION:ACCOUNT:instance/NAME/table/TABLE (every table of a BatchWriteRow/BatchGetRow;
// ListTable is an instance-level action: acs:ots:REGION:ACCOUNT:instance/NAME; CreateTable is
// authorized on the table it creates) against the policies of the RAM user, or of the role behind
// a temporary key intersected with the session policy given to AssumeRole. An explicit Deny wins.
// The account's own (root) keys may do everything in their account. A refusal is
// 403 OTSNoPermissionAccess, with the service's message followed by the action and the resource.
//
// The instance namespace is the instance name lower-cased: the service treats instance names
// case-insensitively (they are DNS labels of the endpoint).
//
// Thread safety: an Authenticator is immutable after construction; Authenticate is const and may
// run on any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tsbridge/status.h"
#include "emulator/config.h"
#include "emulator/sts.h"
#include "tablestore/signer.h"

namespace tsb::emulator {

struct Identity {
  // The request's access key when it is known (set even when a later check refuses the request:
  // the response is still signed with it). Points into the config.
  const AccessKeyConfig* key = nullptr;
  const AccountConfig* account = nullptr;
  const UserConfig* user = nullptr;                 // a RAM user's key
  std::shared_ptr<const IssuedCredential> session;  // a temporary key: its role session
  std::string instance;                             // store namespace; set on success
};

class Authenticator {
 public:
  // REQUIRES: config (and credentials, when given) outlive the Authenticator. credentials: the
  // temporary keys our STS issued; null = none. now_us returns microseconds since the epoch;
  // null = the system clock.
  explicit Authenticator(const EmulatorConfig* config, const CredentialStore* credentials = nullptr,
                         std::function<int64_t()> now_us = nullptr);
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // `path` is the request path ("/GetRange"); `headers` every request header. Returns OK, or a
  // service error (Status::FromService: ots_code, message, http_status) to send back.
  Status Authenticate(std::string_view path, std::span<const ots::HeaderEntry> headers,
                      std::string_view body, Identity* identity) const;

  // RAM authorization of an authenticated request for `operation` (a supported one) with the
  // protobuf `body`, whose table names it reads. OK, or the service error to send back.
  Status Authorize(const Identity& identity, std::string_view operation,
                   std::string_view body) const;

  // The secret of a known key id, for signing; null when unknown.
  const AccessKeyConfig* FindKey(std::string_view access_key_id) const;

 private:
  struct KeyEntry {
    const AccessKeyConfig* key;
    const AccountConfig* account;
    const UserConfig* user;
  };
  const EmulatorConfig* config_;
  const CredentialStore* credentials_;
  std::function<int64_t()> now_us_;
  std::unordered_map<std::string, KeyEntry> keys_;
};

// The tables a request names (field 1 of the request, of its TableMeta for CreateTable, of each
// table entry for BatchWriteRow/BatchGetRow), read from the protobuf wire format without decoding
// the rows. InvalidArgument when the body is not a well-formed message.
Result<std::vector<std::string>> RequestTables(std::string_view operation, std::string_view body);

// The value of the first header named `name` (ASCII case-insensitive), or empty with *found false.
std::string_view FindHeader(std::span<const ots::HeaderEntry> headers, std::string_view name,
                            bool* found = nullptr);

}  // namespace tsb::emulator
