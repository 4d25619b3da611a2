// The hand-written BatchWriteRowResponse parser against protobuf's: random answers (errors,
// capacity, return-content rows, unknown fields, repeated singular fields) decode to the same
// values, and every truncation protobuf refuses is refused.
#include "tablestore/batch_answer.h"

#include <doctest/doctest.h>

#include <deque>
#include <random>
#include <string>

#include "tablestore/plainbuffer.h"
#include "tablestore/proto/table_store.pb.h"
#include "tsbridge/tablestore/client.h"

using namespace tsb;
using namespace tsb::ots;

namespace {

std::string ReturnRow(int64_t id) {
  Row row;
  Cell pk;
  pk.name = "id";
  pk.value = Value::Integer(id);
  row.primary_key = {pk};
  std::string out;
  EncodeRow(row, &out);
  return out;
}

// Appends an unknown varint field 15 and an unknown length-delimited field 14.
void AddUnknown(std::string* out) { out->append("\x78\x2A\x72\x03xyz", 7); }

pb::BatchWriteRowResponse RandomAnswer(std::mt19937_64& rng, std::string* body) {
  pb::BatchWriteRowResponse resp;
  const int tables = 1 + static_cast<int>(rng() % 2);
  for (int t = 0; t < tables; ++t) {
    auto* table = resp.add_tables();
    table->set_table_name("table_" + std::to_string(t));
    const int rows = static_cast<int>(rng() % 220);
    for (int i = 0; i < rows; ++i) {
      auto* row = table->add_rows();
      const uint64_t pick = rng() % 10;
      row->set_is_ok(pick != 0);
      if (pick == 0) {
        row->mutable_error()->set_code("OTSConditionCheckFail");
        if (rng() % 2)
          row->mutable_error()->set_message("Condition check failed, row " + std::to_string(i));
      }
      if (pick != 1) {
        auto* cu = row->mutable_consumed()->mutable_capacity_unit();
        if (pick != 2) cu->set_write(static_cast<int32_t>(rng() % 5));
        if (pick == 3) cu->set_read(-1);  // ten varint bytes on the wire
      }
      if (pick == 4) row->set_row(ReturnRow(i));
    }
  }
  resp.SerializeToString(body);
  if (rng() % 2) {
    AddUnknown(body);
    // An extra table without rows, after the unknown fields.
    pb::BatchWriteRowResponse extra;
    extra.add_tables()->set_table_name("renamed");
    *body += extra.SerializeAsString();
    resp.add_tables()->set_table_name("renamed");
  }
  return resp;
}

void CheckSame(const pb::BatchWriteRowResponse& want, const BatchResult& got) {
  REQUIRE(got.tables.size() == static_cast<size_t>(want.tables_size()));
  CapacityUnits sum;
  size_t failed = 0;
  for (int t = 0; t < want.tables_size(); ++t) {
    const auto& wt = want.tables(t);
    const BatchTableResult& gt = got.tables[t];
    CHECK(gt.table == wt.table_name());
    REQUIRE(gt.rows.size() == static_cast<size_t>(wt.rows_size()));
    for (int i = 0; i < wt.rows_size(); ++i) {
      CAPTURE(t);
      CAPTURE(i);
      const auto& w = wt.rows(i);
      const BatchRowResult& g = gt.rows[i];
      CHECK(g.ok == w.is_ok());
      CHECK(g.error_code == w.error().code());
      CHECK(g.error_message == w.error().message());
      CHECK(g.consumed.read == w.consumed().capacity_unit().read());
      CHECK(g.consumed.write == w.consumed().capacity_unit().write());
      CHECK(g.has_row == (w.is_ok() && !w.row().empty()));
      if (g.has_row) {
        std::string again;
        EncodeRow(g.row, &again);
        CHECK(again == w.row());
      }
      sum.read += w.consumed().capacity_unit().read();
      sum.write += w.consumed().capacity_unit().write();
      if (!w.is_ok()) ++failed;
    }
  }
  CHECK(got.consumed.read == sum.read);
  CHECK(got.consumed.write == sum.write);
  CHECK(got.failed_rows == failed);
}

}  // namespace

