// The job-spec parser (core/job_spec): JSON syntax, nesting limits, every key's checks, the
// mapping. A spec that parses must also survive what `tsbridge spec to-ddl` does with it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/ddl.h"
#include "tsbridge/job_spec.h"

using namespace tsb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  JobSpecOptions options;
  options.require_file = size % 2 == 1;
  auto spec = ParseJobSpec(text, options);
  if (spec.ok()) (void)DdlFromJobSpec(*spec);
  return 0;
}
