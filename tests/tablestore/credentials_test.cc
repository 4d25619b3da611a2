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
  SUBCASE("other credential types are not supported yet") {
    sys.files["/home/u/.alibabacloud/credentials"] = ini;
    CredentialsOptions opts;
    opts.profile = "role";
    auto c = DefaultCredentialsChain(opts, sys.env)->Get();
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == StatusCode::kNotSupported);
    CHECK(c.status().message().find("ram_role_arn") != std::string::npos);
    CHECK(c.status().message().find("not supported yet") != std::string::npos);
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
