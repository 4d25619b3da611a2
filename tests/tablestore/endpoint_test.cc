#include "tablestore/endpoint.h"

#include <doctest/doctest.h>

using namespace tsb;
using namespace tsb::ots;

TEST_CASE("a tablestore:// location becomes an https endpoint with instance and region") {
  auto ep = ParseEndpoint("tablestore://odps-ots-dev.cn-shanghai.ots-internal.aliyuncs.com");
  REQUIRE(ep.ok());
  CHECK(ep->url == "https://odps-ots-dev.cn-shanghai.ots-internal.aliyuncs.com");
  CHECK(ep->scheme == "https");
  CHECK(ep->instance == "odps-ots-dev");
  CHECK(ep->region == "cn-shanghai");
  CHECK(ep->internal);
  CHECK(ep->port == 0);

  auto loc = ParseLocation("tablestore://inst1.cn-hangzhou.ots.aliyuncs.com");
  REQUIRE(loc.ok());
  CHECK(loc->url == "https://inst1.cn-hangzhou.ots.aliyuncs.com");
  CHECK(loc->instance == "inst1");
  CHECK(loc->region == "cn-hangzhou");
  CHECK_FALSE(loc->internal);
}

TEST_CASE("service hosts are recognised case-insensitively; others carry no instance") {
  auto ep = ParseEndpoint("HTTPS://Demo.CN-Beijing.OTS.aliyuncs.com/");
  REQUIRE(ep.ok());
  CHECK(ep->url == "https://Demo.CN-Beijing.OTS.aliyuncs.com");
  CHECK(ep->instance == "Demo");
  CHECK(ep->region == "cn-beijing");

  auto local = ParseEndpoint("http://127.0.0.1:8800");
  REQUIRE(local.ok());
  CHECK(local->url == "http://127.0.0.1:8800");
  CHECK(local->port == 8800);
  CHECK(local->instance.empty());
  CHECK(local->region.empty());

  auto bare = ParseEndpoint("x.cn-hangzhou.ots.aliyuncs.com");
  REQUIRE(bare.ok());
  CHECK(bare->url == "https://x.cn-hangzhou.ots.aliyuncs.com");

  auto v6 = ParseEndpoint("http://[::1]:8800");
  REQUIRE(v6.ok());
  CHECK(v6->url == "http://[::1]:8800");

  CHECK_FALSE(ParseServiceHost("ots.aliyuncs.com").has_value());
  CHECK_FALSE(ParseServiceHost("a.b.c.ots.aliyuncs.com").has_value());
  CHECK_FALSE(ParseServiceHost("example.com").has_value());
  auto sh = ParseServiceHost("i.ap-southeast-1.ots-internal.aliyuncs.com");
  REQUIRE(sh.has_value());
  CHECK(sh->instance == "i");
  CHECK(sh->region == "ap-southeast-1");
}

TEST_CASE("bad endpoints and locations are refused with the reason") {
  auto r = ParseEndpoint("ftp://x");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message().find("unknown scheme") != std::string::npos);
  CHECK(ParseEndpoint("https://host/base").status().message().find("path") != std::string::npos);
  CHECK(ParseEndpoint("http://host:0").status().message().find("bad port") != std::string::npos);
  CHECK(ParseEndpoint("http://host:99999").status().message().find("bad port") !=
        std::string::npos);
  CHECK_FALSE(ParseEndpoint("http://user@host").ok());
  CHECK_FALSE(ParseEndpoint("").ok());
  CHECK_FALSE(ParseEndpoint("https://").ok());
  CHECK_FALSE(ParseLocation("https://x.cn-hangzhou.ots.aliyuncs.com").ok());
  CHECK_FALSE(ParseLocation("tablestore://127.0.0.1").ok());
}

TEST_CASE("an endpoint with user information is refused without showing it") {
  for (const char* text :
       {"http://id:s3cr3t@127.0.0.1:8800", "https://s3cr3t@x.cn-hangzhou.ots.aliyuncs.com/",
        "http://id:s3/cr3t@host", "http://id:s3cr3t@host/path?q", "ftp://id:s3cr3t@host",
        "id:s3cr3t@host", "tablestore://id:s3cr3t@i.cn-hangzhou.ots-internal.aliyuncs.com"}) {
    CAPTURE(text);
    auto ep = ParseEndpoint(text);
    REQUIRE_FALSE(ep.ok());
    CHECK(ep.status().code() == StatusCode::kInvalidArgument);
    CHECK(ep.status().message().find("s3") == std::string::npos);
    CHECK(ep.status().message().find("id:") == std::string::npos);
    CHECK(ep.status().message().find("***@") != std::string::npos);
  }
  auto location = ParseLocation("tablestore://id:s3cr3t@i.cn-hangzhou.ots-internal.aliyuncs.com");
  REQUIRE_FALSE(location.ok());
  CHECK(location.status().message().find("s3cr3t") == std::string::npos);
}
