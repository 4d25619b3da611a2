#include "formats/parquet/decoding.h"

namespace tsb::parquet {

uint64_t LoadBits(const uint8_t* p, size_t size, uint64_t bit_offset, int width) {
  if (width == 0) return 0;
  uint64_t byte = bit_offset >> 3;
  int shift = static_cast<int>(bit_offset & 7);
  unsigned __int128 acc = 0;
  int nbytes = (shift + width + 7) / 8;  // <= 9
  for (int i = 0; i < nbytes; ++i) {
    if (byte + i >= size) break;
    acc |= static_cast<unsigned __int128>(p[byte + i]) << (8 * i);
  }
  acc >>= shift;
  uint64_t v = static_cast<uint64_t>(acc);
  return width == 64 ? v : (v & ((1ull << width) - 1));
}

bool GetVarint(const uint8_t** p, const uint8_t* end, uint64_t* v) {
  uint64_t result = 0;
  const uint8_t* q = *p;
  for (int shift = 0; shift < 64; shift += 7) {
    if (q >= end) return false;
    uint8_t b = *q++;
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      *p = q;
      return true;
    }
  }
  return false;
}

// ----------------------------------------------------------------------------------------------
// RLE / bit-packed hybrid
// ----------------------------------------------------------------------------------------------

void RleBpDecoder::Init(const uint8_t* data, size_t size, int bit_width) {
  pos_ = data;
  end_ = data + size;
  bit_width_ = bit_width;
  run_left_ = 0;
  error_ = nullptr;
}

bool RleBpDecoder::NextRun() {
  if (bit_width_ < 0 || bit_width_ > 32) {
    error_ = "RLE bit width above 32";
    return false;
  }
  // Empty runs are skipped; each takes at least one byte, so this loop ends with the input.
  do {
    if (!ReadRunHeader()) return false;
  } while (run_left_ == 0);
  return true;
}

bool RleBpDecoder::ReadRunHeader() {
  uint64_t header;
  if (pos_ >= end_ || !GetVarint(&pos_, end_, &header)) {
    error_ = "truncated RLE/bit-packed run";
    return false;
  }
  if (header & 1) {
    // Bit-packed: (header >> 1) groups of 8 values, bit_width bytes per group. A last run that
    // stops short of its declared groups is accepted up to the values its bytes hold.
    uint64_t groups = header >> 1;
    uint64_t avail = static_cast<uint64_t>(end_ - pos_);
    uint64_t bytes = groups * static_cast<uint64_t>(bit_width_);
    if (groups > (1ull << 40)) {
      error_ = "bit-packed run length out of range";
      return false;
    }
    if (bytes > avail) bytes = avail;
    rle_ = false;
    bp_data_ = pos_;
    bp_bytes_ = bytes;
    bp_index_ = 0;
    run_left_ = bit_width_ == 0 ? groups * 8 : bytes * 8 / bit_width_;
    if (run_left_ > groups * 8) run_left_ = groups * 8;
    pos_ += bytes;
  } else {
    uint64_t count = header >> 1;
    int nbytes = (bit_width_ + 7) / 8;
    if (end_ - pos_ < nbytes) {
      error_ = "truncated RLE run";
      return false;
    }
    uint32_t v = 0;
    for (int i = 0; i < nbytes; ++i) v |= static_cast<uint32_t>(pos_[i]) << (8 * i);
    pos_ += nbytes;
    if (bit_width_ < 32 && (v >> bit_width_) != 0) {
      error_ = "RLE run value wider than its bit width";
      return false;
    }
    rle_ = true;
    rle_value_ = v;
    run_left_ = count;
  }
  return true;
}

// ----------------------------------------------------------------------------------------------
// DELTA_BINARY_PACKED
// ----------------------------------------------------------------------------------------------

