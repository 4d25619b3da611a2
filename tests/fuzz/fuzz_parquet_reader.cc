// The Parquet reader (formats/parquet) over arbitrary bytes: footer, Thrift metadata, page
// headers, the five codecs, dictionary / RLE / delta / byte-stream-split decoding. The reader
// takes a path, so each input is written to one temporary file per process first.
// Input: byte 0 picks the columns (none = the file's own, or the orders projection with
// conversions), byte 1 the batch size; the rest is the file.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "formats/format.h"
#include "fuzz_common.h"

using namespace tsb;

namespace {

const std::string& TempPath() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/tsb-fuzz-parquet-" +
           std::to_string(getpid()) + ".parquet";
  }();
  return path;
}

void RemoveTemp() { std::remove(TempPath().c_str()); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static const bool registered = (std::atexit(RemoveTemp), true);
  (void)registered;
  std::FILE* f = std::fopen(TempPath().c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 2 && std::fwrite(data + 2, 1, size - 2, f) != size - 2) std::abort();
  std::fclose(f);

  ReaderOptions options;
  options.path = TempPath();
  options.format = FileFormat::kParquet;
  if (data[0] % 2 == 1) {
    options.columns = {{"o_orderkey", DataType::Of(TypeId::kInt64)},
                       {"o_orderdate", DataType::Of(TypeId::kString)},
                       {"o_totalprice", DataType::Decimal(15, 2)}};
  }
  options.batch_rows = 1 + data[1] % 64;
  auto reader = OpenReader(options);
  if (reader.ok()) fuzz::Drain(reader->get(), options.batch_rows);
  return 0;
}
