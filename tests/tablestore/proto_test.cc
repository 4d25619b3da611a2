// The compiled protobuf messages (src/tablestore/proto) against byte examples captured from the
// Node SDK (wire doc A.1, A.3, A.4, B.2): field numbers, types and proto2 required fields.
#include <doctest/doctest.h>

#include <string>

#include "core/crypto.h"
#include "tablestore/plainbuffer.h"
#include "tablestore/proto/table_store.pb.h"
#include "tablestore/proto/table_store_filter.pb.h"

namespace tsb::ots {
namespace {

std::string Hex(std::string_view hex) { return *HexDecode(hex); }

TEST_CASE("proto: DescribeTableRequest body of vector V3") {
  pb::DescribeTableRequest req;
  req.set_table_name("t1");
  CHECK(HexEncode(req.SerializeAsString()) == "0a027431");
  pb::ListTableResponse resp;
  REQUIRE(resp.ParseFromString(Hex("0a027431")));
  REQUIRE(resp.table_names_size() == 1);
  CHECK(resp.table_names(0) == "t1");
}

TEST_CASE("proto: GetRowRequest as the Node SDK sends it") {
  Row key;
  Cell pk;
  pk.name = "pk";
  pk.value = Value::String("a");
  key.primary_key.push_back(pk);
  std::string key_bytes;
  EncodePrimaryKey(key.primary_key, &key_bytes);

  pb::GetRowRequest req;
  req.set_table_name("t");
  req.set_primary_key(key_bytes);
  req.set_max_versions(1);
  CHECK(HexEncode(req.SerializeAsString()) ==
        "0a0174121c7500000001030402000000706b05060000000301000000610ad409ee2801");
}

TEST_CASE("proto: Error body") {
  pb::Error err;
  REQUIRE(err.ParseFromString(
      Hex("0a114f54534f626a6563744e6f744578697374121f52657175657374656420746162"
          "6c6520646f6573206e6f742065786973742e")));
  CHECK(err.code() == "OTSObjectNotExist");
  CHECK(err.message() == "Requested table does not exist.");
  pb::Error missing_code;
  CHECK(!missing_code.ParseFromString(Hex("1201")));  // proto2: code is required
}

TEST_CASE("proto: filters (wire doc A.4, B.2)") {
  auto single = [](std::string_view column, const Value& v, bool pass_if_missing) {
    pb::SingleColumnValueFilter f;
    f.set_comparator(pb::CT_EQUAL);
    f.set_column_name(std::string(column));
    std::string value;
    EncodeColumnValue(v, &value);
    f.set_column_value(value);
    f.set_filter_if_missing(!pass_if_missing);
    f.set_latest_version_only(true);
    pb::Filter outer;
    outer.set_type(pb::FT_SINGLE_COLUMN_VALUE);
    outer.set_filter(f.SerializeAsString());
    return HexEncode(outer.SerializeAsString());
  };
  CHECK(single("col", Value::String("abc"), false) ==
        "0801121508011203636f6c1a08030300000061626320012801");
  CHECK(single("c", Value::Integer(1), true) ==
        "080112140801120163" "1a09000100000000000000" "20002801");
  CHECK(single("c", Value::String("a"), true) ==
        "080112110801120163" "1a06030100000061" "20002801");
}

TEST_CASE("proto: ComputeSplitPointsBySize messages") {
  pb::ComputeSplitPointsBySizeRequest req;
  req.set_table_name("t");
  req.set_split_size(256);
  req.set_split_size_unit_in_byte(1048576);
  CHECK(HexEncode(req.SerializeAsString()) == "0a017410800218808040");
  // SplitLocation.repeat is sint64 (zigzag): 3 -> 06.
  pb::ComputeSplitPointsBySizeResponse::SplitLocation loc;
  loc.set_location("A");
  loc.set_repeat(3);
  CHECK(HexEncode(loc.SerializeAsString()) == "0a01411006");
}

}  // namespace
}  // namespace tsb::ots
