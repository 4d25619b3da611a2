// The comparator of `tsbridge verify` (jobs/verify_digest.h): canonical row bytes and hashes,
// order-independent split digests, which split a key falls in, and the keyed comparison that
// names missing, extra and changed rows.
#include "jobs/verify_digest.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tsbridge/job_spec.h"

using namespace tsb;
using namespace tsb::jobs;

namespace {

JobSpec Spec() {
  Result<JobSpec> spec = ParseJobSpec(R"({"tablestore": {"endpoint": "http://localhost:1",
      "instance": "i", "table": "t"},
      "columns": [{"name": "s", "type": "string"}, {"name": "d", "type": "double"},
                  {"name": "k", "type": "bigint"}, {"name": "b", "type": "binary"}],
      "mapping": "s, d, :k, b"})");
  // The key column is third in the spec: the key part must follow the mapping, not the order.
  REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
  return std::move(spec).value();
}

struct Rows {
  explicit Rows(const JobSpec& spec) : batch(std::make_shared<const Schema>(spec.schema())) {}
  // One row: s (nullopt = NULL), d, k, b.
  void Add(std::optional<std::string> s, double d, int64_t k, std::string b) {
    if (s) {
      batch.column(0).AppendBytes(*s);
    } else {
      batch.column(0).AppendNull();
    }
    batch.column(1).AppendDouble(d);
    batch.column(2).AppendInt(k);
    batch.column(3).AppendBytes(b);
    batch.CommitRow();
  }
  RowBatch batch;
};

}  // namespace

TEST_CASE("verify digest: a row's hash covers every mapped cell, in canonical forms") {
  JobSpec spec = Spec();
  REQUIRE(spec.mapping.key_columns() == std::vector<int>{2});
  Rows rows(spec);
  rows.Add("x", 1.5, 7, "ab");            // 0
  rows.Add("x", 1.5, 7, "ab");            // 1: the same
  rows.Add("y", 1.5, 7, "ab");            // 2: another string
  rows.Add(std::nullopt, 1.5, 7, "ab");   // 3: NULL
  rows.Add("", 1.5, 7, "ab");             // 4: the empty string, not NULL
  rows.Add("x", -0.0, 7, "ab");           // 5
  rows.Add("x", 0.0, 7, "ab");            // 6: 0.0 is not -0.0 (the text forms keep the sign)
  rows.Add("x", std::nan("1"), 7, "ab");  // 7
  rows.Add("x", std::nan("2"), 7, "ab");  // 8: every NaN is one value
  rows.Add("x", 1.5, 7, std::string("a\0", 2));  // 9
  rows.Add("x", 1.5, 8, "ab");                   // 10: another key
  RowCanon canon(spec);
  std::vector<uint64_t> h;
  std::vector<std::string> keys;
  for (size_t r = 0; r < rows.batch.num_rows(); ++r) {
    std::string key;
    h.push_back(canon.Encode(rows.batch, r, &key));
    keys.push_back(key);
  }
  CHECK(h[0] == h[1]);
  CHECK(h[0] != h[2]);
  CHECK(h[3] != h[4]);
  CHECK(h[0] != h[3]);
  CHECK(h[5] != h[6]);
  CHECK(h[7] == h[8]);
  CHECK(h[0] != h[9]);
  CHECK(h[0] != h[10]);
  // The key bytes are the key column's only: rows 0..9 share key 7.
  for (size_t r = 0; r < 10; ++r) CHECK(keys[r] == keys[0]);
  CHECK(keys[10] != keys[0]);
}

