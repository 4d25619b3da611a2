// `tsbridge spec init`: a starter job spec for a table. With --from-table it is read off the
// table: the primary key in order from DescribeTable, then, in name order, the defined columns and
// every attribute a sample of rows carries (jobs/table_sample.h), each typed by its declared kind
// or the Tablestore kind it holds most often in the sample; the local names are the Tablestore
// names. The quickest way from a table to an
// import that works.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "jobs/auth_access.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

struct SpecInitOptions {
  std::string table;
  std::string endpoint;  // resolved by the caller (--endpoint, TSBRIDGE_ENDPOINT or the default)
  std::string instance;
  bool from_table = false;
  int64_t sample_rows = 1000;  // rows the attribute sample reads at most
  double request_timeout = 30;
  double retry_deadline = 300;
  AuthOptions auth;  // --profile, --credentials-file, --ca-bundle, ...
};

struct SpecInit {
  JobSpec spec;
  // What the user should know about the spec (on stderr): what was sampled, which attributes
  // hold more than one kind, what is left to edit.
  std::vector<std::string> notes;
};

// The spec, checked by the spec parser. Without from_table: the table's place, one placeholder
// key column to replace, and a Parquet file named after the table.
Result<SpecInit> BuildStarterSpec(const SpecInitOptions& options);

}  // namespace tsb::jobs
