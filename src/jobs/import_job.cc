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
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/log.h"
#include "core/crypto.h"
#include "core/ordered_runner.h"
#include "core/predicate.h"
#include "core/scan_plan.h"
#include "core/text_io.h"
#include "core/value_text.h"
#include "formats/format.h"
#include "formats/jsonl/jsonl.h"
#include "tablestore/core_bridge.h"
#include "tsbridge/tablestore/limits.h"
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

const char* FormatName(FileFormat f) {
  return f == FileFormat::kParquet ? "parquet" : f == FileFormat::kCsv ? "csv" : "jsonl";
}

// The format that a file name's extension names, .gz / .zst aside (any case); none for other
// names (x.txt, x.dat, x).
std::optional<FileFormat> NamedFormat(const std::string& path) {
  std::string p = path;
  std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return std::tolower(c); });
  auto strip = [&](std::string_view ext) {
    if (p.size() > ext.size() && p.compare(p.size() - ext.size(), ext.size(), ext) == 0) {
      p.resize(p.size() - ext.size());
      return true;
    }
    return false;
  };
  if (!strip(".gz")) strip(".zst");
  if (strip(".csv")) return FileFormat::kCsv;
  if (strip(".jsonl") || strip(".ndjson")) return FileFormat::kJsonl;
  if (strip(".parquet")) return FileFormat::kParquet;
  return std::nullopt;
}

// The output: where, which format, text compression. A name whose extension names a format must
// agree with --format when both are given; an unknown extension needs --format (or is the spec's
// own file.path, whose file.format the spec parser already required). Parquet compresses inside
// the file, so .parquet.gz / .parquet.zst are refused with the flag that does what was meant.
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
  const std::optional<FileFormat> named =
      plain_file ? NamedFormat(t.path) : std::optional<FileFormat>();
  const TextCompression name_compression =
      plain_file ? CompressionFromName(t.path) : TextCompression::kNone;
  if (!options.format.empty()) {
    TSB_ASSIGN_OR_RETURN(t.format, ParseFormatName(options.format));
    if (named && *named != t.format) {
      return Status::InvalidArgument("--output " + t.path + ": the name says " +
                                     FormatName(*named) + " but --format is " +
                                     FormatName(t.format) + "; rename the output or drop --format");
    }
    t.compression = name_compression;
  } else if (named) {
    t.format = *named;
    t.compression = name_compression;
  } else if (plain_file && !options.output.empty()) {
    return Status::InvalidArgument(
        "--output " + t.path +
        ": cannot tell the format from the name; expected .parquet, .csv or .jsonl (text ones "
        "optionally .gz or .zst), or give --format parquet|csv|jsonl");
  } else if (spec.file.has_value()) {
    TSB_ASSIGN_OR_RETURN(t.format, ParseFormatName(spec.file->format));
    t.compression = CompressionFromSpec(spec.file->compression);
  } else {
    return Status::InvalidArgument("--output " + t.path +
                                   ": cannot tell the format; give --format parquet|csv|jsonl");
  }
  if (t.format == FileFormat::kParquet && t.compression != TextCompression::kNone) {
    const char* codec = t.compression == TextCompression::kGzip ? "gzip" : "zstd";
    return Status::InvalidArgument(
        "--output " + t.path + ": a Parquet file compresses its pages inside and is never " +
        "compressed as a whole; name it .parquet and use --compression " + codec);
  }
  return t;
}

Result<ParquetCompression> ParquetCodec(std::string name, const std::string& where) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (name.empty() || name == "snappy") return ParquetCompression::kSnappy;
  if (name == "zstd") return ParquetCompression::kZstd;
  if (name == "gzip") return ParquetCompression::kGzip;
  if (name == "lz4_raw") return ParquetCompression::kLz4Raw;
  if (name == "brotli") return ParquetCompression::kBrotli;
  if (name == "none") return ParquetCompression::kUncompressed;
  std::string list;
  for (std::string_view n : kParquetCodecNames) list += (list.empty() ? "" : ", ") + std::string(n);
  return Status::InvalidArgument(where + ": unknown Parquet codec \"" + name +
                                 "\"; expected one of " + list);
}

