#include "tsbridge/mapping.h"

#include <doctest/doctest.h>

using namespace tsb;

namespace {

std::vector<Field> OrderColumns() {
  return {{"odps_orderkey", DataType::Of(TypeId::kInt64)},
          {"odps_orderdate", DataType::Of(TypeId::kString)},
          {"odps_custkey", DataType::Of(TypeId::kInt64)},
          {"odps_orderstatus", DataType::Of(TypeId::kString)},
          {"odps_totalprice", DataType::Of(TypeId::kDouble)}};
}

const std::vector<TableKeyColumn> kOrdersKey = {{"o_orderkey", OtsType::kInteger},
                                                {"o_orderdate", OtsType::kString}};

std::string CheckError(const std::string& text, const std::vector<TableKeyColumn>& key,
                       std::vector<Field> cols = OrderColumns()) {
  auto m = ColumnMapping::Parse(text, cols);
  REQUIRE(m.ok());
  Status s = m->CheckAgainstTable(cols, "ots_tpch_orders", key);
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kInvalidArgument);
  return s.message();
}

}  // namespace

TEST_CASE("the guide's mapping parses, with white space around names") {
  auto m = ColumnMapping::Parse(":o_orderkey,:o_orderdate,o_custkey, o_orderstatus,o_totalprice",
                                OrderColumns());
  REQUIRE(m.ok());
  REQUIRE(m->size() == 5);
  CHECK(m->columns()[0].ots_name == "o_orderkey");
  CHECK(m->columns()[0].primary_key);
  CHECK(m->columns()[0].ots_type == OtsType::kInteger);
  CHECK(m->columns()[3].ots_name == "o_orderstatus");
  CHECK_FALSE(m->columns()[3].primary_key);
  CHECK(m->columns()[4].ots_type == OtsType::kDouble);
  CHECK(m->FindOtsColumn("o_custkey") == 2);
  CHECK(m->FindOtsColumn("nope") == -1);
  CHECK(m->CheckAgainstTable(OrderColumns(), "ots_tpch_orders", kOrdersKey).ok());
}

TEST_CASE("mapping errors found from the spec alone") {
  auto cols = OrderColumns();
  auto err = [&](const std::string& text) {
    auto m = ColumnMapping::Parse(text, cols);
    REQUIRE_FALSE(m.ok());
    return m.status().message();
  };
  CHECK(err("o_orderkey,o_orderdate,o_custkey,o_orderstatus,o_totalprice") ==
        "mapping: no primary-key column; mark the table's primary-key columns with a leading ':' "
        "(\":pk1,:pk2,attr\")");
  CHECK(err(":o_orderkey,,o_custkey,o_orderstatus,o_totalprice") ==
        "mapping: entry 2 (for column \"odps_orderdate\"): empty name");
  CHECK(err(":o_orderkey,:o_orderdate") ==
        "mapping: 2 names for 5 columns; the mapping names one Tablestore column per entry of "
        "columns, in the same order");
  std::vector<Field> six(5, Field{"k", DataType::Of(TypeId::kInt64)});
  CHECK(ColumnMapping::Parse(":a,:b,:c,:d,:e", six).status().message() ==
        "mapping: entry 5 (for column \"k\"): more than 4 primary-key columns (Tablestore's "
        "limit)");
  std::vector<Field> boolkey = {{"flag", DataType::Of(TypeId::kBoolean)}};
  CHECK(
      ColumnMapping::Parse(":flag", boolkey)
          .status()
          .message()
          .find("mapping: entry 1 (for column \"flag\"): a primary-key column cannot be boolean") ==
      0);
  std::vector<Field> keys = {{"d", DataType::Of(TypeId::kDate)},
                             {"m", DataType::Decimal(10, 2)},
                             {"t", DataType::Timestamp(TimeUnit::kMicros)},
                             {"b", DataType::Of(TypeId::kBinary)}};
  auto ok = ColumnMapping::Parse(":d,:m,:t,:b", keys);
  REQUIRE(ok.ok());
  CHECK(ok->columns()[0].ots_type == OtsType::kString);
  CHECK(ok->columns()[1].ots_type == OtsType::kString);
  CHECK(ok->columns()[2].ots_type == OtsType::kInteger);
  CHECK(ok->columns()[3].ots_type == OtsType::kBinary);
  CHECK(IsValidOtsName("_a9"));
  CHECK_FALSE(IsValidOtsName("9a"));
  CHECK_FALSE(IsValidOtsName(std::string(256, 'a')));
  CHECK(IsValidOtsName(std::string(255, 'a')));
}

