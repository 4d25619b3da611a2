#include <doctest/doctest.h>

#include <map>

#include "tsbridge/tablestore/credentials.h"

using namespace tsb;
using namespace tsb::ots;

namespace {

// An environment and file system in memory.
struct FakeSystem {
  std::map<std::string, std::string> vars;
  std::map<std::string, std::string> files;
  std::optional<std::string> home = "/home/u";
  Environment env;

  FakeSystem() {
    env.get_env = [this](std::string_view name) -> std::optional<std::string> {
      auto it = vars.find(std::string(name));
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    env.home_dir = [this]() { return home; };
    env.read_file = [this](const std::string& path) -> Result<std::string> {
      auto it = files.find(path);
      if (it == files.end()) return Status::NotFound(path + ": no such file");
      return it->second;
    };
  }
};

constexpr char kSecret[] = "s3cr3tValueNeverPrinted";

}  // namespace

TEST_CASE("the environment gives a key pair and an optional STS token") {
  FakeSystem sys;
  sys.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "LTAIenv";
  sys.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = kSecret;
  auto chain = DefaultCredentialsChain({}, sys.env);
  auto c = chain->Get();
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "LTAIenv");
  CHECK(c->access_key_secret == kSecret);
  CHECK_FALSE(c->has_security_token());
  CHECK(c->source == "environment");

  sys.vars["ALIBABA_CLOUD_SECURITY_TOKEN"] = "tokenValueSecret";
  c = chain->Get();
  REQUIRE(c.ok());
  CHECK(c->security_token == "tokenValueSecret");
  std::string text = c->ToString();
  CHECK(text.find("LTAIenv") != std::string::npos);
  CHECK(text.find(kSecret) == std::string::npos);
  CHECK(text.find("tokenValueSecret") == std::string::npos);
  CHECK(text.find("<redacted>") != std::string::npos);
}

TEST_CASE("half a key pair in the environment is an error, not a fall-through") {
  FakeSystem sys;
  sys.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = kSecret;
  sys.files["/home/u/.alibabacloud/credentials"] =
      "[default]\ntype = access_key\naccess_key_id = LTAIfile\naccess_key_secret = x\n";
  auto c = DefaultCredentialsChain({}, sys.env)->Get();
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == StatusCode::kInvalidArgument);
  CHECK(c.status().message().find("ALIBABA_CLOUD_ACCESS_KEY_ID") != std::string::npos);
  CHECK(c.status().message().find(kSecret) == std::string::npos);
}

