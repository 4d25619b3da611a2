// The transport and the client's error, retry and filter handling against a scripted raw-socket
// server: the misbehaviours a real HTTP server library will not produce on request (a body cut
// short, a stall mid-body, a non-Tablestore error page). Everything else runs against the emulator
// (tests/tablestore/client_test.cc).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tsbridge/tablestore/client.h"
#include "tsbridge/tablestore/http_transport.h"
#include "tablestore/plainbuffer.h"
#include "tablestore/proto/table_store.pb.h"
#include "tablestore/signer.h"

using namespace tsb;
using namespace tsb::ots;
using std::chrono::milliseconds;

namespace {

// One scripted answer: raw bytes to write, then either close or hold the connection open.
struct Script {
  std::string bytes;
  bool stall_after = false;  // keep the socket open without sending more
};

// Accepts connections on 127.0.0.1:<ephemeral>; for every request (head + Content-Length body)
// calls `answer` and writes what it returns. Records the requests it saw.
class RawServer {
 public:
  explicit RawServer(std::function<Script(const std::string& request)> answer)
      : answer_(std::move(answer)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(listen(fd_, 16) == 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~RawServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    for (int c : open_) shutdown(c, SHUT_RDWR);
    for (auto& t : workers_) t.join();
    for (int c : open_) close(c);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  int connections() const { return connections_.load(); }

 private:
  // One thread per connection: a kept-alive connection of one client must not block another's.
  void Serve() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++connections_;
      std::lock_guard<std::mutex> lock(mu_);
      open_.push_back(c);
      workers_.emplace_back([this, c] { ServeConnection(c); });
    }
  }
  // Returns true if the connection is being held open (stalled).
  bool ServeConnection(int c) {
    std::string buf;
    char tmp[4096];
    for (;;) {
      size_t head_end;
      while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = recv(c, tmp, sizeof(tmp), 0);
        if (n <= 0) return false;
        buf.append(tmp, n);
      }
      size_t body_len = 0;
      std::string head = buf.substr(0, head_end);
      for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      size_t cl = head.find("content-length:");
      if (cl != std::string::npos) body_len = std::stoul(head.substr(cl + 15));
      while (buf.size() < head_end + 4 + body_len) {
        ssize_t n = recv(c, tmp, sizeof(tmp), 0);
        if (n <= 0) return false;
        buf.append(tmp, n);
      }
      std::string request = buf.substr(0, head_end + 4 + body_len);
      buf.erase(0, request.size());
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(request);
      }
      Script s = answer_(request);
      send(c, s.bytes.data(), s.bytes.size(), MSG_NOSIGNAL);
      if (s.stall_after) return true;  // held open until the destructor
      if (s.bytes.find("Connection: close") != std::string::npos) {
        shutdown(c, SHUT_RDWR);
        return false;
      }
    }
  }

  std::function<Script(const std::string&)> answer_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<std::string> requests_;
  std::vector<int> open_;                // guarded by mu_; closed by the destructor
  std::vector<std::thread> workers_;     // guarded by mu_
};

std::string HttpAnswer(int status, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nx-ots-requestid: rid-" + std::to_string(status) +
         "\r\n" + extra + "\r\n" + body;
}

std::string ErrorBody(const std::string& code, const std::string& message) {
  pb::Error e;
  e.set_code(code);
  e.set_message(message);
  return e.SerializeAsString();
}

std::string ListTableBody(std::vector<std::string> names) {
  pb::ListTableResponse r;
  for (auto& n : names) r.add_table_names(n);
  return r.SerializeAsString();
}

// A retry clock that does not sleep.
class NoSleepEnv : public RetryEnv {
 public:
  std::chrono::steady_clock::time_point Now() override { return now_; }
  void SleepFor(milliseconds d) override {
    sleeps.push_back(d.count());
    now_ += d;
  }
  double Uniform01() override { return 0.0; }
  std::vector<int64_t> sleeps;

 private:
  std::chrono::steady_clock::time_point now_{};
};

ClientOptions Options(const std::string& url) {
  ClientOptions o;
  o.endpoint = url;
  o.instance = "inst";
  o.credentials.access_key_id = "tsbAcceptKey";
  o.credentials.access_key_secret = "tsbAcceptSecret0123456789";
  o.http.request_timeout = milliseconds(3000);
  return o;
}

}  // namespace

