#include "core/spec_text.h"

#include <doctest/doctest.h>

#include <string>

using namespace tsb;

TEST_CASE("spec text: every key a spec may have is written back and reads back the same") {
  const std::string json = R"j({
  "tablestore": {
    "endpoint": "http://127.0.0.1:8800",
    "instance": "demo",
    "table": "orders",
    "region": "cn-hangzhou",
    "role_arn": "acs:ram::1234567890123456:role/reader",
    "sts_endpoint": "http://127.0.0.1:8801"
  },
  "columns": [
    {"name": "k", "type": "bigint"},
    {"name": "ts", "type": "timestamp", "ticks_unit": "micros"},
    {"name": "dt", "type": "datetime", "ticks_unit": "seconds"},
    {"name": "at", "type": "timestamp"},
    {"name": "price", "type": "decimal(12,2)"},
    {"name": "q\"uote", "type": "string"}
  ],
  "mapping": ":k, ts,dt,at,price,q",
  "file": {"path": "out.parquet", "format": "parquet", "compression": "zstd", "row_group_rows": 1000}
}
)j";
  auto spec = ParseJobSpec(json);
  REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
  // The mapping stays as the user wrote it; everything else is as given.
  CHECK(FormatJobSpec(*spec) == json);
  auto again = ParseJobSpec(FormatJobSpec(*spec));
  REQUIRE(again.ok());
  CHECK(FormatJobSpec(*again) == json);
}

TEST_CASE(
    "spec text: a location is written instead of endpoint and instance; defaults are left out") {
  auto spec =
      ParseJobSpec(R"({"tablestore": {"location": "tablestore://i.cn-beijing.ots.aliyuncs.com",
    "table": "t"}, "columns": [{"name": "k", "type": "STRING"},
    {"name": "ts", "type": "timestamp", "ticks_unit": "millis"}], "mapping": ":k,ts",
    "file": {"path": "x.csv.gz"}})");
  REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
  CHECK(FormatJobSpec(*spec) == R"({
  "tablestore": {
    "location": "tablestore://i.cn-beijing.ots.aliyuncs.com",
    "table": "t"
  },
  "columns": [
    {"name": "k", "type": "string"},
    {"name": "ts", "type": "timestamp"}
  ],
  "mapping": ":k,ts",
  "file": {"path": "x.csv.gz"}
}
)");
  CHECK(SpecTypeName(DataType::Timestamp(TimeUnit::kNanos)) == "timestamp");
}
