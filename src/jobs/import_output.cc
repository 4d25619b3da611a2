#include "jobs/import_output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/crypto.h"
#include "core/text_io.h"
#include "core/value_text.h"
#include "tablestore/core_bridge.h"

namespace tsb::jobs {

std::string FormatExtension(const OutputTarget& t) {
  std::string ext = t.format == FileFormat::kParquet ? ".parquet"
                    : t.format == FileFormat::kCsv   ? ".csv"
                                                     : ".jsonl";
  if (t.compression == TextCompression::kGzip) ext += ".gz";
  if (t.compression == TextCompression::kZstd) ext += ".zst";
  return ext;
}

namespace {

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

}  // namespace

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

namespace {

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
}  // namespace

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
  const std::string stem = PathStem(t.path);
  return stem + ".rejects.jsonl";
}

namespace {

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
}  // namespace

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

std::string RejectSink::FirstReason() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (first_line_.empty()) return "";
  auto j = nlohmann::json::parse(first_line_, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return first_line_;
  return "primary key " + j.value("primary_key", nlohmann::json::object()).dump() + ": column \"" +
         j.value("column", "") + "\" (stored " + j.value("stored_type", "") + ", expected " +
         j.value("expected_type", "") + "): " + j.value("reason", "");
}

namespace {

nlohmann::ordered_json ValueJson(const OtsValueRef& v) {
  switch (v.type) {
    case OtsType::kInteger:
      return v.i;
    case OtsType::kDouble:
      return v.d;
    case OtsType::kBoolean:
      return v.b;
    case OtsType::kString:
      if (ValidateUtf8(v.bytes)) return std::string(v.bytes);
      [[fallthrough]];
    case OtsType::kBinary:
      return nlohmann::ordered_json{{"base64", Base64Encode(v.bytes)}};
  }
  return nullptr;
}

}  // namespace

std::string RejectLine(const ots::RejectedValue& reject) {
  const ots::Row& row = reject.row;
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
  record["column"] = reject.column.name;
  if (reject.timestamp) record["timestamp"] = *reject.timestamp;
  record["stored_type"] = std::string(reject.stored_type);
  record["expected_type"] = reject.column.type.ToString();
  record["reason"] = std::string(reject.reason);
  return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tsb::jobs