TEST_CASE("the credentials file: default paths, profiles and types") {
  FakeSystem sys;
  const std::string ini =
      "# comment\n"
      "[default]\n"
      "type = access_key\n"
      "access_key_id = LTAIdefault\n"
      "access_key_secret = " + std::string(kSecret) + "\n"
      "\n"
      "[prod]\n"
      "type=access_key\n"
      "access_key_id=\"LTAIprod\"\n"
      "access_key_secret='p'\n"
      "[role]\n"
      "type = ram_role_arn\n"
      "access_key_id = a\naccess_key_secret = b\nrole_arn = acs:ram::1:role/r\n";

  SUBCASE("credentials.ini is the fallback of credentials") {
    sys.files["/home/u/.alibabacloud/credentials.ini"] = ini;
    auto c = DefaultCredentialsChain({}, sys.env)->Get();
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "LTAIdefault");
    CHECK(c->access_key_secret == kSecret);
    CHECK(c->source == "credentials file /home/u/.alibabacloud/credentials.ini [default]");
  }
  SUBCASE("credentials wins over credentials.ini") {
    sys.files["/home/u/.alibabacloud/credentials"] =
        "[default]\naccess_key_id = first\naccess_key_secret = y\n";
    sys.files["/home/u/.alibabacloud/credentials.ini"] = ini;
    auto c = DefaultCredentialsChain({}, sys.env)->Get();
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "first");  // no type means access_key
  }
  SUBCASE("the environment wins over the file") {
    sys.files["/home/u/.alibabacloud/credentials"] = ini;
    sys.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "LTAIenv";
    sys.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "e";
    CHECK(DefaultCredentialsChain({}, sys.env)->Get()->access_key_id == "LTAIenv");
  }
  SUBCASE("ALIBABA_CLOUD_CREDENTIALS_FILE and ALIBABA_CLOUD_PROFILE") {
    sys.files["/etc/creds"] = ini;
    sys.vars["ALIBABA_CLOUD_CREDENTIALS_FILE"] = "/etc/creds";
    sys.vars["ALIBABA_CLOUD_PROFILE"] = "prod";
    auto c = DefaultCredentialsChain({}, sys.env)->Get();
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "LTAIprod");
    CHECK(c->access_key_secret == "p");
    CHECK(c->source == "credentials file /etc/creds [prod]");

    sys.vars["ALIBABA_CLOUD_PROFILE"] = "missing";
    auto m = DefaultCredentialsChain({}, sys.env)->Get();
    REQUIRE_FALSE(m.ok());
    CHECK(m.status().message().find("no profile [missing]") != std::string::npos);

    sys.vars["ALIBABA_CLOUD_CREDENTIALS_FILE"] = "/nope";
    auto n = DefaultCredentialsChain({}, sys.env)->Get();
    REQUIRE_FALSE(n.ok());
    CHECK(n.status().code() == StatusCode::kInvalidArgument);
    CHECK(n.status().message().find("/nope does not exist") != std::string::npos);
  }
  SUBCASE("a ram_role_arn profile is the caller of its role") {
    sys.files["/home/u/.alibabacloud/credentials"] = ini;
    CredentialsOptions opts;
    opts.profile = "role";
    auto c = DefaultCredentialsChain(opts, sys.env)->Get();
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "a");
    REQUIRE(c->assume_role.has_value());
    CHECK(c->assume_role->role_arn == "acs:ram::1:role/r");
  }
  SUBCASE("an explicit --credentials-file beats the environment") {
    sys.files["/tmp/c.ini"] = ini;
    sys.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "LTAIenv";
    sys.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "e";
    CredentialsOptions opts;
    opts.credentials_file = "/tmp/c.ini";
    CHECK(DefaultCredentialsChain(opts, sys.env)->Get()->access_key_id == "LTAIdefault");
  }
}

TEST_CASE("no credentials anywhere names where we looked") {
  FakeSystem sys;
  auto c = DefaultCredentialsChain({}, sys.env)->Get();
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == StatusCode::kInvalidArgument);
  CHECK(c.status().message().find("no Tablestore credentials found") != std::string::npos);
  CHECK(c.status().message().find(".alibabacloud/credentials") != std::string::npos);
}

TEST_CASE("a malformed file is refused without quoting its lines") {
  FakeSystem sys;
  sys.files["/home/u/.alibabacloud/credentials"] =
      "[default]\naccess_key_id = a\n" + std::string(kSecret) + "\n";
  auto c = DefaultCredentialsChain({}, sys.env)->Get();
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("line 3") != std::string::npos);
  CHECK(c.status().message().find(kSecret) == std::string::npos);

  auto sections = ParseIni("[a]\nK = v ; not a comment\n[b]\n");
  REQUIRE(sections.ok());
  REQUIRE(sections->size() == 2);
  CHECK(*(*sections)[0].Find("k") == "v ; not a comment");
}

