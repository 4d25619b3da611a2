// The exit mapping (cli/exit_status.h: every status code and stop reason to an exit code and a
// status word, decisions 2 and 11), the summary's JSON, a summary file that cannot be written,
// and the first reason the reject writer keeps for the message of exit 3.
#include "cli/exit_status.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "jobs/job_common.h"
#include "jobs/reject_writer.h"
#include "support/testing.h"

using namespace tsb;
using jobs::StopReason;

namespace {

// Every StatusCode, from the enum's first to its last value: a code added to status.h without a
// row here fails the size check below.
const std::vector<StatusCode> kAllCodes = {
    StatusCode::kOk,          StatusCode::kInvalidArgument, StatusCode::kNotFound,
    StatusCode::kIOError,     StatusCode::kNotSupported,    StatusCode::kInternal,
    StatusCode::kCorruption,  StatusCode::kUnavailable,     StatusCode::kPermissionDenied,
    StatusCode::kServerError, StatusCode::kCancelled,
};

Status Make(StatusCode code) { return Status(code, "message"); }

struct Row {
  StatusCode code;
  int exit_code;
  const char* word;
};

}  // namespace

TEST_CASE("exit mapping: every status code with no stop reason") {
  REQUIRE(static_cast<int>(kAllCodes.back()) + 1 == static_cast<int>(kAllCodes.size()));
  const std::vector<Row> expected = {
      {StatusCode::kOk, 0, "ok"},
      {StatusCode::kInvalidArgument, 2, "usage"},
      {StatusCode::kNotFound, 2, "usage"},
      {StatusCode::kIOError, 1, "failed"},
      {StatusCode::kNotSupported, 2, "usage"},
      {StatusCode::kInternal, 1, "failed"},
      {StatusCode::kCorruption, 1, "failed"},
      {StatusCode::kUnavailable, 1, "failed"},
      {StatusCode::kPermissionDenied, 4, "auth"},
      {StatusCode::kServerError, 1, "failed"},
      {StatusCode::kCancelled, 130, "interrupted"},
  };
  REQUIRE(expected.size() == kAllCodes.size());
  for (const Row& row : expected) {
    CAPTURE(StatusCodeName(row.code));
    cli::ExitStatus e = cli::ExitFor(Make(row.code), StopReason::kNone, 0);
    CHECK(e.code == row.exit_code);
    CHECK(e.word == row.word);
    // The one-argument form is the same mapping.
    CHECK(cli::ExitFor(Make(row.code)).code == row.exit_code);
  }
}

TEST_CASE("exit mapping: a service error maps by its OTS code's class") {
  CHECK(cli::ExitFor(Status::FromService("OTSAuthFailed", "bad signature", 403, "r1")).code == 4);
  CHECK(cli::ExitFor(Status::FromService("OTSNoPermissionAccess", "no", 403, "r2")).code == 4);
  CHECK(cli::ExitFor(Status::FromService("OTSParameterInvalid", "bad", 400, "r3")).code == 1);
  CHECK(cli::ExitFor(Status::FromService("OTSServerBusy", "busy", 503, "r4")).code == 1);
}

TEST_CASE("exit mapping: stop reasons") {
  for (StatusCode code : kAllCodes) {
    CAPTURE(StatusCodeName(code));
    // A signal wins whatever the job returned: in-flight calls give up with any error.
    cli::ExitStatus sigint = cli::ExitFor(Make(code), StopReason::kSigint, 0);
    CHECK(sigint.code == 130);
    CHECK(sigint.word == "interrupted");
    cli::ExitStatus sigterm = cli::ExitFor(Make(code), StopReason::kSigterm, 5);
    CHECK(sigterm.code == 143);
    CHECK(sigterm.word == "interrupted");
  }
  // --limit reached is a normal end; rejected rows still make it 3.
  CHECK(cli::ExitFor(Status::OK(), StopReason::kLimit, 0).code == 0);
  CHECK(cli::ExitFor(Status::OK(), StopReason::kLimit, 0).word == "ok");
  CHECK(cli::ExitFor(Status::OK(), StopReason::kLimit, 2).code == 3);
  // --max-errors reached is exit 3.
  CHECK(cli::ExitFor(Status::OK(), StopReason::kMaxErrors, 11).code == 3);
  CHECK(cli::ExitFor(Status::OK(), StopReason::kMaxErrors, 11).word == "rejected");
  // --max-errors 0 with a reject still stops with 3, and rows rejected without a stop are 3.
  CHECK(cli::ExitFor(Status::OK(), StopReason::kNone, 1).code == 3);
  // A failure after rejects is the failure, not 3.
  CHECK(cli::ExitFor(Make(StatusCode::kUnavailable), StopReason::kMaxErrors, 3).code == 1);
  CHECK(cli::ExitFor(Make(StatusCode::kPermissionDenied), StopReason::kNone, 3).code == 4);
}

TEST_CASE("stop reasons: names and signals") {
  CHECK(jobs::StopReasonName(StopReason::kNone).empty());
  CHECK(jobs::StopReasonName(StopReason::kLimit) == "limit");
  CHECK(jobs::StopReasonName(StopReason::kMaxErrors) == "max_errors");
  CHECK(jobs::StopReasonName(StopReason::kSigint) == "SIGINT");
  CHECK(jobs::StopReasonName(StopReason::kSigterm) == "SIGTERM");
  CHECK(jobs::StopReasonForSignal(SIGINT) == StopReason::kSigint);
  CHECK(jobs::StopReasonForSignal(SIGTERM) == StopReason::kSigterm);
}

