// --shard K/N of export: how partition-key values spread over the shares (decisions 11: FNV-1a,
// then murmur3's fmix64, modulo N).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "jobs/export_job.h"
#include "tablestore/plainbuffer.h"
#include "tsbridge/tablestore/row.h"

using namespace tsb;

namespace {

// Rows per share of N for the given partition-key values.
std::vector<int> Spread(const std::vector<ots::Value>& keys, int n) {
  std::vector<int> counts(static_cast<size_t>(n), 0);
  std::string encoded;
  for (const ots::Value& v : keys) {
    encoded.clear();
    ots::EncodeColumnValue(v, &encoded);
    int share = jobs::ExportShardOf(encoded, n);
    REQUIRE(share >= 0);
    REQUIRE(share < n);
    ++counts[static_cast<size_t>(share)];
  }
  return counts;
}

void CheckEven(const std::vector<int>& counts, size_t keys) {
  const double fair = static_cast<double>(keys) / static_cast<double>(counts.size());
  for (int c : counts) {
    CHECK(c > 0);
    CHECK(static_cast<double>(c) <= 2 * fair);
  }
}

}  // namespace

TEST_CASE("export shards: keys that are multiples of 8 or 2048 spread over 8 shares") {
  // Plain FNV-1a put all of these into one share of 8: its low bits ignore each byte's high bits.
  std::vector<ots::Value> keys;
  for (int64_t i = 1; i <= 31; ++i) keys.push_back(ots::Value::Integer(8 * i));
  for (int64_t i = 1; i <= 31; ++i) keys.push_back(ots::Value::Integer(2048 * i));
  REQUIRE(keys.size() == 62);
  CheckEven(Spread(keys, 8), keys.size());
}

TEST_CASE("export shards: a plain range of integers and of strings spreads evenly") {
  std::vector<ots::Value> ints;
  for (int64_t i = 0; i < 10000; ++i) ints.push_back(ots::Value::Integer(i));
  for (int n : {2, 3, 8, 16}) {
    CAPTURE(n);
    std::vector<int> counts = Spread(ints, n);
    CheckEven(counts, ints.size());
    const double fair = 10000.0 / n;
    // A random hash stays within a few standard deviations (about 24 rows at N = 16).
    for (int c : counts) CHECK(std::abs(c - fair) < 0.25 * fair);
  }
  std::vector<std::string> texts;
  for (int i = 0; i < 4000; ++i) texts.push_back("user-" + std::to_string(i * 64));
  std::vector<ots::Value> strings;
  for (const std::string& t : texts) strings.push_back(ots::Value::String(t));
  CheckEven(Spread(strings, 8), strings.size());
}

TEST_CASE("export shards: the share of a value is fixed (every host computes the same)") {
  // Pinned values: a change of the hash would silently split a sharded load differently on
  // hosts that run different builds. FNV-1a 64 of the bytes, then fmix64, modulo N.
  std::string encoded;
  ots::EncodeColumnValue(ots::Value::Integer(8), &encoded);
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : encoded) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  for (int n : {1, 2, 7, 8, 64}) {
    CHECK(jobs::ExportShardOf(encoded, n) == static_cast<int>(h % static_cast<uint64_t>(n)));
  }
}
