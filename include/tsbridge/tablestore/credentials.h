// Where the client's access key comes from (decisions section 7, wire doc C.5).
//
// A CredentialsProvider is one source (the environment, the aliyun CLI's config.json, a credentials
// file); a CredentialsChain asks its providers in order and takes the first that has credentials.
// A provider answers in one of three ways:
//   - credentials: the chain stops there;
//   - NotFound: "not configured here" (no variable set, no file), the chain asks the next one;
//   - any other error: the source is configured but wrong (half a key pair, a profile type we
//     cannot use yet); the chain stops with it, because silently falling through to another
//     source would run the job as someone the user did not mean.
//
// Secrets (the access key secret, the STS token) never leave a Credentials object in text: its
// ToString() redacts them and no error message here contains them.
//
// Providers read the process environment and the file system through an injectable Environment
// so that tests need neither setenv nor a real home directory. Thread-safe: providers keep no
// mutable state.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/status.h"

namespace tsb::ots {

// A role to assume with the credentials that name it: a `ram_role_arn` profile of the credentials
// file, a `RamRoleArn` profile of the aliyun CLI. Empty fields take the defaults of sts.h.
struct RoleToAssume {
  std::string role_arn;
  std::string session_name;
  std::string policy;  // optional session policy (JSON)
  std::string region;  // the profile's region_id: picks the STS endpoint
  int64_t duration_seconds = 0;
};

struct Credentials {
  std::string access_key_id;
  std::string access_key_secret;  // never printed
  std::string security_token;     // STS token; empty for a long-term key; never printed
  // Where they came from, for messages: "environment", "credentials file /root/... [default]".
  std::string source;
  // Temporary (STS) credentials expire; a refreshing provider (later: AssumeRole) renews them
  // and hands the new ones to Client::SetCredentials. Unset for long-term keys.
  std::optional<std::chrono::system_clock::time_point> expiration;
  // Set by a role profile: these are the caller's credentials, and the job runs as the role.
  std::optional<RoleToAssume> assume_role;
  // Things the user should fix but that do not stop the job (a credentials file that others can
  // read); the caller logs them. Never hold a secret.
  std::vector<std::string> warnings;

  bool has_security_token() const { return !security_token.empty(); }
  // "access key id LTAI...; secret <redacted>; STS token <redacted>; from environment".
  std::string ToString() const;
};

// Where a Client takes each request's credentials from when they change over its life (STS
// credentials renewed in the background, sts.h). Thread-safe; a request keeps the object it got.
class CredentialsSource {
 public:
  virtual ~CredentialsSource() = default;
  virtual std::shared_ptr<const Credentials> Current() const = 0;
};

// The process environment and home directory, as the providers see them.
struct Environment {
  std::function<std::optional<std::string>(std::string_view name)> get_env;
  std::function<std::optional<std::string>()> home_dir;
  // Reads a whole file; NotFound when it does not exist.
  std::function<Result<std::string>(const std::string& path)> read_file;
  // The permission bits of a file (st_mode & 0777), nullopt when unknown; unset = never checked.
  std::function<std::optional<unsigned>(const std::string& path)> file_mode;

  // The real environment ($HOME, else the passwd entry) and file system.
  static const Environment& System();
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Credentials, NotFound when this source is not configured, or another error (see above).
  virtual Result<Credentials> Get() const = 0;
  virtual std::string name() const = 0;
};

// ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, optional
// ALIBABA_CLOUD_SECURITY_TOKEN. Only one of the pair set is an InvalidArgument error.
class EnvCredentialsProvider : public CredentialsProvider {
 public:
  explicit EnvCredentialsProvider(const Environment& env = Environment::System()) : env_(env) {}
  Result<Credentials> Get() const override;
  std::string name() const override { return "environment"; }

 private:
  const Environment& env_;
};

// The INI credentials file of the Alibaba Cloud SDKs:
//   [default]
//   type = access_key
//   access_key_id = ...
//   access_key_secret = ...
// File: `path` if given (later --credentials-file), else ALIBABA_CLOUD_CREDENTIALS_FILE (which must
// exist), else ~/.alibabacloud/credentials, else ~/.alibabacloud/credentials.ini. Section:
// `profile` if given (later --profile), else ALIBABA_CLOUD_PROFILE, else "default". An explicitly
// named file or profile that does not exist is an error; a missing default is NotFound. Types:
// access_key, and ram_role_arn (access_key_id, access_key_secret, role_arn, optional
// role_session_name, policy, region_id, duration_seconds: Credentials::assume_role is set).
// ecs_ram_role, oidc_role_arn and rsa_key_pair are NotSupported, never a metadata request.
class IniFileCredentialsProvider : public CredentialsProvider {
 public:
  explicit IniFileCredentialsProvider(const Environment& env = Environment::System(),
                                      std::string path = "", std::string profile = "")
      : env_(env), path_(std::move(path)), profile_(std::move(profile)) {}
  Result<Credentials> Get() const override;
  std::string name() const override { return "credentials file"; }

