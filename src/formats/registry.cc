// The format registry: picks the reader or writer for a path or a format name, and opens the
// byte streams of the text formats (files, stdin/stdout, gzip/zstd).
#include <algorithm>
#include <cctype>

#include "core/ascii.h"
#include "core/text_io.h"
#include "formats/csv/csv.h"
#include "formats/format.h"
#include "formats/jsonl/jsonl.h"
#include "formats/parquet/parquet.h"
#include "formats/text/text_common.h"

namespace tsb {

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<FileFormat> ParseFormatName(const std::string& name) {
  std::string n = AsciiLower(name);
  if (n == "csv") return FileFormat::kCsv;
  if (n == "jsonl" || n == "ndjson" || n == "json-lines") return FileFormat::kJsonl;
  if (n == "parquet") return FileFormat::kParquet;
  return Status::InvalidArgument("unknown format \"" + name +
                                 "\" (expected csv, jsonl or parquet)");
}

Result<FileFormat> FormatFromPath(const std::string& path, TextCompression* compression) {
  TextCompression c = TextCompression::kNone;
  if (path == "-") {
    return Status::InvalidArgument(
        "the format of stdin/stdout cannot be told from a path: give --format");
  }
  std::string p = AsciiLower(path);
  if (EndsWith(p, ".gz")) {
    c = TextCompression::kGzip;
    p.resize(p.size() - 3);
  } else if (EndsWith(p, ".zst")) {
    c = TextCompression::kZstd;
    p.resize(p.size() - 4);
  }
  FileFormat f;
  if (EndsWith(p, ".csv")) {
    f = FileFormat::kCsv;
  } else if (EndsWith(p, ".jsonl") || EndsWith(p, ".ndjson")) {
    f = FileFormat::kJsonl;
  } else if (EndsWith(p, ".parquet") && c == TextCompression::kNone) {
    f = FileFormat::kParquet;
  } else {
    return Status::InvalidArgument(
        path +
        ": cannot tell the format from the name (expected .csv, .jsonl, .ndjson, each "
        "optionally with .gz or .zst, or .parquet); give --format");
  }
  if (compression != nullptr) *compression = c;
  return f;
}

Result<std::unique_ptr<BatchReader>> OpenReader(const ReaderOptions& options) {
  if (options.format == FileFormat::kParquet) {
    if (options.path == "-") {
      return Status::InvalidArgument("Parquet cannot be read from stdin: give a file");
    }
    return OpenParquetReader(options);
  }
  Result<std::unique_ptr<InputStream>> input =
      InputStream::Open(options.path, ToStreamCompression(options.compression));
  if (!input.ok()) return input.status();
  if (options.format == FileFormat::kCsv) {
    return OpenCsvReader(options, std::move(input).value());
  }
  return OpenJsonlReader(options, std::move(input).value());
}

Result<std::unique_ptr<BatchWriter>> OpenWriter(const Schema& schema,
                                                const WriterOptions& options) {
  if (options.format == FileFormat::kParquet) {
    if (options.path == "-") {
      return Status::InvalidArgument("Parquet cannot be written to stdout: give a file");
    }
    return OpenParquetWriter(schema, options);
  }
  Result<std::unique_ptr<OutputStream>> output =
      OutputStream::Open(options.path, ToStreamCompression(options.compression));
  if (!output.ok()) return output.status();
  if (options.format == FileFormat::kCsv) return OpenCsvWriter(schema, std::move(output).value());
  return OpenJsonlWriter(schema, std::move(output).value());
}

}  // namespace tsb
