#include "jobs/import_job.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "core/log.h"
#include "core/ordered_runner.h"
#include "core/predicate.h"
#include "core/scan_plan.h"
#include "formats/file_target.h"
#include "jobs/import_long_layout.h"
#include "jobs/import_output.h"
#include "jobs/import_resume.h"
#include "jobs/import_splits.h"
#include "tablestore/core_bridge.h"
#include "tablestore/table_scan_reader.h"

namespace tsb::jobs {

namespace {

Status CheckOptions(const ImportOptions& options) {
  if (options.parallel < 1) return Status::InvalidArgument("--parallel must be at least 1");
  if (options.versions < 0) return Status::InvalidArgument("--versions must be at least 1");
  if (options.time_from || options.time_to) {
    if (options.versions == 0) {
      return Status::InvalidArgument(
          "--time-range needs --versions N (it selects cell versions for the long layout)");
    }
    if (!options.time_from || !options.time_to || *options.time_from < 0 ||
        *options.time_to <= *options.time_from) {
      return Status::InvalidArgument(
          "--time-range: expected FROM,TO in epoch milliseconds with 0 <= FROM < TO");
    }
  }
  if (options.versions > 0 && !options.where.empty()) {
    // The server filter tests the latest version only, and which version a local predicate
    // should test is not defined: refused rather than guessed.
    return Status::InvalidArgument(
        "--where cannot be combined with --versions yet: import the versions, then filter the "
        "file");
  }
  if (options.max_rows_per_sec < 0 || options.max_cu_per_sec < 0) {
    return Status::InvalidArgument("--max-rows-per-sec and --max-cu-per-sec must be positive");
  }
  return Status::OK();
}

// Keeps the rows of *batch that the residue selects; *scratch is a batch of the same schema.
Status ApplyResidue(PredicateEvaluator* evaluator, RowBatch* batch, RowBatch* scratch,
                    std::vector<uint32_t>* selected) {
  TSB_RETURN_IF_ERROR(evaluator->Evaluate(*batch, selected));
  if (selected->size() == batch->num_rows()) return Status::OK();
  scratch->Reset();
  for (uint32_t r : *selected) scratch->AppendRow(*batch, r);
  std::swap(*batch, *scratch);
  return Status::OK();
}

// One import, step by step: Prepare (spec, output, plan), Plan (splits), OpenOutput, then the
// splits' table scan readers through OrderedRunner into the writer, and Finish. The members are
// what the steps share; the summary guards come last, so that they run while the counters they
// read still live.
struct ImportRun {
  ImportRun(const ImportOptions& o, JobSummary* s, std::chrono::steady_clock::time_point t)
      : options(o), summary(s), started(t) {}

  Status Prepare(bool* explained);
  Status Plan();
  Status OpenCheckpoint();
  Status OpenOutput();
  Status OpenSingleFile();
  Status Scan();
  Status ScanSplit(size_t index, const OrderedRunner::Emit& emit);
  Status Consume(size_t index, const RowBatch& batch);
  Status SplitDone(size_t index);
  Status WriteRows(size_t index, BatchWriter* writer, const RowBatch& rows);
  Status SavePoint(size_t index, const RowBatch& rows, size_t last_row);
  Status DropWritten(RowBatch* batch, bool* past);
  Status Finish(Status run);
  void Summarize(int64_t stdout_bytes);
  void WarnUnreadAttributes() const;

  // --max-errors N or P% (as export counts it: a share only once 100 rows were read).
  bool TooManyErrors() const {
    const int64_t rejected = rejects->count();
    const int64_t read = rows_read.load();
    return (options.max_errors >= 0 && rejected > options.max_errors) ||
           (options.max_errors_percent >= 0 && read >= 100 &&
            static_cast<double>(rejected) * 100.0 >
                options.max_errors_percent * static_cast<double>(read));
  }
  std::string PartPath(size_t index) const {
    char name[32];
    std::snprintf(name, sizeof(name), "part-%05zu", tasks[index].part_number);
    return target.path + name + TargetExtension(target);
  }
  Result<std::unique_ptr<BatchWriter>> OpenOutputWriter(const WriterOptions& o) const {
    return layout ? OpenLongWriter(*layout, o) : OpenWriter(*schema, o);
  }

  const ImportOptions& options;
  JobSummary* summary;
  const std::chrono::steady_clock::time_point started;

