// `tsbridge verify`: a table (or what --where selects of it) against a file. Flags become
// VerifyOptions; the job lives in src/jobs/verify_job.cc.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "core/log.h"
#include "jobs/verify_job.h"

namespace tsb::cli {

void SetupVerifyCommand(CLI::App* sub, RunFn* run) {
  auto options = std::make_shared<jobs::VerifyOptions>();
  auto logs = std::make_shared<LogFlags>();
  auto json = std::make_shared<bool>(false);
  auto summary_path = std::make_shared<std::string>();
  sub->description(
      "Compare a Tablestore table (or what --where selects of it) with a Parquet, CSV or JSON "
      "Lines file, split by split, and name the key ranges and rows that differ.");
  SetHelp(sub,
          {.examples = {"tsbridge verify --spec orders.json --input orders.parquet",
                        "tsbridge verify --spec orders.json --input orders.csv "
                        "--where \"odps_orderkey < 7000\" --show 10",
                        "tsbridge verify --spec orders.json --input orders.jsonl --json"},
           .notes = "The rows compare in the spec's columns and types, so that a file written by\n"
                    "import, or read by export, verifies equal against its table whatever the\n"
                    "order of its rows.",
           .exit_codes = ExitCodes::kVerify});
  sub->add_option("--spec", options->spec_path, "The JSON job spec")->required()->type_name("FILE");
  sub->add_option("-i,--input", options->input,
                  "The file to compare (.parquet, .csv, .jsonl, text ones optionally .gz/.zst; "
                  "default: the spec's file.path)")
      ->type_name("FILE");
  sub->add_option("--format", options->format,
                  "parquet, csv or jsonl (default: from the input's extension or the spec)")
      ->type_name(FormatChoices());
  sub->add_option("--where", options->where,
                  "SQL predicate over the spec's column names: compare only the rows it selects, "
                  "of the table and of the file");
  sub->add_option("--show", options->show, "Print up to N differing rows with their values")
      ->check(WholeNumberIn(0, INT64_MAX, "a row count of 0 or more"));
  sub->add_flag("--json", *json, "Print the report as one JSON object");
  sub->add_option("--parallel", options->parallel,
                  "Concurrent split scanners (default 4, at most 64)")
      ->check(WholeNumberIn(1, kMaxParallel,
                            "a number of scanners from 1 to " + std::to_string(kMaxParallel)));
  sub->add_option("--summary", *summary_path, "Write the job summary as JSON to FILE")
      ->type_name("FILE");
  AddConnectionFlags(sub, &options->endpoint, &options->request_timeout, &options->retry_deadline);
  AddCredentialFlags(sub, &options->auth);
  logs->Add(sub);

  sub->callback([run, options, logs, json, summary_path] {
    *run = [options, logs, json, summary_path]() -> int {
      jobs::ProgressMode progress;
      if (int code = logs->Apply("verify", &options->quiet, &progress); code != 0) return code;
      InstallStopHandlers();
      jobs::VerifyReport report;
      jobs::JobSummary summary;
      Status s = jobs::RunVerify(*options, &report, &summary);
      if (!s.ok()) {
        return FinishJob("verify", s, &summary, *summary_path, /*quiet=*/true, /*one_line=*/false);
      }
      const std::string text = *json ? report.Json() : report.Text();
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
      // A difference is exit 3 (data problems), as rejected rows are for import and export; the
      // summary's status word follows the one exit mapping.
      const int64_t differing = report.equal() ? 0 : std::max<int64_t>(1, report.differing_rows());
      const ExitStatus exit = ExitFor(s, jobs::StopReason::kNone, differing);
      summary.status = std::string(exit.word);
      summary.exit_code = exit.code;
      if (differing > 0) {
        const int64_t rows = report.differing_rows();
        summary.error = "the table and the file differ (" + std::to_string(rows) +
                        (rows == 1 ? " row" : " rows") + "; the report is on stdout)";
        log::Write(log::Level::kError, "tsbridge verify: " + summary.error,
                   {{"event", std::string_view("differ")}, {"exit_code", int64_t{exit.code}}},
                   summary.error);
      }
      Status written = jobs::WriteSummaryFile(*summary_path, summary);
      if (!written.ok()) {
        log::Write(log::Level::kError, "tsbridge verify: " + written.ToString(),
                   {{"event", std::string_view("summary_failed")}}, written.ToString());
        return kExitFailure;
      }
      return exit.code;
    };
  });
}

}  // namespace tsb::cli
