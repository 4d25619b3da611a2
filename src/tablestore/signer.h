// Tablestore request and response signing (wire doc A.2), as pure functions.
//
// The client signs each request (and re-signs each retry, since x-ots-date changes); the emulator
// recomputes the request signature to authenticate it and signs its responses for the Java and
// Python SDKs, which verify them. Everything here is a function of its arguments: no clock, no
// credentials lookup, no I/O. Thread-safe.
//
//   request  StringToSign = path "\n" "POST" "\n" "\n" CanonicalHeaders
//   response StringToSign = CanonicalHeaders "/" Operation
//   CanonicalHeaders      = for each header named x-ots-* (any case) except x-ots-signature,
//                           sorted by lower-cased name: lower(name) ":" trim(value) "\n"
//   signature             = Base64(HMAC-SHA1(AccessKeySecret, StringToSign))
//   response header       authorization: OTS <AccessKeyId>:<signature>
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tsbridge/status.h"

namespace tsb::ots {

// One HTTP header as the caller holds it; any names may be passed, non-x-ots ones are ignored.
struct HeaderEntry {
  std::string_view name;
  std::string_view value;
};

inline constexpr std::string_view kApiVersion = "2015-12-31";

// CanonicalHeaders (see above). Values are trimmed of spaces and tabs on both ends, as the
// Java/Python/Go SDKs do (Node sends untrimmed values that need no trimming).
std::string CanonicalOtsHeaders(std::span<const HeaderEntry> headers);

// `path` is the request path, e.g. "/GetRange".
std::string RequestStringToSign(std::string_view path, std::span<const HeaderEntry> headers);

// `path` is "/" + Operation, e.g. "/ListTable".
std::string ResponseStringToSign(std::string_view path, std::span<const HeaderEntry> headers);

// Base64(HMAC-SHA1(secret, string_to_sign)): the x-ots-signature value, and the part after the
// ':' of a response's authorization value.
std::string Signature(std::string_view access_key_secret, std::string_view string_to_sign);

// "OTS <access_key_id>:<signature>" for the response's `authorization` header.
std::string ResponseAuthorization(std::string_view access_key_id,
                                  std::string_view access_key_secret,
                                  std::string_view string_to_sign);

// Compares two signatures in time independent of where they differ.
bool SignaturesEqual(std::string_view a, std::string_view b);

// The x-ots-contentmd5 value: Base64(MD5(body)). Empty body -> "1B2M2Y8AsgTpgAmY7PhCfg==".
std::string ContentMd5(std::string_view body);

// x-ots-date: "YYYY-MM-DDTHH:MM:SS" + ("." + `fraction_digits` digits if > 0) + "Z", UTC.
// Clients send 3 digits (as Node's Date.toISOString()); the service answers with 6.
// REQUIRES: 0 <= fraction_digits <= 6; years 0000-9999.
std::string FormatOtsDate(int64_t unix_micros, int fraction_digits = 3);

// Parses an x-ots-date: "YYYY-MM-DDTHH:MM:SS", an optional "." with 0 to 9 fraction digits
// (Go's layout quirk sends odd counts), then "Z". Returns microseconds since the Unix epoch
// (extra fraction digits are truncated), or InvalidArgument quoting the text.
Result<int64_t> ParseOtsDate(std::string_view text);

}  // namespace tsb::ots
