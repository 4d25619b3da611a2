#include "jobs/job_common.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/log.h"
#include "core/text_io.h"
#include "tablestore/core_bridge.h"
#include "tablestore/endpoint.h"
#include "tsbridge/tablestore/credentials.h"

namespace tsb::jobs {

std::atomic<int>& StopSignal() {
  static std::atomic<int> signal{0};
  return signal;
}

std::string_view StopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kNone:
      return "";
    case StopReason::kLimit:
      return "limit";
    case StopReason::kMaxErrors:
      return "max_errors";
    case StopReason::kSigint:
      return "SIGINT";
    case StopReason::kSigterm:
      return "SIGTERM";
  }
  return "";
}

StopReason StopReasonForSignal(int signal) {
  return signal == SIGTERM ? StopReason::kSigterm : StopReason::kSigint;
}

std::string JobSummary::ToJson() const {
  nlohmann::ordered_json j;
  j["status"] = status;
  j["exit_code"] = exit_code;
  // Always present, null on success, so that a reader can test it without a key check.
  if (error.empty()) {
    j["error"] = nullptr;
  } else {
    j["error"] = error;
  }
  j["rows_read"] = rows_read;
  j["rows_written"] = rows_written;
  j["rows_rejected"] = rows_rejected;
  j["bytes_read"] = bytes_read;
  j["bytes_written"] = bytes_written;
  j["read_cu"] = read_cu;
  j["write_cu"] = write_cu;
  j["requests"] = requests;
  j["retries"] = retries;
  if (rows_retried > 0) j["rows_retried"] = rows_retried;
  j["seconds"] = seconds;
  if (stop != StopReason::kNone) j["stopped_by"] = StopReasonName(stop);
  if (!rejects_path.empty()) j["rejects_path"] = rejects_path;
  if (!first_reject.empty()) j["first_reject"] = first_reject;
  if (resumed) {
    j["resumed"] = true;
    j["rows_resumed"] = rows_resumed;
  }
  if (!split_fingerprint.empty()) j["split_fingerprint"] = split_fingerprint;
  // An import always plans splits (it has a fingerprint), so its count shows even when 0.
  if (splits > 0 || !split_fingerprint.empty()) j["splits"] = splits;
  if (throttled >= 0) {
    j["throttled"] = throttled;
    j["throttled_rows"] = throttled_rows;
    // Three decimals: a window is a level, not a count.
    j["in_flight_lowest"] = std::round(in_flight_lowest * 1000) / 1000;
    j["in_flight_end"] = std::round(in_flight_end * 1000) / 1000;
  }
  // Messages quote the user's data, which need not be UTF-8.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string JobSummary::OneLine(std::string_view verb) const {
  char buf[512];
  double rate = seconds > 0 ? static_cast<double>(rows_written) / seconds : 0;
  std::snprintf(buf, sizeof(buf),
                "%.*s: %" PRId64 " rows read, %" PRId64 " written, %" PRId64
                " rejected, %.1f MB read, %.1f MB written in %.2f s (%.0f rows/s), %" PRId64
                " read CU, %" PRId64 " write CU",
                static_cast<int>(verb.size()), verb.data(), rows_read, rows_written, rows_rejected,
                static_cast<double>(bytes_read) / 1e6, static_cast<double>(bytes_written) / 1e6,
                seconds, rate, read_cu, write_cu);
  return buf;
}

Status NameCredentials(const Status& s, const std::string& identity) {
  if (s.code() != StatusCode::kPermissionDenied || identity.empty()) return s;
  return Status::PermissionDenied(s.ToString() + "; credentials: " + identity);
}

int64_t FileSize(const std::string& path) {
  if (path == "-") return 0;
  Result<uint64_t> size = InputStream::FileSize(path);
  return size.ok() ? static_cast<int64_t>(*size) : 0;
}

Status WriteSummaryFile(const std::string& path, const JobSummary& summary) {
  if (path.empty()) return Status::OK();
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) {
    return Status::IOError("--summary " + path +
                           ": cannot create the file: " + std::strerror(errno));
  }
  const std::string text = summary.ToJson() + "\n";
  const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  const int saved_errno = errno;
  if (std::fclose(out) != 0 || !written) {
    return Status::IOError("--summary " + path + ": cannot write the file: " +
                           std::strerror(written ? errno : saved_errno));
  }
  return Status::OK();
}

