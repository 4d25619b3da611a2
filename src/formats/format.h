// BatchReader / BatchWriter: the plug-in points of the data path.
//
// Every source yields RowBatches and every sink consumes them: CSV, JSON Lines and Parquet files
// here, Tablestore range scans and batch writes in src/tablestore. A command wires one reader to
// one writer through the steps in src/core (mapping, conversion, predicates); no reader knows any
// writer, and adding a format touches only src/formats.
//
// Files are opened through OpenReader/OpenWriter (registry.cc), which pick the implementation
// from the format name or the path's extension, including compressed text (.csv.gz, .jsonl.zst).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/row_batch.h"
#include "core/status.h"
#include "core/types.h"

namespace tsb {

class BatchReader {
 public:
  virtual ~BatchReader() = default;
  // The columns this reader yields (after projection), with their types.
  virtual const Schema& schema() const = 0;
  // Refills *batch (created with schema()) with up to batch->capacity() rows; at the end of the
  // input the batch comes back with no rows and no rejects.
  [[nodiscard]] virtual Status Next(RowBatch* batch) = 0;
};

class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  [[nodiscard]] virtual Status Write(const RowBatch& batch) = 0;
  // Writes the footer / flushes the last buffer and, for files, moves the temporary file to its
  // final name. A writer that is destroyed without Close() leaves nothing under the final name.
  [[nodiscard]] virtual Status Close() = 0;
};

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
