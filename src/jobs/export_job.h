// `tsbridge export`: a Parquet, CSV or JSON Lines file into a Tablestore table.
//
// The pipeline: the spec is checked; DescribeTable checks the mapping against the table (a missing
// table is exit 2 unless --create-table); the reader is opened with the spec's columns (matched to
// the input's by name; a spec column the input lacks is exit 2, before any write). One reader
// thread hands the batches to the table's BatchWriter (tablestore/table_batch_writer.h), which
// encodes each row once and routes it by a hash of its encoded primary key to one of N writer
// threads, so rows with one key always meet in one writer, in input order: requests of at most
// 200 rows and 4 MiB, never two rows of one key in a request, retriable row and request failures
// retried with backoff, the rest rejected. Every record that does not reach the table
// goes to the reject file (reject_writer.h) with its code. At the end,
// rows read = rows written + rows rejected is checked (a mismatch is an internal error).
//
// --scatter (decisions 4): a first pass over the key columns checks that the input is in
// primary-key order and picks N cut points where the key changes; N threads then each read one
// range (CSV / JSON Lines: a byte range starting at a record, the CSV header prepended; Parquet:
// a range of rows, skipped to by decoding, since the Parquet reader cannot seek to a row group
// yet) and write it through their own table writer (export_scatter.h), so concurrent writers hit
// different key regions and equal keys stay in input order. An input out of key order takes the
// ordinary path (and says so); stdin, FIFOs and compressed files are refused (exit 2) before they
// are opened.
//
// --resume (export_resume.h): the writers acknowledge each row (written, or its reject written);
// per reader range the end of the contiguous acknowledged prefix is saved about once a second in
// the checkpoint beside the input (checkpoint.h), and a resumed run reads each range from there.
//
// Modes:
//   update (default)  BatchWriteRow UPDATE that PUTs the mapped attributes; a NULL leaves the
//                     column as is (--nulls skip) or deletes all its versions (--nulls delete).
//                     A row with no cell to change is sent as a PUT of the bare key with
//                     EXPECT_NOT_EXIST, and OTSConditionCheckFail counts as written: the row comes
//                     to exist and an existing row is not touched, without relying on the
//                     service accepting an UpdateRow with no cells.
//   put               BatchWriteRow PUT: the whole row is replaced by the mapped columns.
//   --if-absent       EXPECT_NOT_EXIST on every row: an existing row is rejected
//                     (OTSConditionCheckFail).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "jobs/job_common.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

struct ExportDryRunReport;  // export_dry_run.h

struct ExportOptions {
  std::string spec_path;
  std::string input;          // empty: the spec's file.path; "-": stdin
  std::string format;         // empty: from the input's extension, else the spec's file.format
  DialectSettings dialect;    // --delimiter, --header, --quote, --escape, --null, --encoding
  bool put_mode = false;      // --mode put
  bool nulls_delete = false;  // --nulls delete
  bool if_absent = false;
  int parallel = 4;
  bool scatter = false;
  int shard_index = 0;  // --shard K/N: K (1-based); 0 = no sharding
  int shard_count = 0;
  std::string rejects_path;  // empty: <stem>.rejects.<format> beside the input; stderr for -
  bool create_table = false;
  bool dry_run = false;
  std::string summary_path;
  int64_t max_errors = -1;         // stop once more rows than this were rejected; -1 = no limit
  double max_errors_percent = -1;  // stop once more than this share (0..100) was rejected
  double max_rows_per_sec = 0;     // 0 = no cap; shared by all writers
  double max_cu_per_sec = 0;       // 0 = no cap; write CU estimated from the rows' encoded sizes
  std::string endpoint;
  double request_timeout = 30;  // --request-timeout: seconds one attempt may take
  double retry_deadline = 300;  // --retry-deadline: seconds one call may take with its retries
  AuthOptions auth;             // credential flags (auth_access.h)
  bool quiet = false;
  ProgressMode progress = ProgressMode::kAuto;  // --progress
  // --resume / --restart (export_resume.h): at most one; --checkpoint, else
  // <input>.tsbridge-checkpoint.
  bool resume = false;
  bool restart = false;
  std::string checkpoint_path;
  // Request limits (tests only).
  int max_request_rows = 0;       // 0 = 200
  int64_t max_request_bytes = 0;  // 0 = 4 MiB
};

// The --shard share (0-based, below `shards`) of a row whose partition-key value encodes to
// `encoded_partition_key` (a filter's column_value, wire doc A.4): 64-bit FNV-1a, then murmur3's
// fmix64 finalizer, modulo `shards` (decisions 11). Every host computes the same shares.
int ExportShardOf(std::string_view encoded_partition_key, int shards);

// Runs the export. On success *summary describes it (rows_rejected > 0 means exit 3); with
// --dry-run, nothing is written and *dry_run_report (when given) says what would be.
Status RunExport(const ExportOptions& options, JobSummary* summary,
                 ExportDryRunReport* dry_run_report = nullptr);

}  // namespace tsb::jobs