TEST_CASE("verify digest: key bytes sort as Tablestore sorts integers and strings") {
  auto int_key = [](int64_t v) {
    Column c(DataType::Of(TypeId::kInt64));
    c.AppendInt(v);
    std::string out;
    AppendCanonicalValue(c, 0, &out);
    return out;
  };
  auto bytes_key = [](std::string_view v) {
    Column c(DataType::Of(TypeId::kString));
    c.AppendBytes(v);
    std::string out;
    AppendCanonicalValue(c, 0, &out);
    return out;
  };
  const std::vector<int64_t> ints = {std::numeric_limits<int64_t>::min(), -5, -1, 0, 1, 300,
                                     std::numeric_limits<int64_t>::max()};
  for (size_t i = 1; i < ints.size(); ++i) CHECK(int_key(ints[i - 1]) < int_key(ints[i]));
  const std::vector<std::string> strings = {
      "", "a", std::string("a\0", 2), std::string("a\0b", 3), "ab", "b", "\xff"};
  for (size_t i = 1; i < strings.size(); ++i) {
    CHECK_MESSAGE(bytes_key(strings[i - 1]) < bytes_key(strings[i]), i);
  }
  // A two-column key: the first column decides before the second ("a", "z") < ("ab", "").
  CHECK(bytes_key("a") + bytes_key("z") < bytes_key("ab") + bytes_key(""));
}

TEST_CASE("verify digest: a split's digest does not depend on the order, and counts repeats") {
  const std::vector<uint64_t> hashes = {0x1234, 0xdeadbeefcafe, 7, 0xffffffffffffffffull, 42};
  SplitDigest forward, backward;
  for (uint64_t h : hashes) forward.Add(h);
  for (auto it = hashes.rbegin(); it != hashes.rend(); ++it) backward.Add(*it);
  CHECK(forward == backward);
  CHECK(forward.rows == 5);

  SplitDigest twice = forward;
  twice.Add(7);
  twice.Add(7);  // XOR alone would cancel a repeated pair; the count and the sum do not
  CHECK(!(twice == forward));
  SplitDigest swapped;  // the same count and XOR, another sum
  for (uint64_t h : {uint64_t{2}, uint64_t{3}}) swapped.Add(h);
  SplitDigest other;
  for (uint64_t h : {uint64_t{0}, uint64_t{1}}) other.Add(h);
  CHECK(swapped.xored == other.xored);
  CHECK(!(swapped == other));
}

TEST_CASE("verify digest: SplitLocator finds the split that holds a key, and none in a gap") {
  auto key = [](int64_t v) { return std::vector<KeyBound>{KeyBound::Of(OtsValue::Integer(v))}; };
  SplitLocator whole({KeyRange{{KeyBound::InfMin()}, key(10)}, KeyRange{key(10), key(20)},
                      KeyRange{key(20), {KeyBound::InfMax()}}});
  CHECK(whole.Find(key(std::numeric_limits<int64_t>::min())) == 0);
  CHECK(whole.Find(key(9)) == 0);
  CHECK(whole.Find(key(10)) == 1);
  CHECK(whole.Find(key(19)) == 1);
  CHECK(whole.Find(key(20)) == 2);
  CHECK(whole.Find(key(std::numeric_limits<int64_t>::max())) == 2);

  // --where ranges leave gaps: keys there belong to no split.
  SplitLocator gaps({KeyRange{key(0), key(10)}, KeyRange{key(20), key(30)}});
  CHECK(gaps.Find(key(-1)) == -1);
  CHECK(gaps.Find(key(0)) == 0);
  CHECK(gaps.Find(key(10)) == -1);
  CHECK(gaps.Find(key(15)) == -1);
  CHECK(gaps.Find(key(29)) == 1);
  CHECK(gaps.Find(key(30)) == -1);
  CHECK(SplitLocator({}).Find(key(1)) == -1);
}

TEST_CASE("verify digest: KeyedComparison names equal, changed, missing and extra rows") {
  using Match = KeyedComparison::Match;
  KeyedComparison c;
  CHECK(c.AddFile("b", 2));
  CHECK(c.AddFile("a", 1));
  CHECK(c.AddFile("d", 4));
  CHECK(c.AddFile("c", 3));
  CHECK(!c.AddFile("c", 3));  // a duplicate key in the file: one copy is extra
  CHECK(c.MatchTable("a", 1) == Match::kEqual);
  CHECK(c.MatchTable("b", 5) == Match::kChanged);
  CHECK(c.MatchTable("c", 3) == Match::kEqual);
  CHECK(c.MatchTable("e", 9) == Match::kMissing);
  CHECK(c.MatchTable("a", 1) == Match::kMissing);  // matched once: a second table row is not
  CHECK(c.TakeExtras() == std::vector<std::string>{"c", "d"});
  CHECK(c.TakeExtras().empty());
}
