// The MD5 block function over L messages side by side, one message per 32-bit lane of V (a
// GCC vector of L uint32_t, or uint32_t itself for L = 1). Included by md5_lanes.cc (L = 1, the
// default instruction set) and by md5_lanes_avx2.cc / md5_lanes_avx512.cc, each compiled for its
// own instruction set.
//
// Everything here is in an unnamed namespace and uses nothing of the standard library beyond
// memcpy: a function emitted with AVX instructions under a shared (inline or template) name could
// be the copy the linker keeps for the whole program, and run on a CPU without AVX.
//
// The block function is RFC 1321 section 3.4; the boolean functions are written in their
// two-operation forms (F = d ^ (b & (c ^ d)), G = c ^ (d & (b ^ c))).
#pragma once

#include <cstddef>
#include <cstdint>

namespace {

// Lane l's state is state[l], state[L + l], state[2L + l], state[3L + l] (a, b, c, d), so that
// each of a, b, c, d loads as one vector. blocks[l] is lane l's next 64-byte block and moves on by
// strides[l] (64, or 0 for a lane that only fills the vector) after each of the n blocks.
template <typename V, int L>
inline void Md5CompressLanes(uint32_t* state, const unsigned char** blocks, const size_t* strides,
                             size_t n) {
  V a, b, c, d;
  __builtin_memcpy(&a, state, sizeof(V));
  __builtin_memcpy(&b, state + L, sizeof(V));
  __builtin_memcpy(&c, state + 2 * L, sizeof(V));
  __builtin_memcpy(&d, state + 3 * L, sizeof(V));
  // The block's sixteen words, word-major: w[i] holds word i of every lane (a transpose).
  alignas(64) uint32_t w[16][L];
  for (size_t block = 0; block < n; ++block) {
    for (int l = 0; l < L; ++l) {
      const unsigned char* p = blocks[l];
      for (int i = 0; i < 16; ++i) __builtin_memcpy(&w[i][l], p + 4 * i, 4);
      blocks[l] = p + strides[l];
    }
    V x[16];
    for (int i = 0; i < 16; ++i) __builtin_memcpy(&x[i], w[i], sizeof(V));
    const V a0 = a, b0 = b, c0 = c, d0 = d;

#define TSB_MD5_STEP(f, a, b, c, d, k, s, t) \
  a += f(b, c, d) + x[k] + uint32_t(t);      \
  a = (a << s) | (a >> (32 - s));            \
  a += b;
#define TSB_MD5_F(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define TSB_MD5_G(b, c, d) ((c) ^ ((d) & ((b) ^ (c))))
#define TSB_MD5_H(b, c, d) ((b) ^ (c) ^ (d))
#define TSB_MD5_I(b, c, d) ((c) ^ ((b) | ~(d)))

    TSB_MD5_STEP(TSB_MD5_F, a, b, c, d, 0, 7, 0xd76aa478)
    TSB_MD5_STEP(TSB_MD5_F, d, a, b, c, 1, 12, 0xe8c7b756)
    TSB_MD5_STEP(TSB_MD5_F, c, d, a, b, 2, 17, 0x242070db)
    TSB_MD5_STEP(TSB_MD5_F, b, c, d, a, 3, 22, 0xc1bdceee)
    TSB_MD5_STEP(TSB_MD5_F, a, b, c, d, 4, 7, 0xf57c0faf)
    TSB_MD5_STEP(TSB_MD5_F, d, a, b, c, 5, 12, 0x4787c62a)
    TSB_MD5_STEP(TSB_MD5_F, c, d, a, b, 6, 17, 0xa8304613)
    TSB_MD5_STEP(TSB_MD5_F, b, c, d, a, 7, 22, 0xfd469501)
    TSB_MD5_STEP(TSB_MD5_F, a, b, c, d, 8, 7, 0x698098d8)
    TSB_MD5_STEP(TSB_MD5_F, d, a, b, c, 9, 12, 0x8b44f7af)
    TSB_MD5_STEP(TSB_MD5_F, c, d, a, b, 10, 17, 0xffff5bb1)
    TSB_MD5_STEP(TSB_MD5_F, b, c, d, a, 11, 22, 0x895cd7be)
    TSB_MD5_STEP(TSB_MD5_F, a, b, c, d, 12, 7, 0x6b901122)
    TSB_MD5_STEP(TSB_MD5_F, d, a, b, c, 13, 12, 0xfd987193)
    TSB_MD5_STEP(TSB_MD5_F, c, d, a, b, 14, 17, 0xa679438e)
    TSB_MD5_STEP(TSB_MD5_F, b, c, d, a, 15, 22, 0x49b40821)

    TSB_MD5_STEP(TSB_MD5_G, a, b, c, d, 1, 5, 0xf61e2562)
    TSB_MD5_STEP(TSB_MD5_G, d, a, b, c, 6, 9, 0xc040b340)
    TSB_MD5_STEP(TSB_MD5_G, c, d, a, b, 11, 14, 0x265e5a51)
    TSB_MD5_STEP(TSB_MD5_G, b, c, d, a, 0, 20, 0xe9b6c7aa)
    TSB_MD5_STEP(TSB_MD5_G, a, b, c, d, 5, 5, 0xd62f105d)
    TSB_MD5_STEP(TSB_MD5_G, d, a, b, c, 10, 9, 0x02441453)
    TSB_MD5_STEP(TSB_MD5_G, c, d, a, b, 15, 14, 0xd8a1e681)
    TSB_MD5_STEP(TSB_MD5_G, b, c, d, a, 4, 20, 0xe7d3fbc8)
    TSB_MD5_STEP(TSB_MD5_G, a, b, c, d, 9, 5, 0x21e1cde6)
    TSB_MD5_STEP(TSB_MD5_G, d, a, b, c, 14, 9, 0xc33707d6)
    TSB_MD5_STEP(TSB_MD5_G, c, d, a, b, 3, 14, 0xf4d50d87)
    TSB_MD5_STEP(TSB_MD5_G, b, c, d, a, 8, 20, 0x455a14ed)
    TSB_MD5_STEP(TSB_MD5_G, a, b, c, d, 13, 5, 0xa9e3e905)
    TSB_MD5_STEP(TSB_MD5_G, d, a, b, c, 2, 9, 0xfcefa3f8)
    TSB_MD5_STEP(TSB_MD5_G, c, d, a, b, 7, 14, 0x676f02d9)
    TSB_MD5_STEP(TSB_MD5_G, b, c, d, a, 12, 20, 0x8d2a4c8a)

    TSB_MD5_STEP(TSB_MD5_H, a, b, c, d, 5, 4, 0xfffa3942)
    TSB_MD5_STEP(TSB_MD5_H, d, a, b, c, 8, 11, 0x8771f681)
    TSB_MD5_STEP(TSB_MD5_H, c, d, a, b, 11, 16, 0x6d9d6122)
    TSB_MD5_STEP(TSB_MD5_H, b, c, d, a, 14, 23, 0xfde5380c)
    TSB_MD5_STEP(TSB_MD5_H, a, b, c, d, 1, 4, 0xa4beea44)
    TSB_MD5_STEP(TSB_MD5_H, d, a, b, c, 4, 11, 0x4bdecfa9)
    TSB_MD5_STEP(TSB_MD5_H, c, d, a, b, 7, 16, 0xf6bb4b60)
    TSB_MD5_STEP(TSB_MD5_H, b, c, d, a, 10, 23, 0xbebfbc70)
    TSB_MD5_STEP(TSB_MD5_H, a, b, c, d, 13, 4, 0x289b7ec6)
    TSB_MD5_STEP(TSB_MD5_H, d, a, b, c, 0, 11, 0xeaa127fa)
    TSB_MD5_STEP(TSB_MD5_H, c, d, a, b, 3, 16, 0xd4ef3085)
    TSB_MD5_STEP(TSB_MD5_H, b, c, d, a, 6, 23, 0x04881d05)
    TSB_MD5_STEP(TSB_MD5_H, a, b, c, d, 9, 4, 0xd9d4d039)
    TSB_MD5_STEP(TSB_MD5_H, d, a, b, c, 12, 11, 0xe6db99e5)
    TSB_MD5_STEP(TSB_MD5_H, c, d, a, b, 15, 16, 0x1fa27cf8)
    TSB_MD5_STEP(TSB_MD5_H, b, c, d, a, 2, 23, 0xc4ac5665)

    TSB_MD5_STEP(TSB_MD5_I, a, b, c, d, 0, 6, 0xf4292244)
    TSB_MD5_STEP(TSB_MD5_I, d, a, b, c, 7, 10, 0x432aff97)
    TSB_MD5_STEP(TSB_MD5_I, c, d, a, b, 14, 15, 0xab9423a7)
    TSB_MD5_STEP(TSB_MD5_I, b, c, d, a, 5, 21, 0xfc93a039)
    TSB_MD5_STEP(TSB_MD5_I, a, b, c, d, 12, 6, 0x655b59c3)
    TSB_MD5_STEP(TSB_MD5_I, d, a, b, c, 3, 10, 0x8f0ccc92)
    TSB_MD5_STEP(TSB_MD5_I, c, d, a, b, 10, 15, 0xffeff47d)
    TSB_MD5_STEP(TSB_MD5_I, b, c, d, a, 1, 21, 0x85845dd1)
    TSB_MD5_STEP(TSB_MD5_I, a, b, c, d, 8, 6, 0x6fa87e4f)
    TSB_MD5_STEP(TSB_MD5_I, d, a, b, c, 15, 10, 0xfe2ce6e0)
    TSB_MD5_STEP(TSB_MD5_I, c, d, a, b, 6, 15, 0xa3014314)
    TSB_MD5_STEP(TSB_MD5_I, b, c, d, a, 13, 21, 0x4e0811a1)
    TSB_MD5_STEP(TSB_MD5_I, a, b, c, d, 4, 6, 0xf7537e82)
    TSB_MD5_STEP(TSB_MD5_I, d, a, b, c, 11, 10, 0xbd3af235)
    TSB_MD5_STEP(TSB_MD5_I, c, d, a, b, 2, 15, 0x2ad7d2bb)
    TSB_MD5_STEP(TSB_MD5_I, b, c, d, a, 9, 21, 0xeb86d391)

#undef TSB_MD5_STEP
#undef TSB_MD5_F
#undef TSB_MD5_G
#undef TSB_MD5_H
#undef TSB_MD5_I

    a += a0;
    b += b0;
    c += c0;
    d += d0;
  }
  __builtin_memcpy(state, &a, sizeof(V));
  __builtin_memcpy(state + L, &b, sizeof(V));
  __builtin_memcpy(state + 2 * L, &c, sizeof(V));
  __builtin_memcpy(state + 3 * L, &d, sizeof(V));
}

}  // namespace
