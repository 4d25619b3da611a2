// The emulator's HTTP layer over raw sockets: what a client sees when the workers are all busy,
// when it sends malformed, oversize, half-sent or `Expect: 100-continue` requests, when it
// pipelines, and when a second server asks for a port in use (decisions.md section 11, "The
// emulator never hangs").
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "emulator/config.h"
#include "emulator/faults.h"
#include "emulator/server.h"
#include "support/cells.h"
#include "support/emulator_fixture.h"
#include "tablestore/proto/table_store.pb.h"
#include "tablestore/signer.h"
#include "tsbridge/tablestore/client.h"
#include "tsbridge/tablestore/retry.h"

using namespace tsb;
using namespace tsb::emulator;
namespace pb = tsb::ots::pb;

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

using tsb::testing::EmulatorTestOptions;

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  return fd;
}

void SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    REQUIRE(n > 0);
    data.remove_prefix(static_cast<size_t>(n));
  }
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A request signed with the development pair, as the SDKs send it.
std::string SignedRequest(const std::string& op, const std::string& body,
                          const std::string& extra_headers = "") {
  const std::string md5 = ots::ContentMd5(body);
  const std::string date = ots::FormatOtsDate(NowMicros(), 3);
  const std::string id(kDevAccessKeyId);
  const std::vector<ots::HeaderEntry> entries = {
      {"x-ots-accesskeyid", id}, {"x-ots-apiversion", ots::kApiVersion}, {"x-ots-contentmd5", md5},
      {"x-ots-date", date},      {"x-ots-instancename", "limits"},
  };
  const std::string path = "/" + op;
  const std::string signature =
      ots::Signature(kDevAccessKeySecret, ots::RequestStringToSign(path, entries));
  std::string out = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n";
  for (const auto& e : entries) out += std::string(e.name) + ": " + std::string(e.value) + "\r\n";
  out += "x-ots-signature: " + signature + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n";
  return out + body;
}

struct Answer {
  int status = 0;  // 0 = the connection closed (or timed out) before an answer
  std::string head;
  std::string body;

  std::string Header(const std::string& name) const {
    size_t at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos) return "";
    at += name.size() + 4;
    return head.substr(at, head.find("\r\n", at) - at);
  }
  pb::Error Error() const {
    pb::Error e;
    REQUIRE(e.ParseFromString(body));
    return e;
  }
};

// Reads one answer (head and Content-Length body); `pending` carries bytes read past it.
Answer ReadAnswer(int fd, std::string* pending, int timeout_ms = 10000) {
  Answer a;
  std::string& buf = *pending;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t head_end = std::string::npos;
  size_t need = std::string::npos;
  while (true) {
    if (head_end == std::string::npos) {
      head_end = buf.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        a.head = buf.substr(0, head_end + 2);
        a.status = std::stoi(a.head.substr(9, 3));
        std::string length = a.Header("Content-Length");
        need = head_end + 4 + (length.empty() ? 0 : std::stoul(length));
      }
    }
    if (need != std::string::npos && buf.size() >= need) {
      a.body = buf.substr(head_end + 4, need - head_end - 4);
      buf.erase(0, need);
      return a;
    }
    const int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, left) <= 0) return Answer{};
    char chunk[65536];
    ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return Answer{};
    buf.append(chunk, static_cast<size_t>(n));
  }
}

Answer Exchange(int port, const std::string& request) {
  int fd = Connect(port);
  SendAll(fd, request);
  std::string pending;
  Answer a = ReadAnswer(fd, &pending);
  close(fd);
  return a;
}

// Seconds until the server closes `fd` (EOF or reset), or -1 when it is still open at `limit_s`.
double SecondsUntilClosed(int fd, Clock::time_point since, double limit_s) {
  while (SecondsSince(since) < limit_s) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) > 0) {
      char chunk[4096];
      ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) return SecondsSince(since);
    }
  }
  return -1;
}

}  // namespace

