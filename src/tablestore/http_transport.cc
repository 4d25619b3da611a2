#include "tsbridge/tablestore/http_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>

#include "core/ascii.h"

namespace tsb::ots {

namespace {

// curl_global_init is not thread-safe and must run once per process, before any handle exists.
CURLcode GlobalInit() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  return code;
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() &&
         (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// The host of "scheme://host[:port]" is a loopback address, where the emulator usually runs.
bool IsLoopbackUrl(std::string_view url) {
  size_t sep = url.find("://");
  if (sep != std::string_view::npos) url.remove_prefix(sep + 3);
  std::string host;
  if (url.starts_with("[")) {
    host = std::string(url.substr(1, url.find(']') - 1));
  } else {
    host = std::string(url.substr(0, url.find(':')));
  }
  AsciiLowerInPlace(&host);
  return host == "localhost" || host.ends_with(".localhost") || host.starts_with("127.") ||
         host == "::1" || host == "0.0.0.0";
}

// OpenSSL's words for a handshake that got a plain-text answer (an HTTP server on the port).
bool LooksLikePlainHttp(std::string_view detail) {
  for (std::string_view sign : {"wrong version number", "packet length too long",
                                "unknown protocol", "record layer failure", "http request"}) {
    if (detail.find(sign) != std::string_view::npos) return true;
  }
  return false;
}

// State one Post() hands to libcurl's callbacks.
struct CallState {
  HttpResponse* response;
  size_t max_bytes;
  bool too_large = false;
  uint64_t header_bytes = 0;
  // Headers seen so far; response->headers keeps its old entries (and their string capacity)
  // for reuse and is cut to this count at the end.
  size_t header_count = 0;
};

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* state = static_cast<CallState*>(user);
  size_t n = size * nmemb;
  if (state->response->body.size() + n > state->max_bytes) {
    state->too_large = true;
    return 0;  // makes libcurl abort the transfer with CURLE_WRITE_ERROR
  }
  state->response->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* state = static_cast<CallState*>(user);
  size_t n = size * nmemb;
  state->header_bytes += n;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new status line (after a 100 Continue or a redirect): forget earlier headers.
    state->header_count = 0;
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::vector<HttpHeader>& headers = state->response->headers;
  if (state->header_count == headers.size()) headers.emplace_back();
  HttpHeader& h = headers[state->header_count++];
  h.name.assign(TrimView(line.substr(0, colon)));
  AsciiLowerInPlace(&h.name);
  h.value.assign(TrimView(line.substr(colon + 1)));
  return n;
}

// Shares DNS and TLS sessions between the pool's handles; libcurl asks us to lock.
class CurlShare {
 public:
  CurlShare() : share_(curl_share_init()) {
    if (share_ == nullptr) return;
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &Lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &Unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  ~CurlShare() {
    if (share_ != nullptr) curl_share_cleanup(share_);
  }
  CURLSH* get() const { return share_; }

 private:
  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<CurlShare*>(user)->mu_[Slot(data)].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<CurlShare*>(user)->mu_[Slot(data)].unlock();
  }
  static int Slot(curl_lock_data data) {
    return data == CURL_LOCK_DATA_DNS ? 0 : data == CURL_LOCK_DATA_SSL_SESSION ? 1 : 2;
  }

  CURLSH* share_;
  std::mutex mu_[3];
};

class CurlTransport : public HttpTransport {
 public:
  CurlTransport(std::string base_url, HttpTransportOptions options)
      : base_url_(std::move(base_url)), options_(std::move(options)) {}

  ~CurlTransport() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }

  Status Post(const HttpRequest& request, HttpResponse* response) override;
  uint64_t bytes_sent() const override { return bytes_sent_.load(std::memory_order_relaxed); }
  uint64_t bytes_received() const override {
    return bytes_received_.load(std::memory_order_relaxed);
  }

 private:
  CURL* Borrow();
  void Return(CURL* handle, bool reusable);
  CURL* NewHandle();

  const std::string base_url_;
  const HttpTransportOptions options_;
  CurlShare share_;
  std::mutex mu_;
  std::vector<CURL*> idle_;  // guarded by mu_
  std::atomic<uint64_t> bytes_sent_{0};
  std::atomic<uint64_t> bytes_received_{0};
};

// Options that never change for a handle are set once, here; Post() sets only the per-call ones.
CURL* CurlTransport::NewHandle() {
  CURL* h = curl_easy_init();
  if (h == nullptr) return nullptr;
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: we are threaded
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(
                       1, std::min(options_.connect_timeout, options_.request_timeout).count())));
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  if (share_.get() != nullptr) curl_easy_setopt(h, CURLOPT_SHARE, share_.get());
  return h;
}

CURL* CurlTransport::Borrow() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      CURL* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return NewHandle();
}

