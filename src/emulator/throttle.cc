#include "emulator/throttle.h"

#include <algorithm>
#include <utility>

#include "emulator/key_codec.h"
#include "emulator/store.h"

namespace tsb::emulator {

namespace {

// How long the computed split points of a table without given partitions stay in use: the
// service, too, splits a growing partition some time after it grew.
constexpr std::chrono::seconds kRecomputeEvery{10};
// The service's partitions are far larger than a test table; its 100 MiB split unit keeps a small
// table in one partition, as on the service.
constexpr int64_t kSplitUnits = 1;
constexpr int64_t kSplitUnitBytes = 100LL << 20;
// A partition's burst: half a second of its rate (see throttle.h).
constexpr double kBurstSeconds = 0.5;

std::string KeyBytes(const std::vector<ots::Cell>& key) {
  std::string out;
  for (const ots::Cell& cell : key) {
    if (!cell.value || !AppendKeyValue(*cell.value, &out)) break;
  }
  return out;
}

std::string TableKey(std::string_view instance, std::string_view table) {
  std::string key(instance);
  key.push_back('\0');
  key.append(table);
  return key;
}

}  // namespace

size_t PartitionThrottle::PartitionOf(const std::vector<std::string>& splits,
                                      std::string_view key_bytes) {
  // A split point's row starts its partition. A given split point is the partition key alone,
  // a prefix of every key that starts with it, which sorts after it: upper_bound keeps such keys
  // in the partition the point begins.
  auto it = std::upper_bound(splits.begin(), splits.end(), key_bytes,
                             [](std::string_view k, const std::string& s) { return k < s; });
  return static_cast<size_t>(it - splits.begin());
}

std::shared_ptr<PartitionThrottle::TableState> PartitionThrottle::State(std::string_view instance,
                                                                        std::string_view table) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<TableState>& state = tables_[TableKey(instance, table)];
  if (!state) state = std::make_shared<TableState>();
  return state;
}

void PartitionThrottle::ResetBuckets(TableState* state,
                                     std::chrono::steady_clock::time_point now) const {
  state->buckets.assign(state->splits.size() + 1, Bucket{rate_ * kBurstSeconds, now});
}

void PartitionThrottle::SetPartitions(std::string_view instance, std::string_view table,
                                      const std::vector<ots::Value>& begins) {
  std::vector<std::string> splits;
  for (const ots::Value& v : begins) {
    std::string bytes;
    if (v.type == ots::ValueType::kInfMin || !AppendKeyValue(v, &bytes)) continue;
    splits.push_back(std::move(bytes));
  }
  std::sort(splits.begin(), splits.end());
  splits.erase(std::unique(splits.begin(), splits.end()), splits.end());
  std::shared_ptr<TableState> state = std::make_shared<TableState>();
  state->given = !splits.empty();
  state->splits = std::move(splits);
  ResetBuckets(state.get(), std::chrono::steady_clock::now());
  state->computed = std::chrono::steady_clock::now();
  if (!state->given) state->computed = {};
  std::lock_guard<std::mutex> lock(mu_);
  tables_[TableKey(instance, table)] = std::move(state);
}

void PartitionThrottle::Forget(std::string_view instance, std::string_view table) {
  std::lock_guard<std::mutex> lock(mu_);
  tables_.erase(TableKey(instance, table));
}

Status PartitionThrottle::Admit(std::string_view instance, std::string_view table,
                                const std::vector<const std::vector<ots::Cell>*>& keys,
                                std::vector<bool>* admitted) {
  admitted->assign(keys.size(), true);
  if (!enabled() || keys.empty()) return Status::OK();
  std::shared_ptr<TableState> state = State(instance, table);
  const auto now = std::chrono::steady_clock::now();
  bool recompute = false;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    if (!state->given && (state->computed == std::chrono::steady_clock::time_point{} ||
                          now - state->computed >= kRecomputeEvery)) {
      state->computed = now;  // one request recomputes; the others use the points they find
      recompute = true;
    }
  }
  if (recompute) {
    auto points = store_->ComputeSplitPointsBySize(instance, table, kSplitUnits, kSplitUnitBytes);
    // A missing table is the write's to report, with the service's error.
    if (points.ok()) {
      std::vector<std::string> splits;
      for (const OwnedRow& point : points->points) {
        splits.push_back(KeyBytes(point.row().primary_key));
      }
      std::lock_guard<std::mutex> lock(state->mu);
      if (!state->given && splits != state->splits) {
        state->splits = std::move(splits);
        ResetBuckets(state.get(), now);
      }
    }
  }

  std::lock_guard<std::mutex> lock(state->mu);
  if (state->buckets.size() != state->splits.size() + 1) ResetBuckets(state.get(), now);
  std::vector<size_t> partition(keys.size());
  std::vector<int64_t> rows(state->buckets.size(), 0);
  for (size_t i = 0; i < keys.size(); ++i) {
    partition[i] = PartitionOf(state->splits, KeyBytes(*keys[i]));
    ++rows[partition[i]];
  }
  std::vector<bool> open(state->buckets.size(), true);
  const double burst = rate_ * kBurstSeconds;
  for (size_t p = 0; p < rows.size(); ++p) {
    if (rows[p] == 0) continue;
    Bucket& b = state->buckets[p];
    const double elapsed = std::chrono::duration<double>(now - b.refilled).count();
    if (elapsed > 0) {
      b.tokens = std::min(burst, b.tokens + elapsed * rate_);
      b.refilled = now;
    }
    if (b.tokens < 0) {
      open[p] = false;
    } else {
      b.tokens -= static_cast<double>(rows[p]);
    }
  }
  for (size_t i = 0; i < keys.size(); ++i) (*admitted)[i] = open[partition[i]];
  return Status::OK();
}

}  // namespace tsb::emulator