TEST_CASE("mapping checked against the table's primary key") {
  CHECK(CheckError(":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice",
                   {{"o_orderkey", OtsType::kInteger},
                    {"o_orderdate", OtsType::kString},
                    {"o_line", OtsType::kInteger}}) ==
        "mapping: primary-key column \"o_line\" of table ots_tpch_orders is not mapped; every "
        "primary-key column must be, in the table's order (o_orderkey INTEGER, o_orderdate "
        "STRING, o_line INTEGER)");
  CHECK(CheckError(":o_orderdate,:o_orderkey,o_custkey,o_orderstatus,o_totalprice", kOrdersKey,
                   {{"odps_orderdate", DataType::Of(TypeId::kString)},
                    {"odps_orderkey", DataType::Of(TypeId::kInt64)},
                    {"c", DataType::Of(TypeId::kInt64)},
                    {"s", DataType::Of(TypeId::kString)},
                    {"p", DataType::Of(TypeId::kDouble)}}) ==
        "mapping: primary-key columns are mapped in the order (o_orderdate, o_orderkey); table "
        "ots_tpch_orders has them in the order (o_orderkey INTEGER, o_orderdate STRING)");
  CHECK(CheckError(":o_orderkey,:o_orderdate,:o_custkey,o_orderstatus,o_totalprice", kOrdersKey) ==
        "mapping: \":o_custkey\" is not a primary-key column of table ots_tpch_orders; its "
        "primary key is (o_orderkey INTEGER, o_orderdate STRING)");
  CHECK(CheckError(":o_orderkey,o_orderdate,o_custkey,o_orderstatus,o_totalprice", kOrdersKey) ==
        "mapping: \"o_orderdate\" is a primary-key column of table ots_tpch_orders; write it as "
        "\":o_orderdate\"");
  CHECK(CheckError(":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice",
                   {{"o_orderkey", OtsType::kString}, {"o_orderdate", OtsType::kString}}) ==
        "mapping: primary-key column \"o_orderkey\" is STRING in table ots_tpch_orders, but spec "
        "column \"odps_orderkey\" is bigint (stored as INTEGER)");
}

TEST_CASE("a mapping of 100,000 entries is checked in linear time") {
  constexpr size_t kWide = 100000;
  std::vector<Field> cols;
  std::string text;
  for (size_t k = 0; k < kWide; ++k) {
    cols.push_back({"c" + std::to_string(k), DataType::Of(TypeId::kInt64)});
    text += (k ? ", a" : ":a") + std::to_string(k);
  }
  auto m = ColumnMapping::Parse(text, cols);
  REQUIRE_MESSAGE(m.ok(), m.status().message());
  CHECK(m->size() == kWide);
  CHECK(m->attribute_columns().size() == kWide - 1);
  CHECK(m->FindOtsColumn("a99999") == 99999);
  CHECK(m->CheckAgainstTable(cols, "t", {{"a0", OtsType::kInteger}}).ok());
  // The last entry repeats the middle one: found, naming both entries.
  text.replace(text.rfind("a99999"), 6, "a50000");
  CHECK(ColumnMapping::Parse(text, cols).status().message() ==
        "mapping: entry 100000 (for column \"c99999\"): \"a50000\" is mapped twice (also entry "
        "50001)");
}
