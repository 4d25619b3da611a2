#include "cli/cli_common.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include "cli/commands.h"

namespace tsb::cli {

int ReportFailure(std::string_view verb, const Status& status) {
  std::string text = status.ToString();
  std::fprintf(stderr, "tsbridge %.*s: %s\n", static_cast<int>(verb.size()), verb.data(),
               text.c_str());
  return jobs::ExitCodeFor(status);
}

int UsageError(std::string_view verb, const std::string& message) {
  std::fprintf(stderr, "tsbridge %.*s: %s\n", static_cast<int>(verb.size()), verb.data(),
               message.c_str());
  return kExitUsage;
}

int FinishJob(std::string_view verb, const jobs::JobSummary& summary,
              const std::string& summary_path, bool quiet) {
  if (!quiet) std::fprintf(stderr, "%s\n", summary.OneLine(verb).c_str());
  Status s = jobs::WriteSummaryFile(summary_path, summary);
  if (!s.ok()) return ReportFailure(verb, s);
  return summary.rows_rejected > 0 ? kExitDataProblems : kExitOk;
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
