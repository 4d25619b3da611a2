#include "jobs/import_job.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/crypto.h"
#include "core/ordered_runner.h"
#include "core/predicate.h"
#include "core/scan_plan.h"
#include "core/value_text.h"
#include "formats/format.h"
#include "tablestore/core_bridge.h"
#include "tablestore/plainbuffer.h"

namespace tsb::jobs {

namespace {

// DuckDB's default row group (122,880 rows): what dataset readers expect, and the bound on what
// the Parquet writer buffers.
constexpr int64_t kParquetRowGroupRows = 122880;

struct OutputTarget {
  std::string path;  // file, "-", or directory (with the trailing '/')
  bool directory = false;
  FileFormat format = FileFormat::kCsv;
  TextCompression compression = TextCompression::kNone;
};

std::string FormatExtension(const OutputTarget& t) {
  std::string ext = t.format == FileFormat::kParquet ? ".parquet"
                    : t.format == FileFormat::kCsv   ? ".csv"
                                                     : ".jsonl";
  if (t.compression == TextCompression::kGzip) ext += ".gz";
  if (t.compression == TextCompression::kZstd) ext += ".zst";
  return ext;
}

TextCompression CompressionFromSpec(const std::string& name) {
  if (name == "gzip") return TextCompression::kGzip;
  if (name == "zstd") return TextCompression::kZstd;
  return TextCompression::kNone;
}

// The compression that a file name's last extension asks for (.gz, .zst; any case).
TextCompression CompressionFromName(const std::string& path) {
  auto ends_with = [&](std::string_view ext) {
    if (path.size() < ext.size()) return false;
    for (size_t i = 0; i < ext.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(path[path.size() - ext.size() + i])) != ext[i]) {
        return false;
      }
    }
    return true;
  };
  if (ends_with(".gz")) return TextCompression::kGzip;
  if (ends_with(".zst")) return TextCompression::kZstd;
  return TextCompression::kNone;
}

Result<OutputTarget> ResolveOutput(const ImportOptions& options, const JobSpec& spec) {
  OutputTarget t;
  t.path = options.output.empty() ? spec.file->path : options.output;
  t.directory = !t.path.empty() && t.path.back() == '/';
  const bool plain_file = !t.directory && t.path != "-";
  std::error_code ec;
  if (plain_file && std::filesystem::is_directory(t.path, ec)) {
    return Status::InvalidArgument("--output " + t.path + " is a directory; write " + t.path +
                                   "/ for one part file per split");
  }
  if (!options.format.empty()) {
    TSB_ASSIGN_OR_RETURN(t.format, ParseFormatName(options.format));
    t.compression = plain_file ? CompressionFromName(t.path) : TextCompression::kNone;
  } else if (plain_file && FormatFromPath(t.path, &t.compression).ok()) {
    TSB_ASSIGN_OR_RETURN(t.format, FormatFromPath(t.path, &t.compression));
  } else if (spec.file.has_value()) {
    TSB_ASSIGN_OR_RETURN(t.format, ParseFormatName(spec.file->format));
    t.compression = CompressionFromSpec(spec.file->compression);
  } else {
    return Status::InvalidArgument("--output " + t.path +
                                   ": cannot tell the format; give --format parquet|csv|jsonl");
  }
  if (t.format == FileFormat::kParquet && t.compression != TextCompression::kNone) {
    return Status::InvalidArgument(t.path + ": Parquet files are compressed inside; drop .gz/.zst");
  }
  return t;
}

std::string DefaultRejectsPath(const OutputTarget& t) {
  if (t.directory) return t.path + "_rejects.jsonl";
  if (t.path == "-") return "-";
  std::string stem = t.path;
  for (std::string_view ext : {".gz", ".zst"}) {
    if (stem.size() > ext.size() && stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0) {
      stem.resize(stem.size() - ext.size());
    }
  }
  size_t slash = stem.find_last_of('/');
  size_t dot = stem.find_last_of('.');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) stem.resize(dot);
  return stem + ".rejects.jsonl";
}