TEST_CASE("summary JSON: the outcome keys next to the counters") {
  jobs::JobSummary s;
  s.rows_read = 10;
  s.rows_written = 8;
  s.rows_rejected = 2;
  s.bytes_read = 100;
  s.bytes_written = 90;
  s.read_cu = 3;
  s.write_cu = 4;
  s.seconds = 1.5;
  SUBCASE("success: error is null, no stop, no reject keys") {
    auto j = nlohmann::json::parse(s.ToJson());
    CHECK(j["status"] == "ok");
    CHECK(j["exit_code"] == 0);
    REQUIRE(j.contains("error"));
    CHECK(j["error"].is_null());
    CHECK(!j.contains("stopped_by"));
    CHECK(!j.contains("rejects_path"));
    CHECK(!j.contains("first_reject"));
    CHECK(j["rows_read"] == 10);
    CHECK(j["rows_written"] == 8);
    CHECK(j["rows_rejected"] == 2);
    CHECK(j["bytes_read"] == 100);
    CHECK(j["bytes_written"] == 90);
    CHECK(j["read_cu"] == 3);
    CHECK(j["write_cu"] == 4);
    CHECK(j["seconds"] == 1.5);
  }
  SUBCASE("a stopped job with rejects") {
    s.status = "rejected";
    s.exit_code = 3;
    s.error = "stopped early: --max-errors reached";
    s.stop = StopReason::kMaxErrors;
    s.rejects_path = "out.rejects.jsonl";
    s.first_reject = "line 3: TSB_BAD_VALUE: \"x\" is not a bigint";
    auto j = nlohmann::json::parse(s.ToJson());
    CHECK(j["status"] == "rejected");
    CHECK(j["exit_code"] == 3);
    CHECK(j["error"] == "stopped early: --max-errors reached");
    CHECK(j["stopped_by"] == "max_errors");
    CHECK(j["rejects_path"] == "out.rejects.jsonl");
    CHECK(j["first_reject"] == "line 3: TSB_BAD_VALUE: \"x\" is not a bigint");
  }
  SUBCASE("a message with bytes that are not UTF-8 still makes valid JSON") {
    s.error = std::string("bad \xff value");
    auto j = nlohmann::json::parse(s.ToJson(), nullptr, /*allow_exceptions=*/false);
    REQUIRE(!j.is_discarded());
    CHECK(j["error"].get<std::string>().find("bad ") == 0);
  }
}

TEST_CASE("summary file: a path that cannot be written is an IOError naming it") {
  jobs::JobSummary s;
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("tsb_no_such_dir_" + std::to_string(::getpid())) / "summary.json")
                               .string();
  Status st = jobs::WriteSummaryFile(path, s);
  CHECK(st.code() == StatusCode::kIOError);
  CHECK(st.message().find(path) != std::string::npos);
  CHECK(cli::ExitFor(st).code == 1);
  CHECK(jobs::WriteSummaryFile("", s).ok());  // no --summary: nothing to write
}

TEST_CASE("summary guard: fills on every return path and only assigns") {
  jobs::JobSummary s;
  int64_t counter = 7;
  {
    jobs::SummaryOnReturn early(&s, std::chrono::steady_clock::now(),
                                [&](jobs::JobSummary* out) { out->read_cu = 2; });
    {
      jobs::SummaryOnReturn late(&s, std::chrono::steady_clock::now(),
                                 [&](jobs::JobSummary* out) { out->rows_read = counter; });
      counter = 9;  // what had happened by the time the scope ended
    }
    CHECK(s.rows_read == 9);
  }
  CHECK(s.read_cu == 2);
  CHECK(s.seconds >= 0);
}

TEST_CASE("reject writer: the first record's place and reason") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tsb_first_reject_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (bool text_input : {true, false}) {
    jobs::RejectFileOptions o;
    o.path = (dir / (text_input ? "r.csv" : "r.jsonl")).string();
    o.format = text_input ? jobs::RejectFormat::kCsv : jobs::RejectFormat::kJsonl;
    o.columns = {Field{"id", DataType::Of(TypeId::kInt64), true}};
    o.raw_record = text_input;
    jobs::RejectWriter w(o);
    CHECK(w.first_reason().empty());
    jobs::RejectRecord first;
    first.position = 4;
    first.code = "TSB_BAD_VALUE";
    first.message = "column \"id\": \"x\" is not a bigint";
    REQUIRE(w.Write(first).ok());
    jobs::RejectRecord second;
    second.position = 9;
    second.code = "TSB_NULL_KEY";
    second.message = "column \"id\": a primary-key column is NULL";
    REQUIRE(w.Write(second).ok());
    REQUIRE(w.Close().ok());
    CHECK(w.count() == 2);
    CHECK(w.first_reason() == std::string(text_input ? "line" : "row") +
                                  " 4: TSB_BAD_VALUE: column \"id\": \"x\" is not a bigint");
  }
  std::filesystem::remove_all(dir);
}
