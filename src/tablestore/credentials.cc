#include "tsbridge/tablestore/credentials.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/ascii.h"

namespace tsb::ots {

namespace {

constexpr std::string_view kEnvKeyId = "ALIBABA_CLOUD_ACCESS_KEY_ID";
constexpr std::string_view kEnvKeySecret = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
constexpr std::string_view kEnvToken = "ALIBABA_CLOUD_SECURITY_TOKEN";
constexpr std::string_view kEnvCredentialsFile = "ALIBABA_CLOUD_CREDENTIALS_FILE";
constexpr std::string_view kEnvProfile = "ALIBABA_CLOUD_PROFILE";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A non-empty variable; empty counts as unset, as in the SDKs.
std::optional<std::string> NonEmptyEnv(const Environment& env, std::string_view name) {
  auto v = env.get_env(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

}  // namespace

std::string Credentials::ToString() const {
  std::string out = "access key id " + (access_key_id.empty() ? "<none>" : access_key_id);
  out += access_key_secret.empty() ? "; no secret" : "; secret <redacted>";
  if (!security_token.empty()) out += "; STS token <redacted>";
  if (!source.empty()) out += "; from " + source;
  return out;
}

const Environment& Environment::System() {
  static const Environment kSystem{
      [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
      },
      []() -> std::optional<std::string> {
        const char* home = std::getenv("HOME");
        if (home != nullptr && *home != '\0') return std::string(home);
        struct passwd pw;
        struct passwd* result = nullptr;
        char buf[4096];
        if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &result) == 0 && result != nullptr &&
            result->pw_dir != nullptr) {
          return std::string(result->pw_dir);
        }
        return std::nullopt;
      },
      [](const std::string& path) -> Result<std::string> {
        std::FILE* f = std::fopen(path.c_str(), "rb");
        if (f == nullptr) {
          if (errno == ENOENT) return Status::NotFound(path + ": no such file");
          return Status::IOError(path + ": " + std::strerror(errno));
        }
        std::string out;
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
        bool failed = std::ferror(f) != 0;
        std::fclose(f);
        if (failed) return Status::IOError(path + ": read error");
        return out;
      },
  };
  return kSystem;
}

const std::string* IniSection::Find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<std::vector<IniSection>> ParseIni(std::string_view text) {
  std::vector<IniSection> sections;
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    line = Trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        return Status::InvalidArgument("line " + std::to_string(line_no) +
                                       ": section header without ']'");
      }
      sections.push_back(IniSection{std::string(Trim(line.substr(1, line.size() - 2))), {}});
      continue;
    }
    size_t eq = line.find('=');
    // Never quote the line: it may hold a secret.
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("line " + std::to_string(line_no) + ": expected key = value");
    }
    if (sections.empty()) {
      return Status::InvalidArgument("line " + std::to_string(line_no) +
                                     ": key before the first [section]");
    }
    std::string key = AsciiLower(Trim(line.substr(0, eq)));
    std::string_view value = Trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    sections.back().entries.emplace_back(std::move(key), std::string(value));
  }
  return sections;
}

Result<Credentials> EnvCredentialsProvider::Get() const {
  auto id = NonEmptyEnv(env_, kEnvKeyId);
  auto secret = NonEmptyEnv(env_, kEnvKeySecret);
  if (!id && !secret) return Status::NotFound("ALIBABA_CLOUD_ACCESS_KEY_ID is not set");
  if (!id || !secret) {
    return Status::InvalidArgument(
        std::string(id ? kEnvKeyId : kEnvKeySecret) + " is set but " +
        std::string(id ? kEnvKeySecret : kEnvKeyId) + " is not; set both or neither");
  }
  Credentials c;
  c.access_key_id = std::move(*id);
  c.access_key_secret = std::move(*secret);
  if (auto token = NonEmptyEnv(env_, kEnvToken)) c.security_token = std::move(*token);
  c.source = "environment";
  return c;
}

