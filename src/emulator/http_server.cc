#include "emulator/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/ascii.h"

namespace tsb::emulator {

namespace {

using Clock = std::chrono::steady_clock;

// Epoll tags for the two non-connection descriptors; connections are tagged with their pointer.
constexpr uint64_t kListenTag = 1;
constexpr uint64_t kWakeTag = 2;
// A buffer that grew for a large request is given back once the request is answered, so that
// hundreds of idle connections do not each keep megabytes.
constexpr size_t kInitialBuffer = 16u << 10;
constexpr size_t kKeepBuffer = 256u << 10;
// While accept fails for lack of descriptors, stop watching the listener this long (otherwise
// level-triggered epoll reports it ready forever).
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
// How long a worker keeps writing an answer that did not fit the socket before handing it to the
// loop.
constexpr auto kWorkerWriteBudget = std::chrono::milliseconds(200);

// Whether the comma-separated header value holds `token` (case-insensitive).
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (EqualsIgnoreCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

std::string_view Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string HostPort(const std::string& host, int port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

struct Connection {
  enum class State {
    kReading,   // watched for input; no complete request yet
    kQueued,    // a complete request waits for a worker (not watched)
    kRunning,   // a worker runs the handler and writes the answer (not watched)
    kWriting,   // the answer did not fit the socket; watched for output
    kDraining,  // refused and half-closed: input is discarded until EOF or the timeout
  };

  int fd = -1;
  State state = State::kReading;
  Clock::time_point last_activity;
  Clock::time_point queued_at;

  std::unique_ptr<char[]> in;
  size_t in_cap = 0;
  size_t in_len = 0;
  size_t scanned = 0;  // bytes already searched for the end of the head

  // The request being served, once its head is parsed.
  bool have_head = false;
  size_t head_len = 0;
  size_t body_len = 0;
  bool keep_alive = true;
  HttpRequest request;

  HttpResponse response;
  std::string out_head;
  size_t out_done = 0;  // bytes of out_head + response.body written
  size_t out_limit = SIZE_MAX;  // bytes of them to write (fewer for an injected truncation)
  bool close_after_write = false;
  bool write_failed = false;

  uint32_t watched = 0;  // the epoll events registered, 0 = not registered

  size_t out_total() const { return std::min(out_head.size() + response.body.size(), out_limit); }
};

struct HttpServer::Impl {
  HttpServerOptions options;
  Handler handler;
  Refuse refuse;

  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;
  int port = 0;
  std::thread loop;
  std::vector<std::thread> workers;
  std::atomic<bool> stopping{false};
  bool started = false;

  // Loop-thread state.
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections;
  bool listen_watched = false;
  Clock::time_point accept_resume;
  Clock::time_point next_sweep;

  // Requests waiting for a worker, oldest first; guarded by mu.
  std::mutex mu;
  std::condition_variable work_ready;
  std::deque<Connection*> queue;
  std::atomic<size_t> queued{0};
  // Connections whose answer a worker has finished (fully written or not); guarded by done_mu.
  std::mutex done_mu;
  std::vector<Connection*> done;

  void Loop();
  void Work();
  void Wake();

  void Watch(Connection* c, uint32_t events);
  void Accept();
  void OnReadable(Connection* c);
  void OnWritable(Connection* c);
  void Parse(Connection* c);
  bool Reserve(Connection* c, size_t capacity);
  void Enqueue(Connection* c);
  void RefuseNow(Connection* c, int status, bool with_request, bool close);
  void SerializeHead(Connection* c);
  // Writes what the socket takes; false on a write error.
  static bool WriteSome(Connection* c);
  void AfterResponse(Connection* c);
  void Close(Connection* c);
  void ExpireQueue(Clock::time_point now);
  void Sweep(Clock::time_point now);
};

HttpServer::HttpServer(HttpServerOptions options, Handler handler, Refuse refuse)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  impl_->refuse = std::move(refuse);
}

HttpServer::~HttpServer() {
  Stop();
  if (impl_->listen_fd >= 0) close(impl_->listen_fd);
}

int HttpServer::port() const { return impl_->port; }

Status HttpServer::Listen() {
  Impl& s = *impl_;
  const std::string where = HostPort(s.options.host, s.options.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(s.options.port);
  int rc = getaddrinfo(s.options.host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    return Status::Unavailable("cannot listen on " + where + ": " + gai_strerror(rc));
  }
  std::string error = "no usable address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    // SO_REUSEADDR only lets a restart bind past connections in TIME_WAIT; on Linux it never lets
    // two listeners share the address (SO_REUSEPORT would, and is deliberately not set).
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
      error = errno == EADDRINUSE ? "address already in use (is another emulator running?)"
                                  : std::strerror(errno);
      close(fd);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof(bound);
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    s.port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                               : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    s.listen_fd = fd;
    break;
  }
  freeaddrinfo(found);
  if (s.listen_fd < 0) return Status::Unavailable("cannot listen on " + where + ": " + error);
  return Status::OK();
}

void HttpServer::Start() {
  Impl& s = *impl_;
  if (s.started || s.listen_fd < 0) return;
  s.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  s.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.wake_fd, &ev);
  ev.data.u64 = kListenTag;
  epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.listen_fd, &ev);
  s.listen_watched = true;
  s.stopping = false;
  const int threads = std::max(1, s.options.threads);
  for (int i = 0; i < threads; ++i) s.workers.emplace_back([&s] { s.Work(); });
  s.loop = std::thread([&s] { s.Loop(); });
  s.started = true;
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  if (!s.started) return;
  s.stopping = true;
  s.Wake();
  if (s.loop.joinable()) s.loop.join();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.queue.clear();
    s.queued = 0;
  }
  s.work_ready.notify_all();
  for (std::thread& t : s.workers) t.join();
  s.workers.clear();
  // Workers are gone: nothing else points at a connection now.
  for (auto& [ptr, c] : s.connections) close(c->fd);
  s.connections.clear();
  s.done.clear();
  close(s.listen_fd);
  s.listen_fd = -1;
  close(s.epoll_fd);
  close(s.wake_fd);
  s.epoll_fd = s.wake_fd = -1;
  s.started = false;
}

