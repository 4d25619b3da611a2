// BatchReader / BatchWriter: the plug-in points of tsbridge's one data path.
//
// Every source yields RowBatches and every sink consumes them: the CSV, JSON Lines and Parquet
// files of src/formats, and the Tablestore table of src/tablestore. A job wires one reader to one
// writer through core's steps (mapping, conversion, predicates); no reader knows any writer. The
// interfaces live here, below both formats and tablestore, so that either side implements them
// without knowing the other.
#pragma once

#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"
#include "tsbridge/types.h"

namespace tsb {

class BatchReader {
 public:
  virtual ~BatchReader() = default;
  // The columns this reader yields (after projection), with their types.
  virtual const Schema& schema() const = 0;
  // Refills *batch (created with schema()) with up to batch->capacity() rows; at the end of the
  // input the batch comes back with no rows and no rejects.
  [[nodiscard]] virtual Status Next(RowBatch* batch) = 0;
};

class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  [[nodiscard]] virtual Status Write(const RowBatch& batch) = 0;
  // Flushes what is buffered and makes the result final: for files, writes the footer and moves
  // the temporary file to its final name. A writer destroyed without Close() leaves nothing under
  // the final name.
  [[nodiscard]] virtual Status Close() = 0;
  // Hands what the writer buffers to its output, so that the rows written so far are in the file
  // (import --resume syncs the file then). Writers that cannot say so return NotSupported.
  [[nodiscard]] virtual Status Flush() { return Status::NotSupported("this writer cannot flush"); }
};

}  // namespace tsb
