// The file formats behind tsbridge/batch_io.h's BatchReader / BatchWriter, and their registry.
//
// Each format describes itself in a FormatDescriptor: its names and extensions, whether it
// streams, how --scatter slices it, the form of its reject file, its writer settings, and its
// openers. registry.cc lists the descriptors in one table; everything that must choose by format
// (registry.cc, file_target.cc, and the jobs) asks the descriptor, so a new format is a folder
// under src/formats that defines its descriptor, plus its line (and #include) in that table. The
// one other place that lists the formats is the spec parser (core/job_spec.cc), which cannot see
// this layer: a spec's file.format and file.path extension are checked against its own list.
//
// Files are opened through OpenReader/OpenWriter (registry.cc), which pick the implementation
// from the format; FormatFromPath and ParseFormatName find the format of a path or a name.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/text_io.h"
#include "tsbridge/batch_io.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"
#include "tsbridge/types.h"

namespace tsb {

struct FormatDescriptor;

// A file format: a handle on its descriptor in the registry, compared by identity.
class FileFormat {
 public:
  // The built-in formats, for code that names one on purpose (tools, tests). The jobs never do:
  // they ask the descriptor, so a new format needs no constant here.
  static const FileFormat kCsv, kJsonl, kParquet;

  constexpr explicit FileFormat(const FormatDescriptor* descriptor) : d_(descriptor) {}
  const FormatDescriptor* operator->() const { return d_; }
  const FormatDescriptor& descriptor() const { return *d_; }
  friend bool operator==(FileFormat a, FileFormat b) { return a.d_ == b.d_; }

