#include "tsbridge/tablestore/credentials.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/ascii.h"

namespace tsb::ots {

namespace {

constexpr std::string_view kEnvKeyId = "ALIBABA_CLOUD_ACCESS_KEY_ID";
constexpr std::string_view kEnvKeySecret = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
constexpr std::string_view kEnvToken = "ALIBABA_CLOUD_SECURITY_TOKEN";
constexpr std::string_view kEnvCredentialsFile = "ALIBABA_CLOUD_CREDENTIALS_FILE";
constexpr std::string_view kEnvProfile = "ALIBABA_CLOUD_PROFILE";
constexpr std::string_view kEnvConfigFile = "ALIBABA_CLOUD_CONFIG_FILE";
constexpr std::string_view kEnvCliProfileDisabled = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";

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

// A file holding a secret that other users can read is the leak the user would want to hear
// about; the job still runs (the SDKs do not check at all).
void WarnIfShared(const Environment& env, const std::string& path, Credentials* c) {
  if (!env.file_mode) return;
  std::optional<unsigned> mode = env.file_mode(path);
  if (!mode || (*mode & 077) == 0) return;
  char octal[8];
  std::snprintf(octal, sizeof(octal), "%04o", *mode & 0777);
  c->warnings.push_back(path + " holds a secret and other users can read or change it (mode " +
                        octal + "); run chmod 600 " + path);
}

int64_t ParseSeconds(std::string_view text) {
  int64_t v = 0;
  if (text.empty() || text.size() > 9) return -1;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return -1;
    v = v * 10 + (ch - '0');
  }
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
      [](const std::string& path) -> std::optional<unsigned> {
        struct stat st;
        if (::stat(path.c_str(), &st) != 0) return std::nullopt;
        return static_cast<unsigned>(st.st_mode & 0777);
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
    return Status::InvalidArgument(std::string(id ? kEnvKeyId : kEnvKeySecret) + " is set but " +
                                   std::string(id ? kEnvKeySecret : kEnvKeyId) +
                                   " is not; set both or neither");
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
  if (type_name != "access_key" && type_name != "ram_role_arn") {
    return Status::NotSupported(where + ": credential type \"" + type_name +
                                "\" is not supported (tsbridge reads access_key and ram_role_arn, "
                                "and never asks an instance metadata service or an OIDC provider)");
  }
  const std::string* id = section->Find("access_key_id");
  const std::string* secret = section->Find("access_key_secret");
  if (id == nullptr || id->empty() || secret == nullptr || secret->empty()) {
    return Status::InvalidArgument(where + ": type " + type_name +
                                   " needs access_key_id and access_key_secret");
  }
  Credentials c;
  c.access_key_id = *id;
  c.access_key_secret = *secret;
  c.source = where;
  if (type_name == "ram_role_arn") {
    const std::string* arn = section->Find("role_arn");
    if (arn == nullptr || arn->empty()) {
      return Status::InvalidArgument(where + ": type ram_role_arn needs role_arn");
    }
    RoleToAssume role;
    role.role_arn = *arn;
    if (const std::string* v = section->Find("role_session_name")) role.session_name = *v;
    if (const std::string* v = section->Find("policy")) role.policy = *v;
    if (const std::string* v = section->Find("region_id")) role.region = *v;
    if (const std::string* v = section->Find("duration_seconds")) {
      role.duration_seconds = ParseSeconds(*v);
      if (role.duration_seconds <= 0) {
        return Status::InvalidArgument(where + ": duration_seconds: expected a number of seconds");
      }
    }
    c.assume_role = std::move(role);
  }
  WarnIfShared(env_, path, &c);
  return c;
}

Result<Credentials> CliConfigCredentialsProvider::Get() const {
  std::string path = path_;
  bool explicit_file = !path.empty();
  if (path.empty()) {
    if (auto v = NonEmptyEnv(env_, kEnvCliProfileDisabled); v && AsciiLower(*v) == "true") {
      return Status::NotFound(std::string(kEnvCliProfileDisabled) + "=true");
    }
    if (auto p = NonEmptyEnv(env_, kEnvConfigFile)) {
      path = *p;
      explicit_file = true;
    } else {
      auto home = env_.home_dir();
      if (!home) return Status::NotFound("no home directory for ~/.aliyun/config.json");
      path = *home + "/.aliyun/config.json";
    }
  }
  Result<std::string> text = env_.read_file(path);
  if (!text.ok()) {
    if (text.status().code() != StatusCode::kNotFound) {
      return text.status().WithContext("aliyun CLI config");
    }
    if (explicit_file) {
      return Status::InvalidArgument("aliyun CLI config " + path + " does not exist");
    }
    return Status::NotFound("no aliyun CLI config at " + path);
  }
  // Parse errors name the position only: the text holds secrets.
  nlohmann::json config = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded() || !config.is_object()) {
    return Status::InvalidArgument("aliyun CLI config " + path + ": not a JSON object");
  }
  std::string profile = profile_;
  bool explicit_profile = !profile.empty();
  if (profile.empty()) {
    if (auto p = NonEmptyEnv(env_, kEnvProfile)) {
      profile = *p;
      explicit_profile = true;
    } else if (config.contains("current") && config["current"].is_string()) {
      profile = config["current"].get<std::string>();
    }
  }
  if (profile.empty()) profile = "default";
  const nlohmann::json* found = nullptr;
  if (config.contains("profiles") && config["profiles"].is_array()) {
    for (const auto& p : config["profiles"]) {
      if (p.is_object() && p.contains("name") && p["name"].is_string() &&
          p["name"].get<std::string>() == profile) {
        found = &p;
      }
    }
  }
  if (found == nullptr) {
    std::string msg = "aliyun CLI config " + path + " has no profile \"" + profile + "\"";
    if (explicit_profile) return Status::InvalidArgument(msg);
    return Status::NotFound(msg);
  }
  const std::string where = "aliyun CLI config " + path + " [" + profile + "]";
  auto field = [&](const char* key) -> std::string {
    auto it = found->find(key);
    if (it == found->end()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
    return {};
  };
  std::string mode = field("mode");
  if (mode.empty()) mode = "AK";
  if (mode != "AK" && mode != "StsToken" && mode != "RamRoleArn") {
    return Status::NotSupported(where + ": mode " + mode +
                                " is not supported (tsbridge reads AK, StsToken and RamRoleArn, "
                                "and never asks an instance metadata service or an OIDC provider)");
  }
  Credentials c;
  c.access_key_id = field("access_key_id");
  c.access_key_secret = field("access_key_secret");
  if (c.access_key_id.empty() || c.access_key_secret.empty()) {
    return Status::InvalidArgument(where + ": mode " + mode +
                                   " needs access_key_id and access_key_secret");
  }
  c.source = where;
  if (mode == "StsToken") {
    c.security_token = field("sts_token");
    if (c.security_token.empty()) {
      return Status::InvalidArgument(where + ": mode StsToken needs sts_token");
    }
  }
  if (mode == "RamRoleArn") {
    RoleToAssume role;
    role.role_arn = field("ram_role_arn");
    if (role.role_arn.empty()) {
      return Status::InvalidArgument(where + ": mode RamRoleArn needs ram_role_arn");
    }
    role.session_name = field("ram_session_name");
    role.region = field("region_id");
    std::string seconds = field("expired_seconds");
    if (!seconds.empty() && seconds != "0") {
      role.duration_seconds = ParseSeconds(seconds);
      if (role.duration_seconds <= 0) {
        return Status::InvalidArgument(where + ": expired_seconds: expected a number of seconds");
      }
    }
    c.assume_role = std::move(role);
  }
  WarnIfShared(env_, path, &c);
  return c;
}

Result<Credentials> UnsupportedSourceProvider::Get() const {
  if (kind_ == Kind::kOidc) {
    if (NonEmptyEnv(env_, "ALIBABA_CLOUD_ROLE_ARN") &&
        NonEmptyEnv(env_, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN") &&
        NonEmptyEnv(env_, "ALIBABA_CLOUD_OIDC_TOKEN_FILE")) {
      return Status::NotSupported(
          "ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and "
          "ALIBABA_CLOUD_OIDC_TOKEN_FILE ask for OIDC (AssumeRoleWithOIDC), which tsbridge does "
          "not support; give an access key and put the role in the spec's role_arn instead");
    }
    return Status::NotFound("OIDC variables are not set");
  }
  if (auto role = NonEmptyEnv(env_, "ALIBABA_CLOUD_ECS_METADATA")) {
    return Status::NotSupported(
        "ALIBABA_CLOUD_ECS_METADATA asks for the ECS instance role \"" + *role +
        "\", which tsbridge does not support (it never contacts the instance metadata "
        "service); give an access key and put the role in the spec's role_arn instead");
  }
  return Status::NotFound("ALIBABA_CLOUD_ECS_METADATA is not set");
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
      "ALIBABA_CLOUD_ACCESS_KEY_SECRET, or write ~/.aliyun/config.json or "
      "~/.alibabacloud/credentials); looked at: " +
      looked);
}

namespace {

// --profile NAME alone: the aliyun CLI config's profile NAME, else the credentials file's section
// [NAME]; one of them must have it.
class ProfileProvider : public CredentialsProvider {
 public:
  ProfileProvider(const Environment& env, std::string profile)
      : env_(env), profile_(std::move(profile)) {}
  Result<Credentials> Get() const override {
    // Missing here (no file, no such profile) sends us to the next file; a broken profile stops.
    auto missing = [](const Status& s) {
      return s.code() == StatusCode::kNotFound ||
             s.message().find("has no profile") != std::string::npos;
    };
    Result<Credentials> cli = CliConfigCredentialsProvider(env_, "", profile_).Get();
    if (cli.ok() || !missing(cli.status())) return cli;
    Result<Credentials> ini = IniFileCredentialsProvider(env_, "", profile_).Get();
    if (ini.ok() || !missing(ini.status())) return ini;
    return Status::InvalidArgument("--profile " + profile_ + ": no such profile: " +
                                   cli.status().message() + "; " + ini.status().message());
  }
  std::string name() const override { return "profile " + profile_; }

