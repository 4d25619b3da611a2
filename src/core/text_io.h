// Byte streams for the text formats: files, stdin/stdout, and transparent gzip / zstd.
//
// InputStream reads a local file ("-" = stdin) in large blocks, decompressing on the fly when
// asked (gzip with any number of members, zstd with any number of frames). OpenRange reads one
// byte range of an uncompressed file, for readers that work on several parts of a file at once
// (export --scatter).
//
// OutputStream buffers writes into large blocks and compresses on the fly. A file is written to a
// temporary name beside the target (".NAME.tmp-PID-XXXXXX", see CreateTemporaryFor) and moved to
// its final name by Close();
// an OutputStream destroyed without Close() removes the temporary, so nothing ever appears under
// the final name half-written. "-" writes to stdout, which Close() flushes.
//
// Both are single-threaded objects; they own their file descriptor. Errors name the path.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tsbridge/status.h"

namespace tsb {

enum class StreamCompression { kNone, kGzip, kZstd };

class InputStream {
 public:
  // Size of the blocks read from the file or the decompressor.
  static constexpr size_t kBlockSize = 1 << 20;

  virtual ~InputStream() = default;
  InputStream(const InputStream&) = delete;
  InputStream& operator=(const InputStream&) = delete;

  // `path` "-" reads stdin.
  static Result<std::unique_ptr<InputStream>> Open(const std::string& path,
                                                   StreamCompression compression);
  // Bytes [begin, end) of an uncompressed regular file; `end` past the file's end is clipped.
  static Result<std::unique_ptr<InputStream>> OpenRange(const std::string& path, uint64_t begin,
                                                        uint64_t end);
  // Size in bytes of a regular file (NotFound / IOError otherwise).
  static Result<uint64_t> FileSize(const std::string& path);

  // Reads up to `n` bytes into `dst`; 0 means end of input. Truncated or corrupt compressed input
  // is Corruption.
  virtual Result<size_t> Read(char* dst, size_t n) = 0;
  const std::string& name() const { return name_; }
  // From now on, adds the bytes read from the file (compressed bytes for compressed input, so
  // that they add up to the file's size) to *counter: a job's progress. Null stops counting.
  void CountInto(std::atomic<int64_t>* counter) { counter_ = counter; }

 protected:
  explicit InputStream(std::string name) : name_(std::move(name)) {}
  void Counted(int64_t bytes) {
    if (counter_ != nullptr && bytes > 0) counter_->fetch_add(bytes, std::memory_order_relaxed);
  }

 private:
  std::string name_;
  std::atomic<int64_t>* counter_ = nullptr;
};

class OutputStream {
 public:
  // Writes reach the file (or the compressor) in blocks of about this size.
  static constexpr size_t kBlockSize = 1 << 20;

  virtual ~OutputStream() = default;
  OutputStream(const OutputStream&) = delete;
  OutputStream& operator=(const OutputStream&) = delete;

  // `path` "-" writes stdout. `level` 0 = the codec's default level.
  static Result<std::unique_ptr<OutputStream>> Open(const std::string& path,
                                                    StreamCompression compression, int level = 0);

  // Appends bytes; they may stay buffered until the buffer is full or Close().
  [[nodiscard]] virtual Status Write(std::string_view data) = 0;
  // Flushes, ends the compressed stream, and moves the temporary file to its final name. Calling
  // Close() again is a no-op returning the first result.
  [[nodiscard]] virtual Status Close() = 0;
  // Writes what is buffered to the file and syncs it, returning the file's length: a point that
  // Continue can reopen at after a crash (import --resume). Uncompressed files only: a compressed
  // stream cannot be cut there and continued.
  [[nodiscard]] virtual Result<int64_t> Sync() {
    return Status::NotSupported(name_ + ": this output cannot be synced and continued");
  }
  // The temporary file being written; empty for stdout.
  virtual std::string temporary_path() const { return std::string(); }
  const std::string& name() const { return name_; }

  // The uncompressed output to `path` that a killed writer left in `temp_path`, reopened at
  // `bytes` (a length its Sync returned) with what followed cut off; see ReclaimTemporaryFor.
  static Result<std::unique_ptr<OutputStream>> Continue(const std::string& path,
                                                        const std::string& temp_path,
                                                        int64_t bytes);

 protected:
  explicit OutputStream(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

// The temporary file that a writer of `path` fills before renaming it over `path`:
// "DIR/.NAME.tmp-PID-XXXXXX" beside it, hidden (a leading dot, which Spark, Hive and DuckDB dataset
// readers skip) and created with open()'s usual mode. Stale temporaries of the same final name
// (left by a killed run: their PID is not a running process) are removed first. Returns the open
// descriptor; *temp_path receives the name. A missing folder is NotFound naming `path`.
Result<int> CreateTemporaryFor(const std::string& path, std::string* temp_path);
// Takes over the temporary file `old_temp` of a killed writer of `path` to continue it: it must
// hold at least `bytes`; it is cut to `bytes` and renamed to a temporary name of this process
// (".NAME.tmp-PID-resumed"), so that no other run removes it as stale. Returns the descriptor,
// positioned at the end; *temp_path receives the new name. A missing or short file is NotFound /
// Corruption naming it.
Result<int> ReclaimTemporaryFor(const std::string& path, const std::string& old_temp, int64_t bytes,
                                std::string* temp_path);
// Removes "DIR/.NAME.tmp-*" of a final name `path` whose writer is gone: the PID in the name is
// not a running process, or the name carries none. Returns how many were removed.
int RemoveStaleTemporaries(const std::string& path);
// Whether `name` (a file name without folder) is one of our temporary files, of any final name.
bool IsTemporaryName(std::string_view name);

}  // namespace tsb
