#include "jobs/export_job.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/log.h"
#include "core/value_text.h"
#include "formats/file_target.h"
#include "jobs/checkpoint.h"
#include "jobs/export_dry_run.h"
#include "jobs/export_input.h"
#include "jobs/export_resume.h"
#include "jobs/export_scatter.h"
#include "jobs/export_table.h"
#include "jobs/reject_writer.h"
#include "tablestore/core_bridge.h"
#include "tablestore/in_flight_window.h"
#include "tablestore/table_batch_writer.h"
#include "tsbridge/convert.h"

namespace tsb::jobs {

namespace {

// The spec columns of a written row, back in their text forms (for the reject file).
std::vector<std::optional<std::string>> RowValues(const JobSpec& spec, const ots::Row& row) {
  std::vector<std::optional<std::string>> values(spec.columns.size());
  const auto& entries = spec.mapping.columns();
  for (size_t c = 0; c < entries.size(); ++c) {
    const ots::Cell* cell = nullptr;
    for (const auto* cells : {&row.primary_key, &row.attributes}) {
      for (const ots::Cell& x : *cells) {
        if (x.name == entries[c].ots_name) cell = &x;
      }
    }
    OtsValueRef ref;
    if (cell == nullptr || !cell->value || !ots::FromWireValue(*cell->value, &ref)) continue;
    Column column(spec.columns[c].type);
    if (!AppendOtsValue(ref, &column).ok()) continue;
    values[c] = ValueText(column, 0);
  }
  return values;
}

// Where each spec column sits in the reader's rejected fields (CSV: header order).
std::vector<int> RejectFieldIndex(const JobSpec& spec, const FileTarget& input,
                                  const BatchReader& reader) {
  std::vector<int> index(spec.columns.size(), -1);
  const auto field_names = input.format->reject_field_names;
  // Field name -> first position, so that a wide spec is matched in linear time.
  std::unordered_map<std::string_view, int> name_index;
  if (field_names != nullptr) {
    const auto& names = field_names(reader);
    for (size_t i = 0; i < names.size(); ++i) name_index.emplace(names[i], static_cast<int>(i));
  }
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    if (field_names != nullptr) {
      auto it = name_index.find(spec.columns[c].name);
      if (it != name_index.end()) index[c] = it->second;
    } else {
      index[c] = reader.schema().Find(spec.columns[c].name);
    }
  }
  return index;
}

RejectFileOptions RejectOptionsFor(const ExportOptions& options, const JobSpec& spec,
                                   const FileTarget& input) {
  RejectFileOptions r;
  r.format = input.format->rejects;
  r.path =
      options.rejects_path.empty() ? DefaultRejectsPath(input, r.format) : options.rejects_path;
  r.columns = spec.columns;
  r.raw_record = input.format->raw_records;
  // A text reject file in the input's dialect (with a header, for its extra columns' names),
  // so that once fixed it exports again with the same flags.
  r.dialect = input.dialect;
  return r;
}

// The rate caps, shared by all writers.
struct WriteThrottle {
  std::unique_ptr<RateLimiter> rows, cu;
};

// The writer's options for rows read through `schema`: the mapping, the mode, the limits.
ots::TableBatchWriter::Options WriterOptions(const ExportOptions& options, const JobSpec& spec,
                                             const Schema& schema, WriteThrottle* throttle) {
  ots::TableBatchWriter::Options o;
  o.writer.table = spec.tablestore.table;
  if (options.max_request_rows > 0) o.writer.max_rows = options.max_request_rows;
  if (options.max_request_bytes > 0) o.writer.max_bytes = options.max_request_bytes;
  o.writer.retry.cancelled = [] { return StopRequested(); };
  o.writer.retry.total_deadline = SecondsToMillis(options.retry_deadline);
  if (throttle->rows || throttle->cu) {
    o.writer.throttle = [throttle](int64_t rows, int64_t cu) {
      if (throttle->rows) throttle->rows->Acquire(static_cast<double>(rows));
      if (throttle->cu) throttle->cu->Acquire(static_cast<double>(cu));
    };
  }
  const auto& entries = spec.mapping.columns();
  for (int c : spec.mapping.key_columns()) {
    o.mapping.keys.push_back(
        {schema.Find(spec.columns[c].name), spec.columns[c].name, entries[c].ots_name});
  }
  for (int c : spec.mapping.attribute_columns()) {
    o.mapping.attributes.push_back(
        {schema.Find(spec.columns[c].name), spec.columns[c].name, entries[c].ots_name});
  }
  o.rows.put_mode = options.put_mode;
  o.rows.nulls_delete = options.nulls_delete;
  o.rows.if_absent = options.if_absent;
  o.rows.shard_index = options.shard_index;
  o.rows.shard_count = options.shard_count;
  return o;
}

// The state one export shares between its readers and writers, and its reject records.
struct ExportRun {
  ExportRun(const ExportOptions& o, const JobSpec& s, const FileTarget& i, std::vector<int> index,
            RejectWriter* r)
      : options(o), spec(s), input(i), reject_field_index(std::move(index)), rejects(r) {}

