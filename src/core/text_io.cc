#include "core/text_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <vector>

namespace tsb {

namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

// A file descriptor with an optional byte window; reads go straight to the caller's buffer.
class RawFile {
 public:
  RawFile(int fd, bool owned, uint64_t pos, uint64_t end)
      : fd_(fd), owned_(owned), pos_(pos), end_(end) {}
  ~RawFile() {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  RawFile(const RawFile&) = delete;
  RawFile& operator=(const RawFile&) = delete;

  // Returns bytes read, 0 at the end, -1 with errno on error.
  ssize_t Read(char* dst, size_t n) {
    if (end_ != UINT64_MAX) {
      if (pos_ >= end_) return 0;
      if (n > end_ - pos_) n = static_cast<size_t>(end_ - pos_);
    }
    for (;;) {
      ssize_t r = ranged() ? ::pread(fd_, dst, n, static_cast<off_t>(pos_)) : ::read(fd_, dst, n);
      if (r < 0 && errno == EINTR) continue;
      if (r > 0) pos_ += static_cast<uint64_t>(r);
      return r;
    }
  }

 private:
  bool ranged() const { return end_ != UINT64_MAX; }
  int fd_;
  bool owned_;
  uint64_t pos_;
  uint64_t end_;  // UINT64_MAX: stream without a window (plain sequential reads)
};

class PlainInput : public InputStream {
 public:
  PlainInput(std::string name, std::unique_ptr<RawFile> file)
      : InputStream(std::move(name)), file_(std::move(file)) {}
  Result<size_t> Read(char* dst, size_t n) override {
    ssize_t r = file_->Read(dst, n);
    if (r < 0) return Status::IOError(name() + ": read failed: " + ErrnoText(errno));
    Counted(r);
    return static_cast<size_t>(r);
  }

 private:
  std::unique_ptr<RawFile> file_;
};

// Common shape of the decompressing inputs: a compressed block buffer refilled from the file.
class CompressedInput : public InputStream {
 protected:
  CompressedInput(std::string name, std::unique_ptr<RawFile> file)
      : InputStream(std::move(name)), file_(std::move(file)), in_(kBlockSize) {}
  // Makes sure some compressed input is available unless the file has ended.
  Status Refill() {
    if (in_pos_ < in_len_ || eof_) return Status::OK();
    ssize_t r = file_->Read(in_.data(), in_.size());
    if (r < 0) return Status::IOError(name() + ": read failed: " + ErrnoText(errno));
    Counted(r);
    in_pos_ = 0;
    in_len_ = static_cast<size_t>(r);
    if (r == 0) eof_ = true;
    return Status::OK();
  }
  std::unique_ptr<RawFile> file_;
  std::vector<char> in_;
  size_t in_pos_ = 0;
  size_t in_len_ = 0;
  bool eof_ = false;
};

class GzipInput : public CompressedInput {
 public:
  GzipInput(std::string name, std::unique_ptr<RawFile> file)
      : CompressedInput(std::move(name), std::move(file)) {
    std::memset(&zs_, 0, sizeof(zs_));
    // 15 + 32: a gzip or zlib header, detected.
    init_ok_ = inflateInit2(&zs_, 15 + 32) == Z_OK;
  }
  ~GzipInput() override {
    if (init_ok_) inflateEnd(&zs_);
  }

  Result<size_t> Read(char* dst, size_t n) override {
    if (!init_ok_) return Status::Internal(name() + ": zlib initialisation failed");
    if (n == 0) return size_t{0};
    for (;;) {
      TSB_RETURN_IF_ERROR(Refill());
      if (in_pos_ == in_len_ && eof_) {
        if (in_member_) return Status::Corruption(name() + ": truncated gzip stream");
        return size_t{0};
      }
      if (!in_member_) {
        // A new member starts here (gzip files may be concatenations of members).
        if (inflateReset(&zs_) != Z_OK) return Status::Internal(name() + ": inflateReset failed");
        in_member_ = true;
      }
      zs_.next_in = reinterpret_cast<Bytef*>(in_.data() + in_pos_);
      zs_.avail_in = static_cast<uInt>(in_len_ - in_pos_);
      zs_.next_out = reinterpret_cast<Bytef*>(dst);
      zs_.avail_out = static_cast<uInt>(n > (1u << 30) ? (1u << 30) : n);
      const uInt out_before = zs_.avail_out;
      int rc = inflate(&zs_, Z_NO_FLUSH);
      in_pos_ = in_len_ - zs_.avail_in;
      size_t produced = out_before - zs_.avail_out;
      if (rc == Z_STREAM_END) {
        in_member_ = false;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Status::Corruption(name() + ": corrupt gzip data: " +
                                  (zs_.msg ? zs_.msg : "inflate error " + std::to_string(rc)));
      }
      if (produced > 0) return produced;
    }
  }

