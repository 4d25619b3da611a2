#include "emulator/throttle.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "emulator/key_codec.h"

namespace tsb::emulator {
namespace {

// A one-column integer key.
struct Key {
  explicit Key(int64_t k) {
    ots::Cell& c = cells.emplace_back();
    c.name = "k";
    c.value = ots::Value::Integer(k);
  }
  std::vector<ots::Cell> cells;
};

std::vector<bool> Admit(PartitionThrottle* t, const std::vector<int64_t>& keys) {
  std::vector<Key> owned;
  owned.reserve(keys.size());
  for (int64_t k : keys) owned.emplace_back(k);
  std::vector<const std::vector<ots::Cell>*> views;
  for (const Key& k : owned) views.push_back(&k.cells);
  std::vector<bool> admitted;
  REQUIRE(t->Admit("inst", "t", views, &admitted).ok());
  return admitted;
}

TEST_CASE("a given split point begins its partition, whatever the later key columns") {
  std::string at100;
  REQUIRE(AppendKeyValue(ots::Value::Integer(100), &at100));
  const std::vector<std::string> splits = {at100};
  auto key = [](int64_t a, std::string_view b) {
    std::string out;
    AppendKeyValue(ots::Value::Integer(a), &out);
    AppendKeyValue(ots::Value::String(b), &out);
    return out;
  };
  CHECK(PartitionThrottle::PartitionOf(splits, key(99, "zzz")) == 0);
  CHECK(PartitionThrottle::PartitionOf(splits, key(100, "")) == 1);
  CHECK(PartitionThrottle::PartitionOf(splits, key(-5, "a")) == 0);
  CHECK(PartitionThrottle::PartitionOf(splits, key(1000, "a")) == 1);
}

TEST_CASE(
    "each partition spends its own budget, and a batch's rows share their partition's verdict") {
  // 20 rows/s: a burst of 10 rows. Given partitions are never recomputed, so no store is needed.
  PartitionThrottle t(20, nullptr);
  t.SetPartitions("inst", "t", {ots::Value::Integer(100), ots::Value::Integer(200)});
  // 15 rows fit while the bucket is not in debt, and put it 5 rows in debt.
  CHECK(Admit(&t, std::vector<int64_t>(15, 1)) == std::vector<bool>(15, true));
  CHECK(Admit(&t, {2}) == std::vector<bool>{false});
  CHECK(Admit(&t, {2, 150, 3, 250}) == std::vector<bool>{false, true, false, true});
  // Another table, or the same one forgotten, starts afresh.
  t.Forget("inst", "t");
  t.SetPartitions("inst", "t", {ots::Value::Integer(100)});
  CHECK(Admit(&t, {1}) == std::vector<bool>{true});
}

TEST_CASE("a rate of 0 throttles nothing") {
  PartitionThrottle t(0, nullptr);
  CHECK_FALSE(t.enabled());
  CHECK(Admit(&t, std::vector<int64_t>(500, 1)) == std::vector<bool>(500, true));
}

}  // namespace
}  // namespace tsb::emulator
