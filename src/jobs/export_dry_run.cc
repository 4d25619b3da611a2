#include "jobs/export_dry_run.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "jobs/import_splits.h"
#include "tablestore/core_bridge.h"
#include "tsbridge/convert.h"
#include "tsbridge/tablestore/limits.h"

namespace tsb::jobs {

namespace {

// Index of the split that holds `key`: the number of split points <= key.
size_t SplitIndex(const std::vector<ots::Row>& points, const std::vector<ots::Cell>& key) {
  auto less_equal = [&](const ots::Row& point) {
    for (size_t i = 0; i < point.primary_key.size() && i < key.size(); ++i) {
      const ots::Value& pv = *point.primary_key[i].value;
      if (pv.type == ots::ValueType::kInfMin) return true;
      if (pv.type == ots::ValueType::kInfMax) return false;
      OtsValueRef a, b;
      if (!ots::FromWireValue(pv, &a) || !ots::FromWireValue(*key[i].value, &b)) return true;
      int c = CompareOtsValues(a, b);
      if (c != 0) return c < 0;
    }
    return true;  // equal on the point's columns; omitted ones are INF_MIN
  };
  size_t lo = 0, hi = points.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (less_equal(points[mid])) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

std::string DescribePoint(const ots::Row& point) {
  std::string out = "(";
  for (size_t i = 0; i < point.primary_key.size(); ++i) {
    if (i > 0) out += ", ";
    OtsValueRef ref;
    if (point.primary_key[i].value && ots::FromWireValue(*point.primary_key[i].value, &ref)) {
      out += FormatOtsValue(ref);
    } else {
      out += "INF";
    }
  }
  return out + ")";
}

}  // namespace

DryRunPlanner::DryRunPlanner(const ots::TableBatchWriter::Options& options, int parallel)
    : options_(options),
      parallel_(parallel),
      encoder_(&options_.mapping, options_.rows),
      batch_rows_(static_cast<size_t>(parallel)),
      batch_bytes_(static_cast<size_t>(parallel)),
      batch_keys_(static_cast<size_t>(parallel)),
      split_rows_(1) {}

Status DryRunPlanner::LoadSplits(ots::Client* client, const std::string& table) {
  ots::ComputeSplitsRequest request;
  request.table = table;
  TSB_RETURN_IF_ERROR(client->ComputeSplitPointsBySize(request, &splits_));
  TSB_RETURN_IF_ERROR(
      RefineSplits(client, request, static_cast<size_t>(parallel_), &splits_, &split_mib_));
  have_splits_ = true;
  split_rows_.assign(splits_.split_points.size() + 1, 0);
  return Status::OK();
}

Status DryRunPlanner::AddRows(const RowBatch& batch, size_t begin, size_t end,
                              const ots::TableBatchWriter::OnEncodeRejected& on_rejected) {
  const auto& positions = batch.positions();
  for (size_t r = begin; r < end; ++r) {
    ++ordinal_;
    ots::EncodeOutcome outcome = encoder_.Encode(batch, r, &item_, &code_, &message_);
    const int64_t position =
        (positions.size() > r ? positions[r] : ordinal_) + options_.position_offset;
    if (outcome == ots::EncodeOutcome::kSkip) {
      ++rows_skipped_;
    } else if (outcome == ots::EncodeOutcome::kReject) {
      TSB_RETURN_IF_ERROR(on_rejected(batch, r, position, code_, message_));
    } else {
      Add(item_);
    }
  }
  return Status::OK();
}

void DryRunPlanner::AddReject(std::string_view code, std::string reason) {
  rejects_.emplace_back(std::string(code), std::move(reason));
}

void DryRunPlanner::Add(ots::WriteItem& item) {
  if (!keys_.insert(item.key_hash).second) ++duplicates_;
  write_cu_ +=
      std::max<int64_t>(1, (static_cast<int64_t>(item.encoded_size) + ots::kCapacityUnitBytes - 1) /
                               ots::kCapacityUnitBytes);
  if (item.condition.row_existence != ots::RowExistence::kIgnore) ++read_cu_;
  split_rows_[SplitIndex(splits_.split_points, item.row().primary_key)]++;
  // The writers' cutting, approximately: a request ends at 200 rows, 4 MiB or a repeated key.
  const size_t w = item.key_hash % static_cast<uint64_t>(parallel_);
  if (batch_rows_[w] >= options_.writer.max_rows ||
      batch_bytes_[w] + static_cast<int64_t>(item.encoded_size) > options_.writer.max_bytes ||
      batch_keys_[w].count(item.key_hash) > 0) {
    ++requests_;
    batch_rows_[w] = 0;
    batch_bytes_[w] = 0;
    batch_keys_[w].clear();
  }
  ++batch_rows_[w];
  batch_bytes_[w] += static_cast<int64_t>(item.encoded_size);
  batch_keys_[w].insert(item.key_hash);
}

void DryRunPlanner::Finish(ExportDryRunReport* report) {
  for (int64_t rows : batch_rows_) {
    if (rows > 0) ++requests_;
  }
  report->rows_skipped = rows_skipped_;
  // Per code: how many rows, and the first one's reason.
  for (const auto& [c, m] : rejects_) {
    const auto& code = c;  // clang 14: a lambda cannot name a structured binding
    auto it = std::find_if(report->reject_codes.begin(), report->reject_codes.end(),
                           [&](const ExportDryRunReport::Code& e) { return e.code == code; });
    if (it == report->reject_codes.end()) {
      report->reject_codes.push_back({c, 1, m});
    } else {
      ++it->rows;
    }
  }
  report->duplicates = duplicates_;
  report->requests = requests_;
  report->parallel = parallel_;
  report->max_request_rows = options_.writer.max_rows;
  report->max_request_bytes = options_.writer.max_bytes;
  report->write_cu = write_cu_;
  report->read_cu = read_cu_;
  report->split_mib = split_mib_;
  if (!have_splits_) return;
  const int64_t written = report->rows_read - report->rows_rejected;
  const auto& points = splits_.split_points;
  for (size_t i = 0; i < split_rows_.size(); ++i) {
    ExportDryRunReport::Range& range = report->ranges.emplace_back();
    range.from = i == 0 ? "-inf" : DescribePoint(points[i - 1]);
    range.to = i + 1 < split_rows_.size() ? DescribePoint(points[i]) : "+inf";
    range.rows = split_rows_[i];
    range.share = written > 0
                      ? 100.0 * static_cast<double>(split_rows_[i]) / static_cast<double>(written)
                      : 0;
    range.hot = split_rows_.size() > 1 && range.share > 200.0 / split_rows_.size();
  }
}

std::string FormatExportDryRunReport(const ExportDryRunReport& r) {
  std::string out;
  char line[512];
  std::snprintf(
      line, sizeof(line),
      "dry run: table \"%s\"%s\n"
      "rows read: %" PRId64
      "%s\n"
      "rows that can never be written: %" PRId64 "\n",
      r.table.c_str(), r.would_create ? " (does not exist; --create-table would create it)" : "",
      r.rows_read,
      r.shard_count > 0
          ? (" (share " + std::to_string(r.shard_index) + "/" + std::to_string(r.shard_count) +
             "; " + std::to_string(r.rows_skipped) + " rows belong to other shares)")
                .c_str()
          : "",
      r.rows_rejected);
  out += line;
  for (const ExportDryRunReport::Code& c : r.reject_codes) {
    out += "  " + c.code + ": " + std::to_string(c.rows) + " rows (first: " + c.first + ")\n";
  }
  std::snprintf(line, sizeof(line),
                "duplicate primary keys: %" PRId64
                " rows repeat an earlier key (the last wins)\n"
                "BatchWriteRow requests: %" PRId64 " (--parallel %d, at most %d rows / %" PRId64
                " bytes each)\n"
                "write CU: about %" PRId64 " (read CU for conditions: %" PRId64 ")\n",
                r.duplicates, r.requests, r.parallel, r.max_request_rows, r.max_request_bytes,
                r.write_cu, r.read_cu);
  out += line;
  if (r.would_create) return out;
  std::snprintf(line, sizeof(line),
                "key ranges (ComputeSplitPointsBySize, %" PRId64 " MiB splits): %zu\n", r.split_mib,
                r.ranges.size());
  out += line;
  for (const ExportDryRunReport::Range& range : r.ranges) {
    std::snprintf(line, sizeof(line), "  [%s, %s): %" PRId64 " rows (%.1f%%)%s\n",
                  range.from.c_str(), range.to.c_str(), range.rows, range.share,
                  range.hot ? "  <- hot spot" : "");
    out += line;
  }
  return out;
}

}  // namespace tsb::jobs
