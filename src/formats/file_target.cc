#include "formats/file_target.h"

#include <sys/stat.h>

#include <filesystem>

#include "core/ascii.h"

namespace tsb {

namespace {

// "--format csv|jsonl|parquet" (the registry's names)
std::string FormatHint() {
  std::string names;
  for (FileFormat f : RegisteredFormats())
    names += (names.empty() ? "" : "|") + std::string(f->name);
  return "--format " + names;
}

std::string NotRegularFile(const std::string& path) {
  struct stat st;
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return "";
  if (S_ISFIFO(st.st_mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(st.st_mode)) return "a character device";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  if (S_ISDIR(st.st_mode)) return "a directory";
  return "not a regular file";
}

// A target that the command line leaves open is the spec's file.format and compression.
Status FromSpecFile(const std::optional<FileSpec>& file, const std::string& flag, FileTarget* t) {
  if (!file.has_value()) {
    return Status::InvalidArgument(flag + " " + t->path + ": cannot tell the format; give " +
                                   FormatHint());
  }
  TSB_ASSIGN_OR_RETURN(t->format, ParseFormatName(file->format));
  t->compression = CompressionFromName(file->compression);
  return Status::OK();
}

}  // namespace

Result<FileTarget> ResolveOutputTarget(const std::string& output, const std::string& format,
                                       const std::optional<FileSpec>& file) {
  FileTarget t;
  t.path = output.empty() ? file->path : output;
  t.directory = !t.path.empty() && t.path.back() == '/';
  const bool plain_file = !t.directory && t.path != "-";
  std::error_code ec;
  if (plain_file && std::filesystem::is_directory(t.path, ec)) {
    return Status::InvalidArgument("--output " + t.path + " is a directory; write " + t.path +
                                   "/ for one part file per split");
  }
  const std::optional<FileFormat> named = plain_file ? FormatNamedBy(t.path) : std::nullopt;
  const TextCompression name_compression =
      plain_file ? CompressionNamedBy(t.path) : TextCompression::kNone;
  if (!format.empty()) {
    TSB_ASSIGN_OR_RETURN(t.format, ParseFormatName(format));
    if (named && *named != t.format) {
      return Status::InvalidArgument("--output " + t.path + ": the name says " +
                                     std::string((*named)->name) + " but --format is " +
                                     std::string(t.format->name) +
                                     "; rename the output or drop --format");
    }
    t.compression = name_compression;
  } else if (named) {
    t.format = *named;
    t.compression = name_compression;
  } else if (plain_file && !output.empty()) {
    std::string exts;
    const auto& formats = RegisteredFormats();
    for (size_t i = 0; i < formats.size(); ++i) {
      if (i > 0) exts += i + 1 == formats.size() ? " or " : ", ";
      exts += formats[i]->extensions[0];
    }
    return Status::InvalidArgument("--output " + t.path +
                                   ": cannot tell the format from the name; expected " + exts +
                                   " (text ones optionally .gz or .zst), or give " + FormatHint());
  } else {
    TSB_RETURN_IF_ERROR(FromSpecFile(file, "--output", &t));
  }
  if (!t.format->compressible && t.compression != TextCompression::kNone) {
    std::string fix = "name it " + std::string(t.format->extensions[0]);
    if (t.format->apply_settings != nullptr) {
      fix += " and use --compression " + std::string(CompressionName(t.compression));
    }
    return Status::InvalidArgument("--output " + t.path + ": a " + std::string(t.format->title) +
                                   " file " + std::string(t.format->why_not_compressible) + "; " +
                                   fix);
  }
  return t;
}

Result<FileTarget> ResolveInputTarget(const std::string& input, const std::string& format,
                                      const std::optional<FileSpec>& file) {
  FileTarget t;
  t.path = input.empty() ? file->path : input;
  const bool plain_file = t.path != "-";
  TextCompression c = TextCompression::kNone;
  Result<FileFormat> from_path =
      plain_file ? FormatFromPath(t.path, &c) : Result<FileFormat>(Status::InvalidArgument(""));
  if (!format.empty()) {
    TSB_ASSIGN_OR_RETURN(t.format, ParseFormatName(format));
    if (from_path.ok()) t.compression = c;
  } else if (from_path.ok()) {
    t.format = *from_path;
    t.compression = c;
  } else {
    TSB_RETURN_IF_ERROR(FromSpecFile(file, "--input", &t));
  }
  const std::string title(t.format->title);
  if (!t.format->streams && t.path == "-") {
    return Status::InvalidArgument("--input -: " + title +
                                   " cannot be read from stdin; give a file");
  }
  t.not_regular = NotRegularFile(t.path);
  if (!t.format->streams && !t.not_regular.empty()) {
    return Status::InvalidArgument("--input " + t.path + ": " + title + " " +
                                   std::string(t.format->why_not_streamed) +
                                   " and needs a regular file; this is " + t.not_regular);
  }
  return t;
}

Status ResolveDialect(const DialectSettings& flags, const JobSpec& spec, FileTarget* t) {
  const FormatDescriptor& d = t->format.descriptor();
  if (!d.takes_dialect) {
    if (!flags.any()) return Status::OK();
    const char* flag = flags.delimiter   ? "--delimiter"
                       : flags.quote     ? "--quote"
                       : flags.escape    ? "--escape"
                       : flags.null_text ? "--null"
                       : flags.encoding  ? "--encoding"
                                         : "--header";
    std::string takers;
    for (FileFormat f : RegisteredFormats()) {
      if (f->takes_dialect) takers += (takers.empty() ? "" : " or ") + std::string(f->title);
    }
    return Status::InvalidArgument(std::string(flag) + " sets up " + takers + " files, and " +
                                   t->path + " is " + std::string(d.name));
  }
  TextDialect dialect;
  if (!d.tab_extension.empty() && !t->directory) {
    std::string p = AsciiLower(t->path);
    const std::string_view suffix = CompressionSuffix(CompressionNamedBy(p));
    p.resize(p.size() - suffix.size());
    if (p.size() > d.tab_extension.size() && p.ends_with(d.tab_extension)) dialect.delimiter = '\t';
  }
  // The spec's dialect serves any file of a format that takes one: the spec parser refuses it
  // for a file.format that does not.
  if (spec.file.has_value()) {
    TSB_RETURN_IF_ERROR(ApplyDialectSettings(spec.file->dialect, "file.", &dialect));
  }
  TSB_RETURN_IF_ERROR(ApplyDialectSettings(flags, "--", &dialect));
  if (!dialect.header) {
    for (const Field& f : spec.columns) dialect.columns.push_back(f.name);
  }
  t->dialect = std::move(dialect);
  return Status::OK();
}

std::string TargetExtension(const FileTarget& t) {
  const bool tab = !t.format->tab_extension.empty() && t.dialect.delimiter == '\t';
  return std::string(tab ? t.format->tab_extension : t.format->extensions[0]) +
         std::string(CompressionSuffix(t.compression));
}

Result<WriterOptions> TargetWriterOptions(const FileTarget& t, const WriterSettings& flags,
                                          const std::optional<FileSpec>& file) {
  WriterOptions writer;
  writer.path = t.path;
  writer.format = t.format;
  writer.compression = t.compression;
  writer.dialect = t.dialect;
  if (t.format->apply_settings == nullptr && (!flags.codec.empty() || flags.row_group_rows != 0)) {
    std::string takers;
    for (FileFormat f : RegisteredFormats()) {
      if (f->apply_settings != nullptr)
        takers += (takers.empty() ? "" : " or ") + std::string(f->title);
    }
    std::string text = std::string(!flags.codec.empty() ? "--compression" : "--row-group-rows") +
                       " sets up " + takers + " output, and this output is " +
                       std::string(t.format->name);
    if (t.format->compressible) text += " (text is compressed by a .gz or .zst name)";
    return Status::InvalidArgument(text);
  }
  if (flags.row_group_rows < 0 || flags.row_group_rows > INT32_MAX) {
    return Status::InvalidArgument(
        "--row-group-rows: expected a number of rows from 1 to 2147483647");
  }
  if (t.format->apply_settings == nullptr) return writer;
  // The spec's settings serve any output of a format that takes them: the spec parser refuses
  // them for a file.format that does not.
  WriterSettings settings = flags;
  if (settings.codec.empty()) {
    settings.codec = file.has_value() ? file->parquet_codec : "";
    settings.codec_where = "file.compression";
  }
  if (settings.row_group_rows == 0 && file.has_value()) {
    settings.row_group_rows = file->row_group_rows;
  }
  TSB_RETURN_IF_ERROR(t.format->apply_settings(settings, &writer));
  return writer;
}

ReaderOptions TargetReaderOptions(const FileTarget& t) {
  ReaderOptions reader;
  reader.path = t.path;
  reader.format = t.format;
  reader.compression = t.compression;
  reader.dialect = t.dialect;
  return reader;
}

std::string PathStem(const std::string& path) {
  std::string stem = path;
  for (std::string_view ext : {".gz", ".zst"}) {
    if (stem.size() > ext.size() && stem.ends_with(ext)) stem.resize(stem.size() - ext.size());
  }
  const size_t slash = stem.find_last_of('/');
  const size_t dot = stem.find_last_of('.');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) stem.resize(dot);
  return stem;
}

std::string_view RejectExtension(RejectFormat format) {
  return format == RejectFormat::kCsv ? ".csv" : ".jsonl";
}

std::string DirectoryRejectsName(RejectFormat format) {
  return "_rejects" + std::string(RejectExtension(format));
}

std::string DefaultRejectsPath(const FileTarget& t, RejectFormat format) {
  if (t.directory) return t.path + DirectoryRejectsName(format);
  if (t.path == "-") return "-";
  // A CSV reject file is written in the input's dialect: a tab-separated one is named so.
  const bool tab = format == RejectFormat::kCsv && !t.format->tab_extension.empty() &&
                   t.dialect.delimiter == '\t';
  return PathStem(t.path) + ".rejects" +
         std::string(tab ? t.format->tab_extension : RejectExtension(format));
}

}  // namespace tsb
