#include "cli/cli_common.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/exit_status.h"
#include "core/log.h"

namespace tsb::cli {

int UsageError(std::string_view verb, const std::string& message) {
  log::Write(log::Level::kError, "tsbridge " + std::string(verb) + ": " + message,
             {{"event", std::string_view("usage")}, {"exit_code", int64_t{kExitUsage}}}, message);
  return kExitUsage;
}

namespace {

// The message of exit 3: how many rows, where they went, and why the first one was refused.
std::string RejectedMessage(const jobs::JobSummary& summary) {
  std::string text = std::to_string(summary.rows_rejected) +
                     (summary.rows_rejected == 1 ? " row" : " rows") + " rejected";
  if (summary.stop == jobs::StopReason::kMaxErrors) {
    text = "stopped early: --max-errors reached: " + text;
  }
  if (summary.rejects_path == "-") {
    text += "; the rejected rows were written to stderr above, one JSON object a line";
  } else if (!summary.rejects_path.empty()) {
    text += "; see " + summary.rejects_path;
  }
  if (!summary.first_reject.empty()) text += "; first: " + summary.first_reject;
  return text;
}

}  // namespace

int FinishJob(std::string_view verb, const Status& status, jobs::JobSummary* summary,
              const std::string& summary_path, bool quiet, bool one_line) {
  // The handler only raises the flag; which signal it was is known here, where it was installed.
  if (!status.ok() && jobs::StopRequested()) {
    summary->stop = jobs::StopReasonForSignal(jobs::StopSignal().load());
  }
  const ExitStatus exit = ExitFor(status, summary->stop, summary->rows_rejected);
  summary->status = std::string(exit.word);
  summary->exit_code = exit.code;
  const std::string prefix = "tsbridge " + std::string(verb) + ": ";
  if (!status.ok()) {
    summary->error = status.ToString();
    log::Write(log::Level::kError, prefix + summary->error,
               {{"event", std::string_view("failed")},
                {"status", std::string_view(exit.word)},
                {"exit_code", int64_t{exit.code}}},
               summary->error);
  } else {
    if (!quiet && one_line) {
      log::Write(log::Level::kInfo, summary->OneLine(verb),
                 {{"event", std::string_view("summary")},
                  {"rows_read", summary->rows_read},
                  {"rows_written", summary->rows_written},
                  {"rows_rejected", summary->rows_rejected},
                  {"bytes_read", summary->bytes_read},
                  {"bytes_written", summary->bytes_written},
                  {"read_cu", summary->read_cu},
                  {"write_cu", summary->write_cu},
                  {"seconds", summary->seconds}});
    }
    if (exit.code == kExitDataProblems) {
      // Written even with -q (an error-level event): it is why the exit code is not 0.
      summary->error = RejectedMessage(*summary);
      log::Write(log::Level::kError, prefix + summary->error,
                 {{"event", std::string_view("rejected")},
                  {"rows_rejected", summary->rows_rejected},
                  {"rejects_path", std::string_view(summary->rejects_path)},
                  {"exit_code", int64_t{exit.code}}},
                 summary->error);
    }
  }
  Status written = jobs::WriteSummaryFile(summary_path, *summary);
  if (!written.ok()) {
    const std::string message = written.ToString() + " (the data" +
                                (verb == "export" ? " written to the table" : " file") + " stays)";
    log::Write(log::Level::kError, prefix + message, {{"event", std::string_view("summary_failed")}},
               message);
    if (exit.code == kExitOk || exit.code == kExitDataProblems) return kExitFailure;
  }
  return exit.code;
}

void AddConnectionFlags(CLI::App* sub, std::string* endpoint, double* request_timeout,
                        double* retry_deadline) {
  sub->add_option("--endpoint", *endpoint, "Override the spec's endpoint (also TSBRIDGE_ENDPOINT)");
  sub->add_option("--request-timeout", *request_timeout,
                  "Seconds one request may take before it is abandoned and retried (default 30)")
      ->check(PositiveFiniteNumber("a number of seconds greater than 0"));
  sub->add_option("--retry-deadline", *retry_deadline,
                  "Seconds one call may take with all its retries before the job fails "
                  "(default 300)")
      ->check(PositiveFiniteNumber("a number of seconds greater than 0"));
}

void AddDialectFlags(CLI::App* sub, DialectSettings* dialect, const std::string& direction) {
  const std::string what = "CSV " + direction + ": ";
  sub->add_option_function<std::string>(
      "--delimiter", [dialect](const std::string& v) { dialect->delimiter = v; },
      what + "the field delimiter, one byte; '\\t' or tab for a tab (default: the spec's "
             "file.delimiter, else a tab for a .tsv name, else ',')");
  sub->add_option_function<std::string>(
         "--header", [dialect](const std::string& v) { dialect->header = v == "true"; },
         what + "true (default): the first line names the columns; false: the columns are the "
                "spec's, in its order")
      ->check(CLI::IsMember({"true", "false"}));
  sub->add_option_function<std::string>(
      "--quote", [dialect](const std::string& v) { dialect->quote = v; },
      what + "the quote character (default '\"')");
  sub->add_option_function<std::string>(
      "--escape", [dialect](const std::string& v) { dialect->escape = v; },
      what + "the byte before a quote inside quotes (default: the quote, doubled as in RFC 4180)");
  sub->add_option_function<std::string>(
      "--null", [dialect](const std::string& v) { dialect->null_text = v; },
      what + "the unquoted text that means NULL (default: an empty field; e.g. '\\N')");
  sub->add_option_function<std::string>(
      "--encoding", [dialect](const std::string& v) { dialect->encoding = v; },
      what + "the character encoding; only UTF-8 (the default) is accepted");
}

void AddCredentialFlags(CLI::App* sub, jobs::AuthOptions* auth, const std::string& duration_flag) {
  sub->add_option("--profile", auth->profile,
                  "Credentials profile: of the aliyun CLI config, else of the credentials file "
                  "(default ALIBABA_CLOUD_PROFILE, else the CLI's current / [default])");
  sub->add_option("--credentials-file", auth->credentials_file,
                  "Read credentials from FILE only (an INI credentials file or an aliyun CLI "
                  "config.json)")
      ->type_name("FILE");
  sub->add_option("--sts-endpoint", auth->sts_endpoint,
                  "STS endpoint for the spec's role_arn (also TSBRIDGE_STS_ENDPOINT; default the "
                  "spec's sts_endpoint, else https://sts.REGION.aliyuncs.com)");
  sub->add_option(duration_flag, auth->duration_seconds,
                  "Lifetime in seconds of the role's temporary credentials (default 3600; "
                  "renewed before they expire)")
      ->check(WholeNumberIn(1, 43200, "a number of seconds from 1 to 43200"));
  sub->add_option("--ca-bundle", auth->ca_bundle,
                  "A PEM file of CA certificates trusted for https, in place of the system's "
                  "(certificates are always verified)")
      ->check(CLI::ExistingFile);
}

void LogFlags::Add(CLI::App* sub) {
  sub->add_option("--log-level", level,
                  server ? "error, warn, info (default) or debug (every request: operation, "
                           "table, rows, status, ms)"
                         : "error, warn, info (default) or debug")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}));
  sub->add_flag(
      "-v,--verbose", verbose,
      server ? "Log at debug level (every request)" : "Log at debug level (retries, requests)");
  sub->add_flag("-q,--quiet", quiet, "Print nothing but errors (--log-level error)");
  sub->add_option("--log-format", format,
                  "text (default) or json: one object per line with ts, level, msg and the "
                  "event's fields, for CI logs")
      ->check(CLI::IsMember({"text", "json"}));
  if (server) return;
  sub->add_option("--progress", progress,
                  "auto (default: a bar on a terminal, else a line every 10 s), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

int LogFlags::Apply(std::string_view verb, bool* quiet_out, jobs::ProgressMode* mode) const {
  if (quiet && verbose) return UsageError(verb, "-q and -v ask for opposite things: give one");
  if (!level.empty() && (quiet || verbose)) {
    return UsageError(verb, std::string(quiet ? "-q" : "-v") + " and --log-level " + level +
                                " both set the level: give one");
  }
  log::Level lv = quiet ? log::Level::kError : verbose ? log::Level::kDebug : log::Level::kInfo;
  if (!level.empty()) lv = *log::ParseLevel(level);
  log::Configure(lv, format == "json" ? log::Format::kJson : log::Format::kText, server);
  *quiet_out = lv == log::Level::kError;
  if (mode == nullptr) return 0;
  *mode = progress == "always" ? jobs::ProgressMode::kAlways
          : progress == "never" ? jobs::ProgressMode::kNever
                                : jobs::ProgressMode::kAuto;
  return 0;
}

namespace {
extern "C" void OnStopSignal(int signal) {
  if (jobs::StopSignal().exchange(signal) != 0) {
    _exit(signal == SIGTERM ? kExitSigterm : kExitSigint);
  }
}
}  // namespace

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool ParseShard(const std::string& text, int* k, int* n) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  try {
    size_t used = 0;
    *k = std::stoi(text.substr(0, slash), &used);
    if (used != slash) return false;
    std::string rest = text.substr(slash + 1);
    *n = std::stoi(rest, &used);
    if (used != rest.size()) return false;
  } catch (const std::exception&) {
    return false;
  }
  return *n >= 1 && *k >= 1 && *k <= *n;
}

