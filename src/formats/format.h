// The file formats behind tsbridge/batch_io.h's BatchReader / BatchWriter: CSV, JSON Lines and
// Parquet. Adding a format touches only src/formats.
//
// Files are opened through OpenReader/OpenWriter (registry.cc), which pick the implementation
// from the format name or the path's extension, including compressed text (.csv.gz, .jsonl.zst).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tsbridge/batch_io.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"
#include "tsbridge/types.h"

namespace tsb {

enum class FileFormat { kCsv, kJsonl, kParquet };
enum class TextCompression { kNone, kGzip, kZstd };

enum class ParquetCompression { kUncompressed, kSnappy, kGzip, kZstd, kLz4Raw, kBrotli };

struct ReaderOptions {
  std::string path;  // "-" = stdin (text formats only)
  FileFormat format = FileFormat::kCsv;
  TextCompression compression = TextCompression::kNone;
  // The columns wanted, by name, with the types to convert them to. Columns of the file that are
  // not named here are skipped (never decoded for Parquet). Empty = every column in the file's own
  // types (Parquet) or as strings (CSV) / inferred JSON types (JSONL).
  std::vector<Field> columns;
  size_t batch_rows = RowBatch::kDefaultCapacity;
};

struct WriterOptions {
  std::string path;  // "-" = stdout (text formats only)
  FileFormat format = FileFormat::kCsv;
  TextCompression compression = TextCompression::kNone;
  // Parquet
  ParquetCompression parquet_compression = ParquetCompression::kSnappy;
  int64_t row_group_rows = 1 << 20;       // rows per row group
  int64_t page_bytes = 1 << 20;           // target uncompressed data page size
  int64_t dictionary_page_bytes = 1 << 20;  // fall back to PLAIN past this dictionary size
  bool dictionary = true;
  bool data_page_v2 = false;
};

// Picks format and compression from a path such as "x.csv.gz" or "part.parquet".
Result<FileFormat> FormatFromPath(const std::string& path, TextCompression* compression);
Result<FileFormat> ParseFormatName(const std::string& name);

Result<std::unique_ptr<BatchReader>> OpenReader(const ReaderOptions& options);
Result<std::unique_ptr<BatchWriter>> OpenWriter(const Schema& schema, const WriterOptions& options);

}  // namespace tsb
