#include "jobs/job_common.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "tablestore/core_bridge.h"
#include "tsbridge/tablestore/credentials.h"
#include "tablestore/endpoint.h"

namespace tsb::jobs {

std::atomic<int>& StopSignal() {
  static std::atomic<int> signal{0};
  return signal;
}

std::string_view StopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kNone: return "";
    case StopReason::kLimit: return "limit";
    case StopReason::kMaxErrors: return "max_errors";
    case StopReason::kSigint: return "SIGINT";
    case StopReason::kSigterm: return "SIGTERM";
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
  j["seconds"] = seconds;
  if (stop != StopReason::kNone) j["stopped_by"] = StopReasonName(stop);
  if (!rejects_path.empty()) j["rejects_path"] = rejects_path;
  if (!first_reject.empty()) j["first_reject"] = first_reject;
  if (!split_fingerprint.empty()) j["split_fingerprint"] = split_fingerprint;
  // An import always plans splits (it has a fingerprint), so its count shows even when 0.
  if (splits > 0 || !split_fingerprint.empty()) j["splits"] = splits;
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

int64_t FileSize(const std::string& path) {
  struct stat st;
  return path != "-" && stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
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
                                                    const ConnectOptions& options) {
  if (!spec.tablestore.role_arn.empty()) {
    return Status::NotSupported(
        "tablestore.role_arn: STS AssumeRole is not supported by this build yet; remove "
        "role_arn to use the credentials of the environment or the credentials file");
  }
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

  auto chain = ots::DefaultCredentialsChain();
  auto credentials = chain->Get();
  if (!credentials.ok()) return credentials.status().WithContext("credentials");

  ots::ClientOptions client_options;
  client_options.endpoint = parsed->url;
  client_options.instance = spec.tablestore.instance;
  client_options.credentials = std::move(credentials).value();
  client_options.http.max_idle_connections = std::max(options.connections, 1);
  client_options.http.request_timeout = SecondsToMillis(options.request_timeout);
  client_options.retry.total_deadline = SecondsToMillis(options.retry_deadline);
  client_options.retry.cancelled = [] { return StopRequested(); };
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

Progress::Progress(std::string verb, bool enabled)
    : verb_(std::move(verb)),
      enabled_(enabled && isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { Finish(); }

void Progress::Update(int64_t rows, int64_t bytes) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - start_).count();
  int64_t last = last_draw_ms_.load(std::memory_order_relaxed);
  if (ms - last < 200 || !last_draw_ms_.compare_exchange_strong(last, ms)) return;
  double secs = static_cast<double>(ms) / 1000.0;
  std::fprintf(stderr, "\r%s: %" PRId64 " rows, %.1f MB, %.0f rows/s   ", verb_.c_str(), rows,
               static_cast<double>(bytes) / 1e6, secs > 0 ? static_cast<double>(rows) / secs : 0.0);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Finish() {
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
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
