// The table `tsbridge export` writes to: described and checked against the mapping, or, with
// --create-table, created from the mapping's primary-key columns first (a dry run only says that
// it would be).
#pragma once

#include "jobs/export_job.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/status.h"
#include "tsbridge/tablestore/client.h"

namespace tsb::jobs {

// *would_create: the table does not exist and a dry run with --create-table would create it.
Result<ots::TableDescription> PrepareTable(ots::Client* client, const JobSpec& spec,
                                           const ExportOptions& options, bool* would_create);

}  // namespace tsb::jobs
