// The hand-read BatchWriteRow request against protobuf's parse of the same bytes: whatever the
// hand parser takes must be what protobuf reads (and a message protobuf accepts, required fields
// and all); what it leaves to protobuf is only ever the uncommon forms, never an export's batch.
#include "emulator/batch_write_request.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "tablestore/proto/table_store.pb.h"

namespace tsb::emulator {
namespace {

namespace pb = ots::pb;

// Checks that a body the hand parser took reads the same with protobuf.
void CheckAgainstProtobuf(const std::string& body, const std::vector<SimpleBatchWriteTable>& tables,
                          const std::vector<SimpleBatchWriteRow>& rows) {
  pb::BatchWriteRowRequest req;
  REQUIRE(req.ParsePartialFromString(body));
  REQUIRE(req.IsInitialized());
  REQUIRE(req.tables_size() == static_cast<int>(tables.size()));
  CHECK_FALSE(req.has_transaction_id());
  CHECK_FALSE(req.has_is_atomic());
  size_t flat = 0;
  for (int t = 0; t < req.tables_size(); ++t) {
    const auto& table = req.tables(t);
    CHECK(table.table_name() == tables[t].table_name);
    REQUIRE(table.rows_size() == static_cast<int>(tables[t].row_count));
    CHECK(tables[t].first_row == flat);
    for (const auto& row : table.rows()) {
      REQUIRE(flat < rows.size());
      CHECK(row.type() == rows[flat].type);
      CHECK(row.row_change() == rows[flat].row_change);
      CHECK(row.condition().row_existence() == rows[flat].row_existence);
      CHECK_FALSE(row.condition().has_column_condition());
      CHECK_FALSE(row.has_return_content());
      ++flat;
    }
  }
  CHECK(flat == rows.size());
}

pb::BatchWriteRowRequest RandomRequest(std::mt19937* rng, bool common) {
  pb::BatchWriteRowRequest req;
  const int table_count = 1 + static_cast<int>((*rng)() % 3);
  for (int t = 0; t < table_count; ++t) {
    auto* table = req.add_tables();
    table->set_table_name(std::string(1 + (*rng)() % 200, static_cast<char>('a' + t)));
    const int rows = static_cast<int>((*rng)() % 6);
    for (int r = 0; r < rows; ++r) {
      auto* row = table->add_rows();
      row->set_type(static_cast<pb::OperationType>(1 + (*rng)() % 3));
      row->set_row_change(std::string((*rng)() % 300, static_cast<char>((*rng)() % 256)));
      row->mutable_condition()->set_row_existence(
          static_cast<pb::RowExistenceExpectation>((*rng)() % 3));
      if (!common) {
        switch ((*rng)() % 4) {
          case 0:
            row->mutable_condition()->set_column_condition("filter");
            break;
          case 1:
            row->mutable_return_content()->set_return_type(pb::RT_PK);
            break;
          default:
            break;
        }
      }
    }
  }
  if (!common && (*rng)() % 3 == 0) req.set_transaction_id("tx");
  return req;
}

TEST_CASE("BatchWriteRow request: the common form is read by hand, as protobuf reads it") {
  std::mt19937 rng(20);
  std::vector<SimpleBatchWriteTable> tables;
  std::vector<SimpleBatchWriteRow> rows;
  for (int round = 0; round < 300; ++round) {
    INFO("round " << round);
    const std::string body = RandomRequest(&rng, true).SerializeAsString();
    REQUIRE(ParseSimpleBatchWriteRow(body, &tables, &rows));
    CheckAgainstProtobuf(body, tables, rows);
  }
  // No table at all: an empty request, which the handler refuses as protobuf's would be.
  REQUIRE(ParseSimpleBatchWriteRow("", &tables, &rows));
  CHECK(tables.empty());
  CHECK(rows.empty());
}

TEST_CASE("BatchWriteRow request: other forms are left to protobuf, never misread") {
  std::mt19937 rng(7);
  std::vector<SimpleBatchWriteTable> tables;
  std::vector<SimpleBatchWriteRow> rows;
  int left = 0;
  for (int round = 0; round < 300; ++round) {
    INFO("round " << round);
    const pb::BatchWriteRowRequest req = RandomRequest(&rng, false);
    const std::string body = req.SerializeAsString();
    bool uncommon = req.has_transaction_id();
    for (const auto& t : req.tables()) {
      for (const auto& r : t.rows()) {
        uncommon = uncommon || r.has_return_content() || r.condition().has_column_condition();
      }
    }
    const bool taken = ParseSimpleBatchWriteRow(body, &tables, &rows);
    CHECK(taken == !uncommon);
    if (taken) CheckAgainstProtobuf(body, tables, rows);
    left += taken ? 0 : 1;
  }
  CHECK(left > 100);

  // Values outside their enums, missing required fields, a repeated field: left to protobuf.
  pb::BatchWriteRowRequest req;
  auto* row = req.add_tables()->add_rows();
  req.mutable_tables(0)->set_table_name("t");
  row->set_type(pb::PUT);
  row->set_row_change("x");
  row->mutable_condition()->set_row_existence(pb::IGNORE);
  const std::string good = req.SerializeAsString();
  REQUIRE(ParseSimpleBatchWriteRow(good, &tables, &rows));
  CheckAgainstProtobuf(good, tables, rows);
  std::string bad_type = good;
  bad_type[bad_type.find(std::string("\x08\x01", 2))] = 0x08;
  bad_type[bad_type.find(std::string("\x08\x01", 2)) + 1] = 0x04;  // type 4
  CHECK_FALSE(ParseSimpleBatchWriteRow(bad_type, &tables, &rows));
  pb::BatchWriteRowRequest missing = req;
  missing.mutable_tables(0)->mutable_rows(0)->clear_row_change();
  CHECK_FALSE(ParseSimpleBatchWriteRow(missing.SerializePartialAsString(), &tables, &rows));
  missing = req;
  missing.mutable_tables(0)->clear_table_name();
  CHECK_FALSE(ParseSimpleBatchWriteRow(missing.SerializePartialAsString(), &tables, &rows));
  missing = req;
  missing.mutable_tables(0)->mutable_rows(0)->mutable_condition()->clear_row_existence();
  CHECK_FALSE(ParseSimpleBatchWriteRow(missing.SerializePartialAsString(), &tables, &rows));
  CHECK_FALSE(ParseSimpleBatchWriteRow(good + good.substr(0, 3) + "\x01", &tables, &rows));

  // Every cut of a valid body: taken only when protobuf reads the same.
  const std::string body = RandomRequest(&rng, true).SerializeAsString();
  for (size_t cut = 0; cut < body.size(); ++cut) {
    INFO("cut " << cut);
    const std::string part = body.substr(0, cut);
    if (ParseSimpleBatchWriteRow(part, &tables, &rows)) CheckAgainstProtobuf(part, tables, rows);
  }
}

}  // namespace
}  // namespace tsb::emulator
