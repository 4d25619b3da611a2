#include "jobs/checkpoint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/crypto.h"
#include "core/log.h"
#include "core/text_io.h"

namespace tsb::jobs {

namespace {

constexpr int kVersion = 1;
constexpr size_t kFingerprintBytes = 1 << 20;

std::string ErrnoText(int err) { return std::strerror(err); }

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot read: " + ErrnoText(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError(path + ": cannot read: " + ErrnoText(errno));
  return text.str();
}

Status WriteAll(int fd, const std::string& data, const std::string& name) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError(name + ": cannot write: " + ErrnoText(errno));
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

// The sentence that names what changed between the checkpoint's job and this one.
std::string Differences(const CheckpointIdentity& saved, const CheckpointIdentity& now) {
  std::vector<std::string> changed;
  if (saved.kind != now.kind) {
    // Both kinds begin with a vowel.
    changed.push_back("it is an " + saved.kind + "'s checkpoint, not an " + now.kind + "'s");
  }
  if (saved.spec != now.spec) {
    changed.push_back("the spec (or a flag that changes the output, such as --format) changed");
  }
  if (saved.where != now.where) {
    changed.push_back("--where changed (\"" + saved.where + "\" then, \"" + now.where + "\" now)");
  }
  if (saved.input != now.input) {
    changed.push_back("the input file changed (" + saved.input + " then, " + now.input + " now)");
  }
  if (saved.split_points != now.split_points) {
    changed.push_back("the table's split points changed (" + saved.split_points + " then, " +
                      now.split_points + " now: the table was split, merged or written since)");
  }
  std::string text;
  for (size_t i = 0; i < changed.size(); ++i) {
    if (i > 0) text += "; ";
    text += changed[i];
  }
  return text;
}

}  // namespace

nlohmann::json CheckpointIdentity::ToJson() const {
  return {{"kind", kind},
          {"spec", spec},
          {"where", where},
          {"input", input},
          {"split_points", split_points}};
}

CheckpointIdentity CheckpointIdentity::FromJson(const nlohmann::json& j) {
  CheckpointIdentity id;
  auto text = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  id.kind = text("kind");
  id.spec = text("spec");
  id.where = text("where");
  id.input = text("input");
  id.split_points = text("split_points");
  return id;
}

Result<std::string> CheckpointDigest(const std::string& spec_path, const nlohmann::json& flags) {
  TSB_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(spec_path));
  // nlohmann::json keeps objects sorted by key, so dump() is a canonical form.
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::string canonical = parsed.is_discarded() ? text : parsed.dump();
  canonical += '\n';
  canonical += flags.dump();
  return HexEncode(Sha256(canonical));
}

Result<std::string> FingerprintInput(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": cannot open: " + ErrnoText(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IOError(path + ": cannot stat: " + ErrnoText(err));
  }
  std::string head(kFingerprintBytes, '\0');
  size_t got = 0;
  while (got < head.size()) {
    ssize_t n = ::read(fd, head.data() + got, head.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Status::IOError(path + ": cannot read: " + ErrnoText(err));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  head.resize(got);
  const int64_t mtime_ns =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return "size=" + std::to_string(static_cast<int64_t>(st.st_size)) +
         " mtime=" + std::to_string(mtime_ns) + " sha256=" + HexEncode(Sha256(head));
}

Status SyncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": cannot open: " + ErrnoText(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) return Status::IOError(path + ": cannot sync: " + ErrnoText(err));
  return Status::OK();
}

Status SyncDirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(dir + ": cannot open the folder: " + ErrnoText(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  // Some file systems refuse fsync on a directory (EINVAL): they have nothing more to sync.
  if (rc != 0 && err != EINVAL) {
    return Status::IOError(dir + ": cannot sync the folder: " + ErrnoText(err));
  }
  return Status::OK();
}

std::function<void()>& Checkpoint::BeforeRenameForTest() {
  static std::function<void()> hook;
  return hook;
}

Status WriteFileDurably(const std::string& path, const std::string& data) {
  std::string temp;
  TSB_ASSIGN_OR_RETURN(int fd, CreateTemporaryFor(path, &temp));
  Status written = WriteAll(fd, data, temp);
  if (written.ok() && ::fsync(fd) != 0) {
    written = Status::IOError(temp + ": cannot sync: " + ErrnoText(errno));
  }
  ::close(fd);
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  if (Checkpoint::BeforeRenameForTest()) Checkpoint::BeforeRenameForTest()();
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return Status::IOError(path + ": cannot replace: " + ErrnoText(err));
  }
  return SyncDirectoryOf(path);
}

Result<Checkpoint> Checkpoint::Open(const std::string& path, CheckpointMode mode,
                                    const CheckpointIdentity& identity, const std::string& job) {
  Checkpoint cp(path, identity);
  struct stat st;
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists) {
    if (mode == CheckpointMode::kResume) {
      log::Printf(log::Level::kInfo,
                  "%s: --resume: no checkpoint at %s, so there is nothing to continue: starting "
                  "from the beginning\n",
                  job.c_str(), path.c_str());
    }
    return cp;
  }
  if (mode == CheckpointMode::kNone) {
    return Status::InvalidArgument(
        path + ": a checkpoint of an interrupted " + job +
        " is there; give --resume to continue that job, or --restart to start over (which "
        "discards it)");
  }
  if (mode == CheckpointMode::kRestart) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::IOError(path + ": cannot remove the checkpoint: " + ErrnoText(errno));
    }
    return cp;
  }
  TSB_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("tsbridge_checkpoint") ||
      !j["tsbridge_checkpoint"].is_number_integer() || !j.contains("identity") ||
      !j["identity"].is_object()) {
    return Status::InvalidArgument(path +
                                   ": not a tsbridge checkpoint (expected a JSON object with "
                                   "\"tsbridge_checkpoint\" and \"identity\"); --restart starts "
                                   "over and replaces it");
  }
  if (j["tsbridge_checkpoint"].get<int64_t>() != kVersion) {
    return Status::InvalidArgument(path + ": a checkpoint of version " +
                                   j["tsbridge_checkpoint"].dump() +
                                   ", which this tsbridge does not read (it writes version " +
                                   std::to_string(kVersion) + "); --restart starts over");
  }
  const CheckpointIdentity saved = CheckpointIdentity::FromJson(j["identity"]);
  const std::string changed = Differences(saved, identity);
  if (!changed.empty()) {
    return Status::InvalidArgument(path +
                                   ": cannot resume: the checkpoint belongs to a different " + job +
                                   ": " + changed + "; --restart starts over");
  }
  cp.resumed_ = true;
  cp.payload_ = j.contains("progress") ? j["progress"] : nlohmann::json();
  return cp;
}

Status Checkpoint::Save(const nlohmann::json& payload) {
  nlohmann::json j = {
      {"tsbridge_checkpoint", kVersion}, {"identity", identity_.ToJson()}, {"progress", payload}};
  return WriteFileDurably(path_, j.dump() + "\n");
}

Status Checkpoint::Remove() {
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    return Status::IOError(path_ + ": cannot remove the checkpoint: " + ErrnoText(errno));
  }
  return SyncDirectoryOf(path_);
}

}  // namespace tsb::jobs
