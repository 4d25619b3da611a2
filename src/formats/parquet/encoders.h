// Value encoders of the Parquet writer: the RLE/bit-packed hybrid (definition levels and
// dictionary indices), bit-packing, and the hash dictionaries that RLE_DICTIONARY pages index.
//
// RLE/bit-packed hybrid (parquet-format Encodings.md, "Run Length Encoding / Bit-Packing Hybrid"):
//   encoded      := run*
//   run          := rle-run | bit-packed-run
//   rle-run      := varint(count << 1)  value as ceil(bit_width / 8) little-endian bytes
//   bit-packed   := varint(groups << 1 | 1)  groups * 8 values packed LSB-first, bit_width bits
//   each
// A bit-packed run holds a multiple of 8 values; the last one of a page may be padded with zeros
// (the page's value count says where the real values end). Runs of 8 or more equal values become
// RLE runs; everything else is packed in 8-value groups.
//
// The dictionaries never allocate per value: fixed-width values live in one vector, byte arrays in
// one buffer already laid out as the dictionary page's PLAIN encoding (4-byte length + bytes), and
// the hash table is open addressing over entry indices. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace tsb::parquet {

// Bits needed to represent every value in [0, max_value]; 0 for 0.
inline int BitWidth(uint64_t max_value) {
  return max_value == 0 ? 0 : 64 - __builtin_clzll(max_value);
}