void HttpServer::Impl::Wake() {
  uint64_t one = 1;
  ssize_t n = write(wake_fd, &one, sizeof(one));
  (void)n;  // EAGAIN: the counter is already non-zero, the loop wakes anyway
}

void HttpServer::Impl::Watch(Connection* c, uint32_t events) {
  if (c->watched == events) return;
  if (events == 0) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, nullptr);
  } else {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = c;
    epoll_ctl(epoll_fd, c->watched == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->fd, &ev);
  }
  c->watched = events;
}

void HttpServer::Impl::Loop() {
  std::vector<epoll_event> events(256);
  std::vector<Connection*> finished;
  next_sweep = Clock::now();
  while (!stopping.load()) {
    // A queued request must be refused close to its deadline; otherwise only idle connections
    // need the clock, and a quarter second is precise enough for a 5 s timeout.
    const int timeout_ms = queued.load() > 0 ? 20 : 250;
    int n = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), timeout_ms);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      const epoll_event& ev = events[i];
      if (ev.data.u64 == kWakeTag) {
        uint64_t count;
        while (read(wake_fd, &count, sizeof(count)) > 0) {
        }
        continue;
      }
      if (ev.data.u64 == kListenTag) {
        Accept();
        continue;
      }
      auto* c = static_cast<Connection*>(ev.data.ptr);
      if (c->state == Connection::State::kWriting) {
        OnWritable(c);
      } else {
        OnReadable(c);
      }
    }
    {
      std::lock_guard<std::mutex> lock(done_mu);
      finished.swap(done);
    }
    for (Connection* c : finished) {
      if (c->write_failed) {
        Close(c);
      } else if (c->out_done < c->out_total()) {
        c->state = Connection::State::kWriting;
        c->last_activity = Clock::now();
        Watch(c, EPOLLOUT);
      } else {
        AfterResponse(c);
      }
    }
    finished.clear();
    const auto now = Clock::now();
    if (queued.load() > 0) ExpireQueue(now);
    if (now >= next_sweep) {
      Sweep(now);
      next_sweep = now + std::chrono::milliseconds(250);
    }
    if (!listen_watched && now >= accept_resume) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = kListenTag;
      epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev);
      listen_watched = true;
    }
  }
}

void HttpServer::Impl::Accept() {
  for (int i = 0; i < 64; ++i) {
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
        listen_watched = false;
        accept_resume = Clock::now() + kAcceptBackoff;
      }
      return;  // EAGAIN, or a connection that died in the backlog
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto owned = std::make_unique<Connection>();
    Connection* c = owned.get();
    c->fd = fd;
    c->last_activity = Clock::now();
    connections.emplace(c, std::move(owned));
    Watch(c, EPOLLIN);
  }
}