bool ParseMaxErrors(const std::string& text, int64_t* rows, double* percent) {
  if (text.empty()) return false;
  char* end = nullptr;
  if (text.back() == '%') {
    std::string number = text.substr(0, text.size() - 1);
    double p = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || !(p >= 0) || p > 100) {
      return false;
    }
    *percent = p;
    return true;
  }
  long long n = std::strtoll(text.c_str(), &end, 10);
  if (end != text.c_str() + text.size() || n < 0) return false;
  *rows = n;
  return true;
}

bool ParseWholeNumber(std::string_view text, int64_t min, uint64_t max, __int128* value) {
  bool negative = !text.empty() && text[0] == '-';
  std::string_view digits = negative ? text.substr(1) : text;
  // 20 digits hold any uint64; more can only be out of range.
  if (digits.empty() || digits.size() > 20) return false;
  __int128 v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (negative) v = -v;
  if (v < static_cast<__int128>(min) || v > static_cast<__int128>(max)) return false;
  *value = v;
  return true;
}

bool ParsePositiveFinite(std::string_view text, double* value) {
  double v = 0;
  // from_chars: locale-independent, and no leading white space or '+' slips through.
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) ||
      !(v > 0)) {
    return false;
  }
  *value = v;
  return true;
}

namespace {

std::string Got(const std::string& text) { return ", got \"" + text + "\""; }

}  // namespace

