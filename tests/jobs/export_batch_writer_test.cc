// TableWriter (tablestore/batch_writer.h) against the emulator, in-process: request cutting by
// rows, bytes and repeated keys, row-level retries through the emulator's fault injection,
// permanent row errors, whole-request refusals split down to the guilty rows.
#include <doctest/doctest.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "emulator/faults.h"
#include "emulator/server.h"
#include "tablestore/batch_writer.h"
#include "tsbridge/tablestore/client.h"
#include "tablestore/plainbuffer.h"
#include "support/testing.h"

using namespace tsb;
using namespace tsb::ots;
using std::chrono::milliseconds;

namespace {

using tsb::testing::NoSleepEnv;

struct Emulator {
  emulator::EmulatorServer server;
  NoSleepEnv env;
  std::unique_ptr<Client> client;

  Emulator() : server(MakeOptions()) {
    Status s = server.Start();
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    ClientOptions o;
    o.endpoint = server.endpoint();
    o.instance = "exporttest";
    o.credentials.access_key_id = std::string(emulator::kDevAccessKeyId);
    o.credentials.access_key_secret = std::string(emulator::kDevAccessKeySecret);
    o.retry_env = &env;
    auto c = Client::Create(o);
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    client = std::move(c).value();
    CreateTableRequest t;
    t.meta.name = "t";
    t.meta.primary_key = {{"id", PrimaryKeyType::kInteger}};
    REQUIRE(client->CreateTable(t).ok());
  }
  static emulator::EmulatorOptions MakeOptions() {
    emulator::EmulatorOptions o;
    o.port = 0;
    o.log_requests = false;
    return o;
  }
  void Fault(const std::string& rule) {
    auto parsed = emulator::ParseFaultRule(rule);
    REQUIRE(parsed.ok());
    server.faults().SetRules({*parsed}, 1);
  }
  void NoFaults() { server.faults().SetRules({}, 1); }

  // id -> value of column "v" (strings), or "" for rows without it.
  std::map<int64_t, std::string> Table() {
    std::map<int64_t, std::string> out;
    GetRangeRequest r;
    r.table = "t";
    Cell lo, hi;
    lo.name = hi.name = "id";
    lo.value = Value::InfMin();
    hi.value = Value::InfMax();
    r.inclusive_start = {lo};
    r.exclusive_end = {hi};
    Status s = client->GetRangeAll(r, [&](const GetRangeResult& page) {
      for (const Row& row : page.rows) {
        std::string v;
        for (const Cell& c : row.attributes) {
          if (c.name == "v" && c.value) v = std::string(c.value->bytes);
        }
        out[row.primary_key[0].value->i] = v;
      }
      return Status::OK();
    });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    return out;
  }
};

// Owns the items of a test and records their outcomes.
struct Harness {
  std::deque<WriteItem> items;
  std::vector<int64_t> written;
  std::vector<std::pair<int64_t, std::string>> rejected;

  WriteItem* Make(int64_t id, std::string value, WriteType type = WriteType::kUpdate) {
    WriteItem& item = items.emplace_back();
    item.tag = static_cast<int64_t>(items.size());
    item.type = type;
    item.arena = std::move(value);
    Cell& k = item.row.primary_key.emplace_back();
    k.name = "id";
    k.value = Value::Integer(id);
    Cell& v = item.row.attributes.emplace_back();
    v.name = "v";
    v.value = Value::String(item.arena);
    EncodePrimaryKey(item.row.primary_key, &item.key);
    item.key_hash = std::hash<std::string>()(item.key);
    item.encoded_size = EncodedSize(item.row);
    return &item;
  }

  TableWriter Writer(Emulator& emu, int max_rows = kBatchWriteMaxRows,
                     int64_t max_bytes = kBatchWriteMaxBytes) {
    TableWriterOptions o;
    o.table = "t";
    o.max_rows = max_rows;
    o.max_bytes = max_bytes;
    o.retry_env = &emu.env;
    return TableWriter(
        emu.client.get(), o, [this](WriteItem* item) { written.push_back(item->tag); },
        [this](WriteItem* item, std::string_view code, std::string_view) {
          rejected.emplace_back(item->tag, std::string(code));
          return Status::OK();
        });
  }
};

}  // namespace

