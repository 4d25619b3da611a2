#include "formats/parquet/file_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "core/text_io.h"
#include "formats/parquet/column_writer.h"
#include "formats/parquet/parquet.h"
#include "formats/parquet/thrift_writer.h"

namespace tsb::parquet {
namespace {

constexpr char kCreatedBy[] = "tsbridge version 0.1.0";

std::string ErrnoText(int err) { return std::string(strerror(err)); }

}  // namespace

ParquetFileWriter::ParquetFileWriter(const Schema& schema, const WriterOptions& options)
    : schema_(schema), options_(options) {}

Result<std::unique_ptr<ParquetFileWriter>> ParquetFileWriter::Open(const Schema& schema,
                                                                   const WriterOptions& options,
                                                                   const DurablePoint* at) {
  const std::string& path = options.path;
  if (path.empty() || path == "-") {
    return Status::InvalidArgument("Parquet output needs a file path (not stdout)");
  }
  if (options.row_group_rows <= 0 || options.page_bytes <= 0 || options.dictionary_page_bytes < 0) {
    return Status::InvalidArgument(path + ": row group rows and page bytes must be positive");
  }
  if (schema.size() == 0)
    return Status::InvalidArgument(path + ": a Parquet file needs at least one column");
  std::unique_ptr<ParquetFileWriter> w(new ParquetFileWriter(schema, options));
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(schema.size());
  w->metadata_.schema.push_back(root);
  for (const Field& field : schema.fields()) {
    auto column = ColumnWriter::Make(field, options);
    if (!column.ok()) return column.status().WithContext(path);
    w->metadata_.schema.push_back((*column)->schema_element());
    w->columns_.push_back(std::move(column).value());
  }
  w->metadata_.version = 1;
  w->metadata_.created_by = kCreatedBy;
  w->metadata_.type_defined_column_orders = true;

  if (at != nullptr) {
    TSB_RETURN_IF_ERROR(w->ContinueAt(*at));
    return w;
  }
  std::string temp;
  TSB_ASSIGN_OR_RETURN(int fd, CreateTemporaryFor(path, &temp));
  w->fd_ = fd;
  w->temp_path_ = temp;
  TSB_RETURN_IF_ERROR(w->WriteBytes(std::string_view(kMagic, 4)));
  return w;
}

Status ParquetFileWriter::ContinueAt(const DurablePoint& at) {
  FileMetaData saved;
  Status parsed =
      ParseFileMetaData(reinterpret_cast<const uint8_t*>(at.state.data()), at.state.size(), &saved);
  if (!parsed.ok()) return parsed.WithContext(options_.path + ": the checkpoint's footer");
  metadata_.row_groups = std::move(saved.row_groups);
  metadata_.num_rows = saved.num_rows;
  // The footer must come out as the killed writer would have written it: the same schema and
  // settings, and nothing the parser dropped.
  std::string again;
  ThriftCompactWriter w(&again);
  metadata_.EncodeTo(&w);
  if (again != at.state) {
    return Status::Corruption(options_.path +
                              ": the checkpoint's footer does not match this file's columns and "
                              "settings, so the file cannot be continued");
  }
  std::string temp;
  TSB_ASSIGN_OR_RETURN(int fd, ReclaimTemporaryFor(options_.path, at.temp_path, at.bytes, &temp));
  fd_ = fd;
  temp_path_ = temp;
  offset_ = at.bytes;
  return Status::OK();
}

Result<DurablePoint> ParquetFileWriter::MakeDurable() {
  if (!error_.ok()) return error_;
  if (rows_in_group_ != 0) {
    return Status::Internal(options_.path + ": a durable point must end a row group");
  }
  if (::fsync(fd_) != 0 && errno != EINVAL) {
    return Fail(Status::IOError("fsync " + temp_path_ + ": " + ErrnoText(errno)));
  }
  DurablePoint point;
  point.temp_path = temp_path_;
  point.bytes = offset_;
  point.rows = metadata_.num_rows;
  ThriftCompactWriter w(&point.state);
  metadata_.EncodeTo(&w);
  return point;
}

ParquetFileWriter::~ParquetFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!closed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

Status ParquetFileWriter::Fail(Status status) {
  if (error_.ok()) error_ = status.WithContext(options_.path);
  return error_;
}

Status ParquetFileWriter::WriteBytes(std::string_view bytes) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("write to " + temp_path_ + ": " + ErrnoText(errno));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  offset_ += static_cast<int64_t>(bytes.size());
  return Status::OK();
}

