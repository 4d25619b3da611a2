// The JSON Lines reader (formats/jsonl) over arbitrary bytes, through the registry's public
// ReaderOptions (input layout: fuzz_text_reader.h).
#include <cstddef>
#include <cstdint>

#include "fuzz_text_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tsb::fuzz::ReadText(data, size, "fuzz.jsonl", tsb::FileFormat::kJsonl);
  return 0;
}