// Appends ULEB128.
inline void PutUleb128(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Packs groups of 8 values of `bit_width` bits (<= 32) LSB-first; `count` is rounded up to a
// multiple of 8 with zero values. Appends ceil(count / 8) * bit_width bytes.
template <typename T>
void BitPack(const T* values, size_t count, int bit_width, std::string* out) {
  size_t groups = (count + 7) / 8;
  size_t begin = out->size();
  out->resize(begin + groups * static_cast<size_t>(bit_width));
  uint8_t* dst = reinterpret_cast<uint8_t*>(out->data() + begin);
  size_t full = count / 8;
  for (size_t g = 0; g < full; ++g) {
    const T* v = values + g * 8;
    uint64_t acc = 0;
    int bits = 0;
    for (int k = 0; k < 8; ++k) {
      acc |= static_cast<uint64_t>(v[k]) << bits;
      bits += bit_width;
      while (bits >= 8) {
        *dst++ = static_cast<uint8_t>(acc);
        acc >>= 8;
        bits -= 8;
      }
    }
  }
  if (full < groups) {
    T tail[8] = {};
    for (size_t k = full * 8; k < count; ++k) tail[k - full * 8] = values[k];
    uint64_t acc = 0;
    int bits = 0;
    for (int k = 0; k < 8; ++k) {
      acc |= static_cast<uint64_t>(tail[k]) << bits;
      bits += bit_width;
      while (bits >= 8) {
        *dst++ = static_cast<uint8_t>(acc);
        acc >>= 8;
        bits -= 8;
      }
    }
  }
}

// Appends `values[0, count)` (each < 2^bit_width) in the RLE/bit-packed hybrid, without the
// 4-byte length prefix that data page v1 puts before definition levels.
template <typename T>
void RleBpEncode(const T* values, size_t count, int bit_width, std::string* out) {
  const size_t value_bytes = static_cast<size_t>((bit_width + 7) / 8);
  size_t literal_start = 0;
  size_t literal_count = 0;
  auto flush_literal = [&]() {
    if (literal_count == 0) return;
    PutUleb128(((literal_count + 7) / 8) << 1 | 1, out);
    BitPack(values + literal_start, literal_count, bit_width, out);
    literal_count = 0;
  };
  size_t i = 0;
  while (i < count) {
    const T v = values[i];
    size_t j = i + 1;
    while (j < count && values[j] == v) ++j;
    if (j - i >= 8) {
      flush_literal();
      PutUleb128(static_cast<uint64_t>(j - i) << 1, out);
      uint64_t x = static_cast<uint64_t>(v);
      for (size_t b = 0; b < value_bytes; ++b) out->push_back(static_cast<char>(x >> (8 * b)));
      i = j;
    } else {
      if (literal_count == 0) literal_start = i;
      size_t take = count - i < 8 ? count - i : 8;
      literal_count += take;
      i += take;
    }
  }
  flush_literal();
}

// A dictionary of fixed-width values keyed by their bit pattern (so -0.0 != 0.0 and NaNs with
// the same bits are one entry). `Bits` is uint32_t or uint64_t.
template <typename Bits>
class FixedDictionary {
 public:
  FixedDictionary() { Clear(); }

  // Empties the dictionary. The hash table keeps its size, so a writer that needed a big one for
  // the last row group does not grow it again step by step.
  void Clear() {
    values_.clear();
    slots_.assign(std::max(slots_.size(), kInitialSlots), 0);
    mask_ = slots_.size() - 1;
  }
  size_t size() const { return values_.size(); }
  size_t bytes() const { return values_.size() * sizeof(Bits); }
  const std::vector<Bits>& values() const { return values_; }

  // Returns the index of `v`, adding it if new (*inserted tells which).
  uint32_t Insert(Bits v, bool* inserted) {
    size_t slot = Hash(v) & mask_;
    while (true) {
      uint32_t s = slots_[slot];
      if (s == 0) break;
      if (values_[s - 1] == v) {
        *inserted = false;
        return s - 1;
      }
      slot = (slot + 1) & mask_;
    }
    values_.push_back(v);
    slots_[slot] = static_cast<uint32_t>(values_.size());
    *inserted = true;
    if (values_.size() * 2 > slots_.size()) Grow();
    return static_cast<uint32_t>(values_.size() - 1);
  }

  // PLAIN encoding of the entries in index order (little-endian).
  void EncodePlain(std::string* out) const {
    out->append(reinterpret_cast<const char*>(values_.data()), values_.size() * sizeof(Bits));
  }

 private:
  static constexpr size_t kInitialSlots = 1024;
  static size_t Hash(Bits v) {
    uint64_t h = static_cast<uint64_t>(v) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h ^ (h >> 32));
  }
  void Grow() {
    slots_.assign(slots_.size() * 2, 0);
    mask_ = slots_.size() - 1;
    for (size_t i = 0; i < values_.size(); ++i) {
      size_t slot = Hash(values_[i]) & mask_;
      while (slots_[slot] != 0) slot = (slot + 1) & mask_;
      slots_[slot] = static_cast<uint32_t>(i + 1);
    }
  }

  std::vector<Bits> values_;
  std::vector<uint32_t> slots_;  // entry index + 1; 0 = empty
  size_t mask_ = 0;
};

// 64-bit hash of a byte string, 8 bytes per step. Inline, and its last bytes read as a word that
// overlaps the ones before (or, below 8 bytes, as two overlapping halves) rather than copied out
// with a variable-length memcpy: dictionary columns are mostly short strings, and that call was
// a third of the hash's cost. The length is mixed in first, so the overlap keeps equal hashes for
// equal strings only.
inline uint64_t HashBytes(const char* data, size_t size) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  auto mix = [](uint64_t h, uint64_t w) {
    h = (h ^ w) * kMul;
    return h ^ (h >> 29);
  };
  uint64_t h = size * kMul;
  if (size >= 8) {
    size_t i = 0;
    for (; i + 8 <= size; i += 8) {
      uint64_t w;
      std::memcpy(&w, data + i, 8);
      h = mix(h, w);
    }
    if (i < size) {
      uint64_t w;
      std::memcpy(&w, data + size - 8, 8);
      h = mix(h, w);
    }
  } else if (size >= 4) {
    uint32_t first, last;
    std::memcpy(&first, data, 4);
    std::memcpy(&last, data + size - 4, 4);
    h = mix(h, first | static_cast<uint64_t>(last) << 32);
  } else if (size > 0) {
    const auto byte = [data](size_t i) {
      return static_cast<uint64_t>(static_cast<uint8_t>(data[i]));
    };
    h = mix(h, byte(0) | byte(size / 2) << 8 | byte(size - 1) << 16);
  }
  h *= 0xBF58476D1CE4E5B9ull;
  return h ^ (h >> 31);
}

