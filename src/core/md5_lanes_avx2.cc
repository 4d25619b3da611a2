// The 8-lane MD5 block function, compiled with -mavx2 (src/CMakeLists.txt); md5_lanes.cc calls it
// only on a CPU that has AVX2.
#if defined(__x86_64__)
#include <cstddef>
#include <cstdint>

#include "core/md5_lanes_kernel.h"

namespace tsb::md5_lanes_internal {

void CompressAvx2(uint32_t* state, const unsigned char** blocks, const size_t* strides, size_t n) {
  typedef uint32_t V8 __attribute__((vector_size(32)));
  Md5CompressLanes<V8, 8>(state, blocks, strides, n);
}

}  // namespace tsb::md5_lanes_internal
#endif
