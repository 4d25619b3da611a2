#include <rocksdb/version.h>

#include <string>

#include "cli/docs.h"
#include "formats/format.h"
#include "tsbridge/job_spec.h"

// Set by cmake/Version.cmake; a build without them still says what it knows.
#ifndef TSB_COMMIT
#define TSB_COMMIT "unknown"
#endif
#ifndef TSB_BUILD_TYPE
#define TSB_BUILD_TYPE "unknown"
#endif
#ifndef TSB_SANITIZERS
#define TSB_SANITIZERS "none"
#endif

namespace tsb::cli {

namespace {
#ifdef __clang__
constexpr const char* kCompiler = "Clang " __clang_version__;
#else
constexpr const char* kCompiler = "GCC " __VERSION__;
#endif
}  // namespace

std::string VersionText() {
  std::string formats;
  for (const FileFormat& format : RegisteredFormats()) {
    formats += (formats.empty() ? "" : ", ") + std::string(format->name);
  }
  std::string codecs;
  for (std::string_view name : kParquetCodecNames) {
    codecs += (codecs.empty() ? "" : ", ") + std::string(name);
  }
  return std::string("tsbridge ") + TSB_VERSION + "\n" +  //
         "commit: " + TSB_COMMIT + "\n" +                 //
         "build type: " + TSB_BUILD_TYPE + "\n" +         //
         "formats: " + formats + "\n" +                   //
         "parquet codecs: " + codecs + "\n" +             //
         "text compression: gzip (.gz), zstd (.zst)\n" +  //
         "sanitizers: " + TSB_SANITIZERS + "\n" +         //
         "emulator store: RocksDB " + std::to_string(ROCKSDB_MAJOR) + "." +
         std::to_string(ROCKSDB_MINOR) + "." + std::to_string(ROCKSDB_PATCH) + "\n" +
         "compiler: " + kCompiler;
}

}  // namespace tsb::cli
