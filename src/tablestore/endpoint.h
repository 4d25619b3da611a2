// Tablestore endpoints and MaxCompute-style locations.
//
// A Tablestore instance is reached at https://INSTANCE.REGION.ots.aliyuncs.com (Internet) or
// https://INSTANCE.REGION.ots-internal.aliyuncs.com (Alibaba Cloud intranet); the guide's DDL names
// the same thing as a location, `tablestore://INSTANCE.REGION.ots-internal.aliyuncs.com` (wire doc
// C.7). The emulator and proxies are reached at any http(s) URL, where no instance or region can be
// read from the host; the job spec then names the instance (decisions section 6).
//
// Pure functions, no I/O; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tsbridge/status.h"

namespace tsb::ots {

struct Endpoint {
  // What requests are sent to: "scheme://host[:port]", no path, no trailing slash.
  std::string url;
  std::string scheme;  // "http" or "https"
  std::string host;    // as given (host names are case-insensitive)
  int port = 0;        // 0 = the scheme's default
  // Read from a service host name (INSTANCE.REGION.ots[-internal].aliyuncs.com); empty otherwise.
  std::string instance;
  std::string region;
  bool internal = false;  // the host is an ...ots-internal... name
};

// Parses `tablestore.endpoint` or `--endpoint`: "https://host[:port][/]", "http://...", a bare host
// name (https is assumed), or a `tablestore://` location (mapped to https). A path other than "/",
// a query, user info or an unknown scheme is refused with InvalidArgument.
Result<Endpoint> ParseEndpoint(std::string_view text);

// Parses a DDL/spec `LOCATION 'tablestore://INSTANCE.REGION.ots[-internal].aliyuncs.com'`. Unlike
// ParseEndpoint, the host must be a service host, so that instance and region are known.
Result<Endpoint> ParseLocation(std::string_view text);

struct ServiceHost {
  std::string instance;
  std::string region;
  bool internal = false;
};

// Splits a host of the form INSTANCE.REGION.ots.aliyuncs.com or INSTANCE.REGION.ots-internal
// .aliyuncs.com (case-insensitive); nullopt for any other host (an IP address, localhost, ...).
std::optional<ServiceHost> ParseServiceHost(std::string_view host);

}  // namespace tsb::ots
