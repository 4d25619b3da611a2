// The output side of `tsbridge import` that the file target (formats/file_target.h) leaves to the
// job: the output directory, the reject file of the scan's rejects, and the stdout spool of a
// format that does not stream.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "formats/file_target.h"
#include "jobs/import_job.h"
#include "tablestore/table_scan_reader.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

// The scan's rejects are JSON objects (RejectLine), whatever the output's format.
constexpr RejectFormat kScanRejectFormat = RejectFormat::kJsonl;

// Makes `dir` (ending in '/') ready for an import's part files (decisions 11, output
// directories); see import_output.cc.
Status PrepareOutputDirectory(const std::string& dir, bool overwrite, bool sharded,
                              const std::vector<std::string>& share_parts, bool apply);

class RejectSink {
 public:
  explicit RejectSink(std::string path) : path_(std::move(path)) {}
  ~RejectSink() {
    if (file_ != nullptr && file_ != stderr) std::fclose(file_);
  }
  Status Write(const std::string& line) {
    std::lock_guard<std::mutex> lock(mu_);
    if (file_ == nullptr) {
      file_ = path_ == "-" ? stderr : std::fopen(path_.c_str(), "wb");
      if (file_ == nullptr) return Status::IOError(path_ + ": cannot create the reject file");
    }
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() ||
        std::fputc('\n', file_) == EOF) {
      return Status::IOError(path_ + ": cannot write the reject file");
    }
    if (count_ == 0) first_line_ = line;
    ++count_;
    return Status::OK();
  }
  // The first record, as "primary key {...}: column "c" (stored STRING, expected bigint): reason",
  // for the message of exit 3; empty before any.
  std::string FirstReason() const;
  const std::string& path() const { return path_; }
  Status Close() {
    std::lock_guard<std::mutex> lock(mu_);
    if (file_ != nullptr && file_ != stderr && std::fclose(file_) != 0) {
      file_ = nullptr;
      return Status::IOError(path_ + ": cannot write the reject file");
    }
    if (file_ == stderr) std::fflush(stderr);
    file_ = nullptr;
    return Status::OK();
  }
  int64_t count() const { return count_.load(); }

 private:
  std::string path_;
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;
  std::atomic<int64_t> count_{0};
  std::string first_line_;  // guarded by mu_
};

// One reject record (decisions 3): the row's primary key, the spec column, the stored and the
// expected type, the reason; with --versions also the cell version's `timestamp`.
std::string RejectLine(const ots::RejectedValue& reject);


// A format that does not stream, to stdout (Parquet: the footer comes last and the writer wants
// a file): the file is written under a temporary name and copied to stdout once complete. The
// file is removed in every case.
class StdoutSpool {
 public:
  StdoutSpool() = default;
  StdoutSpool(const StdoutSpool&) = delete;
  StdoutSpool& operator=(const StdoutSpool&) = delete;
  ~StdoutSpool() {
    if (!path_.empty()) std::remove(path_.c_str());
  }

  Result<std::string> Create() {
    const char* dir = std::getenv("TMPDIR");
    std::string templ =
        std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/tsbridge-import-XXXXXX";
    std::vector<char> name(templ.begin(), templ.end());
    name.push_back('\0');
    int fd = mkstemp(name.data());
    if (fd < 0) return Status::IOError(templ + ": cannot create a temporary file for stdout");
    close(fd);
    path_ = name.data();
    return path_;
  }

  // Copies the finished file to stdout; *bytes is its size.
  Status CopyToStdout(int64_t* bytes) {
    std::FILE* in = std::fopen(path_.c_str(), "rb");
    if (in == nullptr) return Status::IOError(path_ + ": cannot read the temporary file");
    std::vector<char> buffer(1 << 20);
    *bytes = 0;
    size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), in)) > 0) {
      if (std::fwrite(buffer.data(), 1, n, stdout) != n) {
        std::fclose(in);
        return Status::IOError("stdout: write failed");
      }
      *bytes += static_cast<int64_t>(n);
    }
    const bool read_error = std::ferror(in) != 0;
    std::fclose(in);
    if (read_error) return Status::IOError(path_ + ": cannot read the temporary file");
    if (std::fflush(stdout) != 0) return Status::IOError("stdout: write failed");
    return Status::OK();
  }

 private:
  std::string path_;
};

}  // namespace tsb::jobs