 private:
  const Environment& env_;
  std::string path_;
  std::string profile_;
};

// The aliyun CLI's config (wire doc C.5): ALIBABA_CLOUD_CONFIG_FILE (as the Go SDK), else
// ~/.aliyun/config.json; `{"current": NAME, "profiles": [{"name", "mode", ...}]}`. The profile is
// `profile` if given (--profile), else ALIBABA_CLOUD_PROFILE, else `current`. Modes: AK
// (access_key_id, access_key_secret), StsToken (+ sts_token), RamRoleArn (+ ram_role_arn,
// ram_session_name, expired_seconds, region_id: assume_role is set); EcsRamRole, OIDC and the
// others are NotSupported. ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true skips the file (NotFound). A
// missing file, or a missing default profile, is NotFound; a named profile that is missing is an
// error.
class CliConfigCredentialsProvider : public CredentialsProvider {
 public:
  explicit CliConfigCredentialsProvider(const Environment& env = Environment::System(),
                                        std::string path = "", std::string profile = "")
      : env_(env), path_(std::move(path)), profile_(std::move(profile)) {}
  Result<Credentials> Get() const override;
  std::string name() const override { return "aliyun CLI config"; }

 private:
  const Environment& env_;
  std::string path_;
  std::string profile_;
};

// Sources the SDKs try and tsbridge does not: OIDC (ALIBABA_CLOUD_ROLE_ARN,
// ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE all set; after the
// environment) and the ECS instance role (ALIBABA_CLOUD_ECS_METADATA set; last). When configured:
// NotSupported, saying so, rather than a silent fall-through to another identity; tsbridge never
// contacts an instance metadata address.
class UnsupportedSourceProvider : public CredentialsProvider {
 public:
  enum class Kind { kOidc, kEcsRole };
  UnsupportedSourceProvider(Kind kind, const Environment& env = Environment::System())
      : kind_(kind), env_(env) {}
  Result<Credentials> Get() const override;
  std::string name() const override { return kind_ == Kind::kOidc ? "OIDC" : "ECS instance role"; }

 private:
  Kind kind_;
  const Environment& env_;
};

// Static credentials given by the program (tests, the later `auth assume-role` result).
class StaticCredentialsProvider : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials credentials)
      : credentials_(std::move(credentials)) {}
  Result<Credentials> Get() const override { return credentials_; }
  std::string name() const override { return "static"; }

 private:
  Credentials credentials_;
};

class CredentialsChain : public CredentialsProvider {
 public:
  explicit CredentialsChain(std::vector<std::unique_ptr<CredentialsProvider>> providers)
      : providers_(std::move(providers)) {}
  // The first provider's credentials; when none has any, InvalidArgument listing where we looked.
  Result<Credentials> Get() const override;
  std::string name() const override { return "credentials chain"; }

 private:
  std::vector<std::unique_ptr<CredentialsProvider>> providers_;
};

// What the user may choose on the command line. Empty = not given.
struct CredentialsOptions {
  std::string credentials_file;  // --credentials-file: an INI credentials file or an aliyun config
  std::string profile;           // --profile
};

// The chain of decisions section 7. With --credentials-file: that file only (the aliyun CLI's JSON
// when it starts with '{', else INI), with --profile or the default profile. With --profile alone:
// the aliyun CLI config, then the credentials file, whichever has that profile. Otherwise the
// environment; OIDC (not supported); the aliyun CLI config; the credentials file; the ECS
// instance role (not supported).
std::unique_ptr<CredentialsProvider> DefaultCredentialsChain(
    const CredentialsOptions& options = {}, const Environment& env = Environment::System());

// Parses INI text into (section -> key -> value); exposed for tests. Keys are lower-cased and
// trimmed; values trimmed and unquoted; '#' and ';' start comment lines.
struct IniSection {
  std::string name;
  std::vector<std::pair<std::string, std::string>> entries;
  const std::string* Find(std::string_view key) const;
};
Result<std::vector<IniSection>> ParseIni(std::string_view text);

}  // namespace tsb::ots