TEST_CASE("emulator http: with every worker busy, a waiting request gets 503 after about 1 s") {
  EmulatorOptions options = EmulatorTestOptions();
  options.threads = 2;
  EmulatorServer server(options);
  REQUIRE(server.Start().ok());
  // Both workers are held 3 s by ListTable; DescribeTable is not delayed.
  server.faults().SetRules({*ParseFaultRule("ListTable:delay:1:3000")}, 1);
  const int port = server.port();
  auto slow = [port] { return Exchange(port, SignedRequest("ListTable", "")); };
  auto first = std::async(std::launch::async, slow);
  auto second = std::async(std::launch::async, slow);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  pb::DescribeTableRequest describe;
  describe.set_table_name("missing");
  const auto start = Clock::now();
  Answer busy = Exchange(port, SignedRequest("DescribeTable", describe.SerializeAsString()));
  const double waited = SecondsSince(start);
  REQUIRE(busy.status == 503);
  CHECK(busy.Error().code() == "OTSServerBusy");
  CHECK(busy.Error().message() == "Server is busy.");
  // Signed like every answer to a known key, so SDKs that verify signatures retry it.
  CHECK(busy.Header("authorization").rfind("OTS " + std::string(kDevAccessKeyId) + ":", 0) == 0);
  CHECK(busy.Header("x-ots-contentmd5") == ots::ContentMd5(busy.body));
  CHECK(waited >= 0.9);
  CHECK(waited < 2.5);  // the delayed requests end at 3 s: the 503 did not wait for them

  // The held requests still complete, and once a worker is free the same request is served.
  CHECK(first.get().status == 200);
  CHECK(second.get().status == 200);
  Answer served = Exchange(port, SignedRequest("DescribeTable", describe.SerializeAsString()));
  CHECK(served.status == 404);
  CHECK(served.Error().code() == "OTSObjectNotExist");
}

TEST_CASE(
    "emulator http: idle connections and a half-sent body hold no worker and are closed after the "
    "read timeout") {
  EmulatorOptions options = EmulatorTestOptions();
  options.threads = 1;  // a single worker: any request that held it would starve the others
  EmulatorServer server(options);
  REQUIRE(server.Start().ok());
  const int port = server.port();

  std::string request = SignedRequest("ListTable", std::string(1000, 'x'));
  request.resize(request.size() - 990);  // headers promise 1000 bytes, 10 arrive
  int half = Connect(port);
  SendAll(half, request);
  int idle = Connect(port);  // sends nothing at all
  std::vector<int> crowd;    // 300 more idle connections
  for (int i = 0; i < 300; ++i) crowd.push_back(Connect(port));
  const auto opened = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  for (int i = 0; i < 5; ++i) {
    const auto start = Clock::now();
    Answer a = Exchange(port, SignedRequest("ListTable", ""));
    CHECK(a.status == 200);
    CHECK(SecondsSince(start) < 1.0);
  }
  // The contract's read timeout is 5 s: closed after it, not long before nor long after.
  const double half_closed = SecondsUntilClosed(half, opened, 10);
  const double idle_closed = SecondsUntilClosed(idle, opened, 10);
  CHECK(half_closed > 4.5);
  CHECK(half_closed < 8);
  CHECK(idle_closed > 4.5);
  CHECK(idle_closed < 8);
  close(half);
  close(idle);
  // The crowd was opened after `half` and `idle`, so its 5 s run out a little later: each must
  // be closed within the same bound, counted from when the last of them was opened.
  int still_open = 0;
  for (int fd : crowd) {
    if (SecondsUntilClosed(fd, opened, 8) < 0) ++still_open;
    close(fd);
  }
  CHECK(still_open == 0);
}