 private:
  const FormatDescriptor* d_;
};

enum class TextCompression { kNone, kGzip, kZstd };

enum class ParquetCompression { kUncompressed, kSnappy, kGzip, kZstd, kLz4Raw, kBrotli };

struct ReaderOptions {
  std::string path;  // "-" = stdin (formats that stream only)
  FileFormat format = FileFormat::kCsv;
  TextCompression compression = TextCompression::kNone;
  // The columns wanted, by name, with the types to convert them to. Columns of the file that are
  // not named here are skipped (never decoded for Parquet). Empty = every column in the file's own
  // types (Parquet) or as strings (CSV) / inferred JSON types (JSONL).
  std::vector<Field> columns;
  size_t batch_rows = RowBatch::kDefaultCapacity;
  // Slicing::kRowRanges formats (Parquet): the 0-based row a range reader wants first. The row
  // groups that end before it are skipped unread (their row counts are in the footer); reading
  // starts at the first row of the row group that holds it, so the rows before it in that group
  // still come, with their file positions, for the caller to pass over. Others ignore it.
  int64_t start_row = 0;
  TextDialect dialect;  // formats whose descriptor takes_dialect
  // Text formats: the bytes of input held at first; the window doubles when a record outgrows
  // half of it. The default reads in the input's own blocks; a small one (tests, fuzzing) makes
  // records cross refills often, so that the logic at the window's edge runs on small inputs.
  size_t window_bytes = InputStream::kBlockSize;
  // When set, the bytes read from the file are added here as they are read (a job's progress
  // against the file's size); the reader never owns it.
  std::atomic<int64_t>* bytes_read = nullptr;
};

struct WriterOptions {
  std::string path;  // "-" = stdout (formats that stream only)
  FileFormat format = FileFormat::kCsv;
  TextCompression compression = TextCompression::kNone;
  // Parquet
  ParquetCompression parquet_compression = ParquetCompression::kSnappy;
  int64_t row_group_rows = 1 << 20;         // rows per row group
  int64_t page_bytes = 1 << 20;             // target uncompressed data page size
  int64_t dictionary_page_bytes = 1 << 20;  // fall back to PLAIN past this dictionary size
  bool dictionary = true;
  bool data_page_v2 = false;
  TextDialect dialect;  // formats whose descriptor takes_dialect
};

// A point in a file being written that a later process can continue from after this one was
// killed (import --resume): everything before `bytes` of the temporary file was synced.
struct DurablePoint {
  std::string temp_path;  // the temporary file (".NAME.tmp-PID-XXXXXX")
  int64_t bytes = 0;      // its synced length
  int64_t rows = 0;       // the rows in those bytes
  std::string state;      // what the format needs to go on (Parquet: the footer so far)
};

// A file writer that makes durable points. They fall at row counts the format fixes, so that
// where a run was cut cannot show in the bytes: a text file's bytes are its rows' lines, whatever
// was synced when; a Parquet file's row groups end every row_group_rows rows, and a point is a
// row group's end.
class ResumableWriter : public BatchWriter {
 public:
  // The rows between two points: 1 for text, row_group_rows for Parquet.
  virtual int64_t point_rows() const = 0;
  // Syncs the file; the rows written so far must be a multiple of point_rows().
  [[nodiscard]] virtual Result<DurablePoint> MakeDurable() = 0;
};

// How export --scatter cuts a key-ordered file into ranges that readers of their own read.
enum class Slicing {
  kLines,      // one record per line after `header_lines`: byte ranges cut at line starts
  kRowRanges,  // ranges of row numbers, each reader skipping to its own
};

// The two forms of an export's reject file (decisions 3): the input's own where it can be.
enum class RejectFormat { kCsv, kJsonl };

// How a value column whose type varies from row to row (import --versions with attributes of
// several types) is written.
enum class MixedValues {
  kColumns,  // one typed column per type, exactly one of them set in a row
  kText,     // one string column holding the value's text form (every value is text anyway)
  kJson,     // one column holding each value in the JSON form of its own type
};

// Writer settings given by name on the command line or in the spec (import --compression /
// file.compression, --row-group-rows / file.row_group_rows).
struct WriterSettings {
  std::string codec;           // empty: the format's default
  std::string codec_where;     // the flag or JSON path that gave it, for messages
  int64_t row_group_rows = 0;  // 0: the format's default
};

struct FormatDescriptor {
  std::string_view name;                    // "csv": --format, file.format and messages
  std::string_view title;                   // "CSV": in sentences
  std::array<std::string_view, 2> aliases;  // other names --format accepts ("" = none)
  // The extensions that name the format, the first one the one written ("" = none).
  std::array<std::string_view, 2> extensions;
  // Whether the whole file may be gzip / zstd compressed (a .gz / .zst name); otherwise why not.
  bool compressible;
  std::string_view why_not_compressible;
  // Whether it is read from stdin or a FIFO and written to stdout as it goes; otherwise why not.
  bool streams;
  std::string_view why_not_streamed;
  Slicing slicing;
  int header_lines;      // kLines: the lines before the first record (each range reader gets them)
  bool cr_ends_line;     // kLines: a lone CR ends a line, as LF and CRLF do
  RejectFormat rejects;  // the form of the reject file of an export from this format
  bool raw_records;      // rejected records keep their raw text (_raw_record); else row numbers
  bool typed_values;     // a rejected record's values are typed (JSON numbers stay bare)
  // Whether it names its columns only record by record, so that export checks the spec's columns
  // against the first records before anything is written.
  bool columns_per_record;
  MixedValues mixed_values;
  // Takes WriterSettings into WriterOptions; nullptr when the format has none to take.
  Status (*apply_settings)(const WriterSettings& settings, WriterOptions* writer);
  // A format that streams reads and writes byte streams (the registry opens them, with their
  // compression); the others open the file at options.path themselves.
  Result<std::unique_ptr<BatchReader>> (*open_stream_reader)(const ReaderOptions& options,
                                                             std::unique_ptr<InputStream> input);
  Result<std::unique_ptr<BatchWriter>> (*open_stream_writer)(const Schema& schema,
                                                             std::unique_ptr<OutputStream> output);
  Result<std::unique_ptr<BatchReader>> (*open_file_reader)(const ReaderOptions& options);
  Result<std::unique_ptr<BatchWriter>> (*open_file_writer)(const Schema& schema,
                                                           const WriterOptions& options);
  // The names of a rejected record's `fields` when they are not the reader's schema (CSV: every
  // header column); nullptr = the schema's.
  const std::vector<std::string>& (*reject_field_names)(const BatchReader& reader);
  // Whether ReaderOptions / WriterOptions::dialect applies (delimiter, header, quote, ...); the
  // other formats refuse dialect flags. A format without a header line has no header_lines then.
  bool takes_dialect = false;
  // The extension that names the format with a tab delimiter (".tsv"), and is written for it.
  std::string_view tab_extension = "";
  // A streaming writer that takes the dialect; when set, it is used instead of
  // open_stream_writer.
  Result<std::unique_ptr<BatchWriter>> (*open_dialect_writer)(
      const Schema& schema, const TextDialect& dialect,
      std::unique_ptr<OutputStream> output) = nullptr;
  // A format that does not stream and can make durable points: its resumable writer, continuing
  // `at` when given (nullptr = not resumable). The streaming formats are resumable through their
  // streams (uncompressed only).
  Result<std::unique_ptr<ResumableWriter>> (*open_resumable_file_writer)(
      const Schema& schema, const WriterOptions& options, const DurablePoint* at) = nullptr;
};

// The registered formats, in the order of the registry's table.
const std::vector<FileFormat>& RegisteredFormats();

// Picks format and compression from a path such as "x.csv.gz" or "part.parquet".
Result<FileFormat> FormatFromPath(const std::string& path, TextCompression* compression);
Result<FileFormat> ParseFormatName(const std::string& name);
// The format a path's extension names, a .gz / .zst aside, any case (whether or not that format
// may be compressed); none for other names (x.txt, x).
std::optional<FileFormat> FormatNamedBy(const std::string& path);
// The compression a path's last extension asks for (.gz, .zst; any case).
TextCompression CompressionNamedBy(const std::string& path);
// "gzip" / "zstd" (the spec's file.compression) and back; "" for none.
TextCompression CompressionFromName(const std::string& name);
std::string_view CompressionName(TextCompression compression);
// ".gz" / ".zst"; "" for none.
std::string_view CompressionSuffix(TextCompression compression);
StreamCompression ToStreamCompression(TextCompression compression);

Result<std::unique_ptr<BatchReader>> OpenReader(const ReaderOptions& options);
Result<std::unique_ptr<BatchWriter>> OpenWriter(const Schema& schema, const WriterOptions& options);
// A writer that makes durable points (see ResumableWriter), continuing `at` (a point of a killed
// writer of the same options) when given. A .gz / .zst output is NotSupported: a compressed
// stream cannot be cut at a point and continued.
Result<std::unique_ptr<ResumableWriter>> OpenResumableWriter(const Schema& schema,
                                                             const WriterOptions& options,
                                                             const DurablePoint* at);
// A reader of the format of `options` over a stream that the caller opened (a byte range, say);
// only for formats that stream.
Result<std::unique_ptr<BatchReader>> OpenReaderOn(const ReaderOptions& options,
                                                  std::unique_ptr<InputStream> input);
// A writer of the format of `options` over the stream the registry opens for options.path and
// passes through `wrap` (a rewriting stream, say); only for formats that stream.
Result<std::unique_ptr<BatchWriter>> OpenWriterThrough(
    const Schema& schema, const WriterOptions& options,
    const std::function<std::unique_ptr<OutputStream>(std::unique_ptr<OutputStream>)>& wrap);

}  // namespace tsb
