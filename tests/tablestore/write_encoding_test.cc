// The export's write path encodes each row once, straight from the batch's columns into the bytes
// the request carries (RowEncoder, RowFieldWriter), and writes the BatchWriteRowRequest body by
// hand (EncodeBatchWriteRowBody). These tests hold both to the general encoders they replace:
// EncodeRow for the rows, the generated protobuf message for the body.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "tablestore/batch_writer.h"
#include "tablestore/core_bridge.h"
#include "tablestore/plainbuffer.h"
#include "tablestore/proto/table_store.pb.h"
#include "tablestore/table_batch_writer.h"
#include "tsbridge/convert.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/tablestore/client.h"

namespace tsb::ots {
namespace {

Cell Put(std::string_view name, Value v) {
  Cell c;
  c.name = name;
  c.value = v;
  return c;
}

Cell DeleteAll(std::string_view name) {
  Cell c;
  c.name = name;
  c.op = CellOp::kDeleteAllVersions;
  return c;
}

// What RowFieldWriter writes for `row` (cells in order; the key is the primary key's cells).
std::string WriteField(const Row& row, size_t* key_end) {
  size_t key_size = 0, attribute_size = 0;
  for (const Cell& c : row.primary_key) {
    key_size += RowFieldWriter::CellSize(c.name, c.value ? &*c.value : nullptr, c.op);
  }
  for (const Cell& c : row.attributes) {
    attribute_size += RowFieldWriter::CellSize(c.name, c.value ? &*c.value : nullptr, c.op);
  }
  std::string out = "stale bytes that must go";
  RowFieldWriter w(&out, key_size, attribute_size);
  for (const Cell& c : row.primary_key) w.AddCell(c.name, c.value ? &*c.value : nullptr, c.op);
  *key_end = w.offset();
  if (!row.attributes.empty()) w.BeginAttributes();
  for (const Cell& c : row.attributes) w.AddCell(c.name, c.value ? &*c.value : nullptr, c.op);
  w.Finish();
  CHECK(w.offset() == out.size());
  CHECK(out.size() == RowFieldWriter::FieldSize(key_size, attribute_size));
  return out;
}

std::vector<Row> SampleRows(const std::string& big) {
  std::vector<Row> rows;
  Row& a = rows.emplace_back();
  a.primary_key = {Put("pk", Value::Integer(-7)), Put("day", Value::String("1996-01-02"))};
  a.attributes = {Put("price", Value::Double(172799.49)), Put("flag", Value::Boolean(true)),
                  Put("raw", Value::Binary(std::string_view("\0\xff\x01", 3))),
                  Put("empty", Value::String("")), DeleteAll("gone")};
  Row& b = rows.emplace_back();  // a bare key (an update that changes nothing)
  b.primary_key = {Put("pk", Value::Integer(std::numeric_limits<int64_t>::max()))};
  Row& c = rows.emplace_back();  // a long value: multi-byte lengths everywhere
  c.primary_key = {Put("k", Value::String(big))};
  c.attributes = {Put("nan", Value::Double(std::nan(""))), Put("neg", Value::Double(-0.0)),
                  Put("b", Value::Boolean(false)), Put("v", Value::String(big))};
  return rows;
}

TEST_CASE("write encoding: RowFieldWriter writes EncodeRow's bytes") {
  const std::string big(70000, 'x');
  for (const Row& row : SampleRows(big)) {
    std::string want;
    EncodeRow(row, &want);
    size_t key_end = 0;
    std::string got = WriteField(row, &key_end);
    CHECK(HexEncode(got) == HexEncode(want));
    // The key's cells are EncodePrimaryKey's, between its 01 tag and its 09 checksum.
    std::string pk;
    EncodePrimaryKey(row.primary_key, &pk);
    CHECK(got.substr(5, key_end - 5) == pk.substr(5, pk.size() - 7));
    Row back;
    REQUIRE(DecodeRow(got, &back).ok());
  }
}

TEST_CASE("write encoding: WriteItem::SetRow keeps the row's bytes, key and size") {
  const std::string big(300, 'k');
  for (const Row& row : SampleRows(big)) {
    WriteItem item;
    item.SetRow(row);
    std::string want;
    EncodeRow(row, &want);
    CHECK(item.encoded == want);
    CHECK(item.encoded_size == want.size());
    std::string pk;
    EncodePrimaryKey(row.primary_key, &pk);
    CHECK(item.key() == pk.substr(5, pk.size() - 7));
    // Decoded on demand (rejects, read-backs): the same cells.
    const Row& back = item.row();
    REQUIRE(back.primary_key.size() == row.primary_key.size());
    REQUIRE(back.attributes.size() == row.attributes.size());
    CHECK(back.primary_key[0].name == row.primary_key[0].name);
  }
}

// The body as Client::BatchWriteRow serializes RowWrites through the generated message.
std::string ProtobufBody(std::string_view table, const std::vector<Row>& rows,
                         const std::vector<WriteType>& types,
                         const std::vector<const Condition*>& conditions) {
  pb::BatchWriteRowRequest req;
  auto* t = req.add_tables();
  t->set_table_name(std::string(table));
  for (size_t i = 0; i < rows.size(); ++i) {
    auto* r = t->add_rows();
    r->set_type(static_cast<pb::OperationType>(types[i]));
    EncodeRow(rows[i], r->mutable_row_change());
    const Condition none;
    const Condition& c = conditions[i] != nullptr ? *conditions[i] : none;
    r->mutable_condition()->set_row_existence(
        static_cast<pb::RowExistenceExpectation>(c.row_existence));
    if (c.column_condition) {
      REQUIRE(EncodeFilter(*c.column_condition, r->mutable_condition()->mutable_column_condition())
                  .ok());
    }
  }
  return req.SerializeAsString();
}

TEST_CASE("write encoding: the BatchWriteRow body is protobuf's, byte for byte") {
  const std::string big(20000, 'v');  // row_change lengths of 3-byte varints
  std::vector<Row> sample = SampleRows(big);
  Condition not_exist;
  not_exist.row_existence = RowExistence::kExpectNotExist;
  Condition filtered;
  filtered.row_existence = RowExistence::kExpectExist;
  filtered.column_condition =
      ColumnFilter::Compare("price", Comparator::kGreaterThan, Value::Integer(5));

  SUBCASE("one row of each kind") {
    std::vector<Row> rows = sample;
    std::vector<WriteType> types = {WriteType::kUpdate, WriteType::kPut, WriteType::kPut};
    std::vector<const Condition*> conditions = {nullptr, &not_exist, &filtered};
    std::vector<std::string> encoded(rows.size());
    std::vector<EncodedRowWrite> writes(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      EncodeRow(rows[i], &encoded[i]);
      writes[i] = EncodedRowWrite{types[i], encoded[i], conditions[i]};
    }
    std::string body = "stale";
    REQUIRE(EncodeBatchWriteRowBody("ots_tpch_orders", writes, &body).ok());
    CHECK(HexEncode(body) == HexEncode(ProtobufBody("ots_tpch_orders", rows, types, conditions)));
  }
  SUBCASE("200 rows and a long table name") {
    const std::string table(200, 't');
    std::vector<Row> rows;
    std::vector<WriteType> types;
    std::vector<const Condition*> conditions;
    for (int i = 0; i < 200; ++i) {
      rows.push_back(sample[static_cast<size_t>(i % 3)]);
      types.push_back(i % 2 == 0 ? WriteType::kUpdate : WriteType::kDelete);
      conditions.push_back(i % 5 == 0 ? &not_exist : nullptr);
    }
    std::vector<std::string> encoded(rows.size());
    std::vector<EncodedRowWrite> writes(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      EncodeRow(rows[i], &encoded[i]);
      writes[i] = EncodedRowWrite{types[i], encoded[i], conditions[i]};
    }
    std::string body;
    REQUIRE(EncodeBatchWriteRowBody(table, writes, &body).ok());
    CHECK(body == ProtobufBody(table, rows, types, conditions));
  }
  SUBCASE("no rows") {
    std::string body;
    REQUIRE(EncodeBatchWriteRowBody("t", {}, &body).ok());
    CHECK(body == ProtobufBody("t", {}, {}, {}));
  }
}

// A batch of the guide's orders with a decimal and a date (values converted into the encoder's
// scratch space) beside strings that stay in the batch.
struct OrdersBatch {
  std::shared_ptr<const Schema> schema = std::make_shared<Schema>(std::vector<Field>{
      {"okey", DataType::Of(TypeId::kInt64)},
      {"oday", DataType::Of(TypeId::kString)},
      {"price", DataType::Decimal(12, 2)},
      {"shipped", DataType::Of(TypeId::kDate)},
      {"status", DataType::Of(TypeId::kString)},
      {"rate", DataType::Of(TypeId::kDouble)},
      {"open", DataType::Of(TypeId::kBoolean)},
  });
  RowBatch batch{schema};
  TableColumnMapping mapping;

