// import --resume: what an import's checkpoint (checkpoint.h) holds and how the job goes on
// from it.
//
// A single output file is written in key order, split after split, so its progress is one
// position: the writer's last durable point (formats/format.h: the synced length of the
// temporary file and, for Parquet, the footer so far), the split it was in, and the primary key
// of the last row written before it. A resumed run reopens the temporary file at that point,
// skips the splits before, scans that split from the key on (dropping the key's own row) and the
// later splits whole, so the file ends byte for byte as an uninterrupted run's.
//
// An output directory gets a part file per split, finished in split order: its progress is how
// many parts are complete (renamed and synced). A resumed run keeps those and redoes the part
// that was in progress.
//
// Points are taken at most twice a second (kPointInterval), each at a row count the writer fixes
// (a text file: any row; Parquet: a row group's end), so where they fall never shows in the
// bytes.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "formats/file_target.h"
#include "formats/format.h"
#include "jobs/import_job.h"
#include "tsbridge/convert.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

inline constexpr std::chrono::milliseconds kPointInterval{500};

struct ImportProgress {
  // A single file: the writer's point, the split it fell in (earlier splits are whole in the
  // file) and the key of the last row written (empty: no row of that split).
  std::optional<DurablePoint> file;
  size_t split = 0;
  std::vector<OtsValue> after;
  // A directory: parts [0, parts_done) are complete.
  size_t parts_done = 0;
  int64_t rows = 0;  // rows in the output at the point

  nlohmann::json ToJson() const;
  // `where` (the checkpoint's path) prefixes errors.
  static Result<ImportProgress> FromJson(const nlohmann::json& j, const std::string& where);
};

// The checkpoint's default place: <output>.tsbridge-checkpoint beside a file, DIR/_checkpoint in
// a directory (DIR/_checkpoint-K-of-N for share K of a --shard import).
std::string DefaultImportCheckpointPath(const FileTarget& target, const ImportOptions& options);

// Why this import's output cannot be continued after an interruption (stdout, a .gz / .zst
// file, --versions); empty when it can.
std::string WhyNotResumable(const FileTarget& target, const WriterOptions& writer,
                            const ImportOptions& options);

// The options that change the output's bytes, for the checkpoint's identity.
nlohmann::json ImportCheckpointFlags(const ImportOptions& options, const FileTarget& target,
                                     const WriterOptions& writer);

// The primary key of row `row` (the spec's key columns, in key order) as stored values.
Result<std::vector<OtsValue>> RowKey(const RowBatch& batch, size_t row, const JobSpec& spec);

// How many leading rows of `batch` have a key at or before `after` (rows the interrupted run
// already wrote).
Result<size_t> RowsThrough(const RowBatch& batch, const JobSpec& spec,
                           const std::vector<OtsValue>& after);

}  // namespace tsb::jobs
