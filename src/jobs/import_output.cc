#include "jobs/import_output.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/text_io.h"
#include "core/value_text.h"
#include "tablestore/core_bridge.h"

namespace tsb::jobs {

namespace {

// Whether `name`, an entry of an output directory, is a file that an import writes there: a part
// file, the reject file, the _SUCCESS marker, a spill file, or the temporary of one of them.
bool IsOwnEntry(const std::string& name) {
  if (IsTemporaryName(name)) {
    const std::string final_name = name.substr(1, name.find(".tmp-", 1) - 1);
    return !IsTemporaryName(final_name) && IsOwnEntry(final_name);
  }
  return name.rfind("part-", 0) == 0 || name == DirectoryRejectsName(kScanRejectFormat) ||
         name == "_SUCCESS" || name.rfind(".tsbridge-spill-", 0) == 0 ||
         name.rfind("_checkpoint", 0) == 0;
}

std::string ListNames(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < 3; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > 3) text += " and " + std::to_string(names.size() - 3) + " more";
  return text;
}

// Makes `dir` (ending in '/') ready for an import's part files (decisions 11, output
// directories): absent (created) or empty, apart from stale temporaries of a killed run, which
// go. A directory holding earlier output is refused unless `overwrite`, which removes only our
// own files and still refuses when anything else is there. With --shard, the hosts share the
// directory: `share_parts` are this share's part files, and the other shares' part files, the
// shared _rejects.jsonl and _SUCCESS stay untouched. With `apply` false it only checks (and
// removes stale temporaries), so that a refusal comes before any request.
}  // namespace

Status PrepareOutputDirectory(const std::string& dir, bool overwrite, bool sharded,
                              const std::vector<std::string>& share_parts, bool apply) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  if (!fs::exists(status)) {
    if (!apply) return Status::OK();
    fs::create_directories(dir, ec);
    if (ec) return Status::IOError(dir + ": cannot create the directory: " + ec.message());
    return Status::OK();
  }
  if (!fs::is_directory(status)) {
    return Status::InvalidArgument("--output " + dir + ": exists and is not a directory");
  }
  auto ours_in_this_share = [&](const std::string& name) {
    if (!sharded) return IsOwnEntry(name);
    std::string final_name = name;
    if (IsTemporaryName(name)) final_name = name.substr(1, name.find(".tmp-", 1) - 1);
    return std::find(share_parts.begin(), share_parts.end(), final_name) != share_parts.end();
  };
  auto list = [&](std::vector<std::string>* own, std::vector<std::string>* foreign) -> Status {
    own->clear();
    foreign->clear();
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      std::error_code type_ec;
      const bool plain = it->is_regular_file(type_ec) && !it->is_symlink(type_ec);
      if (plain && ours_in_this_share(name)) {
        own->push_back(name);
      } else if (!(plain && sharded && IsOwnEntry(name))) {  // another share's: left alone
        foreign->push_back(name);
      }
    }
    if (ec) return Status::IOError(dir + ": cannot list the directory: " + ec.message());
    std::sort(own->begin(), own->end());
    std::sort(foreign->begin(), foreign->end());
    return Status::OK();
  };
  std::vector<std::string> own, foreign;
  TSB_RETURN_IF_ERROR(list(&own, &foreign));
  // Temporaries whose writer is gone are debris, removed without being asked.
  bool removed = false;
  for (const std::string& name : own) {
    if (IsTemporaryName(name)) {
      removed |= RemoveStaleTemporaries(dir + name.substr(1, name.find(".tmp-", 1) - 1)) > 0;
    }
  }
  if (removed) TSB_RETURN_IF_ERROR(list(&own, &foreign));
  if (!overwrite && !(own.empty() && foreign.empty())) {
    std::vector<std::string> all = own;
    all.insert(all.end(), foreign.begin(), foreign.end());
    std::sort(all.begin(), all.end());
    return Status::InvalidArgument(
        "--output " + dir + " is not empty: it holds " + ListNames(all) +
        "; give a new or empty directory, or --overwrite to replace an earlier import's files");
  }
  if (!foreign.empty()) {
    return Status::InvalidArgument(
        "--output " + dir + " holds files that tsbridge did not write: " + ListNames(foreign) +
        "; --overwrite removes only part-*, " + DirectoryRejectsName(kScanRejectFormat) +
        ", _SUCCESS and temporary files, so "
        "move them away or choose another directory");
  }
  for (size_t i = 0; apply && i < own.size(); ++i) {
    const std::string& name = own[i];
    if (::unlink((dir + name).c_str()) != 0 && errno != ENOENT) {
      return Status::IOError(dir + name + ": cannot remove: " + std::strerror(errno));
    }
  }
  return Status::OK();
}

// The reject file of an import: one JSON object per row whose stored value does not fit its
// column (decisions 3). Opened on the first reject; shared by the scanners.

std::string RejectSink::FirstReason() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (first_line_.empty()) return "";
  auto j = nlohmann::json::parse(first_line_, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return first_line_;
  return "primary key " + j.value("primary_key", nlohmann::json::object()).dump() + ": column \"" +
         j.value("column", "") + "\" (stored " + j.value("stored_type", "") + ", expected " +
         j.value("expected_type", "") + "): " + j.value("reason", "");
}

namespace {

nlohmann::ordered_json ValueJson(const OtsValueRef& v) {
  switch (v.type) {
    case OtsType::kInteger:
      return v.i;
    case OtsType::kDouble:
      return v.d;
    case OtsType::kBoolean:
      return v.b;
    case OtsType::kString:
      if (ValidateUtf8(v.bytes)) return std::string(v.bytes);
      [[fallthrough]];
    case OtsType::kBinary:
      return nlohmann::ordered_json{{"base64", Base64Encode(v.bytes)}};
  }
  return nullptr;
}

}  // namespace

std::string RejectLine(const ots::RejectedValue& reject) {
  const ots::Row& row = reject.row;
  nlohmann::ordered_json key = nlohmann::ordered_json::object();
  for (size_t k = 0; k < row.primary_key.size(); ++k) {
    OtsValueRef ref;
    std::string name(row.primary_key[k].name);
    if (row.primary_key[k].value && ots::FromWireValue(*row.primary_key[k].value, &ref)) {
      key[name] = ValueJson(ref);
    } else {
      key[name] = nullptr;
    }
  }
  nlohmann::ordered_json record;
  record["primary_key"] = std::move(key);
  record["column"] = reject.column.name;
  if (reject.timestamp) record["timestamp"] = *reject.timestamp;
  record["stored_type"] = std::string(reject.stored_type);
  record["expected_type"] = reject.column.type.ToString();
  record["reason"] = std::string(reject.reason);
  return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tsb::jobs
