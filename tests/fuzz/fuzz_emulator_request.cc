// The emulator's request handling: a fuzzed protobuf body POSTed to a running EmulatorServer
// under a valid signature (built here as a client builds it), so that it passes authentication
// and reaches the handlers, the PlainBuffer decoding of the rows inside and the store. Table "t"
// holds rows from emulator_session.h first; the fuzzed requests may change it.
// Input: byte 0 picks the operation (one unknown name included); the rest is the body.
// Beyond "no crash": the server must answer every request, and never with 500 (which the handlers
// give only when an operation fails without a service error code: our bug).
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "emulator/config.h"
#include "emulator/server.h"
#include "emulator_session.h"
#include "tablestore/signer.h"
#include "tsbridge/tablestore/client.h"
#include "tsbridge/tablestore/http_transport.h"

using namespace tsb;

namespace {

struct Fixture {
  std::unique_ptr<emulator::EmulatorServer> server;
  std::unique_ptr<ots::HttpTransport> transport;
};

Fixture* fixture = nullptr;

void StopServer() {
  if (fixture != nullptr) fixture->server->Stop();
}

Fixture& Get() {
  if (fixture != nullptr) return *fixture;
  spdlog::set_level(spdlog::level::off);
  fixture = new Fixture;
  emulator::EmulatorOptions options;
  options.port = 0;
  options.threads = 2;
  options.log_requests = false;
  fixture->server = std::make_unique<emulator::EmulatorServer>(options);
  fuzz::Must(fixture->server->Start(), "starting the emulator");
  std::atexit(StopServer);

  ots::ClientOptions client_options;
  client_options.endpoint = fixture->server->endpoint();
  client_options.instance = "fuzz";
  client_options.credentials.access_key_id = std::string(emulator::kDevAccessKeyId);
  client_options.credentials.access_key_secret = std::string(emulator::kDevAccessKeySecret);
  auto client = ots::Client::Create(client_options);
  fuzz::Must(client.status(), "creating the client");
  fuzz::RunSession(**client);

  ots::HttpTransportOptions http;
  http.request_timeout = std::chrono::milliseconds(20000);
  auto transport = ots::NewCurlTransport(fixture->server->endpoint(), http);
  fuzz::Must(transport.status(), "creating the transport");
  fixture->transport = std::move(*transport);
  return *fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Fixture& f = Get();
  const std::string operation = fuzz::kOperations[data[0] % fuzz::kOperationCount];
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string path = "/" + operation;

  std::vector<ots::HttpHeader> headers = {
      {"x-ots-date", ots::FormatOtsDate(std::chrono::duration_cast<std::chrono::microseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count())},
      {"x-ots-apiversion", std::string(ots::kApiVersion)},
      {"x-ots-accesskeyid", std::string(emulator::kDevAccessKeyId)},
      {"x-ots-contentmd5", ots::ContentMd5(body)},
      {"x-ots-instancename", "fuzz"},
  };
  std::vector<ots::HeaderEntry> entries;
  for (const ots::HttpHeader& h : headers) entries.push_back(ots::HeaderEntry{h.name, h.value});
  headers.push_back({"x-ots-signature", ots::Signature(emulator::kDevAccessKeySecret,
                                                       ots::RequestStringToSign(path, entries))});

  ots::HttpRequest request;
  request.path = path;
  request.headers = &headers;
  request.body = body;
  ots::HttpResponse response;
  Status s = f.transport->Post(request, &response);
  if (!s.ok()) {
    std::fprintf(stderr, "%s: the emulator did not answer: %s\n", operation.c_str(),
                 s.ToString().c_str());
    std::abort();
  }
  if (response.status == 500 || response.status == 403) {
    std::fprintf(stderr, "%s: the emulator answered %d to a signed request\n", operation.c_str(),
                 response.status);
    std::abort();
  }
  return 0;
}