// --compression / --row-group-rows, else the spec's file.compression / file.row_group_rows (when
// the output is the spec's Parquet file or another Parquet file), else snappy and 122,880 rows.
Status ResolveParquetSettings(const ImportOptions& options, const JobSpec& spec,
                              const OutputTarget& target, WriterOptions* writer) {
  const bool parquet = target.format == FileFormat::kParquet;
  if (!parquet && (!options.parquet_compression.empty() || options.row_group_rows != 0)) {
    return Status::InvalidArgument(
        std::string(!options.parquet_compression.empty() ? "--compression" : "--row-group-rows") +
        " sets up Parquet output, and this output is " + FormatName(target.format) +
        " (text is compressed by a .gz or .zst name)");
  }
  if (options.row_group_rows < 0 || options.row_group_rows > INT32_MAX) {
    return Status::InvalidArgument(
        "--row-group-rows: expected a number of rows from 1 to 2147483647");
  }
  const bool spec_parquet = spec.file.has_value() && spec.file->format == "parquet";
  if (!options.parquet_compression.empty()) {
    TSB_ASSIGN_OR_RETURN(writer->parquet_compression,
                         ParquetCodec(options.parquet_compression, "--compression"));
  } else {
    TSB_ASSIGN_OR_RETURN(
        writer->parquet_compression,
        ParquetCodec(spec_parquet ? spec.file->parquet_codec : "", "file.compression"));
  }
  writer->row_group_rows = options.row_group_rows > 0 ? options.row_group_rows
                           : spec_parquet && spec.file->row_group_rows > 0
                               ? spec.file->row_group_rows
                               : kParquetRowGroupRows;
  return Status::OK();
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

// Whether `name`, an entry of an output directory, is a file that an import writes there: a part
// file, the reject file, the _SUCCESS marker, a spill file, or the temporary of one of them.
bool IsOwnEntry(const std::string& name) {
  if (IsTemporaryName(name)) {
    const std::string final_name = name.substr(1, name.find(".tmp-", 1) - 1);
    return !IsTemporaryName(final_name) && IsOwnEntry(final_name);
  }
  return name.rfind("part-", 0) == 0 || name == "_rejects.jsonl" || name == "_SUCCESS" ||
         name.rfind(".tsbridge-spill-", 0) == 0;
}

std::string ListNames(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < 3; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > 3) text += " and " + std::to_string(names.size() - 3) + " more";
  return text;
}

// Makes `dir` (ending in '/') ready for an import's part files (decisions 11, output
// directories): absent (created) or empty, apart from stale temporaries of a killed run, which
// go. A directory holding earlier output is refused unless `overwrite`, which removes only our
// own files and still refuses when anything else is there. With --shard, the hosts share the
// directory: `share_parts` are this share's part files, and the other shares' part files, the
// shared _rejects.jsonl and _SUCCESS stay untouched. With `apply` false it only checks (and
// removes stale temporaries), so that a refusal comes before any request.
Status PrepareOutputDirectory(const std::string& dir, bool overwrite, bool sharded,
                              const std::vector<std::string>& share_parts, bool apply) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  if (!fs::exists(status)) {
    if (!apply) return Status::OK();
    fs::create_directories(dir, ec);
    if (ec) return Status::IOError(dir + ": cannot create the directory: " + ec.message());
    return Status::OK();
  }
  if (!fs::is_directory(status)) {
    return Status::InvalidArgument("--output " + dir + ": exists and is not a directory");
  }
  auto ours_in_this_share = [&](const std::string& name) {
    if (!sharded) return IsOwnEntry(name);
    std::string final_name = name;
    if (IsTemporaryName(name)) final_name = name.substr(1, name.find(".tmp-", 1) - 1);
    return std::find(share_parts.begin(), share_parts.end(), final_name) != share_parts.end();
  };
  auto list = [&](std::vector<std::string>* own, std::vector<std::string>* foreign) -> Status {
    own->clear();
    foreign->clear();
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      std::error_code type_ec;
      const bool plain = it->is_regular_file(type_ec) && !it->is_symlink(type_ec);
      if (plain && ours_in_this_share(name)) {
        own->push_back(name);
      } else if (!(plain && sharded && IsOwnEntry(name))) {  // another share's: left alone
        foreign->push_back(name);
      }
    }
    if (ec) return Status::IOError(dir + ": cannot list the directory: " + ec.message());
    std::sort(own->begin(), own->end());
    std::sort(foreign->begin(), foreign->end());
    return Status::OK();
  };
  std::vector<std::string> own, foreign;
  TSB_RETURN_IF_ERROR(list(&own, &foreign));
  // Temporaries whose writer is gone are debris, removed without being asked.
  bool removed = false;
  for (const std::string& name : own) {
    if (IsTemporaryName(name)) {
      removed |= RemoveStaleTemporaries(dir + name.substr(1, name.find(".tmp-", 1) - 1)) > 0;
    }
  }
  if (removed) TSB_RETURN_IF_ERROR(list(&own, &foreign));
  if (!overwrite && !(own.empty() && foreign.empty())) {
    std::vector<std::string> all = own;
    all.insert(all.end(), foreign.begin(), foreign.end());
    std::sort(all.begin(), all.end());
    return Status::InvalidArgument(
        "--output " + dir + " is not empty: it holds " + ListNames(all) +
        "; give a new or empty directory, or --overwrite to replace an earlier import's files");
  }
  if (!foreign.empty()) {
    return Status::InvalidArgument(
        "--output " + dir + " holds files that tsbridge did not write: " + ListNames(foreign) +
        "; --overwrite removes only part-*, _rejects.jsonl, _SUCCESS and temporary files, so "
        "move them away or choose another directory");
  }
  for (size_t i = 0; apply && i < own.size(); ++i) {
    const std::string& name = own[i];
    if (::unlink((dir + name).c_str()) != 0 && errno != ENOENT) {
      return Status::IOError(dir + name + ": cannot remove: " + std::strerror(errno));
    }
  }
  return Status::OK();
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
    if (count_ == 0) first_line_ = line;
    ++count_;
    return Status::OK();
  }
  // The first record, as "primary key {...}: column "c" (stored STRING, expected bigint): reason",
  // for the message of exit 3; empty before any.
  std::string FirstReason() const {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_line_.empty()) return "";
    auto j = nlohmann::json::parse(first_line_, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return first_line_;
    return "primary key " + j.value("primary_key", nlohmann::json::object()).dump() +
           ": column \"" + j.value("column", "") + "\" (stored " + j.value("stored_type", "") +
           ", expected " + j.value("expected_type", "") + "): " + j.value("reason", "");
  }
  const std::string& path() const { return path_; }
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
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;
  std::atomic<int64_t> count_{0};
  std::string first_line_;  // guarded by mu_
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

