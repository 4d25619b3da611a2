// Digests, MACs and text encodings used by request signing (Tablestore, STS) and by the emulator.
//
// Thin wrappers over OpenSSL's one-shot EVP/HMAC functions. Digests are returned as raw bytes in a
// std::string (16 bytes for MD5, 20 for SHA-1, 32 for SHA-256); encode them with Base64Encode or
// HexEncode for headers and logs. Every function is pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "tsbridge/status.h"

namespace tsb {

// Standard alphabet (RFC 4648 section 4) with '=' padding, no line breaks.
std::string Base64Encode(std::string_view data);

// Strict inverse of Base64Encode: the length must be a multiple of 4, padding only at the end, no
// whitespace, and unused trailing bits must be zero (so every input has one canonical encoding).
// Returns InvalidArgument naming the offending offset otherwise.
Result<std::string> Base64Decode(std::string_view text);

// Lower-case hex, two characters per byte.
std::string HexEncode(std::string_view data);
// Accepts upper or lower case; InvalidArgument on an odd length or a non-hex character.
Result<std::string> HexDecode(std::string_view text);

// Raw digests.
std::string Md5(std::string_view data);                             // 16 bytes
std::string Sha256(std::string_view data);                          // 32 bytes
std::string HmacSha1(std::string_view key, std::string_view data);  // 20 bytes
std::string HmacSha256(std::string_view key, std::string_view data);  // 32 bytes

}  // namespace tsb
