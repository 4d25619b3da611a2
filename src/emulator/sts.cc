#include "emulator/sts.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>

#include "core/ascii.h"
#include "core/crypto.h"
#include "core/hash.h"
#include "tablestore/signer.h"

namespace tsb::emulator {

namespace {

using nlohmann::json;

constexpr int64_t kMaxSkewSeconds = 15 * 60;
constexpr size_t kMaxSessionPolicyBytes = 1024;

int64_t SystemNowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Unpredictable text from the kernel's generator: these become secrets and tokens.
std::string RandomText(size_t length, std::string_view alphabet) {
  std::random_device device;
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string out;
  out.reserve(length);
  for (size_t i = 0; i < length; ++i) out.push_back(alphabet[pick(device)]);
  return out;
}

constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

std::string NewRequestId() {
  const std::string hex = RandomText(32, "0123456789ABCDEF");
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

StsAnswer Error(int http_status, std::string_view code, std::string_view message,
                const std::string& request_id) {
  json body = {
      {"RequestId", request_id},
      {"HostId", "sts.aliyuncs.com"},
      {"Code", code},
      {"Message", message},
      {"Recommend", "https://api.aliyun.com/troubleshoot?q=" + std::string(code) + "&product=Sts"}};
  return {http_status, body.dump()};
}

StsAnswer InvalidParameter(std::string_view param, const std::string& request_id) {
  return Error(400, "InvalidParameter." + std::string(param),
               "The parameter " + std::string(param) + " is wrongly formed.", request_id);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool UrlDecode(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out->push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= text.size()) return false;
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
  return true;
}

// RAM's ARN of a role: acs:ram::UID:role/NAME (the role name is matched case-insensitively).
bool ParseRoleArn(std::string_view arn, std::string* account_id, std::string* role_name) {
  constexpr std::string_view kPrefix = "acs:ram::";
  if (!arn.starts_with(kPrefix)) return false;
  arn.remove_prefix(kPrefix.size());
  const size_t colon = arn.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view rest = arn.substr(colon + 1);
  if (!rest.starts_with("role/") || rest.size() == 5) return false;
  *account_id = std::string(arn.substr(0, colon));
  *role_name = std::string(rest.substr(5));
  return role_name->find('/') == std::string::npos;
}

bool ValidSessionName(std::string_view name) {
  if (name.size() < 2 || name.size() > 32) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '@' || c == '_' || c == '-';
  });
}

// A stable, service-looking numeric role id.
std::string RoleId(const AccountConfig& account, const RoleConfig& role) {
  const uint64_t h = Fmix64(Fnv1a(AsciiLower(role.name), Fnv1a(account.id)));
  return "3" + std::to_string(100000000000000000ull + h % 900000000000000000ull);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

void CredentialStore::Add(std::shared_ptr<const IssuedCredential> credential) {
  std::lock_guard lock(mu_);
  by_key_id_[credential->key.id] = std::move(credential);
}

std::shared_ptr<const IssuedCredential> CredentialStore::Find(std::string_view key_id) const {
  std::lock_guard lock(mu_);
  auto it = by_key_id_.find(std::string(key_id));
  return it == by_key_id_.end() ? nullptr : it->second;
}

std::string PopPercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string PopStringToSign(std::string_view method,
                            const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<std::pair<std::string, std::string>> sorted;
  for (const auto& [name, value] : params) {
    if (name != "Signature") sorted.emplace_back(PopPercentEncode(name), PopPercentEncode(value));
  }
  std::sort(sorted.begin(), sorted.end());
  std::string canonical;
  for (const auto& [name, value] : sorted) {
    if (!canonical.empty()) canonical.push_back('&');
    canonical.append(name).append("=").append(value);
  }
  return std::string(method) + "&%2F&" + PopPercentEncode(canonical);
}

std::string PopSignature(std::string_view secret, std::string_view string_to_sign) {
  return Base64Encode(HmacSha1(std::string(secret) + "&", string_to_sign));
}

bool ParseFormParams(std::string_view text, std::vector<std::pair<std::string, std::string>>* out) {
  while (!text.empty()) {
    const size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string name, value;
    if (!UrlDecode(pair.substr(0, eq), &name)) return false;
    if (eq != std::string_view::npos && !UrlDecode(pair.substr(eq + 1), &value)) return false;
    out->emplace_back(std::move(name), std::move(value));
  }
  return true;
}

// ---------------------------------------------------------------------------------------------

struct StsService::Caller {
  const AccountConfig* account = nullptr;
  const UserConfig* user = nullptr;                 // a RAM user
  std::shared_ptr<const IssuedCredential> session;  // a role session (role chaining)
  const AccessKeyConfig* key = nullptr;
};

StsService::StsService(const EmulatorConfig* config, CredentialStore* credentials,
                       std::function<int64_t()> now_us)
    : config_(config), credentials_(credentials), now_us_(std::move(now_us)) {
  if (!now_us_) now_us_ = SystemNowMicros;
}

bool StsService::UseNonce(const std::string& key_id, const std::string& nonce, int64_t now_us) {
  std::lock_guard lock(nonce_mu_);
  // A nonce only needs remembering while its timestamp is acceptable.
  const int64_t horizon = now_us - 2 * kMaxSkewSeconds * 1000000;
  std::erase_if(nonces_, [horizon](const auto& entry) { return entry.second < horizon; });
  return nonces_.emplace(key_id + "\n" + nonce, now_us).second;
}

StsAnswer StsService::Handle(std::string_view method, std::string_view query,
                             std::string_view body) {
  const std::string request_id = NewRequestId();
  std::vector<std::pair<std::string, std::string>> list;
  if (!ParseFormParams(query, &list) || (method == "POST" && !ParseFormParams(body, &list))) {
    return Error(400, "InvalidParameter", "The request's parameters are not well URL-encoded.",
                 request_id);
  }
  std::map<std::string, std::string> params;
  for (const auto& [name, value] : list) {
    if (!params.emplace(name, value).second) {
      return Error(400, "InvalidParameter", "The parameter " + name + " is given twice.",
                   request_id);
    }
  }
  for (const char* name : {"AccessKeyId", "Signature", "SignatureNonce", "Timestamp", "Action"}) {
    if (!params.contains(name)) {
      return Error(400, std::string("Missing") + name,
                   std::string(name) + " is mandatory for this action.", request_id);
    }
  }
  if (params["Action"] != "AssumeRole") {
    return Error(404, "InvalidAction.NotFound",
                 "Specified api is not found, please check your url and method.", request_id);
  }
  if (params["Version"] != "2015-04-01") return InvalidParameter("Version", request_id);
  if (params["SignatureMethod"] != "HMAC-SHA1") {
    return InvalidParameter("SignatureMethod", request_id);
  }
  if (params["SignatureVersion"] != "1.0") return InvalidParameter("SignatureVersion", request_id);

  const std::string& timestamp = params["Timestamp"];
  Result<int64_t> when = ots::ParseOtsDate(timestamp);
  if (timestamp.size() != 20 || !when.ok()) {
    return Error(400, "InvalidTimeStamp.Format",
                 "Specified time stamp or date value is not well formatted.", request_id);
  }
  const int64_t now = now_us_();
  if (std::abs(*when - now) > kMaxSkewSeconds * 1000000) {
    return Error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.",
                 request_id);
  }

  Caller caller;
  const std::string& key_id = params["AccessKeyId"];
  for (const AccountConfig& account : config_->accounts) {
    for (const AccessKeyConfig& key : account.access_keys) {
      if (key.id == key_id) caller = {&account, nullptr, nullptr, &key};
    }
    for (const UserConfig& user : account.users) {
      for (const AccessKeyConfig& key : user.access_keys) {
        if (key.id == key_id) caller = {&account, &user, nullptr, &key};
      }
    }
  }
  if (caller.key == nullptr) {
    if (auto session = credentials_->Find(key_id)) {
      caller = {session->account, nullptr, session, &session->key};
    }
  }
  if (caller.key == nullptr) {
    return Error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.",
                 request_id);
  }

