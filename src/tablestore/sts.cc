#include "tsbridge/tablestore/sts.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>

#include "core/crypto.h"
#include "core/log.h"
#include "tablestore/endpoint.h"

namespace tsb::ots {

namespace {

std::string Uuid4() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng();
  uint64_t b = rng();
  a = (a & ~0xF000ull) | 0x4000ull;                // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFull) | (1ull << 63);  // variant 10
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFFF),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

// "2015-04-09T11:52:19Z" (fractions allowed).
std::optional<std::chrono::system_clock::time_point> ParseUtc(const std::string& text) {
  std::tm tm{};
  int year = 0;
  int month = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec) != 6) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

bool ValidSessionName(std::string_view name) {
  if (name.size() < 2 || name.size() > 32) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '@' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// STS's own message, cut before anything that could quote the request: SignatureDoesNotMatch
// echoes the string to sign, which carries the caller's SecurityToken.
std::string SafeStsMessage(std::string message) {
  for (std::string_view cut : {"server string to sign", "string to sign", "StringToSign"}) {
    size_t at = message.find(cut);
    if (at != std::string::npos) {
      message.resize(at);
      while (!message.empty() && (message.back() == ' ' || message.back() == ':')) {
        message.pop_back();
      }
      message += " (the string to sign is not shown: it holds the caller's token)";
    }
  }
  return message;
}

}  // namespace

std::string UtcTimestamp(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string PopPercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

namespace {
std::string CanonicalQuery(const std::map<std::string, std::string>& params) {
  std::string canonical;
  for (const auto& [k, v] : params) {
    if (!canonical.empty()) canonical += '&';
    canonical += PopPercentEncode(k) + "=" + PopPercentEncode(v);
  }
  return canonical;
}
}  // namespace

std::string PopStringToSign(std::string_view method,
                            const std::map<std::string, std::string>& params) {
  return std::string(method) + "&%2F&" + PopPercentEncode(CanonicalQuery(params));
}

std::string PopSignature(std::string_view secret, std::string_view string_to_sign) {
  return Base64Encode(HmacSha1(std::string(secret) + "&", string_to_sign));
}

std::string DefaultStsEndpoint(std::string_view region) {
  if (region.empty()) return "https://sts.aliyuncs.com";
  return "https://sts." + std::string(region) + ".aliyuncs.com";
}

Result<std::string> ChooseSessionName(std::string_view requested, const Environment& env) {
  std::string name(requested);
  std::string from = "the role session name";
  if (name.empty()) {
    if (auto v = env.get_env("ALIBABA_CLOUD_ROLE_SESSION_NAME"); v && !v->empty()) {
      name = *v;
      from = "ALIBABA_CLOUD_ROLE_SESSION_NAME";
    }
  }
  if (!name.empty()) {
    if (!ValidSessionName(name)) {
      return Status::InvalidArgument(from + " \"" + name +
                                     "\": expected 2 to 32 of the characters A-Z a-z 0-9 . @ _ -");
    }
    return name;
  }
  // Seen in ActionTrail, so it says which tool on which host made the call.
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  name = "tsbridge-";
  for (const char* p = host; *p != '\0'; ++p) {
    char c = *p;
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    name += ok ? c : '-';
  }
  if (name.size() > 32) name.resize(32);
  while (name.back() == '-' && name.size() > 9) name.pop_back();
  return name;
}

Result<std::unique_ptr<StsClient>> StsClient::Create(std::string endpoint,
                                                     HttpTransportOptions http) {
  auto parsed = ParseEndpoint(endpoint);
  if (!parsed.ok()) return parsed.status().WithContext("STS endpoint");
  http.max_idle_connections = 1;
  TSB_ASSIGN_OR_RETURN(auto transport, NewCurlTransport(parsed->url, http));
  return std::unique_ptr<StsClient>(new StsClient(parsed->url, std::move(transport)));
}

Result<Credentials> StsClient::AssumeRole(const Credentials& caller,
                                          const AssumeRoleRequest& request) const {
  const std::string what = "STS AssumeRole of " + request.role_arn + " at " + endpoint_ +
                           " with access key " + caller.access_key_id + " from " + caller.source;
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(500 * attempt));
    // Common parameters and the call's own all travel in the form body (signed together); a
    // fresh nonce and timestamp each attempt, as STS refuses a nonce it has seen.
    std::map<std::string, std::string> params = {
        {"AccessKeyId", caller.access_key_id},
        {"Action", "AssumeRole"},
        {"DurationSeconds", std::to_string(request.duration_seconds)},
        {"Format", "JSON"},
        {"RoleArn", request.role_arn},
        {"RoleSessionName", request.session_name},
        {"SignatureMethod", "HMAC-SHA1"},
        {"SignatureNonce", Uuid4()},
        {"SignatureVersion", "1.0"},
        {"Timestamp", UtcTimestamp(std::chrono::system_clock::now())},
        {"Version", "2015-04-01"},
    };
    if (!request.policy.empty()) params["Policy"] = request.policy;
    if (caller.has_security_token()) params["SecurityToken"] = caller.security_token;
    std::string signature = PopSignature(caller.access_key_secret, PopStringToSign("POST", params));
    std::string body = CanonicalQuery(params) + "&Signature=" + PopPercentEncode(signature);
    std::vector<HttpHeader> headers = {
        {"Content-Type", "application/x-www-form-urlencoded"},
        {"Accept", "application/json"},
    };
    HttpRequest http;
    http.path = "/";
    http.headers = &headers;
    http.body = body;
    HttpResponse response;
    Status sent = transport_->Post(http, &response);
    if (!sent.ok()) {
      last = sent;
      if (sent.code() == StatusCode::kUnavailable) continue;
      return sent.WithContext(what);
    }
    nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
    if (response.status >= 500) {
      last = Status::Unavailable(what + ": HTTP " + std::to_string(response.status));
      continue;
    }
    if (answer.is_discarded() || !answer.is_object()) {
      return Status::Corruption(what + ": HTTP " + std::to_string(response.status) +
                                " with an answer that is not STS's JSON");
    }
    if (response.status < 200 || response.status >= 300) {
      std::string code =
          answer.value("Code", std::string("HTTP ") + std::to_string(response.status));
      std::string message = SafeStsMessage(answer.value("Message", std::string()));
      std::string text = what + " refused: " + code + ": " + message;
      if (code.starts_with("InvalidParameter")) return Status::InvalidArgument(text);
      return Status::PermissionDenied(text);
    }
    const nlohmann::json* creds = answer.contains("Credentials") ? &answer["Credentials"] : nullptr;
    if (creds == nullptr || !creds->is_object() || !(*creds)["AccessKeyId"].is_string() ||
        !(*creds)["AccessKeySecret"].is_string() || !(*creds)["SecurityToken"].is_string() ||
        !(*creds)["Expiration"].is_string()) {
      return Status::Corruption(what +
                                ": the answer lacks Credentials.AccessKeyId, "
                                "AccessKeySecret, SecurityToken or Expiration");
    }
    auto expires = ParseUtc((*creds)["Expiration"].get<std::string>());
    if (!expires) {
      return Status::Corruption(what + ": Credentials.Expiration is not a UTC time");
    }
    Credentials out;
    out.access_key_id = (*creds)["AccessKeyId"].get<std::string>();
    out.access_key_secret = (*creds)["AccessKeySecret"].get<std::string>();
    out.security_token = (*creds)["SecurityToken"].get<std::string>();
    out.expiration = *expires;
    out.source =
        "role " + request.role_arn + " (assumed with the access key from " + caller.source + ")";
    return out;
  }
  return last.WithContext(what);
}

