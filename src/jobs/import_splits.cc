#include "jobs/import_splits.h"

#include <cinttypes>
#include <cstdio>

#include "core/hash.h"
#include "core/log.h"
#include "tablestore/core_bridge.h"
#include "tablestore/plainbuffer.h"

namespace tsb::jobs {

Status RefineSplits(ots::Client* client, ots::ComputeSplitsRequest request, size_t wanted,
                    ots::ComputeSplitsResult* result, int64_t* split_mib) {
  for (int64_t target : {64, 16, 4, 1}) {
    if (result->splits.size() >= wanted) break;
    request.split_size = target;
    TSB_RETURN_IF_ERROR(client->ComputeSplitPointsBySize(request, result));
    if (split_mib != nullptr) *split_mib = target;
  }
  return Status::OK();
}

Result<std::vector<ScanTask>> PlanSplits(ots::Client* client, const std::string& table,
                                         const ScanPlan& plan, const ImportOptions& options,
                                         std::string* fingerprint) {
  ots::ComputeSplitsRequest request;
  request.table = table;
  request.split_size = 256;
  request.split_size_unit_bytes =
      options.split_unit_bytes_for_test > 0 ? options.split_unit_bytes_for_test : 1 << 20;
  ots::ComputeSplitsResult result;
  TSB_RETURN_IF_ERROR(client->ComputeSplitPointsBySize(request, &result));
  uint64_t h = kFnv1aOffset;
  std::string encoded;
  for (const ots::Row& point : result.split_points) {
    encoded.clear();
    ots::EncodePrimaryKey(point.primary_key, &encoded);
    h = Fnv1a(encoded, h);
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016" PRIx64, h);
  *fingerprint = hex;

  auto to_bounds = [](const ots::ComputeSplitsResult& r) {
    std::vector<ScanTask> splits;
    for (const ots::KeyRange& s : r.splits) {
      splits.push_back(ScanTask{ots::FromWireKey(s.start), ots::FromWireKey(s.end)});
    }
    return splits;
  };
  std::vector<ScanTask> splits = to_bounds(result);

  size_t first_split = 0;  // the global index of splits[0]
  const size_t all_splits = splits.size();
  if (options.shard_count > 0) {
    const size_t n = splits.size();
    const size_t k = static_cast<size_t>(options.shard_index - 1);
    const size_t count = static_cast<size_t>(options.shard_count);
    size_t begin = n * k / count;
    size_t end = n * (k + 1) / count;
    splits = std::vector<ScanTask>(splits.begin() + begin, splits.begin() + end);
    first_split = begin;
    if (splits.empty() && !options.quiet) {
      // Shares are whole splits of 256 MiB (decisions 4), so that every host computes the same
      // ones; a table of fewer splits than shares leaves some shares empty.
      log::Printf(log::Level::kWarn,
                   "import: share %d/%d has no split and reads nothing: the table is estimated "
                   "at under %zu MiB (%zu split%s of 256 MiB), and --shard K/%d pays only from "
                   "%d x 256 MiB = %d MiB up\n",
                   options.shard_index, options.shard_count, n * 256, n, n == 1 ? "" : "s",
                   options.shard_count, options.shard_count, options.shard_count * 256);
    }
  } else if (plan.IsFullTable() && splits.size() < static_cast<size_t>(options.parallel) &&
             !(options.limit > 0 && !plan.residue)) {
    // (A --limit without a local residue is served by the first rows of the first split: more,
    // smaller splits would only cost split calls and scanners reading rows nobody writes.)
    TSB_RETURN_IF_ERROR(
        RefineSplits(client, request, static_cast<size_t>(options.parallel), &result));
    splits = to_bounds(result);
  }

  std::vector<ScanTask> tasks;
  for (size_t r = 0; r < plan.ranges.size(); ++r) {
    const KeyRange& range = plan.ranges[r];
    for (size_t i = 0; i < splits.size(); ++i) {
      const ScanTask& split = splits[i];
      const auto& lo = CompareKeyTuples(range.start, split.start) >= 0 ? range.start : split.start;
      const auto& hi = CompareKeyTuples(range.end, split.end) <= 0 ? range.end : split.end;
      if (CompareKeyTuples(lo, hi) >= 0) continue;
      const size_t number =
          options.shard_count > 0 ? r * all_splits + first_split + i : tasks.size();
      tasks.push_back(ScanTask{lo, hi, number});
    }
  }
  return tasks;
}

}  // namespace tsb::jobs
