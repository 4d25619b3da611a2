// The 16-lane MD5 block function, compiled with -mavx512f (src/CMakeLists.txt); md5_lanes.cc
// calls it only on a CPU that has AVX-512F, where the rotations are one instruction (vprold).
#if defined(__x86_64__)
#include <cstddef>
#include <cstdint>

#include "core/md5_lanes_kernel.h"

namespace tsb::md5_lanes_internal {

void CompressAvx512(uint32_t* state, const unsigned char** blocks, const size_t* strides,
                    size_t n) {
  typedef uint32_t V16 __attribute__((vector_size(64)));
  Md5CompressLanes<V16, 16>(state, blocks, strides, n);
}

}  // namespace tsb::md5_lanes_internal
#endif
