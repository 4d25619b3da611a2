// Helpers shared by the subcommand files: error reporting, exit codes, signals, shared flags.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/job_spec.h"
#include "tsbridge/status.h"
#include "jobs/job_common.h"

namespace CLI {
class App;
class Validator;
}

namespace tsb::cli {

// A usage error found after parsing (exit 2).
int UsageError(std::string_view verb, const std::string& message);
// Ends a job that ran (the spec was read): decides the exit code and status word from `status`
// and the summary's stop reason and rejects (cli/exit_status.h), prints the failure, or the
// one-line summary (unless quiet or !one_line) and, for exit 3, where the rejected rows went and
// the first one's reason; then writes --summary whatever the outcome. A summary that cannot be
// written turns exit 0 or 3 into 1 (a failed job keeps its own code); the data file stays.
int FinishJob(std::string_view verb, const Status& status, jobs::JobSummary* summary,
              const std::string& summary_path, bool quiet, bool one_line = true);
// The logging flags of import and export (decisions 11, "Logs"): --log-level error|warn|info|debug
// (default info), -v (debug), -q (error: nothing but errors, for cron), --log-format text|json,
// --progress auto|always|never. Add() declares them; Apply() configures the process's logging
// (core/log.h) and says whether the job is quiet, or returns a usage error (exit 2).
// `server` (the emulator): no --progress, and text lines carry their time and level.
struct LogFlags {
  std::string level;
  std::string format = "text";
  std::string progress = "auto";
  bool verbose = false;
  bool quiet = false;
  bool server = false;

  void Add(CLI::App* sub);
  // 0 when the flags are fine (then *quiet and *mode, unless null, are set), else the usage
  // error's exit code.
  int Apply(std::string_view verb, bool* quiet, jobs::ProgressMode* mode) const;
};

// --endpoint, --request-timeout and --retry-deadline of every subcommand that talks to
// Tablestore (decisions 6 and 11).
void AddConnectionFlags(CLI::App* sub, std::string* endpoint, double* request_timeout,
                        double* retry_deadline);

// The credential flags (decisions 6 and 7): --profile, --credentials-file, --sts-endpoint,
// --sts-duration (`duration_flag`: auth assume-role says --duration) and --ca-bundle. None carries
// a secret.
void AddCredentialFlags(CLI::App* sub, jobs::AuthOptions* auth,
                        const std::string& duration_flag = "--sts-duration");

// The CSV dialect flags of import and export: --delimiter, --header, --quote, --escape, --null,
// --encoding (over the spec's file.delimiter, ...). `direction` is "input" or "output".
void AddDialectFlags(CLI::App* sub, DialectSettings* dialect, const std::string& direction);

// SIGINT / SIGTERM set jobs::StopSignal(); a second signal ends the process at once.
void InstallStopHandlers();
// "K/N" with 1 <= K <= N.
bool ParseShard(const std::string& text, int* k, int* n);
// --max-errors of import and export: "N" (rows; sets *rows) or "P%" with 0 <= P <= 100 (a share
// of the rows read; sets *percent). False when the text is neither.
bool ParseMaxErrors(const std::string& text, int64_t* rows, double* percent);

// Numbers on the command line (decisions 11): negative, zero where meaningless, NaN or infinite
// values are usage errors. The validators below are checked by CLI11 while the command line is
// parsed, before anything is read or written; CLI11 prefixes the message with the flag
// ("--parallel: expected ...") and main() turns it into exit 2.

// Most concurrent workers (scanners, writers) a job may ask for.
inline constexpr int kMaxParallel = 64;

// A whole number (decimal digits, an optional leading '-') with min <= value <= max. `expected`
// completes "expected ...", e.g. "a number of scanners from 1 to 64".
CLI::Validator WholeNumberIn(int64_t min, uint64_t max, std::string expected);
// A finite number > 0 (rate caps, timeouts in seconds): "0", "-3", "nan", "inf" are refused.
CLI::Validator PositiveFiniteNumber(std::string expected = "a finite number greater than 0");
// --max-errors: a row count N >= 0 or a share P% with 0 <= P <= 100.
CLI::Validator MaxErrorsValue();

// The parsers behind the validators, for values checked after parsing.
bool ParseWholeNumber(std::string_view text, int64_t min, uint64_t max, __int128* value);
bool ParsePositiveFinite(std::string_view text, double* value);

// Flags of features this build does not have yet: accepted by the parser so that the user gets
// a clear "not supported yet" (exit 2) instead of "unknown option".
class UnsupportedFlags {
 public:
  void Add(CLI::App* app, const std::string& flag, const std::string& feature);
  // 0, or prints the error and returns 2 when any of the flags was given.
  int Check(std::string_view verb) const;

 private:
  struct Entry {
    std::string flag;
    std::string feature;
    std::shared_ptr<std::string> value;
  };
  std::vector<Entry> entries_;
};

}  // namespace tsb::cli
