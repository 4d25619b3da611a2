#include "jobs/auth_commands.h"

#include <chrono>
#include <ctime>

#include "core/log.h"
#include "jobs/job_common.h"
#include "tsbridge/tablestore/sts.h"

namespace tsb::jobs {

namespace {

std::string Pad(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

}  // namespace

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

Status RunAuthPolicy(const AuthCommandOptions& options, std::FILE* out) {
  TSB_ASSIGN_OR_RETURN(JobSpec spec, LoadJobSpec(options.spec_path));
  TSB_ASSIGN_OR_RETURN(Policies policies, MakePolicies(spec, options.policy));
  for (const std::string& note : policies.notes) log::Warn("tsbridge auth policy: note: " + note);
  const std::string text = PoliciesJson(policies);
  std::fwrite(text.data(), 1, text.size(), out);
  return Status::OK();
}

Status RunAuthCheck(const AuthCommandOptions& options, std::FILE* out) {
  TSB_ASSIGN_OR_RETURN(JobSpec spec, LoadJobSpec(options.spec_path));
  ConnectOptions connect{
      options.endpoint, 1, options.request_timeout, options.retry_deadline, options.auth,
      AccessNeed::kNone};
  std::string identity;
  TSB_ASSIGN_OR_RETURN(auto client, ConnectForSpec(spec, connect, &identity));
  std::vector<AccessResult> results = CheckAccess(client.get(), spec, options.need);
  size_t width = 6;
  for (const AccessResult& r : results) width = std::max(width, r.action.size());
  std::string table = Pad("ACTION", width) + "  " + Pad("RESULT", 9) + "  RESOURCE  ANSWER\n";
  for (const AccessResult& r : results) {
    table += Pad(r.action, width) + "  " +
             Pad(!r.tried    ? "not tried"
                 : r.allowed ? "allowed"
                             : "refused",
                 9) +
             "  " + r.resource + "  " + r.message + "\n";
  }
  std::fwrite(table.data(), 1, table.size(), out);
  TSB_RETURN_IF_ERROR(RefusalStatus(results, identity));
  // The actions that need the table could not be tried: that is no pass.
  if (!results.empty() && results.front().message.starts_with("OTSObjectNotExist")) {
    return Status::InvalidArgument("tablestore.table: table \"" + spec.tablestore.table +
                                   "\" does not exist in instance \"" + client->instance() +
                                   "\"; the actions that need it were not tried");
  }
  return Status::OK();
}

Status RunAuthAssumeRole(const AuthCommandOptions& options, std::FILE* out) {
  TSB_ASSIGN_OR_RETURN(JobSpec spec, LoadJobSpec(options.spec_path));
  TSB_ASSIGN_OR_RETURN(ResolvedCredentials resolved,
                       ResolveCredentials(spec, options.auth, options.request_timeout,
                                          /*renew=*/false));
  if (resolved.role_arn.empty()) {
    return Status::InvalidArgument(
        "no role to assume: the spec has no tablestore.role_arn and the credentials (" +
        resolved.caller_source + ") are not a role profile");
  }
  const ots::Credentials& c = resolved.initial;
  const std::string expires = c.expiration ? ots::UtcTimestamp(*c.expiration) : "unknown";
  std::string text;
  if (options.export_env) {
    text = "export ALIBABA_CLOUD_ACCESS_KEY_ID=" + ShellQuote(c.access_key_id) + "\n" +
           "export ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + ShellQuote(c.access_key_secret) + "\n" +
           "export ALIBABA_CLOUD_SECURITY_TOKEN=" + ShellQuote(c.security_token) + "\n" +
           "export TSBRIDGE_ASSUMED_ROLE_ARN=" + ShellQuote(resolved.role_arn) + "\n" +
           "# expires " + expires + "\n";
  } else {
    text = "role " + resolved.role_arn + "\naccess key id " + c.access_key_id + "\nexpires " +
           expires +
           "\n(the secret and the token are not shown: --export-env prints them as shell "
           "exports)\n";
  }
  std::fwrite(text.data(), 1, text.size(), out);
  return Status::OK();
}

}  // namespace tsb::jobs
