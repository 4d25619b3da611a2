// `tsbridge export`: local file -> Tablestore table. Flags become ExportOptions; the job lives in
// src/jobs/export_job.cc.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "jobs/export_dry_run.h"
#include "jobs/export_job.h"

namespace tsb::cli {

void SetupExportCommand(CLI::App* sub, RunFn* run) {
  auto options = std::make_shared<jobs::ExportOptions>();
  auto logs = std::make_shared<LogFlags>();
  auto shard = std::make_shared<std::string>();
  auto mode = std::make_shared<std::string>("update");
  auto nulls = std::make_shared<std::string>("skip");
  auto max_errors = std::make_shared<std::string>();
  sub->description(
      "Write a local Parquet, CSV or JSON Lines file into a Tablestore table "
      "(file -> Tablestore).");
  SetHelp(sub,
          {.examples = {"tsbridge export --spec orders.json --input orders.csv --create-table",
                        "tsbridge export --spec orders.json --input orders.parquet --mode put "
                        "--parallel 8 --max-errors 1%",
                        "gzip -dc orders.jsonl.gz | tsbridge export --spec orders.json --input - "
                        "--format jsonl --dry-run"},
           .notes = "Rows are written with UpdateRow semantics by default: only the mapped "
                    "columns change.\nA rejected row goes to the reject file with its line "
                    "and reason; the others are written.",
           .exit_codes = ExitCodes::kJob});
  sub->add_option("--spec", options->spec_path, "The JSON job spec")->required()->type_name("FILE");
  sub->add_option("-i,--input", options->input,
                  "Input file, or - for stdin (default: the spec's file.path)")
      ->type_name("FILE");
  AddDialectFlags(sub, &options->dialect, "input");
  sub->add_option("--format", options->format,
                  "parquet, csv or jsonl (default: from the input's extension or the spec)")
      ->type_name(FormatChoices());
  sub->add_option("--mode", *mode,
                  "update (default): change only the mapped columns of each row; put: replace "
                  "whole rows")
      ->check(CLI::IsMember({"update", "put"}));
  sub->add_option("--nulls", *nulls,
                  "skip (default): a NULL leaves the column as it is; delete: a NULL deletes it")
      ->check(CLI::IsMember({"skip", "delete"}));
  sub->add_flag("--if-absent", options->if_absent,
                "Write only rows that do not exist yet; existing ones go to the reject file");
  sub->add_option("--parallel", options->parallel, "Concurrent writers (default 4, at most 64)")
      ->check(WholeNumberIn(1, kMaxParallel,
                            "a number of writers from 1 to " + std::to_string(kMaxParallel)));
  sub->add_flag(
      "--scatter", options->scatter,
      "Read a key-ordered, uncompressed CSV or JSON Lines input at several places at once, so "
      "the writers hit different key regions (or Parquet, by row ranges)");
  sub->add_option("--shard", *shard,
                  "Write only share K of N of the rows, by a hash of the partition key (K/N)");
  sub->add_option("--rejects", options->rejects_path,
                  "Reject file (default: <input stem>.rejects.<csv|jsonl>; stderr for --input -)")
      ->type_name("FILE");
  sub->add_flag("--create-table", options->create_table,
                "Create the table from the spec's primary-key columns when it does not exist");
  sub->add_flag("--dry-run", options->dry_run,
                "Check everything and read the whole input, write nothing, report what would "
                "happen");
  auto* resume = sub->add_flag("--resume", options->resume,
                               "Continue an interrupted export from its checkpoint: rows it "
                               "acknowledged are not read again");
  auto* restart = sub->add_flag("--restart", options->restart,
                                "Discard an interrupted export's checkpoint and start from the "
                                "first row");
  resume->excludes(restart);
  sub->add_option("--checkpoint", options->checkpoint_path,
                  "Checkpoint file (default: <input>.tsbridge-checkpoint)")
      ->type_name("FILE");
  sub->add_option("--summary", options->summary_path, "Write the job summary as JSON to FILE")
      ->type_name("FILE");
  sub->add_option("--max-errors", *max_errors,
                  "Stop (exit 3) once more than N rows, or more than P% of the rows, were rejected")
      ->check(MaxErrorsValue());
  AddConnectionFlags(sub, &options->endpoint, &options->request_timeout, &options->retry_deadline);
  AddCredentialFlags(sub, &options->auth);
  logs->Add(sub);
  sub->add_option("--max-rows-per-sec", options->max_rows_per_sec,
                  "Write at most N rows per second in all (a token bucket shared by the writers)")
      ->check(PositiveFiniteNumber("a finite number of rows per second greater than 0"));
  sub->add_option("--max-cu-per-sec", options->max_cu_per_sec,
                  "Spend at most N write CU per second in all (estimated from the rows' sizes)")
      ->check(PositiveFiniteNumber("a finite number of CU per second greater than 0"));

  sub->callback([run, options, logs, shard, mode, nulls, max_errors] {
    *run = [options, logs, shard, mode, nulls, max_errors]() -> int {
      if (int code = logs->Apply("export", &options->quiet, &options->progress); code != 0) {
        return code;
      }
      if (!shard->empty() && !ParseShard(*shard, &options->shard_index, &options->shard_count)) {
        return UsageError("export",
                          "--shard: expected K/N with 1 <= K <= N, got \"" + *shard + "\"");
      }
      if (!max_errors->empty() &&
          !ParseMaxErrors(*max_errors, &options->max_errors, &options->max_errors_percent)) {
        return UsageError("export", "--max-errors: expected a row count N or a share P%, got \"" +
                                        *max_errors + "\"");
      }
      options->put_mode = *mode == "put";
      options->nulls_delete = *nulls == "delete";
      if (options->put_mode && options->nulls_delete) {
        return UsageError("export",
                          "--nulls delete goes with --mode update (--mode put replaces whole rows, "
                          "so a NULL column is absent anyway)");
      }
      InstallStopHandlers();
      jobs::JobSummary summary;
      jobs::ExportDryRunReport report;
      Status s = jobs::RunExport(*options, &summary, &report);
      if (s.ok() && options->dry_run) {
        const std::string text = jobs::FormatExportDryRunReport(report);
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
      }
      return FinishJob("export", s, &summary, options->summary_path, options->quiet);
    };
  });
}

}  // namespace tsb::cli