// One reject record (decisions 3): the row's primary key, the spec column, the stored and the
// expected type, the reason; with --versions also the cell version's `timestamp`.
std::string RejectLine(const ots::Row& row, const Field& column, const std::string& stored,
                       const std::string& reason, std::optional<int64_t> timestamp) {
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
  record["column"] = column.name;
  if (timestamp) record["timestamp"] = *timestamp;
  record["stored_type"] = stored;
  record["expected_type"] = column.type.ToString();
  record["reason"] = reason;
  return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
    if (splits.empty() && !options.quiet) {
      // Shares are whole splits of 256 MiB (decisions 4), so that every host computes the same
      // ones; a table of fewer splits than shares leaves some shares empty.
      log::Printf(log::Level::kWarn,
                   "import: share %d/%d has no split and reads nothing: the table is estimated "
                   "at under %zu MiB (%zu split%s of 256 MiB), and --shard K/%d pays only from "
                   "%d x 256 MiB = %d MiB up\n",
                   options.shard_index, options.shard_count, n * 256, n, n == 1 ? "" : "s",
                   options.shard_count, options.shard_count, options.shard_count * 256);
    }
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
  // carried[c] is set once a row read holds the mapped attribute of spec column c.
  RowConverter(const JobSpec& spec, const std::vector<std::string>& key_names,
               std::atomic<bool>* carried)
      : spec_(spec), key_names_(key_names), carried_(carried) {
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
        if (entries[c].ots_name != cell.name) continue;
        if (!carried_[c].load(std::memory_order_relaxed)) {
          carried_[c].store(true, std::memory_order_relaxed);
        }
        if (!present_[c] && cell.value.has_value()) {
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
    TSB_RETURN_IF_ERROR(rejects->Write(RejectLine(row, spec_.columns[reject_column_],
                                                  reject_stored_, reject_reason_, std::nullopt)));
    return false;
  }

  const JobSpec& spec_;
  const std::vector<std::string>& key_names_;
  std::atomic<bool>* carried_;
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

// ---------------------------------------------------------------------------------------------
// --versions: the long layout (decisions 8). One output row per cell version of each mapped
// attribute: the primary-key columns (spec names and types), `column` (the spec column name),
// `timestamp` (bigint, ms), then the value. Rows come in key order; within a row, attributes in
// mapping order; within a cell, newest version first.
//
// The batches carry `value` typed when every mapped attribute has one spec type; otherwise one
// nullable column per distinct spec type, in order of first appearance in the mapping, named
// "value_" + the spec type's name with each run of other characters than [a-z0-9] turned into
// '_' and a trailing '_' dropped (value_bigint, value_double, value_string, value_decimal_10_2,
// value_timestamp_micros), exactly one of them set in each row. Parquet files get those columns
// as they are; text files get one `value` column: CSV the text form of the set value
// (TextValueWriter), JSON Lines its JSON form (ValueSpliceStream).

struct LongLayout {
  std::vector<int> key_columns;        // spec column indexes, in key order
  std::vector<int> attributes;         // spec column indexes, in mapping order
  std::vector<size_t> value_slot;      // per spec column: its value column among the value ones
  size_t first_value = 0;              // the batch index of the first value column
  bool mixed = false;                  // several value columns
  std::shared_ptr<const Schema> schema;       // the batches'
  std::shared_ptr<const Schema> text_schema;  // mixed text output: `value` as string
};

std::string ValueColumnName(const DataType& type) {
  std::string name = "value_";
  bool gap = false;
  for (char ch : type.ToString()) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (gap && name.back() != '_') name.push_back('_');
      name.push_back(c);
      gap = false;
    } else {
      gap = true;
    }
  }
  return name;
}