 private:
  z_stream zs_;
  bool init_ok_ = false;
  bool in_member_ = false;
};

class ZstdInput : public CompressedInput {
 public:
  ZstdInput(std::string name, std::unique_ptr<RawFile> file)
      : CompressedInput(std::move(name), std::move(file)), dctx_(ZSTD_createDCtx()) {}
  ~ZstdInput() override { ZSTD_freeDCtx(dctx_); }

  Result<size_t> Read(char* dst, size_t n) override {
    if (dctx_ == nullptr) return Status::Internal(name() + ": zstd initialisation failed");
    if (n == 0) return size_t{0};
    for (;;) {
      TSB_RETURN_IF_ERROR(Refill());
      if (in_pos_ == in_len_ && eof_) {
        if (in_frame_) return Status::Corruption(name() + ": truncated zstd stream");
        return size_t{0};
      }
      ZSTD_inBuffer in{in_.data(), in_len_, in_pos_};
      ZSTD_outBuffer out{dst, n, 0};
      size_t rc = ZSTD_decompressStream(dctx_, &out, &in);
      in_pos_ = in.pos;
      if (ZSTD_isError(rc)) {
        return Status::Corruption(name() + ": corrupt zstd data: " + ZSTD_getErrorName(rc));
      }
      in_frame_ = rc != 0;
      if (out.pos > 0) return out.pos;
    }
  }

 private:
  ZSTD_DCtx* dctx_;
  bool in_frame_ = false;
};

// ---- Output ----

Status WriteAll(int fd, const char* data, size_t n, const std::string& name) {
  while (n > 0) {
    ssize_t r = ::write(fd, data, n);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(name + ": write failed: " + ErrnoText(errno));
    }
    data += r;
    n -= static_cast<size_t>(r);
  }
  return Status::OK();
}

class FileOutput : public OutputStream {
 public:
  FileOutput(std::string name, int fd, std::string temp_path, StreamCompression compression,
             int level)
      : OutputStream(std::move(name)),
        fd_(fd),
        temp_path_(std::move(temp_path)),
        compression_(compression),
        level_(level) {
    buf_.reserve(kBlockSize);
  }

  ~FileOutput() override {
    if (zinit_) deflateEnd(&zs_);
    if (cctx_ != nullptr) ZSTD_freeCCtx(cctx_);
    if (!closed_) {
      if (!temp_path_.empty()) {
        if (fd_ >= 0) ::close(fd_);
        ::unlink(temp_path_.c_str());
      }
    }
  }

  Status Init() {
    if (compression_ == StreamCompression::kGzip) {
      std::memset(&zs_, 0, sizeof(zs_));
      int level = level_ == 0 ? Z_DEFAULT_COMPRESSION : level_;
      // 15 + 16: gzip framing.
      if (deflateInit2(&zs_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return Status::Internal(name() + ": zlib initialisation failed");
      }
      zinit_ = true;
    } else if (compression_ == StreamCompression::kZstd) {
      cctx_ = ZSTD_createCCtx();
      if (cctx_ == nullptr) return Status::Internal(name() + ": zstd initialisation failed");
      if (level_ != 0) ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level_);
    }
    if (compression_ != StreamCompression::kNone) out_.resize(kBlockSize);
    if (!temp_path_.empty()) {
      // A continued file goes on from its checkpoint, whose bytes are already synced.
      const off_t at = ::lseek(fd_, 0, SEEK_CUR);
      if (at > 0) offset_ = synced_to_ = static_cast<uint64_t>(at);
    }
    return Status::OK();
  }

  Status Write(std::string_view data) override {
    if (closed_) return Status::Internal(name() + ": write after close");
    if (!status_.ok()) return status_;
    if (buf_.size() + data.size() > kBlockSize && !buf_.empty()) {
      status_ = FlushBuffer(false);
      if (!status_.ok()) return status_;
    }
    if (data.size() >= kBlockSize) {
      status_ = Emit(data.data(), data.size(), false);
      return status_;
    }
    buf_.append(data.data(), data.size());
    return Status::OK();
  }