// Whether the `size` bytes at `a` and `b` are equal, for sizeof(Word) <= size <= 2 sizeof(Word):
// the first and the last word, which overlap or meet, cover them all.
template <typename Word>
inline bool SameHeadAndTail(const char* a, const char* b, size_t size) {
  Word a0, b0, a1, b1;
  std::memcpy(&a0, a, sizeof(Word));
  std::memcpy(&b0, b, sizeof(Word));
  std::memcpy(&a1, a + size - sizeof(Word), sizeof(Word));
  std::memcpy(&b1, b + size - sizeof(Word), sizeof(Word));
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

// Whether the `size` bytes at `a` and `b` are equal; short strings without a call to memcmp.
inline bool SameBytes(const char* a, const char* b, size_t size) {
  if (size > 16) return std::memcmp(a, b, size) == 0;
  if (size >= 8) return SameHeadAndTail<uint64_t>(a, b, size);
  if (size >= 4) return SameHeadAndTail<uint32_t>(a, b, size);
  for (size_t i = 0; i < size; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// A dictionary of byte strings whose storage is the dictionary page's PLAIN encoding.
class ByteArrayDictionary {
 public:
  ByteArrayDictionary() { Clear(); }

  void Clear();
  size_t size() const { return entries_.size(); }
  // Size of the PLAIN-encoded dictionary page.
  size_t bytes() const { return plain_.size(); }
  const std::string& plain() const { return plain_; }
  std::string_view entry(uint32_t index) const {
    const Entry& e = entries_[index];
    return std::string_view(plain_.data() + e.offset, e.size);
  }
  size_t entry_size(uint32_t index) const { return entries_[index].size; }
  // The entry's PLAIN encoding: 4-byte length, then the bytes.
  std::string_view entry_with_length(uint32_t index) const {
    const Entry& e = entries_[index];
    return std::string_view(plain_.data() + e.offset - 4, e.size + 4);
  }

  uint32_t Insert(std::string_view v, bool* inserted) {
    uint64_t h = HashBytes(v.data(), v.size());
    size_t slot = h & mask_;
    uint32_t tag = static_cast<uint32_t>(h >> 32);
    while (true) {
      const Slot& s = slots_[slot];
      if (s.index_plus_one == 0) break;
      if (s.tag == tag) {
        const Entry& e = entries_[s.index_plus_one - 1];
        if (e.size == v.size() && SameBytes(plain_.data() + e.offset, v.data(), v.size())) {
          *inserted = false;
          return s.index_plus_one - 1;
        }
      }
      slot = (slot + 1) & mask_;
    }
    uint32_t size = static_cast<uint32_t>(v.size());
    char len[4];
    std::memcpy(len, &size, 4);  // little-endian hosts only (checked in encoders.cc)
    plain_.append(len, 4);
    entries_.push_back(Entry{plain_.size(), size, tag});
    plain_.append(v.data(), v.size());
    slots_[slot] = Slot{static_cast<uint32_t>(entries_.size()), tag};
    *inserted = true;
    if (entries_.size() * 2 > slots_.size()) Grow();
    return static_cast<uint32_t>(entries_.size() - 1);
  }

 private:
  struct Entry {
    size_t offset;  // of the bytes in plain_ (after the length)
    uint32_t size;
    uint32_t tag;  // high half of the hash
  };
  struct Slot {
    uint32_t index_plus_one;
    uint32_t tag;
  };
  static constexpr size_t kInitialSlots = 1024;
  void Grow();

  std::string plain_;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

}  // namespace tsb::parquet
