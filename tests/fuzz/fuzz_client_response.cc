// The answers the client parses (tablestore/client.cc, pb_model): every call's protobuf response,
// GetRange's hand-walked one, the PlainBuffer rows inside, batch results matched to the request's
// rows, split points, and the error bodies of non-2xx answers. A transport hands the client the
// fuzzed body as the server's answer, so the bytes go through the same code as a real one.
// Input: byte 0 picks the call, byte 1 the HTTP status; the rest is the body.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "emulator_session.h"
#include "tsbridge/tablestore/client.h"
#include "tsbridge/tablestore/http_transport.h"

using namespace tsb;
using namespace tsb::ots;

namespace {

class CannedTransport : public HttpTransport {
 public:
  Status Post(const HttpRequest&, HttpResponse* response) override {
    response->Clear();
    response->status = status;
    response->body = body;
    return Status::OK();
  }
  uint64_t bytes_sent() const override { return 0; }
  uint64_t bytes_received() const override { return 0; }

  int status = 200;
  std::string body;
};

struct Fixture {
  CannedTransport* transport = nullptr;
  std::unique_ptr<Client> client;
  Row key;
  Row write;
};

Fixture& Get() {
  static Fixture* f = [] {
    // Malformed answers are the point here; protobuf's log line for each would bury the report.
    google::protobuf::SetLogHandler(nullptr);
    auto* f = new Fixture;
    auto transport = std::make_unique<CannedTransport>();
    f->transport = transport.get();
    ClientOptions options;
    options.endpoint = "http://127.0.0.1:1";
    options.instance = "fuzz";
    options.credentials.access_key_id = "fuzz-id";
    options.credentials.access_key_secret = "fuzz-secret";
    options.retry.max_attempts = 1;  // one answer per call: retries would only repeat it
    options.verify_response_md5 = false;
    auto client = Client::Create(std::move(options), std::move(transport));
    if (!client.ok()) std::abort();
    f->client = std::move(*client);
    f->key.primary_key = {Cell{"pk", Value::String("a")}, Cell{"n", Value::Integer(1)}};
    f->write = f->key;
    f->write.attributes = {Cell{"v", Value::Double(1.5)}};
    return f;
  }();
  return *f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static const int kStatuses[] = {200, 200, 200, 200, 400, 403, 409, 500, 503, 302};
  Fixture& f = Get();
  f.transport->status = kStatuses[data[1] % 10];
  f.transport->body.assign(reinterpret_cast<const char*>(data) + 2, size - 2);
  Client& c = *f.client;
  // The cases follow fuzz::kClientCalls, which the seed corpus is written by.
  switch (data[0] % fuzz::kClientCallCount) {
    case 0:
      (void)c.ListTable();
      break;
    case 1:
      (void)c.DescribeTable("t");
      break;
    case 2: {
      UpdateTableRequest r;
      r.table = "t";
      r.reserved = CapacityUnits{};
      (void)c.UpdateTable(r);
      break;
    }
    case 3: {
      GetRowRequest r;
      r.table = "t";
      r.primary_key = f.key.primary_key;
      GetRowResult result;
      (void)c.GetRow(r, &result);
      break;
    }
    case 4: {
      WriteRowRequest r;
      r.table = "t";
      r.row = &f.write;
      r.return_content.type = ReturnType::kPrimaryKey;
      WriteRowResult result;
      (void)c.PutRow(r, &result);
      break;
    }
    case 5: {
      GetRangeRequest r;
      r.table = "t";
      r.inclusive_start = {Cell{"pk", Value::InfMin()}, Cell{"n", Value::InfMin()}};
      r.exclusive_end = {Cell{"pk", Value::InfMax()}, Cell{"n", Value::InfMax()}};
      GetRangeResult result;
      (void)c.GetRange(r, &result);
      break;
    }
    case 6: {
      BatchGetRowRequest r;
      r.tables.push_back(BatchGetTable{"t", {f.key, f.key}});
      r.tables.push_back(BatchGetTable{"u", {f.key}});
      BatchResult result;
      (void)c.BatchGetRow(r, &result);
      break;
    }
    case 7: {
      BatchWriteRowRequest r;
      BatchWriteTable t{"t", {}};
      t.rows.push_back(RowWrite{WriteType::kPut, &f.write});
      t.rows.push_back(RowWrite{WriteType::kDelete, &f.key});
      r.tables.push_back(std::move(t));
      BatchResult result;
      (void)c.BatchWriteRow(r, &result);
      break;
    }
    default: {
      ComputeSplitsRequest r;
      r.table = "t";
      ComputeSplitsResult result;
      (void)c.ComputeSplitPointsBySize(r, &result);
      break;
    }
  }
  return 0;
}
