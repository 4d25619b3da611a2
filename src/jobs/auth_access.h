// Who a job runs as, and whether that identity may do what the job needs (issue 16, decisions 7).
//
// ResolveCredentials walks the credential chain (credentials.h) and, when the spec names a
// `role_arn` or the profile is a role profile, assumes the role through STS (sts.h): the job then
// runs on temporary credentials that renew themselves. CheckAccess tries each Tablestore action a
// job needs without changing any data, so that `tsbridge auth check`, import and export find a
// refusal before the first row moves.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tsbridge/job_spec.h"
#include "tsbridge/status.h"
#include "tsbridge/tablestore/client.h"
#include "tsbridge/tablestore/credentials.h"

namespace tsb::jobs {

// The credential flags of every subcommand that talks to Tablestore.
struct AuthOptions {
  std::string profile;           // --profile
  std::string credentials_file;  // --credentials-file
  // --sts-endpoint, else TSBRIDGE_STS_ENDPOINT, else the spec's sts_endpoint, else the public
  // STS endpoint of the region (decisions 6).
  std::string sts_endpoint;
  int64_t duration_seconds = 0;  // --sts-duration: 0 = the profile's, else 3600
  std::string ca_bundle;         // --ca-bundle: a CA file added for https (STS and Tablestore)
};

struct ResolvedCredentials {
  ots::Credentials initial;  // what the first request is signed with
  // Set when a role was assumed: renews before expiry; the client takes each request's
  // credentials from it.
  std::shared_ptr<ots::CredentialsSource> source;
  std::string caller_source;  // where the caller's key came from (environment, a file, ...)
  std::string role_arn;       // the role assumed, if any
};

// The chain, then AssumeRole when a role is named: the spec's role_arn wins over a role
// profile's (it is assumed with the profile's key pair). `renew` false assumes once (auth
// assume-role). Warnings of the chain (a credentials file others can read) are logged.
Result<ResolvedCredentials> ResolveCredentials(const JobSpec& spec, const AuthOptions& auth,
                                               double request_timeout, bool renew = true);

// What a job does to its table.
enum class AccessNeed { kNone, kImport, kExport, kBoth };

// The `ots:` actions a job needs, in the order they are tried.
std::vector<std::string> NeededActions(AccessNeed need);

// acs:ots:REGION:ACCOUNT:instance/INSTANCE[/table/TABLE]: region and account from the spec
// (tablestore.region or the endpoint's host; role_arn's account), `*` where unknown.
std::string OtsResource(const JobSpec& spec, bool table_level);

struct AccessResult {
  std::string action;    // "ots:GetRange"
  std::string resource;  // the table's ARN
  bool allowed = false;
  bool tried = false;   // false: could not be tried (it needs what an earlier refusal hid)
  // false for ots:BatchGetRow of export: only the read-back of a write whose answer was lost and
  // --if-absent use it, so its refusal is a warning, not a stop.
  bool required = true;
  std::string message;  // the service's answer (code: message), or why it was not tried
  // A failure that is not the service's answer (network, TLS certificate): the check stops there
  // and RefusalStatus returns it as it is.
  Status failure;
};

// Tries each action of `need` on the spec's table without changing data: DescribeTable,
// ComputeSplitPointsBySize, GetRange of one row (import); BatchWriteRow of an update whose
// condition cannot pass, BatchGetRow of the same key (export). An action is refused when the
// service answers OTSNoPermissionAccess or OTSAuthFailed; any other answer (a missing table
// included) means the identity may call it.
std::vector<AccessResult> CheckAccess(ots::Client* client, const JobSpec& spec, AccessNeed need);

// The first failure that is not the service's answer, as it is; else PermissionDenied naming the
// first refused required action, its resource, the service's message and where the key came
// from; OK when nothing required was refused (a refused optional action is logged as a warning).
Status RefusalStatus(const std::vector<AccessResult>& results, const std::string& identity);

}  // namespace tsb::jobs