  OrdersBatch() {
    mapping.keys = {{0, "okey", "o_orderkey"}, {1, "oday", "o_orderdate"}};
    mapping.attributes = {{2, "price", "o_totalprice"},
                          {3, "shipped", "o_shipdate"},
                          {4, "status", "o_orderstatus"},
                          {5, "rate", "o_rate"},
                          {6, "open", "o_open"}};
    // 1, 1996-01-02, 172799.49, 1996-02-12 (day 9538), "O", 0.5, true
    batch.column(0).AppendInt(1);
    batch.column(1).AppendBytes("1996-01-02");
    batch.column(2).AppendInt128(17279949);
    batch.column(3).AppendInt(9538);
    batch.column(4).AppendBytes("O");
    batch.column(5).AppendDouble(0.5);
    batch.column(6).AppendBool(true);
    batch.CommitRow();
    // 2, 1996-12-01, NULL, NULL, "F", NULL, NULL
    batch.column(0).AppendInt(2);
    batch.column(1).AppendBytes("1996-12-01");
    batch.column(2).AppendNull();
    batch.column(3).AppendNull();
    batch.column(4).AppendBytes("F");
    batch.column(5).AppendNull();
    batch.column(6).AppendNull();
    batch.CommitRow();
  }
};

TEST_CASE("write encoding: RowEncoder writes EncodeRow's bytes of the row the mapping makes") {
  OrdersBatch o;
  Row first;
  first.primary_key = {Put("o_orderkey", Value::Integer(1)),
                       Put("o_orderdate", Value::String("1996-01-02"))};
  first.attributes = {Put("o_totalprice", Value::String("172799.49")),
                      Put("o_shipdate", Value::String("1996-02-12")),
                      Put("o_orderstatus", Value::String("O")), Put("o_rate", Value::Double(0.5)),
                      Put("o_open", Value::Boolean(true))};
  Row second;
  second.primary_key = {Put("o_orderkey", Value::Integer(2)),
                        Put("o_orderdate", Value::String("1996-12-01"))};

  struct Case {
    const char* name;
    TableRowOptions options;
    std::vector<Cell> second_attributes;
    WriteType second_type;
  };
  TableRowOptions put;
  put.put_mode = true;
  TableRowOptions deletes;
  deletes.nulls_delete = true;
  std::vector<Case> cases = {
      {"update", {}, {Put("o_orderstatus", Value::String("F"))}, WriteType::kUpdate},
      {"put", put, {Put("o_orderstatus", Value::String("F"))}, WriteType::kPut},
      {"nulls delete",
       deletes,
       {DeleteAll("o_totalprice"), DeleteAll("o_shipdate"),
        Put("o_orderstatus", Value::String("F")), DeleteAll("o_rate"), DeleteAll("o_open")},
       WriteType::kUpdate},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    RowEncoder encoder(&o.mapping, c.options);
    second.attributes = c.second_attributes;
    WriteItem item;
    std::string code, message;
    int r = 0;
    for (const Row* want : {&first, &second}) {
      CAPTURE(r);
      REQUIRE(encoder.Encode(o.batch, static_cast<size_t>(r), &item, &code, &message) ==
              EncodeOutcome::kOk);
      WriteItem expected;
      expected.SetRow(*want);
      CHECK(HexEncode(item.encoded) == HexEncode(expected.encoded));
      CHECK(item.encoded_size == expected.encoded.size());
      CHECK(item.key() == expected.key());
      CHECK(item.key_hash == expected.key_hash);
      ++r;
    }
    CHECK(item.type == c.second_type);
  }
}

TEST_CASE("write encoding: every column type encodes as ColumnValueToOts converts it") {
  // The encoder reads the common types straight from the column and converts the others
  // (decimals, dates, narrow integers) through ColumnValueToOts; both must give its value.
  DataType uint64 = DataType::Of(TypeId::kInt64);
  uint64.is_unsigned = true;
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"k", DataType::Of(TypeId::kInt64)},
      {"i8", DataType::Of(TypeId::kInt8)},
      {"i32", DataType::Of(TypeId::kInt32)},
      {"ts", DataType::Timestamp(TimeUnit::kMicros)},
      {"dt", DataType::Of(TypeId::kDateTime)},
      {"f", DataType::Of(TypeId::kFloat)},
      {"d", DataType::Of(TypeId::kDouble)},
      {"b", DataType::Of(TypeId::kBoolean)},
      {"s", DataType::Of(TypeId::kString)},
      {"raw", DataType::Of(TypeId::kBinary)},
      {"day", DataType::Of(TypeId::kDate)},
      {"dec", DataType::Decimal(20, 3)},
      {"s2", DataType::Of(TypeId::kString)},
  });
  RowBatch batch{schema};
  batch.column(0).AppendInt(-42);
  batch.column(1).AppendInt(-128);
  batch.column(2).AppendInt(2147483647);
  batch.column(3).AppendInt(1700000000123456);
  batch.column(4).AppendInt(-1);
  batch.column(5).AppendDouble(static_cast<double>(1.25f));
  batch.column(6).AppendDouble(-0.0);
  batch.column(7).AppendBool(false);
  batch.column(8).AppendBytes("h\xc3\xa9");
  batch.column(9).AppendBytes(std::string_view("\0\xff", 2));
  batch.column(10).AppendInt(0);
  batch.column(11).AppendInt128(-1234567);
  batch.column(12).AppendBytes("");
  batch.CommitRow();

  TableColumnMapping mapping;
  mapping.keys = {{0, "k", "pk"}};
  for (int c = 1; c < 13; ++c) {
    mapping.attributes.push_back({c, schema->field(static_cast<size_t>(c)).name,
                                  "a_" + schema->field(static_cast<size_t>(c)).name});
  }
  Row want;
  std::vector<std::string> scratch(13);
  for (int c = 0; c < 13; ++c) {
    OtsValueRef ref;
    REQUIRE(ColumnValueToOts(batch.column(static_cast<size_t>(c)), 0, &scratch[c], &ref).ok());
    const std::string& name =
        c == 0 ? mapping.keys[0].ots_name : mapping.attributes[c - 1].ots_name;
    (c == 0 ? want.primary_key : want.attributes).push_back(Put(name, ToWireValue(ref)));
  }
  CHECK(want.attributes[9].value->bytes == "1970-01-01");
  CHECK(want.attributes[10].value->bytes == "-1234.567");
  TableRowOptions put;
  put.put_mode = true;
  RowEncoder encoder(&mapping, put);
  WriteItem item;
  std::string code, message;
  REQUIRE(encoder.Encode(batch, 0, &item, &code, &message) == EncodeOutcome::kOk);
  WriteItem expected;
  expected.SetRow(want);
  CHECK(HexEncode(item.encoded) == HexEncode(expected.encoded));

  // An unsigned 64-bit column has no Tablestore form: the row is rejected, naming the column.
  RowBatch unsigned_batch{std::make_shared<Schema>(
      std::vector<Field>{{"k", DataType::Of(TypeId::kInt64)}, {"u", uint64}})};
  unsigned_batch.column(0).AppendInt(1);
  unsigned_batch.column(1).AppendInt(-1);
  unsigned_batch.CommitRow();
  TableColumnMapping unsigned_mapping;
  unsigned_mapping.keys = {{0, "k", "pk"}};
  unsigned_mapping.attributes = {{1, "u", "a_u"}};
  RowEncoder unsigned_encoder(&unsigned_mapping, put);
  CHECK(unsigned_encoder.Encode(unsigned_batch, 0, &item, &code, &message) ==
        EncodeOutcome::kReject);
  CHECK(code == "TSB_BAD_VALUE");
  CHECK(message.find("column \"u\"") != std::string::npos);
}

