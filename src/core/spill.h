// Spill files: RowBatches written to a temporary file and read back in the same order.
//
// An import that scans several splits in parallel but writes one file in primary-key order must
// hold the rows of the splits it is not writing yet. It keeps a few batches of each in memory
// and spills the rest here, so memory stays bounded by the batch budget, not by the table.
//
// Layout (native byte order: a spill file never leaves the process that wrote it):
//   batch   := u32 magic 'TSBS' | u64 rows | u64 positions | i64 position* | column*
//   column  := u8 validity[rows] | values
//   values  := int64[rows] | double[rows] | int128[rows] | u64 offsets[rows + 1] u64 n bytes[n]
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"

namespace tsb {

class SpillFile {
 public:
  // Creates an anonymous temporary file in `dir` (removed by the OS when closed).
  static Result<std::unique_ptr<SpillFile>> Create(const std::string& dir);
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  [[nodiscard]] Status Append(const RowBatch& batch);
  // Switches from writing to reading, from the first batch on.
  [[nodiscard]] Status Rewind();
  // Refills *batch with the next spilled batch; false at the end.
  [[nodiscard]] Result<bool> Next(RowBatch* batch);

  uint64_t bytes_written() const { return bytes_written_; }
  uint64_t batches() const { return batches_; }

 private:
  explicit SpillFile(std::FILE* file) : file_(file) {}
  std::FILE* file_;
  uint64_t bytes_written_ = 0;
  uint64_t batches_ = 0;
  uint64_t batches_read_ = 0;
};

// Approximate heap bytes held by a batch's values (for memory budgets).
size_t BatchBytes(const RowBatch& batch);

}  // namespace tsb