bool HttpServer::Impl::Reserve(Connection* c, size_t capacity) {
  if (capacity <= c->in_cap) return true;
  size_t cap = std::max(capacity, c->in_cap == 0 ? kInitialBuffer : c->in_cap * 2);
  std::unique_ptr<char[]> bigger(new (std::nothrow) char[cap]);
  if (!bigger) return false;
  if (c->in_len > 0) std::memcpy(bigger.get(), c->in.get(), c->in_len);
  // The parsed head's views point into the old buffer: move them along.
  const char* old_base = c->in.get();
  auto rebase = [&](std::string_view& v) {
    if (!v.empty()) v = std::string_view(bigger.get() + (v.data() - old_base), v.size());
  };
  if (c->have_head) {
    rebase(c->request.method);
    rebase(c->request.path);
    rebase(c->request.query);
    for (ots::HeaderEntry& h : c->request.headers) {
      rebase(h.name);
      rebase(h.value);
    }
  }
  c->in = std::move(bigger);
  c->in_cap = cap;
  return true;
}

void HttpServer::Impl::OnReadable(Connection* c) {
  const bool draining = c->state == Connection::State::kDraining;
  if (c->state != Connection::State::kReading && !draining) return;
  for (int reads = 0; reads < 16; ++reads) {
    if (draining) {
      char sink[16384];
      ssize_t n = recv(c->fd, sink, sizeof(sink), 0);
      if (n > 0) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
      Close(c);
      return;
    }
    if (c->in_cap - c->in_len < 4096 && !Reserve(c, c->in_len + kInitialBuffer)) {
      Close(c);
      return;
    }
    ssize_t n = recv(c->fd, c->in.get() + c->in_len, c->in_cap - c->in_len, 0);
    if (n > 0) {
      c->in_len += static_cast<size_t>(n);
      c->last_activity = Clock::now();
      if (c->in_len < c->in_cap) break;  // the socket is most likely empty now
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
    Close(c);  // EOF or reset: nothing to answer, the client is gone
    return;
  }
  Parse(c);
}

namespace {

// Whether `data`, the start of a request head not yet complete, can still begin with an HTTP
// method: a TLS ClientHello (an https:// client) or other binary never ends its head with a blank
// line, and waiting for one would keep that client guessing until the idle timeout; answered at
// once, it learns that the port speaks plain HTTP.
bool CouldStartRequest(std::string_view data) {
  constexpr size_t kLongestMethod = 16;
  for (size_t i = 0; i < data.size() && i <= kLongestMethod; ++i) {
    if (data[i] == ' ') return i > 0;
    if (data[i] < 'A' || data[i] > 'Z') return false;
  }
  return data.size() <= kLongestMethod;
}

}  // namespace

void HttpServer::Impl::Parse(Connection* c) {
  if (!c->have_head) {
    std::string_view data(c->in.get(), c->in_len);
    size_t from = c->scanned >= 3 ? c->scanned - 3 : 0;
    size_t end = data.find("\r\n\r\n", from);
    if (end == std::string_view::npos) {
      c->scanned = c->in_len;
      if (c->in_len > options.max_header_bytes || !CouldStartRequest(data)) {
        RefuseNow(c, 400, false, true);
      }
      return;
    }
    c->head_len = end + 4;
    std::string_view head = data.substr(0, end);
    HttpRequest& r = c->request;
    r.headers.clear();
    r.body = {};
    size_t line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    size_t sp1 = line.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp1 == 0 || sp2 == std::string_view::npos || sp2 == sp1 + 1) {
      RefuseNow(c, 400, false, true);
      return;
    }
    r.method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    const size_t question = target.find('?');
    r.path = target.substr(0, question);
    r.query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    bool http11;
    if (version == "HTTP/1.1") {
      http11 = true;
    } else if (version == "HTTP/1.0") {
      http11 = false;
    } else {
      RefuseNow(c, 400, false, true);
      return;
    }
    bool length_given = false;
    bool bad = false;
    bool expect_continue = false;
    uint64_t length = 0;
    std::string_view connection;
    std::string_view rest =
        line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
    while (!rest.empty() && !bad) {
      size_t eol = rest.find("\r\n");
      std::string_view h = rest.substr(0, eol);
      rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 2);
      size_t colon = h.find(':');
      if (colon == 0 || colon == std::string_view::npos || h.front() == ' ' || h.front() == '\t') {
        bad = true;  // also obsolete line folding
        break;
      }
      std::string_view name = h.substr(0, colon);
      if (name.find_first_of(" \t") != std::string_view::npos) {
        bad = true;
        break;
      }
      std::string_view value = h.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
      if (EqualsIgnoreCase(name, "content-length")) {
        uint64_t v = 0;
        if (value.empty() || value.size() > 18 ||
            value.find_first_not_of("0123456789") != std::string_view::npos) {
          bad = true;
          break;
        }
        for (char ch : value) v = v * 10 + static_cast<uint64_t>(ch - '0');
        if (length_given && v != length) bad = true;
        length = v;
        length_given = true;
      } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
        bad = true;  // no Tablestore SDK streams a body; a chunked one is refused, not misread
      } else if (EqualsIgnoreCase(name, "connection")) {
        connection = value;
      } else if (EqualsIgnoreCase(name, "expect")) {
        if (!EqualsIgnoreCase(value, "100-continue")) bad = true;
        expect_continue = true;
      }
      r.headers.push_back({name, value});
    }
    if (bad) {
      RefuseNow(c, 400, false, true);
      return;
    }
    c->keep_alive = http11 ? !HasToken(connection, "close") : HasToken(connection, "keep-alive");
    c->have_head = true;
    if (length > options.max_body_bytes) {
      // Refused before the body is read; the connection cannot be reused (the body would follow).
      RefuseNow(c, 413, true, true);
      return;
    }
    c->body_len = static_cast<size_t>(length);
    if (!Reserve(c, c->head_len + c->body_len)) {
      RefuseNow(c, 413, true, true);
      return;
    }
    if (expect_continue && c->in_len < c->head_len + c->body_len) {
      // Small and sent before any answer, so the socket always takes it whole.
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      ssize_t n = send(c->fd, kContinue.data(), kContinue.size(), MSG_NOSIGNAL);
      (void)n;
    }
  }
  if (c->in_len < c->head_len + c->body_len) return;
  c->request.body = std::string_view(c->in.get() + c->head_len, c->body_len);
  Enqueue(c);
}

