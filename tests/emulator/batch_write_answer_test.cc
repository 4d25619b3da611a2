// The hand-written BatchWriteRow answer against protobuf's serialization of the same message: the
// SDKs parse it with protobuf, so it must be the bytes protobuf writes, for every field the
// handler sets.
#include "emulator/batch_write_answer.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tablestore/proto/table_store.pb.h"

namespace tsb::emulator {
namespace {

namespace pb = ots::pb;

std::string ProtobufAnswer(const std::vector<BatchWriteAnswerTable>& tables) {
  pb::BatchWriteRowResponse resp;
  for (const BatchWriteAnswerTable& t : tables) {
    pb::TableInBatchWriteRowResponse* table = resp.add_tables();
    table->set_table_name(std::string(t.table_name));
    for (const BatchWriteAnswerRow& r : t.rows) {
      pb::RowInBatchWriteRowResponse* row = table->add_rows();
      row->set_is_ok(r.is_ok);
      if (!r.error_code.empty()) {
        row->mutable_error()->set_code(std::string(r.error_code));
        row->mutable_error()->set_message(std::string(r.error_message));
      }
      if (r.has_consumed) {
        row->mutable_consumed()->mutable_capacity_unit()->set_read(r.read_cu);
        row->mutable_consumed()->mutable_capacity_unit()->set_write(r.write_cu);
      }
    }
  }
  std::string out;
  REQUIRE(resp.SerializeToString(&out));
  return out;
}

std::string HandAnswer(const std::vector<BatchWriteAnswerTable>& tables) {
  std::string out = "kept";  // appended to, never cleared
  AppendBatchWriteAnswer(tables, &out);
  REQUIRE(out.starts_with("kept"));
  return out.substr(4);
}

TEST_CASE("BatchWriteRow answer: a batch of written rows, byte for byte as protobuf") {
  std::vector<BatchWriteAnswerRow> rows(200);
  for (auto& r : rows) r = {true, {}, {}, true, 0, 1};
  std::vector<BatchWriteAnswerTable> tables = {{"orders", rows}};
  const std::string hand = HandAnswer(tables);
  CHECK(hand == ProtobufAnswer(tables));
  pb::BatchWriteRowResponse parsed;
  REQUIRE(parsed.ParseFromString(hand));
  REQUIRE(parsed.tables_size() == 1);
  CHECK(parsed.tables(0).table_name() == "orders");
  REQUIRE(parsed.tables(0).rows_size() == 200);
  CHECK(parsed.tables(0).rows(199).is_ok());
  CHECK(parsed.tables(0).rows(199).consumed().capacity_unit().write() == 1);
  CHECK(parsed.tables(0).rows(199).consumed().capacity_unit().read() == 0);
}

TEST_CASE("BatchWriteRow answer: errors, faults, several tables and every size of varint") {
  const std::vector<int32_t> units = {0,       1,       127,       128, 16383,     16384,
                                      1 << 21, 1 << 28, INT32_MAX, -1,  INT32_MIN, 300};
  const std::string long_message(200, 'm');  // a length of two varint bytes
  std::mt19937 rng(20);
  for (int round = 0; round < 200; ++round) {
    const int table_count = 1 + static_cast<int>(rng() % 3);
    std::vector<std::vector<BatchWriteAnswerRow>> rows(table_count);
    std::vector<std::string> names(table_count);
    std::vector<BatchWriteAnswerTable> tables(table_count);
    for (int t = 0; t < table_count; ++t) {
      names[t] = std::string(rng() % 3 == 0 ? 0 : 1 + rng() % 140, static_cast<char>('a' + t));
      const size_t n = rng() % 12;
      for (size_t i = 0; i < n; ++i) {
        BatchWriteAnswerRow r;
        switch (rng() % 3) {
          case 0:
            r.is_ok = true;
            r.has_consumed = true;
            break;
          case 1:  // a row the store refused: consumed and an error
            r.has_consumed = true;
            r.error_code = "OTSConditionCheckFail";
            r.error_message = rng() % 2 ? std::string_view(long_message) : "";
            break;
          default:  // an injected fault: an error, nothing consumed
            r.error_code = "OTSServerBusy";
            r.error_message = "Server is busy.";
            break;
        }
        r.read_cu = units[rng() % units.size()];
        r.write_cu = units[rng() % units.size()];
        rows[t].push_back(r);
      }
      tables[t] = {names[t], rows[t]};
    }
    INFO("round " << round);
    CHECK(HandAnswer(tables) == ProtobufAnswer(tables));
  }
}

}  // namespace
}  // namespace tsb::emulator