  JobSpec spec;
  std::optional<LongLayout> layout;
  FileTarget target;
  WriterOptions writer_options;
  std::optional<Predicate> where;
  std::unique_ptr<ots::Client> client;
  ScanPlan plan;
  std::string fingerprint;
  std::vector<ScanTask> tasks;
  std::shared_ptr<const Schema> schema;

  std::unique_ptr<RateLimiter> row_limiter, cu_limiter;
  ots::TableScanOptions scan;  // every split's, but for its key range
  std::unique_ptr<RejectSink> rejects;
  std::atomic<int64_t> rows_read{0};
  std::atomic<int64_t> splits_scanned{0};  // the progress display's measure of done
  std::atomic<int64_t> bytes_read{0};
  std::unique_ptr<std::atomic<bool>[]> carried;

  StdoutSpool spool;
  bool spool_stdout = false;
  std::unique_ptr<BatchWriter> single;
  std::unique_ptr<BatchWriter> part;
  std::vector<std::string> part_paths;
  std::optional<Progress> progress;
  int64_t written = 0;
  bool limit_reached = false;          // the writer's own view
  std::atomic<bool> limit_hit{false};  // what the readers poll between pages

  // The checkpoint (none for an output that cannot be continued), what a resumed run continues
  // from, and the single file's writer as one that makes durable points.
  std::string checkpoint_path;
  bool checkpoint_found = false;
  std::optional<Checkpoint> checkpoint;
  bool resumed = false;
  ImportProgress resume_from;
  ImportProgress at;  // the last point saved
  ResumableWriter* durable = nullptr;
  std::chrono::steady_clock::time_point last_point;

