// What import and export share: connecting to the spec's table, the job summary, the progress
// line, and the stop flag that SIGINT / SIGTERM raise.
//
// The jobs layer sits between the thin subcommand files in src/cli and the building blocks below
// it (src/tablestore, src/formats, src/core): it wires a reader to a writer through the core steps,
// and nothing below it knows which job it serves.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "jobs/auth_access.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/status.h"
#include "tsbridge/tablestore/client.h"

namespace tsb::jobs {

// Set by the signal handler (the signal number); jobs poll it between pages and batches.
std::atomic<int>& StopSignal();
inline bool StopRequested() { return StopSignal().load(std::memory_order_relaxed) != 0; }

// Why a job ended before its input did. A signal's stop is filled in by the cli (which installed
// the handler); the jobs report the others.
enum class StopReason {
  kNone,
  kLimit,      // --limit rows were written: a normal end
  kMaxErrors,  // more rows than --max-errors were rejected
  kSigint,
  kSigterm,
};
// "limit", "max_errors", "SIGINT", "SIGTERM"; empty for kNone.
std::string_view StopReasonName(StopReason reason);
StopReason StopReasonForSignal(int signal);

// What a job did, written as the --summary JSON on every exit after the spec was read
// (decisions 11), so the counters are what had happened by the time the job stopped, also when
// it failed.
struct JobSummary {
  // How the run ended: the cli fills these from its exit mapping (cli/exit_status.h).
  std::string status = "ok";  // ok, rejected, failed, usage, auth, interrupted
  int exit_code = 0;
  std::string error;  // the failure's message (never a secret); empty = JSON null
  StopReason stop = StopReason::kNone;

  int64_t rows_read = 0;
  int64_t rows_written = 0;
  int64_t rows_rejected = 0;
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t read_cu = 0;
  int64_t write_cu = 0;
  // Requests sent to Tablestore, retries included, and of them the ones sent again after a
  // failure (by the client, and by export's writer for an unanswered BatchWriteRow); export also
  // counts the rows sent again after a row-level error.
  int64_t requests = 0;
  int64_t retries = 0;
  int64_t rows_retried = 0;
  double seconds = 0;
  std::string split_fingerprint;  // import: FNV-1a of the split points (hosts of a --shard compare)
  int64_t splits = 0;             // import: key-range splits scanned (0: not reported)
  // export: answers the service throttled (OTSServerBusy, ...: a request or some of its rows),
  // the rows in them, and the requests in flight the writers adapted to (in_flight_window.h):
  // the lowest window of any key region and the sum of the regions' windows at the end.
  // throttled < 0: not reported.
  int64_t throttled = -1;
  int64_t throttled_rows = 0;
  double in_flight_lowest = 0;
  double in_flight_end = 0;
  // Where rejected rows went ("-" = stderr) and the first one's place and reason, for the
  // message of exit 3; empty when no reject was written.
  std::string rejects_path;
  std::string first_reject;
  // --resume continued an interrupted job; rows_resumed of its rows were done by the interrupted
  // run(s). An import's rows_written and bytes_written then describe the whole output file; every
  // other counter, and all of an export's, is this run's work.
  bool resumed = false;
  int64_t rows_resumed = 0;

  // {"status": ..., "exit_code": ..., "error": ..., "rows_read": ..., ..., "seconds": ...}
  // (+ "stopped_by", "rejects_path", "first_reject", "split_fingerprint", "splits",
  // "rows_retried", "resumed" and "rows_resumed" when set, and for export "throttled",
  // "throttled_rows", "in_flight_lowest", "in_flight_end").
  std::string ToJson() const;
  // "import: 1000 rows read, 998 written, 2 rejected, 1.2 MB in 0.4 s (2500 rows/s), 30 read CU".
  std::string OneLine(std::string_view verb) const;
};

// The size of a file in bytes; 0 for "-" (stdin/stdout) or a path that cannot be stat()ed.
int64_t FileSize(const std::string& path);

// Writes the summary JSON to `path` (when not empty).
Status WriteSummaryFile(const std::string& path, const JobSummary& summary);

// Fills a job's summary on whichever path the job returns by: `fill` (when given) copies the
// counters it can see, then `seconds` is set. Declared after the counters it reads, so they are
// still alive when it runs; a job declares one per stage, later ones covering more counters.
// `fill` must only assign, as an earlier stage's guard runs again after a later one.
class SummaryOnReturn {
 public:
  SummaryOnReturn(JobSummary* summary, std::chrono::steady_clock::time_point started,
                  std::function<void(JobSummary*)> fill = nullptr)
      : summary_(summary), started_(started), fill_(std::move(fill)) {}
  ~SummaryOnReturn();
  SummaryOnReturn(const SummaryOnReturn&) = delete;
  SummaryOnReturn& operator=(const SummaryOnReturn&) = delete;