bool DeltaBinaryPackedDecoder::Init(const uint8_t* data, size_t size) {
  pos_ = data;
  end_ = data + size;
  error_ = nullptr;
  uint64_t first;
  if (!GetVarint(&pos_, end_, &block_size_) || !GetVarint(&pos_, end_, &miniblocks_) ||
      !GetVarint(&pos_, end_, &total_) || !GetVarint(&pos_, end_, &first)) {
    error_ = "truncated DELTA_BINARY_PACKED header";
    return false;
  }
  if (block_size_ == 0 || block_size_ % 128 != 0 || block_size_ > (1u << 20) || miniblocks_ == 0 ||
      block_size_ % miniblocks_ != 0 || (block_size_ / miniblocks_) % 8 != 0) {
    error_ = "bad DELTA_BINARY_PACKED block header";
    return false;
  }
  per_mini_ = block_size_ / miniblocks_;
  // Every block after the first value takes at least 1 + miniblocks bytes (min delta, widths):
  // a count the bytes cannot hold is a lie, refused before anyone allocates for it.
  uint64_t max_blocks = static_cast<uint64_t>(end_ - pos_) / (1 + miniblocks_);
  if (total_ > 1 && (total_ - 1 + block_size_ - 1) / block_size_ > max_blocks) {
    error_ = "DELTA_BINARY_PACKED value count larger than its bytes can hold";
    return false;
  }
  last_ = static_cast<uint64_t>(ZigZagDecode(first));
  emitted_ = 0;
  in_block_ = false;
  mini_pos_ = mini_count_ = 0;
  mini_values_.resize(per_mini_);
  return true;
}

bool DeltaBinaryPackedDecoder::StartMiniblock() {
  if (!in_block_ || mini_index_ == miniblocks_) {
    uint64_t zz;
    if (!GetVarint(&pos_, end_, &zz)) {
      error_ = "truncated DELTA_BINARY_PACKED block";
      return false;
    }
    min_delta_ = static_cast<uint64_t>(ZigZagDecode(zz));
    if (static_cast<uint64_t>(end_ - pos_) < miniblocks_) {
      error_ = "truncated DELTA_BINARY_PACKED bit widths";
      return false;
    }
    widths_.assign(pos_, pos_ + miniblocks_);
    pos_ += miniblocks_;
    in_block_ = true;
    mini_index_ = 0;
  }
  int w = widths_[mini_index_++];
  if (w > 64) {
    error_ = "DELTA_BINARY_PACKED bit width above 64";
    return false;
  }
  uint64_t left = total_ - emitted_;  // values still owed, first value excluded already
  uint64_t count = left < per_mini_ ? left : per_mini_;
  uint64_t full = per_mini_ * w / 8;
  uint64_t need = (count * w + 7) / 8;
  uint64_t avail = static_cast<uint64_t>(end_ - pos_);
  if (need > avail) {
    error_ = "truncated DELTA_BINARY_PACKED miniblock";
    return false;
  }
  uint64_t bit = 0;
  for (uint64_t i = 0; i < count; ++i, bit += w) {
    mini_values_[i] = LoadBits(pos_, need, bit, w);
  }
  pos_ += full < avail ? full : avail;
  mini_pos_ = 0;
  mini_count_ = count;
  return true;
}

bool DeltaBinaryPackedDecoder::Get(int64_t* out, size_t n) {
  if (n > total_ - emitted_) {
    error_ = "DELTA_BINARY_PACKED stream holds fewer values than the page";
    return false;
  }
  size_t i = 0;
  if (n > 0 && emitted_ == 0) {
    out[i++] = static_cast<int64_t>(last_);
    emitted_ = 1;
  }
  while (i < n) {
    if (mini_pos_ == mini_count_ && !StartMiniblock()) return false;
    size_t take = mini_count_ - mini_pos_;
    if (take > n - i) take = n - i;
    uint64_t v = last_;
    for (size_t j = 0; j < take; ++j) {
      v += min_delta_ + mini_values_[mini_pos_ + j];
      out[i + j] = static_cast<int64_t>(v);
    }
    last_ = v;
    mini_pos_ += take;
    i += take;
    emitted_ += take;
  }
  return true;
}

// ----------------------------------------------------------------------------------------------
// BYTE_STREAM_SPLIT
// ----------------------------------------------------------------------------------------------

void ByteStreamSplitDecode(const uint8_t* data, size_t count, int width, size_t first, size_t n,
                           uint8_t* out) {
  for (int b = 0; b < width; ++b) {
    const uint8_t* stream = data + static_cast<size_t>(b) * count + first;
    for (size_t i = 0; i < n; ++i) out[i * width + b] = stream[i];
  }
}

}  // namespace tsb::parquet