  const ExportOptions& options;
  const JobSpec& spec;
  const FileTarget& input;
  std::vector<int> reject_field_index;
  RejectWriter* rejects;
  DryRunPlanner* dry = nullptr;
  Progress progress{"export", !options.quiet, options.progress};
  ots::TableWriteCounters table;
  std::atomic<int64_t> rows_read{0};
  // Records handed to the writers or rejected on reading, counted before either: every finished
  // row was taken first, so the progress bar's share finished / taken never passes 1.
  std::atomic<int64_t> rows_taken{0};
  std::atomic<int64_t> rows_skipped{0};
  std::atomic<int64_t> rejected_here{0};  // by the readers and the encoding
  std::atomic<bool> stopped_for_errors{false};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status writer_error;  // guarded by mu
  // The requests in flight per key region (AIMD): one for the table, or one per --scatter range;
  // made before the writers start.
  std::vector<std::shared_ptr<ots::InFlightWindow>> windows;

  std::shared_ptr<ots::InFlightWindow> AddWindow(int writers, std::string region) {
    windows.push_back(std::make_shared<ots::InFlightWindow>(writers, std::move(region)));
    return windows.back();
  }

  // The summary's "throttled" fields, summed over the regions.
  void FillThrottled(JobSummary* s) const {
    if (windows.empty()) return;
    s->throttled = 0;
    s->throttled_rows = 0;
    s->in_flight_end = 0;
    s->in_flight_lowest = windows.front()->stats().lowest;
    for (const auto& w : windows) {
      const ots::InFlightStats st = w->stats();
      s->throttled += st.throttled_answers;
      s->throttled_rows += st.throttled_rows;
      s->in_flight_end += st.window;
      s->in_flight_lowest = std::min(s->in_flight_lowest, st.lowest);
    }
  }

  int64_t rejected() const { return rejected_here.load() + table.rows_rejected.load(); }

  bool TooManyErrors() const {
    const int64_t rejected_now = rejected();
    const int64_t read_now = rows_read.load();
    return (options.max_errors >= 0 && rejected_now > options.max_errors) ||
           (options.max_errors_percent >= 0 && read_now >= 100 &&
            static_cast<double>(rejected_now) * 100.0 >
                options.max_errors_percent * static_cast<double>(read_now));
  }

  void Fail(const Status& status) {
    std::lock_guard<std::mutex> lock(mu);
    if (writer_error.ok()) writer_error = status;
    failed.store(true);
  }

  Status Reject(const RejectRecord& record) {
    rejected_here.fetch_add(1);
    if (dry == nullptr) return rejects->Write(record);
    std::lock_guard<std::mutex> lock(mu);
    dry->AddReject(record.code, "position " + std::to_string(record.position) + ": " +
                                    std::string(record.message));
    return Status::OK();
  }

  // A record the reader could not read.
  Status RejectRead(const RejectedRecord& rec, int64_t line_offset) {
    RejectRecord record;
    record.position = rec.position + line_offset;
    if (!rec.fields.empty()) {
      record.values.resize(spec.columns.size());
      for (size_t c = 0; c < spec.columns.size(); ++c) {
        int i = reject_field_index[c];
        if (i >= 0 && static_cast<size_t>(i) < rec.fields.size()) record.values[c] = rec.fields[i];
      }
    }
    // A typed reader (Parquet) gives each value in its column's text form (JSON numbers stay bare).
    record.typed = input.format->typed_values;
    record.raw = rec.raw;
    record.code = rec.code;
    record.message = rec.message;
    return Reject(record);
  }

  // A row that cannot become a Tablestore row.
  Status RejectEncoded(const RowBatch& batch, size_t r, int64_t position, std::string_view code,
                       std::string_view message) {
    RejectRecord record;
    record.position = position;
    record.values.resize(spec.columns.size());
    for (size_t c = 0; c < spec.columns.size(); ++c) {
      record.values[c] = ValueText(batch.column(batch.schema().Find(spec.columns[c].name)), r);
    }
    record.typed = true;
    record.code = code;
    record.message = message;
    return Reject(record);
  }

