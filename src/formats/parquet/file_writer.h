// ParquetFileWriter: the BatchWriter that writes a flat Parquet file.
//
//   auto writer = ParquetFileWriter::Open(schema, options);   // creates .<name>.tmp-PID-XXXXXX
//   beside it writer->Write(batch) ...                                  // batches with `schema`'s
//   types writer->Close();                                          // footer, then rename to
//   <path>
// The registry reaches it through tsb::OpenParquetWriter (parquet.h), defined in file_writer.cc.
//
// File layout (parquet-format, "File format"):
//   "PAR1"  { column chunk }* per row group  FileMetaData (Thrift compact)  int32 LE length  "PAR1"
// Each column (see column_writer.h for the type mapping) becomes one chunk per row group; a row
// group is closed when it holds WriterOptions::row_group_rows rows, and its chunks are written
// one after the other.
//
// Memory bound: the encoded, compressed pages of one row group (every column's chunk is held
// until the row group is complete), plus per column one page of unencoded values (about
// page_bytes) and its dictionary (about dictionary_page_bytes), plus the footer metadata (a few
// hundred bytes per column per row group).
//
// Durability: the data goes to a temporary file in the destination's directory, renamed over
// `path` by Close(). A writer destroyed without a successful Close() removes its temporary file,
// so nothing ever appears under `path` half-written. No fsync is done.
// After any error the writer is failed: Write and Close return the first error. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "formats/format.h"
#include "formats/parquet/metadata.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"
#include "tsbridge/types.h"

namespace tsb::parquet {

class ColumnWriter;

class ParquetFileWriter final : public ResumableWriter {
 public:
  // With `at`, continues the temporary file of a killed writer of the same schema and options at
  // that point.
  static Result<std::unique_ptr<ParquetFileWriter>> Open(const Schema& schema,
                                                         const WriterOptions& options,
                                                         const DurablePoint* at = nullptr);
  ~ParquetFileWriter() override;
  ParquetFileWriter(const ParquetFileWriter&) = delete;
  ParquetFileWriter& operator=(const ParquetFileWriter&) = delete;

  Status Write(const RowBatch& batch) override;
  Status Close() override;
  int64_t point_rows() const override { return options_.row_group_rows; }
  Result<DurablePoint> MakeDurable() override;

  const std::string& temporary_path() const { return temp_path_; }

 private:
  ParquetFileWriter(const Schema& schema, const WriterOptions& options);
  Status FlushRowGroup();
  Status ContinueAt(const DurablePoint& at);
  Status WriteBytes(std::string_view bytes);
  Status Fail(Status status);

  Schema schema_;
  WriterOptions options_;
  std::string temp_path_;
  int fd_ = -1;
  int64_t offset_ = 0;
  std::vector<std::unique_ptr<ColumnWriter>> columns_;
  FileMetaData metadata_;
  int64_t rows_in_group_ = 0;
  bool closed_ = false;
  Status error_;
};

}  // namespace tsb::parquet
