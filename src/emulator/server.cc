// The HTTP layer is http_server.h: an event loop that parses requests without blocking and a
// bounded worker pool that runs them, so an idle or stalled connection never holds a thread (see
// there for the timeouts and refusals). The serving-rate goals (GetRange at 300k+ rows/s with
// 5000-row pages, BatchWriteRow at 100k+ rows/s with 200-row requests) mean only hundreds of
// requests per second: the work is per row (PlainBuffer, RocksDB), not per request. What must be
// avoided is per-row work in the HTTP layer, so the body is handed to the handlers as a view into
// the connection's buffer (never copied), and the response is encoded straight into the response
// body that is written out.
//
// Workers: a worker runs one request at a time, so the pool bounds CPU use and concurrent store
// calls, not the number of clients. It is sized above the core count because a write with --data
// waits for its WAL sync, and concurrent writers share one sync (group commit).
#include "emulator/server.h"

#include <spdlog/fmt/fmt.h>
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

#include "core/log.h"
#include "emulator/auth.h"
#include "emulator/handlers.h"
#include "emulator/http_server.h"
#include "emulator/store.h"
#include "emulator/sts.h"
#include "emulator/throttle.h"
#include "tablestore/signer.h"

namespace tsb::emulator {

namespace {

// Above this the request is refused with 413 before its body is read. The service's own
// limit is ~5 MB (wire doc C.1); ours is looser so that oversize batches reach the handlers and
// get the service's precise message ("The total data size of BatchWriteRow request exceeds...").
constexpr size_t kMaxRequestBodyBytes = 64u << 20;
// decisions.md section 11: a connection idle this long is closed, and a request that waited this
// long for a worker is answered 503 OTSServerBusy.
constexpr std::chrono::milliseconds kReadTimeout{5000};
constexpr std::chrono::milliseconds kQueueTimeout{1000};

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
                  static_cast<uint32_t>(prefix_ >> 32),
                  static_cast<uint32_t>(prefix_ >> 16) & 0xFFFF,
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
  CredentialStore credentials;
  std::unique_ptr<Authenticator> authenticator;
  std::unique_ptr<StsService> sts;
  FaultInjector faults;
  std::unique_ptr<PartitionThrottle> throttle;
  std::unique_ptr<Handlers> handlers;
  std::unique_ptr<HttpServer> http;
  RequestIdGenerator request_ids;
  bool started = false;

  void Serve(const HttpRequest& req, HttpResponse* res);
  void ServeSts(const HttpRequest& req, HttpResponse* res);
  void RefuseMethod(const HttpRequest& req, HttpResponse* res);
  // Answers the HTTP layer's own refusals (malformed, too large, busy) in the service's shape.
  void Refuse(const HttpRequest* req, HttpResponse* res);
  // Sets status, the x-ots-* headers and (when `key` is known) the signed authorization.
  void Finish(std::string_view path, const AccessKeyConfig* key, int status, HttpResponse* res);
};

void EmulatorServer::Impl::Finish(std::string_view path, const AccessKeyConfig* key, int status,
                                  HttpResponse* res) {
  res->status = status;
  const std::string md5 = ots::ContentMd5(res->body);
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
    res->headers.emplace_back(
        "authorization",
        ots::ResponseAuthorization(key->id, key->secret,
                                   ots::ResponseStringToSign(path, signed_headers)));
  }
  res->headers.emplace_back("x-ots-contentmd5", md5);
  res->headers.emplace_back("x-ots-contenttype", std::string(kContentType));
  res->headers.emplace_back("x-ots-date", date);
  res->headers.emplace_back("x-ots-requestid", request_id);
}

void EmulatorServer::Impl::ServeSts(const HttpRequest& req, HttpResponse* res) {
  const auto start = std::chrono::steady_clock::now();
  StsAnswer answer = sts->Handle(req.method, req.query, req.body);
  res->status = answer.http_status;
  res->body = std::move(answer.json);
  res->headers.emplace_back("Content-Type", "application/json;charset=utf-8");
  if (options.log_requests && log::Enabled(log::Level::kDebug)) {
    // The status only: the parameters hold the caller's key id and signature, the answer the
    // issued secret and token.
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count();
    log::Write(log::Level::kDebug,
               fmt::format("STS {} status={} {:.2f}ms", req.method, res->status, ms),
               {{"event", std::string_view("request")},
                {"operation", std::string_view("STS")},
                {"method", std::string_view(req.method)},
                {"status", int64_t{res->status}},
                {"ms", ms}},
               "request");
  }
}

