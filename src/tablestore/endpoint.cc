#include "tablestore/endpoint.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include "core/ascii.h"

namespace tsb::ots {

namespace {

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

// A DNS label as Alibaba Cloud uses them for instances and regions: letters, digits, hyphens,
// not starting or ending with a hyphen.
bool IsLabel(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

// The endpoint as it may be shown: user information ("id:secret@") may hold a secret, so it is
// replaced by "***@" (decisions 7 and 11).
std::string Shown(std::string_view text) {
  // Up to the last '@' anywhere: a secret typed with an unescaped '/' or '?' must not leak as
  // a "path" either.
  size_t sep = text.find("://");
  size_t start = sep == std::string_view::npos ? 0 : sep + 3;
  size_t at = text.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(text);
  std::string out(text.substr(0, start));
  out += "***";
  out += text.substr(at);
  return out;
}

Status Bad(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("endpoint \"" + Shown(text) + "\": " + std::string(why));
}

}  // namespace

std::optional<ServiceHost> ParseServiceHost(std::string_view host) {
  std::string lower = AsciiLower(host);
  static constexpr std::string_view kPublic = ".ots.aliyuncs.com";
  static constexpr std::string_view kInternal = ".ots-internal.aliyuncs.com";
  ServiceHost out;
  std::string_view rest;
  if (lower.ends_with(kInternal)) {
    out.internal = true;
    rest = std::string_view(host).substr(0, host.size() - kInternal.size());
  } else if (lower.ends_with(kPublic)) {
    rest = std::string_view(host).substr(0, host.size() - kPublic.size());
  } else {
    return std::nullopt;
  }
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view instance = rest.substr(0, dot);
  std::string_view region = rest.substr(dot + 1);
  if (!IsLabel(instance) || !IsLabel(region)) return std::nullopt;
  out.instance = std::string(instance);
  out.region = AsciiLower(region);
  return out;
}

Result<Endpoint> ParseEndpoint(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.empty()) return Bad(text, "empty");

  Endpoint ep;
  size_t sep = s.find("://");
  if (sep == std::string_view::npos) {
    ep.scheme = "https";
  } else {
    std::string scheme = AsciiLower(s.substr(0, sep));
    if (scheme == "tablestore" || scheme == "https") {
      ep.scheme = "https";
    } else if (scheme == "http") {
      ep.scheme = "http";
    } else {
      return Bad(text, "unknown scheme \"" + scheme + "\"; expected https, http or tablestore");
    }
    s.remove_prefix(sep + 3);
  }

  // User information, checked before anything else is said about the text. An '@' anywhere
  // counts: a path or query is refused anyway, and a secret may hold an unescaped '/'.
  if (s.find('@') != std::string_view::npos) {
    return Bad(text,
               "user information (USER:SECRET@) is not allowed in an endpoint; give the access "
               "key by the environment (ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET) or the "
               "credentials file");
  }
  size_t path_at = s.find_first_of("/?#");
  std::string_view authority = s.substr(0, path_at);
  if (path_at != std::string_view::npos) {
    std::string_view path = s.substr(path_at);
    // Requests go to /<Operation>; a base path would be dropped by the SDKs, so refuse it rather
    // than send requests somewhere the user did not mean.
    if (path != "/") return Bad(text, "a path, query or fragment is not allowed");
  }
  std::string_view host = authority;
  size_t colon = authority.rfind(':');
  bool bracketed = !authority.empty() && authority.front() == '[';  // IPv6 literal
  if (bracketed) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Bad(text, "unterminated IPv6 address");
    host = authority.substr(0, close + 1);
    colon = close + 1 < authority.size() && authority[close + 1] == ':' ? close + 1
                                                                        : std::string_view::npos;
    if (colon == std::string_view::npos && close + 1 != authority.size()) {
      return Bad(text, "bad host");
    }
  }
  if (colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    std::string_view port_text = authority.substr(colon + 1);
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port <= 0 ||
        port > 65535) {
      return Bad(text, "bad port \"" + std::string(port_text) + "\"");
    }
    ep.port = port;
  }
  if (host.empty()) return Bad(text, "no host");
  if (!bracketed && !std::all_of(host.begin(), host.end(), IsHostChar)) {
    return Bad(text, "bad host \"" + std::string(host) + "\"");
  }
  ep.host = std::string(host);
  ep.url = ep.scheme + "://" + ep.host;
  if (ep.port != 0) ep.url += ":" + std::to_string(ep.port);
  if (auto service = ParseServiceHost(host)) {
    ep.instance = std::move(service->instance);
    ep.region = std::move(service->region);
    ep.internal = service->internal;
  }
  return ep;
}

Result<Endpoint> ParseLocation(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  if (!AsciiLower(s.substr(0, 13)).starts_with("tablestore://")) {
    return Status::InvalidArgument("location \"" + Shown(text) +
                                   "\": expected tablestore://INSTANCE.REGION.ots[-internal]"
                                   ".aliyuncs.com");
  }
  TSB_ASSIGN_OR_RETURN(Endpoint ep, ParseEndpoint(text));
  if (ep.instance.empty() || ep.port != 0) {
    return Status::InvalidArgument("location \"" + Shown(text) +
                                   "\": expected tablestore://INSTANCE.REGION.ots[-internal]"
                                   ".aliyuncs.com");
  }
  return ep;
}

}  // namespace tsb::ots
