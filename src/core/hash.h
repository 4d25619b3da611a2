// The non-cryptographic hashes tsbridge's results depend on, so each has one definition: the
// export shares and writer routing (FNV-1a, then murmur3's fmix64; decisions 11) and the split
// fingerprint that hosts of an import --shard compare (FNV-1a). Changing either changes which
// host writes or reads what, so both are pinned by tests.
#pragma once

#include <cstdint>
#include <string_view>

namespace tsb {

inline constexpr uint64_t kFnv1aOffset = 1469598103934665603ull;

// 64-bit FNV-1a of `bytes`, continuing from `h` (start with kFnv1aOffset).
inline uint64_t Fnv1a(std::string_view bytes, uint64_t h = kFnv1aOffset) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// murmur3's 64-bit finalizer: every input bit reaches every output bit, so a hash modulo N no
// longer follows FNV-1a's low bits, which ignore the high bits of every byte.
inline uint64_t Fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace tsb