TEST_CASE("TableWriter: requests hold at most 200 rows") {
  Emulator emu;
  Harness h;
  TableWriter w = h.Writer(emu);
  for (int i = 0; i < 450; ++i) REQUIRE(w.Add(h.Make(i, "x" + std::to_string(i))).ok());
  REQUIRE(w.Flush().ok());
  CHECK(w.stats().requests == 3);
  CHECK(w.stats().max_request_rows == 200);
  CHECK(w.stats().requests_failed == 0);
  CHECK(h.written.size() == 450);
  CHECK(h.rejected.empty());
  auto table = emu.Table();
  CHECK(table.size() == 450);
  CHECK(table[449] == "x449");
}

TEST_CASE("TableWriter: requests stay under the byte limit; a row over it is rejected alone") {
  Emulator emu;
  Harness h;
  SUBCASE("a small limit") {
    const int64_t limit = 10000;
    TableWriter w = h.Writer(emu, 200, limit);
    for (int i = 0; i < 20; ++i) REQUIRE(w.Add(h.Make(i, std::string(3000, 'a'))).ok());
    REQUIRE(w.Add(h.Make(100, std::string(20000, 'b'))).ok());
    REQUIRE(w.Flush().ok());
    CHECK(w.stats().max_request_bytes <= limit);
    CHECK(w.stats().max_request_rows == 3);
    CHECK(w.stats().requests == 7);
    CHECK(h.written.size() == 20);
    REQUIRE(h.rejected.size() == 1);
    CHECK(h.rejected[0].second == "TSB_TOO_LARGE");
  }
  SUBCASE("the service's 4 MiB, with 1.5 MB cells") {
    TableWriter w = h.Writer(emu);
    for (int i = 0; i < 7; ++i) REQUIRE(w.Add(h.Make(i, std::string(1500000, 'c'))).ok());
    REQUIRE(w.Flush().ok());
    CHECK(w.stats().requests == 4);  // 2 + 2 + 2 + 1
    CHECK(w.stats().max_request_bytes <= kBatchWriteMaxBytes);
    CHECK(w.stats().requests_failed == 0);
    CHECK(h.written.size() == 7);
  }
}

TEST_CASE("TableWriter: a repeated key waits for the next request; the last row wins") {
  Emulator emu;
  Harness h;
  TableWriter w = h.Writer(emu);
  // Key-sorted, every tenth key three times.
  int n = 0;
  for (int k = 0; k < 500; ++k) {
    int copies = k % 10 == 0 ? 3 : 1;
    for (int c = 0; c < copies; ++c) {
      REQUIRE(w.Add(h.Make(k, std::to_string(k) + "/" + std::to_string(c))).ok());
      ++n;
    }
  }
  REQUIRE(w.Flush().ok());
  CHECK(w.stats().requests_failed == 0);
  CHECK(h.written.size() == static_cast<size_t>(n));
  // Duplicates must not shrink requests much: 600 rows fit in about 3 requests.
  CHECK(w.stats().requests <= 5);
  auto table = emu.Table();
  REQUIRE(table.size() == 500);
  for (int k = 0; k < 500; ++k) {
    CHECK(table[k] == std::to_string(k) + "/" + std::to_string(k % 10 == 0 ? 2 : 0));
  }
}

TEST_CASE("TableWriter: rows refused with a retriable code are retried alone") {
  Emulator emu;
  Harness h;
  emu.Fault("BatchWriteRow:OTSServerBusy:0.3:rows");
  TableWriter w = h.Writer(emu);
  for (int i = 0; i < 1000; ++i) REQUIRE(w.Add(h.Make(i, "v")).ok());
  REQUIRE(w.Flush().ok());
  emu.NoFaults();
  CHECK(w.stats().row_retries > 100);
  CHECK(emu.env.sleeps > 0);
  CHECK(h.rejected.empty());
  CHECK(h.written.size() == 1000);
  CHECK(emu.Table().size() == 1000);
}

