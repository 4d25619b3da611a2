#include "emulator/auth.h"

#include <chrono>
#include <utility>

#include "core/ascii.h"
#include "tsbridge/tablestore/limits.h"

namespace tsb::emulator {

namespace {

Status AuthFailed(std::string message) {
  return Status::FromService("OTSAuthFailed", std::move(message), 403, "");
}

Status ParameterInvalid(std::string message) {
  return Status::FromService("OTSParameterInvalid", std::move(message), 400, "");
}

int64_t SystemNowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Alphabetical, so that a request missing several headers always names the same one.
constexpr std::string_view kRequiredHeaders[] = {
    "x-ots-accesskeyid", "x-ots-apiversion",   "x-ots-contentmd5",
    "x-ots-date",        "x-ots-instancename", "x-ots-signature",
};

}  // namespace

std::string_view FindHeader(std::span<const ots::HeaderEntry> headers, std::string_view name,
                            bool* found) {
  for (const ots::HeaderEntry& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) {
      if (found) *found = true;
      return h.value;
    }
  }
  if (found) *found = false;
  return {};
}

Authenticator::Authenticator(const EmulatorConfig* config, const CredentialStore* credentials,
                             std::function<int64_t()> now_us)
    : config_(config), credentials_(credentials), now_us_(std::move(now_us)) {
  if (!now_us_) now_us_ = SystemNowMicros;
  for (const AccountConfig& account : config_->accounts) {
    for (const AccessKeyConfig& key : account.access_keys) {
      keys_.emplace(key.id, KeyEntry{&key, &account, nullptr});
    }
    for (const UserConfig& user : account.users) {
      for (const AccessKeyConfig& key : user.access_keys) {
        keys_.emplace(key.id, KeyEntry{&key, &account, &user});
      }
    }
  }
}

const AccessKeyConfig* Authenticator::FindKey(std::string_view access_key_id) const {
  auto it = keys_.find(std::string(access_key_id));
  if (it != keys_.end()) return it->second.key;
  // Issued credentials are never dropped (see sts.h), so the pointer stays valid.
  if (credentials_ != nullptr) {
    if (auto session = credentials_->Find(access_key_id)) return &session->key;
  }
  return nullptr;
}

Status Authenticator::Authenticate(std::string_view path,
                                   std::span<const ots::HeaderEntry> headers,
                                   std::string_view body, Identity* identity) const {
  for (std::string_view name : kRequiredHeaders) {
    bool found = false;
    FindHeader(headers, name, &found);
    if (!found) return ParameterInvalid("Missing header: " + std::string(name) + ".");
  }
  const std::string_view key_id = FindHeader(headers, "x-ots-accesskeyid");
  if (auto it = keys_.find(std::string(key_id)); it != keys_.end()) {
    identity->key = it->second.key;
    identity->account = it->second.account;
    identity->user = it->second.user;
  } else if (credentials_ != nullptr) {
    if (auto session = credentials_->Find(key_id)) {
      identity->key = &session->key;
      identity->account = session->account;
      identity->session = std::move(session);
    }
  }

  if (FindHeader(headers, "x-ots-contentmd5") != ots::ContentMd5(body)) {
    return AuthFailed(
        "Mismatch between MD5 value of request body and x-ots-contentmd5 in header.");
  }

  const std::string_view date_text = FindHeader(headers, "x-ots-date");
  Result<int64_t> date = ots::ParseOtsDate(date_text);
  if (!date.ok()) return ParameterInvalid("Invalid date format: " + std::string(date_text) + ".");
  const int64_t skew_us = *date - now_us_();
  const int64_t max_skew_us = ots::kMaxDateSkewSeconds * 1000000;
  if (skew_us > max_skew_us || skew_us < -max_skew_us) {
    return AuthFailed("Mismatch between system time and x-ots-date: " + std::string(date_text) +
                      ".");
  }

  if (identity->key == nullptr) return AuthFailed("The AccessKeyID does not exist.");

  const std::string expected =
      ots::Signature(identity->key->secret, ots::RequestStringToSign(path, headers));
  if (!ots::SignaturesEqual(expected, FindHeader(headers, "x-ots-signature"))) {
    return AuthFailed("Signature mismatch.");
  }

  // An empty header is no token (some clients send the header whatever they hold).
  const std::string_view token = FindHeader(headers, "x-ots-ststoken");
  if (identity->session == nullptr) {
    if (!token.empty()) {
      return AuthFailed("The SecurityToken is invalid: it was not issued for this AccessKeyID.");
    }
  } else {
    if (token.empty()) {
      return AuthFailed(
          "The SecurityToken is missing: a temporary AccessKeyID (STS.) needs the "
          "x-ots-ststoken issued with it.");
    }
    if (!ots::SignaturesEqual(token, identity->session->security_token)) {
      return AuthFailed("The SecurityToken is invalid: it was not issued for this AccessKeyID.");
    }
    if (now_us_() >= identity->session->expires_us) {
      return AuthFailed("The SecurityToken has expired.");
    }
  }

  const std::string_view instance = FindHeader(headers, "x-ots-instancename");
  if (instance.empty()) return AuthFailed("The instance is not found.");
  if (config_->instances_declared) {
    bool declared = false;
    for (const std::string& name : identity->account->instances) {
      if (EqualsIgnoreCase(name, instance)) {
        declared = true;
        break;
      }
    }
    if (!declared) return AuthFailed("The instance is not found.");
  }
  identity->instance = AsciiLower(instance);
  return Status::OK();
}

