// Why cpp-httplib is enough here. The serving-rate goals (GetRange at 300k+ rows/s with 5000-row
// pages, BatchWriteRow at 100k+ rows/s with 200-row requests) mean only ~60 GetRange or ~500
// BatchWriteRow requests per second: the work is per row (PlainBuffer, RocksDB), not per request.
// httplib's blocking thread-per-connection model costs a few microseconds of parsing and one
// read/write syscall pair per request, which is noise at these request rates; keep-alive removes
// connection set-up, TCP_NODELAY removes Nagle's delay on small answers. What must be avoided is
// per-row work in the HTTP layer, so the body is handed to the handlers as a view (never copied),
// and the response is encoded straight into the response body.
//
// Threads: httplib serves each keep-alive connection on one pool thread for the connection's
// life, so the pool bounds the number of concurrent clients rather than CPU use. An import and an
// export with --parallel 4 each, plus an SDK test, already hold ~10 connections; the pool is sized
// well above the core count (mostly idle, blocked threads cost only memory).
#include "emulator/server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <random>
#include <thread>
#include <utility>

#include "emulator/auth.h"
#include "emulator/handlers.h"
#include "emulator/store.h"
#include "tablestore/signer.h"

namespace tsb::emulator {

namespace {

// Above this the request is refused by httplib with 413 before it is read. The service's own
// limit is ~5 MB (wire doc C.1); ours is looser so that oversize batches reach the handlers and
// get the service's precise message ("The total data size of BatchWriteRow request exceeds...").
constexpr size_t kMaxRequestBodyBytes = 64u << 20;
constexpr time_t kKeepAliveIdleSeconds = 30;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Request ids look like the service's (UUID-shaped): a random per-process prefix, so ids differ
// across restarts, and a counter, so they are unique within the process.
class RequestIdGenerator {
 public:
  RequestIdGenerator() {
    std::random_device rd;
    prefix_ = (static_cast<uint64_t>(rd()) << 32) | rd();
  }
  std::string Next() {
    uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed);
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx",
                  static_cast<uint32_t>(prefix_ >> 32), static_cast<uint32_t>(prefix_ >> 16) & 0xFFFF,
                  static_cast<uint32_t>(prefix_) & 0xFFFF, static_cast<uint32_t>(n >> 48) & 0xFFFF,
                  static_cast<unsigned long long>(n & 0xFFFFFFFFFFFFULL));
    return buf;
  }

 private:
  uint64_t prefix_;
  std::atomic<uint64_t> counter_{1};
};

}  // namespace

struct EmulatorServer::Impl {
  EmulatorOptions options;
  std::string data_dir;
  bool temporary = false;
  int port = 0;
  std::unique_ptr<Store> store;
  std::unique_ptr<Authenticator> authenticator;
  FaultInjector faults;
  std::unique_ptr<Handlers> handlers;
  std::unique_ptr<httplib::Server> http;
  std::thread listener;
  RequestIdGenerator request_ids;
  bool started = false;

  void Serve(const httplib::Request& req, httplib::Response& res);
  void RefuseMethod(const httplib::Request& req, httplib::Response& res);
  // Sets status, the x-ots-* headers and (when `key` is known) the signed authorization.
  void Finish(std::string_view path, const AccessKeyConfig* key, int status,
              httplib::Response& res);
};

void EmulatorServer::Impl::Finish(std::string_view path, const AccessKeyConfig* key, int status,
                                  httplib::Response& res) {
  res.status = status;
  const std::string md5 = ots::ContentMd5(res.body);
  const std::string date = ots::FormatOtsDate(NowMicros(), 6);
  const std::string request_id = request_ids.Next();
  static constexpr std::string_view kContentType = "protocol buffer";
  if (key != nullptr) {
    const ots::HeaderEntry signed_headers[] = {
        {"x-ots-contentmd5", md5},
        {"x-ots-contenttype", kContentType},
        {"x-ots-date", date},
        {"x-ots-requestid", request_id},
    };
    res.set_header("authorization",
                   ots::ResponseAuthorization(key->id, key->secret,
                                              ots::ResponseStringToSign(path, signed_headers)));
  }
  res.set_header("x-ots-contentmd5", md5);
  res.set_header("x-ots-contenttype", std::string(kContentType));
  res.set_header("x-ots-date", date);
  res.set_header("x-ots-requestid", request_id);
}

void EmulatorServer::Impl::Serve(const httplib::Request& req, httplib::Response& res) {
  const auto start = std::chrono::steady_clock::now();
  std::string_view path = req.path;
  std::string_view operation = path.empty() ? path : path.substr(1);

  // Views into req.headers: no copies of names or values.
  thread_local std::vector<ots::HeaderEntry> headers;
  headers.clear();
  for (const auto& [name, value] : req.headers) headers.push_back({name, value});

  Identity identity;
  OperationSummary summary;
  int status;
  Status auth = authenticator->Authenticate(path, headers, req.body, &identity);
  if (!auth.ok()) {
    EncodeErrorBody(auth.ots_code(), auth.message(), &res.body);
    status = auth.http_status();
  } else {
    status = handlers->Handle({operation, identity.instance, req.body}, &res.body, &summary);
  }
  Finish(path, identity.key, status, res);

  if (options.log_requests && spdlog::should_log(spdlog::level::debug)) {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count();
    if (auth.ok()) {
      spdlog::debug("{} instance={} table={} rows={} status={} {:.2f}ms", operation,
                    identity.instance, summary.table, summary.rows, status, ms);
    } else {
      // The refusal reason, never the secret or the signature.
      spdlog::debug("{} refused: {} {} status={} {:.2f}ms", operation, auth.ots_code(),
                    auth.message(), status, ms);
    }
  }
}

