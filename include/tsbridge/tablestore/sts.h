// STS AssumeRole (wire doc C.4) and credentials that renew themselves before they expire.
//
// A job whose spec names a `role_arn` (or whose profile is a `ram_role_arn` / `RamRoleArn` one)
// runs as that role: the caller's credentials sign one AssumeRole call (POP RPC, HMAC-SHA1), and
// Tablestore requests then carry the temporary key and its `x-ots-ststoken`. Temporary
// credentials expire, so RenewingCredentials asks STS again in the background before they do
// (the Go SDK renews 180 s before expiry; short test lifetimes renew at two thirds of theirs), and
// every request in flight keeps the credentials it was signed with: the data never waits for a
// renewal.
//
// Refusals are PermissionDenied (exit 4) naming the role, the STS endpoint and where the caller's
// key came from; no secret, token or signature is ever in a message (STS's SignatureDoesNotMatch
// message quotes the string to sign, which holds the caller's token: it is cut).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "tsbridge/status.h"
#include "tsbridge/tablestore/credentials.h"
#include "tsbridge/tablestore/http_transport.h"

namespace tsb::ots {

// RFC 3986 percent-encoding as POP RPC wants it: A-Z a-z 0-9 - _ . ~ stay, every other byte is
// %XY with upper-case hex (space %20, * %2A).
// "YYYY-MM-DDThh:mm:ssZ", the form of STS timestamps and expirations.
std::string UtcTimestamp(std::chrono::system_clock::time_point t);

std::string PopPercentEncode(std::string_view text);

// METHOD&%2F&percentEncode(k1=v1&k2=v2...) over the parameters sorted by name (`Signature` must
// not be among them).
std::string PopStringToSign(std::string_view method,
                            const std::map<std::string, std::string>& params);

// Base64(HMAC-SHA1(secret + "&", string_to_sign)).
std::string PopSignature(std::string_view secret, std::string_view string_to_sign);

// The public STS endpoint of a region (decisions 6): https://sts.REGION.aliyuncs.com, or
// https://sts.aliyuncs.com when the region is unknown.
std::string DefaultStsEndpoint(std::string_view region);

// A RoleSessionName STS accepts (2 to 32 of [A-Za-z0-9.@_-]): `requested` when given and valid
// (else InvalidArgument), else ALIBABA_CLOUD_ROLE_SESSION_NAME, else "tsbridge-" + the host name
// with other characters turned into '-', cut to 32.
Result<std::string> ChooseSessionName(std::string_view requested,
                                      const Environment& env = Environment::System());

struct AssumeRoleRequest {
  std::string role_arn;
  std::string session_name;
  int64_t duration_seconds = 3600;
  std::string policy;  // optional session policy
};

class StsClient {
 public:
  // endpoint: "https://sts.cn-hangzhou.aliyuncs.com", "http://127.0.0.1:8800" (the emulator).
  static Result<std::unique_ptr<StsClient>> Create(std::string endpoint,
                                                   HttpTransportOptions http = {});

  // The role's temporary credentials (expiration set, source naming the role and the caller's
  // source). `caller` may itself hold an STS token (sent as SecurityToken). Network failures are
  // tried 3 times; STS refusals are PermissionDenied (InvalidParameter: InvalidArgument).
  Result<Credentials> AssumeRole(const Credentials& caller, const AssumeRoleRequest& request) const;

  const std::string& endpoint() const { return endpoint_; }

 private:
  StsClient(std::string endpoint, std::unique_ptr<HttpTransport> transport)
      : endpoint_(std::move(endpoint)), transport_(std::move(transport)) {}
  std::string endpoint_;
  std::unique_ptr<HttpTransport> transport_;
};

// When to renew credentials that were received at `received` and expire at `expires`: 180 s
// before expiry, or at two thirds of the lifetime when that is sooner (short test lifetimes).
std::chrono::system_clock::time_point RenewAt(std::chrono::system_clock::time_point received,
                                              std::chrono::system_clock::time_point expires);

// Credentials from AssumeRole, renewed by a background thread (CredentialsSource, client.h: every
// request takes the current ones). A failed renewal is retried every few seconds while the old
// credentials still hold, and logged at warn level; the job only fails if they run out.
class RenewingCredentials : public CredentialsSource {
 public:
  // Assumes the role once (its error is the caller's) and starts renewing.
  static Result<std::shared_ptr<RenewingCredentials>> Start(std::unique_ptr<StsClient> sts,
                                                            Credentials caller,
                                                            AssumeRoleRequest request);
  ~RenewingCredentials() override;

  std::shared_ptr<const Credentials> Current() const override;
  int renewals() const;

 private:
  RenewingCredentials(std::unique_ptr<StsClient> sts, Credentials caller, AssumeRoleRequest request,
                      Credentials first);
  void Run();

  std::unique_ptr<StsClient> sts_;
  const Credentials caller_;
  const AssumeRoleRequest request_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::shared_ptr<const Credentials> current_;      // guarded by mu_
  std::chrono::system_clock::time_point received_;  // guarded by mu_
  int renewals_ = 0;                                // guarded by mu_
  bool stop_ = false;                               // guarded by mu_
  std::thread thread_;
};

}  // namespace tsb::ots