 private:
  JobSummary* summary_;
  std::chrono::steady_clock::time_point started_;
  std::function<void(JobSummary*)> fill_;
};

struct ConnectOptions {
  std::string endpoint_override;  // --endpoint, else TSBRIDGE_ENDPOINT, else the spec's
  int connections = 4;            // kept-alive connections (the job's parallelism)
  double request_timeout = 30;    // --request-timeout: seconds one attempt may take
  double retry_deadline = 300;    // --retry-deadline: seconds one call may take with its retries
  AuthOptions auth;               // --profile, --credentials-file, --sts-endpoint, --ca-bundle, ...
  // The actions tried before the job starts (CheckAccess): a refusal is exit 4 before any row
  // moves. kNone for the subcommands that check nothing.
  AccessNeed check = AccessNeed::kNone;
};

// Seconds from a flag (positive, checked by the command line) as milliseconds, at least 1 ms and
// at most about 31 years, so that any finite value converts without overflow.
std::chrono::milliseconds SecondsToMillis(double seconds);

// The client for the spec's instance: endpoint (override, spec endpoint or location), instance,
// credentials from the chain (decisions 7), the spec's role_arn assumed through STS and renewed
// (auth_access.h); then the access check of `options.check`. A refused key says where it came
// from.
// *identity (when given) receives where the credentials came from, for messages.
Result<std::unique_ptr<ots::Client>> ConnectForSpec(const JobSpec& spec,
                                                    const ConnectOptions& options,
                                                    std::string* identity = nullptr);

// A refusal (exit 4) names where the credentials came from, so that a wrong secret points at the
// variable, file or profile that holds it; any other status is returned as it is.
Status NameCredentials(const Status& s, const std::string& identity);

// DescribeTable + the mapping check against the table's primary key. A missing table is
// InvalidArgument naming it (exit 2: the spec against the table is wrong).
Result<ots::TableDescription> DescribeAndCheck(ots::Client* client, const JobSpec& spec);

// Signs of life while a job runs (decisions 11, "Logs"): on a terminal, a bar redrawn in place
// every 200 ms, with the percentage and an ETA once the total is known (SetTotal: for import the
// split count); elsewhere (cron, CI) an info event every 10 s with rows, bytes and rows/s, so a log
// shows the job is alive even while it waits on retries. `mode` is --progress: auto (the above),
// always (the bar even without a terminal: for a person watching a pipe), never. Nothing at all
// when the job is quiet or the log level is below info. Update/SetDone are cheap (atomics) and
// thread-safe; a background thread does the writing.
enum class ProgressMode { kAuto, kAlways, kNever };

class Progress {
 public:
  Progress(std::string verb, bool enabled, ProgressMode mode = ProgressMode::kAuto);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Update(int64_t rows, int64_t bytes);
  // The job's total in `unit` (e.g. 27 "splits", or the input's size in "bytes") and how much of
  // it is done.
  void SetTotal(int64_t total, std::string unit);
  void SetDone(int64_t done);
  // Called by the progress thread before each line or frame, to take counters that move while
  // the job's own loop waits (export's writers drain their queues long after the last row read).
  void SetPoll(std::function<void()> poll);
  void Finish();  // stops the updates and clears the bar

 private:
  void Run();
  void Draw(bool heartbeat);
  std::string Counters(double seconds) const;
  std::string Amount(int64_t done, int64_t total, const char* between) const;

  std::string verb_;
  bool bar_ = false;
  bool heartbeat_ = false;
  std::chrono::steady_clock::time_point start_;
  std::atomic<int64_t> rows_{0};
  std::atomic<int64_t> bytes_{0};
  std::atomic<int64_t> total_{0};
  std::atomic<int64_t> done_{0};
  std::string unit_;  // set before the job's threads start
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mu_
  bool kick_ = false;  // guarded by mu_: draw now (the first update of a bar)
  std::function<void()> poll_;  // guarded by mu_
  std::atomic<bool> kicked_{false};
  bool drawn_ = false;
  std::thread thread_;
};

// A token bucket shared by threads (--max-rows-per-sec, --max-cu-per-sec): Acquire(n) waits
// until n tokens are there. The bucket starts empty (decisions 11), so over a run of a few seconds
// the achieved rate is the cap, not the cap plus a first second's burst; it holds at most one
// second of tokens, so a pause is not followed by a burst either. A request bigger than a second's
// worth waits for a full bucket, then goes into debt that later requests pay. Export charges each
// request before sending it; import charges each page after reading it. A raised stop signal
// (StopRequested) ends a wait at once. `now` and `sleep` replace the steady clock and the thread's
// sleep (tests). Thread-safe.
class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Sleep = std::function<void(std::chrono::duration<double>)>;

  explicit RateLimiter(double per_second, bool start_full = false, Clock now = {},
                       Sleep sleep = {});
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  void Acquire(double n);

 private:
  std::mutex mu_;
  const double rate_;
  const Clock now_;
  const Sleep sleep_;
  double tokens_;                               // guarded by mu_; negative = debt
  std::chrono::steady_clock::time_point last_;  // guarded by mu_
};

}  // namespace tsb::jobs
