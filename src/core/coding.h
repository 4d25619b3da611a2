// Little-endian fixed-width integer coding, in LevelDB's vocabulary.
//
// Put* appends to a std::string. Get*(std::string_view* in) consumes from the front of *in and
// returns false (leaving *in unchanged) when it is too short. Encode*/Decode* work on raw memory
// and check nothing: use them only after the caller has checked the length (the PlainBuffer and
// Parquet decoders check a whole record once, then decode unchecked).
//
// Byte order is explicit and independent of the host (PlainBuffer, Parquet and our storage keys
// are little-endian by definition); on little-endian hosts the compiler folds the memcpy away.
// All functions are pure and thread-safe.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace tsb {

inline void EncodeFixed32(char* dst, uint32_t v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(dst, &v, sizeof(v));
  } else {
    for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  }
}

inline void EncodeFixed64(char* dst, uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(dst, &v, sizeof(v));
  } else {
    for (int i = 0; i < 8; ++i) dst[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  }
}

inline uint32_t DecodeFixed32(const char* src) {
  if constexpr (std::endian::native == std::endian::little) {
    uint32_t v;
    std::memcpy(&v, src, sizeof(v));
    return v;
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(src);
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
           (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
  }
}

inline uint64_t DecodeFixed64(const char* src) {
  if constexpr (std::endian::native == std::endian::little) {
    uint64_t v;
    std::memcpy(&v, src, sizeof(v));
    return v;
  } else {
    return static_cast<uint64_t>(DecodeFixed32(src)) |
           (static_cast<uint64_t>(DecodeFixed32(src + 4)) << 32);
  }
}

inline void PutFixed32(std::string* dst, uint32_t v) {
  char buf[4];
  EncodeFixed32(buf, v);
  dst->append(buf, sizeof(buf));
}

inline void PutFixed64(std::string* dst, uint64_t v) {
  char buf[8];
  EncodeFixed64(buf, v);
  dst->append(buf, sizeof(buf));
}

inline bool GetFixed32(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = DecodeFixed32(in->data());
  in->remove_prefix(4);
  return true;
}

inline bool GetFixed64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = DecodeFixed64(in->data());
  in->remove_prefix(8);
  return true;
}

// Doubles travel as their IEEE-754 bits (NaN payloads and -0.0 preserved).
inline uint64_t DoubleToBits(double d) { return std::bit_cast<uint64_t>(d); }
inline double BitsToDouble(uint64_t bits) { return std::bit_cast<double>(bits); }

// Protobuf's base-128 varint, for the messages written by hand (the client's BatchWriteRow request,
// the emulator's answer to it): the bytes of `v`, and `v` written at dst (returns the end).
// An int32 field's negative value goes in as its sign extension to 64 bits, as protobuf writes it.
inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline char* EncodeVarint(char* dst, uint64_t v) {
  while (v >= 0x80) {
    *dst++ = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  *dst++ = static_cast<char>(v);
  return dst;
}

}  // namespace tsb