Result<Credentials> IniFileCredentialsProvider::Get() const {
  // Which file: an explicit one must exist; the default locations are tried in order.
  std::vector<std::string> candidates;
  bool explicit_file = true;
  if (!path_.empty()) {
    candidates.push_back(path_);
  } else if (auto p = NonEmptyEnv(env_, kEnvCredentialsFile)) {
    candidates.push_back(*p);
  } else {
    explicit_file = false;
    auto home = env_.home_dir();
    if (!home) return Status::NotFound("no home directory for ~/.alibabacloud/credentials");
    candidates.push_back(*home + "/.alibabacloud/credentials");
    candidates.push_back(*home + "/.alibabacloud/credentials.ini");
  }
  std::string path;
  std::string text;
  for (const std::string& candidate : candidates) {
    Result<std::string> content = env_.read_file(candidate);
    if (content.ok()) {
      path = candidate;
      text = std::move(content).value();
      break;
    }
    if (content.status().code() != StatusCode::kNotFound) {
      return content.status().WithContext("credentials file");
    }
    // A file the user named must exist; the chain must not fall through to another identity.
    if (explicit_file) {
      return Status::InvalidArgument("credentials file " + candidate + " does not exist");
    }
  }
  if (path.empty()) {
    return Status::NotFound("no credentials file at " + candidates.front() + " or " +
                            candidates.back());
  }

  bool explicit_profile = true;
  std::string profile = profile_;
  if (profile.empty()) {
    if (auto p = NonEmptyEnv(env_, kEnvProfile)) {
      profile = *p;
    } else {
      profile = "default";
      explicit_profile = false;
    }
  }
  const std::string where = "credentials file " + path + " [" + profile + "]";

  auto sections = ParseIni(text);
  if (!sections.ok()) return sections.status().WithContext("credentials file " + path);
  const IniSection* section = nullptr;
  for (const IniSection& s : *sections) {
    if (s.name == profile) section = &s;
  }
  if (section == nullptr) {
    std::string msg = "credentials file " + path + " has no profile [" + profile + "]";
    if (explicit_profile) return Status::InvalidArgument(msg);
    return Status::NotFound(msg);
  }
  const std::string* type = section->Find("type");
  std::string type_name = type ? AsciiLower(*type) : "access_key";
  if (type_name != "access_key") {
    return Status::NotSupported(where + ": credential type \"" + type_name +
                                "\" is not supported yet (only access_key)");
  }
  const std::string* id = section->Find("access_key_id");
  const std::string* secret = section->Find("access_key_secret");
  if (id == nullptr || id->empty() || secret == nullptr || secret->empty()) {
    return Status::InvalidArgument(where + ": type access_key needs access_key_id and "
                                   "access_key_secret");
  }
  Credentials c;
  c.access_key_id = *id;
  c.access_key_secret = *secret;
  c.source = where;
  return c;
}

Result<Credentials> CredentialsChain::Get() const {
  std::string looked;
  for (const auto& provider : providers_) {
    Result<Credentials> c = provider->Get();
    if (c.ok()) return c;
    if (c.status().code() != StatusCode::kNotFound) {
      return c.status().WithContext(provider->name());
    }
    if (!looked.empty()) looked += "; ";
    looked += provider->name() + ": " + c.status().message();
  }
  return Status::InvalidArgument(
      "no Tablestore credentials found (set ALIBABA_CLOUD_ACCESS_KEY_ID and "
      "ALIBABA_CLOUD_ACCESS_KEY_SECRET, or write ~/.alibabacloud/credentials); looked at: " +
      looked);
}

std::unique_ptr<CredentialsProvider> DefaultCredentialsChain(const CredentialsOptions& options,
                                                            const Environment& env) {
  std::vector<std::unique_ptr<CredentialsProvider>> providers;
  // An explicit file or profile is the user's choice and beats the environment (wire doc C.5,
  // the SDKs' order with --profile first).
  if (!options.credentials_file.empty() || !options.profile.empty()) {
    providers.push_back(std::make_unique<IniFileCredentialsProvider>(
        env, options.credentials_file, options.profile));
    return std::make_unique<CredentialsChain>(std::move(providers));
  }
  providers.push_back(std::make_unique<EnvCredentialsProvider>(env));
  providers.push_back(std::make_unique<IniFileCredentialsProvider>(env));
  return std::make_unique<CredentialsChain>(std::move(providers));
}

}  // namespace tsb::ots