void EmulatorServer::Impl::RefuseMethod(const httplib::Request& req, httplib::Response& res) {
  EncodeErrorBody("OTSMethodNotAllowed", "Only POST method for requests is supported.",
                  &res.body);
  const AccessKeyConfig* key = authenticator->FindKey(req.get_header_value("x-ots-accesskeyid"));
  Finish(req.path, key, 405, res);
  if (options.log_requests) spdlog::debug("{} {}: refused, status=405", req.method, req.path);
}

EmulatorServer::EmulatorServer(EmulatorOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

EmulatorServer::~EmulatorServer() { Stop(); }

Status EmulatorServer::Start() {
  Impl& s = *impl_;
  if (s.started) return Status::InvalidArgument("the emulator is already started");

  std::vector<FaultRule> rules;
  for (const std::string& text : s.options.config.faults) {
    TSB_ASSIGN_OR_RETURN(FaultRule rule, ParseFaultRule(text));
    rules.push_back(std::move(rule));
  }
  for (const FaultRule& rule : s.options.faults) rules.push_back(rule);
  s.faults.SetRules(std::move(rules), s.options.config.fault_seed);

  StoreOptions store_options;
  store_options.sync = s.options.sync;
  if (s.options.data_dir.empty()) {
    // Our own temporary directory (rather than the Store's) so that the banner can name it.
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string pattern = (base / "tsbridge-emulator-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return Status::IOError("cannot create a temporary directory under " + base.string());
    }
    s.data_dir = pattern;
    s.temporary = true;
    if (!store_options.sync) store_options.sync = false;
  } else {
    s.data_dir = s.options.data_dir;
    s.temporary = false;
  }
  store_options.data_dir = s.data_dir;
  auto store = Store::Open(store_options);
  if (!store.ok()) {
    if (s.temporary) {
      std::error_code ec;
      std::filesystem::remove_all(s.data_dir, ec);
    }
    return store.status().WithContext("emulator store " + s.data_dir);
  }
  s.store = std::move(store).value();
  s.authenticator = std::make_unique<Authenticator>(&s.options.config);
  s.handlers = std::make_unique<Handlers>(s.store.get(), &s.faults);

  s.http = std::make_unique<httplib::Server>();
  httplib::Server& http = *s.http;
  size_t threads = s.options.threads > 0
                       ? static_cast<size_t>(s.options.threads)
                       : std::max<size_t>(32, 4 * std::max(1u, std::thread::hardware_concurrency()));
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_keep_alive_max_count(std::numeric_limits<int>::max());
  http.set_keep_alive_timeout(kKeepAliveIdleSeconds);
  http.set_tcp_nodelay(true);
  http.set_payload_max_length(kMaxRequestBodyBytes);
  Impl* impl = impl_.get();
  http.Post(".*", [impl](const httplib::Request& req, httplib::Response& res) {
    impl->Serve(req, res);
  });
  auto refuse = [impl](const httplib::Request& req, httplib::Response& res) {
    impl->RefuseMethod(req, res);
  };
  http.Get(".*", refuse);
  http.Put(".*", refuse);
  http.Patch(".*", refuse);
  http.Delete(".*", refuse);
  http.Options(".*", refuse);
  // Errors httplib raises itself (oversize or unparsable HTTP) get a service-shaped body too; our
  // own error answers already have one and pass through.
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [impl](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 413) {
      EncodeErrorBody("OTSRequestBodyTooLarge", "The size of POST data is too large.", &res.body);
    } else if (res.status == 404 || res.status == 405) {
      EncodeErrorBody("OTSMethodNotAllowed", "Only POST method for requests is supported.",
                      &res.body);
      res.status = 405;
    } else {
      EncodeErrorBody("OTSParameterInvalid", "Malformed HTTP request.", &res.body);
    }
    impl->Finish(req.path, nullptr, res.status, res);
    return httplib::Server::HandlerResponse::Handled;
  }));

  int port;
  if (s.options.port == 0) {
    port = http.bind_to_any_port(s.options.host);
  } else {
    port = http.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1;
  }
  if (port <= 0) {
    s.http.reset();
    s.handlers.reset();
    s.store.reset();
    if (s.temporary) {
      std::error_code ec;
      std::filesystem::remove_all(s.data_dir, ec);
    }
    return Status::Unavailable("cannot listen on " + s.options.host + ":" +
                               std::to_string(s.options.port) +
                               " (address in use, or not a local address)");
  }
  s.port = port;
  s.listener = std::thread([impl] { impl->http->listen_after_bind(); });
  // The socket already queues connections once bound; wait for the accept loop anyway so that
  // Stop() right after Start() cannot race it.
  while (!http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  s.started = true;
  return Status::OK();
}

void EmulatorServer::Stop() {
  Impl& s = *impl_;
  if (!s.started) return;
  s.http->stop();
  if (s.listener.joinable()) s.listener.join();
  s.http.reset();
  s.handlers.reset();
  s.store.reset();
  if (s.temporary) {
    std::error_code ec;
    std::filesystem::remove_all(s.data_dir, ec);
  }
  s.started = false;
}

const std::string& EmulatorServer::host() const { return impl_->options.host; }
int EmulatorServer::port() const { return impl_->port; }
std::string EmulatorServer::endpoint() const {
  const std::string& h = impl_->options.host;
  // An IPv6 literal needs brackets in a URL.
  bool v6 = h.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + h + "]" : h) + ":" + std::to_string(impl_->port);
}
const std::string& EmulatorServer::data_dir() const { return impl_->data_dir; }
bool EmulatorServer::temporary_store() const { return impl_->temporary; }
FaultInjector& EmulatorServer::faults() { return impl_->faults; }
Store* EmulatorServer::store() { return impl_->store.get(); }

}  // namespace tsb::emulator
