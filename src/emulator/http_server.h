// HttpServer: the emulator's HTTP/1.1 front end, an epoll event loop and a bounded worker pool.
//
// Why not a thread per connection: a keep-alive connection then holds a thread for its life, so
// ~100 idle clients (or `export --parallel 100`) left a valid request unanswered for minutes, and a
// body that stopped arriving held its thread forever. Here one loop thread accepts, reads and
// parses every connection without blocking; only a complete request reaches a worker. An idle
// connection costs a file descriptor and a small buffer, never a thread (decisions.md section 11,
// "The emulator never hangs"):
//   - a connection with no bytes arriving for `read_timeout` (idle, half-sent headers or a body
//     that stopped short of its Content-Length) is closed; so is one whose client stops reading
//     our answer for as long;
//   - a request that waited `queue_timeout` for a worker (all busy) is answered by the `refuse`
//     callback with 503, which clients retry;
//   - Content-Length above `max_body_bytes` is refused with 413 before the body is read;
//   - unparsable HTTP (and chunked bodies, which no Tablestore SDK sends) gets 400 and the
//     connection is closed.
// HTTP/1.1 keep-alive, HTTP/1.0, `Connection: close` and `Expect: 100-continue` (libcurl sends it
// for large POSTs) are handled; pipelined requests are served one after the other.
//
// The body reaches the handler as a view into the connection's buffer (never copied); the
// response body is moved out of the handler's HttpResponse and written with writev, by the worker
// itself when the socket takes it all (the usual case), else by the loop as the client reads.
//
// The listening socket is bound without SO_REUSEPORT: a second server on a used address fails
// ("address already in use") instead of silently sharing its connections.
//
// Thread safety: Listen/Start/Stop are for one controlling thread. The handler runs on the
// workers, concurrently; `refuse` runs on the loop thread and must be cheap.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tsbridge/status.h"
#include "tablestore/signer.h"

namespace tsb::emulator {

struct HttpRequest {
  std::string_view method;
  std::string_view path;   // the target without its query string
  std::string_view query;  // what follows the target's '?' (STS requests carry their parameters)
  // Views into the connection's buffer, valid for the handler's call.
  std::vector<ots::HeaderEntry> headers;
  std::string_view body;
};

struct HttpResponse {
  // How the answer leaves, for injected connection faults (faults.h): whole; not at all; or its
  // whole head (with the full Content-Length) and half its body. The connection is closed after
  // the last two, as a network that lost the rest would leave it.
  enum class Delivery { kWhole, kDrop, kTruncate };

  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Delivery delivery = Delivery::kWhole;

  void Clear() {
    status = 200;
    headers.clear();
    body.clear();
    delivery = Delivery::kWhole;
  }
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 picks a free port
  int threads = 8;
  std::chrono::milliseconds read_timeout{5000};
  std::chrono::milliseconds queue_timeout{1000};
  size_t max_body_bytes = 64u << 20;
  size_t max_header_bytes = 64u << 10;
};

class HttpServer {
 public:
  using Handler = std::function<void(const HttpRequest&, HttpResponse*)>;
  // Builds the answer the server gives by itself: status 400 (malformed; request may be null),
  // 413 (body too large), 503 (no worker free within queue_timeout). The status is preset.
  using Refuse = std::function<void(const HttpRequest* request, HttpResponse*)>;

  HttpServer(HttpServerOptions options, Handler handler, Refuse refuse);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. Unavailable "cannot listen on HOST:PORT: <reason>" when the address is in
  // use or not local.
  Status Listen();
  // Starts the loop and the workers; connections queue in the backlog from Listen() on.
  void Start();
  // Stops accepting, lets running handlers finish, closes every connection. Idempotent.
  void Stop();

  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tsb::emulator