Result<LongLayout> MakeLongLayout(const JobSpec& spec) {
  LongLayout layout;
  layout.key_columns = spec.mapping.key_columns();
  layout.attributes = spec.mapping.attribute_columns();
  if (layout.attributes.empty()) {
    return Status::InvalidArgument(
        "--versions: the mapping has no attribute column, so there are no cell versions to read");
  }
  std::vector<Field> fields;
  for (int c : layout.key_columns) {
    const std::string& name = spec.columns[c].name;
    if (name == "column" || name == "timestamp" || name == "value" || name.rfind("value_", 0) == 0) {
      return Status::InvalidArgument("--versions: the primary-key column \"" + name +
                                     "\" clashes with a column of the long layout (column, "
                                     "timestamp, value, value_*); rename it in the spec");
    }
    fields.push_back(spec.columns[c]);
  }
  fields.push_back(Field{"column", DataType::Of(TypeId::kString), false});
  fields.push_back(Field{"timestamp", DataType::Of(TypeId::kInt64), false});
  layout.first_value = fields.size();
  std::vector<DataType> types;
  layout.value_slot.assign(spec.columns.size(), 0);
  for (int c : layout.attributes) {
    const DataType& t = spec.columns[c].type;
    auto it = std::find(types.begin(), types.end(), t);
    layout.value_slot[c] = static_cast<size_t>(it - types.begin());
    if (it == types.end()) types.push_back(t);
  }
  layout.mixed = types.size() > 1;
  std::vector<Field> text_fields = fields;
  if (!layout.mixed) {
    fields.push_back(Field{"value", types[0], false});
  } else {
    for (const DataType& t : types) fields.push_back(Field{ValueColumnName(t), t, true});
    text_fields.push_back(Field{"value", DataType::Of(TypeId::kString), false});
  }
  layout.schema = std::make_shared<const Schema>(std::move(fields));
  layout.text_schema = std::make_shared<const Schema>(std::move(text_fields));
  return layout;
}

// Turns GetRange rows (read with max_versions > 1) into long-layout rows. A key value that does
// not fit its column rejects the whole row; a cell version that does not fit rejects that version
// (its reject record carries the version's `timestamp`).
class VersionsConverter {
 public:
  VersionsConverter(const JobSpec& spec, const LongLayout& layout, std::atomic<bool>* carried)
      : spec_(spec), layout_(layout), carried_(carried), keys_(layout.key_columns.size()) {}