void HttpServer::Impl::Enqueue(Connection* c) {
  Watch(c, 0);
  c->state = Connection::State::kQueued;
  c->queued_at = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mu);
    queue.push_back(c);
    queued.store(queue.size());
  }
  work_ready.notify_one();
}

void HttpServer::Impl::ExpireQueue(Clock::time_point now) {
  std::vector<Connection*> expired;
  {
    std::lock_guard<std::mutex> lock(mu);
    while (!queue.empty() && now - queue.front()->queued_at >= options.queue_timeout) {
      expired.push_back(queue.front());
      queue.pop_front();
    }
    queued.store(queue.size());
  }
  // The request was read whole, so the connection stays usable after the refusal.
  for (Connection* c : expired) RefuseNow(c, 503, true, !c->keep_alive);
}

void HttpServer::Impl::Work() {
  while (true) {
    Connection* c;
    {
      std::unique_lock<std::mutex> lock(mu);
      work_ready.wait(lock, [this] { return stopping.load() || !queue.empty(); });
      if (stopping.load()) return;
      c = queue.front();
      queue.pop_front();
      queued.store(queue.size());
      c->state = Connection::State::kRunning;
    }
    c->response.Clear();
    handler(c->request, &c->response);
    c->close_after_write = !c->keep_alive;
    SerializeHead(c);
    if (c->response.delivery != HttpResponse::Delivery::kWhole) {
      // Set after the head was written out, which therefore promises the whole body and a
      // connection kept alive, as the answer the network then broke did.
      const size_t head = c->out_head.size();
      const size_t body = c->response.body.size();
      c->out_limit = c->response.delivery == HttpResponse::Delivery::kDrop ? 0
                     : body == 0                                           ? head / 2
                                                                           : head + body / 2;
      c->close_after_write = true;
    }
    c->write_failed = !WriteSome(c);
    // A large answer (a 5000-row GetRange page) outgrows the socket buffer; a client that reads
    // promptly takes the rest within milliseconds, and finishing here saves the hand-offs to the
    // loop and back. A slow reader is left to the loop after the budget, so it holds no worker.
    const auto budget_end = Clock::now() + kWorkerWriteBudget;
    while (!c->write_failed && c->out_done < c->out_total()) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(budget_end - Clock::now());
      if (left.count() <= 0) break;
      pollfd p{c->fd, POLLOUT, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      c->write_failed = !WriteSome(c);
    }
    {
      std::lock_guard<std::mutex> lock(done_mu);
      done.push_back(c);
    }
    Wake();
  }
}

