#include "core/md5_lanes.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

#include "core/md5_lanes_kernel.h"

namespace tsb {
namespace md5_lanes_internal {
#if defined(__x86_64__)
// md5_lanes_avx2.cc, md5_lanes_avx512.cc
void CompressAvx2(uint32_t* state, const unsigned char** blocks, const size_t* strides, size_t n);
void CompressAvx512(uint32_t* state, const unsigned char** blocks, const size_t* strides, size_t n);
#endif
}  // namespace md5_lanes_internal

namespace {

static_assert(std::endian::native == std::endian::little,
              "the lanes read message words and write digests as little-endian");

using Kernel = void (*)(uint32_t* state, const unsigned char** blocks, const size_t* strides,
                        size_t n);

constexpr uint32_t kInit[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};

void CompressScalar(uint32_t* state, const unsigned char** blocks, const size_t* strides,
                    size_t n) {
  Md5CompressLanes<uint32_t, 1>(state, blocks, strides, n);
}

int BestLanes() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return 16;
  if (__builtin_cpu_supports("avx2")) return 8;
#endif
  return 1;
}

int& LanesInUse() {
  static int lanes = BestLanes();
  return lanes;
}

Kernel KernelFor(int lanes) {
#if defined(__x86_64__)
  if (lanes == 16) return md5_lanes_internal::CompressAvx512;
  if (lanes == 8) return md5_lanes_internal::CompressAvx2;
#endif
  (void)lanes;
  return CompressScalar;
}

// The padded end of a message: its last (size % 64) bytes, 0x80, zeros and the length in bits,
// one block or two.
struct Tail {
  unsigned char bytes[128];
  size_t blocks;
  void Build(std::string_view message) {
    const size_t rest = message.size() % 64;
    std::memcpy(bytes, message.data() + message.size() - rest, rest);
    bytes[rest] = 0x80;
    blocks = rest < 56 ? 1 : 2;
    std::memset(bytes + rest + 1, 0, blocks * 64 - 8 - (rest + 1));
    const uint64_t bits = static_cast<uint64_t>(message.size()) * 8;
    std::memcpy(bytes + blocks * 64 - 8, &bits, 8);
  }
};

void WriteDigest(const uint32_t words[4], Md5Digest* digest) {
  std::memcpy(digest->data(), words, 16);
}

// One message on its own: its full blocks, then its tail.
void HashOne(std::string_view message, Md5Digest* digest) {
  uint32_t state[4] = {kInit[0], kInit[1], kInit[2], kInit[3]};
  const size_t stride = 64;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(message.data());
  CompressScalar(state, &p, &stride, message.size() / 64);
  Tail tail;
  tail.Build(message);
  p = tail.bytes;
  CompressScalar(state, &p, &stride, tail.blocks);
  WriteDigest(state, digest);
}

}  // namespace

int Md5Lanes() { return LanesInUse(); }

int SetMd5LanesForTesting(int lanes) {
  const int best = BestLanes();
  LanesInUse() = (lanes <= 0 || lanes > best) ? best : lanes >= 16 ? 16 : lanes >= 8 ? 8 : 1;
  return LanesInUse();
}

namespace {

// Hashes the messages on kLanes lanes of `kernel`.
template <int kLanes>
void HashOnLanes(Kernel kernel, std::span<const std::string_view> messages,
                 std::span<Md5Digest> digests) {
  constexpr int lanes = kLanes;
  // A lane hashes its message's full blocks in place, then the message's tail; when it is done it
  // takes the next message. A lane with no message left hashes a block of zeros, unread.
  struct Lane {
    size_t message = 0;
    size_t blocks_left = 0;  // in the part being hashed: the message's full blocks, or the tail
    bool in_tail = false;
    bool busy = false;
    Tail tail;
  };
  Lane lane_of[kLanes];
  alignas(64) uint32_t state[4 * kLanes];
  const unsigned char* blocks[kLanes];
  size_t strides[kLanes];
  static const unsigned char kIdleBlock[64] = {};
  size_t next = 0;
  int busy = 0;

  auto enter_tail = [&](int l) {
    Lane& lane = lane_of[l];
    lane.tail.Build(messages[lane.message]);
    lane.in_tail = true;
    lane.blocks_left = lane.tail.blocks;
    blocks[l] = lane.tail.bytes;
  };
  auto start = [&](int l) {
    Lane& lane = lane_of[l];
    if (next == messages.size()) {
      lane.busy = false;
      blocks[l] = kIdleBlock;
      strides[l] = 0;
      return;
    }
    lane.message = next++;
    lane.busy = true;
    ++busy;
    for (int k = 0; k < 4; ++k) state[k * lanes + l] = kInit[k];
    const std::string_view m = messages[lane.message];
    blocks[l] = reinterpret_cast<const unsigned char*>(m.data());
    strides[l] = 64;
    lane.in_tail = false;
    lane.blocks_left = m.size() / 64;
    if (lane.blocks_left == 0) enter_tail(l);
  };
  auto finish = [&](int l) {
    uint32_t words[4];
    for (int k = 0; k < 4; ++k) words[k] = state[k * lanes + l];
    WriteDigest(words, &digests[lane_of[l].message]);
    --busy;
  };

  for (int l = 0; l < lanes; ++l) start(l);
  while (busy > 0) {
    if (busy == 1 && next == messages.size()) {
      // The last message alone would keep the other lanes busy for nothing.
      for (int l = 0; l < lanes; ++l) {
        Lane& lane = lane_of[l];
        if (!lane.busy) continue;
        uint32_t words[4];
        for (int k = 0; k < 4; ++k) words[k] = state[k * lanes + l];
        const size_t stride = 64;
        CompressScalar(words, &blocks[l], &stride, lane.blocks_left);
        if (!lane.in_tail) {
          lane.tail.Build(messages[lane.message]);
          const unsigned char* p = lane.tail.bytes;
          CompressScalar(words, &p, &stride, lane.tail.blocks);
        }
        WriteDigest(words, &digests[lane.message]);
        return;
      }
    }
    size_t n = SIZE_MAX;
    for (int l = 0; l < lanes; ++l) {
      if (lane_of[l].busy) n = std::min(n, lane_of[l].blocks_left);
    }
    kernel(state, blocks, strides, n);
    for (int l = 0; l < lanes; ++l) {
      Lane& lane = lane_of[l];
      if (!lane.busy) continue;
      lane.blocks_left -= n;
      if (lane.blocks_left > 0) continue;
      if (!lane.in_tail) {
        enter_tail(l);
      } else {
        finish(l);
        start(l);
      }
    }
  }
}

}  // namespace

void Md5Many(std::span<const std::string_view> messages, std::span<Md5Digest> digests) {
  const int lanes = messages.size() >= 2 ? LanesInUse() : 1;
  if (lanes == 16) return HashOnLanes<16>(KernelFor(16), messages, digests);
  if (lanes == 8) return HashOnLanes<8>(KernelFor(8), messages, digests);
  for (size_t i = 0; i < messages.size(); ++i) HashOne(messages[i], &digests[i]);
}

}  // namespace tsb
