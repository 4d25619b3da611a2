// The reject file of `tsbridge export` (decisions.md section 3).
//
// Every input record that does not end up in the table gets one record here, whoever refused it:
// the reader (TSB_FIELD_COUNT, TSB_BAD_QUOTE, TSB_BAD_JSON, TSB_BAD_VALUE, TSB_BAD_UTF8), the
// conversion to Tablestore values (TSB_NULL_KEY, TSB_BAD_VALUE, TSB_TOO_LARGE) or the service
// (OTSConditionCheckFail, ...). Layouts:
//   CSV input    CSV: a header with the spec's columns, then _source_position, _raw_record,
//                _error_code, _error_message; values in the text forms of core/value_text.h, NULL
//                as an empty unquoted field (so the file exports again as it is, once fixed). In
//                the input's dialect (delimiter, quote, escape, null text), but always with a
//                header: a header-less input's reject file exports again with --header true.
//   JSONL input  one JSON object per record: the spec's columns in the JSONL forms, then the same
//                four keys; strings that are not valid UTF-8 as {"base64": "..."}.
//   Parquet      as JSONL, without _raw_record (_source_position is the 1-based row number).
//   "-"          JSONL on stderr (the default when the input is stdin).
// The spec's columns stand for "the input's columns as read": input columns that the spec does
// not name are never decoded, and export ignores them anyway.
//
// The file is created at the first record, so a run without rejects leaves none. Thread-safe: the
// reader thread and every writer thread write through one RejectWriter.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "formats/format.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"
#include "tsbridge/types.h"

namespace tsb::jobs {

using tsb::RejectFormat;  // the form of a reject file, which the input's format chooses

struct RejectFileOptions {
  std::string path;  // "-" = stderr (always JSON Lines)
  RejectFormat format = RejectFormat::kJsonl;
  std::vector<Field> columns;  // the spec's columns, in order
  bool raw_record = true;      // write _raw_record (text inputs)
  // The text form's dialect: the input's delimiter, quote, escape and null text; always with a
  // header row, which names the four extra columns.
  TextDialect dialect;
};

// One rejected record. `values` is parallel to the columns: the value's text (nullopt = NULL).
// When `typed`, the texts are the value_text forms of valid values of the columns' types, and JSON
// writes numbers and booleans bare; otherwise (fields as the reader split them) every text is a
// JSON string.
struct RejectRecord {
  int64_t position = 0;
  std::vector<std::optional<std::string>> values;  // empty = all NULL
  bool typed = false;
  std::string_view raw;
  std::string_view code;
  std::string_view message;
};

class RejectWriter {
 public:
  explicit RejectWriter(RejectFileOptions options);
  ~RejectWriter();
  RejectWriter(const RejectWriter&) = delete;
  RejectWriter& operator=(const RejectWriter&) = delete;

  [[nodiscard]] Status Write(const RejectRecord& record);
  // Flushes and closes the file (if one was created).
  [[nodiscard]] Status Close();

  // export --resume: continues the reject file of an interrupted run, cut back to `bytes` (what
  // its checkpoint covers; 0 removes it); a record at one of `already_written` positions is in
  // that part already, so it is counted and not written again.
  [[nodiscard]] Status ResumeFrom(int64_t bytes, std::set<int64_t> already_written);
  // Flushes the file to disk and calls `fn` with its length and the positions of the records in
  // it (`fn` may drop those it needs no more), holding the lock: nothing is written meanwhile.
  [[nodiscard]] Status Sync(const std::function<void(int64_t bytes, std::vector<int64_t>*)>& fn);

  int64_t count() const { return count_.load(std::memory_order_relaxed); }
  const std::string& path() const { return options_.path; }
  // The first record written, as "line 7: TSB_BAD_VALUE: message" ("row 7" for Parquet), so
  // that exit 3 can say why without the user opening the file; empty before any.
  std::string first_reason() const;

 private:
  void Format(const RejectRecord& record, std::string* out) const;

  RejectFileOptions options_;
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;          // guarded by mu_
  std::string line_;                   // guarded by mu_
  std::string first_reason_;           // guarded by mu_
  std::vector<int64_t> positions_;     // guarded by mu_; see Sync
  std::set<int64_t> already_written_;  // guarded by mu_; see ResumeFrom
  std::atomic<int64_t> count_{0};
};

// The text of row `row` of `column` for a RejectRecord (nullopt for NULL).
std::optional<std::string> ValueText(const Column& column, size_t row);

}  // namespace tsb::jobs