void HttpServer::Impl::SerializeHead(Connection* c) {
  std::string& h = c->out_head;
  h.clear();
  h.append("HTTP/1.1 ").append(std::to_string(c->response.status)).append(" ");
  h.append(Reason(c->response.status)).append("\r\n");
  h.append("Content-Length: ").append(std::to_string(c->response.body.size())).append("\r\n");
  if (c->close_after_write) {
    h.append("Connection: close\r\n");
  } else {
    // Clients that honour the hint (Node's agent) stop reusing the connection before we close it.
    h.append("Keep-Alive: timeout=")
        .append(std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(options.read_timeout).count()))
        .append("\r\n");
  }
  for (const auto& [name, value] : c->response.headers) {
    h.append(name).append(": ").append(value).append("\r\n");
  }
  h.append("\r\n");
  c->out_done = 0;
  c->out_limit = SIZE_MAX;
}

bool HttpServer::Impl::WriteSome(Connection* c) {
  while (c->out_done < c->out_total()) {
    const size_t total = c->out_total();
    iovec iov[2];
    int count = 0;
    const size_t head = c->out_head.size();
    if (c->out_done < head) {
      iov[count++] = {c->out_head.data() + c->out_done, std::min(head, total) - c->out_done};
      if (total > head) iov[count++] = {c->response.body.data(), total - head};
    } else {
      iov[count++] = {c->response.body.data() + (c->out_done - head), total - c->out_done};
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(count);
    ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
    if (n > 0) {
      c->out_done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return false;
  }
  return true;
}

void HttpServer::Impl::OnWritable(Connection* c) {
  const size_t before = c->out_done;
  if (!WriteSome(c)) {
    Close(c);
    return;
  }
  if (c->out_done > before) c->last_activity = Clock::now();
  if (c->out_done == c->out_total()) AfterResponse(c);
}

void HttpServer::Impl::RefuseNow(Connection* c, int status, bool with_request, bool close) {
  c->response.Clear();
  c->response.status = status;
  refuse(with_request ? &c->request : nullptr, &c->response);
  c->close_after_write = close;
  SerializeHead(c);
  if (!WriteSome(c)) {
    Close(c);
    return;
  }
  c->last_activity = Clock::now();
  if (c->out_done < c->out_total()) {
    c->state = Connection::State::kWriting;
    Watch(c, EPOLLOUT);
  } else {
    AfterResponse(c);
  }
}

void HttpServer::Impl::AfterResponse(Connection* c) {
  c->last_activity = Clock::now();
  if (c->close_after_write) {
    // Half-close and discard what the client still sends (the body of a refused request), so that
    // it reads our answer rather than a reset.
    shutdown(c->fd, SHUT_WR);
    c->state = Connection::State::kDraining;
    Watch(c, EPOLLIN);
    return;
  }
  const size_t used = c->head_len + c->body_len;
  const size_t left = c->in_len - used;
  if (c->in_cap > kKeepBuffer && left <= kInitialBuffer) {
    std::unique_ptr<char[]> small(new char[kInitialBuffer]);
    if (left > 0) std::memcpy(small.get(), c->in.get() + used, left);
    c->in = std::move(small);
    c->in_cap = kInitialBuffer;
  } else if (left > 0) {
    std::memmove(c->in.get(), c->in.get() + used, left);
  }
  c->in_len = left;
  c->scanned = 0;
  c->have_head = false;
  c->head_len = c->body_len = 0;
  c->request.headers.clear();
  c->request.body = {};
  if (c->response.body.capacity() > kKeepBuffer) std::string().swap(c->response.body);
  c->response.Clear();
  c->out_done = 0;
  c->state = Connection::State::kReading;
  Watch(c, EPOLLIN);
  if (left > 0) Parse(c);  // a request sent before our answer (pipelining)
}

void HttpServer::Impl::Close(Connection* c) {
  Watch(c, 0);
  close(c->fd);
  connections.erase(c);
}

void HttpServer::Impl::Sweep(Clock::time_point now) {
  std::vector<Connection*> stale;
  for (auto& [ptr, c] : connections) {
    const auto state = c->state;
    if (state == Connection::State::kQueued || state == Connection::State::kRunning) continue;
    // Idle, half-sent, not reading our answer, or still sending a refused body: all the same to
    // the contract, which is that no connection is kept past the read timeout without progress.
    if (now - c->last_activity >= options.read_timeout) stale.push_back(ptr);
  }
  for (Connection* c : stale) Close(c);
}

}  // namespace tsb::emulator