  std::optional<SummaryOnReturn> cu_on_return;
  std::optional<SummaryOnReturn> counters_on_return;
};

// The spec, the output, --where, the client and the table's check, the scan plan; with
// --explain, prints the plan and sets *explained.
Status ImportRun::Prepare(bool* explained) {
  JobSpecOptions spec_options;
  spec_options.require_file = options.output.empty() && !options.explain;
  TSB_ASSIGN_OR_RETURN(spec, LoadJobSpec(options.spec_path, spec_options));
  if (options.versions > 0) {
    TSB_ASSIGN_OR_RETURN(LongLayout made, MakeLongLayout(spec));
    layout.emplace(std::move(made));
  }
  if (!options.explain) {
    TSB_ASSIGN_OR_RETURN(target, ResolveOutputTarget(options.output, options.format, spec.file));
    TSB_RETURN_IF_ERROR(ResolveDialect(options.dialect, spec, &target));
    TSB_ASSIGN_OR_RETURN(
        writer_options,
        TargetWriterOptions(target,
                            {options.parquet_compression, "--compression", options.row_group_rows},
                            spec.file));
    const std::string why_not = WhyNotResumable(target, writer_options, options);
    if (why_not.empty()) {
      checkpoint_path = options.checkpoint_path.empty()
                            ? DefaultImportCheckpointPath(target, options)
                            : options.checkpoint_path;
      checkpoint_found = std::filesystem::exists(checkpoint_path);
    } else if (options.checkpoint_mode == CheckpointMode::kResume) {
      return Status::InvalidArgument("--resume: " + why_not);
    } else if (!options.checkpoint_path.empty()) {
      return Status::InvalidArgument("--checkpoint: " + why_not);
    }
    // With a checkpoint there, the directory holds its job's files: the checkpoint decides.
    if (target.directory && options.shard_count == 0 && !checkpoint_found) {
      TSB_RETURN_IF_ERROR(PrepareOutputDirectory(target.path, options.overwrite, false, {}, false));
    }
  }
  if (!options.where.empty()) {
    TSB_ASSIGN_OR_RETURN(Predicate parsed, Predicate::Parse(options.where, spec.columns));
    where.emplace(std::move(parsed));
  }
  TSB_ASSIGN_OR_RETURN(
      client, ConnectForSpec(spec, {options.endpoint, options.parallel, options.request_timeout,
                                    options.retry_deadline, options.auth, AccessNeed::kImport}));
  cu_on_return.emplace(summary, started, [this](JobSummary* s) {
    const ots::ClientStats stats = client->stats();
    s->read_cu = stats.read_cu;
    s->write_cu = stats.write_cu;
    s->requests = static_cast<int64_t>(stats.requests);
    s->retries = static_cast<int64_t>(stats.retries);
  });
  TSB_ASSIGN_OR_RETURN(ots::TableDescription table, DescribeAndCheck(client.get(), spec));
  (void)table;
  TSB_ASSIGN_OR_RETURN(plan, PlanScan(where ? &*where : nullptr, spec.columns, spec.mapping));
  if (options.explain) {
    std::string text = plan.Explain();
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (text.empty() || text.back() != '\n') std::fputc('\n', stdout);
    *explained = true;
  }
  return Status::OK();
}

// The splits, and what every split's reader shares: the columns to get, the server filter,
// versions, the page size and row cap, the rate limits and the reject file.
Status ImportRun::Plan() {
  if (!plan.empty()) {
    TSB_ASSIGN_OR_RETURN(
        tasks, PlanSplits(client.get(), spec.tablestore.table, plan, options, &fingerprint));
  }
  schema = layout ? layout->schema : std::make_shared<const Schema>(spec.schema());
  if (options.max_rows_per_sec > 0) {
    row_limiter = std::make_unique<RateLimiter>(options.max_rows_per_sec, /*start_full=*/false);
  }
  if (options.max_cu_per_sec > 0) {
    cu_limiter = std::make_unique<RateLimiter>(options.max_cu_per_sec, /*start_full=*/false);
  }
  scan.table = spec.tablestore.table;
  scan.key_names = plan.key_names;
  scan.columns_to_get = ots::TableScanReader::ColumnsToGet(spec, plan.key_names);
  if (plan.filter) scan.filter = ots::ToWireFilter(*plan.filter);
  scan.max_versions = layout ? options.versions : 1;
  if (options.time_from) {
    scan.time_range = ots::TimeRange{options.time_from, options.time_to, std::nullopt};
  }
  // A row cap: pages of about a quarter second's worth, so that waits stay short and even.
  if (options.max_rows_per_sec > 0) {
    scan.page_limit = static_cast<int32_t>(std::clamp(options.max_rows_per_sec / 4, 1.0, 5000.0));
  }
  // Without a residue a reader never needs more rows than the limit.
  scan.max_rows = plan.residue ? 0 : options.limit;
  // With --limit, each page's rows go at once, so that the writer can tell every reader to stop
  // as soon as it has enough (a residue may keep few rows per page).
  scan.batch_per_page = options.limit > 0;
  // A scan that runs alone reads a page ahead; several scans keep the service busy between them,
  // and a page more each would only add to the import's memory.
  scan.read_ahead = (options.parallel == 1 || tasks.size() == 1) && options.limit == 0 &&
                    row_limiter == nullptr && cu_limiter == nullptr;
  scan.spec = &spec;
  scan.versions = layout ? &*layout : nullptr;
  carried.reset(new std::atomic<bool>[spec.columns.size()]());
  scan.carried = carried.get();
  scan.on_page = [this](const ots::GetRangeResult& page) -> Status {
    if (StopRequested()) return Status::Cancelled("stopped by a signal");
    if (limit_hit.load(std::memory_order_relaxed)) return Status::Cancelled("limit reached");
    rows_read += static_cast<int64_t>(page.rows.size());
    bytes_read += static_cast<int64_t>(page.response_bytes);
    if (row_limiter) row_limiter->Acquire(static_cast<double>(page.rows.size()));
    if (cu_limiter) cu_limiter->Acquire(static_cast<double>(page.consumed.read));
    if (StopRequested()) return Status::Cancelled("stopped by a signal");
    return Status::OK();
  };
  scan.after_page = [this]() -> Status {
    return TooManyErrors() ? Status::Cancelled("max-errors") : Status::OK();
  };
  rejects = std::make_unique<RejectSink>(options.rejects_path.empty()
                                             ? DefaultRejectsPath(target, kScanRejectFormat)
                                             : options.rejects_path);
  scan.on_reject = [this](const ots::RejectedValue& reject) {
    return rejects->Write(RejectLine(reject));
  };
  return Status::OK();
}

// The checkpoint of an output that can be continued: refused when one is there without --resume
// or belongs to another job; loaded with --resume.
Status ImportRun::OpenCheckpoint() {
  last_point = std::chrono::steady_clock::now();
  if (checkpoint_path.empty()) return Status::OK();
  CheckpointIdentity identity;
  identity.kind = "import";
  TSB_ASSIGN_OR_RETURN(
      identity.spec,
      CheckpointDigest(options.spec_path, ImportCheckpointFlags(options, target, writer_options)));
  identity.where = options.where;
  identity.split_points = fingerprint;
  TSB_ASSIGN_OR_RETURN(Checkpoint opened, Checkpoint::Open(checkpoint_path, options.checkpoint_mode,
                                                           identity, "import"));
  checkpoint.emplace(std::move(opened));
  if (!checkpoint->resumed()) return Status::OK();
  TSB_ASSIGN_OR_RETURN(resume_from,
                       ImportProgress::FromJson(checkpoint->payload(), checkpoint_path));
  const size_t done = target.directory ? resume_from.parts_done : resume_from.split;
  if (target.directory == resume_from.file.has_value() || done > tasks.size()) {
    return Status::InvalidArgument(checkpoint_path +
                                   ": the checkpoint does not describe this output; --restart "
                                   "starts over");
  }
  resumed = true;
  at = resume_from;
  written = resume_from.rows;
  summary->resumed = true;
  summary->rows_resumed = written;
  if (!options.quiet) {
    log::Printf(log::Level::kInfo, "import: resuming from %s: %lld rows are in the output\n",
                checkpoint_path.c_str(), static_cast<long long>(written));
  }
  return Status::OK();
}

// The output directory (its part files come later, one per split), or the one file (spooled
// when Parquet goes to stdout).
Status ImportRun::OpenOutput() {
  if (target.directory && resumed) return Status::OK();  // its finished parts stay
  if (target.directory) {
    std::vector<std::string> share_parts;
    for (size_t i = 0; options.shard_count > 0 && i < tasks.size(); ++i) {
      share_parts.push_back(PartPath(i).substr(target.path.size()));
    }
    // --restart of a checkpointed job replaces that job's files, as --overwrite would.
    return PrepareOutputDirectory(target.path, options.overwrite || checkpoint_found,
                                  options.shard_count > 0, share_parts, true);
  }
  if (checkpoint) return OpenSingleFile();
  spool_stdout = target.path == "-" && !target.format->streams;
  writer_options.path = target.path;
  if (spool_stdout) {
    TSB_ASSIGN_OR_RETURN(writer_options.path, spool.Create());
  }
  TSB_ASSIGN_OR_RETURN(single, OpenOutputWriter(writer_options));
  return Status::OK();
}

// The single file, as a writer that makes durable points; resumed, the interrupted run's
// temporary file continued at its last point (or, when that file is gone, a new one).
Status ImportRun::OpenSingleFile() {
  writer_options.path = target.path;
  Result<std::unique_ptr<ResumableWriter>> opened =
      OpenResumableWriter(*schema, writer_options, resumed ? &*resume_from.file : nullptr);
  if (!opened.ok() && resumed && opened.status().code() == StatusCode::kNotFound) {
    log::Printf(log::Level::kWarn, "import: %s; starting the file from the beginning\n",
                opened.status().message().c_str());
    resumed = false;
    resume_from = at = ImportProgress();
    written = 0;
    summary->resumed = false;
    summary->rows_resumed = 0;
    opened = OpenResumableWriter(*schema, writer_options, nullptr);
  }
  TSB_RETURN_IF_ERROR(opened.status());
  durable = opened->get();
  single = std::move(opened).value();
  return Status::OK();
}

Status ImportRun::Scan() {
  progress.emplace("import", !options.quiet, options.progress);
  progress->SetTotal(static_cast<int64_t>(tasks.size()), tasks.size() == 1 ? "split" : "splits");
  OrderedRunnerOptions runner_options;
  runner_options.parallel = options.parallel;
  runner_options.window = options.parallel * 2;
  runner_options.head_memory = options.split_memory;
  runner_options.memory_budget = options.read_ahead_memory;
  if (!target.directory && target.path != "-") {
    std::string dir = std::filesystem::path(target.path).parent_path().string();
    runner_options.spill_dir = dir.empty() ? "." : dir;
  } else if (target.directory) {
    runner_options.spill_dir = target.path;
  }
  OrderedRunner runner(runner_options);
  counters_on_return.emplace(summary, started, [this](JobSummary* s) {
    s->rows_read = rows_read.load();
    s->rows_written = written;
    s->rows_rejected = rejects->count();
    s->bytes_read = bytes_read.load();
    if (rejects->count() > 0) {
      s->rejects_path = rejects->path();
      s->first_reject = rejects->FirstReason();
    }
    s->split_fingerprint = fingerprint;
    s->splits = static_cast<int64_t>(tasks.size());
    if (options.max_errors >= 0 && rejects->count() > options.max_errors) {
      s->stop = StopReason::kMaxErrors;
    } else if (limit_reached) {
      s->stop = StopReason::kLimit;
    }
  });
  Status run = runner.Run(
      tasks.size(), [&] { return RowBatch(schema); },
      [this](size_t index, const OrderedRunner::Emit& emit) { return ScanSplit(index, emit); },
      [this](size_t index, const RowBatch& batch) { return Consume(index, batch); },
      [this](size_t index) { return SplitDone(index); });
  progress->Finish();
  return run;
}

// One split: its table scan reader, then the residue.
Status ImportRun::ScanSplit(size_t index, const OrderedRunner::Emit& emit) {
  if (resumed && index < (target.directory ? resume_from.parts_done : resume_from.split)) {
    progress->SetDone(splits_scanned.fetch_add(1, std::memory_order_relaxed) + 1);
    return Status::OK();  // in the output already
  }
  ots::TableScanOptions split = scan;
  split.start = tasks[index].start;
  split.end = tasks[index].end;
  // The split the interrupted run was in: from its last key written on, that key's row dropped.
  bool past =
      !(resumed && !target.directory && index == resume_from.split && !resume_from.after.empty());
  if (!past) {
    split.start.clear();
    for (const OtsValue& v : resume_from.after) split.start.push_back(KeyBound::Of(v));
  }
  ots::TableScanReader reader(client.get(), std::move(split), schema);
  RowBatch batch(schema);
  RowBatch scratch(schema);
  std::vector<uint32_t> selected;
  std::optional<PredicateEvaluator> evaluator;
  if (plan.residue) evaluator.emplace(&*plan.residue);
  for (;;) {
    TSB_RETURN_IF_ERROR(reader.Next(&batch));
    if (batch.num_rows() == 0) {
      progress->SetDone(splits_scanned.fetch_add(1, std::memory_order_relaxed) + 1);
      return Status::OK();
    }
    if (evaluator) TSB_RETURN_IF_ERROR(ApplyResidue(&*evaluator, &batch, &scratch, &selected));
    if (!past) TSB_RETURN_IF_ERROR(DropWritten(&batch, &past));
    if (batch.num_rows() == 0) continue;
    TSB_RETURN_IF_ERROR(emit(&batch));
    if (options.limit > 0 && limit_hit.load(std::memory_order_relaxed)) {
      return Status::Cancelled("limit reached");
    }
  }
}

// Drops the leading rows the interrupted run wrote (keys up to resume_from.after); *past once a
// row after them was seen.
Status ImportRun::DropWritten(RowBatch* batch, bool* past) {
  TSB_ASSIGN_OR_RETURN(size_t n, RowsThrough(*batch, spec, resume_from.after));
  if (n < batch->num_rows()) *past = true;
  if (n == 0) return Status::OK();
  RowBatch rest(schema, batch->num_rows() - n);
  for (size_t r = n; r < batch->num_rows(); ++r) rest.AppendRow(*batch, r);
  std::swap(*batch, rest);
  return Status::OK();
}

// Writes `rows` (of split `index`); a single checkpointed file is cut at the writer's point rows,
// and at most once per kPointInterval a point is made durable and saved.
Status ImportRun::WriteRows(size_t index, BatchWriter* writer, const RowBatch& rows) {
  if (durable == nullptr) return writer->Write(rows);
  const int64_t every = durable->point_rows();
  const size_t n = rows.num_rows();
  int64_t in_file = written;
  for (size_t pos = 0; pos < n;) {
    size_t take = n - pos;
    if (every > 1) take = std::min<size_t>(take, static_cast<size_t>(every - in_file % every));
    if (take == n) {
      TSB_RETURN_IF_ERROR(writer->Write(rows));
    } else {
      RowBatch piece(schema, take);
      for (size_t r = pos; r < pos + take; ++r) piece.AppendRow(rows, r);
      TSB_RETURN_IF_ERROR(writer->Write(piece));
    }
    pos += take;
    in_file += static_cast<int64_t>(take);
    if (in_file % every == 0 && std::chrono::steady_clock::now() - last_point >= kPointInterval) {
      TSB_RETURN_IF_ERROR(SavePoint(index, rows, pos - 1));
    }
  }
  return Status::OK();
}

// Makes the single file durable where it is, after row `last_row` of `rows` (of split `index`),
// and saves the checkpoint that points there.
Status ImportRun::SavePoint(size_t index, const RowBatch& rows, size_t last_row) {
  TSB_ASSIGN_OR_RETURN(DurablePoint point, durable->MakeDurable());
  TSB_ASSIGN_OR_RETURN(at.after, RowKey(rows, last_row, spec));
  at.rows = point.rows;
  at.file = std::move(point);
  at.split = index;
  TSB_RETURN_IF_ERROR(checkpoint->Save(at.ToJson()));
  last_point = std::chrono::steady_clock::now();
  return Status::OK();
}

Status ImportRun::Consume(size_t index, const RowBatch& batch) {
  if (target.directory && part == nullptr) {
    writer_options.path = PartPath(index);
    TSB_ASSIGN_OR_RETURN(part, OpenOutputWriter(writer_options));
  }
  BatchWriter* writer = target.directory ? part.get() : single.get();
  if (options.limit > 0 && written + static_cast<int64_t>(batch.num_rows()) > options.limit) {
    RowBatch head(schema, static_cast<size_t>(options.limit - written));
    for (size_t r = 0; written + static_cast<int64_t>(r) < options.limit; ++r) {
      head.AppendRow(batch, r);
    }
    TSB_RETURN_IF_ERROR(WriteRows(index, writer, head));
    written = options.limit;
  } else {
    TSB_RETURN_IF_ERROR(WriteRows(index, writer, batch));
    written += static_cast<int64_t>(batch.num_rows());
  }
  progress->Update(written, bytes_read.load());
  if (options.limit > 0 && written >= options.limit) {
    limit_reached = true;
    limit_hit.store(true, std::memory_order_relaxed);
    return Status::Cancelled("limit reached");
  }
  return Status::OK();
}

Status ImportRun::SplitDone(size_t index) {
  if (!target.directory) return Status::OK();
  if (resumed && index < resume_from.parts_done) {
    part_paths.push_back(PartPath(index));  // finished by the interrupted run
    return Status::OK();
  }
  if (part == nullptr) {
    writer_options.path = PartPath(index);
    TSB_ASSIGN_OR_RETURN(part, OpenOutputWriter(writer_options));
  }
  TSB_RETURN_IF_ERROR(part->Close());
  part_paths.push_back(writer_options.path);
  part.reset();
  if (!checkpoint) return Status::OK();
  // The part is complete once it and its name are synced; then the checkpoint may say so.
  TSB_RETURN_IF_ERROR(SyncFile(writer_options.path));
  TSB_RETURN_IF_ERROR(SyncDirectoryOf(writer_options.path));
  at.parts_done = index + 1;
  at.rows = written;
  return checkpoint->Save(at.ToJson());
}

// After the scan: a failed import leaves no output; else the files are closed, stdout gets the
// spooled Parquet, the reject file closes, _SUCCESS marks a complete dataset.
Status ImportRun::Finish(Status run) {
  const bool max_errors_hit = TooManyErrors();
  if (!run.ok() && !(limit_reached && run.code() == StatusCode::kCancelled) && !max_errors_hit) {
    // The writers are dropped unclosed, which leaves nothing under their final names; part files
    // that were already complete go too, so a failed import leaves no partial output.
    for (const std::string& p : part_paths) std::remove(p.c_str());
    // Only a kill leaves a job to resume (decisions 11: a run that ends removes its files).
    if (checkpoint) (void)checkpoint->Remove();
    if (StopRequested() && run.code() == StatusCode::kCancelled) {
      const char* name = StopSignal().load() == SIGTERM ? "SIGTERM" : "SIGINT";
      return Status::Cancelled(std::string("stopped by ") + name +
                               (target.path == "-" ? "; the output on stdout is incomplete"
                                                   : "; nothing was written under " + target.path));
    }
    return run;
  }
  if (limit_reached && target.directory && part != nullptr) {
    TSB_RETURN_IF_ERROR(part->Close());
    part_paths.push_back(writer_options.path);
  }
  if (single != nullptr) TSB_RETURN_IF_ERROR(single->Close());
  int64_t stdout_bytes = 0;
  if (spool_stdout) TSB_RETURN_IF_ERROR(spool.CopyToStdout(&stdout_bytes));
  TSB_RETURN_IF_ERROR(rejects->Close());
  if (checkpoint) TSB_RETURN_IF_ERROR(checkpoint->Remove());
  // The marker that Spark, Hive and MaxCompute jobs wait for, written last, and only for a
  // complete dataset: not after a --max-errors stop, and not by one share of a --shard import
  // (no share knows when the others are done).
  if (target.directory && options.shard_count == 0 && !max_errors_hit) {
    const std::string marker = target.path + "_SUCCESS";
    std::FILE* f = std::fopen(marker.c_str(), "wb");
    if (f == nullptr || std::fclose(f) != 0) {
      return Status::IOError(marker +
                             ": cannot write the _SUCCESS marker: " + std::strerror(errno));
    }
  }
  if (!options.quiet) {
    if (max_errors_hit)
      log::Printf(log::Level::kInfo, "import: stopped early: --max-errors reached\n");
    WarnUnreadAttributes();
  }
  Summarize(stdout_bytes);
  return Status::OK();
}

// A mapped attribute that no row read holds is nearly always a misspelt name: the column would be
// NULL throughout with nothing said.
void ImportRun::WarnUnreadAttributes() const {
  const auto& entries = spec.mapping.columns();
  for (int c : spec.mapping.attribute_columns()) {
    if (rows_read.load() == 0 || carried[c].load()) continue;
    log::Printf(log::Level::kWarn,
                "import: warning: no row read holds the attribute \"%s\" (mapped to column "
                "%s), so the column is NULL in every row; is the name in the mapping "
                "misspelt?\n",
                entries[c].ots_name.c_str(), spec.columns[c].name.c_str());
  }
}

void ImportRun::Summarize(int64_t stdout_bytes) {
  ots::ClientStats stats = client->stats();
  summary->rows_read = rows_read.load();
  summary->rows_written = written;
  summary->rows_rejected = rejects->count();
  summary->bytes_read = bytes_read.load();
  if (target.directory) {
    for (const std::string& p : part_paths) summary->bytes_written += FileSize(p);
  } else if (target.path != "-") {
    summary->bytes_written = FileSize(target.path);
  } else {
    summary->bytes_written = stdout_bytes;  // text to stdout: not counted
  }
  summary->read_cu = stats.read_cu;
  summary->write_cu = stats.write_cu;
  summary->requests = static_cast<int64_t>(stats.requests);
  summary->retries = static_cast<int64_t>(stats.retries);
  summary->split_fingerprint = fingerprint;
  summary->splits = static_cast<int64_t>(tasks.size());
  summary->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace

namespace {

// glibc's malloc gives each thread that allocates an arena of its own, up to 8 per core; the
// scanners allocate page bodies and batches that the writer's thread frees, so every arena keeps
// free but resident memory. Two arenas take about 4 MB off the peak at no measurable cost in CPU
// (bench/profile-notes.md, "Import memory"). A fixed M_MMAP_THRESHOLD (256 KiB) took 3 to 7 MB
// more, but blocks that large are then mapped and unmapped on every use: 0.1 to 0.15 s more
// system CPU per 1M rows, so it is not set. Process-wide, set before the scanner threads start.
void TuneAllocator() {
#if defined(__GLIBC__)
  mallopt(M_ARENA_MAX, 2);
#endif
}

}  // namespace

Status RunImport(const ImportOptions& options, JobSummary* summary) {
  const auto started = std::chrono::steady_clock::now();
  TuneAllocator();
  TSB_RETURN_IF_ERROR(CheckOptions(options));
  ImportRun run(options, summary, started);
  bool explained = false;
  TSB_RETURN_IF_ERROR(run.Prepare(&explained));
  if (explained) return Status::OK();
  TSB_RETURN_IF_ERROR(run.Plan());
  TSB_RETURN_IF_ERROR(run.OpenCheckpoint());
  TSB_RETURN_IF_ERROR(run.OpenOutput());
  return run.Finish(run.Scan());
}

}  // namespace tsb::jobs
