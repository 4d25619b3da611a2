// Where `tsbridge export` reads from and where its rejects go: the input's path, format and
// compression (from --format, the path's extension or the spec), the checks a path must pass
// before it is opened, and the default reject file beside it.
#pragma once

#include <cstdint>
#include <string>

#include "core/text_io.h"
#include "formats/format.h"
#include "jobs/export_job.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

struct InputTarget {
  std::string path;  // a file or "-"
  FileFormat format = FileFormat::kCsv;
  TextCompression compression = TextCompression::kNone;
  // What the path is when it is not a regular file ("a FIFO", ...); empty for a regular file, a
  // path that stat cannot see (opening it reports why) and stdin.
  std::string not_regular;
};

Result<InputTarget> ResolveInput(const ExportOptions& options, const JobSpec& spec);
// decisions 4: --scatter needs a seekable, uncompressed file; refused before anything is read.
Status CheckScatterInput(const InputTarget& input);
// <stem>.rejects.<csv|jsonl> beside the input, where x.csv.gz has stem x (decisions 3).
std::string DefaultRejectsPath(const InputTarget& t);
// A JSON Lines file names its columns only line by line: check that the spec's columns appear
// in the first lines before anything is written (stdin cannot be read twice; it is not checked).
Status CheckJsonlColumns(const InputTarget& input, const JobSpec& spec);

}  // namespace tsb::jobs
