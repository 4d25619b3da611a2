#include <doctest/doctest.h>

#include "tsbridge/row_batch.h"
#include "tsbridge/types.h"

using namespace tsb;

TEST_CASE("spec types parse, and unknown ones are named in the error") {
  CHECK(DataType::ParseSpecType("bigint").value() == DataType::Of(TypeId::kInt64));
  CHECK(DataType::ParseSpecType(" Decimal(10, 2) ").value() == DataType::Decimal(10, 2));
  auto bad = DataType::ParseSpecType("bigin");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("unknown type \"bigin\"; expected one of bigint") == 0);
  CHECK_FALSE(DataType::ParseSpecType("decimal(39,2)").ok());
  CHECK_FALSE(DataType::ParseSpecType("decimal(5,6)").ok());
}

TEST_CASE("a batch keeps values and nulls per column and reuses its buffers") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"k", DataType::Of(TypeId::kInt64)}, {"s", DataType::Of(TypeId::kString)}});
  RowBatch batch(schema, 4);
  batch.column(0).AppendInt(-7);
  batch.column(1).AppendBytes("x");
  batch.CommitRow();
  batch.column(0).AppendNull();
  batch.column(1).AppendBytes(std::string_view("\0y", 2));
  batch.CommitRow();
  CHECK(batch.num_rows() == 2);
  CHECK(batch.column(0).GetInt(0) == -7);
  CHECK(batch.column(0).IsNull(1));
  CHECK(batch.column(1).GetBytes(1) == std::string_view("\0y", 2));
  batch.Reset();
  CHECK(batch.num_rows() == 0);
  CHECK(batch.column(1).size() == 0);
}

TEST_CASE("Schema::Find gives the first field of a name, narrow or wide") {
  Schema narrow({{"a", DataType::Of(TypeId::kInt64)}, {"b", DataType::Of(TypeId::kString)}});
  CHECK(narrow.Find("b") == 1);
  CHECK(narrow.Find("B") == -1);
  Schema grown;
  for (int k = 0; k < 100000; ++k) {
    grown.Add({"c" + std::to_string(k % 60000), DataType::Of(TypeId::kInt64)});
    if (k == 14) CHECK(grown.Find("c14") == 14);  // just below the size at which it indexes
    if (k == 15) CHECK(grown.Find("c15") == 15);
  }
  CHECK(grown.Find("c0") == 0);  // c0 appears again at 60000: the first one is found
  CHECK(grown.Find("c59999") == 59999);
  CHECK(grown.Find("c60000") == -1);
  Schema built(grown.fields());
  CHECK(built.Find("c59999") == 59999);
  CHECK(built.Find("c1") == 1);
  Schema copy = built;
  CHECK(copy.Find("c42") == 42);
}