Status ParquetFileWriter::Write(const RowBatch& batch) {
  if (!error_.ok()) return error_;
  if (closed_) return Status::Internal(options_.path + ": Write after Close");
  if (batch.num_columns() != columns_.size()) {
    return Fail(Status::InvalidArgument("batch has " + std::to_string(batch.num_columns()) +
                                        " columns, the file " + std::to_string(columns_.size())));
  }
  for (size_t c = 0; c < columns_.size(); ++c) {
    const DataType& want = schema_.field(c).type;
    const DataType& got = batch.column(c).type();
    if (want.storage() != got.storage() && want.id != TypeId::kNull) {
      return Fail(Status::InvalidArgument("column \"" + schema_.field(c).name + "\": batch type " +
                                          got.ToString() + " does not match the file's " +
                                          want.ToString()));
    }
  }
  const size_t rows = batch.num_rows();
  size_t pos = 0;
  while (pos < rows) {
    size_t take =
        std::min(rows - pos, static_cast<size_t>(options_.row_group_rows - rows_in_group_));
    for (size_t c = 0; c < columns_.size(); ++c) {
      Status s = columns_[c]->Write(batch.column(c), pos, pos + take);
      if (!s.ok())
        return Fail(s.WithContext("row group " + std::to_string(metadata_.row_groups.size())));
    }
    rows_in_group_ += static_cast<int64_t>(take);
    pos += take;
    if (rows_in_group_ >= options_.row_group_rows) {
      Status s = FlushRowGroup();
      if (!s.ok()) return Fail(s);
    }
  }
  return Status::OK();
}

Status ParquetFileWriter::FlushRowGroup() {
  if (rows_in_group_ == 0) return Status::OK();
  RowGroup group;
  int64_t compressed_bytes = 0;
  group.num_rows = rows_in_group_;
  group.file_offset = offset_;
  group.ordinal = static_cast<int16_t>(std::min<size_t>(metadata_.row_groups.size(), INT16_MAX));
  for (auto& column : columns_) {
    const std::string& name = column->schema_element().name;
    std::string context =
        "row group " + std::to_string(metadata_.row_groups.size()) + ": column \"" + name + "\"";
    TSB_RETURN_IF_ERROR(column->FinishChunk().WithContext(context));
    ColumnChunk chunk;
    chunk.meta_data = column->ChunkMetaData(offset_);
    chunk.file_offset = offset_;
    TSB_RETURN_IF_ERROR(WriteBytes(column->dictionary_page()));
    for (std::string_view block : column->data_pages().Blocks()) {
      TSB_RETURN_IF_ERROR(WriteBytes(block));
    }
    group.total_byte_size += chunk.meta_data->total_uncompressed_size;
    compressed_bytes += chunk.meta_data->total_compressed_size;
    group.columns.push_back(std::move(chunk));
    column->ResetChunk();
  }
  group.total_compressed_size = compressed_bytes;
  metadata_.num_rows += rows_in_group_;
  metadata_.row_groups.push_back(std::move(group));
  rows_in_group_ = 0;
  return Status::OK();
}

Status ParquetFileWriter::Close() {
  if (!error_.ok()) return error_;
  if (closed_) return Status::OK();
  Status s = FlushRowGroup();
  if (!s.ok()) return Fail(s);
  std::string footer;
  ThriftCompactWriter w(&footer);
  metadata_.EncodeTo(&w);
  uint32_t length = static_cast<uint32_t>(footer.size());
  char tail[8];
  std::memcpy(tail, &length, 4);
  std::memcpy(tail + 4, kMagic, 4);
  footer.append(tail, 8);
  s = WriteBytes(footer);
  if (!s.ok()) return Fail(s);
  if (::close(fd_) != 0) {
    fd_ = -1;
    return Fail(Status::IOError("close " + temp_path_ + ": " + ErrnoText(errno)));
  }
  fd_ = -1;
  if (::rename(temp_path_.c_str(), options_.path.c_str()) != 0) {
    return Fail(
        Status::IOError("rename " + temp_path_ + " to " + options_.path + ": " + ErrnoText(errno)));
  }
  closed_ = true;
  return Status::OK();
}

}  // namespace tsb::parquet

namespace tsb {

Result<std::unique_ptr<ResumableWriter>> OpenResumableParquetWriter(const Schema& schema,
                                                                    const WriterOptions& options,
                                                                    const DurablePoint* at) {
  auto writer = parquet::ParquetFileWriter::Open(schema, options, at);
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<ResumableWriter>(std::move(writer).value());
}

Result<std::unique_ptr<BatchWriter>> OpenParquetWriter(const Schema& schema,
                                                       const WriterOptions& options) {
  auto writer = parquet::ParquetFileWriter::Open(schema, options);
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<BatchWriter>(std::move(writer).value());
}

}  // namespace tsb
