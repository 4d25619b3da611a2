// The comparator of `tsbridge verify`: a row's canonical bytes and hash, the order-independent
// digest of a split, which split a key falls in, and the keyed comparison of one split's rows.
//
// Both sides of a verify yield batches of the spec's columns in the spec's types: the table scan
// reader converts stored values with core's conversion, and the file reader parses the file's
// values into the same types. So one value compares in one form whatever its side: a double by
// its bits (the text forms read back bit-exact), a timestamp as ticks of the column's
// ticks_unit, binary as bytes, NULL and an absent attribute both as NULL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/scan_plan.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/row_batch.h"

namespace tsb::jobs {

// The canonical bytes of a row of the spec's columns: the primary key first (in key order), then
// the attributes (in mapping order), each value tagged NULL / not NULL. The key part is
// memcomparable (integers big-endian with the sign flipped, bytes escaped and terminated), so
// sorting keys bytewise sorts them as Tablestore does for integer, string and binary keys.
class RowCanon {
 public:
  explicit RowCanon(const JobSpec& spec);

  // *key receives the key bytes of row `r`; returns the 64-bit hash of the whole row's bytes.
  uint64_t Encode(const RowBatch& batch, size_t r, std::string* key);

  const std::vector<int>& key_columns() const { return key_columns_; }

 private:
  std::vector<int> key_columns_;
  std::vector<int> attribute_columns_;
  std::string row_;
};

// Appends the canonical bytes of row `r` of `column` (NULL included).
void AppendCanonicalValue(const Column& column, size_t r, std::string* out);

// A multiset of row hashes in a form that does not depend on the rows' order: their count, sum
// and XOR. Two splits holding the same rows have equal digests whatever order they were read in;
// a repeated row changes the count and the sum.
struct SplitDigest {
  int64_t rows = 0;
  uint64_t sum = 0;
  uint64_t xored = 0;

  void Add(uint64_t hash) {
    ++rows;
    sum += hash;
    xored ^= hash;
  }
  friend bool operator==(const SplitDigest& a, const SplitDigest& b) {
    return a.rows == b.rows && a.sum == b.sum && a.xored == b.xored;
  }
};

// Which of a job's splits (ascending, disjoint [start, end) key ranges) holds a key.
class SplitLocator {
 public:
  explicit SplitLocator(std::vector<KeyRange> splits) : splits_(std::move(splits)) {}
  // The split's index, or -1 when no split holds the key.
  int Find(const std::vector<KeyBound>& key) const;
  size_t size() const { return splits_.size(); }
  const KeyRange& split(size_t i) const { return splits_[i]; }

 private:
  std::vector<KeyRange> splits_;
};

// One split's rows compared by key: the file's (key, hash) pairs first, then the table's rows
// one by one. Holds a key and a hash per file row of the split, never a whole row.
class KeyedComparison {
 public:
  enum class Match { kEqual, kMissing, kChanged };

  // False when the file already held the key (a duplicate: one of them is extra).
  bool AddFile(const std::string& key, uint64_t hash);
  // A table row: kEqual when the file holds it as it is, kChanged when the file holds the key
  // with other values, kMissing when the file lacks the key.
  Match MatchTable(const std::string& key, uint64_t hash);
  // The file's keys no table row matched (extra rows), bytewise ascending, duplicates included.
  std::vector<std::string> TakeExtras();

 private:
  std::unordered_map<std::string, uint64_t> file_;
  std::vector<std::string> duplicates_;
};

}  // namespace tsb::jobs