void CurlTransport::Return(CURL* handle, bool reusable) {
  if (reusable) {
    std::lock_guard<std::mutex> lock(mu_);
    if (static_cast<int>(idle_.size()) < options_.max_idle_connections) {
      idle_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(handle);
}

Status CurlTransport::Post(const HttpRequest& request, HttpResponse* response) {
  response->status = 0;
  response->body.clear();
  CURL* h = Borrow();
  if (h == nullptr) return Status::Internal("curl_easy_init failed");

  std::string url;
  url.reserve(base_url_.size() + request.path.size());
  url.append(base_url_).append(request.path);

  // libcurl adds "Expect: 100-continue" to larger POSTs (a round trip wasted) and a form
  // Content-Type; an empty value removes a header.
  curl_slist* headers = curl_slist_append(nullptr, "Expect:");
  headers = curl_slist_append(headers, "Content-Type:");
  if (request.headers != nullptr) {
    std::string line;
    for (const HttpHeader& hdr : *request.headers) {
      line.assign(hdr.name).append(": ").append(hdr.value);
      headers = curl_slist_append(headers, line.c_str());
    }
  }

  CallState state{response, options_.max_response_bytes};
  char error_detail[CURL_ERROR_SIZE];
  error_detail[0] = '\0';
  std::chrono::milliseconds timeout = options_.request_timeout;
  if (request.timeout.count() > 0) timeout = std::min(timeout, request.timeout);

  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(timeout.count(), 1)));
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &state);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_detail);

  CURLcode rc = curl_easy_perform(h);
  long os_errno = 0;
  curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);

  curl_off_t uploaded = 0;
  curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  long request_header_size = 0;
  curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_header_size);
  bytes_sent_.fetch_add(
      static_cast<uint64_t>(uploaded) + static_cast<uint64_t>(request_header_size),
      std::memory_order_relaxed);
  bytes_received_.fetch_add(response->body.size() + state.header_bytes, std::memory_order_relaxed);

  response->headers.resize(state.header_count);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  // The handle no longer points at our stack or our header list once we return it.
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(headers);
  // After a failure the connection is closed by libcurl anyway; the handle itself stays usable.
  Return(h, true);

  if (state.too_large) {
    return Status::Corruption("POST " + std::string(request.path) + ": response larger than " +
                              std::to_string(options_.max_response_bytes) + " bytes");
  }
  if (rc != CURLE_OK) {
    // CURLE_PARTIAL_FILE (a body shorter than Content-Length), timeouts, resets, refusals: all
    // network errors, retriable for reads. The URL holds no secret, so it may be named.
    std::string msg =
        "POST " + base_url_ + std::string(request.path) + ": " + curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      msg += " (deadline " + std::to_string(timeout.count()) + " ms)";
    }
    if (rc == CURLE_COULDNT_CONNECT) {
      // The request never left: say where we tried and, for a local endpoint, the likely cause.
      std::string why = os_errno != 0 ? std::strerror(static_cast<int>(os_errno))
                                      : std::string(curl_easy_strerror(rc));
      std::string hint = IsLoopbackUrl(base_url_)
                             ? "; is `tsbridge emulator` running and listening there?"
                             : "; check the endpoint's host and port";
      return Status::Unavailable(std::string(kCannotConnect) + base_url_ + " (" + why + ")" + hint);
    }
    if (rc == CURLE_SSL_CONNECT_ERROR && base_url_.starts_with("https://") &&
        LooksLikePlainHttp(error_detail)) {
      // Retrying a handshake with a server that does not speak TLS cannot help.
      std::string plain = "http://" + base_url_.substr(8);
      return Status::Corruption("endpoint " + base_url_ +
                                " does not speak TLS (the TLS handshake got a plain-text answer: " +
                                error_detail + "); if it is `tsbridge emulator`, use " + plain);
    }
    if (rc == CURLE_SSL_CACERT || rc == CURLE_PEER_FAILED_VERIFICATION ||
        rc == CURLE_SSL_CACERT_BADFILE) {
      // A certificate problem does not go away by retrying.
      return Status::PermissionDenied(msg);
    }
    response->status = 0;
    return Status::Unavailable(msg);
  }
  response->status = static_cast<int>(status);
  return Status::OK();
}

}  // namespace

const std::string* HttpResponse::FindHeader(std::string_view lower_name) const {
  for (const HttpHeader& h : headers) {
    if (h.name == lower_name) return &h.value;
  }
  return nullptr;
}

Result<std::unique_ptr<HttpTransport>> NewCurlTransport(std::string base_url,
                                                        HttpTransportOptions options) {
  if (!base_url.starts_with("http://") && !base_url.starts_with("https://")) {
    return Status::InvalidArgument("endpoint \"" + base_url + "\": expected http:// or https://");
  }
  while (base_url.ends_with("/")) base_url.pop_back();
  if (GlobalInit() != CURLE_OK) return Status::Internal("curl_global_init failed");
  return std::unique_ptr<HttpTransport>(
      std::make_unique<CurlTransport>(std::move(base_url), std::move(options)));
}

}  // namespace tsb::ots