TEST_CASE("write encoding: an update that changes nothing is a put of the bare key") {
  OrdersBatch o;
  o.mapping.attributes = {{5, "rate", "o_rate"}};  // NULL in row 2
  RowEncoder encoder(&o.mapping, TableRowOptions{});
  WriteItem item;
  std::string code, message;
  REQUIRE(encoder.Encode(o.batch, 1, &item, &code, &message) == EncodeOutcome::kOk);
  CHECK(item.type == WriteType::kPut);
  CHECK(item.condition.row_existence == RowExistence::kExpectNotExist);
  CHECK(item.condition_failure_is_success);
  Row want;
  want.primary_key = {Put("o_orderkey", Value::Integer(2)),
                      Put("o_orderdate", Value::String("1996-12-01"))};
  std::string bytes;
  EncodeRow(want, &bytes);
  CHECK(item.encoded == bytes);
  CHECK(item.key() == std::string_view(item.encoded).substr(5, bytes.size() - 7));
}

TEST_CASE("write encoding: a row over the request limit is refused before it is written") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"k", DataType::Of(TypeId::kInt64)},
                                                            {"a", DataType::Of(TypeId::kString)},
                                                            {"b", DataType::Of(TypeId::kString)}});
  RowBatch batch(schema);
  const std::string two_mib(2 << 20, 'z');
  batch.column(0).AppendInt(1);
  batch.column(1).AppendBytes(two_mib);
  batch.column(2).AppendBytes(two_mib);
  batch.CommitRow();
  TableColumnMapping mapping;
  mapping.keys = {{0, "k", "k"}};
  mapping.attributes = {{1, "a", "a"}, {2, "b", "b"}};
  RowEncoder encoder(&mapping, TableRowOptions{});
  WriteItem item;
  std::string code, message;
  REQUIRE(encoder.Encode(batch, 0, &item, &code, &message) == EncodeOutcome::kReject);
  CHECK(code == "TSB_TOO_LARGE");
  // header 4, 01, key cell 23, 02, two cells of 2 MiB + 19, 09 crc 2
  const size_t size = 4 + 1 + 23 + 1 + 2 * ((2u << 20) + 19) + 2;
  CHECK(message == "the row encodes to " + std::to_string(size) +
                       " bytes; a write request carries at most 4194304");
  CHECK(item.encoded.empty());
}