TEST_CASE("emulator http: malformed, oversize, chunked and 100-continue requests") {
  EmulatorServer server(EmulatorTestOptions());
  REQUIRE(server.Start().ok());
  const int port = server.port();

  SUBCASE("garbage is 400 OTSParameterInvalid and the connection is closed") {
    int fd = Connect(port);
    SendAll(fd, "HELLO\r\n\r\n");
    std::string pending;
    Answer a = ReadAnswer(fd, &pending);
    REQUIRE(a.status == 400);
    CHECK(a.Error().code() == "OTSParameterInvalid");
    CHECK(a.Error().message() == "Malformed HTTP request.");
    CHECK(a.Header("Connection") == "close");
    CHECK(SecondsUntilClosed(fd, Clock::now(), 3) >= 0);
    close(fd);
  }
  SUBCASE("a TLS handshake is answered 400 at once, not left to the idle timeout") {
    // The first bytes of a TLS ClientHello record, as an https:// client sends them: no blank
    // line ever follows, so only the head's first bytes can tell that this is not HTTP.
    int fd = Connect(port);
    SendAll(fd, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
    std::string pending;
    Answer a = ReadAnswer(fd, &pending, /*timeout_ms=*/2000);
    REQUIRE(a.status == 400);
    CHECK(a.Error().message() == "Malformed HTTP request.");
    close(fd);
  }
  SUBCASE("a chunked body is refused, not misread") {
    std::string request = SignedRequest("ListTable", "");
    request.insert(request.find("\r\n") + 2, "Transfer-Encoding: chunked\r\n");
    Answer a = Exchange(port, request);
    REQUIRE(a.status == 400);
    CHECK(a.Error().message() == "Malformed HTTP request.");
  }
  SUBCASE("over 64 MiB is 413 before the body is sent") {
    std::string request = "POST /BatchWriteRow HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                          std::to_string((64u << 20) + 1) + "\r\n\r\n";
    Answer a = Exchange(port, request);
    REQUIRE(a.status == 413);
    CHECK(a.Error().code() == "OTSRequestBodyTooLarge");
    CHECK(a.Error().message() == "The size of POST data is too large.");
  }
  SUBCASE("Expect: 100-continue gets 100 Continue, then the answer once the body arrives") {
    pb::DescribeTableRequest describe;
    describe.set_table_name("missing");
    const std::string body = describe.SerializeAsString();
    std::string request = SignedRequest("DescribeTable", body, "Expect: 100-continue\r\n");
    int fd = Connect(port);
    SendAll(fd, request.substr(0, request.size() - body.size()));
    std::string pending;
    Answer interim = ReadAnswer(fd, &pending);
    CHECK(interim.status == 100);
    SendAll(fd, body);
    Answer a = ReadAnswer(fd, &pending);
    REQUIRE(a.status == 404);
    CHECK(a.Error().code() == "OTSObjectNotExist");
    close(fd);
  }
  SUBCASE("keep-alive and pipelined requests are answered in order on one connection") {
    pb::DescribeTableRequest describe;
    describe.set_table_name("missing");
    int fd = Connect(port);
    SendAll(fd, SignedRequest("ListTable", "") +
                    SignedRequest("DescribeTable", describe.SerializeAsString()) +
                    SignedRequest("ListTable", ""));
    std::string pending;
    CHECK(ReadAnswer(fd, &pending).status == 200);
    Answer second = ReadAnswer(fd, &pending);
    CHECK(second.status == 404);
    CHECK(second.Error().code() == "OTSObjectNotExist");
    Answer third = ReadAnswer(fd, &pending);
    CHECK(third.status == 200);
    CHECK(third.Header("Keep-Alive") == "timeout=5");
    close(fd);
  }
  SUBCASE("Connection: close ends the connection after the answer") {
    std::string request = SignedRequest("ListTable", "", "Connection: close\r\n");
    int fd = Connect(port);
    SendAll(fd, request);
    std::string pending;
    Answer a = ReadAnswer(fd, &pending);
    CHECK(a.status == 200);
    CHECK(a.Header("Connection") == "close");
    CHECK(SecondsUntilClosed(fd, Clock::now(), 3) >= 0);
    close(fd);
  }
}

TEST_CASE("emulator http: a second server on a used port fails naming the address") {
  EmulatorServer first(EmulatorTestOptions());
  REQUIRE(first.Start().ok());
  EmulatorOptions options = EmulatorTestOptions();
  options.port = first.port();
  EmulatorServer second(options);
  Status started = second.Start();
  REQUIRE_FALSE(started.ok());
  CHECK(started.code() == StatusCode::kUnavailable);
  CHECK(started.message() == "cannot listen on 127.0.0.1:" + std::to_string(first.port()) +
                                 ": address already in use (is another emulator running?)");
  // Every connection still reaches the first server.
  for (int i = 0; i < 20; ++i)
    CHECK(Exchange(first.port(), SignedRequest("ListTable", "")).status == 200);
}

TEST_CASE("emulator faults: delay rules") {
  auto rule = ParseFaultRule("GetRange:delay:0.5:250");
  REQUIRE(rule.ok());
  CHECK(rule->delay == std::chrono::milliseconds(250));
  CHECK(rule->rate == 0.5);
  for (const char* bad : {"GetRange:delay:1", "GetRange:delay:1:0", "GetRange:delay:1:600001",
                          "GetRange:delay:1:rows", "GetRange:delay:1:1.5"}) {
    auto parsed = ParseFaultRule(bad);
    CHECK_MESSAGE(!parsed.ok(), bad);
  }
  FaultInjector f;
  f.SetRules({*ParseFaultRule("GetRange:delay:1:250"), *ParseFaultRule("*:delay:1:5")}, 1);
  CHECK(f.DelayFor("GetRange") == std::chrono::milliseconds(255));
  CHECK(f.DelayFor("PutRow") == std::chrono::milliseconds(5));
  // A delay rule never fails a request.
  CHECK_FALSE(f.ForRequest("GetRange"));
}

namespace {

ots::CreateTableRequest IntKeyTable(std::string name) {
  ots::CreateTableRequest t;
  t.meta.name = std::move(name);
  t.meta.primary_key = {{"id", ots::PrimaryKeyType::kInteger}};
  t.options.time_to_live = -1;
  t.options.max_versions = 1;
  return t;
}

// Whether row `id` of table "t" exists, read with the faults off.
bool RowExists(tsb::testing::EmulatorFixture& emu, int64_t id) {
  ots::GetRowRequest get;
  get.table = "t";
  get.primary_key = {tsb::testing::MakeCell("id", ots::Value::Integer(id))};
  ots::GetRowResult got;
  Status s = emu.client->GetRow(get, &got);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return got.found;
}

// PutRow of row `id` through `client` (PutRow is not idempotent, so one attempt: its error is the
// fault's own).
Status Put(ots::Client& client, int64_t id) {
  ots::Row row;
  row.primary_key = {tsb::testing::MakeCell("id", ots::Value::Integer(id))};
  row.attributes = {tsb::testing::MakeCell("v", ots::Value::Integer(id * 10))};
  ots::WriteRowRequest w;
  w.table = "t";
  w.row = &row;
  ots::WriteRowResult result;
  return client.PutRow(w, &result);
}

uint64_t HitsOf(EmulatorServer& server, const std::string& rule) {
  for (const auto& h : server.faults().Hits()) {
    if (h.rule == rule) return h.hits;
  }
  FAIL("no rule " << rule);
  return 0;
}

}  // namespace

TEST_CASE("emulator faults: connection rules parse, and count what they chose") {
  auto before = ParseFaultRule("BatchWriteRow:drop-before:0.05");
  REQUIRE(before.ok());
  CHECK(before->net == NetFault::kDropBefore);
  CHECK(before->rate == 0.05);
  CHECK(before->text == "BatchWriteRow:drop-before:0.05");
  CHECK(ParseFaultRule("*:drop-after:1")->net == NetFault::kDropAfter);
  CHECK(ParseFaultRule("GetRange:truncate:0.5")->net == NetFault::kTruncate);
  for (const char* bad : {"GetRange:truncate:0", "GetRange:truncate:1:rows",
                          "GetRange:drop-after:0.5:100", "GetRange:drop-before"}) {
    CHECK_MESSAGE(!ParseFaultRule(bad).ok(), bad);
  }

  FaultInjector f;
  f.SetRules({*ParseFaultRule("GetRange:truncate:0.25"), *ParseFaultRule("*:drop-after:1"),
              *ParseFaultRule("GetRange:OTSServerBusy:1")},
             5);
  int truncated = 0;
  for (int i = 0; i < 400; ++i) {
    NetFault net = f.NetFaultFor("GetRange");
    // The first rule that chooses a request decides: the rest fall to the rate-1 rule.
    CHECK((net == NetFault::kTruncate || net == NetFault::kDropAfter));
    truncated += net == NetFault::kTruncate;
  }
  CHECK(f.NetFaultFor("PutRow") == NetFault::kDropAfter);
  // A connection rule never fails a request by itself, nor delays one.
  CHECK(f.ForRequest("PutRow") == std::nullopt);
  CHECK(f.DelayFor("GetRange").count() == 0);
  auto hits = f.Hits();
  REQUIRE(hits.size() == 3);
  CHECK(hits[0].hits == static_cast<uint64_t>(truncated));
  CHECK(hits[1].hits == static_cast<uint64_t>(400 - truncated) + 1);
  CHECK(hits[2].hits == 0);
  CHECK(truncated > 60);
  CHECK(truncated < 140);
}

TEST_CASE(
    "emulator faults: a dropped connection, before or after the write, and a truncated answer") {
  tsb::testing::EmulatorFixture emu("faults");
  REQUIRE(emu.client->CreateTable(IntKeyTable("t")).ok());

  SUBCASE("drop-before: no answer, nothing written") {
    emu.server.faults().SetRules({*ParseFaultRule("PutRow:drop-before:1")}, 1);
    Status s = Put(*emu.client, 1);
    CHECK(s.code() == StatusCode::kUnavailable);
    CHECK(s.http_status() == 0);
    CHECK(ots::OutcomeUnknown(s));  // so a writer retries it, as it must
    // Once or twice: libcurl sends a request again by itself, on a fresh connection, when a reused
    // one closes before any byte of the answer (this PutRow reuses CreateTable's).
    const uint64_t hits = HitsOf(emu.server, "PutRow:drop-before:1");
    CHECK(hits >= 1);
    CHECK(hits <= 2);
    emu.server.faults().SetRules({}, 1);
    CHECK_FALSE(RowExists(emu, 1));
  }
  SUBCASE("drop-after: no answer, the row written") {
    emu.server.faults().SetRules({*ParseFaultRule("PutRow:drop-after:1")}, 1);
    Status s = Put(*emu.client, 2);
    CHECK(s.code() == StatusCode::kUnavailable);
    CHECK(s.http_status() == 0);
    CHECK(ots::OutcomeUnknown(s));
    // Once or twice: libcurl sends a request again by itself, on a fresh connection, when a reused
    // one closes before any byte of the answer (this PutRow reuses CreateTable's).
    const uint64_t hits = HitsOf(emu.server, "PutRow:drop-after:1");
    CHECK(hits >= 1);
    CHECK(hits <= 2);
    emu.server.faults().SetRules({}, 1);
    CHECK(RowExists(emu, 2));
  }
  SUBCASE("truncate: a partial answer, the row written") {
    emu.server.faults().SetRules({*ParseFaultRule("PutRow:truncate:1")}, 1);
    Status s = Put(*emu.client, 3);
    CHECK(s.code() == StatusCode::kUnavailable);
    CHECK(s.message().find("partial") != std::string::npos);  // libcurl: fewer bytes than promised
    CHECK(ots::OutcomeUnknown(s));
    emu.server.faults().SetRules({}, 1);
    CHECK(RowExists(emu, 3));
  }
  SUBCASE("an idempotent read retries through every kind and gets its answer") {
    REQUIRE(Put(*emu.client, 4).ok());
    emu.server.faults().SetRules(
        {*ParseFaultRule("GetRow:drop-before:0.3"), *ParseFaultRule("GetRow:drop-after:0.3"),
         *ParseFaultRule("GetRow:truncate:0.3")},
        9);
    for (int i = 0; i < 10; ++i) CHECK(RowExists(emu, 4));
    uint64_t met = 0;
    for (const auto& h : emu.server.faults().Hits()) met += h.hits;
    CHECK(met >= 3);
    // A retry of ours per fault met, less those that libcurl's own resend (see above) absorbed.
    CHECK(emu.env.sleeps >= 1);
    CHECK(emu.env.sleeps <= static_cast<int>(met));
  }
}

TEST_CASE("emulator faults: the answer is cut after its head, which promised the whole body") {
  EmulatorServer server(EmulatorTestOptions());
  REQUIRE(server.Start().ok());
  pb::DescribeTableRequest describe;
  describe.set_table_name("missing");
  const std::string request = SignedRequest("DescribeTable", describe.SerializeAsString());
  const Answer whole = Exchange(server.port(), request);
  REQUIRE(whole.status == 404);
  REQUIRE(whole.body.size() > 10);

  server.faults().SetRules({*ParseFaultRule("DescribeTable:truncate:1")}, 1);
  int fd = Connect(server.port());
  SendAll(fd, request);
  std::string got;
  const auto start = Clock::now();
  while (SecondsSince(start) < 5) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char chunk[4096];
    ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) break;  // closed by the server
    got.append(chunk, static_cast<size_t>(n));
  }
  close(fd);
  CHECK(SecondsSince(start) < 4);  // closed, not left to the idle timeout
  const size_t head_end = got.find("\r\n\r\n");
  REQUIRE(head_end != std::string::npos);
  CHECK(got.rfind("HTTP/1.1 404 ", 0) == 0);
  CHECK(got.find("Content-Length: " + std::to_string(whole.body.size()) + "\r\n") !=
        std::string::npos);
  CHECK(got.find("Connection: close") == std::string::npos);
  CHECK(got.size() - (head_end + 4) == whole.body.size() / 2);
  CHECK(whole.body.compare(0, whole.body.size() / 2, got, head_end + 4) == 0);
}

TEST_CASE(
    "emulator faults: a delay past the client's request timeout is a stall; the write lands "
    "later") {
  tsb::testing::EmulatorFixture emu("faults");
  REQUIRE(emu.client->CreateTable(IntKeyTable("t")).ok());
  ots::ClientOptions options = emu.ClientConfig();
  options.http.request_timeout = std::chrono::milliseconds(300);
  auto impatient = ots::Client::Create(options);
  REQUIRE(impatient.ok());
  emu.server.faults().SetRules({*ParseFaultRule("PutRow:delay:1:1500")}, 1);
  Status s = Put(**impatient, 5);
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(s.message().find("deadline 300 ms") != std::string::npos);
  CHECK(ots::OutcomeUnknown(s));
  emu.server.faults().SetRules({}, 1);
  // The stalled attempt still runs once its delay is over: the client cannot tell which it gets.
  bool landed = false;
  for (int i = 0; i < 100 && !landed; ++i) {
    landed = RowExists(emu, 5);
    if (!landed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(landed);
}
