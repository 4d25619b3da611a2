// Helpers shared by the fuzz targets: an in-memory input stream and a reader drain.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "core/text_io.h"
#include "tsbridge/batch_io.h"
#include "tsbridge/row_batch.h"

namespace tsb::fuzz {

// Hands the bytes out `chunk` at a time, so that records, quotes, escapes and UTF-8 sequences
// straddle the readers' refills the way they straddle 1 MiB blocks of a large file.
class MemoryInput : public InputStream {
 public:
  MemoryInput(std::string_view data, size_t chunk)
      : InputStream("fuzz-input"), data_(data), chunk_(std::max<size_t>(chunk, 1)) {}
  Result<size_t> Read(char* dst, size_t n) override {
    size_t take = std::min({n, chunk_, data_.size() - pos_});
    std::memcpy(dst, data_.data() + pos_, take);
    pos_ += take;
    return take;
  }

 private:
  std::string_view data_;
  size_t chunk_;
  size_t pos_ = 0;
};

// Reads every batch; a reader must end (an empty batch, or an error) and each batch must respect
// its capacity. Anything else is a bug the fuzzer should stop on.
inline void Drain(BatchReader* reader, size_t batch_rows) {
  auto schema = std::make_shared<const Schema>(reader->schema());
  RowBatch batch(schema, batch_rows);
  for (int i = 0; i < 1'000'000; ++i) {
    batch.Reset();
    if (!reader->Next(&batch).ok()) return;
    if (batch.num_rows() > batch_rows) {
      std::fprintf(stderr, "batch of %zu rows exceeds its capacity %zu\n", batch.num_rows(),
                   batch_rows);
      std::abort();
    }
    if (batch.num_rows() == 0 && batch.rejects().empty()) return;
  }
  std::fprintf(stderr, "reader never reached the end of its input\n");
  std::abort();
}

}  // namespace tsb::fuzz
