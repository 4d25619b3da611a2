// The table model to and from its protobuf messages: the one mapping the client and the emulator
// share, checked field by field against the wire's numbering (wire doc A.3).
#include <doctest/doctest.h>

#include <string>

#include "tablestore/pb_model.h"
#include "tablestore/proto/table_store.pb.h"

using namespace tsb::ots;

TEST_CASE("pb_model: TableMeta goes to the wire with the protobuf's numbers and comes back") {
  TableMeta meta;
  meta.name = "orders";
  meta.primary_key = {{"shard", PrimaryKeyType::kInteger, false},
                      {"user", PrimaryKeyType::kString, false},
                      {"blob", PrimaryKeyType::kBinary, false},
                      {"seq", PrimaryKeyType::kInteger, true}};
  meta.defined_columns = {{"d", DefinedColumnType::kDouble}, {"b", DefinedColumnType::kBinary}};

  pb::TableMeta message;
  TableMetaToPb(meta, &message);
  CHECK(message.table_name() == "orders");
  REQUIRE(message.primary_key_size() == 4);
  CHECK(message.primary_key(0).type() == pb::INTEGER);
  CHECK(message.primary_key(1).type() == pb::STRING);
  CHECK(message.primary_key(2).type() == pb::BINARY);
  CHECK_FALSE(message.primary_key(2).has_option());
  CHECK(message.primary_key(3).name() == "seq");
  CHECK(message.primary_key(3).option() == pb::AUTO_INCREMENT);
  REQUIRE(message.defined_column_size() == 2);
  CHECK(message.defined_column(0).type() == pb::DCT_DOUBLE);
  CHECK(message.defined_column(1).type() == pb::DCT_BLOB);

  // Through the bytes, as between the client and the emulator.
  pb::TableMeta parsed;
  REQUIRE(parsed.ParseFromString(message.SerializeAsString()));
  TableMeta back = TableMetaFromPb(parsed);
  CHECK(back.name == "orders");
  REQUIRE(back.primary_key.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    CHECK(back.primary_key[i].name == meta.primary_key[i].name);
    CHECK(back.primary_key[i].type == meta.primary_key[i].type);
    CHECK(back.primary_key[i].auto_increment == meta.primary_key[i].auto_increment);
  }
  REQUIRE(back.defined_columns.size() == 2);
  CHECK(back.defined_columns[1].name == "b");
  CHECK(back.defined_columns[1].type == DefinedColumnType::kBinary);
}

TEST_CASE("pb_model: TableOptions carries exactly the options that are set") {
  TableOptions all;
  all.time_to_live = -1;
  all.max_versions = 3;
  all.max_time_deviation = 86400;
  all.allow_update = false;
  all.block_size = 65536;
  all.bloom_filter_type = 2;

  pb::TableOptions message;
  TableOptionsToPb(all, &message);
  CHECK(message.time_to_live() == -1);
  CHECK(message.max_versions() == 3);
  CHECK(message.deviation_cell_version_in_sec() == 86400);
  CHECK(message.has_allow_update());
  CHECK(message.allow_update() == false);
  CHECK(message.block_size() == 65536);
  CHECK(message.bloom_filter_type() == pb::CELL);

  TableOptions back = TableOptionsFromPb(message);
  CHECK(back.time_to_live == -1);
  CHECK(back.max_versions == 3);
  CHECK(back.max_time_deviation == 86400);
  CHECK(back.allow_update == false);
  CHECK(back.block_size == 65536);
  CHECK(back.bloom_filter_type == 2);

  TableOptions some;
  some.max_versions = 1;
  pb::TableOptions sparse;
  TableOptionsToPb(some, &sparse);
  CHECK(sparse.SerializeAsString() == std::string("\x10\x01", 2));  // field 2, varint 1
  TableOptions sparse_back = TableOptionsFromPb(sparse);
  CHECK(sparse_back.max_versions == 1);
  CHECK_FALSE(sparse_back.time_to_live.has_value());
  CHECK_FALSE(sparse_back.max_time_deviation.has_value());
  CHECK_FALSE(sparse_back.allow_update.has_value());
  CHECK_FALSE(sparse_back.block_size.has_value());
  CHECK_FALSE(sparse_back.bloom_filter_type.has_value());
}