  // Appends the versions of `row` to *batch, calling flush() whenever the batch is full.
  Status Convert(const ots::Row& row, RowBatch* batch, RejectSink* rejects,
                 const std::function<Status()>& flush) {
    for (size_t k = 0; k < layout_.key_columns.size(); ++k) {
      const Field& field = spec_.columns[layout_.key_columns[k]];
      OtsValueRef ref;
      if (k >= row.primary_key.size() || !row.primary_key[k].value ||
          !ots::FromWireValue(*row.primary_key[k].value, &ref)) {
        return rejects->Write(
            RejectLine(row, field, "UNKNOWN", "the stored value has no data type", std::nullopt));
      }
      Status s = ConvertOtsValue(ref, field.type, &keys_[k]);
      if (!s.ok()) {
        return rejects->Write(RejectLine(row, field, std::string(OtsTypeName(ref.type)),
                                         s.message(), std::nullopt));
      }
    }
    const auto& entries = spec_.mapping.columns();
    for (int c : layout_.attributes) {
      versions_.clear();
      for (const ots::Cell& cell : row.attributes) {
        if (cell.value && cell.name == entries[c].ots_name) versions_.push_back(&cell);
      }
      if (!versions_.empty() && !carried_[c].load(std::memory_order_relaxed)) {
        carried_[c].store(true, std::memory_order_relaxed);
      }
      std::stable_sort(versions_.begin(), versions_.end(), [](const ots::Cell* a, const ots::Cell* b) {
        return a->timestamp.value_or(0) > b->timestamp.value_or(0);
      });
      const Field& field = spec_.columns[c];
      for (const ots::Cell* cell : versions_) {
        const int64_t ts = cell->timestamp.value_or(0);
        OtsValueRef ref;
        if (!ots::FromWireValue(*cell->value, &ref)) {
          TSB_RETURN_IF_ERROR(rejects->Write(
              RejectLine(row, field, "UNKNOWN", "the stored value has no data type", ts)));
          continue;
        }
        Status s = ConvertOtsValue(ref, field.type, &value_);
        if (!s.ok()) {
          TSB_RETURN_IF_ERROR(rejects->Write(
              RejectLine(row, field, std::string(OtsTypeName(ref.type)), s.message(), ts)));
          continue;
        }
        size_t i = 0;
        for (; i < keys_.size(); ++i) AppendConverted(keys_[i], &batch->column(i));
        batch->column(i++).AppendBytes(field.name);
        batch->column(i++).AppendInt(ts);
        const size_t slot = layout_.value_slot[c];
        for (size_t v = 0; i < batch->num_columns(); ++i, ++v) {
          if (v == slot) {
            AppendConverted(value_, &batch->column(i));
          } else {
            batch->column(i).AppendNull();
          }
        }
        batch->CommitRow();
        if (batch->full()) TSB_RETURN_IF_ERROR(flush());
      }
    }
    return Status::OK();
  }

 private:
  const JobSpec& spec_;
  const LongLayout& layout_;
  std::atomic<bool>* carried_;
  std::vector<ConvertedValue> keys_;
  ConvertedValue value_;
  std::vector<const ots::Cell*> versions_;
};

// CSV output of a mixed long layout: the set value column becomes one string `value` column in
// its type's text form (the text the CSV writer gives that type).
class TextValueWriter : public BatchWriter {
 public:
  TextValueWriter(std::unique_ptr<BatchWriter> inner, const LongLayout& layout)
      : inner_(std::move(inner)), layout_(layout), out_(layout.text_schema) {}

  Status Write(const RowBatch& batch) override {
    out_.Reset();
    const size_t first = layout_.first_value;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      for (size_t c = 0; c < first; ++c) out_.column(c).AppendFrom(batch.column(c), r);
      text_.clear();
      for (size_t c = first; c < batch.num_columns(); ++c) {
        const Column& column = batch.column(c);
        if (column.IsNull(r)) continue;
        if (column.type().id == TypeId::kString) {
          text_.assign(column.GetBytes(r));
        } else {
          AppendValueText(column, r, &text_);
        }
        break;
      }
      out_.column(first).AppendBytes(text_);
      out_.CommitRow();
    }
    return inner_->Write(out_);
  }
  Status Close() override { return inner_->Close(); }

 private:
  std::unique_ptr<BatchWriter> inner_;
  const LongLayout& layout_;
  RowBatch out_;
  std::string text_;
};

// JSON Lines output of a mixed long layout: the JSONL writer formats the rows with their value_*
// columns, and this stream rewrites each line's tail `,"value_a":null,"value_b":X,...}` into
// `,"value":X}`. The tail is found by the first `,"value_<first type>":` of the line, which cannot
// occur inside a JSON string (its quote would be escaped); every value_* entry but one is `null`,
// so the set value's text ends at a fixed distance from the end of the line.
class ValueSpliceStream : public OutputStream {
 public:
  ValueSpliceStream(std::unique_ptr<OutputStream> inner, const Schema& schema, size_t first_value)
      : OutputStream(inner->name()), inner_(std::move(inner)) {
    for (size_t c = first_value; c < schema.size(); ++c) {
      std::string key = ",";
      key += '"';
      key += schema.field(c).name;
      key += "\":";
      keys_.push_back(std::move(key));
    }
  }

  Status Write(std::string_view data) override {
    out_.clear();
    size_t start = 0;
    for (size_t nl; (nl = data.find('\n', start)) != std::string_view::npos; start = nl + 1) {
      if (!pending_.empty()) {
        pending_.append(data.substr(start, nl - start));
        Splice(pending_);
        pending_.clear();
      } else {
        Splice(data.substr(start, nl - start));
      }
    }
    pending_.append(data.substr(start));
    return inner_->Write(out_);
  }