TEST_CASE("the aliyun CLI config: modes AK, StsToken and RamRoleArn") {
  FakeSystem sys;
  const std::string config = R"({
    "current": "ak",
    "profiles": [
      {"name": "ak", "mode": "AK", "access_key_id": "LTAIcli", "access_key_secret": ")" +
                             std::string(kSecret) + R"("},
      {"name": "sts", "mode": "StsToken", "access_key_id": "STS.cli", "access_key_secret": "s",
       "sts_token": "tok"},
      {"name": "role", "mode": "RamRoleArn", "access_key_id": "LTAIcaller",
       "access_key_secret": "c", "ram_role_arn": "acs:ram::123:role/reader",
       "ram_session_name": "cron", "expired_seconds": 1800, "region_id": "cn-shanghai"},
      {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "r"}
    ]})";
  sys.files["/home/u/.aliyun/config.json"] = config;

  SUBCASE("the current profile") {
    auto c = DefaultCredentialsChain({}, sys.env)->Get();
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "LTAIcli");
    CHECK(c->access_key_secret == kSecret);
    CHECK(c->source == "aliyun CLI config /home/u/.aliyun/config.json [ak]");
    CHECK_FALSE(c->assume_role.has_value());
  }
  SUBCASE("StsToken carries the token") {
    sys.vars["ALIBABA_CLOUD_PROFILE"] = "sts";
    auto c = DefaultCredentialsChain({}, sys.env)->Get();
    REQUIRE(c.ok());
    CHECK(c->security_token == "tok");
  }
  SUBCASE("RamRoleArn names the role to assume") {
    CredentialsOptions opts;
    opts.profile = "role";
    auto c = DefaultCredentialsChain(opts, sys.env)->Get();
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "LTAIcaller");
    REQUIRE(c->assume_role.has_value());
    CHECK(c->assume_role->role_arn == "acs:ram::123:role/reader");
    CHECK(c->assume_role->session_name == "cron");
    CHECK(c->assume_role->duration_seconds == 1800);
    CHECK(c->assume_role->region == "cn-shanghai");
  }
  SUBCASE("an ECS role is not supported, and says why") {
    CredentialsOptions opts;
    opts.profile = "ecs";
    auto c = DefaultCredentialsChain(opts, sys.env)->Get();
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == StatusCode::kNotSupported);
    CHECK(c.status().message().find("EcsRamRole is not supported") != std::string::npos);
    CHECK(c.status().message().find("metadata") != std::string::npos);
  }
  SUBCASE("ALIBABA_CLOUD_CONFIG_FILE moves it; the CLI profile can be disabled") {
    sys.files.erase("/home/u/.aliyun/config.json");
    sys.files["/etc/aliyun.json"] = config;
    sys.vars["ALIBABA_CLOUD_CONFIG_FILE"] = "/etc/aliyun.json";
    auto c = DefaultCredentialsChain({}, sys.env)->Get();
    REQUIRE(c.ok());
    CHECK(c->source == "aliyun CLI config /etc/aliyun.json [ak]");
    sys.vars["ALIBABA_CLOUD_CLI_PROFILE_DISABLED"] = "true";
    auto d = DefaultCredentialsChain({}, sys.env)->Get();
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().message().find("no Tablestore credentials found") != std::string::npos);
  }
  SUBCASE("precedence: environment, then the CLI config, then the credentials file") {
    sys.files["/home/u/.alibabacloud/credentials"] =
        "[default]\naccess_key_id = LTAIini\naccess_key_secret = i\n";
    CHECK(DefaultCredentialsChain({}, sys.env)->Get()->access_key_id == "LTAIcli");
    sys.vars["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "LTAIenv";
    sys.vars["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "e";
    CHECK(DefaultCredentialsChain({}, sys.env)->Get()->access_key_id == "LTAIenv");
    sys.vars.clear();
    sys.files.erase("/home/u/.aliyun/config.json");
    CHECK(DefaultCredentialsChain({}, sys.env)->Get()->access_key_id == "LTAIini");
  }
  SUBCASE("--credentials-file may name an aliyun CLI config") {
    sys.files["/tmp/cli.json"] = config;
    CredentialsOptions opts;
    opts.credentials_file = "/tmp/cli.json";
    opts.profile = "sts";
    auto c = DefaultCredentialsChain(opts, sys.env)->Get();
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "STS.cli");
  }
  SUBCASE("--profile falls through to the credentials file's section") {
    sys.files["/home/u/.alibabacloud/credentials"] =
        "[nightly]\naccess_key_id = LTAInightly\naccess_key_secret = n\n";
    CredentialsOptions opts;
    opts.profile = "nightly";
    auto c = DefaultCredentialsChain(opts, sys.env)->Get();
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "LTAInightly");
    opts.profile = "nowhere";
    auto m = DefaultCredentialsChain(opts, sys.env)->Get();
    REQUIRE_FALSE(m.ok());
    CHECK(m.status().code() == StatusCode::kInvalidArgument);
    CHECK(m.status().message().find("nowhere") != std::string::npos);
  }
  SUBCASE("a broken config is refused without quoting it") {
    sys.files["/home/u/.aliyun/config.json"] = "{\"profiles\": [" + std::string(kSecret);
    auto c = DefaultCredentialsChain({}, sys.env)->Get();
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message().find("not a JSON object") != std::string::npos);
    CHECK(c.status().message().find(kSecret) == std::string::npos);
  }
}

