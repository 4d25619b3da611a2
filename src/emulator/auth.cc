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

Authenticator::Authenticator(const EmulatorConfig* config, std::function<int64_t()> now_us)
    : config_(config), now_us_(std::move(now_us)) {
  if (!now_us_) now_us_ = SystemNowMicros;
  for (const AccountConfig& account : config_->accounts) {
    for (const AccessKeyConfig& key : account.access_keys) {
      keys_.emplace(key.id, KeyEntry{&key, &account});
    }
  }
}

const AccessKeyConfig* Authenticator::FindKey(std::string_view access_key_id) const {
  auto it = keys_.find(std::string(access_key_id));
  return it == keys_.end() ? nullptr : it->second.key;
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
  const KeyEntry* entry = nullptr;
  if (auto it = keys_.find(std::string(key_id)); it != keys_.end()) {
    entry = &it->second;
    identity->key = entry->key;
    identity->account = entry->account;
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

  if (entry == nullptr) return AuthFailed("The AccessKeyID does not exist.");

  const std::string expected =
      ots::Signature(entry->key->secret, ots::RequestStringToSign(path, headers));
  if (!ots::SignaturesEqual(expected, FindHeader(headers, "x-ots-signature"))) {
    return AuthFailed("Signature mismatch.");
  }

  const std::string_view instance = FindHeader(headers, "x-ots-instancename");
  if (instance.empty()) return AuthFailed("The instance is not found.");
  if (config_->instances_declared) {
    bool declared = false;
    for (const std::string& name : entry->account->instances) {
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

}  // namespace tsb::emulator