  Result<int64_t> Sync() override {
    if (closed_) return Status::Internal(name() + ": sync after close");
    if (temp_path_.empty() || compression_ != StreamCompression::kNone) {
      return OutputStream::Sync();
    }
    if (!status_.ok()) return status_;
    status_ = FlushBuffer(false);
    if (!status_.ok()) return status_;
    if (::fsync(fd_) != 0 && errno != EINVAL) {
      return Status::IOError(name() + ": fsync failed: " + ErrnoText(errno));
    }
    synced_to_ = offset_;
    off_t end = ::lseek(fd_, 0, SEEK_CUR);
    if (end < 0) return Status::IOError(name() + ": lseek failed: " + ErrnoText(errno));
    return static_cast<int64_t>(end);
  }

  std::string temporary_path() const override { return temp_path_; }

  Status Close() override {
    if (closed_) return close_status_;
    closed_ = true;
    Status st = status_;
    if (st.ok()) st = FlushBuffer(true);
    if (temp_path_.empty()) {  // stdout: nothing to rename, leave the descriptor open
      close_status_ = st;
      return st;
    }
    if (st.ok() && ::fsync(fd_) != 0 && errno != EINVAL) {
      st = Status::IOError(name() + ": fsync failed: " + ErrnoText(errno));
    }
    if (::close(fd_) != 0 && st.ok()) {
      st = Status::IOError(name() + ": close failed: " + ErrnoText(errno));
    }
    fd_ = -1;
    if (st.ok() && ::rename(temp_path_.c_str(), name().c_str()) != 0) {
      st = Status::IOError(name() + ": cannot move " + temp_path_ +
                           " into place: " + ErrnoText(errno));
    }
    if (!st.ok()) ::unlink(temp_path_.c_str());
    close_status_ = st;
    return st;
  }

 private:
  Status FlushBuffer(bool finish) {
    Status st = Emit(buf_.data(), buf_.size(), finish);
    buf_.clear();
    return st;
  }

  // Writes to the descriptor. A file (not stdout) is fsynced before it gets its name; so that
  // the fsync finds little left to write, write-back of each kWriteBehind bytes is started as
  // soon as they are written (Linux; elsewhere the fsync writes everything). Waiting for it all
  // at the end cost an 85 MB CSV 0.1 to 0.18 s, a fifth to a third of its conversion's wall time.
  Status Out(const char* data, size_t n) {
    TSB_RETURN_IF_ERROR(WriteAll(fd_, data, n, name()));
    offset_ += n;
#ifdef SYNC_FILE_RANGE_WRITE
    if (!temp_path_.empty() && offset_ - synced_to_ >= kWriteBehind) {
      // Only a start: a failure (a file system without it) leaves the pages to the fsync,
      // which reports any real write error.
      ::sync_file_range(fd_, static_cast<off_t>(synced_to_),
                        static_cast<off_t>(offset_ - synced_to_), SYNC_FILE_RANGE_WRITE);
      synced_to_ = offset_;
    }
#endif
    return Status::OK();
  }

  // Sends bytes through the compressor (if any) to the descriptor; `finish` ends the stream.
  Status Emit(const char* data, size_t n, bool finish) {
    switch (compression_) {
      case StreamCompression::kNone:
        return Out(data, n);
      case StreamCompression::kGzip: {
        zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
        zs_.avail_in = static_cast<uInt>(n);
        for (;;) {
          zs_.next_out = reinterpret_cast<Bytef*>(out_.data());
          zs_.avail_out = static_cast<uInt>(out_.size());
          int rc = deflate(&zs_, finish ? Z_FINISH : Z_NO_FLUSH);
          if (rc == Z_STREAM_ERROR) return Status::Internal(name() + ": deflate failed");
          size_t have = out_.size() - zs_.avail_out;
          TSB_RETURN_IF_ERROR(Out(out_.data(), have));
          if (finish ? rc == Z_STREAM_END : (zs_.avail_in == 0 && zs_.avail_out != 0)) break;
        }
        return Status::OK();
      }
      case StreamCompression::kZstd: {
        ZSTD_inBuffer in{data, n, 0};
        for (;;) {
          ZSTD_outBuffer out{out_.data(), out_.size(), 0};
          size_t rc = ZSTD_compressStream2(cctx_, &out, &in, finish ? ZSTD_e_end : ZSTD_e_continue);
          if (ZSTD_isError(rc)) {
            return Status::Internal(name() + ": zstd compression failed: " + ZSTD_getErrorName(rc));
          }
          TSB_RETURN_IF_ERROR(Out(out_.data(), out.pos));
          if (finish ? rc == 0 : in.pos == in.size) break;
        }
        return Status::OK();
      }
    }
    return Status::OK();
  }