TEST_CASE("write encoding: a reused item starts empty, whatever its last row set") {
  Row first;
  first.primary_key.push_back(Cell{"k", Value::Integer(1), CellOp::kPut, std::nullopt});
  first.attributes.push_back(Cell{"a", Value::String("x"), CellOp::kPut, std::nullopt});
  WriteItem item;
  item.SetRow(first);
  item.tag = 7;
  item.type = WriteType::kPut;
  item.condition.row_existence = RowExistence::kExpectNotExist;
  item.condition.column_condition =
      ColumnFilter::Compare("a", Comparator::kEqual, Value::String("x"));
  item.condition_failure_is_success = true;
  REQUIRE(item.row().attributes.size() == 1);  // decoded once, kept for rejects

  item.Reset();
  CHECK(item.tag == 0);
  CHECK(item.type == WriteType::kUpdate);
  CHECK(item.condition.row_existence == RowExistence::kIgnore);
  CHECK_FALSE(item.condition.column_condition.has_value());
  CHECK_FALSE(item.condition_failure_is_success);
  CHECK(item.encoded.empty());
  CHECK(item.encoded_size == 0);
  CHECK(item.key().empty());
  // The next row's decode is its own, not the last row's.
  Row second;
  second.primary_key.push_back(Cell{"k", Value::Integer(2), CellOp::kPut, std::nullopt});
  item.SetRow(second);
  CHECK(item.row().attributes.empty());
  REQUIRE(item.row().primary_key.size() == 1);
  CHECK(item.row().primary_key[0].value->i == 2);

  // What every row writes shares the item's first cache line (the item is aligned to one).
  static_assert(alignof(WriteItem) == 64);
  const char* base = reinterpret_cast<const char*>(&item);
  CHECK(reinterpret_cast<const char*>(&item.condition) - base <= 64);
  CHECK(reinterpret_cast<const char*>(&item.condition_failure_is_success) - base < 64);
}

}  // namespace
}  // namespace tsb::ots