  Status Close() override {
    if (!pending_.empty()) {
      out_.clear();
      Splice(pending_);
      out_.pop_back();  // the input had no final newline
      pending_.clear();
      TSB_RETURN_IF_ERROR(inner_->Write(out_));
    }
    return inner_->Close();
  }

 private:
  void Splice(std::string_view line) {
    size_t p = line.find(keys_[0]);
    if (p == std::string_view::npos || line.empty() || line.back() != '}') {
      out_.append(line);  // not a row of ours: leave it
      out_.push_back('\n');
      return;
    }
    out_.append(line.substr(0, p));
    out_.append(",\"value\":");
    for (size_t i = 0; i < keys_.size(); ++i) {
      p += keys_[i].size();
      const bool is_null = line.compare(p, 4, "null") == 0 &&
                           (p + 4 == line.size() - 1 || line[p + 4] == ',');
      if (is_null) {
        p += 4;
        continue;
      }
      size_t tail = 1;
      for (size_t j = i + 1; j < keys_.size(); ++j) tail += keys_[j].size() + 4;
      out_.append(line.substr(p, line.size() - tail - p));
      break;
    }
    out_.append("}\n");
  }

  std::unique_ptr<OutputStream> inner_;
  std::vector<std::string> keys_;  // `,"value_bigint":` ... in column order
  std::string pending_;            // a line cut by a write
  std::string out_;
};

