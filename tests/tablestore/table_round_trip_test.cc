// The table pair of the round-trip harness (tests/formats/round_trip_test.cc): the batches of
// support/round_trip.h are written into a table of the in-process emulator, one row per batch
// row under the INTEGER key "k" (its row number), each cell as core turns a column value into a
// Tablestore value (ColumnValueToOts) and NULL as an absent cell; a GetRange scan reads them back
// and core turns each value into the column's type again (AppendOtsValue). Every cell must come
// back exactly. Until the table scan reader and batch writer of src/tablestore exist, this drives
// the client directly.
#include <doctest/doctest.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "support/emulator_fixture.h"
#include "support/round_trip.h"
#include "tsbridge/convert.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/tablestore/client.h"

namespace tsb::testing {
namespace {

ots::Value ToClientValue(const OtsValueRef& v) {
  switch (v.type) {
    case OtsType::kInteger:
      return ots::Value::Integer(v.i);
    case OtsType::kDouble:
      return ots::Value::Double(v.d);
    case OtsType::kBoolean:
      return ots::Value::Boolean(v.b);
    case OtsType::kString:
      return ots::Value::String(v.bytes);
    case OtsType::kBinary:
      return ots::Value::Binary(v.bytes);
  }
  return ots::Value::InfMin();
}

OtsValueRef FromClientValue(const ots::Value& v) {
  OtsValueRef r;
  switch (v.type) {
    case ots::ValueType::kInteger:
      r.type = OtsType::kInteger;
      r.i = v.i;
      break;
    case ots::ValueType::kDouble:
      r.type = OtsType::kDouble;
      r.d = v.d;
      break;
    case ots::ValueType::kBoolean:
      r.type = OtsType::kBoolean;
      r.b = v.b;
      break;
    case ots::ValueType::kString:
      r.type = OtsType::kString;
      r.bytes = v.bytes;
      break;
    default:
      r.type = OtsType::kBinary;
      r.bytes = v.bytes;
      break;
  }
  return r;
}

TEST_CASE("round trip: a table written through the emulator gives back the batches it was given") {
  EmulatorFixture emu("roundtrip");
  ots::CreateTableRequest create;
  create.meta.name = "rt";
  create.meta.primary_key = {{"k", ots::PrimaryKeyType::kInteger}};
  REQUIRE(emu.client->CreateTable(create).ok());

  auto schema = std::make_shared<const Schema>(RoundTripFields());
  const std::vector<RowBatch> batches = RoundTripBatches(schema);
  int64_t key = 0;
  for (const RowBatch& batch : batches) {
    for (size_t begin = 0; begin < batch.num_rows(); begin += 200) {
      const size_t end = std::min(batch.num_rows(), begin + 200);
      std::deque<std::string> scratch;  // the text of decimals and dates, which cells view
      std::vector<ots::Row> rows(end - begin);
      for (size_t r = begin; r < end; ++r) {
        ots::Row& row = rows[r - begin];
        row.primary_key.push_back(ots::Cell{"k", ots::Value::Integer(key++), ots::CellOp::kPut, {}});
        for (size_t c = 0; c < schema->size(); ++c) {
          if (batch.column(c).IsNull(r)) continue;
          OtsValueRef v;
          Status s = ColumnValueToOts(batch.column(c), r, &scratch.emplace_back(), &v);
          REQUIRE_MESSAGE(s.ok(), schema->field(c).name << ": " << s.ToString());
          row.attributes.push_back(ots::Cell{schema->field(c).name, ToClientValue(v), ots::CellOp::kPut, {}});
        }
      }
      ots::BatchWriteRowRequest request;
      ots::BatchWriteTable& table = request.tables.emplace_back();
      table.table = "rt";
      for (const ots::Row& row : rows) table.rows.push_back(ots::BatchWriteRowItem{ots::WriteType::kPut, &row, {}, {}});
      ots::BatchResult result;
      Status s = emu.client->BatchWriteRow(request, &result);
      REQUIRE_MESSAGE(s.ok(), s.ToString());
      REQUIRE(result.failed_rows == 0);
    }
  }

  ots::GetRangeRequest range;
  range.table = "rt";
  range.inclusive_start = {ots::Cell{"k", ots::Value::InfMin(), ots::CellOp::kPut, {}}};
  range.exclusive_end = {ots::Cell{"k", ots::Value::InfMax(), ots::CellOp::kPut, {}}};
  int64_t row = 0;
  size_t mismatches = 0;
  Status scanned = emu.client->GetRangeAll(range, [&](const ots::GetRangeResult& page) {
    for (const ots::Row& got : page.rows) {
      REQUIRE(row < kRows);
      CHECK(got.primary_key.at(0).value->i == row);
      RowBatch one(schema, 1);
      std::vector<bool> seen(schema->size(), false);
      for (const ots::Cell& cell : got.attributes) {
        const int c = schema->Find(cell.name);
        REQUIRE_MESSAGE(c >= 0, "unexpected column " << std::string(cell.name));
        Status s = AppendOtsValue(FromClientValue(*cell.value), &one.column(static_cast<size_t>(c)));
        REQUIRE_MESSAGE(s.ok(), std::string(cell.name) << ": " << s.ToString());
        seen[static_cast<size_t>(c)] = true;
      }
      for (size_t c = 0; c < schema->size(); ++c) {
        if (!seen[c]) one.column(c).AppendNull();
      }
      const RowBatch& want = batches[static_cast<size_t>(row) / kBatchRows];
      const size_t wi = static_cast<size_t>(row) % kBatchRows;
      for (size_t c = 0; c < schema->size(); ++c) {
        const std::string expected = Exact(want.column(c), wi);
        const std::string actual = Exact(one.column(c), 0);
        if (expected != actual && ++mismatches <= 20) {
          FAIL_CHECK("row " << row << " column " << schema->field(c).name << ": wrote " << expected
                            << ", read " << actual);
        }
      }
      ++row;
    }
    return Status::OK();
  });
  REQUIRE_MESSAGE(scanned.ok(), scanned.ToString());
  CHECK(row == kRows);
  CHECK(mismatches == 0);
}

}  // namespace
}  // namespace tsb::testing
