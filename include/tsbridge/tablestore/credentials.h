// Where the client's access key comes from (decisions section 7, wire doc C.5).
//
// A CredentialsProvider is one source (the environment, a credentials file, later the aliyun
// CLI's config.json and STS AssumeRole); a CredentialsChain asks its providers in order and takes
// the first that has credentials. A provider answers in one of three ways:
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

struct Credentials {
  std::string access_key_id;
  std::string access_key_secret;  // never printed
  std::string security_token;     // STS token; empty for a long-term key; never printed
  // Where they came from, for messages: "environment", "credentials file /root/... [default]".
  std::string source;
  // Temporary (STS) credentials expire; a refreshing provider (later: AssumeRole) renews them
  // and hands the new ones to Client::SetCredentials. Unset for long-term keys.
  std::optional<std::chrono::system_clock::time_point> expiration;

  bool has_security_token() const { return !security_token.empty(); }
  // "access key id LTAI...; secret <redacted>; STS token <redacted>; from environment".
  std::string ToString() const;
};

// The process environment and home directory, as the providers see them.
struct Environment {
  std::function<std::optional<std::string>(std::string_view name)> get_env;
  std::function<std::optional<std::string>()> home_dir;
  // Reads a whole file; NotFound when it does not exist.
  std::function<Result<std::string>(const std::string& path)> read_file;

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
// named file or profile that does not exist is an error; a missing default is NotFound. Types
// other than access_key (ram_role_arn, ecs_ram_role, oidc_role_arn, rsa_key_pair) are
// NotSupported for now.
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

// What the user may choose on the command line. Empty = not given. (The auth issue adds the aliyun
// CLI config and role_arn here; both fields are already honoured by the file provider.)
struct CredentialsOptions {
  std::string credentials_file;
  std::string profile;
};

// The chain of decisions section 7 as far as it exists now: environment, then credentials file.
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
