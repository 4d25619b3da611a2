// --scatter (decisions 4): a first pass over the key columns checks that the input is in
// primary-key order and picks cut points where the key changes; each range is then read by a
// reader of its own, as the format's descriptor slices it (Slicing::kLines, CSV / JSON Lines: a
// byte range starting at a record, the header lines prepended; Slicing::kRowRanges, Parquet: a
// range of rows, read from the row group that holds its first row, the groups before it skipped
// unread), so concurrent writers hit different key regions and equal keys stay in input order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "formats/file_target.h"
#include "tsbridge/batch_io.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

struct ScatterRange {
  uint64_t begin = 0;  // kLines: the bytes of the range
  uint64_t end = 0;
  int64_t line_offset = 0;  // added to the range reader's line numbers
  // kRowRanges: the rows of the range, by 1-based row number. Each range reader starts at the row
  // group holding first_row (ReaderOptions::start_row) and keeps only these rows.
  int64_t first_row = 0;
  int64_t end_row = INT64_MAX;
};

struct ScatterPlan {
  bool ordered = true;
  int64_t unordered_line = 0;  // the first record whose key is smaller than the one before
  std::string header;          // kLines: the header lines, given to every range reader
  std::vector<ScatterRange> ranges;
};

// Is the input in key order, and where can it be cut into `parts` ranges without splitting a run
// of equal keys?
Result<ScatterPlan> PlanScatter(const FileTarget& input, const JobSpec& spec, int parts);

// A reader of one range of the plan; `options` are those of the whole input.
Result<std::unique_ptr<BatchReader>> OpenScatterRange(const ReaderOptions& options,
                                                      const ScatterPlan& plan,
                                                      const ScatterRange& range);

}  // namespace tsb::jobs