 private:
  const Environment& env_;
  std::string profile_;
};

}  // namespace

std::unique_ptr<CredentialsProvider> DefaultCredentialsChain(const CredentialsOptions& options,
                                                             const Environment& env) {
  std::vector<std::unique_ptr<CredentialsProvider>> providers;
  // An explicit file or profile is the user's choice and beats the environment (wire doc C.5,
  // the SDKs' order with --profile first); nothing else is tried after it.
  if (!options.credentials_file.empty()) {
    auto text = env.read_file(options.credentials_file);
    size_t first = text.ok() ? text->find_first_not_of(" \t\r\n") : std::string::npos;
    if (text.ok() && first != std::string::npos && (*text)[first] == '{') {
      providers.push_back(std::make_unique<CliConfigCredentialsProvider>(
          env, options.credentials_file, options.profile));
    } else {
      providers.push_back(std::make_unique<IniFileCredentialsProvider>(
          env, options.credentials_file, options.profile));
    }
    return std::make_unique<CredentialsChain>(std::move(providers));
  }
  if (!options.profile.empty()) {
    providers.push_back(std::make_unique<ProfileProvider>(env, options.profile));
    return std::make_unique<CredentialsChain>(std::move(providers));
  }
  providers.push_back(std::make_unique<EnvCredentialsProvider>(env));
  providers.push_back(
      std::make_unique<UnsupportedSourceProvider>(UnsupportedSourceProvider::Kind::kOidc, env));
  providers.push_back(std::make_unique<CliConfigCredentialsProvider>(env));
  providers.push_back(std::make_unique<IniFileCredentialsProvider>(env));
  providers.push_back(
      std::make_unique<UnsupportedSourceProvider>(UnsupportedSourceProvider::Kind::kEcsRole, env));
  return std::make_unique<CredentialsChain>(std::move(providers));
}

}  // namespace tsb::ots
