// Throttled partitions (`tsbridge emulator --partition-write-rate ROWS_PER_SEC`, or the config's
// "partition_write_rate"): the service keeps a table in partitions, ranges of its key space, and a
// partition that is written faster than it can take answers OTSServerBusy. The emulator models
// that so that a client's scatter and its backing off can be tested: each table is cut at its
// split points into partitions, and each partition is a token bucket of ROWS_PER_SEC rows/s.
//
// Where the split points come from:
//   * CreateTable's `partitions` (PartitionRange begin/end, single-value encoding of the partition
//     key, wire doc A.3): the table is pre-split at the begin values, as the service does for a
//     creator who gives them. They are kept for the emulator's lifetime (a restart forgets them
//     and the table falls back to the next rule), and forgotten when the table is deleted;
//   * otherwise the table's current split points, as ComputeSplitPointsBySize computes them with
//     the service's 100 MiB unit (so a small table is one partition), recomputed at most every
//     10 s while it is written to.
//
// The bucket: a partition starts with half a second's worth of rows, refills at ROWS_PER_SEC up to
// that, and admits a request's rows for it whenever it is not in debt, then charges them all (it
// may go into debt): so a partition takes at most ROWS_PER_SEC * t + ROWS_PER_SEC / 2 rows in any t
// seconds, plus one request's rows, whatever the request size, and a 200-row batch is never
// refused for ever by a cap below 200.
//
// What is refused: PutRow / UpdateRow / DeleteRow whose partition is in debt get HTTP 503
// OTSServerBusy "Server is busy." (the service's shape, wire doc C.2); in a BatchWriteRow, as the
// service answers it, row by row: the rows of each partition in debt get is_ok=false with that
// code and message and are not written, the other rows are (HTTP 200, also when every row was
// refused). Nothing is refused while the rate is 0 (the default).
//
// Thread safety: Admit, SetPartitions and Forget may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tsbridge/status.h"
#include "tsbridge/tablestore/row.h"

namespace tsb::emulator {

class Store;

inline constexpr std::string_view kThrottledCode = "OTSServerBusy";
inline constexpr std::string_view kThrottledMessage = "Server is busy.";

class PartitionThrottle {
 public:
  // rows_per_sec <= 0: nothing is throttled. `store` computes split points for tables created
  // without partitions; it must outlive this object.
  PartitionThrottle(double rows_per_sec, Store* store) : rate_(rows_per_sec), store_(store) {}
  PartitionThrottle(const PartitionThrottle&) = delete;
  PartitionThrottle& operator=(const PartitionThrottle&) = delete;

  bool enabled() const { return rate_ > 0; }
  double rate() const { return rate_; }

  // CreateTable's partitions: the partition-key values where partitions begin (INF_MIN ones
  // left out), in any order. An empty list forgets earlier ones (the table is one partition
  // until its size splits it).
  void SetPartitions(std::string_view instance, std::string_view table,
                     const std::vector<ots::Value>& begins);
  void Forget(std::string_view instance, std::string_view table);

  // Decides for the rows of one request to `table` (their primary keys, in request order):
  // (*admitted)[i] says whether row i may be written. Rows of one partition share the verdict.
  Status Admit(std::string_view instance, std::string_view table,
               const std::vector<const std::vector<ots::Cell>*>& keys, std::vector<bool>* admitted);

  // The partition index of a key among `splits` (order-preserving key bytes, key_codec.h); for
  // tests.
  static size_t PartitionOf(const std::vector<std::string>& splits, std::string_view key_bytes);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled;
  };
  struct TableState {
    std::mutex mu;
    bool given = false;  // split points from CreateTable, never recomputed
    std::chrono::steady_clock::time_point computed;
    std::vector<std::string> splits;  // ascending, order-preserving key bytes
    std::vector<Bucket> buckets;      // splits.size() + 1
  };

  std::shared_ptr<TableState> State(std::string_view instance, std::string_view table);
  void ResetBuckets(TableState* state, std::chrono::steady_clock::time_point now) const;

  const double rate_;
  Store* store_;
  std::mutex mu_;  // guards tables_
  std::unordered_map<std::string, std::shared_ptr<TableState>> tables_;
};

}  // namespace tsb::emulator
