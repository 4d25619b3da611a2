// Writes the seed corpora that come from the wire: every request body the client sends in
// emulator_session.h (corpus/emulator_request), every answer the emulator gives to it
// (corpus/client_response) and PlainBuffer rows of each shape (corpus/plainbuffer), each with the
// target's leading selector bytes. Run by hand when the wire changes:
//   build/fuzz/fuzz/fuzz_seeds tests/fuzz/corpus
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "emulator/config.h"
#include "emulator/server.h"
#include "emulator_session.h"
#include "tablestore/plainbuffer.h"
#include "tsbridge/tablestore/client.h"
#include "tsbridge/tablestore/http_transport.h"

using namespace tsb;

namespace {

std::filesystem::path root;

void WriteSeed(const std::string& target, const std::string& name, const std::string& bytes) {
  std::filesystem::create_directories(root / target);
  std::ofstream out(root / target / name, std::ios::binary);
  out << bytes;
}

int IndexOf(const char* const* names, size_t count, std::string_view name) {
  for (size_t i = 0; i < count; ++i) {
    if (name == names[i]) return static_cast<int>(i);
  }
  return -1;
}

class RecordingTransport : public ots::HttpTransport {
 public:
  explicit RecordingTransport(std::unique_ptr<ots::HttpTransport> inner)
      : inner_(std::move(inner)) {}
  Status Post(const ots::HttpRequest& request, ots::HttpResponse* response) override {
    Status s = inner_->Post(request, response);
    std::string op(request.path.substr(1));
    int n = seen_[op]++;
    std::string name = op + (n > 0 ? "-" + std::to_string(n) : "");
    int e = IndexOf(fuzz::kOperations, fuzz::kOperationCount, op);
    if (e >= 0)
      WriteSeed("emulator_request", name, std::string(1, char(e)) + std::string(request.body));
    int c = IndexOf(fuzz::kClientCalls, fuzz::kClientCallCount, op);
    if (c >= 0 && s.ok())
      WriteSeed("client_response", name, std::string(1, char(c)) + '\0' + response->body);
    return s;
  }
  uint64_t bytes_sent() const override { return inner_->bytes_sent(); }
  uint64_t bytes_received() const override { return inner_->bytes_received(); }

 private:
  std::unique_ptr<ots::HttpTransport> inner_;
  std::map<std::string, int> seen_;
};

void WritePlainBufferSeeds() {
  using namespace tsb::ots;
  Row row;
  row.primary_key = {Cell{"pk", Value::String("a")}, Cell{"n", Value::Integer(42)}};
  row.attributes = {Cell{"s", Value::String("text")}, Cell{"d", Value::Double(-0.5)},
                    Cell{"b", Value::Boolean(false)},
                    Cell{"x", Value::Binary(std::string_view("\0\1", 2))},
                    Cell{"i", Value::Integer(7), CellOp::kPut, 1700000000000}};
  std::string bytes;
  EncodeRow(row, &bytes);
  WriteSeed("plainbuffer", "row", bytes);
  bytes.clear();
  EncodePrimaryKey(row.primary_key, &bytes);
  WriteSeed("plainbuffer", "primary_key", bytes);
  Row update = row;
  update.attributes = {Cell{"s", std::nullopt, CellOp::kDeleteAllVersions},
                       Cell{"d", std::nullopt, CellOp::kDeleteOneVersion, 1700000000000},
                       Cell{"i", Value::Integer(1), CellOp::kIncrement}};
  bytes.clear();
  EncodeRow(update, &bytes);
  WriteSeed("plainbuffer", "update", bytes);
  Row bounds;
  bounds.primary_key = {Cell{"pk", Value::InfMin()}, Cell{"n", Value::InfMax()}};
  bytes.clear();
  EncodePrimaryKey(bounds.primary_key, &bytes);
  WriteSeed("plainbuffer", "inf_bounds", bytes);
  Row del = row;
  del.attributes.clear();
  del.delete_marker = true;
  bytes.clear();
  EncodeRow(del, &bytes);
  WriteSeed("plainbuffer", "delete", bytes);
  bytes.clear();
  {
    RowWriter writer(&bytes);
    writer.AddRow(row);
    writer.AddRow(row);
  }
  WriteSeed("plainbuffer", "two_rows", bytes);
  bytes.clear();
  EncodeColumnValue(Value::String("guide"), &bytes);
  WriteSeed("plainbuffer", "filter_value", bytes);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds CORPUS_DIR\n");
    return 2;
  }
  root = argv[1];
  spdlog::set_level(spdlog::level::off);
  emulator::EmulatorOptions options;
  options.port = 0;
  options.log_requests = false;
  emulator::EmulatorServer server(options);
  fuzz::Must(server.Start(), "starting the emulator");
  auto inner = ots::NewCurlTransport(server.endpoint());
  fuzz::Must(inner.status(), "creating the transport");
  ots::ClientOptions client_options;
  client_options.endpoint = server.endpoint();
  client_options.instance = "fuzz";
  client_options.credentials.access_key_id = std::string(emulator::kDevAccessKeyId);
  client_options.credentials.access_key_secret = std::string(emulator::kDevAccessKeySecret);
  auto client =
      ots::Client::Create(client_options, std::make_unique<RecordingTransport>(std::move(*inner)));
  fuzz::Must(client.status(), "creating the client");
  fuzz::RunSession(**client);
  WritePlainBufferSeeds();
  server.Stop();
  return 0;
}
