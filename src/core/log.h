// What import and export say on stderr while they run: errors, warnings, progress, the summary.
//
// Two forms (decisions 11, "Logs"): `text`, the lines a person reads ("tsbridge import: ..."),
// and `json`, one object per line with `ts`, `level`, `msg` and the event's fields, for a CI job
// that parses its logs. The level (`--log-level error|warn|info|debug`, `-v`, `-q`) decides what
// is written in either form. Data never goes through here (it goes to the output), and neither
// do secrets: callers pass messages that were already made safe to show.
//
// The process has one configuration, set by the cli before a job starts; writing is thread-safe
// (one line is one write, so lines of concurrent threads never interleave).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "tsbridge/status.h"

namespace tsb::log {

enum class Level { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };
enum class Format { kText, kJson };

Result<Level> ParseLevel(std::string_view name);    // error, warn, info, debug
Result<Format> ParseFormat(std::string_view name);  // text, json
std::string_view LevelName(Level level);

// Sets the process's level and format, and routes the libraries' own logging (spdlog) through
// the same filter and form. `stamp_text`: text lines start with the time and level, as a server's
// log does (the emulator); a job's lines stay the sentences a person reads.
void Configure(Level level, Format format, bool stamp_text = false);
Level CurrentLevel();
Format CurrentFormat();
inline bool Enabled(Level level) { return static_cast<int>(level) <= static_cast<int>(CurrentLevel()); }

struct Field {
  std::string_view key;
  std::variant<std::string_view, int64_t, double, bool> value;
};

// Writes one event: in text form `text` as it is (a line a person reads); in JSON form an object
// with ts, level, msg (= `msg`, or `text` when `msg` is empty) and `fields`. Nothing when the
// level is below the configured one.
void Write(Level level, std::string_view text, std::initializer_list<Field> fields = {},
           std::string_view msg = {});

inline void Error(std::string_view text, std::initializer_list<Field> fields = {}) {
  Write(Level::kError, text, fields);
}
inline void Warn(std::string_view text, std::initializer_list<Field> fields = {}) {
  Write(Level::kWarn, text, fields);
}
inline void Info(std::string_view text, std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, text, fields);
}
inline void Debug(std::string_view text, std::initializer_list<Field> fields = {}) {
  Write(Level::kDebug, text, fields);
}

// Write() of a printf-formatted text (no fields): for the jobs' one-off notes and warnings.
void Printf(Level level, const char* format, ...) __attribute__((format(printf, 2, 3)));

// Writes a raw terminal update (a progress bar redrawn in place); only in text form, only at
// info level or above. Returns whether it was written.
bool WriteTerminal(std::string_view bytes);

}  // namespace tsb::log