// Opens the writer of a long-layout output (see above).
Result<std::unique_ptr<BatchWriter>> OpenLongWriter(const LongLayout& layout,
                                                    const WriterOptions& options) {
  if (!layout.mixed || options.format == FileFormat::kParquet) {
    return OpenWriter(*layout.schema, options);
  }
  if (options.format == FileFormat::kCsv) {
    TSB_ASSIGN_OR_RETURN(auto inner, OpenWriter(*layout.text_schema, options));
    return std::unique_ptr<BatchWriter>(new TextValueWriter(std::move(inner), layout));
  }
  const StreamCompression compression = options.compression == TextCompression::kGzip
                                            ? StreamCompression::kGzip
                                        : options.compression == TextCompression::kZstd
                                            ? StreamCompression::kZstd
                                            : StreamCompression::kNone;
  TSB_ASSIGN_OR_RETURN(auto stream, OutputStream::Open(options.path, compression));
  auto splice = std::make_unique<ValueSpliceStream>(std::move(stream), *layout.schema,
                                                    layout.first_value);
  return OpenJsonlWriter(*layout.schema, std::move(splice));
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
  const bool long_layout = options.versions > 0;
  if (options.versions < 0) return Status::InvalidArgument("--versions must be at least 1");
  if (options.time_from || options.time_to) {
    if (!long_layout) {
      return Status::InvalidArgument(
          "--time-range needs --versions N (it selects cell versions for the long layout)");
    }
    if (!options.time_from || !options.time_to || *options.time_from < 0 ||
        *options.time_to <= *options.time_from) {
      return Status::InvalidArgument(
          "--time-range: expected FROM,TO in epoch milliseconds with 0 <= FROM < TO");
    }
  }
  if (long_layout && !options.where.empty()) {
    // The server filter tests the latest version only, and which version a local predicate
    // should test is not defined: refused rather than guessed.
    return Status::InvalidArgument(
        "--where cannot be combined with --versions yet: import the versions, then filter the "
        "file");
  }
  if (options.max_rows_per_sec < 0 || options.max_cu_per_sec < 0) {
    return Status::InvalidArgument("--max-rows-per-sec and --max-cu-per-sec must be positive");
  }

  JobSpecOptions spec_options;
  spec_options.require_file = options.output.empty() && !options.explain;
  TSB_ASSIGN_OR_RETURN(JobSpec spec, LoadJobSpec(options.spec_path, spec_options));
  std::optional<LongLayout> layout;
  if (long_layout) {
    TSB_ASSIGN_OR_RETURN(LongLayout made, MakeLongLayout(spec));
    layout.emplace(std::move(made));
  }
  OutputTarget target;
  WriterOptions writer_options;
  if (!options.explain) {
    TSB_ASSIGN_OR_RETURN(target, ResolveOutput(options, spec));
    TSB_RETURN_IF_ERROR(ResolveParquetSettings(options, spec, target, &writer_options));
    if (target.directory && options.shard_count == 0) {
      TSB_RETURN_IF_ERROR(PrepareOutputDirectory(target.path, options.overwrite, false, {}, false));
    }
  }
  std::optional<Predicate> where;
  if (!options.where.empty()) {
    TSB_ASSIGN_OR_RETURN(Predicate parsed, Predicate::Parse(options.where, spec.columns));
    where.emplace(std::move(parsed));
  }

  TSB_ASSIGN_OR_RETURN(auto client,
                       ConnectForSpec(spec, {options.endpoint, options.parallel,
                                             options.request_timeout, options.retry_deadline}));
  SummaryOnReturn cu_on_return(summary, started, [&](JobSummary* s) {
    s->read_cu = client->stats().read_cu;
    s->write_cu = client->stats().write_cu;
  });
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

  auto schema = layout ? layout->schema : std::make_shared<const Schema>(spec.schema());
  auto open_writer = [&](const WriterOptions& o) {
    return layout ? OpenLongWriter(*layout, o) : OpenWriter(*schema, o);
  };
  std::unique_ptr<RateLimiter> row_limiter, cu_limiter;
  if (options.max_rows_per_sec > 0) {
    row_limiter = std::make_unique<RateLimiter>(options.max_rows_per_sec, /*start_full=*/false);
  }
  if (options.max_cu_per_sec > 0) {
    cu_limiter = std::make_unique<RateLimiter>(options.max_cu_per_sec, /*start_full=*/false);
  }
  std::vector<std::string> key_names = plan.key_names;
  // The service leaves out of a GetRange page every row that holds none of the requested
  // columns; naming the key columns too, which every row holds, brings back the rows that hold
  // none of the mapped attributes (decisions 11: every row comes back, its attributes NULL).
  std::vector<std::string> columns_to_get = key_names;
  for (int c : spec.mapping.attribute_columns()) {
    columns_to_get.push_back(spec.mapping.columns()[c].ots_name);
  }
  // GetRange names at most 128 columns; a wider mapping reads whole rows (every row then comes
  // back as well) and the converter keeps the mapped attributes.
  if (columns_to_get.size() > static_cast<size_t>(ots::kMaxColumnsToGet)) columns_to_get.clear();
  std::optional<ots::ColumnFilter> server_filter;
  if (plan.filter) server_filter = ots::ToWireFilter(*plan.filter);

  RejectSink rejects(options.rejects_path.empty() ? DefaultRejectsPath(target)
                                                   : options.rejects_path);
  std::atomic<int64_t> rows_read{0};
  std::atomic<int64_t> bytes_read{0};
  std::unique_ptr<std::atomic<bool>[]> carried(new std::atomic<bool>[spec.columns.size()]());
  // --max-errors N or P% (as export counts it: a share only once 100 rows were read).
  auto too_many_errors = [&] {
    const int64_t rejected = rejects.count();
    const int64_t read = rows_read.load();
    return (options.max_errors >= 0 && rejected > options.max_errors) ||
           (options.max_errors_percent >= 0 && read >= 100 &&
            static_cast<double>(rejected) * 100.0 >
                options.max_errors_percent * static_cast<double>(read));
  };
  // Without a residue a scanner never needs more rows than the limit.
  const int64_t scan_cap = plan.residue ? 0 : options.limit;

  writer_options.format = target.format;
  writer_options.compression = target.compression;
  auto part_path = [&](size_t index) {
    char name[32];
    std::snprintf(name, sizeof(name), "part-%05zu", tasks[index].part_number);
    return target.path + name + FormatExtension(target);
  };
  if (target.directory) {
    std::vector<std::string> share_parts;
    for (size_t i = 0; options.shard_count > 0 && i < tasks.size(); ++i) {
      share_parts.push_back(part_path(i).substr(target.path.size()));
    }
    TSB_RETURN_IF_ERROR(PrepareOutputDirectory(target.path, options.overwrite,
                                               options.shard_count > 0, share_parts, true));
  }

  StdoutSpool spool;
  const bool spool_stdout = target.path == "-" && target.format == FileFormat::kParquet;

  std::unique_ptr<BatchWriter> single;
  if (!target.directory) {
    writer_options.path = target.path;
    if (spool_stdout) {
      TSB_ASSIGN_OR_RETURN(writer_options.path, spool.Create());
    }
    TSB_ASSIGN_OR_RETURN(single, open_writer(writer_options));
  }
  std::unique_ptr<BatchWriter> part;
  std::vector<std::string> part_paths;

  Progress progress("import", !options.quiet, options.progress);
  progress.SetTotal(static_cast<int64_t>(tasks.size()), tasks.size() == 1 ? "split" : "splits");
  int64_t splits_done = 0;
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
  SummaryOnReturn counters_on_return(summary, started, [&](JobSummary* s) {
    s->rows_read = rows_read.load();
    s->rows_written = written;
    s->rows_rejected = rejects.count();
    s->bytes_read = bytes_read.load();
    if (rejects.count() > 0) {
      s->rejects_path = rejects.path();
      s->first_reject = rejects.FirstReason();
    }
    s->split_fingerprint = fingerprint;
    s->splits = static_cast<int64_t>(tasks.size());
    if (options.max_errors >= 0 && rejects.count() > options.max_errors) {
      s->stop = StopReason::kMaxErrors;
    } else if (limit_reached) {
      s->stop = StopReason::kLimit;
    }
  });

  auto scan = [&](size_t index, const OrderedRunner::Emit& emit) -> Status {
    const ScanTask& task = tasks[index];
    ots::GetRangeRequest request;
    request.table = spec.tablestore.table;
    request.inclusive_start = ots::ToWireKey(task.start, key_names);
    request.exclusive_end = ots::ToWireKey(task.end, key_names);
    request.read.columns_to_get = columns_to_get;
    request.read.max_versions = layout ? options.versions : 1;
    if (options.time_from) {
      request.read.time_range = ots::TimeRange{options.time_from, options.time_to, std::nullopt};
    }
    request.read.filter = server_filter;
    // A row cap: pages of about a quarter second's worth, so that waits stay short and even.
    if (options.max_rows_per_sec > 0) {
      request.limit = static_cast<int32_t>(
          std::clamp(options.max_rows_per_sec / 4, 1.0, 5000.0));
    }

    RowConverter converter(spec, key_names, carried.get());
    std::optional<VersionsConverter> versions;
    if (layout) versions.emplace(spec, *layout, carried.get());
    RowBatch batch(schema);
    RowBatch scratch(schema);
    std::vector<uint32_t> selected;
    std::optional<PredicateEvaluator> evaluator;
    if (plan.residue) evaluator.emplace(&*plan.residue);

    auto flush = [&]() -> Status {
      if (evaluator) TSB_RETURN_IF_ERROR(ApplyResidue(&*evaluator, &batch, &scratch, &selected));
      return emit(&batch);
    };
    const std::function<Status()> flush_fn = flush;
    Status s = client->GetRangeAll(
        request,
        [&](const ots::GetRangeResult& page) -> Status {
          if (StopRequested()) return Status::Cancelled("stopped by a signal");
          if (limit_hit.load(std::memory_order_relaxed)) return Status::Cancelled("limit reached");
          rows_read += static_cast<int64_t>(page.rows.size());
          bytes_read += static_cast<int64_t>(page.response_bytes);
          if (row_limiter) row_limiter->Acquire(static_cast<double>(page.rows.size()));
          if (cu_limiter) cu_limiter->Acquire(static_cast<double>(page.consumed.read));
          if (StopRequested()) return Status::Cancelled("stopped by a signal");
          for (const ots::Row& row : page.rows) {
            if (versions) {
              TSB_RETURN_IF_ERROR(versions->Convert(row, &batch, &rejects, flush_fn));
              continue;
            }
            TSB_ASSIGN_OR_RETURN(bool kept, converter.Convert(row, &batch, &rejects));
            (void)kept;
            if (batch.full()) TSB_RETURN_IF_ERROR(flush());
          }
          if (too_many_errors()) return Status::Cancelled("max-errors");
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
      TSB_ASSIGN_OR_RETURN(part, open_writer(writer_options));
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
    progress.SetDone(++splits_done);
    if (!target.directory) return Status::OK();
    if (part == nullptr) {
      writer_options.path = part_path(index);
      TSB_ASSIGN_OR_RETURN(part, open_writer(writer_options));
    }
    TSB_RETURN_IF_ERROR(part->Close());
    part_paths.push_back(writer_options.path);
    part.reset();
    return Status::OK();
  };

  Status run = runner.Run(
      tasks.size(), [&] { return RowBatch(schema); }, scan, consume, split_done);
  progress.Finish();
  const bool max_errors_hit = too_many_errors();
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
    if (max_errors_hit) log::Printf(log::Level::kInfo, "import: stopped early: --max-errors reached\n");
    // A mapped attribute that no row read holds is nearly always a misspelt name: the column
    // would be NULL throughout with nothing said.
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
