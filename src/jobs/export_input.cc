#include "jobs/export_input.h"

#include <sys/stat.h>

namespace tsb::jobs {

namespace {

// stat, not open: opening a FIFO waits for a writer, and reading it consumes what the real pass
// needs.
std::string NotRegularFile(const std::string& path) {
  struct stat st;
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return "";
  if (S_ISFIFO(st.st_mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(st.st_mode)) return "a character device";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  if (S_ISDIR(st.st_mode)) return "a directory";
  return "not a regular file";
}

}  // namespace

Result<InputTarget> ResolveInput(const ExportOptions& options, const JobSpec& spec) {
  InputTarget t;
  t.path = options.input.empty() ? spec.file->path : options.input;
  const bool file = t.path != "-";
  if (!options.format.empty()) {
    TSB_ASSIGN_OR_RETURN(t.format, ParseFormatName(options.format));
    TextCompression c = TextCompression::kNone;
    if (file && FormatFromPath(t.path, &c).ok()) t.compression = c;
  } else if (file && FormatFromPath(t.path, &t.compression).ok()) {
    TSB_ASSIGN_OR_RETURN(t.format, FormatFromPath(t.path, &t.compression));
  } else if (spec.file.has_value()) {
    TSB_ASSIGN_OR_RETURN(t.format, ParseFormatName(spec.file->format));
    if (spec.file->compression == "gzip") t.compression = TextCompression::kGzip;
    if (spec.file->compression == "zstd") t.compression = TextCompression::kZstd;
  } else {
    return Status::InvalidArgument("--input " + t.path +
                                   ": cannot tell the format; give --format parquet|csv|jsonl");
  }
  if (t.format == FileFormat::kParquet && t.path == "-") {
    return Status::InvalidArgument("--input -: Parquet cannot be read from stdin; give a file");
  }
  t.not_regular = NotRegularFile(t.path);
  if (t.format == FileFormat::kParquet && !t.not_regular.empty()) {
    return Status::InvalidArgument("--input " + t.path + ": Parquet is read from its footer " +
                                   "backwards and needs a regular file; this is " + t.not_regular);
  }
  return t;
}

std::string DefaultRejectsPath(const InputTarget& t) {
  if (t.path == "-") return "-";
  const std::string stem = PathStem(t.path);
  return stem + (t.format == FileFormat::kCsv ? ".rejects.csv" : ".rejects.jsonl");
}

Status CheckScatterInput(const InputTarget& input) {
  std::string why;
  if (input.path == "-") {
    why = "stdin is a stream";
  } else if (!input.not_regular.empty()) {
    why = input.path + " is " + input.not_regular;
  } else if (input.compression != TextCompression::kNone) {
    why = input.path + " is compressed (" +
          (input.compression == TextCompression::kGzip ? "gzip" : "zstd") +
          "), so it can only be read from its start";
  }
  if (why.empty()) return Status::OK();
  return Status::InvalidArgument(
      "--scatter reads the input at several places at once and needs a seekable, "
      "uncompressed file; " +
      why);
}

Status CheckJsonlColumns(const InputTarget& input, const JobSpec& spec) {
  if (input.path == "-" || !input.not_regular.empty()) return Status::OK();
  ReaderOptions peek;
  peek.path = input.path;
  peek.format = FileFormat::kJsonl;
  peek.compression = input.compression;
  TSB_ASSIGN_OR_RETURN(auto reader, OpenReader(peek));
  RowBatch batch(std::make_shared<const Schema>(reader->schema()), 1);
  TSB_RETURN_IF_ERROR(reader->Next(&batch));
  if (batch.num_rows() == 0 && batch.rejects().empty()) return Status::OK();  // empty input
  // The reader infers its keys from the first MiB; a first line longer than that leaves none.
  if (reader->schema().size() == 0) return Status::OK();
  for (const Field& f : spec.columns) {
    if (reader->schema().Find(f.name) < 0) {
      return Status::InvalidArgument(input.path + ": the spec's column \"" + f.name +
                                     "\" is not a key of the input's first lines");
    }
  }
  return Status::OK();
}

}  // namespace tsb::jobs
