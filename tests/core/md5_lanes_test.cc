// core/md5_lanes.h against OpenSSL's MD5 (crypto.h) at every lane width this CPU has: messages of
// every length around the padding's edges, counts that leave lanes idle or refill them, and
// lengths far apart so that lanes finish at different blocks.
#include "core/md5_lanes.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "core/crypto.h"

namespace tsb {
namespace {

std::string DigestText(const Md5Digest& d) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

// Restores the CPU's best width when a test case ends.
struct LaneWidth {
  explicit LaneWidth(int lanes) : in_use(SetMd5LanesForTesting(lanes)) {}
  ~LaneWidth() { SetMd5LanesForTesting(0); }
  int in_use;
};

void CheckAgainstOpenSsl(const std::vector<std::string>& messages) {
  std::vector<std::string_view> views(messages.begin(), messages.end());
  std::vector<Md5Digest> digests(messages.size());
  Md5Many(views, digests);
  for (size_t i = 0; i < messages.size(); ++i) {
    CAPTURE(i);
    CAPTURE(messages[i].size());
    CHECK(DigestText(digests[i]) == HexEncode(Md5(messages[i])));
  }
}

TEST_CASE("md5 lanes: RFC 1321's test suite at every width") {
  const std::vector<std::string> suite = {
      "",
      "a",
      "abc",
      "message digest",
      "abcdefghijklmnopqrstuvwxyz",
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
      "12345678901234567890123456789012345678901234567890123456789012345678901234567890"};
  const char* expected[] = {"d41d8cd98f00b204e9800998ecf8427e", "0cc175b9c0f1b6a831c399e269772661",
                            "900150983cd24fb0d6963f7d28e17f72", "f96b697d7cb7938d525a2f31aaf161d0",
                            "c3fcd3d76192e4007dfb496cca67e13b", "d174ab98d277d9f5a5611c2c9f419d9f",
                            "57edf4a22be3c955ac49da2e2107b67a"};
  for (int lanes : {1, 8, 16}) {
    LaneWidth width(lanes);
    CAPTURE(width.in_use);
    std::vector<std::string_view> views(suite.begin(), suite.end());
    std::vector<Md5Digest> digests(suite.size());
    Md5Many(views, digests);
    for (size_t i = 0; i < suite.size(); ++i) CHECK(DigestText(digests[i]) == expected[i]);
  }
}

TEST_CASE("md5 lanes: every length from 0 to 300 bytes, as one call") {
  std::mt19937 rng(7);
  std::vector<std::string> messages;
  for (size_t n = 0; n <= 300; ++n) {
    std::string m(n, '\0');
    for (char& c : m) c = static_cast<char>(rng());
    messages.push_back(std::move(m));
  }
  for (int lanes : {1, 8, 16}) {
    LaneWidth width(lanes);
    CAPTURE(width.in_use);
    CheckAgainstOpenSsl(messages);
  }
}

TEST_CASE("md5 lanes: random counts and lengths, request-sized messages among small ones") {
  std::mt19937 rng(20261208);
  for (int lanes : {1, 8, 16}) {
    LaneWidth width(lanes);
    CAPTURE(width.in_use);
    for (int round = 0; round < 60; ++round) {
      const size_t count = 1 + rng() % 40;
      std::vector<std::string> messages;
      for (size_t i = 0; i < count; ++i) {
        // Mostly request-sized bodies (export's), some tiny, some empty.
        const uint32_t kind = rng() % 4;
        const size_t n = kind == 0 ? rng() % 70 : kind == 1 ? 0 : 40000 + rng() % 30000;
        std::string m(n, '\0');
        for (char& c : m) c = static_cast<char>(rng());
        messages.push_back(std::move(m));
      }
      CAPTURE(round);
      CheckAgainstOpenSsl(messages);
    }
  }
}

TEST_CASE("md5 lanes: the width in use is one this CPU has") {
  const int best = SetMd5LanesForTesting(0);
  CHECK((best == 1 || best == 8 || best == 16));
  CHECK(Md5Lanes() == best);
  CHECK(SetMd5LanesForTesting(1) == 1);
  CHECK(SetMd5LanesForTesting(64) == best);  // more than the CPU has: its best
  SetMd5LanesForTesting(0);
}

}  // namespace
}  // namespace tsb