// The reject file of an import: one JSON object per row whose stored value does not fit its
// column (decisions 3). Opened on the first reject; shared by the scanners.
class RejectSink {
 public:
  explicit RejectSink(std::string path) : path_(std::move(path)) {}
  ~RejectSink() {
    if (file_ != nullptr && file_ != stderr) std::fclose(file_);
  }
  Status Write(const std::string& line) {
    std::lock_guard<std::mutex> lock(mu_);
    if (file_ == nullptr) {
      file_ = path_ == "-" ? stderr : std::fopen(path_.c_str(), "wb");
      if (file_ == nullptr) return Status::IOError(path_ + ": cannot create the reject file");
    }
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() ||
        std::fputc('\n', file_) == EOF) {
      return Status::IOError(path_ + ": cannot write the reject file");
    }
    ++count_;
    return Status::OK();
  }
  Status Close() {
    std::lock_guard<std::mutex> lock(mu_);
    if (file_ != nullptr && file_ != stderr && std::fclose(file_) != 0) {
      file_ = nullptr;
      return Status::IOError(path_ + ": cannot write the reject file");
    }
    if (file_ == stderr) std::fflush(stderr);
    file_ = nullptr;
    return Status::OK();
  }
  int64_t count() const { return count_.load(); }

 private:
  std::string path_;
  std::mutex mu_;
  std::FILE* file_ = nullptr;
  std::atomic<int64_t> count_{0};
};

nlohmann::ordered_json ValueJson(const OtsValueRef& v) {
  switch (v.type) {
    case OtsType::kInteger: return v.i;
    case OtsType::kDouble: return v.d;
    case OtsType::kBoolean: return v.b;
    case OtsType::kString:
      if (ValidateUtf8(v.bytes)) return std::string(v.bytes);
      [[fallthrough]];
    case OtsType::kBinary: return nlohmann::ordered_json{{"base64", Base64Encode(v.bytes)}};
  }
  return nullptr;
}