std::chrono::system_clock::time_point RenewAt(std::chrono::system_clock::time_point received,
                                              std::chrono::system_clock::time_point expires) {
  auto lifetime = expires - received;
  auto margin =
      std::min<std::chrono::system_clock::duration>(std::chrono::seconds(180), lifetime / 3);
  return expires - margin;
}

Result<std::shared_ptr<RenewingCredentials>> RenewingCredentials::Start(
    std::unique_ptr<StsClient> sts, Credentials caller, AssumeRoleRequest request) {
  TSB_ASSIGN_OR_RETURN(Credentials first, sts->AssumeRole(caller, request));
  std::shared_ptr<RenewingCredentials> out(new RenewingCredentials(
      std::move(sts), std::move(caller), std::move(request), std::move(first)));
  out->thread_ = std::thread([p = out.get()] { p->Run(); });
  return out;
}

RenewingCredentials::RenewingCredentials(std::unique_ptr<StsClient> sts, Credentials caller,
                                         AssumeRoleRequest request, Credentials first)
    : sts_(std::move(sts)),
      caller_(std::move(caller)),
      request_(std::move(request)),
      current_(std::make_shared<const Credentials>(std::move(first))),
      received_(std::chrono::system_clock::now()) {}

RenewingCredentials::~RenewingCredentials() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const Credentials> RenewingCredentials::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

int RenewingCredentials::renewals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return renewals_;
}

void RenewingCredentials::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    // The lifetime as our clock sees it: the service's Expiration, but never beyond what we
    // asked for, so a clock skew between us and STS cannot make us renew too late.
    auto received = received_;
    auto expires = current_->expiration.value_or(received);
    auto asked = received + std::chrono::seconds(request_.duration_seconds);
    if (expires > asked || expires <= received) expires = asked;
    auto due = RenewAt(received, expires);
    if (wake_.wait_until(lock, due, [this] { return stop_; })) return;
    // Until it works: a failed renewal is tried again every few seconds while the current
    // credentials still hold; requests carry on meanwhile.
    for (;;) {
      lock.unlock();
      Result<Credentials> next = sts_->AssumeRole(caller_, request_);
      lock.lock();
      if (stop_) return;
      if (next.ok()) {
        current_ = std::make_shared<const Credentials>(std::move(next).value());
        received_ = std::chrono::system_clock::now();
        ++renewals_;
        log::Debug("renewed the temporary credentials of " + request_.role_arn);
        break;
      }
      log::Warn("could not renew the temporary credentials of " + request_.role_arn + ": " +
                next.status().ToString() + " (retrying; the current ones still hold)");
      auto retry =
          std::min(std::chrono::system_clock::now() + std::chrono::seconds(5),
                   std::max(expires, std::chrono::system_clock::now() + std::chrono::seconds(1)));
      if (wake_.wait_until(lock, retry, [this] { return stop_; })) return;
    }
  }
}

}  // namespace tsb::ots
