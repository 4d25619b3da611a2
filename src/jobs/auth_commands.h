// The jobs behind `tsbridge auth policy | check | assume-role` (src/cli/auth.cc parses the flags).
// Each writes its answer to `out` (stdout) and returns the Status that decides the exit code.
#pragma once

#include <cstdio>
#include <string>

#include "jobs/auth_access.h"
#include "jobs/auth_policy.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

struct AuthCommandOptions {
  std::string spec_path;
  std::string endpoint;  // --endpoint
  double request_timeout = 30;
  double retry_deadline = 300;
  AuthOptions auth;
  PolicyOptions policy;                 // auth policy
  AccessNeed need = AccessNeed::kBoth;  // auth check --for
  bool export_env = false;              // auth assume-role --export-env
};

// The trust and permission policies as JSON; notes (a `*` region or account) on stderr.
Status RunAuthPolicy(const AuthCommandOptions& options, std::FILE* out);

// Tries each needed action and prints a table: action, resource, allowed / refused / not tried,
// the service's answer. PermissionDenied (exit 4) when anything needed is refused.
Status RunAuthCheck(const AuthCommandOptions& options, std::FILE* out);

// Assumes the spec's role (or the profile's) once and prints the temporary access key id and
// expiry; with --export-env, `export ALIBABA_CLOUD_ACCESS_KEY_ID=...` lines (secret and token
// included, shell-quoted: the one place tsbridge prints a secret, because the user asked for it)
// and TSBRIDGE_ASSUMED_ROLE_ARN, which tells a later job of the same role that these are the
// role's credentials already. InvalidArgument when there is no role to assume.
Status RunAuthAssumeRole(const AuthCommandOptions& options, std::FILE* out);

// 'text' with every ' written as '\'': safe inside a POSIX shell's single quotes.
std::string ShellQuote(const std::string& text);

}  // namespace tsb::jobs