CLI::Validator WholeNumberIn(int64_t min, uint64_t max, std::string expected) {
  return CLI::Validator(
      [min, max, expected](std::string& text) -> std::string {
        __int128 v = 0;
        if (ParseWholeNumber(text, min, max, &v)) return {};
        return "expected " + expected + Got(text);
      },
      "INT");
}

CLI::Validator PositiveFiniteNumber(std::string expected) {
  return CLI::Validator(
      [expected](std::string& text) -> std::string {
        double v = 0;
        if (ParsePositiveFinite(text, &v)) return {};
        return "expected " + expected + Got(text);
      },
      "NUMBER > 0");
}

CLI::Validator MaxErrorsValue() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::string_view t = text;
        if (!t.empty() && t.back() == '%') {
          double p = 0;
          auto [end, ec] = std::from_chars(t.data(), t.data() + t.size() - 1, p);
          if (t.size() > 1 && ec == std::errc() && end == t.data() + t.size() - 1 && p >= 0 &&
              p <= 100) {
            return {};
          }
        } else {
          __int128 n = 0;
          if (ParseWholeNumber(t, 0, INT64_MAX, &n)) return {};
        }
        return "expected a row count N >= 0 or a share P% with 0 <= P <= 100" + Got(text);
      },
      "N|P%");
}

void UnsupportedFlags::Add(CLI::App* app, const std::string& flag, const std::string& feature) {
  auto value = std::make_shared<std::string>();
  app->add_option(flag, *value, "Not supported by this build yet (" + feature + ")");
  entries_.push_back(Entry{flag, feature, std::move(value)});
}

int UnsupportedFlags::Check(std::string_view verb) const {
  for (const Entry& e : entries_) {
    if (!e.value->empty()) {
      return UsageError(verb, e.flag + ": " + e.feature + " are not supported by this build yet");
    }
  }
  return 0;
}

}  // namespace tsb::cli
