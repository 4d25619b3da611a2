// The checkpoint of an import or export that `--resume` continues (issue 18): a small JSON file
// beside the output (import) or the input (export) that says which job it belongs to and how far
// that job got.
//
// The identity is what must not change between the run that wrote the checkpoint and the one
// that resumes it: the job kind, a digest of the spec (canonical JSON) and of the flags that
// change what is read or written, the --where text, the input file's fingerprint (export) and the
// fingerprint of the table's split points (import). A resume under a different identity would
// mix two jobs' rows in one output, so it is refused (exit 2), naming what changed.
//
// The progress is a JSON payload that the job owns (per split, the last key written; per reader
// range, the input position acknowledged): the checkpoint only stores it. Save() replaces the
// file atomically and durably: a crash at any moment leaves either the previous checkpoint or the
// new one, never a torn file.
//
// The modes, as the command line gives them:
//   - no flag: an existing checkpoint is exit 2 saying how to resume (--resume) or start over
//     (--restart); without one the job starts fresh and writes one as it goes;
//   - --resume: the checkpoint is loaded and checked; with none the job starts from the beginning
//     and says so on stderr (as `rsync --partial` does with nothing to continue), so a cron line
//     can always carry --resume;
//   - --restart: an existing checkpoint is discarded and the job starts from the beginning.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "tsbridge/status.h"

namespace tsb::jobs {

enum class CheckpointMode { kNone, kResume, kRestart };

// What must match for a resume. Empty fields do not apply to the job (export has no split
// points, import no input file) and are compared like any other.
struct CheckpointIdentity {
  std::string kind;          // "import" or "export"
  std::string spec;          // CheckpointDigest of the spec and the flags that change the data
  std::string where;         // the --where text as given
  std::string input;         // export: FingerprintInput of the input file
  std::string split_points;  // import: the fingerprint of the table's split points

  nlohmann::json ToJson() const;
  static CheckpointIdentity FromJson(const nlohmann::json& j);
};

// The hex SHA-256 of the spec file's canonical JSON (keys sorted, no whitespace, so that
// reformatting the spec is not a change) and of `flags` (the options that change what is read or
// written: format, compression, row group size, dialect, ...). A spec that is not JSON is hashed
// as its bytes (its loading reports the error anyway).
Result<std::string> CheckpointDigest(const std::string& spec_path, const nlohmann::json& flags);

// The fingerprint of an export's input: "size=N mtime=NS sha256=HEX", the SHA-256 over the first
// MiB (a whole-file hash would read a large input twice). A replaced or appended file changes
// its size or mtime; one rewritten in place in the same second with the same size is caught by
// the hash of its start.
Result<std::string> FingerprintInput(const std::string& path);

class Checkpoint {
 public:
  // Opens the checkpoint at `path` under `mode` for a job of `identity` (see the modes above).
  // `job` names the job in messages ("import"). After Open, resumed() says whether a payload was
  // loaded.
  static Result<Checkpoint> Open(const std::string& path, CheckpointMode mode,
                                 const CheckpointIdentity& identity, const std::string& job);

  const std::string& path() const { return path_; }
  bool resumed() const { return resumed_; }
  // The payload the interrupted run saved last (null when not resumed).
  const nlohmann::json& payload() const { return payload_; }

  // Replaces the checkpoint with `payload`: written to ".<name>.tmp-PID-XXXXXX" beside it,
  // fsynced, renamed over it, and the directory fsynced, so it survives a crash of the machine.
  Status Save(const nlohmann::json& payload);
  // Removes the checkpoint (the job succeeded); a missing one is fine.
  Status Remove();

  // Tests: called after the temporary file is written and synced, before the rename (a test that
  // kills the process there shows that a crash leaves the previous checkpoint).
  static std::function<void()>& BeforeRenameForTest();

 private:
  Checkpoint(std::string path, CheckpointIdentity identity)
      : path_(std::move(path)), identity_(std::move(identity)) {}

  std::string path_;
  CheckpointIdentity identity_;
  bool resumed_ = false;
  nlohmann::json payload_;
};

// Writes `data` to `path` through a synced temporary and a rename, then syncs the directory.
Status WriteFileDurably(const std::string& path, const std::string& data);

// fsync of a file, so that its bytes survive a crash.
Status SyncFile(const std::string& path);

// fsync of a path's folder, so that a rename or a create in it survives a crash.
Status SyncDirectoryOf(const std::string& path);

}  // namespace tsb::jobs