void EmulatorServer::Impl::Serve(const HttpRequest& req, HttpResponse* res) {
  // STS shares the address: POP RPC requests go to the root path, OTS operations never do.
  if (req.path == "/" && (req.method == "GET" || req.method == "POST")) {
    ServeSts(req, res);
    return;
  }
  if (req.method != "POST") {
    RefuseMethod(req, res);
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  std::string_view path = req.path;
  std::string_view operation = path.empty() ? path : path.substr(1);

  Identity identity;
  OperationSummary summary;
  int status;
  NetFault net = NetFault::kNone;
  Status auth = authenticator->Authenticate(path, req.headers, req.body, &identity);
  if (auth.ok() && Handlers::IsSupportedOperation(operation)) {
    auth = authenticator->Authorize(identity, operation, req.body);
  }
  if (!auth.ok()) {
    EncodeErrorBody(auth.ots_code(), auth.message(), &res->body);
    status = auth.http_status();
  } else {
    // A delay fault holds this worker as a slow operation would (after authentication, like
    // every fault, so that a refused request is never counted).
    if (!faults.empty()) {
      if (auto delay = faults.DelayFor(operation); delay.count() > 0) {
        std::this_thread::sleep_for(delay);
      }
      net = faults.NetFaultFor(operation);
    }
    if (net == NetFault::kDropBefore) {
      // Lost on the way in: the operation never runs.
      res->delivery = HttpResponse::Delivery::kDrop;
      status = 200;
    } else {
      status = handlers->Handle({operation, identity.instance, req.body}, &res->body, &summary);
      if (net == NetFault::kDropAfter) res->delivery = HttpResponse::Delivery::kDrop;
      if (net == NetFault::kTruncate) res->delivery = HttpResponse::Delivery::kTruncate;
    }
  }
  Finish(path, identity.key, status, res);

  if (options.log_requests && log::Enabled(log::Level::kDebug)) {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count();
    if (net != NetFault::kNone) {
      // rows= only when the operation ran, so that a log's rows add up to what was applied.
      static constexpr std::string_view kNames[] = {"", "drop-before", "drop-after", "truncate"};
      const std::string_view fault = kNames[static_cast<int>(net)];
      log::Write(
          log::Level::kDebug,
          fmt::format("{} instance={} table={} rows={} status={} fault={} {:.2f}ms", operation,
                      identity.instance, summary.table, summary.rows, status, fault, ms),
          {{"event", std::string_view("request")},
           {"operation", operation},
           {"instance", std::string_view(identity.instance)},
           {"table", std::string_view(summary.table)},
           {"rows", static_cast<int64_t>(summary.rows)},
           {"status", int64_t{status}},
           {"fault", fault},
           {"ms", ms}},
          "request");
    } else if (auth.ok()) {
      log::Write(log::Level::kDebug,
                 fmt::format("{} instance={} table={} rows={} status={} {:.2f}ms", operation,
                             identity.instance, summary.table, summary.rows, status, ms),
                 {{"event", std::string_view("request")},
                  {"operation", operation},
                  {"instance", std::string_view(identity.instance)},
                  {"table", std::string_view(summary.table)},
                  {"rows", static_cast<int64_t>(summary.rows)},
                  {"status", int64_t{status}},
                  {"ms", ms}},
                 "request");
    } else {
      // The refusal reason, never the secret or the signature.
      log::Write(log::Level::kDebug,
                 fmt::format("{} refused: {} {} status={} {:.2f}ms", operation, auth.ots_code(),
                             auth.message(), status, ms),
                 {{"event", std::string_view("request")},
                  {"operation", operation},
                  {"code", std::string_view(auth.ots_code())},
                  {"error", std::string_view(auth.message())},
                  {"status", int64_t{status}},
                  {"ms", ms}},
                 "request refused");
    }
  }
}

void EmulatorServer::Impl::RefuseMethod(const HttpRequest& req, HttpResponse* res) {
  EncodeErrorBody("OTSMethodNotAllowed", "Only POST method for requests is supported.", &res->body);
  const AccessKeyConfig* key = authenticator->FindKey(FindHeader(req.headers, "x-ots-accesskeyid"));
  Finish(req.path, key, 405, res);
  if (options.log_requests && log::Enabled(log::Level::kDebug)) {
    log::Write(log::Level::kDebug, fmt::format("{} {}: refused, status=405", req.method, req.path),
               {{"event", std::string_view("request")},
                {"method", std::string_view(req.method)},
                {"path", std::string_view(req.path)},
                {"status", int64_t{405}}},
               "request refused");
  }
}

void EmulatorServer::Impl::Refuse(const HttpRequest* req, HttpResponse* res) {
  const int status = res->status;
  const AccessKeyConfig* key = nullptr;
  if (status == 413) {
    EncodeErrorBody("OTSRequestBodyTooLarge", "The size of POST data is too large.", &res->body);
  } else if (status == 503) {
    EncodeErrorBody("OTSServerBusy", "Server is busy.", &res->body);
    // The request was read whole: sign the answer as any other, so SDKs that verify it retry.
    if (req != nullptr) key = authenticator->FindKey(FindHeader(req->headers, "x-ots-accesskeyid"));
  } else {
    EncodeErrorBody("OTSParameterInvalid", "Malformed HTTP request.", &res->body);
  }
  Finish(req != nullptr ? req->path : std::string_view("/"), key, status, res);
  if (options.log_requests && log::Enabled(log::Level::kDebug)) {
    const std::string_view where = req != nullptr ? req->path : std::string_view("(unparsed)");
    log::Write(
        log::Level::kDebug, fmt::format("{}: refused by the HTTP layer, status={}", where, status),
        {{"event", std::string_view("request")}, {"path", where}, {"status", int64_t{status}}},
        "request refused");
  }
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
  s.authenticator = std::make_unique<Authenticator>(&s.options.config, &s.credentials);
  s.sts = std::make_unique<StsService>(&s.options.config, &s.credentials);
  const double rate = s.options.partition_write_rate > 0 ? s.options.partition_write_rate
                                                         : s.options.config.partition_write_rate;
  s.throttle = std::make_unique<PartitionThrottle>(rate, s.store.get());
  s.handlers = std::make_unique<Handlers>(s.store.get(), &s.faults, s.throttle.get());

  HttpServerOptions http_options;
  http_options.host = s.options.host;
  http_options.port = s.options.port;
  http_options.threads = s.options.threads > 0
                             ? s.options.threads
                             : static_cast<int>(std::max<unsigned>(
                                   32, 4 * std::max(1u, std::thread::hardware_concurrency())));
  http_options.read_timeout = kReadTimeout;
  http_options.queue_timeout = kQueueTimeout;
  http_options.max_body_bytes = kMaxRequestBodyBytes;
  Impl* impl = impl_.get();
  s.http = std::make_unique<HttpServer>(
      http_options, [impl](const HttpRequest& req, HttpResponse* res) { impl->Serve(req, res); },
      [impl](const HttpRequest* req, HttpResponse* res) { impl->Refuse(req, res); });
  Status listening = s.http->Listen();
  if (!listening.ok()) {
    s.http.reset();
    s.handlers.reset();
    s.throttle.reset();
    s.store.reset();
    if (s.temporary) {
      std::error_code ec;
      std::filesystem::remove_all(s.data_dir, ec);
    }
    return listening;
  }
  s.port = s.http->port();
  s.http->Start();
  s.started = true;
  return Status::OK();
}

void EmulatorServer::Stop() {
  Impl& s = *impl_;
  if (!s.started) return;
  s.http->Stop();
  s.http.reset();
  s.handlers.reset();
  s.throttle.reset();
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