TEST_CASE("filters serialize to the bytes the Node SDK sends") {
  // wire doc A.4: col == "abc", passIfMissing false (filter_if_missing true).
  std::string out;
  REQUIRE(EncodeFilter(ColumnFilter::Compare("col", Comparator::kEqual, Value::String("abc"), true),
                       &out)
              .ok());
  const unsigned char expected[] = {0x08, 0x01, 0x12, 0x15, 0x08, 0x01, 0x12, 0x03, 'c',  'o',
                                    'l',  0x1a, 0x08, 0x03, 0x03, 0x00, 0x00, 0x00, 'a',  'b',
                                    'c',  0x20, 0x01, 0x28, 0x01};
  CHECK(out == std::string(reinterpret_cast<const char*>(expected), sizeof(expected)));

  // A composite: NOT (a > 1 AND b <= 2.5); its inner filters nest as messages.
  std::vector<ColumnFilter> both;
  both.push_back(ColumnFilter::Compare("a", Comparator::kGreaterThan, Value::Integer(1)));
  both.push_back(ColumnFilter::Compare("b", Comparator::kLessEqual, Value::Double(2.5)));
  std::string composite;
  REQUIRE(EncodeFilter(ColumnFilter::Not(ColumnFilter::And(std::move(both))), &composite).ok());
  CHECK(composite.substr(0, 2) == std::string("\x08\x02", 2));  // FT_COMPOSITE_COLUMN_VALUE

  std::string bad;
  CHECK_FALSE(EncodeFilter(ColumnFilter::And({}), &bad).ok());
  CHECK_FALSE(
      EncodeFilter(ColumnFilter::Compare("x", Comparator::kEqual, Value::InfMin()), &bad).ok());
  CHECK_FALSE(EncodeFilter(ColumnFilter::Compare("", Comparator::kEqual, Value::Integer(1)), &bad)
                  .ok());

  // A column pagination: FT_COLUMN_PAGINATION (3), then offset 1 and limit 2; only at the top.
  std::string page;
  REQUIRE(EncodeFilter(ColumnFilter::ColumnPagination(1, 2), &page).ok());
  CHECK(page == std::string("\x08\x03\x12\x04\x08\x01\x10\x02", 8));
  std::vector<ColumnFilter> paged;
  paged.push_back(ColumnFilter::ColumnPagination(1, 2));
  paged.push_back(ColumnFilter::Compare("a", Comparator::kEqual, Value::Integer(1)));
  CHECK_FALSE(EncodeFilter(ColumnFilter::And(std::move(paged)), &bad).ok());
  CHECK_FALSE(EncodeFilter(ColumnFilter::ColumnPagination(-1, 2), &bad).ok());
}

TEST_CASE("requests are signed, connections are reused, and secrets never leave") {
  RawServer server([](const std::string&) {
    return Script{HttpAnswer(200, ListTableBody({"t1", "t2"}))};
  });
  auto client = Client::Create(Options(server.url()));
  REQUIRE(client.ok());
  for (int i = 0; i < 3; ++i) {
    auto tables = (*client)->ListTable();
    REQUIRE(tables.ok());
    CHECK(*tables == std::vector<std::string>{"t1", "t2"});
  }
  CHECK(server.connections() == 1);  // kept alive
  auto reqs = server.requests();
  REQUIRE(reqs.size() == 3);
  const std::string& r = reqs[0];
  CHECK(r.starts_with("POST /ListTable HTTP/1.1\r\n"));
  CHECK(r.find("x-ots-apiversion: 2015-12-31\r\n") != std::string::npos);
  CHECK(r.find("x-ots-instancename: inst\r\n") != std::string::npos);
  CHECK(r.find("x-ots-accesskeyid: tsbAcceptKey\r\n") != std::string::npos);
  CHECK(r.find("x-ots-contentmd5: 1B2M2Y8AsgTpgAmY7PhCfg==\r\n") != std::string::npos);
  CHECK(r.find("x-ots-signature: ") != std::string::npos);
  CHECK(r.find("User-Agent: tsbridge/") != std::string::npos);
  CHECK(r.find("Expect:") == std::string::npos);
  CHECK(r.find("tsbAcceptSecret0123456789") == std::string::npos);
  CHECK(r.find("x-ots-ststoken") == std::string::npos);
  auto stats = (*client)->stats();
  CHECK(stats.requests == 3);
  CHECK(stats.bytes_sent > 0);
  CHECK(stats.bytes_received > 0);

  Credentials sts;
  sts.access_key_id = "STS.key";
  sts.access_key_secret = "stsSecret";
  sts.security_token = "tokenValue";
  (*client)->SetCredentials(sts);
  REQUIRE((*client)->ListTable().ok());
  CHECK(server.requests().back().find("x-ots-ststoken: tokenValue\r\n") != std::string::npos);
}

