// `tsbridge auth policy | check | assume-role`: flags become AuthCommandOptions; the work lives in
// src/jobs/auth_commands.cc.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "core/log.h"
#include "jobs/auth_commands.h"

namespace tsb::cli {

namespace {

using AuthFn = Status (*)(const jobs::AuthCommandOptions&, std::FILE*);

// Errors on stderr, the answer on stdout, the exit code of decisions 2.
int RunAuth(const std::string& verb, AuthFn fn, const jobs::AuthCommandOptions& options,
            const LogFlags& logs) {
  bool quiet = false;
  jobs::ProgressMode mode;
  if (int code = logs.Apply(verb, &quiet, &mode); code != 0) return code;
  Status s = fn(options, stdout);
  std::fflush(stdout);
  if (s.ok()) return kExitOk;
  const std::string message = s.ToString();
  log::Write(log::Level::kError, "tsbridge " + verb + ": " + message,
             {{"event", std::string_view("failed")}, {"exit_code", int64_t{ExitFor(s).code}}},
             message);
  return ExitFor(s).code;
}

void AddCommon(CLI::App* sub, jobs::AuthCommandOptions* options, LogFlags* logs) {
  sub->add_option("--spec", options->spec_path, "The JSON job spec")->required()->type_name("FILE");
  logs->Add(sub);
}

void AddConnection(CLI::App* sub, jobs::AuthCommandOptions* options,
                   const std::string& duration_flag = "--sts-duration") {
  AddConnectionFlags(sub, &options->endpoint, &options->request_timeout, &options->retry_deadline);
  AddCredentialFlags(sub, &options->auth, duration_flag);
}

}  // namespace

void SetupAuthCommand(CLI::App* sub, RunFn* run) {
  sub->description(
      "RAM policies for a job's role, a check of what its credentials may do, and temporary "
      "credentials for cron and CI.");
  sub->require_subcommand(1);
  SetHelp(sub,
          {.examples = {"tsbridge auth policy --spec orders.json --read-only",
                        "tsbridge auth check --spec orders.json --for export",
                        "eval \"$(tsbridge auth assume-role --spec orders.json --export-env)\""},
           .notes = "Run 'tsbridge auth SUBCOMMAND --help' for each one's flags.",
           .exit_codes = ExitCodes::kOnline});

  {
    auto options = std::make_shared<jobs::AuthCommandOptions>();
    auto logs = std::make_shared<LogFlags>();
    auto* policy = sub->add_subcommand(
        "policy", "Print the trust policy and the least-privilege permission policy of the job");
    SetHelp(policy,
            {.examples = {"tsbridge auth policy --spec orders.json",
                          "tsbridge auth policy --spec orders.json --read-only --for-maxcompute",
                          "tsbridge auth policy --spec orders.json | jq .permission_policy"},
             .notes = "Reads the spec only: no credentials are needed and no request is sent.",
             .credentials = false,
             .exit_codes = ExitCodes::kOffline});
    AddCommon(policy, options.get(), logs.get());
    policy->add_option("--cross-account", options->policy.cross_account,
                       "Trust this account (id) instead of the role's own");
    policy->add_flag("--for-maxcompute", options->policy.for_maxcompute,
                     "Trust MaxCompute (odps.aliyuncs.com), as the guide's role does");
    auto only = std::make_shared<std::pair<bool, bool>>(false, false);  // read, write
    CLI::Option* read_only = policy->add_flag("--read-only", only->first, "Only what import needs");
    CLI::Option* write_only =
        policy->add_flag("--write-only", only->second, "Only what export needs");
    read_only->excludes(write_only);
    policy->callback([run, options, logs, only] {
      if (only->first) options->policy.need = jobs::AccessNeed::kImport;
      if (only->second) options->policy.need = jobs::AccessNeed::kExport;
      *run = [options, logs] {
        return RunAuth("auth policy", jobs::RunAuthPolicy, *options, *logs);
      };
    });
  }
  {
    auto options = std::make_shared<jobs::AuthCommandOptions>();
    auto logs = std::make_shared<LogFlags>();
    auto for_what = std::make_shared<std::string>();
    auto* check = sub->add_subcommand(
        "check", "Try each action the job needs, without changing data, and print the answers");
    SetHelp(check,
            {.examples = {"tsbridge auth check --spec orders.json",
                          "tsbridge auth check --spec orders.json --for import --profile ci"},
             .notes = "One line per action: ACTION  RESULT  RESOURCE  ANSWER.",
             .exit_codes = ExitCodes::kOnline});
    AddCommon(check, options.get(), logs.get());
    AddConnection(check, options.get());
    check->add_option("--for", *for_what, "import or export (default both)")
        ->check(CLI::IsMember({"import", "export"}));
    check->callback([run, options, logs, for_what] {
      if (*for_what == "import") options->need = jobs::AccessNeed::kImport;
      if (*for_what == "export") options->need = jobs::AccessNeed::kExport;
      *run = [options, logs] { return RunAuth("auth check", jobs::RunAuthCheck, *options, *logs); };
    });
  }
  {
    auto options = std::make_shared<jobs::AuthCommandOptions>();
    auto logs = std::make_shared<LogFlags>();
    auto* assume = sub->add_subcommand(
        "assume-role",
        "Assume the job's role and print the temporary credentials' key id and expiry");
    SetHelp(assume,
            {.examples = {"tsbridge auth assume-role --spec orders.json --duration 900",
                          "eval \"$(tsbridge auth assume-role --spec orders.json --export-env)\""},
             .notes = "--export-env prints the secret and the token: the one place tsbridge "
                      "prints a secret.",
             .exit_codes = ExitCodes::kOnline});
    AddCommon(assume, options.get(), logs.get());
    AddConnection(assume, options.get(), "--duration");
    assume->add_flag("--export-env", options->export_env,
                     "Print `export ALIBABA_CLOUD_...=...` lines, secret and token included, for "
                     "eval in a shell");
    assume->callback([run, options, logs] {
      *run = [options, logs] {
        return RunAuth("auth assume-role", jobs::RunAuthAssumeRole, *options, *logs);
      };
    });
  }
}

}  // namespace tsb::cli
