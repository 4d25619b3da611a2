// HTTP POST to one Tablestore endpoint over libcurl, with kept-alive, reused connections.
//
// An HttpTransport belongs to one endpoint ("scheme://host[:port]") and is shared by every thread
// of a job: each Post() borrows an idle curl easy handle from the transport's pool (creating one
// only when all are busy), so N parallel scanners end up holding N connections that are reused
// call after call, and returns it afterwards. DNS answers and TLS sessions are shared across the
// pool. Thread-safe.
//
// Failure model (wire doc C.3): every call has a total deadline, so a server that accepts the
// connection and then stalls (before or in the middle of the body) cannot hang us; a body shorter
// than its Content-Length, a reset connection, a timeout or a refused connection is a network
// error: Status kUnavailable with http_status 0, which retry.h treats as retriable for reads. A
// connection that could not be made at all (nothing listening, no route) is a network error whose
// message contains kCannotConnect and names the endpoint (for a loopback host it asks whether
// `tsbridge emulator` is running): retry.h retries it a few times for any operation, since the
// request never left. A TLS handshake answered in plain text (an http:// server such as the
// emulator behind an https:// endpoint) is Corruption, not retried, with a hint to use http://.
// An HTTP answer of any status is not an error here: the client decodes it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tsbridge/status.h"

namespace tsb::ots {

// In the message of every failure to connect, and only there (retry.h IsConnectFailure).
inline constexpr std::string_view kCannotConnect = "cannot connect to ";

struct HttpTransportOptions {
  // TCP + TLS set-up; a dead host should fail fast so the retry can go to a healthy one. Never
  // more than request_timeout.
  std::chrono::milliseconds connect_timeout{10000};
  // One attempt (connect, send, wait, receive) unless HttpRequest::timeout is shorter
  // (--request-timeout). A 5000-row GetRange page with a filter is scanned server-side before the
  // first byte comes back, so this is generous; an answer that never comes costs this much before
  // the attempt is repeated, and the retry deadline bounds the total.
  std::chrono::milliseconds request_timeout{30000};
  // Idle connections kept per transport; more concurrent callers still work, their extra handles
  // are closed on return.
  int max_idle_connections = 64;
  // https: the certificate and the host name are always verified (there is deliberately no
  // switch to turn that off). `ca_file` (--ca-bundle) is a PEM file of CAs to trust in place of
  // libcurl's default bundle file; its CA directory (Debian: /etc/ssl/certs) is still trusted.
  std::string ca_file;  // empty = the system's CA bundle
  // Larger answers are refused as Corruption; a GetRange page is at most ~4 MiB.
  size_t max_response_bytes = 64u << 20;
};

struct HttpHeader {
  std::string name;   // responses: lower-cased
  std::string value;  // trimmed
};

struct HttpRequest {
  std::string_view path;  // "/GetRange"
  const std::vector<HttpHeader>* headers = nullptr;
  std::string_view body;
  // Cap for this call (e.g. the retry deadline's remaining time); 0 = options.request_timeout.
  std::chrono::milliseconds timeout{0};
};

// Reused across calls: Clear() keeps the capacity of the body and header buffers.
struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;
  std::string body;

  // The value of a header by lower-case name, or nullptr.
  const std::string* FindHeader(std::string_view lower_name) const;
  void Clear() {
    status = 0;
    headers.clear();
    body.clear();
  }
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends POST base_url + request.path. OK with response->status set for any HTTP answer;
  // kUnavailable (http_status 0) for network errors; Corruption for an oversized answer.
  virtual Status Post(const HttpRequest& request, HttpResponse* response) = 0;
  // Bytes written to / read from the network, bodies and headers included.
  virtual uint64_t bytes_sent() const = 0;
  virtual uint64_t bytes_received() const = 0;
};

// A libcurl transport for `base_url` ("http://127.0.0.1:8800", "https://x.cn-hangzhou.ots...").
// InvalidArgument if the URL's scheme is not http or https; Internal if libcurl cannot start.
Result<std::unique_ptr<HttpTransport>> NewCurlTransport(std::string base_url,
                                                        HttpTransportOptions options = {});

}  // namespace tsb::ots
