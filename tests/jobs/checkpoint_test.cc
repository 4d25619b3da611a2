// The checkpoint that --resume continues (jobs/checkpoint.h): its modes, the identity checks that
// refuse a resume of a different job (each naming what changed), and a Save that a crash cannot
// tear.
#include "jobs/checkpoint.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/temp_files.h"

using namespace tsb;
using namespace tsb::jobs;
namespace fs = std::filesystem;

namespace {

CheckpointIdentity Identity() {
  CheckpointIdentity id;
  id.kind = "import";
  id.spec = "0f00";
  id.where = "k > 3";
  id.split_points = "abc123";
  return id;
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int CountTemporaries(const std::string& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    n += e.path().filename().string().find(".tmp-") != std::string::npos ? 1 : 0;
  }
  return n;
}

}  // namespace

TEST_CASE("checkpoint: saved progress is loaded by --resume, and Remove deletes it") {
  testing::ScratchDir dir;
  const std::string path = dir / "out.csv.tsbridge-checkpoint";
  Result<Checkpoint> fresh = Checkpoint::Open(path, CheckpointMode::kNone, Identity(), "import");
  REQUIRE_MESSAGE(fresh.ok(), fresh.status().ToString());
  CHECK_FALSE(fresh->resumed());
  CHECK_FALSE(fs::exists(path));
  REQUIRE(fresh->Save({{"splits", {{{"done", false}, {"rows", 10}}}}}).ok());
  REQUIRE(fresh->Save({{"splits", {{{"done", true}, {"rows", 25}}}}}).ok());
  CHECK(CountTemporaries(dir.path) == 0);

  Result<Checkpoint> again = Checkpoint::Open(path, CheckpointMode::kResume, Identity(), "import");
  REQUIRE_MESSAGE(again.ok(), again.status().ToString());
  CHECK(again->resumed());
  CHECK(again->payload()["splits"][0]["rows"] == 25);
  CHECK(again->payload()["splits"][0]["done"] == true);
  REQUIRE(again->Remove().ok());
  CHECK_FALSE(fs::exists(path));
  CHECK(again->Remove().ok());  // already gone
}

TEST_CASE("checkpoint: an existing one without --resume says how to resume or start over") {
  testing::ScratchDir dir;
  const std::string path = dir / "cp";
  {
    Result<Checkpoint> cp = Checkpoint::Open(path, CheckpointMode::kNone, Identity(), "import");
    REQUIRE(cp.ok());
    REQUIRE(cp->Save(nlohmann::json::object()).ok());
  }
  Result<Checkpoint> refused = Checkpoint::Open(path, CheckpointMode::kNone, Identity(), "import");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == StatusCode::kInvalidArgument);
  const std::string message = refused.status().message();
  CHECK(message.find(path) != std::string::npos);
  CHECK(message.find("interrupted import") != std::string::npos);
  CHECK(message.find("--resume") != std::string::npos);
  CHECK(message.find("--restart") != std::string::npos);
  CHECK(fs::exists(path));  // refusing touches nothing

  Result<Checkpoint> restarted =
      Checkpoint::Open(path, CheckpointMode::kRestart, Identity(), "import");
  REQUIRE(restarted.ok());
  CHECK_FALSE(restarted->resumed());
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("checkpoint: --resume without one starts from the beginning") {
  testing::ScratchDir dir;
  Result<Checkpoint> cp =
      Checkpoint::Open(dir / "none", CheckpointMode::kResume, Identity(), "import");
  REQUIRE(cp.ok());
  CHECK_FALSE(cp->resumed());
  CHECK(cp->payload().is_null());
}

