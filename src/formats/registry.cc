// The format registry: the one table of formats, the choice of a format by name or extension,
// and the openers, which give a streaming format its byte stream (a file, stdin/stdout,
// gzip/zstd) and let the others open their files.
#include <functional>

#include "core/ascii.h"
#include "core/text_io.h"
#include "formats/csv/csv.h"
#include "formats/format.h"
#include "formats/jsonl/jsonl.h"
#include "formats/parquet/parquet.h"

namespace tsb {

// The registry: one line a format. The first one is what a format-less default means
// (ReaderOptions / WriterOptions); the order is the order of the "expected ..." lists.
const std::vector<FileFormat>& RegisteredFormats() {
  static const std::vector<FileFormat> kFormats = {
      FileFormat(&kCsvFormat),
      FileFormat(&kJsonlFormat),
      FileFormat(&kParquetFormat),
  };
  return kFormats;
}

constinit const FileFormat FileFormat::kCsv{&kCsvFormat};
constinit const FileFormat FileFormat::kJsonl{&kJsonlFormat};
constinit const FileFormat FileFormat::kParquet{&kParquetFormat};

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "csv, jsonl or parquet"
std::string NameList() {
  const auto& formats = RegisteredFormats();
  std::string list;
  for (size_t i = 0; i < formats.size(); ++i) {
    if (i > 0) list += i + 1 == formats.size() ? " or " : ", ";
    list += formats[i]->name;
  }
  return list;
}

// Whole-file compression of the formats that stream: the name's suffix, the spec's word, and
// the stream that undoes it.
constexpr struct {
  TextCompression compression;
  std::string_view suffix, name;
  StreamCompression stream;
} kCompressions[] = {{TextCompression::kGzip, ".gz", "gzip", StreamCompression::kGzip},
                     {TextCompression::kZstd, ".zst", "zstd", StreamCompression::kZstd}};

}  // namespace

Result<FileFormat> ParseFormatName(const std::string& name) {
  const std::string n = AsciiLower(name);
  for (FileFormat f : RegisteredFormats()) {
    if (n == f->name) return f;
    for (std::string_view alias : f->aliases) {
      if (!alias.empty() && n == alias) return f;
    }
  }
  return Status::InvalidArgument("unknown format \"" + name + "\" (expected " + NameList() + ")");
}

TextCompression CompressionNamedBy(const std::string& path) {
  const std::string p = AsciiLower(path);
  for (const auto& c : kCompressions) {
    if (EndsWith(p, c.suffix)) return c.compression;
  }
  return TextCompression::kNone;
}

std::optional<FileFormat> FormatNamedBy(const std::string& path) {
  std::string p = AsciiLower(path);
  for (const auto& c : kCompressions) {
    if (p.size() > c.suffix.size() && EndsWith(p, c.suffix)) {
      p.resize(p.size() - c.suffix.size());
      break;
    }
  }
  for (FileFormat f : RegisteredFormats()) {
    for (std::string_view ext : f->extensions) {
      if (!ext.empty() && p.size() > ext.size() && EndsWith(p, ext)) return f;
    }
  }
  return std::nullopt;
}

TextCompression CompressionFromName(const std::string& name) {
  for (const auto& c : kCompressions) {
    if (name == c.name) return c.compression;
  }
  return TextCompression::kNone;
}

std::string_view CompressionName(TextCompression compression) {
  for (const auto& c : kCompressions) {
    if (compression == c.compression) return c.name;
  }
  return "";
}

std::string_view CompressionSuffix(TextCompression compression) {
  for (const auto& c : kCompressions) {
    if (compression == c.compression) return c.suffix;
  }
  return "";
}

StreamCompression ToStreamCompression(TextCompression compression) {
  for (const auto& c : kCompressions) {
    if (compression == c.compression) return c.stream;
  }
  return StreamCompression::kNone;
}

Result<FileFormat> FormatFromPath(const std::string& path, TextCompression* compression) {
  if (path == "-") {
    return Status::InvalidArgument(
        "the format of stdin/stdout cannot be told from a path: give --format");
  }
  const std::optional<FileFormat> named = FormatNamedBy(path);
  const TextCompression c = CompressionNamedBy(path);
  if (!named || (c != TextCompression::kNone && !(*named)->compressible)) {
    std::string text, binary;
    for (FileFormat f : RegisteredFormats()) {
      for (std::string_view ext : f->extensions) {
        if (ext.empty()) continue;
        std::string& list = f->compressible ? text : binary;
        list += (list.empty() ? "" : ", ") + std::string(ext);
      }
    }
    return Status::InvalidArgument(path + ": cannot tell the format from the name (expected " +
                                   text + ", each optionally with .gz or .zst, or " + binary +
                                   "); give --format");
  }
  if (compression != nullptr) *compression = c;
  return *named;
}

