// core/closest_match.h: the edit distance and the "did you mean" candidates that the command line
// and describe share.
#include "core/closest_match.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using tsb::CloseMatches;
using tsb::ClosestMatch;
using tsb::EditDistance;

TEST_CASE("closest match: the edit distance counts insertions, deletions and substitutions") {
  CHECK(EditDistance("", "") == 0);
  CHECK(EditDistance("abc", "") == 3);
  CHECK(EditDistance("", "abc") == 3);
  CHECK(EditDistance("import", "imprt") == 1);
  CHECK(EditDistance("kitten", "sitting") == 3);
  CHECK(EditDistance("o_custkye", "o_custkey") == 2);  // a swap is two substitutions
}

TEST_CASE("closest match: candidates within typo distance, closest first, the name itself never") {
  const std::vector<std::string> attributes = {"o_comment", "o_custkey", "o_orderstatus",
                                               "o_custkeys", "o_totalprice"};
  CHECK(CloseMatches("o_custkye", attributes) ==
        std::vector<std::string>{"o_custkey", "o_custkeys"});
  CHECK(CloseMatches("o_custkye", attributes, 1) == std::vector<std::string>{"o_custkey"});
  CHECK(CloseMatches("o_custkey", attributes) == std::vector<std::string>{"o_custkeys"});
  CHECK(CloseMatches("zzz", attributes).empty());
  // Short names allow two edits, longer ones a third of their length.
  CHECK(ClosestMatch("exprot", {"import", "export", "emulator"}) == "export");
  CHECK(ClosestMatch("ab", {"xy"}) == "xy");
  CHECK(ClosestMatch("ab", {"xyz"}).empty());
}