TEST_CASE("ram_role_arn profiles of the credentials file name the role") {
  FakeSystem sys;
  sys.files["/home/u/.alibabacloud/credentials"] =
      "[default]\ntype = ram_role_arn\naccess_key_id = LTAIcaller\naccess_key_secret = c\n"
      "role_arn = acs:ram::123:role/writer\nrole_session_name = nightly\nregion_id = cn-beijing\n"
      "[ecs]\ntype = ecs_ram_role\nrole_name = r\n";
  auto c = DefaultCredentialsChain({}, sys.env)->Get();
  REQUIRE(c.ok());
  REQUIRE(c->assume_role.has_value());
  CHECK(c->assume_role->role_arn == "acs:ram::123:role/writer");
  CHECK(c->assume_role->session_name == "nightly");
  CHECK(c->assume_role->region == "cn-beijing");

  CredentialsOptions opts;
  opts.profile = "ecs";
  auto e = DefaultCredentialsChain(opts, sys.env)->Get();
  REQUIRE_FALSE(e.ok());
  CHECK(e.status().code() == StatusCode::kNotSupported);
  CHECK(e.status().message().find("ecs_ram_role") != std::string::npos);
}

TEST_CASE("OIDC and the ECS instance role get a clear not supported") {
  FakeSystem sys;
  sys.vars["ALIBABA_CLOUD_ROLE_ARN"] = "acs:ram::1:role/r";
  sys.vars["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"] = "acs:ram::1:oidc-provider/p";
  sys.vars["ALIBABA_CLOUD_OIDC_TOKEN_FILE"] = "/var/run/token";
  auto o = DefaultCredentialsChain({}, sys.env)->Get();
  REQUIRE_FALSE(o.ok());
  CHECK(o.status().code() == StatusCode::kNotSupported);
  CHECK(o.status().message().find("OIDC") != std::string::npos);

  sys.vars.clear();
  sys.vars["ALIBABA_CLOUD_ECS_METADATA"] = "worker";
  auto e = DefaultCredentialsChain({}, sys.env)->Get();
  REQUIRE_FALSE(e.ok());
  CHECK(e.status().code() == StatusCode::kNotSupported);
  CHECK(e.status().message().find("ECS instance role \"worker\"") != std::string::npos);

  // A key found earlier in the chain wins: the ECS role is the last resort, as in the SDKs.
  sys.files["/home/u/.alibabacloud/credentials"] =
      "[default]\naccess_key_id = LTAIini\naccess_key_secret = i\n";
  CHECK(DefaultCredentialsChain({}, sys.env)->Get()->access_key_id == "LTAIini");
}

TEST_CASE("a credentials file others can read earns a warning") {
  FakeSystem sys;
  std::map<std::string, unsigned> modes;
  sys.env.file_mode = [&](const std::string& path) -> std::optional<unsigned> {
    auto it = modes.find(path);
    if (it == modes.end()) return std::nullopt;
    return it->second;
  };
  const std::string path = "/home/u/.alibabacloud/credentials";
  sys.files[path] = "[default]\naccess_key_id = LTAIini\naccess_key_secret = " +
                    std::string(kSecret) + "\n";
  modes[path] = 0600;
  auto c = DefaultCredentialsChain({}, sys.env)->Get();
  REQUIRE(c.ok());
  CHECK(c->warnings.empty());
  modes[path] = 0644;
  c = DefaultCredentialsChain({}, sys.env)->Get();
  REQUIRE(c.ok());
  REQUIRE(c->warnings.size() == 1);
  CHECK(c->warnings[0] == path + " holds a secret and other users can read or change it (mode "
                                 "0644); run chmod 600 " + path);
  CHECK(c->warnings[0].find(kSecret) == std::string::npos);
}