Result<std::unique_ptr<BatchReader>> OpenReader(const ReaderOptions& options) {
  const FormatDescriptor& d = options.format.descriptor();
  if (!d.streams) {
    if (options.path == "-") {
      return Status::InvalidArgument(std::string(d.title) +
                                     " cannot be read from stdin: give a file");
    }
    return d.open_file_reader(options);
  }
  TSB_ASSIGN_OR_RETURN(auto input,
                       InputStream::Open(options.path, ToStreamCompression(options.compression)));
  input->CountInto(options.bytes_read);
  return d.open_stream_reader(options, std::move(input));
}

Result<std::unique_ptr<BatchReader>> OpenReaderOn(const ReaderOptions& options,
                                                  std::unique_ptr<InputStream> input) {
  const FormatDescriptor& d = options.format.descriptor();
  if (!d.streams) {
    return Status::InvalidArgument(std::string(d.title) + " is not read from a stream");
  }
  return d.open_stream_reader(options, std::move(input));
}

Result<std::unique_ptr<BatchWriter>> OpenWriterThrough(
    const Schema& schema, const WriterOptions& options,
    const std::function<std::unique_ptr<OutputStream>(std::unique_ptr<OutputStream>)>& wrap) {
  const FormatDescriptor& d = options.format.descriptor();
  if (!d.streams) {
    if (options.path == "-") {
      return Status::InvalidArgument(std::string(d.title) +
                                     " cannot be written to stdout: give a file");
    }
    if (wrap) return Status::InvalidArgument(std::string(d.title) + " is not written as a stream");
    return d.open_file_writer(schema, options);
  }
  TSB_ASSIGN_OR_RETURN(auto output,
                       OutputStream::Open(options.path, ToStreamCompression(options.compression)));
  if (wrap) output = wrap(std::move(output));
  if (d.open_dialect_writer != nullptr) {
    return d.open_dialect_writer(schema, options.dialect, std::move(output));
  }
  return d.open_stream_writer(schema, std::move(output));
}

namespace {

// A streaming format's writer over an uncompressed file stream: a point flushes the writer and
// syncs the stream. Continued, the writer is opened without a header: the file has one.
class ResumableStreamWriter final : public ResumableWriter {
 public:
  ResumableStreamWriter(std::unique_ptr<BatchWriter> writer, OutputStream* output, int64_t rows)
      : writer_(std::move(writer)), output_(output), rows_(rows) {}

  Status Write(const RowBatch& batch) override {
    TSB_RETURN_IF_ERROR(writer_->Write(batch));
    rows_ += static_cast<int64_t>(batch.num_rows());
    return Status::OK();
  }
  Status Close() override { return writer_->Close(); }
  Status Flush() override { return writer_->Flush(); }
  int64_t point_rows() const override { return 1; }
  Result<DurablePoint> MakeDurable() override {
    TSB_RETURN_IF_ERROR(writer_->Flush());
    DurablePoint point;
    TSB_ASSIGN_OR_RETURN(point.bytes, output_->Sync());
    point.temp_path = output_->temporary_path();
    point.rows = rows_;
    return point;
  }

 private:
  std::unique_ptr<BatchWriter> writer_;
  OutputStream* output_;  // owned by writer_
  int64_t rows_;
};

}  // namespace

Result<std::unique_ptr<ResumableWriter>> OpenResumableWriter(const Schema& schema,
                                                             const WriterOptions& options,
                                                             const DurablePoint* at) {
  const FormatDescriptor& d = options.format.descriptor();
  if (options.path.empty() || options.path == "-") {
    return Status::InvalidArgument("only a file can be continued after an interruption");
  }
  if (options.compression != TextCompression::kNone) {
    return Status::NotSupported(options.path + ": a " +
                                std::string(CompressionName(options.compression)) +
                                " output cannot be continued after an interruption (a "
                                "compressed stream cannot be cut and resumed)");
  }
  if (!d.streams) {
    if (d.open_resumable_file_writer == nullptr) {
      return Status::NotSupported(options.path + ": " + std::string(d.title) +
                                  " output cannot be continued after an interruption");
    }
    return d.open_resumable_file_writer(schema, options, at);
  }
  std::unique_ptr<OutputStream> output;
  if (at != nullptr) {
    TSB_ASSIGN_OR_RETURN(output, OutputStream::Continue(options.path, at->temp_path, at->bytes));
  } else {
    TSB_ASSIGN_OR_RETURN(output, OutputStream::Open(options.path, StreamCompression::kNone));
  }
  OutputStream* raw = output.get();
  std::unique_ptr<BatchWriter> writer;
  if (d.open_dialect_writer != nullptr) {
    TextDialect dialect = options.dialect;
    if (at != nullptr) dialect.header = false;
    TSB_ASSIGN_OR_RETURN(writer, d.open_dialect_writer(schema, dialect, std::move(output)));
  } else {
    TSB_ASSIGN_OR_RETURN(writer, d.open_stream_writer(schema, std::move(output)));
  }
  return std::unique_ptr<ResumableWriter>(
      new ResumableStreamWriter(std::move(writer), raw, at != nullptr ? at->rows : 0));
}

Result<std::unique_ptr<BatchWriter>> OpenWriter(const Schema& schema,
                                                const WriterOptions& options) {
  return OpenWriterThrough(schema, options, nullptr);
}

}  // namespace tsb
