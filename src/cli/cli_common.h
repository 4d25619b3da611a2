// Helpers shared by the subcommand files: error reporting, exit codes, signals, shared flags.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "jobs/job_common.h"

namespace CLI {
class App;
}

namespace tsb::cli {

// Prints "tsbridge VERB: message" on stderr and returns the exit code for the status.
int ReportFailure(std::string_view verb, const Status& status);
// A usage error found after parsing (exit 2).
int UsageError(std::string_view verb, const std::string& message);
// Ends a job that ran (the spec was read): decides the exit code and status word from `status`
// and the summary's stop reason and rejects (cli/exit_status.h), prints the failure, or the
// one-line summary (unless quiet or !one_line) and, for exit 3, where the rejected rows went and
// the first one's reason; then writes --summary whatever the outcome. A summary that cannot be
// written turns exit 0 or 3 into 1 (a failed job keeps its own code); the data file stays.
int FinishJob(std::string_view verb, const Status& status, jobs::JobSummary* summary,
              const std::string& summary_path, bool quiet, bool one_line = true);
// SIGINT / SIGTERM set jobs::StopSignal(); a second signal ends the process at once.
void InstallStopHandlers();
// "K/N" with 1 <= K <= N.
bool ParseShard(const std::string& text, int* k, int* n);
// --max-errors of import and export: "N" (rows; sets *rows) or "P%" with 0 <= P <= 100 (a share
// of the rows read; sets *percent). False when the text is neither.
bool ParseMaxErrors(const std::string& text, int64_t* rows, double* percent);

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
