// Byte streams for the text formats: files, stdin/stdout, and transparent gzip / zstd.
//
// InputStream reads a local file ("-" = stdin) in large blocks, decompressing on the fly when
// asked (gzip with any number of members, zstd with any number of frames). OpenRange reads one
// byte range of an uncompressed file, for readers that work on several parts of a file at once
// (export --scatter).
//
// OutputStream buffers writes into large blocks and compresses on the fly. A file is written to a
// temporary name beside the target ("NAME.tmp-PID-N") and moved to its final name by Close();
// an OutputStream destroyed without Close() removes the temporary, so nothing ever appears under
// the final name half-written. "-" writes to stdout, which Close() flushes.
//
// Both are single-threaded objects; they own their file descriptor. Errors name the path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

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

 protected:
  explicit InputStream(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
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
  const std::string& name() const { return name_; }

 protected:
  explicit OutputStream(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

}  // namespace tsb