namespace {

// Reads the protobuf wire format: just enough to find length-delimited fields.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  bool done() const { return pos_ >= data_.size(); }

  // The next field; false when the message is malformed.
  bool Next(uint32_t* field, std::string_view* bytes) {
    uint64_t tag;
    if (!Varint(&tag)) return false;
    *field = static_cast<uint32_t>(tag >> 3);
    if (*field == 0) return false;
    *bytes = {};
    switch (tag & 7) {
      case 0: {
        uint64_t ignored;
        return Varint(&ignored);
      }
      case 1:
        return Skip(8);
      case 5:
        return Skip(4);
      case 2: {
        uint64_t length;
        if (!Varint(&length) || length > data_.size() - pos_) return false;
        *bytes = data_.substr(pos_, length);
        pos_ += length;
        return true;
      }
      default:  // groups are not part of Tablestore's messages
        return false;
    }
  }

 private:
  bool Varint(uint64_t* out) {
    *out = 0;
    for (int shift = 0; shift < 64 && pos_ < data_.size(); shift += 7) {
      const uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
      *out |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }
  bool Skip(size_t n) {
    if (n > data_.size() - pos_) return false;
    pos_ += n;
    return true;
  }

  std::string_view data_;
  size_t pos_ = 0;
};

Status Malformed() {
  // The handlers' words for a body that does not parse, so that the answer is the same whichever
  // layer notices.
  return ParameterInvalid("Failed to parse the ProtoBuf message.");
}

// Field 1 of `message` as a string (the last one wins, as protobuf's parser does); empty if absent.
Result<std::string_view> FieldOne(std::string_view message) {
  WireReader reader(message);
  std::string_view found;
  while (!reader.done()) {
    uint32_t field;
    std::string_view bytes;
    if (!reader.Next(&field, &bytes)) return Malformed();
    if (field == 1) found = bytes;
  }
  return found;
}

Status NoPermission(std::string_view action, std::string_view resource) {
  return Status::FromService("OTSNoPermissionAccess",
                             "You have no permission to access the requested resource, please "
                             "contact the resource owner. Action: " +
                                 std::string(action) + ", Resource: " + std::string(resource) + ".",
                             403, "");
}

}  // namespace

Result<std::vector<std::string>> RequestTables(std::string_view operation, std::string_view body) {
  std::vector<std::string> tables;
  if (operation == "ListTable") return tables;
  if (operation == "BatchWriteRow" || operation == "BatchGetRow") {
    WireReader reader(body);
    while (!reader.done()) {
      uint32_t field;
      std::string_view entry;
      if (!reader.Next(&field, &entry)) return Malformed();
      if (field != 1) continue;
      TSB_ASSIGN_OR_RETURN(std::string_view name, FieldOne(entry));
      tables.emplace_back(name);
    }
    return tables;
  }
  std::string_view holder = body;
  if (operation == "CreateTable") {
    TSB_ASSIGN_OR_RETURN(holder, FieldOne(body));
  }
  TSB_ASSIGN_OR_RETURN(std::string_view name, FieldOne(holder));
  tables.emplace_back(name);
  return tables;
}

Status Authenticator::Authorize(const Identity& identity, std::string_view operation,
                                std::string_view body) const {
  // The account's own keys hold every permission in it (the instance check already tied the
  // request to the account).
  if (identity.user == nullptr && identity.session == nullptr) return Status::OK();

  TSB_ASSIGN_OR_RETURN(std::vector<std::string> tables, RequestTables(operation, body));
  const std::string action = "ots:" + std::string(operation);
  const std::string instance_arn =
      "acs:ots:" + config_->region + ":" + identity.account->id + ":instance/" + identity.instance;
  std::vector<std::string> resources;
  if (operation == "ListTable") {
    resources.push_back(instance_arn);
  } else {
    // A request without a table name is left to the handlers, which refuse it as malformed.
    for (const std::string& table : tables) resources.push_back(instance_arn + "/table/" + table);
  }

  std::vector<const PolicyDocument*> documents;
  const PolicyDocument* session_policy = nullptr;
  if (identity.user != nullptr) {
    documents = ResolvePolicies(*identity.account, identity.user->policies);
  } else {
    documents = ResolvePolicies(*identity.account, identity.session->role->policies);
    if (identity.session->session_policy) session_policy = &*identity.session->session_policy;
  }
  for (const std::string& resource : resources) {
    bool allowed = Evaluate(documents, action, resource) == PolicyDecision::kAllow;
    // A session policy can only narrow what the role may do.
    if (allowed && session_policy != nullptr) {
      allowed = Evaluate({&session_policy, 1}, action, resource) == PolicyDecision::kAllow;
    }
    if (!allowed) return NoPermission(action, resource);
  }
  return Status::OK();
}

}  // namespace tsb::emulator
