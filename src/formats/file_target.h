// A file target: the file an import writes or an export reads, resolved once from the command
// line and the spec into its path, format and compression, with the names that follow from them
// (a part file's extension, the default reject file) and the writer's settings. Every choice is
// the format descriptor's (format.h), so this module names no format.
#pragma once

#include <optional>
#include <string>

#include "formats/format.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/status.h"

namespace tsb {

struct FileTarget {
  std::string path;  // a file, "-" (stdin / stdout), or a directory (ending in '/')
  bool directory = false;
  FileFormat format = FileFormat::kCsv;
  TextCompression compression = TextCompression::kNone;
  // An input that is not a regular file: what it is ("a FIFO (named pipe)", ...); empty for a
  // regular file, a path that stat cannot see (opening it reports why) and stdin.
  std::string not_regular;
  // The text dialect (formats whose descriptor takes_dialect; see ResolveDialect).
  TextDialect dialect;
};

// Import's output: --output (else the spec's file.path), --format, else the name's extension,
// else the spec's file.format. A name whose extension names a format must agree with --format
// when both are given; an unknown extension needs --format (or is the spec's own file.path, whose
// file.format the spec parser already required). A format that compresses inside the file is
// refused with a .gz / .zst name.
Result<FileTarget> ResolveOutputTarget(const std::string& output, const std::string& format,
                                       const std::optional<FileSpec>& file);

// Export's input: --input (else the spec's file.path), --format, else the name's extension, else
// the spec's file.format. A format that does not stream is refused on stdin and on anything but a
// regular file (stat, not open: opening a FIFO waits for a writer).
Result<FileTarget> ResolveInputTarget(const std::string& input, const std::string& format,
                                      const std::optional<FileSpec>& file);

// The target's dialect: the format's default, a tab for a name ending in the format's
// tab_extension (x.tsv, x.tsv.gz), then the spec's file.delimiter, ... (file.* in messages), then
// `flags` (--delimiter, ...). Without a header, the file's columns are the spec's, in its order.
// Flags given for a format that takes no dialect are refused, naming the flag.
Status ResolveDialect(const DialectSettings& flags, const JobSpec& spec, FileTarget* t);

// The extension of a file written in the target's format and compression (.parquet, .csv.gz;
// .tsv for a tab-delimited one).
std::string TargetExtension(const FileTarget& t);

// The writer's options for the target: its format and compression, and the format's settings:
// `flags` (import --compression / --row-group-rows) over the spec's file.compression /
// file.row_group_rows, over the format's defaults. Settings given to a format that takes none
// are refused, naming the flag.
Result<WriterOptions> TargetWriterOptions(const FileTarget& t, const WriterSettings& flags,
                                          const std::optional<FileSpec>& file);

// The reader's options for the target.
ReaderOptions TargetReaderOptions(const FileTarget& t);

// A path without its directory-less last extension and a .gz / .zst before it: x.csv.gz -> x.
std::string PathStem(const std::string& path);

// ".csv" / ".jsonl": the extension of a reject file of that form.
std::string_view RejectExtension(RejectFormat format);
// The name of the reject file inside an output directory ("_rejects.jsonl").
std::string DirectoryRejectsName(RejectFormat format);
// The reject file beside a target (decisions 3): <stem>.rejects.<ext>; DIR/_rejects.<ext> for a
// directory; "-" (stderr) for stdin / stdout.
std::string DefaultRejectsPath(const FileTarget& t, RejectFormat format);

}  // namespace tsb
