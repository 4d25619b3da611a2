// `tsbridge describe`: the spec's table, the mapping beside a sample of rows, and what is wrong
// with it. Flags become DescribeOptions; the job lives in src/jobs/describe_job.cc.
//
// The report goes to stdout (text, or one JSON document with --json), errors to stderr. Exit 2
// when a finding is an error (the mapping cannot work), 0 otherwise, warnings included; a
// failure to read the table exits as every subcommand does (cli/exit_status.h).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "core/log.h"
#include "core/value_text.h"
#include "jobs/describe_job.h"

namespace tsb::cli {

namespace {

int Failed(const Status& status) {
  const ExitStatus exit = ExitFor(status);
  const std::string message = status.ToString();
  log::Write(log::Level::kError, "tsbridge describe: " + message,
             {{"event", std::string_view("failed")},
              {"status", std::string_view(exit.word)},
              {"exit_code", int64_t{exit.code}}},
             message);
  return exit.code;
}

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

int ListTables(const jobs::DescribeOptions& options, bool json) {
  auto tables = jobs::ListTables(options);
  if (!tables.ok()) return Failed(tables.status());
  std::string out;
  if (json) {
    out = "[";
    for (size_t i = 0; i < tables->size(); ++i) {
      if (i > 0) out += ",";
      AppendJsonString((*tables)[i], &out);
    }
    out += "]\n";
  } else {
    for (const std::string& t : *tables) out += t + "\n";
  }
  Print(out);
  return kExitOk;
}

}  // namespace

void SetupDescribeCommand(CLI::App* sub, RunFn* run) {
  auto options = std::make_shared<jobs::DescribeOptions>();
  auto json = std::make_shared<bool>(false);
  auto list_tables = std::make_shared<bool>(false);
  sub->description(
      "Show the spec's table (primary key, defined columns, options, reserved throughput, size), "
      "the mapping beside the types a sample of rows holds, the external table as MaxCompute's "
      "desc extended shows it, and what is wrong with the mapping.");
  SetHelp(sub, {.examples = {"tsbridge describe --spec orders.json",
                             "tsbridge describe --spec orders.json --json --sample 5000",
                             "tsbridge describe --spec orders.json --list-tables"},
                .notes = "Findings have a stable code (pk_missing, pk_order, pk_not_in_table, "
                         "pk_not_marked,\nkey_type_mismatch, type_cannot_hold, attribute_not_seen, "
                         "value_would_reject,\ntimestamp_finer_than_ticks, attribute_not_mapped), "
                         "the column and a fix.",
                .exit_codes = ExitCodes::kDescribe});
  sub->add_option("--spec", options->spec_path, "The JSON job spec")->required()->type_name("FILE");
  sub->add_flag("--json", *json,
                "Print the report as one JSON document (docs/describe.schema.json)");
  sub->add_option("--sample", options->sample,
                  "Rows to sample from the start of the table, a few splits' starts when it has "
                  "several (default 1000; 0 reads no rows)")
      ->check(WholeNumberIn(0, 1000000, "a row count from 0 to 1000000"));
  sub->add_flag("--list-tables", *list_tables,
                "List the instance's tables instead, one a line (--json: an array)");
  AddConnectionFlags(sub, &options->endpoint, &options->request_timeout, &options->retry_deadline);
  AddCredentialFlags(sub, &options->auth);

  sub->callback([run, options, json, list_tables] {
    *run = [options, json, list_tables]() -> int {
      if (*list_tables) return ListTables(*options, *json);
      jobs::DescribeReport report;
      Status s = jobs::RunDescribe(*options, &report);
      if (!s.ok()) return Failed(s);
      Print(*json ? report.ToJson() : report.ToText());
      if (!report.HasErrors()) return kExitOk;
      std::string codes;
      for (const jobs::Finding& f : report.findings) {
        if (f.severity != jobs::Severity::kError) continue;
        codes += (codes.empty() ? "" : ", ") + f.code;
      }
      return UsageError("describe", "the mapping cannot work: " +
                                        std::to_string(report.Count(jobs::Severity::kError)) +
                                        " error finding(s): " + codes);
    };
  });
}

}  // namespace tsb::cli