TEST_CASE("TableWriter: whole requests refused as busy are retried") {
  Emulator emu;
  Harness h;
  emu.Fault("BatchWriteRow:OTSServerBusy:0.5");
  TableWriter w = h.Writer(emu);
  for (int i = 0; i < 1000; ++i) REQUIRE(w.Add(h.Make(i, "v")).ok());
  REQUIRE(w.Flush().ok());
  emu.NoFaults();
  CHECK(h.rejected.empty());
  CHECK(emu.Table().size() == 1000);
}

TEST_CASE("TableWriter: permanent row errors are rejected, the other rows written") {
  Emulator emu;
  Harness h;
  TableWriter w = h.Writer(emu);
  for (int i = 0; i < 10; ++i) REQUIRE(w.Add(h.Make(i, "old")).ok());
  REQUIRE(w.Flush().ok());
  for (int i = 5; i < 15; ++i) {
    WriteItem* item = h.Make(i, "new", WriteType::kPut);
    item->condition.row_existence = RowExistence::kExpectNotExist;
    REQUIRE(w.Add(item).ok());
  }
  REQUIRE(w.Flush().ok());
  CHECK(h.written.size() == 15);
  REQUIRE(h.rejected.size() == 5);
  for (const auto& [tag, code] : h.rejected) CHECK(code == "OTSConditionCheckFail");
  auto table = emu.Table();
  CHECK(table[5] == "old");
  CHECK(table[12] == "new");
}

TEST_CASE("TableWriter: a permanently refused request is split down to single rows") {
  Emulator emu;
  Harness h;
  emu.Fault("BatchWriteRow:OTSParameterInvalid:1");
  TableWriter w = h.Writer(emu);
  for (int i = 0; i < 4; ++i) REQUIRE(w.Add(h.Make(i, "v")).ok());
  REQUIRE(w.Flush().ok());
  emu.NoFaults();
  CHECK(w.stats().requests == 7);  // 4, 2 + 2, 1 + 1 + 1 + 1
  CHECK(h.rejected.size() == 4);
  CHECK(h.written.empty());
}

TEST_CASE("TableWriter: a put-if-absent of a bare key counts an existing row as written") {
  Emulator emu;
  Harness h;
  TableWriter w = h.Writer(emu);
  REQUIRE(w.Add(h.Make(1, "keep")).ok());
  REQUIRE(w.Flush().ok());
  for (int id : {1, 2}) {
    WriteItem& item = h.items.emplace_back();
    item.tag = 100 + id;
    item.type = WriteType::kPut;
    item.condition.row_existence = RowExistence::kExpectNotExist;
    item.condition_failure_is_success = true;
    Cell& k = item.row.primary_key.emplace_back();
    k.name = "id";
    k.value = Value::Integer(id);
    EncodePrimaryKey(item.row.primary_key, &item.key);
    item.encoded_size = EncodedSize(item.row);
    REQUIRE(w.Add(&item).ok());
  }
  REQUIRE(w.Flush().ok());
  CHECK(h.rejected.empty());
  auto table = emu.Table();
  REQUIRE(table.size() == 2);
  CHECK(table[1] == "keep");
  CHECK(table[2] == "");
}

TEST_CASE("TableWriter: whole requests failed with a timeout are sent again") {
  // The client does not repeat a write after OTSTimeout (it may have been applied); the export's
  // writes carry absolute values, so the writer does.
  Emulator emu;
  Harness h;
  emu.Fault("BatchWriteRow:OTSTimeout:0.5");
  TableWriter w = h.Writer(emu);
  for (int i = 0; i < 1000; ++i) REQUIRE(w.Add(h.Make(i, "v")).ok());
  REQUIRE(w.Flush().ok());
  emu.NoFaults();
  CHECK(w.stats().requests_failed > 0);
  CHECK(h.rejected.empty());
  CHECK(h.written.size() == 1000);
  CHECK(emu.Table().size() == 1000);
}