TEST_CASE("service errors are decoded; a cut body and a stall are network errors") {
  std::atomic<int> calls{0};
  std::string mode;
  RawServer server([&](const std::string&) -> Script {
    ++calls;
    if (mode == "auth") {
      return Script{HttpAnswer(403, ErrorBody("OTSAuthFailed", "Signature mismatch."))};
    }
    if (mode == "short") {
      std::string body = ListTableBody({"t1"});
      return Script{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n" +
                    body.substr(0, 3)};
    }
    if (mode == "stall") {
      return Script{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", true};
    }
    if (mode == "proxy") return Script{HttpAnswer(502, "<html>bad gateway</html>")};
    if (mode == "badsig") {
      return Script{HttpAnswer(200, ListTableBody({"t1"}),
                               "authorization: OTS tsbAcceptKey:AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n")};
    }
    if (mode == "goodsig") {
      HeaderEntry h[] = {{"x-ots-requestid", "rid-200"}};
      std::string sig =
          Signature("tsbAcceptSecret0123456789", ResponseStringToSign("/ListTable", h));
      return Script{HttpAnswer(200, ListTableBody({"t1"}),
                               "authorization: OTS tsbAcceptKey:" + sig + "\r\n")};
    }
    if (mode == "md5") {
      return Script{HttpAnswer(200, ListTableBody({"t1"}), "x-ots-contentmd5: AAAA\r\n")};
    }
    return Script{HttpAnswer(200, ListTableBody({}))};
  });
  ClientOptions o = Options(server.url());
  o.retry.max_attempts = 1;
  o.http.request_timeout = milliseconds(500);
  auto client = Client::Create(o);
  REQUIRE(client.ok());

  mode = "auth";
  auto r = (*client)->ListTable();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kPermissionDenied);
  CHECK(r.status().ots_code() == "OTSAuthFailed");
  CHECK(r.status().http_status() == 403);
  CHECK(r.status().request_id() == "rid-403");
  CHECK(r.status().message().find("Signature mismatch.") != std::string::npos);
  CHECK(r.status().ToString().find("tsbAcceptSecret") == std::string::npos);

  mode = "short";
  r = (*client)->ListTable();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK(r.status().http_status() == 0);

  mode = "stall";
  auto start = std::chrono::steady_clock::now();
  r = (*client)->ListTable();
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK(took < std::chrono::seconds(3));

  mode = "proxy";
  r = (*client)->ListTable();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK(r.status().http_status() == 502);
  CHECK(r.status().ots_code().empty());

  mode = "badsig";
  r = (*client)->ListTable();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kPermissionDenied);
  CHECK(r.status().message().find("signature") != std::string::npos);
  mode = "goodsig";
  r = (*client)->ListTable();
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(*r == std::vector<std::string>{"t1"});

  mode = "md5";  // off by default, as in the SDKs; the option still works
  r = (*client)->ListTable();
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(*r == std::vector<std::string>{"t1"});
  ClientOptions checking = o;
  checking.verify_response_md5 = true;
  auto checking_client = Client::Create(checking);
  REQUIRE(checking_client.ok());
  r = (*checking_client)->ListTable();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("x-ots-contentmd5") != std::string::npos);

  mode = "ok";
  CHECK((*client)->ListTable().ok());  // the pool recovered from the broken connections
}

