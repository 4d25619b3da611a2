// The one mapping from how a run ended to the process exit code and the summary's status word
// (decisions.md sections 2 and 11). Every subcommand and the emulator go through it, so a code
// means the same thing everywhere.
//
// Header-only so that the unit tests (which do not link the cli) check the very table the binary
// uses.
#pragma once

#include <cstdint>
#include <string_view>

#include "tsbridge/status.h"
#include "jobs/job_common.h"

namespace tsb::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitDataProblems = 3;
inline constexpr int kExitAuth = 4;
inline constexpr int kExitSigint = 130;
inline constexpr int kExitSigterm = 143;

struct ExitStatus {
  int code;
  std::string_view word;  // the summary's "status": ok, rejected, failed, usage, auth, interrupted
};

// `status` is what the job returned, `stop` why it ended before its input did, `rows_rejected`
// how many rows went to the reject file.
//
// A stop by a signal wins over the status: a signal makes in-flight calls give up with whatever
// error they were retrying, and the user asked for the stop. A stop at --limit is a normal end;
// at --max-errors it is exit 3 like any rejected row.
inline ExitStatus ExitFor(const Status& status, jobs::StopReason stop, int64_t rows_rejected) {
  if (stop == jobs::StopReason::kSigint) return {kExitSigint, "interrupted"};
  if (stop == jobs::StopReason::kSigterm) return {kExitSigterm, "interrupted"};
  switch (status.code()) {
    case StatusCode::kOk:
      if (stop == jobs::StopReason::kMaxErrors || rows_rejected > 0) {
        return {kExitDataProblems, "rejected"};
      }
      return {kExitOk, "ok"};
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotSupported:
    case StatusCode::kNotFound:
      return {kExitUsage, "usage"};
    case StatusCode::kPermissionDenied:
      return {kExitAuth, "auth"};
    case StatusCode::kCancelled:
      // Only a signal cancels a job; one whose number was lost is taken for Ctrl-C.
      return {kExitSigint, "interrupted"};
    case StatusCode::kIOError:
    case StatusCode::kInternal:
    case StatusCode::kCorruption:
    case StatusCode::kUnavailable:
    case StatusCode::kServerError:
      return {kExitFailure, "failed"};
  }
  return {kExitFailure, "failed"};
}

inline ExitStatus ExitFor(const Status& status) {
  return ExitFor(status, jobs::StopReason::kNone, 0);
}

}  // namespace tsb::cli