TEST_CASE("batch answer: random answers parse as protobuf parses them") {
  std::mt19937_64 rng(20);
  BatchResult result;  // reused, as the writer reuses it
  for (int round = 0; round < 60; ++round) {
    CAPTURE(round);
    std::string body;
    pb::BatchWriteRowResponse built = RandomAnswer(rng, &body);
    pb::BatchWriteRowResponse parsed;
    REQUIRE(parsed.ParseFromString(body));
    std::deque<std::string> storage;
    Status s = ParseBatchWriteAnswer(body, "row", &result, &storage);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CheckSame(parsed, result);
    (void)built;
  }
}

TEST_CASE("batch answer: repeated nested messages merge, as protobuf merges them") {
  // Row: is_ok=0, error{code=A}, error{message=m}, consumed{cu{write=3}}, consumed{cu{read=2}}.
  const std::string row(
      "\x08\x00\x12\x03\x0a\x01"
      "A"
      "\x12\x03\x12\x01m"
      "\x1a\x04\x0a\x02\x10\x03"
      "\x1a\x04\x0a\x02\x08\x02",
      24);
  std::string table = "\x0a\x01t\x12" + std::string(1, static_cast<char>(row.size())) + row;
  std::string body = "\x0a" + std::string(1, static_cast<char>(table.size())) + table;
  pb::BatchWriteRowResponse parsed;
  REQUIRE(parsed.ParseFromString(body));
  REQUIRE(parsed.tables(0).rows(0).error().code() == "A");
  REQUIRE(parsed.tables(0).rows(0).error().message() == "m");
  BatchResult result;
  std::deque<std::string> storage;
  REQUIRE(ParseBatchWriteAnswer(body, "row", &result, &storage).ok());
  CheckSame(parsed, result);
  CHECK(result.tables[0].rows[0].consumed.read == 2);
  CHECK(result.tables[0].rows[0].consumed.write == 3);
}

TEST_CASE("batch answer: malformed and incomplete answers are refused as protobuf refuses them") {
  std::mt19937_64 rng(7);
  std::string body;
  pb::BatchWriteRowResponse built;
  do {
    built = RandomAnswer(rng, &body);
  } while (body.size() < 200 || body.size() > 4000);
  BatchResult result;
  int refused = 0;
  for (size_t cut = 0; cut < body.size(); ++cut) {
    CAPTURE(cut);
    const std::string prefix = body.substr(0, cut);
    pb::BatchWriteRowResponse parsed;
    const bool pb_ok = parsed.ParseFromString(prefix);
    std::deque<std::string> storage;
    Status s = ParseBatchWriteAnswer(prefix, "row", &result, &storage);
    // Required fields are checked alike, so a prefix that ends between whole fields is judged
    // the same way too.
    REQUIRE(s.ok() == pb_ok);
    if (pb_ok) {
      CheckSame(parsed, result);
    } else {
      ++refused;
      CHECK(s.code() == StatusCode::kCorruption);
      CHECK(s.message().find("BatchWriteRow: malformed response") != std::string::npos);
    }
  }
  CHECK(refused > 0);

  // A row without its required is_ok; an error without its code.
  for (const std::string& row :
       {std::string("\x1a\x02\x0a\x00", 4), std::string("\x08\x01\x12\x00", 4)}) {
    std::string table = "\x0a\x01t\x12" + std::string(1, static_cast<char>(row.size())) + row;
    std::string bad = "\x0a" + std::string(1, static_cast<char>(table.size())) + table;
    pb::BatchWriteRowResponse parsed;
    CHECK_FALSE(parsed.ParseFromString(bad));
    std::deque<std::string> storage;
    CHECK(ParseBatchWriteAnswer(bad, "row", &result, &storage).code() == StatusCode::kCorruption);
  }
}
