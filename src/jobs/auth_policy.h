// `tsbridge auth policy`: the RAM policies a job's role needs (decisions 7, wire doc C.6), as JSON
// to paste into the RAM console (or into the emulator's --config).
#pragma once

#include <string>
#include <vector>

#include "jobs/auth_access.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

struct PolicyOptions {
  std::string cross_account;    // --cross-account ID: the account trusted instead of the role's
  bool for_maxcompute = false;  // --for-maxcompute: MaxCompute's service principal
  AccessNeed need = AccessNeed::kBoth;  // --read-only: kImport; --write-only: kExport
};

struct Policies {
  std::string trust_policy;        // compact JSON; empty when no account is known
  std::string permission_policy;   // compact JSON
  std::vector<std::string> notes;  // what was guessed (a `*` region or account), for stderr
};

// The trust policy lets the role's own account (acs:ram::ACCOUNT:root), the --cross-account one,
// or MaxCompute (odps.aliyuncs.com, ID@odps.aliyuncs.com across accounts) assume the role; the
// permission policy allows exactly NeededActions(need) on the spec's instance and table. The
// account comes from role_arn (else `*`, and no trust policy without --cross-account), the region
// from tablestore.region or the endpoint's host (else `*`). InvalidArgument for a --cross-account
// that is not an account id.
Result<Policies> MakePolicies(const JobSpec& spec, const PolicyOptions& options);

// {"trust_policy": ..., "permission_policy": ...}, indented, for stdout.
std::string PoliciesJson(const Policies& policies);

}  // namespace tsb::jobs
