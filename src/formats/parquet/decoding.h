// Decoders for Parquet's value and level encodings (parquet-format Encodings.md).
//
// Every decoder works on a byte range it does not own and distrusts every length in it: a run,
// block or miniblock header that points past the end fails with a message (error()) instead of
// reading out of bounds. Runs are checked once when they start, then decoded on a fast path.
//
//   RleBpDecoder        RLE / bit-packed hybrid: definition levels, dictionary indices, booleans
//   DeltaBinaryPackedDecoder  DELTA_BINARY_PACKED, in 64-bit wrapping arithmetic (DuckDB writes
//                       33-bit deltas for INT32 columns)
//   ByteStreamSplitDecode     BYTE_STREAM_SPLIT for any fixed width
//   DecodeInt96Nanos    INT96 legacy timestamps
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace tsb::parquet {

// Little-endian load of `width` (0..64) bits starting at bit `bit_offset` of p[0..size).
// Bits past `size` read as zero.
uint64_t LoadBits(const uint8_t* p, size_t size, uint64_t bit_offset, int width);

// ULEB128 varint from [*p, end); advances *p. False when short or longer than 10 bytes.
bool GetVarint(const uint8_t** p, const uint8_t* end, uint64_t* v);
inline int64_t ZigZagDecode(uint64_t u) { return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1)); }

// Number of bits needed for values 0..max_value.
inline int BitWidth(uint64_t max_value) {
  int w = 0;
  while (max_value) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

class RleBpDecoder {
 public:
  RleBpDecoder() = default;
  // bit_width 0..32.
  void Init(const uint8_t* data, size_t size, int bit_width);
  // Appends the next n values to out[0..n); false (with error()) if the input runs short.
  template <typename T>
  bool Get(T* out, size_t n);
  const char* error() const { return error_; }

 private:
  bool NextRun();
  bool ReadRunHeader();
  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  int bit_width_ = 0;
  // current run
  bool rle_ = true;
  size_t run_left_ = 0;
  uint32_t rle_value_ = 0;
  const uint8_t* bp_data_ = nullptr;
  size_t bp_bytes_ = 0;
  uint64_t bp_index_ = 0;
  const char* error_ = nullptr;
};

template <typename T>
bool RleBpDecoder::Get(T* out, size_t n) {
  while (n > 0) {
    if (run_left_ == 0 && !NextRun()) return false;
    size_t take = n < run_left_ ? n : run_left_;
    if (rle_) {
      T v = static_cast<T>(rle_value_);
      for (size_t i = 0; i < take; ++i) out[i] = v;
    } else {
      const int w = bit_width_;
      const uint64_t mask = w == 64 ? ~0ull : ((1ull << w) - 1);
      uint64_t bit = bp_index_ * static_cast<uint64_t>(w);
      // Fast path while 8 bytes can be loaded at once (w <= 32, so shift + w <= 39 bits).
      size_t i = 0;
      for (; i < take; ++i, bit += w) {
        uint64_t byte = bit >> 3;
        if (byte + 8 > bp_bytes_) break;
        uint64_t word;
        std::memcpy(&word, bp_data_ + byte, 8);
        out[i] = static_cast<T>((word >> (bit & 7)) & mask);
      }
      for (; i < take; ++i, bit += w)
        out[i] = static_cast<T>(LoadBits(bp_data_, bp_bytes_, bit, w));
      bp_index_ += take;
    }
    out += take;
    n -= take;
    run_left_ -= take;
  }
  return true;
}

class DeltaBinaryPackedDecoder {
 public:
  // Reads the page header; false (with error()) if it is malformed.
  bool Init(const uint8_t* data, size_t size);
  // Values the header announces.
  uint64_t total() const { return total_; }
  // Appends the next n values (n <= values left) to out.
  bool Get(int64_t* out, size_t n);
  // Where the encoded values end, valid once all total() values have been read.
  const uint8_t* end_of_values() const { return pos_; }
  const char* error() const { return error_; }

 private:
  bool StartMiniblock();
  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t block_size_ = 0;
  uint64_t miniblocks_ = 0;
  uint64_t per_mini_ = 0;
  uint64_t total_ = 0;
  uint64_t emitted_ = 0;
  uint64_t last_ = 0;
  uint64_t min_delta_ = 0;
  std::vector<uint8_t> widths_;
  uint64_t mini_index_ = 0;  // next miniblock of the current block
  bool in_block_ = false;
  std::vector<uint64_t> mini_values_;
  size_t mini_pos_ = 0;
  size_t mini_count_ = 0;
  const char* error_ = nullptr;
};

// BYTE_STREAM_SPLIT: value i's byte b is at data[b * count + i]. Writes values [first, first+n)
// as little-endian `width`-byte values to out. The caller checks width * count <= size.
void ByteStreamSplitDecode(const uint8_t* data, size_t count, int width, size_t first, size_t n,
                           uint8_t* out);

// INT96 timestamp (8 bytes LE nanoseconds of the day, then 4 bytes LE Julian day) -> nanoseconds
// since 1970-01-01 UTC.
inline int64_t DecodeInt96Nanos(const uint8_t* p) {
  uint64_t nanos_of_day;
  uint32_t julian_day;
  std::memcpy(&nanos_of_day, p, 8);
  std::memcpy(&julian_day, p + 8, 4);
  constexpr int64_t kJulianEpoch = 2440588;  // Julian day of 1970-01-01
  constexpr uint64_t kNanosPerDay = 86400ull * 1000000000ull;
  uint64_t days =
      static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(julian_day)) - kJulianEpoch);
  return static_cast<int64_t>(days * kNanosPerDay + nanos_of_day);
}

}  // namespace tsb::parquet