uint64_t Fnv1a(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

struct ScanTask {
  std::vector<KeyBound> start;
  std::vector<KeyBound> end;
  // The number of its part file under --output DIR/: the task's position, or with --shard a
  // number unique across the shares (so that the hosts of a sharded import can share a directory),
  // ascending in key order either way.
  size_t part_number = 0;
};

// The splits of the scan: ComputeSplitPointsBySize at the fixed target (decisions 4), asked again
// with smaller targets for a full-table scan that gets fewer splits than scanners, the --shard
// share, then clipped to the plan's key ranges.
Result<std::vector<ScanTask>> PlanTasks(ots::Client* client, const std::string& table,
                                        const ScanPlan& plan, const ImportOptions& options,
                                        std::string* fingerprint) {
  ots::ComputeSplitsRequest request;
  request.table = table;
  request.split_size = 256;
  request.split_size_unit_bytes =
      options.split_unit_bytes_for_test > 0 ? options.split_unit_bytes_for_test : 1 << 20;
  ots::ComputeSplitsResult result;
  TSB_RETURN_IF_ERROR(client->ComputeSplitPointsBySize(request, &result));
  uint64_t h = 1469598103934665603ull;
  std::string encoded;
  for (const ots::Row& point : result.split_points) {
    encoded.clear();
    ots::EncodePrimaryKey(point.primary_key, &encoded);
    h = Fnv1a(h, encoded);
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016" PRIx64, h);
  *fingerprint = hex;

  auto to_bounds = [](const ots::ComputeSplitsResult& r) {
    std::vector<ScanTask> splits;
    for (const ots::KeyRange& s : r.splits) {
      splits.push_back(ScanTask{ots::FromWireKey(s.start), ots::FromWireKey(s.end)});
    }
    return splits;
  };
  std::vector<ScanTask> splits = to_bounds(result);

  size_t first_split = 0;         // the global index of splits[0]
  const size_t all_splits = splits.size();
  if (options.shard_count > 0) {
    const size_t n = splits.size();
    const size_t k = static_cast<size_t>(options.shard_index - 1);
    const size_t count = static_cast<size_t>(options.shard_count);
    size_t begin = n * k / count;
    size_t end = n * (k + 1) / count;
    splits = std::vector<ScanTask>(splits.begin() + begin, splits.begin() + end);
    first_split = begin;
  } else if (plan.IsFullTable() && splits.size() < static_cast<size_t>(options.parallel) &&
             !(options.limit > 0 && !plan.residue)) {
    // (A --limit without a local residue is served by the first rows of the first split: more,
    // smaller splits would only cost split calls and scanners reading rows nobody writes.)
    for (int64_t target : {64, 16, 4, 1}) {
      request.split_size = target;
      ots::ComputeSplitsResult smaller;
      TSB_RETURN_IF_ERROR(client->ComputeSplitPointsBySize(request, &smaller));
      splits = to_bounds(smaller);
      if (splits.size() >= static_cast<size_t>(options.parallel)) break;
    }
  }

  std::vector<ScanTask> tasks;
  for (size_t r = 0; r < plan.ranges.size(); ++r) {
    const KeyRange& range = plan.ranges[r];
    for (size_t i = 0; i < splits.size(); ++i) {
      const ScanTask& split = splits[i];
      const auto& lo = CompareKeyTuples(range.start, split.start) >= 0 ? range.start : split.start;
      const auto& hi = CompareKeyTuples(range.end, split.end) <= 0 ? range.end : split.end;
      if (CompareKeyTuples(lo, hi) >= 0) continue;
      const size_t number = options.shard_count > 0 ? r * all_splits + first_split + i
                                                    : tasks.size();
      tasks.push_back(ScanTask{lo, hi, number});
    }
  }
  return tasks;
}

// Turns GetRange rows into RowBatch rows of the spec's columns.
class RowConverter {
 public:
  RowConverter(const JobSpec& spec, const std::vector<std::string>& key_names)
      : spec_(spec), key_names_(key_names) {
    const auto& entries = spec.mapping.columns();
    key_position_.assign(entries.size(), -1);
    const auto& keys = spec.mapping.key_columns();
    for (size_t k = 0; k < keys.size(); ++k) key_position_[keys[k]] = static_cast<int>(k);
    for (int c : spec.mapping.attribute_columns()) attributes_.push_back(c);
    values_.resize(entries.size());
    present_.resize(entries.size());
  }

  // Appends `row` to `batch`, or writes its reject record and returns false.
  Result<bool> Convert(const ots::Row& row, RowBatch* batch, RejectSink* rejects) {
    const auto& entries = spec_.mapping.columns();
    std::fill(present_.begin(), present_.end(), false);
    for (size_t c = 0; c < entries.size(); ++c) {
      int k = key_position_[c];
      if (k >= 0 && static_cast<size_t>(k) < row.primary_key.size() &&
          row.primary_key[k].value.has_value()) {
        TSB_RETURN_IF_ERROR(Fill(c, *row.primary_key[k].value, row, rejects));
        if (!present_[c] && reject_pending_) return Reject(row, rejects);
      }
    }
    for (const ots::Cell& cell : row.attributes) {
      for (int c : attributes_) {
        if (!present_[c] && entries[c].ots_name == cell.name && cell.value.has_value()) {
          TSB_RETURN_IF_ERROR(Fill(c, *cell.value, row, rejects));
          if (reject_pending_) return Reject(row, rejects);
          break;
        }
      }
    }
    for (size_t c = 0; c < entries.size(); ++c) {
      Column& column = batch->column(c);
      if (present_[c]) {
        AppendConverted(values_[c], &column);
      } else {
        column.AppendNull();
      }
    }
    batch->CommitRow();
    return true;
  }

 private:
  Status Fill(size_t c, const ots::Value& value, const ots::Row& row, RejectSink* rejects) {
    (void)row;
    (void)rejects;
    OtsValueRef ref;
    if (!ots::FromWireValue(value, &ref)) {
      reject_pending_ = true;
      reject_column_ = c;
      reject_stored_ = "UNKNOWN";
      reject_reason_ = "the stored value has no data type";
      return Status::OK();
    }
    Status s = ConvertOtsValue(ref, spec_.columns[c].type, &values_[c]);
    if (!s.ok()) {
      reject_pending_ = true;
      reject_column_ = c;
      reject_stored_ = std::string(OtsTypeName(ref.type));
      reject_reason_ = s.message();
      return Status::OK();
    }
    present_[c] = true;
    return Status::OK();
  }

  Result<bool> Reject(const ots::Row& row, RejectSink* rejects) {
    reject_pending_ = false;
    nlohmann::ordered_json key = nlohmann::ordered_json::object();
    for (size_t k = 0; k < row.primary_key.size(); ++k) {
      OtsValueRef ref;
      std::string name(row.primary_key[k].name);
      if (row.primary_key[k].value && ots::FromWireValue(*row.primary_key[k].value, &ref)) {
        key[name] = ValueJson(ref);
      } else {
        key[name] = nullptr;
      }
    }
    nlohmann::ordered_json record;
    record["primary_key"] = std::move(key);
    record["column"] = spec_.columns[reject_column_].name;
    record["stored_type"] = reject_stored_;
    record["expected_type"] = spec_.columns[reject_column_].type.ToString();
    record["reason"] = reject_reason_;
    TSB_RETURN_IF_ERROR(rejects->Write(record.dump(-1, ' ', false,
                                                   nlohmann::json::error_handler_t::replace)));
    return false;
  }

  const JobSpec& spec_;
  const std::vector<std::string>& key_names_;
  std::vector<int> key_position_;
  std::vector<int> attributes_;
  std::vector<ConvertedValue> values_;
  std::vector<bool> present_;
  bool reject_pending_ = false;
  size_t reject_column_ = 0;
  std::string reject_stored_;
  std::string reject_reason_;
};

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

int64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

// Parquet to stdout: the footer comes last and the writer wants a file, so the file is written
// under a temporary name and copied to stdout once complete. The file is removed in every case.
class StdoutSpool {
 public:
  StdoutSpool() = default;
  StdoutSpool(const StdoutSpool&) = delete;
  StdoutSpool& operator=(const StdoutSpool&) = delete;
  ~StdoutSpool() {
    if (!path_.empty()) std::remove(path_.c_str());
  }

  Result<std::string> Create() {
    const char* dir = std::getenv("TMPDIR");
    std::string templ = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") +
                        "/tsbridge-import-XXXXXX";
    std::vector<char> name(templ.begin(), templ.end());
    name.push_back('\0');
    int fd = mkstemp(name.data());
    if (fd < 0) return Status::IOError(templ + ": cannot create a temporary file for stdout");
    close(fd);
    path_ = name.data();
    return path_;
  }

  // Copies the finished file to stdout; *bytes is its size.
  Status CopyToStdout(int64_t* bytes) {
    std::FILE* in = std::fopen(path_.c_str(), "rb");
    if (in == nullptr) return Status::IOError(path_ + ": cannot read the temporary file");
    std::vector<char> buffer(1 << 20);
    *bytes = 0;
    size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), in)) > 0) {
      if (std::fwrite(buffer.data(), 1, n, stdout) != n) {
        std::fclose(in);
        return Status::IOError("stdout: write failed");
      }
      *bytes += static_cast<int64_t>(n);
    }
    const bool read_error = std::ferror(in) != 0;
    std::fclose(in);
    if (read_error) return Status::IOError(path_ + ": cannot read the temporary file");
    if (std::fflush(stdout) != 0) return Status::IOError("stdout: write failed");
    return Status::OK();
  }

 private:
  std::string path_;
};

}  // namespace