// The body's MD5 is not checked by default: a byte damaged on the way is still caught, by the
// PlainBuffer CRC-8 of its cell, before it can reach a file.
TEST_CASE("a damaged GetRange cell is caught by its checksum without the MD5 check") {
  Row row;
  Cell pk;
  pk.name = "id";
  pk.value = Value::Integer(7);
  Cell attr;
  attr.name = "s";
  attr.value = Value::String("hello");
  row.primary_key = {pk};
  row.attributes = {attr};
  pb::GetRangeResponse page;
  page.mutable_consumed()->mutable_capacity_unit()->set_read(1);
  EncodeRow(row, page.mutable_rows());
  const std::string good = page.SerializeAsString();
  std::string damaged = good;
  const size_t at = damaged.find("hello");
  REQUIRE(at != std::string::npos);
  damaged[at] = 'j';  // "jello": same length, so only the checksum can tell

  bool damage = false;
  RawServer server([&](const std::string&) -> Script {
    // The MD5 header is the sender's, of the good bytes, as if a proxy damaged the body.
    return Script{
        HttpAnswer(200, damage ? damaged : good, "x-ots-contentmd5: " + ContentMd5(good) + "\r\n")};
  });
  ClientOptions o = Options(server.url());
  o.retry.max_attempts = 1;
  REQUIRE_FALSE(o.verify_response_md5);
  auto client = Client::Create(o);
  REQUIRE(client.ok());
  GetRangeRequest req;
  req.table = "t";
  req.inclusive_start = {pk};
  req.exclusive_end = {pk};
  req.inclusive_start[0].value = Value::InfMin();
  req.exclusive_end[0].value = Value::InfMax();
  GetRangeResult result;

  Status s = (*client)->GetRange(req, &result);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(result.rows.size() == 1);
  REQUIRE(result.rows[0].attributes.size() == 1);
  CHECK(result.rows[0].attributes[0].value->bytes == "hello");

  damage = true;
  s = (*client)->GetRange(req, &result);
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kCorruption);
  CHECK(s.message().find("cell checksum mismatch") != std::string::npos);
  CHECK(s.message().find("column \"s\"") != std::string::npos);
  CHECK(s.message().find("GetRange rows") != std::string::npos);
  CHECK(result.rows.empty());
}

TEST_CASE("reads are retried with backoff, writes only on the any-operation codes") {
  std::atomic<int> calls{0};
  int fail_first = 2;
  std::string code = "OTSServerBusy";
  RawServer server([&](const std::string& req) -> Script {
    int n = ++calls;
    if (n <= fail_first) {
      int status = code == "OTSTimeout" || code == "OTSServerBusy" ? 503 : 409;
      return Script{HttpAnswer(status, ErrorBody(code, "x"))};
    }
    if (req.starts_with("POST /ListTable")) return Script{HttpAnswer(200, ListTableBody({"a"}))};
    return Script{HttpAnswer(200, "")};  // DeleteTable: empty response
  });
  NoSleepEnv env;
  ClientOptions o = Options(server.url());
  o.retry_env = &env;
  auto client = Client::Create(o);
  REQUIRE(client.ok());

  // A read through two OTSServerBusy answers: throttling base 500 ms, u = 0.
  auto tables = (*client)->ListTable();
  REQUIRE(tables.ok());
  CHECK(calls == 3);
  CHECK(env.sleeps == std::vector<int64_t>{250, 500});
  CHECK((*client)->stats().retries == 2);

  // A write (DeleteTable) is not retried on OTSTimeout...
  calls = 0;
  env.sleeps.clear();
  code = "OTSTimeout";
  Status s = (*client)->DeleteTable("t");
  CHECK(s.ots_code() == "OTSTimeout");
  CHECK(calls == 1);
  // ...but is on OTSRowOperationConflict.
  calls = 0;
  code = "OTSRowOperationConflict";
  s = (*client)->DeleteTable("t");
  CHECK(s.ok());
  CHECK(calls == 3);
  CHECK(env.sleeps == std::vector<int64_t>{100, 200});

  // Exhausted retries say how many attempts were made.
  calls = 0;
  fail_first = 100;
  code = "OTSTimeout";
  ClientOptions few = o;
  few.retry.max_attempts = 3;
  auto c2 = Client::Create(few);
  REQUIRE(c2.ok());
  auto r = (*c2)->ListTable();
  REQUIRE_FALSE(r.ok());
  CAPTURE(r.status().ToString());
  CHECK(calls == 3);
  CHECK(r.status().message().find("ListTable (3 attempts)") != std::string::npos);
}

TEST_CASE("a client needs an instance and a key pair; bad endpoints are refused") {
  ClientOptions o = Options("http://127.0.0.1:1");
  o.instance.clear();
  CHECK(Client::Create(o).status().code() == StatusCode::kInvalidArgument);
  o = Options("https://myinst.cn-hangzhou.ots.aliyuncs.com");
  o.instance.clear();
  auto c = Client::Create(o);
  REQUIRE(c.ok());
  CHECK((*c)->instance() == "myinst");
  o.credentials.access_key_secret.clear();
  CHECK_FALSE(Client::Create(o).ok());
  CHECK_FALSE(Client::Create(Options("ftp://x")).ok());

  // Nothing listens on port 1: a network error, retried for reads until attempts run out.
  NoSleepEnv env;
  ClientOptions dead = Options("http://127.0.0.1:1");
  dead.retry.max_attempts = 2;
  dead.retry_env = &env;
  auto d = Client::Create(dead);
  REQUIRE(d.ok());
  auto r = (*d)->ListTable();
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK(env.sleeps.size() == 1);
}
