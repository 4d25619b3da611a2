#include "core/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

namespace tsb::log {

namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_format{static_cast<int>(Format::kText)};
std::atomic<bool> g_stamp_text{false};
std::mutex g_write_mu;

std::string NowIso8601() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];  // wide enough for any int the compiler can imagine in these fields
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

void WriteLine(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_write_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

// The libraries' spdlog messages (the client's retries, at debug level) as our events.
class ForwardingSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& m) override {
    Level level = Level::kDebug;
    switch (m.level) {
      case spdlog::level::critical:
      case spdlog::level::err: level = Level::kError; break;
      case spdlog::level::warn: level = Level::kWarn; break;
      case spdlog::level::info: level = Level::kInfo; break;
      default: level = Level::kDebug; break;
    }
    std::string_view text(m.payload.data(), m.payload.size());
    Write(level, "tsbridge: " + std::string(text), {}, text);
  }
  void flush_() override {}
};

spdlog::level::level_enum SpdlogLevel(Level level) {
  switch (level) {
    case Level::kError: return spdlog::level::err;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kInfo: return spdlog::level::info;
    case Level::kDebug: return spdlog::level::debug;
  }
  return spdlog::level::info;
}

}  // namespace

Result<Level> ParseLevel(std::string_view name) {
  if (name == "error") return Level::kError;
  if (name == "warn" || name == "warning") return Level::kWarn;
  if (name == "info") return Level::kInfo;
  if (name == "debug") return Level::kDebug;
  return Status::InvalidArgument("--log-level: expected error, warn, info or debug, got \"" +
                                 std::string(name) + "\"");
}

Result<Format> ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return Status::InvalidArgument("--log-format: expected text or json, got \"" +
                                 std::string(name) + "\"");
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kError: return "error";
    case Level::kWarn: return "warn";
    case Level::kInfo: return "info";
    case Level::kDebug: return "debug";
  }
  return "info";
}

void Configure(Level level, Format format, bool stamp_text) {
  g_level.store(static_cast<int>(level));
  g_format.store(static_cast<int>(format));
  g_stamp_text.store(stamp_text);
  auto logger = std::make_shared<spdlog::logger>("tsbridge", std::make_shared<ForwardingSink>());
  logger->set_level(SpdlogLevel(level));
  spdlog::set_default_logger(std::move(logger));
}

Level CurrentLevel() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }
Format CurrentFormat() { return static_cast<Format>(g_format.load(std::memory_order_relaxed)); }

void Write(Level level, std::string_view text, std::initializer_list<Field> fields,
           std::string_view msg) {
  if (!Enabled(level)) return;
  if (CurrentFormat() == Format::kText) {
    std::string line;
    if (g_stamp_text.load(std::memory_order_relaxed)) {
      line = NowIso8601() + " " + std::string(LevelName(level)) + " ";
    }
    line += text;
    if (line.empty() || line.back() != '\n') line.push_back('\n');
    WriteLine(line);
    return;
  }
  nlohmann::ordered_json j;
  j["ts"] = NowIso8601();
  j["level"] = LevelName(level);
  std::string_view m = msg.empty() ? text : msg;
  while (!m.empty() && m.back() == '\n') m.remove_suffix(1);
  j["msg"] = m;
  for (const Field& f : fields) {
    const std::string key(f.key);
    std::visit([&](const auto& v) {
      using V = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<V, std::string_view>) {
        j[key] = std::string(v);
      } else {
        j[key] = v;
      }
    }, f.value);
  }
  // Messages may quote the user's data, which need not be UTF-8.
  WriteLine(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

void Printf(Level level, const char* format, ...) {
  if (!Enabled(level)) return;
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string text(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(text.data(), text.size() + 1, format, args);
  va_end(args);
  Write(level, text);
}

bool WriteTerminal(std::string_view bytes) {
  if (CurrentFormat() != Format::kText || !Enabled(Level::kInfo)) return false;
  std::lock_guard<std::mutex> lock(g_write_mu);
  std::fwrite(bytes.data(), 1, bytes.size(), stderr);
  std::fflush(stderr);
  return true;
}

}  // namespace tsb::log