Status RunImport(const ImportOptions& options, JobSummary* summary) {
  const auto started = std::chrono::steady_clock::now();
  if (options.parallel < 1) return Status::InvalidArgument("--parallel must be at least 1");

  JobSpecOptions spec_options;
  spec_options.require_file = options.output.empty() && !options.explain;
  TSB_ASSIGN_OR_RETURN(JobSpec spec, LoadJobSpec(options.spec_path, spec_options));
  OutputTarget target;
  if (!options.explain) {
    TSB_ASSIGN_OR_RETURN(target, ResolveOutput(options, spec));
  }
  std::optional<Predicate> where;
  if (!options.where.empty()) {
    TSB_ASSIGN_OR_RETURN(Predicate parsed, Predicate::Parse(options.where, spec.columns));
    where.emplace(std::move(parsed));
  }

  TSB_ASSIGN_OR_RETURN(auto client, ConnectForSpec(spec, {options.endpoint, options.parallel}));
  TSB_ASSIGN_OR_RETURN(ots::TableDescription table, DescribeAndCheck(client.get(), spec));
  TSB_ASSIGN_OR_RETURN(ScanPlan plan,
                       PlanScan(where ? &*where : nullptr, spec.columns, spec.mapping));
  if (options.explain) {
    std::string text = plan.Explain();
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (text.empty() || text.back() != '\n') std::fputc('\n', stdout);
    return Status::OK();
  }

  std::string fingerprint;
  std::vector<ScanTask> tasks;
  if (!plan.empty()) {
    TSB_ASSIGN_OR_RETURN(tasks, PlanTasks(client.get(), spec.tablestore.table, plan, options,
                                          &fingerprint));
  }

  auto schema = std::make_shared<const Schema>(spec.schema());
  std::vector<std::string> key_names = plan.key_names;
  std::vector<std::string> columns_to_get;
  for (int c : spec.mapping.attribute_columns()) {
    columns_to_get.push_back(spec.mapping.columns()[c].ots_name);
  }
  // Asking for the key columns alone returns rows with no attributes.
  if (columns_to_get.empty()) columns_to_get = key_names;
  std::optional<ots::ColumnFilter> server_filter;
  if (plan.filter) server_filter = ots::ToWireFilter(*plan.filter);

  RejectSink rejects(options.rejects_path.empty() ? DefaultRejectsPath(target)
                                                   : options.rejects_path);
  std::atomic<int64_t> rows_read{0};
  std::atomic<int64_t> bytes_read{0};
  // Without a residue a scanner never needs more rows than the limit.
  const int64_t scan_cap = plan.residue ? 0 : options.limit;

  WriterOptions writer_options;
  writer_options.format = target.format;
  writer_options.compression = target.compression;
  if (target.directory) {
    std::error_code ec;
    std::filesystem::create_directories(target.path, ec);
    if (ec) return Status::IOError(target.path + ": cannot create the directory: " + ec.message());
  }

  // Row groups of DuckDB's default size: the writer holds one row group's encoded pages, so this
  // bounds its memory whatever the table size.
  writer_options.row_group_rows = kParquetRowGroupRows;
  StdoutSpool spool;
  const bool spool_stdout = target.path == "-" && target.format == FileFormat::kParquet;

  std::unique_ptr<BatchWriter> single;
  if (!target.directory) {
    writer_options.path = target.path;
    if (spool_stdout) {
      TSB_ASSIGN_OR_RETURN(writer_options.path, spool.Create());
    }
    TSB_ASSIGN_OR_RETURN(single, OpenWriter(*schema, writer_options));
  }
  std::unique_ptr<BatchWriter> part;
  std::vector<std::string> part_paths;
  auto part_path = [&](size_t index) {
    char name[32];
    std::snprintf(name, sizeof(name), "part-%05zu", tasks[index].part_number);
    return target.path + name + FormatExtension(target);
  };

  Progress progress("import", !options.quiet);
  int64_t written = 0;
  bool limit_reached = false;              // the writer's own view
  std::atomic<bool> limit_hit{false};       // what the scanners poll between pages

  OrderedRunnerOptions runner_options;
  runner_options.parallel = options.parallel;
  runner_options.window = options.parallel * 2;
  runner_options.memory_per_task = options.memory_per_split;
  if (!target.directory && target.path != "-") {
    std::string dir = std::filesystem::path(target.path).parent_path().string();
    runner_options.spill_dir = dir.empty() ? "." : dir;
  } else if (target.directory) {
    runner_options.spill_dir = target.path;
  }
  OrderedRunner runner(runner_options);

  auto scan = [&](size_t index, const OrderedRunner::Emit& emit) -> Status {
    const ScanTask& task = tasks[index];
    ots::GetRangeRequest request;
    request.table = spec.tablestore.table;
    request.inclusive_start = ots::ToWireKey(task.start, key_names);
    request.exclusive_end = ots::ToWireKey(task.end, key_names);
    request.read.columns_to_get = columns_to_get;
    request.read.max_versions = 1;
    request.read.filter = server_filter;

    RowConverter converter(spec, key_names);
    RowBatch batch(schema);
    RowBatch scratch(schema);
    std::vector<uint32_t> selected;
    std::optional<PredicateEvaluator> evaluator;
    if (plan.residue) evaluator.emplace(&*plan.residue);

    auto flush = [&]() -> Status {
      if (evaluator) TSB_RETURN_IF_ERROR(ApplyResidue(&*evaluator, &batch, &scratch, &selected));
      return emit(&batch);
    };
    Status s = client->GetRangeAll(
        request,
        [&](const ots::GetRangeResult& page) -> Status {
          if (StopRequested()) return Status::Cancelled("stopped by a signal");
          if (limit_hit.load(std::memory_order_relaxed)) return Status::Cancelled("limit reached");
          rows_read += static_cast<int64_t>(page.rows.size());
          bytes_read += static_cast<int64_t>(page.response_bytes);
          for (const ots::Row& row : page.rows) {
            TSB_ASSIGN_OR_RETURN(bool kept, converter.Convert(row, &batch, &rejects));
            (void)kept;
            if (batch.full()) TSB_RETURN_IF_ERROR(flush());
          }
          if (options.max_errors >= 0 && rejects.count() > options.max_errors) {
            return Status::Cancelled("max-errors");
          }
          // With --limit, hand over each page's rows at once so that the writer can tell every
          // scanner to stop as soon as it has enough (a residue may keep few rows per page).
          if (options.limit > 0) {
            TSB_RETURN_IF_ERROR(flush());
            if (limit_hit.load(std::memory_order_relaxed)) return Status::Cancelled("limit reached");
          }
          return Status::OK();
        },
        scan_cap);
    TSB_RETURN_IF_ERROR(s);
    return flush();
  };

  auto consume = [&](size_t index, const RowBatch& batch) -> Status {
    if (target.directory && part == nullptr) {
      writer_options.path = part_path(index);
      TSB_ASSIGN_OR_RETURN(part, OpenWriter(*schema, writer_options));
    }
    BatchWriter* writer = target.directory ? part.get() : single.get();
    if (options.limit > 0 && written + static_cast<int64_t>(batch.num_rows()) > options.limit) {
      RowBatch head(schema, static_cast<size_t>(options.limit - written));
      for (size_t r = 0; written + static_cast<int64_t>(r) < options.limit; ++r) {
        head.AppendRow(batch, r);
      }
      TSB_RETURN_IF_ERROR(writer->Write(head));
      written = options.limit;
    } else {
      TSB_RETURN_IF_ERROR(writer->Write(batch));
      written += static_cast<int64_t>(batch.num_rows());
    }
    progress.Update(written, bytes_read.load());
    if (options.limit > 0 && written >= options.limit) {
      limit_reached = true;
      limit_hit.store(true, std::memory_order_relaxed);
      return Status::Cancelled("limit reached");
    }
    return Status::OK();
  };

  auto split_done = [&](size_t index) -> Status {
    if (!target.directory) return Status::OK();
    if (part == nullptr) {
      writer_options.path = part_path(index);
      TSB_ASSIGN_OR_RETURN(part, OpenWriter(*schema, writer_options));
    }
    TSB_RETURN_IF_ERROR(part->Close());
    part_paths.push_back(writer_options.path);
    part.reset();
    return Status::OK();
  };

  Status run = runner.Run(
      tasks.size(), [&] { return RowBatch(schema); }, scan, consume, split_done);
  progress.Finish();
  const bool max_errors_hit = options.max_errors >= 0 && rejects.count() > options.max_errors;
  if (!run.ok() && !(limit_reached && run.code() == StatusCode::kCancelled) && !max_errors_hit) {
    // The writers are dropped unclosed, which leaves nothing under their final names; part files
    // that were already complete go too, so a failed import leaves no partial output.
    for (const std::string& p : part_paths) std::remove(p.c_str());
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
  TSB_RETURN_IF_ERROR(rejects.Close());

  ots::ClientStats stats = client->stats();
  summary->rows_read = rows_read.load();
  summary->rows_written = written;
  summary->rows_rejected = rejects.count();
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
  summary->split_fingerprint = fingerprint;
  summary->splits = static_cast<int64_t>(tasks.size());
  summary->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return Status::OK();
}

}  // namespace tsb::jobs
