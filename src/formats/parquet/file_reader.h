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
// is converted to the requested type (table below). A value that does not fit its requested
// type rejects its row (RowBatch::rejects(), code TSB_BAD_VALUE); the other rows go on.
//
// Native types (no columns named; column_reader.cc DescribeColumn):
//   BOOLEAN -> boolean; INT32 -> int, INT_8/INT(8) -> tinyint, INT_16 -> smallint, UINT_8/16/32
//   and INT(n,false) -> the same widths with is_unsigned (values zero-extended); INT64 -> bigint,
//   UINT_64 / INT(64,false) -> bigint is_unsigned (bits kept); FLOAT -> float; DOUBLE -> double;
//   BYTE_ARRAY STRING/UTF8/ENUM/JSON -> string; BYTE_ARRAY / FLBA otherwise -> binary;
//   DECIMAL(p<=38) on INT32/INT64/BYTE_ARRAY/FLBA -> decimal(p,s); DATE -> date;
//   TIMESTAMP(unit, utc) and TIMESTAMP_MILLIS/MICROS -> timestamp(unit, utc);
//   INT96 -> timestamp(nanos, local); UUID -> string "8-4-4-4-12"; FLOAT16 -> float;
//   Null/UNKNOWN -> null (every value NULL).
//
// Conversions to a requested type (any other pair is InvalidArgument at Open). Each line:
// requested <- from: when a value is rejected (TSB_BAD_VALUE).
//   bigint, int, smallint, tinyint <- any integer, decimal: out of range; decimal not integral
//   double <- double, float, integer, decimal: never (nearest double)
//   float  <- float, double, integer, decimal: a finite value beyond +-FLT_MAX
//   boolean <- boolean: never
//   string <- string, binary, integer, decimal, date, boolean (as text): binary not UTF-8
//   binary <- binary, string: never
//   decimal(p,s) <- decimal, integer: more than s digits after the point (no rounding), or
//                   more than p digits
//   date <- date: never
//   datetime, timestamp (ticks_unit) <- timestamp of any unit (UTC or local: the ticks are
//                   taken as UTC), date, integer (already ticks): finer than the requested
//                   unit (no truncation), int64 overflow
//   A Null-typed column (all NULL) reads as any requested type.
// Text read from BYTE_ARRAY columns is checked to be UTF-8 (all-ASCII batches skip the check);
// a row with invalid UTF-8 is rejected with TSB_BAD_UTF8.
//
// Next streams row group by row group: it holds the compressed column chunks of the projected
// columns of one row group (one pread each), decompresses one page at a time per column, and
// decodes straight into the batch's columns. positions() are 1-based row numbers in the file.
// Errors are Corruption/NotSupported with context "file: row group 3: column \"price\": page 2:
// ..." (row group and page numbers count from 0; pages count every page of the chunk, dictionary
// included). The batch passed to Next must be made from schema().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"
#include "tsbridge/types.h"
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

  // Before the first Next: skips the row groups that end at or before the 0-based `row`
  // without reading them, so that Next starts at the first row of the row group holding `row`
  // (past the last row: Next yields nothing). positions() stay the rows' numbers in the file.
  // ReaderOptions::start_row calls it at Open.
  Status SkipToRowGroupOf(int64_t row);

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
  std::atomic<int64_t>* bytes_read_ = nullptr;  // ReaderOptions::bytes_read
  int leaves_ = 0;  // leaf columns in the schema = column chunks per row group
  uint64_t file_size_ = 0;
  uint64_t data_end_ = 0;  // where the footer starts
  FileMetaData meta_;
  std::shared_ptr<const Schema> schema_;
  std::vector<std::unique_ptr<Projected>> columns_;
  size_t next_row_group_ = 0;
  int current_row_group_ = -1;
  int64_t group_rows_left_ = 0;
  int64_t next_row_ = 0;         // 0-based row number of the next row in the file
  std::vector<uint8_t> reject_;  // per row of the batch being converted
};

}  // namespace tsb::parquet

// tsb::OpenParquetReader (parquet.h, called by the format registry) opens a ParquetFileReader.