  static constexpr uint64_t kWriteBehind = 8 << 20;

  int fd_;
  std::string temp_path_;   // empty for stdout
  uint64_t offset_ = 0;     // where the next byte goes
  uint64_t synced_to_ = 0;  // write-back started (or fsynced) below this offset
  StreamCompression compression_;
  int level_;
  std::string buf_;
  std::vector<char> out_;
  z_stream zs_;
  bool zinit_ = false;
  ZSTD_CCtx* cctx_ = nullptr;
  bool closed_ = false;
  Status status_;
  Status close_status_;
};

Result<std::unique_ptr<InputStream>> Wrap(std::string name, std::unique_ptr<RawFile> file,
                                          StreamCompression compression) {
  switch (compression) {
    case StreamCompression::kNone:
      return std::unique_ptr<InputStream>(new PlainInput(std::move(name), std::move(file)));
    case StreamCompression::kGzip:
      return std::unique_ptr<InputStream>(new GzipInput(std::move(name), std::move(file)));
    case StreamCompression::kZstd:
      return std::unique_ptr<InputStream>(new ZstdInput(std::move(name), std::move(file)));
  }
  return Status::Internal("unknown compression");
}

Result<int> OpenForRead(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path + ": no such file");
    // Only SIGINT / SIGTERM have handlers (without SA_RESTART): a FIFO with no writer yet was
    // being waited for when the user stopped the job.
    if (err == EINTR) return Status::Cancelled(path + ": stopped by a signal while opening it");
    return Status::IOError(path + ": cannot open: " + ErrnoText(err));
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + ": is a directory");
  }
  return fd;
}

}  // namespace

