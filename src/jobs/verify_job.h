// `tsbridge verify`: proves that a table (or what --where selects of it) and a file hold the same
// rows, as two readers and a comparator on import's and export's one data path.
//
// The table side is import's: the scan plan of --where, the splits of ComputeSplitPointsBySize
// (import_splits.h), --parallel table scan readers. The file side is export's: the input's format
// reader (formats/file_target.h) parsing into the spec's columns, --where evaluated locally. Each
// row, from either side, is bucketed by the split its key falls in and added to that split's
// digest (verify_digest.h): a count and the sum and XOR of a 64-bit hash of its canonical bytes,
// which do not depend on the file's order. Memory is a few digests per split.
//
// Only the splits whose digests differ are read again: the file's (key, hash) pairs of a group
// of those splits, then their table rows against them, which names each missing, extra and changed
// row; --show N reads the file once more for the values of the first N differing rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jobs/job_common.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

struct VerifyOptions {
  std::string spec_path;
  std::string input;   // empty: the spec's file.path
  std::string format;  // empty: from the input's extension, else the spec's file.format
  std::string where;
  int64_t show = 0;  // differing rows to print with their values
  int parallel = 4;
  std::string endpoint;
  double request_timeout = 30;
  double retry_deadline = 300;
  AuthOptions auth;
  bool quiet = false;
  // Tests: the unit of the split targets instead of 1 MiB (as ImportOptions).
  int64_t split_unit_bytes_for_test = 0;
  // Tests: the most table rows whose splits are compared key by key in one file pass.
  int64_t detail_rows_per_pass = 4'000'000;
};

// One differing row. Values are the spec columns' text forms (nullopt: NULL), in spec order;
// the side that lacks the row has none. For changed rows beyond --show, and for rows not shown,
// the values are empty.
struct VerifyRowDiff {
  enum class Kind { kMissing, kExtra, kChanged };
  Kind kind = Kind::kMissing;
  size_t split = 0;
  std::string key;                                    // canonical key bytes (for ordering)
  std::vector<std::optional<std::string>> key_texts;  // the key columns' text forms
  std::vector<std::optional<std::string>> table_values;
  std::vector<std::optional<std::string>> file_values;
};

struct VerifySplit {
  std::string range;  // "[(5001), (7000))"; "outside the scanned key ranges" for the extra bucket
  int64_t table_rows = 0;
  int64_t file_rows = 0;
  bool differs = false;
  int64_t missing = 0;  // in the table, not in the file
  int64_t extra = 0;    // in the file, not in the table
  int64_t changed = 0;  // in both, with other values
};

struct VerifyReport {
  std::string table;
  std::string input;
  std::vector<std::string> column_names;  // the spec's, in order
  std::vector<int> key_columns;           // spec column indexes, in key order
  std::vector<bool> quoted;          // per spec column: shown as a string (not a number or boolean)
  std::vector<VerifySplit> splits;   // the last is the bucket of file rows in no split
  std::vector<VerifyRowDiff> shown;  // up to --show, by split then key
  int64_t table_rows = 0;
  int64_t file_rows = 0;
  int64_t table_unreadable = 0;  // stored values that do not fit their column
  int64_t file_unreadable = 0;   // records the file reader rejected
  std::string first_unreadable;
  double seconds = 0;

  bool equal() const;
  int64_t differing_rows() const;
  // The human report: a verdict line, the differing splits with their key ranges and counts, the
  // shown rows (with both values of each changed cell).
  std::string Text() const;
  // The same as one JSON object.
  std::string Json() const;
};

Status RunVerify(const VerifyOptions& options, VerifyReport* report, JobSummary* summary);

}  // namespace tsb::jobs