std::chrono::milliseconds SecondsToMillis(double seconds) {
  constexpr double kMaxMillis = 1e12;
  double ms = seconds * 1000.0;
  if (!(ms >= 1.0)) ms = 1.0;  // also NaN
  if (ms > kMaxMillis) ms = kMaxMillis;
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

SummaryOnReturn::~SummaryOnReturn() {
  if (fill_) fill_(summary_);
  summary_->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

Result<std::unique_ptr<ots::Client>> ConnectForSpec(const JobSpec& spec,
                                                    const ConnectOptions& options,
                                                    std::string* identity_out) {
  std::string endpoint = options.endpoint_override;
  if (endpoint.empty()) {
    if (const char* env = std::getenv("TSBRIDGE_ENDPOINT"); env != nullptr && *env != '\0') {
      endpoint = env;
    }
  }
  if (endpoint.empty()) endpoint = spec.tablestore.endpoint;
  if (endpoint.empty()) {
    return Status::InvalidArgument(
        "tablestore: no endpoint: give tablestore.endpoint or tablestore.location in the spec, "
        "--endpoint, or TSBRIDGE_ENDPOINT");
  }
  auto parsed = ots::ParseEndpoint(endpoint);
  if (!parsed.ok()) return parsed.status().WithContext("endpoint");

  auto credentials = ResolveCredentials(spec, options.auth, options.request_timeout);
  if (!credentials.ok()) return credentials.status().WithContext("credentials");

  ots::ClientOptions client_options;
  client_options.endpoint = parsed->url;
  client_options.instance = spec.tablestore.instance;
  const std::string identity =
      credentials->initial.source + " (access key id " + credentials->initial.access_key_id + ")";
  if (identity_out != nullptr) *identity_out = identity;
  client_options.credentials = std::move(credentials->initial);
  client_options.credentials_source = std::move(credentials->source);
  client_options.http.max_idle_connections = std::max(options.connections, 1);
  client_options.http.request_timeout = SecondsToMillis(options.request_timeout);
  client_options.http.ca_file = options.auth.ca_bundle;
  client_options.retry.total_deadline = SecondsToMillis(options.retry_deadline);
  client_options.retry.cancelled = [] { return StopRequested(); };
  if (options.check != AccessNeed::kNone) {
    // A client of its own, so that the probes' capacity units stay out of the job's summary.
    ots::ClientOptions probe_options = client_options;
    probe_options.http.max_idle_connections = 1;
    TSB_ASSIGN_OR_RETURN(auto probe, ots::Client::Create(std::move(probe_options)));
    TSB_RETURN_IF_ERROR(RefusalStatus(CheckAccess(probe.get(), spec, options.check), identity));
  }
  return ots::Client::Create(std::move(client_options));
}

Result<ots::TableDescription> DescribeAndCheck(ots::Client* client, const JobSpec& spec) {
  auto described = client->DescribeTable(spec.tablestore.table);
  if (!described.ok()) {
    if (described.status().ots_code() == "OTSObjectNotExist") {
      return Status::InvalidArgument("tablestore.table: table \"" + spec.tablestore.table +
                                     "\" does not exist in instance \"" + client->instance() +
                                     "\" (" + described.status().ToString() + ")");
    }
    return described.status();  // the client's message names the table and the call
  }
  TSB_RETURN_IF_ERROR(spec.mapping.CheckAgainstTable(spec.columns, spec.tablestore.table,
                                                     ots::TableKeyColumns(described->meta)));
  return described;
}

Progress::Progress(std::string verb, bool enabled, ProgressMode mode)
    : verb_(std::move(verb)), start_(std::chrono::steady_clock::now()) {
  if (!enabled || mode == ProgressMode::kNever || !log::Enabled(log::Level::kInfo)) return;
  const bool terminal = isatty(STDERR_FILENO) == 1 && log::CurrentFormat() == log::Format::kText;
  bar_ = terminal || (mode == ProgressMode::kAlways && log::CurrentFormat() == log::Format::kText);
  heartbeat_ = !bar_;
  thread_ = std::thread([this] { Run(); });
}

Progress::~Progress() { Finish(); }

void Progress::Update(int64_t rows, int64_t bytes) {
  rows_.store(rows, std::memory_order_relaxed);
  bytes_.store(bytes, std::memory_order_relaxed);
  // A bar shows at the first rows, so that even a short job on a terminal shows one.
  if (bar_ && !kicked_.exchange(true, std::memory_order_relaxed)) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      kick_ = true;
    }
    wake_.notify_all();
  }
}

void Progress::SetTotal(int64_t total, std::string unit) {
  unit_ = std::move(unit);
  total_.store(total, std::memory_order_relaxed);
}

void Progress::SetDone(int64_t done) {
  // The bar never goes back: an estimate (export's share of the input) may dip for a moment.
  int64_t was = done_.load(std::memory_order_relaxed);
  while (done > was && !done_.compare_exchange_weak(was, done, std::memory_order_relaxed)) {
  }
}

void Progress::SetPoll(std::function<void()> poll) {
  std::lock_guard<std::mutex> lock(mu_);
  poll_ = std::move(poll);
}

