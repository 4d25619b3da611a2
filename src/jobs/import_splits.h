// The splits of an import (decisions 4): ComputeSplitPointsBySize at the fixed 256 MiB target,
// asked again with smaller targets for a full-table scan that gets fewer splits than scanners,
// the --shard share, then clipped to the plan's key ranges. The fingerprint of the split points
// tells two runs (or the hosts of a sharded import) whether they saw the same splits.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/scan_plan.h"
#include "jobs/import_job.h"
#include "tsbridge/status.h"
#include "tsbridge/tablestore/client.h"

namespace tsb::jobs {

struct ScanTask {
  std::vector<KeyBound> start;
  std::vector<KeyBound> end;
  // The number of its part file under --output DIR/: the task's position, or with --shard a
  // number unique across the shares (so that the hosts of a sharded import can share a directory),
  // ascending in key order either way.
  size_t part_number = 0;
};

// decisions 4: a table of fewer splits than `wanted` is asked again with smaller split targets
// (64, 16, 4, 1 MiB of `request`'s units) until it has enough or the smallest was asked.
// *result holds the last answer; *split_mib (when given) the target it was asked with.
Status RefineSplits(ots::Client* client, ots::ComputeSplitsRequest request, size_t wanted,
                    ots::ComputeSplitsResult* result, int64_t* split_mib = nullptr);

// *fingerprint is the FNV-1a hash of the encoded split points, in hex.
Result<std::vector<ScanTask>> PlanSplits(ots::Client* client, const std::string& table,
                                         const ScanPlan& plan, const ImportOptions& options,
                                         std::string* fingerprint);

}  // namespace tsb::jobs