  // A row the table refused.
  Status RejectWritten(int64_t position, const ots::Row& row, std::string_view code,
                       std::string_view message) {
    RejectRecord record;
    record.position = position;
    record.values = RowValues(spec, row);
    record.typed = true;
    record.code = code;
    record.message = message;
    return rejects->Write(record);
  }
};

// The rows written so far, and the share of the input they stand for: the reader runs ahead of
// the writers by their queues (a whole small file), so the bytes read are scaled by the share of
// the rows taken that are finished (written, rejected or left to another --shard share). The
// rows of the batch being handed out count as taken: the writers finish its first rows while the
// reader still waits to queue its last ones.
void PollProgress(ExportRun* run, int64_t input_bytes) {
  const int64_t written = run->table.rows_written.load();
  run->progress.Update(written, run->table.bytes_written.load());
  const int64_t finished = written + run->rejected() + run->rows_skipped.load();
  const int64_t taken = run->rows_taken.load();
  const double share = taken > 0 ? std::min(1.0, static_cast<double>(finished) / taken) : 0.0;
  run->progress.SetDone(static_cast<int64_t>(static_cast<double>(input_bytes) * share));
}

// Writes rows [begin, end) of a batch.
using RowSink = std::function<Status(const RowBatch& batch, size_t begin, size_t end)>;

// Tells `acks` (when given) about the range's records of a batch before any of them is written:
// its rejects are acknowledged by then, its rows [begin, end) when the writers are done with them.
void BeginBatch(AckPrefix* acks, const RowBatch& batch, const ScatterRange& range, size_t begin,
                size_t end) {
  if (acks == nullptr) return;
  int64_t first = INT64_MAX;
  int64_t records = static_cast<int64_t>(end - begin);
  for (const RejectedRecord& rec : batch.rejects()) {
    if (rec.position < range.first_row || rec.position >= range.end_row) continue;
    first = std::min(first, rec.position + range.line_offset);
    ++records;
  }
  if (end > begin) first = std::min(first, batch.positions()[begin] + range.line_offset);
  if (records > 0) acks->Begin(first, records, static_cast<int64_t>(end - begin));
}

// Reads `reader` to its end (or a stop, or a failure elsewhere), handing the rows of `range` to
// `sink`; `skipped` tells how many rows the sink has left to other --shard shares so far.
Status ReadLoop(ExportRun* run, BatchReader* reader, const ScatterRange& range, const RowSink& sink,
                const std::function<int64_t()>& skipped, AckPrefix* acks = nullptr) {
  RowBatch batch(std::make_shared<const Schema>(reader->schema()));
  for (;;) {
    if (StopRequested()) return Status::Cancelled("stopped by a signal");
    if (run->failed.load() || run->stopped_for_errors.load()) return Status::OK();
    TSB_RETURN_IF_ERROR(reader->Next(&batch));
    if (batch.num_rows() == 0 && batch.rejects().empty()) return Status::OK();
    // Positions ascend: the range's rows of the batch are one run.
    const auto& positions = batch.positions();
    const size_t n = batch.num_rows();
    size_t begin = 0;
    while (begin < n && positions.size() > begin && positions[begin] < range.first_row) ++begin;
    size_t end = begin;
    while (end < n && !(positions.size() > end && positions[end] >= range.end_row)) ++end;
    BeginBatch(positions.size() >= n ? acks : nullptr, batch, range, begin, end);
    run->rows_taken.fetch_add(static_cast<int64_t>(end - begin));
    for (const RejectedRecord& rec : batch.rejects()) {
      if (rec.position < range.first_row || rec.position >= range.end_row) continue;
      run->rows_taken.fetch_add(1);
      run->rows_read.fetch_add(1);
      TSB_RETURN_IF_ERROR(run->RejectRead(rec, range.line_offset));
    }
    const int64_t skipped_before = skipped();
    TSB_RETURN_IF_ERROR(sink(batch, begin, end));
    const int64_t skipped_now = skipped() - skipped_before;
    run->rows_skipped.fetch_add(skipped_now);
    run->rows_read.fetch_add(static_cast<int64_t>(end - begin) - skipped_now);
    run->progress.Update(run->table.rows_written.load(), run->table.bytes_written.load());
    if (run->TooManyErrors()) run->stopped_for_errors.store(true);
    if (end < n) return Status::OK();
  }
}

std::unique_ptr<ots::TableBatchWriter> MakeWriter(ExportRun* run, ots::Client* client,
                                                  ots::TableBatchWriter::Options options) {
  options.counters = &run->table;
  return std::make_unique<ots::TableBatchWriter>(
      client, std::move(options),
      [run](const RowBatch& batch, size_t r, int64_t position, std::string_view code,
            std::string_view message) {
        return run->RejectEncoded(batch, r, position, code, message);
      },
      [run](int64_t position, const ots::Row& row, std::string_view code,
            std::string_view message) { return run->RejectWritten(position, row, code, message); });
}

// The ordinary path: one reader, rows routed by a hash of their key to --parallel writers.
// Failures of the writers go to run->Fail, those of the reader to *read_status.
void WriteParallel(ExportRun* run, ots::Client* client, BatchReader* reader,
                   const ScatterRange& range, AckPrefix* acks,
                   ots::TableBatchWriter::Options options, Status* read_status,
                   ots::TableWriterStats* stats) {
  options.threads = run->options.parallel;
  options.position_offset = range.line_offset;
  if (acks != nullptr)
    options.on_rows_done = [acks](std::span<const int64_t> positions) { acks->DoneAll(positions); };
  // Every writer reaches every key (rows are routed by key hash): one region, the table.
  options.writer.window = run->AddWindow(run->options.parallel, "the table");
  auto writer = MakeWriter(run, client, std::move(options));
  *read_status = ReadLoop(
      run, reader, range,
      [&](const RowBatch& batch, size_t begin, size_t end) {
        Status s = writer->WriteRows(batch, begin, end);
        if (writer->failed()) run->failed.store(true);
        return s;
      },
      [&] { return writer->rows_skipped(); }, acks);
  Status closed = writer->Close();
  if (!closed.ok()) run->Fail(closed);
  *stats = writer->stats();
}

// --scatter: one reader and one writer per key range; a key never spans two ranges, so the order
// of equal keys is the input's.
void WriteScatter(ExportRun* run, ots::Client* client, const ScatterPlan& plan,
                  const ReaderOptions& reader_options, WriteThrottle* throttle,
                  ProgressSaver* saver, Status* read_status, ots::TableWriterStats* stats) {
  const size_t n = plan.ranges.size();
  std::vector<Status> range_status(n);
  std::vector<ots::TableWriterStats> range_stats(n);
  for (size_t i = 0; i < n; ++i) {
    run->AddWindow(1, "range " + std::to_string(i + 1) + " of " + std::to_string(n));
  }
  std::vector<std::thread> threads;
  for (size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      const ScatterRange& range = plan.ranges[i];
      Status s;
      Result<std::unique_ptr<BatchReader>> rd = OpenScatterRange(reader_options, plan, range);
      if (!rd.ok()) {
        s = rd.status();
      } else {
        ots::TableBatchWriter::Options options =
            WriterOptions(run->options, run->spec, (*rd)->schema(), throttle);
        options.position_offset = range.line_offset;
        AckPrefix* acks = saver != nullptr ? saver->range(i) : nullptr;
        if (acks != nullptr) {
          options.on_rows_done = [acks](std::span<const int64_t> positions) {
            acks->DoneAll(positions);
          };
        }
        options.writer.window = run->windows[i];
        auto writer = MakeWriter(run, client, std::move(options));
        s = ReadLoop(
            run, rd->get(), range,
            [&](const RowBatch& batch, size_t begin, size_t end) {
              return writer->WriteRows(batch, begin, end);
            },
            [&] { return writer->rows_skipped(); }, acks);
        Status flushed = writer->Close();
        if (s.ok()) s = flushed;
        range_stats[i] = writer->stats();
      }
      if (!s.ok() && s.code() != StatusCode::kCancelled) {
        run->Fail(s.WithContext("range " + std::to_string(i + 1) + " of " + std::to_string(n)));
      }
      range_status[i] = s;
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : range_status) {
    if (s.code() == StatusCode::kCancelled) *read_status = s;
  }
  for (const ots::TableWriterStats& s : range_stats) ots::AccumulateStats(s, stats);
}

// --scatter: a first pass over the keys decides whether the input can be cut into key ranges.
Result<std::optional<ScatterPlan>> PlanScatterIfOrdered(const ExportOptions& options,
                                                        const JobSpec& spec,
                                                        const FileTarget& input) {
  if (!options.scatter || options.dry_run || options.parallel <= 1)
    return std::optional<ScatterPlan>();
  TSB_ASSIGN_OR_RETURN(ScatterPlan plan, PlanScatter(input, spec, options.parallel));
  if (!plan.ordered) {
    if (!options.quiet) {
      log::Printf(log::Level::kWarn,
                  "export: --scatter: the input is not in primary-key order (line %" PRId64
                  "); writing with the ordinary parallel path\n",
                  plan.unordered_line);
    }
    return std::optional<ScatterPlan>();
  }
  if (!options.quiet) {
    log::Printf(log::Level::kInfo, "export: --scatter: reading %zu key ranges of %s at once\n",
                plan.ranges.size(), input.path.c_str());
  }
  return std::optional<ScatterPlan>(std::move(plan));
}

void PrintWriteStats(const ots::TableWriterStats& total, int64_t rows_skipped,
                     const JobSummary& summary) {
  // requests counts every request sent; the retries are the requests that failed as a whole
  // (refused, or unanswered within --request-timeout) and the rows sent again on their own.
  log::Printf(log::Level::kInfo,
              "export: %" PRId64 " BatchWriteRow requests, %" PRId64 " refused as a whole, %" PRId64
              " rows retried, %" PRId64 " rows read back, largest request %" PRId64
              " rows / %" PRId64 " bytes\n",
              total.requests, total.requests_failed, total.row_retries, total.rows_read_back,
              total.max_request_rows, total.max_request_bytes);
  if (rows_skipped > 0) {
    log::Printf(log::Level::kInfo, "export: %" PRId64 " rows belong to other --shard shares\n",
                rows_skipped);
  }
  if (summary.throttled > 0) {
    log::Printf(log::Level::kInfo,
                "export: the service throttled %" PRId64 " answers (%" PRId64
                " rows, all sent again); requests in flight adapted down to %.3g\n",
                summary.throttled, summary.throttled_rows, summary.in_flight_lowest);
  }
}

Status CheckOptions(const ExportOptions& options) {
  if (options.parallel < 1) return Status::InvalidArgument("--parallel must be at least 1");
  if (options.max_errors_percent > 100) {
    return Status::InvalidArgument("--max-errors: a share must be at most 100%");
  }
  return Status::OK();
}

// Opens the input with the spec's columns; a spec column the input lacks is an error.
Result<std::unique_ptr<BatchReader>> OpenInput(const ReaderOptions& reader_options,
                                               const JobSpec& spec) {
  // Opening a FIFO waits for its writer: a stop that came before would not interrupt it.
  if (StopRequested()) return Status::Cancelled("stopped by a signal");
  TSB_ASSIGN_OR_RETURN(auto reader, OpenReader(reader_options));
  for (const Field& f : spec.columns) {
    if (reader->schema().Find(f.name) < 0) {
      return Status::InvalidArgument(reader_options.path + ": the input has no column \"" + f.name +
                                     "\" that the spec names");
    }
  }
  return reader;
}

// --resume (export_resume.h): the checkpoint of this export and the progress it holds.
struct ExportResume {
  std::optional<Checkpoint> checkpoint;  // none: a dry run, a stream, --if-absent
  std::optional<ResumePayload> loaded;   // the interrupted run's progress
};

// Opens the checkpoint under --resume / --restart / neither (checkpoint.h says what each does).
// A stream cannot be read again, so it keeps none; nor does --if-absent (see the refusal).
Result<ExportResume> OpenExportCheckpoint(const ExportOptions& options, const FileTarget& input) {
  ExportResume out;
  if (options.dry_run) return out;
  const bool stream = input.path == "-" || !input.not_regular.empty();
  if (options.resume && stream) {
    return Status::InvalidArgument(
        "--resume reads the input again from where the interrupted export got to, and " +
        (input.path == "-" ? std::string("stdin is a stream")
                           : input.path + " is " + input.not_regular) +
        "; export from a regular file to resume");
  }
  if (options.resume && options.if_absent) {
    return Status::InvalidArgument(
        "--resume with --if-absent: the rows the interrupted export wrote after its last "
        "checkpoint exist now, and --if-absent would reject them; start over with --restart, or "
        "resume without --if-absent (update and put rows may be written twice, and the table "
        "ends the same)");
  }
  if (stream || options.if_absent) return out;
  const TextDialect& d = input.dialect;
  // What changes which rows are read or how they are written; --parallel and the rate caps do
  // not (a --scatter checkpoint keeps its own ranges).
  const nlohmann::json flags = {
      {"format", std::string(input.format->name)},
      {"delimiter", std::string(1, d.delimiter)},
      {"header", d.header},
      {"quote", std::string(1, d.quote)},
      {"escape", std::string(1, d.escape)},
      {"null", d.null_text},
      {"mode", options.put_mode ? "put" : "update"},
      {"nulls_delete", options.nulls_delete},
      {"shard", std::to_string(options.shard_index) + "/" + std::to_string(options.shard_count)},
      {"scatter", options.scatter},
      {"rejects", options.rejects_path}};
  CheckpointIdentity identity;
  identity.kind = "export";
  TSB_ASSIGN_OR_RETURN(identity.spec, CheckpointDigest(options.spec_path, flags));
  TSB_ASSIGN_OR_RETURN(identity.input, FingerprintInput(input.path));
  const std::string path = options.checkpoint_path.empty() ? input.path + ".tsbridge-checkpoint"
                                                           : options.checkpoint_path;
  const CheckpointMode mode = options.resume    ? CheckpointMode::kResume
                              : options.restart ? CheckpointMode::kRestart
                                                : CheckpointMode::kNone;
  TSB_ASSIGN_OR_RETURN(Checkpoint checkpoint, Checkpoint::Open(path, mode, identity, "export"));
  if (checkpoint.resumed()) {
    TSB_ASSIGN_OR_RETURN(ResumePayload loaded, ResumePayload::FromJson(checkpoint.payload()));
    out.loaded = std::move(loaded);
  }
  out.checkpoint.emplace(std::move(checkpoint));
  return out;
}

void LogResume(const ExportResume& resume, const FileTarget& input) {
  int64_t records = 0;
  for (const ResumeRange& r : resume.loaded->ranges) records += r.records;
  log::Printf(log::Level::kInfo,
              "export: resuming from %s: %" PRId64
              " records of %s were acknowledged before and are not read again\n",
              resume.checkpoint->path().c_str(), records, input.path.c_str());
}

// The ranges one run reads: the planned ones (the whole input, or --scatter's), each from where
// the acknowledged prefix of the interrupted run ends.
struct ExportRanges {
  std::optional<ScatterPlan> scatter;
  ScatterRange plain;      // without --scatter
  bool plain_at = false;   // the plain range starts at a byte or row: a reader of its own
  std::string header;      // text: the lines before the first record
  ResumePayload progress;  // where each range starts in this run (the saver's start)
  std::string text_path;   // the input, when its positions turn into byte offsets
};

Result<ExportRanges> PlanRanges(const ExportOptions& options, const JobSpec& spec,
                                const FileTarget& input, const ExportResume& resume) {
  ExportRanges out;
  const FormatDescriptor& format = input.format.descriptor();
  const bool lines = format.slicing == Slicing::kLines;
  const bool seekable = lines && input.compression == TextCompression::kNone && input.path != "-" &&
                        input.not_regular.empty();
  const int64_t first_line = 1 + (lines && input.dialect.header ? format.header_lines : 0);
  if (seekable && resume.checkpoint) {
    out.text_path = input.path;
    TSB_ASSIGN_OR_RETURN(out.header, ReadLeadingLines(input.path, format.cr_ends_line, first_line));
  }
  if (resume.loaded) {
    out.progress = *resume.loaded;
  } else {
    TSB_ASSIGN_OR_RETURN(out.scatter, PlanScatterIfOrdered(options, spec, input));
    out.progress.scatter = out.scatter.has_value();
    std::vector<ScatterRange> planned =
        out.scatter ? out.scatter->ranges : std::vector<ScatterRange>{ScatterRange{}};
    for (const ScatterRange& r : planned) {
      ResumeRange range{r.begin, r.end, r.line_offset, r.first_row, r.end_row};
      range.position = lines ? r.line_offset + first_line : std::max<int64_t>(r.first_row, 1);
      range.offset = out.scatter ? r.begin : out.header.size();
      if (!out.scatter && seekable) range.end = static_cast<uint64_t>(FileSize(input.path));
      out.progress.ranges.push_back(range);
    }
    return out;
  }
  // Resumed: each range from its first unacknowledged record, at its byte or by passing over
  // the records before it.
  std::vector<ScatterRange> ranges;
  for (const ResumeRange& r : out.progress.ranges) {
    ScatterRange s{r.begin, r.end, r.line_offset, r.first_row, r.end_row};
    if (seekable) {
      s.begin = r.offset;
      s.line_offset = r.position - first_line;
    } else {
      s.first_row = std::max(s.first_row, r.position);
    }
    ranges.push_back(s);
  }
  if (out.progress.scatter) {
    out.scatter.emplace();
    out.scatter->header = out.header;
    out.scatter->ranges = std::move(ranges);
  } else {
    out.plain = ranges.front();
    // A resumed Parquet range gets a reader that skips the row groups before its position.
    out.plain_at = seekable || (format.slicing == Slicing::kRowRanges && out.plain.first_row > 1);
    if (seekable) out.plain.end = FileSize(input.path);
  }
  return out;
}

// Writes every range (export's write phase, without --dry-run). Failures of the writers go to
// run->Fail, those of the readers to *read_status.
void WriteRanges(ExportRun* run, ots::Client* client, const ExportRanges& ranges,
                 BatchReader* reader, const ReaderOptions& reader_options,
                 const ots::TableBatchWriter::Options& writer_options, WriteThrottle* throttle,
                 ProgressSaver* saver, Status* read_status, ots::TableWriterStats* stats) {
  if (ranges.scatter) {
    WriteScatter(run, client, *ranges.scatter, reader_options, throttle, saver, read_status, stats);
    return;
  }
  AckPrefix* acks = saver != nullptr ? saver->range(0) : nullptr;
  if (!ranges.plain_at) {
    WriteParallel(run, client, reader, ranges.plain, acks, writer_options, read_status, stats);
    return;
  }
  // A resumed input: a reader of its own from the first unacknowledged record (text: at its
  // byte, numbering lines from there; Parquet: from its row group, rows numbered in the file).
  ScatterPlan at;
  at.header = ranges.header;
  Result<std::unique_ptr<BatchReader>> rd = OpenScatterRange(reader_options, at, ranges.plain);
  if (!rd.ok()) {
    *read_status = rd.status();
    return;
  }
  ScatterRange range = ranges.plain;
  if (reader_options.format->slicing == Slicing::kLines) range.first_row = 0;
  WriteParallel(run, client, rd->get(), range, acks, writer_options, read_status, stats);
}

// The end of a checkpointed run: a finished job removes its checkpoint; a stopped or failed one
// saves its progress once more, for --resume.
Status FinishCheckpoint(ExportResume* resume, ProgressSaver* saver, bool finished) {
  if (saver == nullptr) return Status::OK();
  if (!finished) return saver->StopAndSave();
  saver->Stop();
  return resume->checkpoint->Remove();
}

void SetRateCaps(const ExportOptions& options, WriteThrottle* throttle) {
  if (options.max_rows_per_sec > 0) {
    throttle->rows = std::make_unique<RateLimiter>(options.max_rows_per_sec);
  }
  if (options.max_cu_per_sec > 0) {
    throttle->cu = std::make_unique<RateLimiter>(options.max_cu_per_sec);
  }
}

// The saver of --resume's checkpoint (none for an input that keeps none); a resumed run says so.
std::unique_ptr<ProgressSaver> MakeSaver(const ExportOptions& options, const FileTarget& input,
                                         const ExportRanges& ranges, ExportResume* resume,
                                         RejectWriter* rejects, JobSummary* summary) {
  if (!resume->checkpoint) return nullptr;
  auto saver = std::make_unique<ProgressSaver>(
      ranges.progress, ranges.text_path, input.format->cr_ends_line, rejects,
      [resume](const nlohmann::json& payload) { return resume->checkpoint->Save(payload); });
  summary->resumed = resume->loaded.has_value();
  if (resume->loaded) {
    for (const ResumeRange& r : resume->loaded->ranges) summary->rows_resumed += r.records;
    if (!options.quiet) LogResume(*resume, input);
  }
  return saver;
}

void FillDryRunReport(const ExportOptions& options, const JobSpec& spec, const JobSummary& summary,
                      bool would_create, DryRunPlanner* dry, ExportDryRunReport* report) {
  *report = ExportDryRunReport{};
  report->table = spec.tablestore.table;
  report->would_create = would_create;
  report->rows_read = summary.rows_read;
  report->shard_index = options.shard_index;
  report->shard_count = options.shard_count;
  report->rows_rejected = summary.rows_rejected;
  dry->Finish(report);
}

}  // namespace