std::string Progress::Counters(double seconds) const {
  const int64_t rows = rows_.load(std::memory_order_relaxed);
  const double bytes = static_cast<double>(bytes_.load(std::memory_order_relaxed));
  char buf[160];
  std::snprintf(buf, sizeof(buf), "%" PRId64 " rows, %.1f MB, %.0f rows/s", rows, bytes / 1e6,
                seconds > 0 ? static_cast<double>(rows) / seconds : 0.0);
  return buf;
}

// "3/27 splits", or for a total in bytes "12.6/48.0 MB" (a byte count is too long to read).
std::string Progress::Amount(int64_t done, int64_t total, const char* between) const {
  char buf[128];
  if (unit_ == "bytes") {
    std::snprintf(buf, sizeof(buf), "%.1f%s%.1f MB", static_cast<double>(done) / 1e6, between,
                  static_cast<double>(total) / 1e6);
  } else {
    std::snprintf(buf, sizeof(buf), "%" PRId64 "%s%" PRId64 " %s", done, between, total,
                  unit_.c_str());
  }
  return buf;
}

void Progress::Draw(bool heartbeat) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int64_t total = total_.load(std::memory_order_relaxed);
  const int64_t done = std::min(done_.load(std::memory_order_relaxed), total);
  const double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : -1;
  std::string counters = Counters(seconds);
  if (heartbeat) {
    std::string text = verb_ + ": " + counters;
    if (fraction >= 0) {
      char pct[160];
      std::snprintf(pct, sizeof(pct), ", %.0f%% (%s)", fraction * 100,
                    Amount(done, total, " of ").c_str());
      text += pct;
    }
    const int64_t rows = rows_.load(std::memory_order_relaxed);
    log::Write(log::Level::kInfo, text,
               {{"event", std::string_view("progress")},
                {"rows", rows},
                {"bytes", bytes_.load(std::memory_order_relaxed)},
                {"rows_per_sec", seconds > 0 ? static_cast<double>(rows) / seconds : 0.0},
                {"seconds", seconds},
                {"percent", fraction >= 0 ? fraction * 100 : -1.0}});
    return;
  }
  std::string line = "\r" + verb_ + ": ";
  if (fraction >= 0) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(fraction * kWidth);
    line += "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] ";
    char pct[160];
    std::snprintf(pct, sizeof(pct), "%3.0f%% %s, ", fraction * 100,
                  Amount(done, total, "/").c_str());
    line += pct;
  }
  line += counters;
  if (fraction > 0 && fraction < 1) {
    const int64_t eta = static_cast<int64_t>(seconds / fraction - seconds + 0.5);
    char buf[48];
    std::snprintf(buf, sizeof(buf), ", ETA %" PRId64 ":%02" PRId64 ":%02" PRId64, eta / 3600,
                  eta / 60 % 60, eta % 60);
    line += buf;
  }
  line += "\033[K";
  drawn_ = log::WriteTerminal(line) || drawn_;
}

void Progress::Run() {
  const auto period = bar_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(10000);
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait_for(lock, period, [this] { return stop_ || kick_; });
    if (stop_) return;
    kick_ = false;
    std::function<void()> poll = poll_;
    lock.unlock();
    if (poll) poll();
    Draw(heartbeat_);
    lock.lock();
  }
}

void Progress::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // A job shorter than the thread's first wake-up still shows its bar once, as a terminal user
  // expects a sign that rows moved, before the summary replaces it.
  if (bar_ && kicked_.load(std::memory_order_relaxed) && !drawn_) Draw(false);
  if (drawn_) log::WriteTerminal("\r\033[K");
  drawn_ = false;
}

RateLimiter::RateLimiter(double per_second, bool start_full, Clock now, Sleep sleep)
    : rate_(per_second),
      now_(now ? std::move(now) : Clock([] { return std::chrono::steady_clock::now(); })),
      sleep_(sleep ? std::move(sleep) : Sleep([](std::chrono::duration<double> d) {
        std::this_thread::sleep_for(d);
      })),
      tokens_(start_full ? per_second : 0),
      last_(now_()) {}

void RateLimiter::Acquire(double n) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    auto now = now_();
    tokens_ = std::min(rate_, tokens_ + rate_ * std::chrono::duration<double>(now - last_).count());
    last_ = now;
    if (tokens_ >= std::min(n, rate_)) {
      tokens_ -= n;
      return;
    }
    if (StopRequested()) return;
    double wait = (std::min(n, rate_) - tokens_) / rate_;
    lock.unlock();
    // Short naps, so that a stop signal ends the wait soon.
    sleep_(std::chrono::duration<double>(std::min(wait, 0.2)));
    lock.lock();
  }
}

}  // namespace tsb::jobs
