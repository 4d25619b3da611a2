// LargeBuffer: a byte buffer for the Parquet reader's column chunks and the writer's page blocks,
// tens of megabytes that are written once and then read.
//
// Two costs of a plain std::string at that size: resize() zero-fills bytes that are about to be
// overwritten, and fresh memory is faulted in one 4 KiB page at a time as it is first touched
// (under a hypervisor each fault costs microseconds: a fifth of a Parquet -> CSV conversion). So
// resize() leaves new bytes uninitialised, and a buffer of 2 MiB or more comes from mmap, with
// transparent huge pages where the system grants them on request (one fault per 2 MiB). Such a
// buffer is rounded up to a multiple of 2 MiB; its pages are still faulted in only as they are
// touched, so what is resident stays what is used. Not thread-safe.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>
#include <utility>

namespace tsb::parquet {

class LargeBuffer {
 public:
  static constexpr size_t kMapBytes = size_t{2} << 20;

  LargeBuffer() = default;
  LargeBuffer(LargeBuffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)),
        size_(std::exchange(o.size_, 0)),
        capacity_(std::exchange(o.capacity_, 0)),
        mapped_(std::exchange(o.mapped_, false)) {}
  LargeBuffer& operator=(LargeBuffer&& o) noexcept {
    if (this != &o) {
      Release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      capacity_ = std::exchange(o.capacity_, 0);
      mapped_ = std::exchange(o.mapped_, false);
    }
    return *this;
  }
  LargeBuffer(const LargeBuffer&) = delete;
  LargeBuffer& operator=(const LargeBuffer&) = delete;
  ~LargeBuffer() { Release(); }

  char* data() { return data_; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  operator std::string_view() const { return std::string_view(data_, size_); }

  // Sets the size to `n`; growing past the capacity drops the old bytes.
  void resize(size_t n) {
    if (n > capacity_) {
      Release();
      Allocate(n);
    }
    size_ = n;
  }
  void clear() { size_ = 0; }
  // Makes the capacity at least `n`, dropping the contents (size 0); growing takes at least twice
  // the old capacity, so a buffer refilled with sizes that creep up (page after page) is not
  // reallocated, and faulted in afresh, for each.
  void ReserveDiscarding(size_t n) {
    if (n > capacity_) {
      const size_t want = std::max(n, 2 * capacity_);
      Release();
      Allocate(want);
    }
    size_ = 0;
  }
  // Appends within the capacity (the caller checks it).
  void AppendWithin(std::string_view bytes) {
    std::memcpy(data_ + size_, bytes.data(), bytes.size());
    size_ += bytes.size();
  }

 private:
  void Allocate(size_t n) {
    if (n >= kMapBytes) {
      // Transparent huge pages where the system allows them on request (the usual "madvise"
      // setting): one fault per 2 MiB instead of per 4 KiB. The mapping is aligned to 2 MiB so
      // that whole huge pages fit in it.
      constexpr size_t kHuge = size_t{2} << 20;
      const size_t length = (n + kHuge - 1) / kHuge * kHuge;
      void* p = ::mmap(nullptr, length + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      char* base = static_cast<char*>(p);
      char* aligned =
          reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(base) + kHuge - 1) / kHuge * kHuge);
      if (aligned > base) ::munmap(base, static_cast<size_t>(aligned - base));
      const size_t tail = static_cast<size_t>(base + length + kHuge - (aligned + length));
      if (tail > 0) ::munmap(aligned + length, tail);
      ::madvise(aligned, length, MADV_HUGEPAGE);
      data_ = aligned;
      capacity_ = length;
      mapped_ = true;
    } else {
      data_ = new char[n];
      capacity_ = n;
      mapped_ = false;
    }
  }
  void Release() {
    if (data_ != nullptr) {
      if (mapped_) {
        ::munmap(data_, capacity_);
      } else {
        delete[] data_;
      }
    }
    data_ = nullptr;
    size_ = 0;
    capacity_ = 0;
    mapped_ = false;
  }

  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  bool mapped_ = false;
};

}  // namespace tsb::parquet
