#include "core/spill.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace tsb {

namespace {

constexpr uint32_t kSpillMagic = 0x53425354;  // "TSBS"

Status WriteAll(std::FILE* f, const void* data, size_t n, uint64_t* counter) {
  if (n == 0) return Status::OK();
  if (std::fwrite(data, 1, n, f) != n) {
    return Status::IOError(std::string("spill file: write failed: ") + std::strerror(errno));
  }
  *counter += n;
  return Status::OK();
}

Status ReadAll(std::FILE* f, void* data, size_t n) {
  if (n == 0) return Status::OK();
  if (std::fread(data, 1, n, f) != n) {
    return Status::Corruption("spill file: truncated batch");
  }
  return Status::OK();
}

template <typename T>
Status WriteVector(std::FILE* f, const std::vector<T>& v, size_t n, uint64_t* counter) {
  return WriteAll(f, v.data(), n * sizeof(T), counter);
}

template <typename T>
Status ReadVector(std::FILE* f, std::vector<T>* v, size_t n) {
  v->resize(n);
  return ReadAll(f, v->data(), n * sizeof(T));
}

}  // namespace

Result<std::unique_ptr<SpillFile>> SpillFile::Create(const std::string& dir) {
  std::string pattern = (dir.empty() ? std::string("/tmp") : dir) + "/.tsbridge-spill-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());
  if (fd < 0) {
    return Status::IOError("cannot create a spill file in " + dir + ": " + std::strerror(errno));
  }
  unlink(name.data());  // anonymous: gone when closed, even after a crash
  std::FILE* f = fdopen(fd, "w+b");
  if (f == nullptr) {
    close(fd);
    return Status::IOError(std::string("cannot open spill file: ") + std::strerror(errno));
  }
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  return std::unique_ptr<SpillFile>(new SpillFile(f));
}

SpillFile::~SpillFile() {
  if (file_ != nullptr) std::fclose(file_);
}

Status SpillFile::Append(const RowBatch& batch) {
  const uint64_t rows = batch.num_rows();
  const uint64_t npos = batch.positions().size();
  TSB_RETURN_IF_ERROR(WriteAll(file_, &kSpillMagic, sizeof(kSpillMagic), &bytes_written_));
  TSB_RETURN_IF_ERROR(WriteAll(file_, &rows, sizeof(rows), &bytes_written_));
  TSB_RETURN_IF_ERROR(WriteAll(file_, &npos, sizeof(npos), &bytes_written_));
  TSB_RETURN_IF_ERROR(WriteVector(file_, batch.positions(), npos, &bytes_written_));
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    const Column& col = batch.column(c);
    TSB_RETURN_IF_ERROR(WriteVector(file_, col.validity(), rows, &bytes_written_));
    switch (col.type().storage()) {
      case Storage::kInt64:
        TSB_RETURN_IF_ERROR(WriteVector(file_, col.ints(), rows, &bytes_written_));
        break;
      case Storage::kDouble:
        TSB_RETURN_IF_ERROR(WriteVector(file_, col.doubles(), rows, &bytes_written_));
        break;
      case Storage::kInt128:
        TSB_RETURN_IF_ERROR(WriteVector(file_, col.wide(), rows, &bytes_written_));
        break;
      case Storage::kBytes: {
        TSB_RETURN_IF_ERROR(WriteVector(file_, col.offsets(), rows + 1, &bytes_written_));
        uint64_t n = col.bytes().size();
        TSB_RETURN_IF_ERROR(WriteAll(file_, &n, sizeof(n), &bytes_written_));
        TSB_RETURN_IF_ERROR(WriteAll(file_, col.bytes().data(), n, &bytes_written_));
        break;
      }
    }
  }
  ++batches_;
  return Status::OK();
}

Status SpillFile::Rewind() {
  if (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0) {
    return Status::IOError(std::string("spill file: rewind failed: ") + std::strerror(errno));
  }
  batches_read_ = 0;
  return Status::OK();
}

Result<bool> SpillFile::Next(RowBatch* batch) {
  batch->Reset();
  if (batches_read_ == batches_) return false;
  uint32_t magic = 0;
  uint64_t rows = 0, npos = 0;
  TSB_RETURN_IF_ERROR(ReadAll(file_, &magic, sizeof(magic)));
  if (magic != kSpillMagic) return Status::Corruption("spill file: bad batch header");
  TSB_RETURN_IF_ERROR(ReadAll(file_, &rows, sizeof(rows)));
  TSB_RETURN_IF_ERROR(ReadAll(file_, &npos, sizeof(npos)));
  TSB_RETURN_IF_ERROR(ReadVector(file_, &batch->positions(), npos));
  for (size_t c = 0; c < batch->num_columns(); ++c) {
    Column& col = batch->column(c);
    TSB_RETURN_IF_ERROR(ReadVector(file_, &col.validity(), rows));
    switch (col.type().storage()) {
      case Storage::kInt64: TSB_RETURN_IF_ERROR(ReadVector(file_, &col.ints(), rows)); break;
      case Storage::kDouble: TSB_RETURN_IF_ERROR(ReadVector(file_, &col.doubles(), rows)); break;
      case Storage::kInt128: TSB_RETURN_IF_ERROR(ReadVector(file_, &col.wide(), rows)); break;
      case Storage::kBytes: {
        TSB_RETURN_IF_ERROR(ReadVector(file_, &col.offsets(), rows + 1));
        uint64_t n = 0;
        TSB_RETURN_IF_ERROR(ReadAll(file_, &n, sizeof(n)));
        col.bytes().resize(n);
        TSB_RETURN_IF_ERROR(ReadAll(file_, col.bytes().data(), n));
        break;
      }
    }
  }
  batch->SetNumRows(rows);
  ++batches_read_;
  return true;
}

size_t BatchBytes(const RowBatch& batch) {
  size_t total = batch.positions().size() * sizeof(int64_t);
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    const Column& col = batch.column(c);
    total += col.validity().size() + col.ints().size() * 8 + col.doubles().size() * 8 +
             col.wide().size() * 16 + col.offsets().size() * 8 + col.bytes().size();
  }
  return total;
}

}  // namespace tsb
