// The checks of `tsbridge export`'s input (formats/file_target.h resolves it) that need the job:
// --scatter's, and the spec's columns against a format that names them record by record.
#pragma once

#include "formats/file_target.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

// decisions 4: --scatter needs a seekable, uncompressed file; refused before anything is read.
Status CheckScatterInput(const FileTarget& input);
// A format that names its columns only record by record (JSON Lines): check that the spec's
// columns appear in the first records before anything is written (stdin cannot be read twice; it
// is not checked). Other formats pass.
Status CheckColumnsOfFirstRecords(const FileTarget& input, const JobSpec& spec);

}  // namespace tsb::jobs
