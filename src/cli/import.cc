// `tsbridge import`: Tablestore table -> local file. Flags become ImportOptions; the job lives in
// src/jobs/import_job.cc.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "core/value_text.h"
#include "jobs/import_job.h"

namespace tsb::cli {

namespace {

// "FROM,TO": two integers (epoch milliseconds) with 0 <= FROM < TO.
bool ParseTimeRange(const std::string& text, jobs::ImportOptions* options) {
  const size_t comma = text.find(',');
  if (comma == std::string::npos) return false;
  int64_t from = 0;
  int64_t to = 0;
  if (!ParseInt64(std::string_view(text).substr(0, comma), &from) ||
      !ParseInt64(std::string_view(text).substr(comma + 1), &to) || from < 0 || to <= from) {
    return false;
  }
  options->time_from = from;
  options->time_to = to;
  return true;
}

}  // namespace

void SetupImportCommand(CLI::App* sub, RunFn* run) {
  auto options = std::make_shared<jobs::ImportOptions>();
  auto logs = std::make_shared<LogFlags>();
  auto shard = std::make_shared<std::string>();
  auto time_range = std::make_shared<std::string>();
  auto versions = std::make_shared<std::string>();
  auto max_errors = std::make_shared<std::string>();
  auto row_group_rows = std::make_shared<std::string>();
  sub->description(
      "Read a Tablestore table into a local Parquet, CSV or JSON Lines file "
      "(Tablestore -> file).");
  SetHelp(
      sub,
      {.examples = {"tsbridge import --spec orders.json --output orders.parquet \\\n"
                    "    --where \"odps_orderkey > 5000 AND odps_orderdate >= '1996-05-03'\"",
                    "tsbridge import --spec orders.json --output parts/ --format csv --parallel 8",
                    "tsbridge import --spec orders.json --output - --format jsonl --limit 10",
                    "tsbridge import --spec orders.json --output history.parquet --versions 3 \\\n"
                    "    --time-range 1735689600000,1738368000000 --max-rows-per-sec 20000"},
       .notes = "On failure no file is left under the output name. A file output keeps a "
                "checkpoint as it goes: after a kill or crash, the same command with --resume "
                "continues where it stopped.",
       .exit_codes = ExitCodes::kJob});
  sub->add_option("--spec", options->spec_path, "The JSON job spec")->required()->type_name("FILE");
  sub->add_option("-o,--output", options->output,
                  "Output file (.parquet, .csv, .jsonl, text ones optionally .gz/.zst), DIR/ for "
                  "one part file per split, or - for stdout (default: the spec's file.path)")
      ->type_name("FILE");
  AddDialectFlags(sub, &options->dialect, "output");
  sub->add_option("--format", options->format,
                  "parquet, csv or jsonl (default: from the spec or "
                  "the output's extension)")
      ->type_name(FormatChoices());
  sub->add_option("--where", options->where,
                  "SQL predicate over the spec's column names; key bounds are pushed down");
  sub->add_flag("--explain", options->explain,
                "Print the scan plan (key ranges, server filter, local residue) and read nothing");
  sub->add_option("--parallel", options->parallel,
                  "Concurrent split scanners (default 4, at most 64)")
      ->check(WholeNumberIn(1, kMaxParallel,
                            "a number of scanners from 1 to " + std::to_string(kMaxParallel)));
  sub->add_option("--shard", *shard, "Read only share K of N of the splits (K/N, K from 1)");
  sub->add_option("--limit", options->limit, "Write at most N rows (N >= 1)")
      ->check(
          WholeNumberIn(1, INT64_MAX, "a row count of 1 or more (leave --limit out for no limit)"));
  sub->add_option("--summary", options->summary_path, "Write the job summary as JSON to FILE")
      ->type_name("FILE");
  sub->add_option("--rejects", options->rejects_path,
                  "Reject file (default: <output stem>.rejects.jsonl)")
      ->type_name("FILE");
  sub->add_option("--max-errors", *max_errors,
                  "Stop (exit 3) once more than N rows, or more than P% of the rows, were rejected")
      ->check(MaxErrorsValue());
  sub->add_flag("--overwrite", options->overwrite,
                "With --output DIR/: remove an earlier import's files there first (part-*, "
                "_rejects.jsonl, _SUCCESS); other files are still refused");
  auto resume = std::make_shared<bool>(false);
  auto restart = std::make_shared<bool>(false);
  sub->add_flag("--resume", *resume,
                "Continue the import that a kill or crash interrupted, from its checkpoint "
                "(without one, start from the beginning)")
      ->excludes(sub->add_flag("--restart", *restart,
                               "Discard an interrupted import's checkpoint and files and start "
                               "over"));
  sub->add_option("--checkpoint", options->checkpoint_path,
                  "Where the import keeps its progress for --resume (default: "
                  "<output>.tsbridge-checkpoint, DIR/_checkpoint for --output DIR/)")
      ->type_name("FILE");
  sub->add_option("--compression", options->parquet_compression,
                  "Parquet page codec: snappy (default), zstd, gzip, lz4_raw, brotli or none "
                  "(default: the spec's file.compression)")
      ->type_name(ParquetCodecChoices());
  sub->add_option("--row-group-rows", *row_group_rows,
                  "Rows per Parquet row group (default: the spec's file.row_group_rows, else "
                  "122880)");
  AddConnectionFlags(sub, &options->endpoint, &options->request_timeout, &options->retry_deadline);
  AddCredentialFlags(sub, &options->auth);
  logs->Add(sub);
  sub->add_option("--versions", *versions,
                  "Read up to N versions of each cell and write the long layout: the key "
                  "columns, column, timestamp, value; one row per cell version");
  sub->add_option("--time-range", *time_range,
                  "With --versions: only versions with FROM <= timestamp < TO (FROM,TO in epoch "
                  "milliseconds)");
  sub->add_option("--max-rows-per-sec", options->max_rows_per_sec,
                  "Read at most N rows per second in all (a token bucket shared by the scanners)")
      ->check(PositiveFiniteNumber("a finite number of rows per second greater than 0"));
  sub->add_option("--max-cu-per-sec", options->max_cu_per_sec,
                  "Spend at most N read CU per second in all (the CU each page consumed)")
      ->check(PositiveFiniteNumber("a finite number of CU per second greater than 0"));

  sub->callback([run, options, logs, shard, time_range, versions, max_errors, row_group_rows,
                 resume, restart] {
    options->checkpoint_mode = *resume    ? jobs::CheckpointMode::kResume
                               : *restart ? jobs::CheckpointMode::kRestart
                                          : jobs::CheckpointMode::kNone;
    *run = [options, logs, shard, time_range, versions, max_errors, row_group_rows]() -> int {
      if (int code = logs->Apply("import", &options->quiet, &options->progress); code != 0) {
        return code;
      }
      if (!max_errors->empty() &&
          !ParseMaxErrors(*max_errors, &options->max_errors, &options->max_errors_percent)) {
        return UsageError("import", "--max-errors: expected a row count N or a share P%, got \"" +
                                        *max_errors + "\"");
      }
      if (!row_group_rows->empty()) {
        int64_t n = 0;
        if (!ParseInt64(*row_group_rows, &n) || n < 1 || n > INT32_MAX) {
          return UsageError("import",
                            "--row-group-rows: expected a number of rows from 1 to "
                            "2147483647, got \"" +
                                *row_group_rows + "\"");
        }
        options->row_group_rows = n;
      }
      if (!versions->empty()) {
        int64_t n = 0;
        if (!ParseInt64(*versions, &n) || n < 1 || n > INT32_MAX) {
          return UsageError("import", "--versions: expected a number of versions >= 1, got \"" +
                                          *versions + "\"");
        }
        options->versions = static_cast<int>(n);
      }
      if (!time_range->empty() && !ParseTimeRange(*time_range, options.get())) {
        return UsageError("import", "--time-range: expected FROM,TO in epoch milliseconds with "
                                    "0 <= FROM < TO, got \"" + *time_range + "\"");
      }
      if (!shard->empty() &&
          !ParseShard(*shard, &options->shard_index, &options->shard_count)) {
        return UsageError("import", "--shard: expected K/N with 1 <= K <= N, got \"" + *shard + "\"");
      }
      InstallStopHandlers();
      jobs::JobSummary summary;
      Status s = jobs::RunImport(*options, &summary);
      return FinishJob("import", s, &summary, options->summary_path, options->quiet,
                       /*one_line=*/!options->explain);
    };
  });
}

}  // namespace tsb::cli
