// TableWriter (tablestore/batch_writer.h) against the emulator, in-process: request cutting by
// rows, bytes and repeated keys, row-level retries through the emulator's fault injection,
// permanent row errors, whole-request refusals split down to the guilty rows. Then the
// TableBatchWriter (tablestore/table_batch_writer.h) over it: RowBatches in, rows in the table,
// rejects with their positions.
#include "tablestore/batch_writer.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/md5_lanes.h"
#include "emulator/faults.h"
#include "emulator/server.h"
#include "support/emulator_fixture.h"
#include "support/testing.h"
#include "tablestore/plainbuffer.h"
#include "tablestore/table_batch_writer.h"
#include "tsbridge/tablestore/client.h"

using namespace tsb;
using namespace tsb::ots;
using std::chrono::milliseconds;

namespace {

using tsb::testing::NoSleepEnv;

// The shared emulator with the table "t" (id INTEGER) every test here writes to.
struct Emulator : tsb::testing::EmulatorFixture {
  Emulator() : EmulatorFixture("exporttest") {
    CreateTableRequest t;
    t.meta.name = "t";
    t.meta.primary_key = {{"id", PrimaryKeyType::kInteger}};
    REQUIRE(client->CreateTable(t).ok());
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
    Row row;
    Cell& k = row.primary_key.emplace_back();
    k.name = "id";
    k.value = Value::Integer(id);
    Cell& v = row.attributes.emplace_back();
    v.name = "v";
    v.value = Value::String(value);
    item.SetRow(row);
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
        emu.client.get(), o,
        [this](std::span<WriteItem* const> items) {
          for (WriteItem* item : items) written.push_back(item->tag);
        },
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

TEST_CASE("TableWriter: a key repeated more often than there are generations; the last row wins") {
  // Each copy waits for the request with the one before; once every generation holds the key,
  // the first goes out and its keys are forgotten, so the copies keep flowing.
  Emulator emu;
  Harness h;
  TableWriter w = h.Writer(emu, /*max_rows=*/4);
  for (int c = 0; c < 10; ++c) {
    REQUIRE(w.Add(h.Make(7, "copy" + std::to_string(c))).ok());
    REQUIRE(w.Add(h.Make(100 + c, "other")).ok());
  }
  REQUIRE(w.Flush().ok());
  CHECK(h.written.size() == 20);
  CHECK(w.stats().max_request_rows <= 4);
  auto table = emu.Table();
  REQUIRE(table.size() == 11);
  CHECK(table[7] == "copy9");
  for (int c = 0; c < 10; ++c) CHECK(table[100 + c] == "other");
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
    Row row;
    Cell& k = row.primary_key.emplace_back();
    k.name = "id";
    k.value = Value::Integer(id);
    item.SetRow(row);
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

// ---------------------------------------------------------------------------------------------
// TableBatchWriter.

namespace {

// A batch of (id, v) rows at lines first_line, first_line + 1, ...; a negative id is a NULL key,
// an empty v a NULL value.
RowBatch MakeBatch(const std::vector<std::pair<int64_t, std::string>>& rows, int64_t first_line) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{
      {"id", DataType::Of(TypeId::kInt64)}, {"v", DataType::Of(TypeId::kString)}});
  RowBatch batch(schema, rows.size());
  for (const auto& [id, v] : rows) {
    if (id < 0) {
      batch.column(0).AppendNull();
    } else {
      batch.column(0).AppendInt(id);
    }
    if (v.empty()) {
      batch.column(1).AppendNull();
    } else {
      batch.column(1).AppendBytes(v);
    }
    batch.positions().push_back(first_line + static_cast<int64_t>(batch.num_rows()));
    batch.CommitRow();
  }
  return batch;
}

struct BatchHarness {
  std::vector<std::pair<int64_t, std::string>> encode_rejects;  // position, code
  std::vector<std::pair<int64_t, std::string>> row_rejects;     // position, code
  std::mutex mu;

  TableBatchWriter::Options Options(int threads) {
    TableBatchWriter::Options o;
    o.writer.table = "t";
    o.mapping.keys = {{0, "id", "id"}};
    o.mapping.attributes = {{1, "v", "v"}};
    o.threads = threads;
    return o;
  }
  std::unique_ptr<TableBatchWriter> Writer(Emulator& emu, TableBatchWriter::Options o) {
    o.writer.retry_env = &emu.env;
    return std::make_unique<TableBatchWriter>(
        emu.client.get(), std::move(o),
        [this](const RowBatch&, size_t, int64_t position, std::string_view code, std::string_view) {
          encode_rejects.emplace_back(position, std::string(code));
          return Status::OK();
        },
        [this](int64_t position, const Row& row, std::string_view code, std::string_view) {
          std::lock_guard<std::mutex> lock(mu);
          CHECK(row.primary_key.size() == 1);
          row_rejects.emplace_back(position, std::string(code));
          return Status::OK();
        });
  }
};

}  // namespace

TEST_CASE("TableBatchWriter: batches reach the table through N writers; the last of a key wins") {
  for (int threads : {0, 3}) {
    CAPTURE(threads);
    Emulator emu;
    BatchHarness h;
    auto w = h.Writer(emu, h.Options(threads));
    std::vector<std::pair<int64_t, std::string>> rows;
    for (int64_t i = 0; i < 500; ++i) rows.emplace_back(i, "a" + std::to_string(i));
    rows.emplace_back(7, "again");
    REQUIRE(w->Write(MakeBatch(rows, 2)).ok());
    REQUIRE(w->Write(MakeBatch({{7, "third"}, {500, "last"}}, 600)).ok());
    REQUIRE(w->Close().ok());
    CHECK(w->counters().rows_written.load() == 503);
    CHECK(w->counters().rows_rejected.load() == 0);
    CHECK(h.encode_rejects.empty());
    auto table = emu.Table();
    CHECK(table.size() == 501);
    CHECK(table[0] == "a0");
    CHECK(table[7] == "third");
    CHECK(table[499] == "a499");
    CHECK(table[500] == "last");
    CHECK(w->stats().max_request_rows <= 200);
  }
}

TEST_CASE(
    "TableBatchWriter: packed requests keep the limits and the key order; each row done once") {
  for (int threads : {0, 2}) {
    CAPTURE(threads);
    Emulator emu;
    BatchHarness h;
    TableBatchWriter::Options o = h.Options(threads);
    o.writer.max_rows = 5;
    o.writer.max_bytes = 300;
    std::mutex mu;
    std::vector<int64_t> done;
    o.on_rows_done = [&](std::span<const int64_t> positions) {
      std::lock_guard<std::mutex> lock(mu);
      done.insert(done.end(), positions.begin(), positions.end());
    };
    auto w = h.Writer(emu, std::move(o));
    // Three rounds over 20 keys: each key is repeated in later requests, which must land in
    // input order; one row (line 31) is over the byte limit and is refused alone.
    std::vector<std::pair<int64_t, std::string>> rows;
    std::map<int64_t, std::string> want;
    for (int round = 0; round < 3; ++round) {
      for (int64_t k = 0; k < 20; ++k) {
        rows.emplace_back(k, "r" + std::to_string(round) + "-" + std::to_string(k));
        want[k] = rows.back().second;
      }
      if (round == 0) rows.emplace_back(99, std::string(400, 'x'));
    }
    REQUIRE(w->Write(MakeBatch(rows, 10)).ok());
    REQUIRE(w->Close().ok());
    CHECK(h.row_rejects ==
          std::vector<std::pair<int64_t, std::string>>{{30, std::string("TSB_TOO_LARGE")}});
    CHECK(w->counters().rows_written.load() == 60);
    CHECK(w->stats().max_request_rows == 5);
    CHECK(w->stats().max_request_bytes <= 300);
    CHECK(emu.Table() == want);
    std::sort(done.begin(), done.end());
    std::vector<int64_t> all(rows.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = 10 + static_cast<int64_t>(i);
    CHECK(done == all);
  }
}

TEST_CASE(
    "TableBatchWriter: bodies hashed side by side reach the table; a retry builds its own body") {
  // The emulator checks every request's x-ots-contentmd5, as the service does: a body or a hash
  // that went wrong in a lane fails the job with OTSAuthFailed.
  for (int lanes : {1, 8, 16}) {
    const int width = SetMd5LanesForTesting(lanes);
    CAPTURE(width);
    Emulator emu;
    BatchHarness h;
    TableBatchWriter::Options o = h.Options(4);
    o.writer.max_rows = 7;
    auto w = h.Writer(emu, std::move(o));
    // Some requests time out and are sent again, rebuilt from their rows.
    emu.Fault("BatchWriteRow:OTSTimeout:0.2");
    std::map<int64_t, std::string> want;
    int64_t line = 1;
    size_t total = 0;
    for (int batch = 0; batch < 3; ++batch) {
      std::vector<std::pair<int64_t, std::string>> rows;
      for (int64_t i = 0; i < 400; ++i) {
        // Keys repeat across batches; values of every length up to 300 bytes vary the bodies.
        const int64_t id = (i * 7 + batch * 131) % 600;
        std::string v(static_cast<size_t>((i * 37 + batch) % 300) + 1,
                      static_cast<char>('a' + batch));
        want[id] = v;
        rows.emplace_back(id, std::move(v));
      }
      total += rows.size();
      REQUIRE(w->Write(MakeBatch(rows, line)).ok());
      line += static_cast<int64_t>(rows.size());
    }
    REQUIRE(w->Close().ok());
    emu.NoFaults();
    CHECK(h.row_rejects.empty());
    CHECK(w->counters().rows_written.load() == static_cast<int64_t>(total));
    CHECK(w->stats().requests_failed > 0);
    if (width > 1) {
      CHECK(w->stats().requests_prepared > 0);
    } else {
      CHECK(w->stats().requests_prepared == 0);
    }
    CHECK(emu.Table() == want);
  }
  SetMd5LanesForTesting(0);
}

TEST_CASE("TableBatchWriter: a row that cannot be encoded is rejected with its position") {
  Emulator emu;
  BatchHarness h;
  TableBatchWriter::Options o = h.Options(0);
  o.position_offset = 100;
  auto w = h.Writer(emu, std::move(o));
  RowBatch batch = MakeBatch({{1, "x"}, {-1, "no key"}, {2, "y"}, {3, "z"}}, 1);
  // Rows [1, 3) only: the NULL key at line 2 and id 2 at line 3.
  REQUIRE(w->WriteRows(batch, 1, 3).ok());
  REQUIRE(w->Close().ok());
  REQUIRE(h.encode_rejects.size() == 1);
  CHECK(h.encode_rejects[0] == std::make_pair(int64_t{102}, std::string("TSB_NULL_KEY")));
  CHECK(emu.Table() == std::map<int64_t, std::string>{{2, "y"}});
}

TEST_CASE("TableBatchWriter: requests are cut at the row limit") {
  Emulator emu;
  BatchHarness h;
  TableBatchWriter::Options o = h.Options(0);
  o.writer.max_rows = 4;
  auto w = h.Writer(emu, std::move(o));
  std::vector<std::pair<int64_t, std::string>> rows;
  for (int64_t i = 0; i < 10; ++i) rows.emplace_back(i, "v");
  REQUIRE(w->Write(MakeBatch(rows, 1)).ok());
  REQUIRE(w->Close().ok());
  CHECK(w->stats().requests == 3);  // 4 + 4 + 2
  CHECK(w->stats().max_request_rows == 4);
  CHECK(emu.Table().size() == 10);
}

TEST_CASE("TableBatchWriter: rows the table refuses come back with their positions") {
  Emulator emu;
  BatchHarness h;
  {
    auto w = h.Writer(emu, h.Options(2));
    REQUIRE(w->Write(MakeBatch({{1, "old"}, {2, "old"}}, 1)).ok());
    REQUIRE(w->Close().ok());
  }
  TableBatchWriter::Options o = h.Options(2);
  o.rows.if_absent = true;
  auto w = h.Writer(emu, std::move(o));
  REQUIRE(w->Write(MakeBatch({{1, "new"}, {3, "new"}, {2, "new"}}, 10)).ok());
  REQUIRE(w->Close().ok());
  std::sort(h.row_rejects.begin(), h.row_rejects.end());
  CHECK(h.row_rejects == std::vector<std::pair<int64_t, std::string>>{
                             {10, "OTSConditionCheckFail"}, {12, "OTSConditionCheckFail"}});
  CHECK(w->counters().rows_written.load() == 1);
  CHECK(w->counters().rows_rejected.load() == 2);
  CHECK(emu.Table() == std::map<int64_t, std::string>{{1, "old"}, {2, "old"}, {3, "new"}});
}

TEST_CASE("TableBatchWriter: --shard keeps the rows of its share, as KeyShardOf decides") {
  Emulator emu;
  BatchHarness h;
  TableBatchWriter::Options o = h.Options(0);
  o.rows.shard_index = 2;
  o.rows.shard_count = 3;
  auto w = h.Writer(emu, std::move(o));
  std::vector<std::pair<int64_t, std::string>> rows;
  for (int64_t i = 0; i < 60; ++i) rows.emplace_back(i, "v");
  REQUIRE(w->Write(MakeBatch(rows, 1)).ok());
  REQUIRE(w->Close().ok());
  auto table = emu.Table();
  int64_t kept = 0;
  for (int64_t i = 0; i < 60; ++i) {
    std::string encoded;
    EncodeColumnValue(Value::Integer(i), &encoded);
    const bool mine = KeyShardOf(encoded, 3) == 1;
    CHECK(table.count(i) == (mine ? 1u : 0u));
    kept += mine ? 1 : 0;
  }
  CHECK(kept > 0);
  CHECK(kept < 60);
  CHECK(w->rows_skipped() == 60 - kept);
}
