#include "formats/parquet/encoders.h"

#include <algorithm>
#include <bit>

namespace tsb::parquet {

static_assert(std::endian::native == std::endian::little,
              "the Parquet writer copies values as little-endian bytes");

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