TEST_CASE("checkpoint: every kind of mismatch is refused, naming what changed") {
  testing::ScratchDir dir;
  const std::string path = dir / "cp";
  {
    Result<Checkpoint> cp = Checkpoint::Open(path, CheckpointMode::kNone, Identity(), "import");
    REQUIRE(cp.ok());
    REQUIRE(cp->Save({{"x", 1}}).ok());
  }
  struct Case {
    const char* name;
    void (*change)(CheckpointIdentity*);
    const char* expected;
  };
  const Case cases[] = {
      {"kind", [](CheckpointIdentity* id) { id->kind = "export"; },
       "an import's checkpoint, not an export's"},
      {"spec", [](CheckpointIdentity* id) { id->spec = "beef"; }, "the spec"},
      {"where", [](CheckpointIdentity* id) { id->where = "k > 4"; },
       "--where changed (\"k > 3\" then, \"k > 4\" now)"},
      {"input", [](CheckpointIdentity* id) { id->input = "size=1 mtime=2 sha256=00"; },
       "the input file changed"},
      {"split points", [](CheckpointIdentity* id) { id->split_points = "def456"; },
       "the table's split points changed (abc123 then, def456 now"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    CheckpointIdentity changed = Identity();
    c.change(&changed);
    Result<Checkpoint> cp = Checkpoint::Open(path, CheckpointMode::kResume, changed, "import");
    REQUIRE_FALSE(cp.ok());
    CHECK(cp.status().code() == StatusCode::kInvalidArgument);
    CHECK_MESSAGE(cp.status().message().find(c.expected) != std::string::npos,
                  cp.status().message());
    CHECK(cp.status().message().find("--restart") != std::string::npos);
  }
  // Two changes at once are both named.
  CheckpointIdentity both = Identity();
  both.spec = "beef";
  both.where = "";
  Result<Checkpoint> cp = Checkpoint::Open(path, CheckpointMode::kResume, both, "import");
  REQUIRE_FALSE(cp.ok());
  CHECK(cp.status().message().find("the spec") != std::string::npos);
  CHECK(cp.status().message().find("--where changed") != std::string::npos);
}

TEST_CASE("checkpoint: a file that is not a checkpoint is refused, not overwritten") {
  testing::ScratchDir dir;
  const std::string path = dir / "cp";
  WriteText(path, "{\"progress\": 1");
  Result<Checkpoint> cp = Checkpoint::Open(path, CheckpointMode::kResume, Identity(), "import");
  REQUIRE_FALSE(cp.ok());
  CHECK(cp.status().code() == StatusCode::kInvalidArgument);
  CHECK(cp.status().message().find("not a tsbridge checkpoint") != std::string::npos);
  CHECK(ReadText(path) == "{\"progress\": 1");
}

TEST_CASE("checkpoint: a crash between writing and renaming leaves the previous checkpoint") {
  testing::ScratchDir dir;
  const std::string path = dir / "cp";
  {
    Result<Checkpoint> cp = Checkpoint::Open(path, CheckpointMode::kNone, Identity(), "import");
    REQUIRE(cp.ok());
    REQUIRE(cp->Save({{"rows", 100}}).ok());
  }
  const std::string before = ReadText(path);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child dies the way SIGKILL would, after the new content is synced, before the rename.
    Checkpoint::BeforeRenameForTest() = [] { ::_exit(7); };
    Result<Checkpoint> cp = Checkpoint::Open(path, CheckpointMode::kResume, Identity(), "import");
    if (!cp.ok()) ::_exit(1);
    (void)cp->Save({{"rows", 200}});
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 7);  // it died where the test meant it to
  CHECK(ReadText(path) == before);
  CHECK(CountTemporaries(dir.path) == 1);  // the dead writer's temporary

  Result<Checkpoint> cp = Checkpoint::Open(path, CheckpointMode::kResume, Identity(), "import");
  REQUIRE(cp.ok());
  CHECK(cp->payload()["rows"] == 100);
  // The next save clears the dead writer's temporary.
  REQUIRE(cp->Save({{"rows", 300}}).ok());
  CHECK(CountTemporaries(dir.path) == 0);
}

TEST_CASE("checkpoint: the spec digest ignores formatting and follows content and flags") {
  testing::ScratchDir dir;
  WriteText(dir / "a.json", R"({"b": 1, "a": [1, 2]})");
  WriteText(dir / "b.json", "{\n  \"a\": [1,2],\n  \"b\": 1\n}\n");
  WriteText(dir / "c.json", R"({"b": 2, "a": [1, 2]})");
  const nlohmann::json flags = {{"format", "csv"}};
  Result<std::string> a = CheckpointDigest(dir / "a.json", flags);
  Result<std::string> b = CheckpointDigest(dir / "b.json", flags);
  Result<std::string> c = CheckpointDigest(dir / "c.json", flags);
  Result<std::string> a_parquet = CheckpointDigest(dir / "a.json", {{"format", "parquet"}});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(c.ok());
  REQUIRE(a_parquet.ok());
  CHECK(a->size() == 64);
  CHECK(*a == *b);
  CHECK(*a != *c);
  CHECK(*a != *a_parquet);
  CHECK_FALSE(CheckpointDigest(dir / "missing.json", flags).ok());
}

TEST_CASE("checkpoint: the input fingerprint follows size, mtime and the first MiB") {
  testing::ScratchDir dir;
  const std::string path = dir / "in.csv";
  WriteText(path, std::string(3 << 20, 'x'));
  Result<std::string> first = FingerprintInput(path);
  REQUIRE(first.ok());
  CHECK(first->find("size=3145728 ") == 0);
  CHECK(*FingerprintInput(path) == *first);

  // Same size, same mtime, a changed first MiB: only the hash can tell.
  const auto mtime = fs::last_write_time(path);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('y');
  }
  fs::last_write_time(path, mtime);
  Result<std::string> edited = FingerprintInput(path);
  REQUIRE(edited.ok());
  CHECK(*edited != *first);
  CHECK(edited->substr(0, edited->find(" sha256=")) == first->substr(0, first->find(" sha256=")));

  // Appended: the size changes.
  { std::ofstream(path, std::ios::app | std::ios::binary) << "z"; }
  CHECK(FingerprintInput(path)->find("size=3145729 ") == 0);
  CHECK_FALSE(FingerprintInput(dir / "missing").ok());
}
