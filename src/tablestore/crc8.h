// CRC-8 as PlainBuffer uses it (wire doc B.4): polynomial 0x07, init 0, MSB-first, no final XOR
// (CRC-8/SMBUS; the Java SDK calls it CRC-8-ATM). Check value: Crc8(0, "123456789") == 0xF4.
//
// Multi-byte integers are fed least-significant byte first, i.e. in their wire order. The table
// is built at compile time; the helpers are inline because the PlainBuffer encoder and decoder
// call them for every byte of every cell. Pure functions, thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tsb::ots {

namespace crc8_internal {
constexpr std::array<uint8_t, 256> MakeTable() {
  std::array<uint8_t, 256> table{};
  for (int i = 0; i < 256; ++i) {
    uint8_t crc = static_cast<uint8_t>(i);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x80) ? static_cast<uint8_t>((crc << 1) ^ 0x07) : static_cast<uint8_t>(crc << 1);
    }
    table[i] = crc;
  }
  return table;
}

// Slicing-by-8: kSlices[k][x] is the CRC register after feeding x and then k zero bytes. The CRC
// is linear over GF(2), so eight bytes fold as
//   T7[crc ^ b0] ^ T6[b1] ^ ... ^ T0[b7].
constexpr std::array<std::array<uint8_t, 256>, 8> MakeSlices() {
  std::array<std::array<uint8_t, 256>, 8> slices{};
  slices[0] = MakeTable();
  for (int k = 1; k < 8; ++k) {
    for (int x = 0; x < 256; ++x) slices[k][x] = slices[0][slices[k - 1][x]];
  }
  return slices;
}
inline constexpr std::array<std::array<uint8_t, 256>, 8> kSlices = MakeSlices();
}  // namespace crc8_internal

inline constexpr std::array<uint8_t, 256> kCrc8Table = crc8_internal::MakeTable();

inline uint8_t Crc8Byte(uint8_t crc, uint8_t byte) { return kCrc8Table[crc ^ byte]; }

inline uint8_t Crc8(uint8_t crc, const char* data, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  // Long STRING/BINARY values (up to 2 MiB per cell) go eight bytes per step.
  const auto& t = crc8_internal::kSlices;
  while (n >= 8) {
    crc = t[7][crc ^ p[0]] ^ t[6][p[1]] ^ t[5][p[2]] ^ t[4][p[3]] ^ t[3][p[4]] ^ t[2][p[5]] ^
          t[1][p[6]] ^ t[0][p[7]];
    p += 8;
    n -= 8;
  }
  if (n >= 4) {  // column names and short values end here: one step for four bytes
    crc = t[3][crc ^ p[0]] ^ t[2][p[1]] ^ t[1][p[2]] ^ t[0][p[3]];
    p += 4;
    n -= 4;
  }
  for (size_t i = 0; i < n; ++i) crc = kCrc8Table[crc ^ p[i]];
  return crc;
}

inline uint8_t Crc8(uint8_t crc, std::string_view data) {
  return Crc8(crc, data.data(), data.size());
}

// Integers, lengths and timestamps (every cell has one or more) fold in one slicing step: the
// lookups are independent, where a byte loop waits on each one in turn.
inline uint8_t Crc8U32(uint8_t crc, uint32_t v) {
  const auto& t = crc8_internal::kSlices;
  return t[3][crc ^ static_cast<uint8_t>(v)] ^ t[2][static_cast<uint8_t>(v >> 8)] ^
         t[1][static_cast<uint8_t>(v >> 16)] ^ t[0][static_cast<uint8_t>(v >> 24)];
}

inline uint8_t Crc8U64(uint8_t crc, uint64_t v) {
  const auto& t = crc8_internal::kSlices;
  return t[7][crc ^ static_cast<uint8_t>(v)] ^ t[6][static_cast<uint8_t>(v >> 8)] ^
         t[5][static_cast<uint8_t>(v >> 16)] ^ t[4][static_cast<uint8_t>(v >> 24)] ^
         t[3][static_cast<uint8_t>(v >> 32)] ^ t[2][static_cast<uint8_t>(v >> 40)] ^
         t[1][static_cast<uint8_t>(v >> 48)] ^ t[0][static_cast<uint8_t>(v >> 56)];
}

// The CRC has no initial or final XOR, so it is linear in the register and the data: feeding
// eight bytes v from register crc gives Crc8Shift8(crc) ^ Crc8U64(0, v). A reader that folds
// one timestamp into many cells computes Crc8U64(0, ts) once and each cell in one lookup.
inline uint8_t Crc8Shift8(uint8_t crc) { return crc8_internal::kSlices[7][crc]; }

// The bitwise definition, kept for tests that cross-check the table.
uint8_t Crc8Bitwise(uint8_t crc, std::string_view data);

}  // namespace tsb::ots
