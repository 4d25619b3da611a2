// `tsbridge import`: a Tablestore table into a Parquet, CSV or JSON Lines file.
//
// The pipeline: the spec and --where are checked before any request; DescribeTable checks the
// mapping against the table; the planner turns --where into key ranges (never scanning rows
// outside them), a server filter and a local residue; PlanSplits (import_splits.h) cuts the
// ranges into splits with ComputeSplitPointsBySize; one TableScanReader per split
// (tablestore/table_scan_reader.h), N at once over one shared client, yields RowBatches of the
// spec's columns (a row whose stored value does not fit its column goes to the reject file,
// import_output.h); the job keeps the rows the residue selects; OrderedRunner hands the batches
// to the writer in split order, so one output file is in primary-key order whatever N is. With
// an output directory, each split becomes a part file.
//
// With --versions N the readers read up to N versions of each cell (within --time-range when
// given) and yield the long layout of decisions 8, one row per cell version (see
// import_long_layout.h and the README); --where is refused in that mode.
//
// A file output is checkpointed as it goes (import_resume.h): a run killed at any moment is
// continued by --resume and ends with the bytes of an uninterrupted run. --max-rows-per-sec /
// --max-cu-per-sec pace all readers through shared RateLimiters (job_common.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "jobs/checkpoint.h"
#include "jobs/job_common.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

struct ImportOptions {
  std::string spec_path;
  // Empty: the spec's file.path. "-": stdout. Ending in '/': a directory of part files.
  std::string output;
  std::string format;  // empty: the spec's file.format, else the output's extension
  DialectSettings dialect;  // --delimiter, --header, --quote, --escape, --null, --encoding
  std::string where;
  // --output DIR/ that holds files: remove tsbridge's own (part-*, _rejects.jsonl, _SUCCESS and
  // temporaries) first; anything else is still refused.
  bool overwrite = false;
  // Parquet output: the page codec (one of kParquetCodecNames; empty = the spec's
  // file.compression, else snappy) and the rows per row group (0 = the spec's
  // file.row_group_rows, else 122,880).
  std::string parquet_compression;
  int64_t row_group_rows = 0;
  bool explain = false;  // print the plan to stdout, read nothing
  int parallel = 4;
  int shard_index = 0;  // --shard K/N: K (1-based); 0 = no sharding
  int shard_count = 0;
  int64_t limit = 0;  // 0 = no limit
  std::string summary_path;
  // --resume / --restart (see checkpoint.h and import_resume.h) and --checkpoint PATH (empty:
  // <output>.tsbridge-checkpoint, DIR/_checkpoint).
  CheckpointMode checkpoint_mode = CheckpointMode::kNone;
  std::string checkpoint_path;
  std::string rejects_path;  // empty = <output stem>.rejects.jsonl (DIR/_rejects.jsonl; stderr for -)
  int64_t max_errors = -1;   // stop after more rejected rows than this; -1 = no limit
  double max_errors_percent = -1;  // stop once more than this share (0..100) was rejected
  std::string endpoint;      // --endpoint
  double request_timeout = 30;  // --request-timeout: seconds one attempt may take
  double retry_deadline = 300;   // --retry-deadline: seconds one call may take with its retries
  AuthOptions auth;              // credential flags (auth_access.h)
  bool quiet = false;
  ProgressMode progress = ProgressMode::kAuto;  // --progress
  // --versions N: up to N versions of each cell, written in the long layout (decisions 8): the
  // key columns, `column`, `timestamp`, `value`, one row per cell version. 0 = the wide layout
  // (the latest version only).
  int versions = 0;
  // --time-range FROM,TO: versions with FROM <= timestamp < TO (epoch ms); needs --versions.
  std::optional<int64_t> time_from;
  std::optional<int64_t> time_to;
  // Read-rate caps, one token bucket each shared by all readers, charged after each page: rows
  // read (table rows, not versions) and the page's consumed read CU. 0 = no cap.
  double max_rows_per_sec = 0;
  double max_cu_per_sec = 0;
  // Memory for the rows read ahead of the writer (see OrderedRunner): the split being written
  // queues up to split_memory; all the splits scanned ahead of it share read_ahead_memory, and
  // beyond it they spill to disk. Both are totals, not per split, so memory stays flat however
  // many splits the table has.
  size_t split_memory = 4u << 20;
  size_t read_ahead_memory = 8u << 20;
  // Tests: the unit of the split targets instead of 1 MiB (256 units, then 64, 16, 4, 1), so that
  // a small table gets many splits. 0 = 1 MiB, as decisions 4 fixes it.
  int64_t split_unit_bytes_for_test = 0;
};

// Runs the import. On success *summary describes it (rows_rejected > 0 means exit 3).
Status RunImport(const ImportOptions& options, JobSummary* summary);

}  // namespace tsb::jobs