int ExportShardOf(std::string_view encoded_partition_key, int shards) {
  return ots::KeyShardOf(encoded_partition_key, shards);
}

Status RunExport(const ExportOptions& options, JobSummary* summary,
                 ExportDryRunReport* dry_run_report) {
  const auto started = std::chrono::steady_clock::now();
  TSB_RETURN_IF_ERROR(CheckOptions(options));
  JobSpecOptions spec_options;
  spec_options.require_file = options.input.empty();
  TSB_ASSIGN_OR_RETURN(JobSpec spec, LoadJobSpec(options.spec_path, spec_options));
  TSB_ASSIGN_OR_RETURN(FileTarget input,
                       ResolveInputTarget(options.input, options.format, spec.file));
  TSB_RETURN_IF_ERROR(ResolveDialect(options.dialect, spec, &input));
  // decisions 4: exit 2 before anything is read (a FIFO is not even opened).
  if (options.scatter) TSB_RETURN_IF_ERROR(CheckScatterInput(input));
  if (spec.mapping.key_columns().empty()) {
    return Status::InvalidArgument("mapping: no primary-key column (mark them with ':')");
  }
  TSB_ASSIGN_OR_RETURN(ExportResume resume, OpenExportCheckpoint(options, input));

  TSB_ASSIGN_OR_RETURN(
      auto client,
      ConnectForSpec(spec, {options.endpoint, options.parallel, options.request_timeout,
                            options.retry_deadline, options.auth,
                            // A dry run writes nothing: reading is enough.
                            options.dry_run ? AccessNeed::kNone : AccessNeed::kExport}));
  SummaryOnReturn cu_on_return(summary, started, [&](JobSummary* s) {
    const ots::ClientStats stats = client->stats();
    s->read_cu = stats.read_cu;
    s->write_cu = stats.write_cu;
    s->requests = static_cast<int64_t>(stats.requests);
    // Not below what the end of a finished run set (which adds the writer's own resends).
    s->retries = std::max(s->retries, static_cast<int64_t>(stats.retries));
  });
  bool would_create = false;
  TSB_RETURN_IF_ERROR(PrepareTable(client.get(), spec, options, &would_create).status());
  TSB_RETURN_IF_ERROR(CheckColumnsOfFirstRecords(input, spec));
  ReaderOptions reader_options = TargetReaderOptions(input);
  reader_options.columns = spec.columns;
  std::atomic<int64_t> input_bytes{0};
  reader_options.bytes_read = &input_bytes;
  TSB_ASSIGN_OR_RETURN(auto reader, OpenInput(reader_options, spec));

  RejectWriter rejects(RejectOptionsFor(options, spec, input));
  if (resume.loaded) {
    TSB_RETURN_IF_ERROR(
        rejects.ResumeFrom(resume.loaded->rejects_bytes, resume.loaded->rejects_past));
  }
  if (options.put_mode && !options.quiet && !options.dry_run) {
    log::Printf(log::Level::kWarn,
                "export: --mode put replaces whole rows: attribute columns that the spec does "
                "not map are deleted from every row written\n");
  }
  WriteThrottle throttle;
  SetRateCaps(options, &throttle);
  ots::TableBatchWriter::Options writer_options =
      WriterOptions(options, spec, reader->schema(), &throttle);
  std::optional<DryRunPlanner> dry;
  if (options.dry_run) {
    dry.emplace(writer_options, options.parallel);
    if (!would_create) TSB_RETURN_IF_ERROR(dry->LoadSplits(client.get(), spec.tablestore.table));
  }
  TSB_ASSIGN_OR_RETURN(ExportRanges ranges, PlanRanges(options, spec, input, resume));
  std::unique_ptr<ProgressSaver> saver =
      MakeSaver(options, input, ranges, &resume, &rejects, summary);

  ExportRun run(options, spec, input, RejectFieldIndex(spec, input, *reader), &rejects);
  run.dry = dry ? &*dry : nullptr;
  // The bar's total is the input's size (none for stdin or a FIFO). The readers of --scatter read
  // the file again from its start (a resumed one from its checkpoint): the first reader's
  // look-ahead is not progress.
  if (const int64_t size = FileSize(input.path); size > 0) run.progress.SetTotal(size, "bytes");
  if ((ranges.scatter || ranges.plain_at) && !dry) input_bytes.store(0);
  run.progress.SetPoll([&run, &input_bytes] { PollProgress(&run, input_bytes.load()); });
  // Runs after the threads are joined: every return below joins them first.
  SummaryOnReturn counters_on_return(summary, started, [&](JobSummary* s) {
    s->rows_read = run.rows_read.load();
    s->rows_written = run.table.rows_written.load();
    s->rows_rejected = run.rejected();
    s->bytes_written = run.table.bytes_written.load();
    if (rejects.count() > 0) {
      s->rejects_path = rejects.path();
      s->first_reject = rejects.first_reason();
    }
    if (run.stopped_for_errors.load()) s->stop = StopReason::kMaxErrors;
    run.FillThrottled(s);
  });

  Status read_status;
  ots::TableWriterStats stats;
  if (dry) {
    read_status = ReadLoop(
        &run, reader.get(), ScatterRange{},
        [&](const RowBatch& batch, size_t begin, size_t end) {
          return dry->AddRows(batch, begin, end,
                              [&](const RowBatch& b, size_t r, int64_t position,
                                  std::string_view code, std::string_view message) {
                                return run.RejectEncoded(b, r, position, code, message);
                              });
        },
        [&] { return dry->rows_skipped(); });
  } else {
    if (saver) saver->Start();
    WriteRanges(&run, client.get(), ranges, reader.get(), reader_options, writer_options, &throttle,
                saver.get(), &read_status, &stats);
  }
  run.progress.Finish();
  // A stop after the reader's last row is a stop all the same: the checkpoint stays (every row
  // acknowledged, so --resume ends at once) instead of going while the job reports a stop.
  bool finished =
      read_status.ok() && !run.failed.load() && !run.stopped_for_errors.load() && !StopRequested();
  if (Status c = FinishCheckpoint(&resume, saver.get(), finished); !c.ok()) {
    if (finished) return c;
    // The job's own failure is what the user needs; an older checkpoint still resumes.
    log::Printf(log::Level::kWarn, "export: %s\n", c.message().c_str());
  }
  TSB_RETURN_IF_ERROR(rejects.Close());
  {
    std::lock_guard<std::mutex> lock(run.mu);
    if (!run.writer_error.ok()) return run.writer_error;
  }
  if (!read_status.ok()) return read_status.WithContext(input.path);

  ots::ClientStats client_stats = client->stats();
  summary->rows_read = run.rows_read.load();
  summary->rows_written = run.table.rows_written.load();
  summary->rows_rejected = run.rejected();
  summary->bytes_read = FileSize(input.path);
  summary->bytes_written = run.table.bytes_written.load();
  run.FillThrottled(summary);
  summary->read_cu = client_stats.read_cu;
  summary->write_cu = client_stats.write_cu;
  summary->requests = static_cast<int64_t>(client_stats.requests);
  summary->retries = static_cast<int64_t>(client_stats.retries) + stats.requests_retried;
  summary->rows_retried = stats.row_retries;
  summary->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (dry) {
    if (dry_run_report != nullptr) {
      FillDryRunReport(options, spec, *summary, would_create, &*dry, dry_run_report);
    }
    return Status::OK();
  }
  if (!options.quiet) PrintWriteStats(stats, run.rows_skipped.load(), *summary);
  if (summary->rows_read != summary->rows_written + summary->rows_rejected) {
    return Status::Internal("rows read (" + std::to_string(summary->rows_read) +
                            ") != rows written (" + std::to_string(summary->rows_written) +
                            ") + rows rejected (" + std::to_string(summary->rows_rejected) + ")");
  }
  if (StopRequested()) return Status::Cancelled("stopped by a signal");
  return Status::OK();
}

}  // namespace tsb::jobs