namespace {

// "DIR/" (empty for the current folder) and "NAME" of a path.
void SplitPath(const std::string& path, std::string* dir, std::string* base) {
  const size_t slash = path.find_last_of('/');
  *dir = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
  *base = slash == std::string::npos ? path : path.substr(slash + 1);
}

mode_t CurrentUmask() {
  mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

// A writer's PID is alive when kill(pid, 0) finds it (EPERM: it exists under another user).
bool ProcessAlive(long pid) {
  if (pid <= 0 || pid > INT32_MAX) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

bool IsTemporaryName(std::string_view name) {
  return name.size() > 1 && name[0] == '.' && name.find(".tmp-") != std::string_view::npos;
}

int RemoveStaleTemporaries(const std::string& path) {
  std::string dir, base;
  SplitPath(path, &dir, &base);
  if (base.empty()) return 0;
  const std::string prefix = "." + base + ".tmp-";
  DIR* d = ::opendir(dir.empty() ? "." : dir.c_str());
  if (d == nullptr) return 0;
  std::vector<std::string> stale;
  while (const dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (name.size() < prefix.size() || name.substr(0, prefix.size()) != prefix) continue;
    // The PID is the digits after "tmp-"; a name without them is stale by definition (no live
    // writer of ours names its file so).
    std::string_view rest = name.substr(prefix.size());
    long pid = 0;
    size_t i = 0;
    for (; i < rest.size() && i < 10 && rest[i] >= '0' && rest[i] <= '9'; ++i) {
      pid = pid * 10 + (rest[i] - '0');
    }
    const bool has_pid = i > 0 && i < rest.size() && rest[i] == '-';
    if (has_pid && ProcessAlive(pid)) continue;
    stale.emplace_back(name);
  }
  ::closedir(d);
  int removed = 0;
  for (const std::string& name : stale) removed += ::unlink((dir + name).c_str()) == 0 ? 1 : 0;
  return removed;
}

Result<int> CreateTemporaryFor(const std::string& path, std::string* temp_path) {
  std::string dir, base;
  SplitPath(path, &dir, &base);
  if (base.empty()) return Status::InvalidArgument(path + ": not a file name");
  RemoveStaleTemporaries(path);
  std::string temp = dir + "." + base + ".tmp-" + std::to_string(::getpid()) + "-XXXXXX";
  int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path + ": the folder does not exist");
    return Status::IOError(path + ": cannot create " + temp + ": " + ErrnoText(err));
  }
  // mkostemp creates 0600; the final file gets open()'s usual mode.
  ::fchmod(fd, 0666 & ~CurrentUmask());
  *temp_path = std::move(temp);
  return fd;
}

Result<int> ReclaimTemporaryFor(const std::string& path, const std::string& old_temp, int64_t bytes,
                                std::string* temp_path) {
  std::string dir, base;
  SplitPath(path, &dir, &base);
  if (base.empty()) return Status::InvalidArgument(path + ": not a file name");
  int fd = ::open(old_temp.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(old_temp + ": the interrupted run's file is gone");
    return Status::IOError(old_temp + ": cannot open: " + ErrnoText(err));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || st.st_size < bytes || bytes < 0) {
    ::close(fd);
    return Status::Corruption(old_temp + ": shorter than the " + std::to_string(bytes) +
                              " bytes the checkpoint says were synced");
  }
  std::string temp = dir + "." + base + ".tmp-" + std::to_string(::getpid()) + "-resumed";
  if (::ftruncate(fd, static_cast<off_t>(bytes)) != 0 ||
      ::lseek(fd, static_cast<off_t>(bytes), SEEK_SET) < 0 ||
      (temp != old_temp && ::rename(old_temp.c_str(), temp.c_str()) != 0)) {
    int err = errno;
    ::close(fd);
    return Status::IOError(old_temp + ": cannot continue it: " + ErrnoText(err));
  }
  *temp_path = std::move(temp);
  return fd;
}

Result<std::unique_ptr<OutputStream>> OutputStream::Continue(const std::string& path,
                                                             const std::string& temp_path,
                                                             int64_t bytes) {
  std::string temp;
  TSB_ASSIGN_OR_RETURN(int fd, ReclaimTemporaryFor(path, temp_path, bytes, &temp));
  auto out = std::make_unique<FileOutput>(path, fd, temp, StreamCompression::kNone, 0);
  TSB_RETURN_IF_ERROR(out->Init());
  return std::unique_ptr<OutputStream>(std::move(out));
}

Result<std::unique_ptr<InputStream>> InputStream::Open(const std::string& path,
                                                       StreamCompression compression) {
  if (path == "-") {
    return Wrap("stdin", std::make_unique<RawFile>(0, false, 0, UINT64_MAX), compression);
  }
  TSB_ASSIGN_OR_RETURN(int fd, OpenForRead(path));
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  return Wrap(path, std::make_unique<RawFile>(fd, true, 0, UINT64_MAX), compression);
}

Result<std::unique_ptr<InputStream>> InputStream::OpenRange(const std::string& path, uint64_t begin,
                                                            uint64_t end) {
  if (path == "-") return Status::InvalidArgument("stdin cannot be read by byte ranges");
  TSB_ASSIGN_OR_RETURN(int fd, OpenForRead(path));
  if (end < begin) end = begin;
  if (end == UINT64_MAX) end = UINT64_MAX - 1;
  return Wrap(path + " [" + std::to_string(begin) + ", " + std::to_string(end) + ")",
              std::make_unique<RawFile>(fd, true, begin, end), StreamCompression::kNone);
}

Result<uint64_t> InputStream::FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": cannot stat: " + ErrnoText(err));
  }
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(path + ": not a regular file");
  return static_cast<uint64_t>(st.st_size);
}

Result<std::unique_ptr<OutputStream>> OutputStream::Open(const std::string& path,
                                                         StreamCompression compression, int level) {
  std::unique_ptr<FileOutput> out;
  if (path == "-") {
    out = std::make_unique<FileOutput>("stdout", 1, std::string(), compression, level);
  } else {
    std::string temp;
    TSB_ASSIGN_OR_RETURN(int fd, CreateTemporaryFor(path, &temp));
    out = std::make_unique<FileOutput>(path, fd, temp, compression, level);
  }
  TSB_RETURN_IF_ERROR(out->Init());
  return std::unique_ptr<OutputStream>(std::move(out));
}

}  // namespace tsb
