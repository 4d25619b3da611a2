// ParquetFileReader: a BatchReader over one flat Parquet file.
//
//   ReaderOptions options;
//   options.path = "orders.parquet";
//   options.format = FileFormat::kParquet;
//   options.columns = {{"o_orderkey", DataType::Of(TypeId::kInt64)}};  // empty = every column
//   TSB_ASSIGN_OR_RETURN(auto reader, ParquetFileReader::Open(options));
//   RowBatch batch(reader->schema_ptr(), options.batch_rows);
//   while (true) {
//     TSB_RETURN_IF_ERROR(reader->Next(&batch));
//     if (batch.num_rows() == 0 && batch.rejects().empty()) break;
//     ...
//   }
//
// Open reads and checks the footer and resolves the projection: only the named top-level
// columns are ever read, a nested column (LIST, STRUCT, MAP) among them is refused with
// InvalidArgument naming it, and a missing one is InvalidArgument. With no columns named, every
// column is read in its native type (column_reader.h: DescribeColumn); with columns named, each
// is converted to the requested type (conversion table in file_reader.cc). A value that does not
// fit its requested type rejects its row (RowBatch::rejects(), code TSB_BAD_VALUE); the other
// rows go on.
//
// Next streams row group by row group: it holds the compressed column chunks of the projected
// columns of one row group (one pread each), decompresses one page at a time per column, and
// decodes straight into the batch's columns. positions() are 1-based row numbers in the file.
// Errors are Corruption/NotSupported with context "file: row group 3: column \"price\": page 2: ...".
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/row_batch.h"
#include "core/status.h"
#include "core/types.h"
#include "formats/format.h"
#include "formats/parquet/metadata.h"

namespace tsb::parquet {

class ColumnChunkReader;

class ParquetFileReader : public BatchReader {
 public:
  static Result<std::unique_ptr<ParquetFileReader>> Open(const ReaderOptions& options);
  ~ParquetFileReader() override;
  ParquetFileReader(const ParquetFileReader&) = delete;
  ParquetFileReader& operator=(const ParquetFileReader&) = delete;

  const Schema& schema() const override { return *schema_; }
  std::shared_ptr<const Schema> schema_ptr() const { return schema_; }
  Status Next(RowBatch* batch) override;

  const FileMetaData& metadata() const { return meta_; }
  int64_t num_rows() const { return meta_.num_rows; }

 private:
  struct Projected;
  ParquetFileReader();
  Status Init(const ReaderOptions& options);
  Status StartRowGroup();
  Status ConvertBatch(RowBatch* batch, size_t rows, int64_t first_row);

  std::string path_;
  std::string name_;  // for messages: the path as given
  int fd_ = -1;
  int leaves_ = 0;  // leaf columns in the schema = column chunks per row group
  uint64_t file_size_ = 0;
  uint64_t data_end_ = 0;  // where the footer starts
  FileMetaData meta_;
  std::shared_ptr<const Schema> schema_;
  std::vector<std::unique_ptr<Projected>> columns_;
  size_t next_row_group_ = 0;
  int current_row_group_ = -1;
  int64_t group_rows_left_ = 0;
  int64_t next_row_ = 0;  // 0-based row number of the next row in the file
  std::vector<uint8_t> reject_;  // per row of the batch being converted
};

}  // namespace tsb::parquet

// tsb::OpenParquetReader (parquet.h, called by the format registry) opens a ParquetFileReader.
