// `tsbridge describe`: the spec's table and what is wrong with its mapping, before any data moves
// (describe_report.h has what the report holds and the findings' codes).
//
// The steps: the spec (checked offline, as import checks it); the client; DescribeTable;
// ComputeSplitPointsBySize for the size (once at 256 MiB, and for a one-split table once more at
// 1 MiB, so that a small table's size is not "at most 256 MiB"); the key findings; a sample of
// rows (table_sample.h) read with the spec itself when its keys are right, else with the table's
// own key and the spec's attributes (so that a wrong key entry does not turn every sampled row
// into a reject); the attribute findings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "jobs/auth_access.h"
#include "jobs/describe_report.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

struct DescribeOptions {
  std::string spec_path;
  std::string endpoint;         // --endpoint
  double request_timeout = 30;  // --request-timeout
  double retry_deadline = 300;  // --retry-deadline
  int64_t sample = 1000;        // --sample N: rows to read; 0 = none (no attribute findings)
  AuthOptions auth;             // --profile, --credentials-file, --sts-endpoint, --ca-bundle, ...
};

// Fills *report. A failure before the report is complete (the spec, the network, a missing
// table, credentials) is the Status; the mapping's problems are findings, not a failure.
Status RunDescribe(const DescribeOptions& options, DescribeReport* report);

// --list-tables: the instance's tables (ListTable), in the service's order.
Result<std::vector<std::string>> ListTables(const DescribeOptions& options);

}  // namespace tsb::jobs
