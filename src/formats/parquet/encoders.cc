#include "formats/parquet/encoders.h"

#include <algorithm>
#include <bit>

namespace tsb::parquet {

static_assert(std::endian::native == std::endian::little,
              "the Parquet writer copies values as little-endian bytes");

uint64_t HashBytes(const char* data, size_t size) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = size * kMul;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  if (i < size) {
    uint64_t w = 0;
    std::memcpy(&w, data + i, size - i);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  h *= 0xBF58476D1CE4E5B9ull;
  return h ^ (h >> 31);
}

void ByteArrayDictionary::Clear() {
  plain_.clear();
  entries_.clear();
  slots_.assign(std::max(slots_.size(), kInitialSlots), Slot{0, 0});  // keeps the table's size
  mask_ = slots_.size() - 1;
}

void ByteArrayDictionary::Grow() {
  slots_.assign(slots_.size() * 2, Slot{0, 0});
  mask_ = slots_.size() - 1;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    uint64_t h = HashBytes(plain_.data() + e.offset, e.size);
    size_t slot = h & mask_;
    while (slots_[slot].index_plus_one != 0) slot = (slot + 1) & mask_;
    slots_[slot] = Slot{static_cast<uint32_t>(i + 1), e.tag};
  }
}

}  // namespace tsb::parquet
