// core/crypto.h: RFC 4648 Base64 vectors, strict decoding, hex, and digest/MAC known answers
// (RFC 1321, FIPS 180-2, RFC 2202, RFC 4231).
#include <doctest/doctest.h>

#include "core/crypto.h"

namespace tsb {
namespace {

TEST_CASE("base64: RFC 4648 vectors both ways") {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CHECK(Base64Encode(plain[i]) == enc[i]);
    auto d = Base64Decode(enc[i]);
    REQUIRE(d.ok());
    CHECK(*d == plain[i]);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  CHECK(*Base64Decode(Base64Encode(all)) == all);
  CHECK(Base64Encode("\xfb\xff") == "+/8=");
}

TEST_CASE("base64: rejects malformed input") {
  for (const char* bad : {"Zg=", "Zg", "Z===", "====", "Zg==Zg==", "Zm9v\n", "Zm9 ", "Zh==",
                          "Zm9=", "Z-8=", "=Zm9"}) {
    CAPTURE(bad);
    CHECK(Base64Decode(bad).status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("hex") {
  CHECK(HexEncode(std::string("\x00\xff\x10", 3)) == "00ff10");
  CHECK(*HexDecode("00FF10") == std::string("\x00\xff\x10", 3));
  CHECK(!HexDecode("0").ok());
  CHECK(!HexDecode("zz").ok());
}

TEST_CASE("digests and MACs: known answers") {
  CHECK(HexEncode(Md5("")) == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(HexEncode(Md5("abc")) == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(HexEncode(Sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 2202 test case 2.
  CHECK(HexEncode(HmacSha1("Jefe", "what do ya want for nothing?")) ==
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  // RFC 4231 test case 2.
  CHECK(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(Md5("x").size() == 16);
  CHECK(HmacSha1("", "").size() == 20);
}

}  // namespace
}  // namespace tsb