  const std::string string_to_sign = PopStringToSign(method, list);
  if (!ots::SignaturesEqual(PopSignature(caller.key->secret, string_to_sign),
                            params["Signature"])) {
    // The string to sign helps a client find its mistake; a SecurityToken in it is a secret.
    std::vector<std::pair<std::string, std::string>> shown = list;
    for (auto& [name, value] : shown) {
      if (name == "SecurityToken") value = "***";
    }
    return Error(400, "SignatureDoesNotMatch",
                 "Specified signature is not matched with our calculation. server string to "
                 "sign is:" +
                     PopStringToSign(method, shown),
                 request_id);
  }
  if (caller.session != nullptr) {
    const std::string& token = params["SecurityToken"];
    if (!ots::SignaturesEqual(token, caller.session->security_token)) {
      return Error(400, "InvalidSecurityToken.Malformed", "Specified SecurityToken is malformed.",
                   request_id);
    }
    if (now >= caller.session->expires_us) {
      return Error(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.",
                   request_id);
    }
  }
  if (!UseNonce(key_id, params["SignatureNonce"], now)) {
    return Error(400, "SignatureNonceUsed", "Specified signature nonce was used already.",
                 request_id);
  }
  return AssumeRole(params, caller, request_id);
}

StsAnswer StsService::AssumeRole(const std::map<std::string, std::string>& params,
                                 const Caller& caller, const std::string& request_id) {
  auto param = [&](const char* name) -> const std::string* {
    auto it = params.find(name);
    return it == params.end() ? nullptr : &it->second;
  };
  for (const char* name : {"RoleArn", "RoleSessionName"}) {
    if (param(name) == nullptr) {
      return Error(400, std::string("Missing") + name,
                   std::string(name) + " is mandatory for this action.", request_id);
    }
  }
  std::string account_id, role_name;
  if (!ParseRoleArn(*param("RoleArn"), &account_id, &role_name)) {
    return InvalidParameter("RoleArn", request_id);
  }
  const std::string& session_name = *param("RoleSessionName");
  if (!ValidSessionName(session_name)) return InvalidParameter("RoleSessionName", request_id);

  std::optional<PolicyDocument> session_policy;
  if (const std::string* text = param("Policy")) {
    if (text->size() > kMaxSessionPolicyBytes) {
      return Error(400, "InvalidParameter.PolicySize",
                   "The size of Policy must be smaller than 1024 bytes.", request_id);
    }
    auto parsed = ParsePolicyText(*text, PolicyKind::kPermission);
    if (!parsed.ok()) {
      // The grammar error names its place in the policy, which helps more than STS's bare text.
      return Error(
          400, "InvalidParameter.PolicyGrammar",
          "The parameter Policy has not passed grammar check: " + parsed.status().message(),
          request_id);
    }
    session_policy = std::move(parsed).value();
  }

  const AccountConfig* owner = nullptr;
  for (const AccountConfig& account : config_->accounts) {
    if (account.id == account_id) owner = &account;
  }
  const RoleConfig* role = owner == nullptr ? nullptr : owner->FindRole(role_name);
  if (role == nullptr) {
    return Error(404, "EntityNotExist.Role", "The specified Role not exists.", request_id);
  }

  const int64_t max_duration =
      std::min(config_->sts.max_duration_seconds, role->max_session_duration);
  const int64_t min_duration = std::min(config_->sts.min_duration_seconds, max_duration);
  int64_t duration = std::min<int64_t>(3600, max_duration);
  if (const std::string* text = param("DurationSeconds")) {
    const bool digits = !text->empty() && text->size() <= 6 &&
                        text->find_first_not_of("0123456789") == std::string::npos;
    duration = digits ? std::stoll(*text) : -1;
    if (duration < min_duration || duration > max_duration) {
      return Error(400, "InvalidParameter.DurationSeconds",
                   "The Min/Max value of DurationSeconds is " + std::to_string(min_duration) +
                       "s/" + std::to_string(max_duration) + "s.",
                   request_id);
    }
  }

  // The trust policy names accounts ("acs:ram::UID:root": any identity of that account) and users.
  std::vector<std::string> principals = {"acs:ram::" + caller.account->id + ":root"};
  if (caller.user != nullptr) {
    principals.push_back("acs:ram::" + caller.account->id + ":user/" + caller.user->name);
  }
  const std::string role_arn = "acs:ram::" + owner->id + ":role/" + role->name;
  bool allowed =
      EvaluateTrust(role->trust_policy, "sts:AssumeRole", principals) == PolicyDecision::kAllow;
  // A RAM user (or a role session) also needs its own permission to assume the role; the root
  // account has every permission in its account.
  if (allowed && caller.user != nullptr) {
    const auto documents = ResolvePolicies(*caller.account, caller.user->policies);
    allowed = Evaluate(documents, "sts:AssumeRole", role_arn) == PolicyDecision::kAllow;
  } else if (allowed && caller.session != nullptr) {
    const auto documents = ResolvePolicies(*caller.account, caller.session->role->policies);
    allowed = Evaluate(documents, "sts:AssumeRole", role_arn) == PolicyDecision::kAllow;
    if (allowed && caller.session->session_policy) {
      const PolicyDocument* session = &*caller.session->session_policy;
      allowed = Evaluate({&session, 1}, "sts:AssumeRole", role_arn) == PolicyDecision::kAllow;
    }
  }
  if (!allowed) {
    return Error(403, "NoPermission",
                 "You are not authorized to do this action. You should be authorized by RAM.",
                 request_id);
  }

  auto credential = std::make_shared<IssuedCredential>();
  credential->key.id = "STS." + RandomText(25, kAlnum);
  credential->key.secret = RandomText(44, kAlnum);
  credential->security_token = "CAIS" + RandomText(252, kAlnum);
  credential->expires_us = (now_us_() / 1000000 + duration) * 1000000;
  credential->account = owner;
  credential->role = role;
  credential->session_name = session_name;
  credential->session_policy = std::move(session_policy);
  credentials_->Add(credential);

  json body = {{"RequestId", request_id},
               {"AssumedRoleUser",
                {{"Arn", role_arn + "/" + session_name},
                 {"AssumedRoleId", RoleId(*owner, *role) + ":" + session_name}}},
               {"Credentials",
                {{"AccessKeyId", credential->key.id},
                 {"AccessKeySecret", credential->key.secret},
                 {"SecurityToken", credential->security_token},
                 {"Expiration", ots::FormatOtsDate(credential->expires_us, 0)}}}};
  return {200, body.dump()};
}

}  // namespace tsb::emulator
