#include "formats/jsonl/jsonl.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "formats/text_testing.h"

using namespace tsb;
using namespace tsb::testing;

namespace {

ReadResult ReadJsonlText(const std::string& text, std::vector<Field> columns = {},
                         size_t batch_rows = 4096) {
  static int n = 0;
  std::string path = TempPath("inline_" + std::to_string(n++) + ".jsonl");
  WriteFileBytes(path, text);
  return ReadAll(ReadOpts(path, std::move(columns)), batch_rows);
}

}  // namespace

TEST_CASE("typed CSV -> JSONL -> JSONL is exact and byte-stable, plain, gzip and zstd") {
  for (const char* ext : {".jsonl", ".jsonl.gz", ".jsonl.zst"}) {
    CAPTURE(ext);
    std::string b = TempPath(std::string("types_b") + ext);
    std::string c = TempPath(std::string("types_c") + ext);
    TextCompression comp;
    REQUIRE(FormatFromPath(b, &comp).ok());
    REQUIRE(WriteAll(b, ReadOpts(CsvDir() + "duckdb_types.csv", DuckdbTypesColumns()),
                     FileFormat::kJsonl, comp)
                .ok());
    REQUIRE(WriteAll(c, ReadOpts(b, DuckdbTypesColumns()), FileFormat::kJsonl, comp, 5).ok());
    CHECK(ReadDecompressed(b) == ReadDecompressed(c));
    ReadResult r = ReadAll(ReadOpts(b, DuckdbTypesColumns()));
    REQUIRE(r.status.ok());
    CHECK(r.rejects.empty());
    CheckRowsEqual(r.rows, ExpectedRows("duckdb_types"));
  }
  // The first row, as decisions.md section 8 writes it.
  std::string first = ReadDecompressed(TempPath("types_b.jsonl"));
  first = first.substr(0, first.find('\n'));
  CHECK(
      first ==
      R"({"id":0,"c_int8":-128,"c_int16":-32768,"c_int32":-2147483648,)"
      R"("c_int64":-9223372036854775808,"c_uint64":0,"c_float":0.0,"c_double":0.0,)"
      R"("c_bool":true,"c_string":"","c_date":"0001-01-01","c_ts_us":"0001-01-01T00:00:00.000000",)"
      R"("c_dec9_2":"-9999999.99","c_dec38_10":"-9999999999999999999999999999.9999999999",)"
      R"("c_uuid":"00000000-0000-0000-0000-000000000000"})");
}

TEST_CASE("the corpus's own expected files read as JSON Lines with their types") {
  ReadResult types =
      ReadAll(ReadOpts(CsvDir() + "duckdb_types.expected.jsonl.gz", DuckdbTypesColumns()));
  REQUIRE(types.status.ok());
  CHECK(types.rejects.empty());
  CheckRowsEqual(types.rows, ExpectedRows("duckdb_types"));

  ReadResult orders = ReadAll(ReadOpts(CsvDir() + "orders.expected.jsonl.gz", OrdersColumns()));
  REQUIRE(orders.status.ok());
  CHECK(orders.rejects.empty());
  CheckRowsEqual(orders.rows, ExpectedRows("orders"));
  REQUIRE(!orders.positions.empty());
  CHECK(orders.positions.front() == 1);
  CHECK(orders.positions.back() == static_cast<int64_t>(orders.rows.size()));
}

TEST_CASE("with no columns, every corpus expected file parses with an inferred schema") {
  for (const char* dir : {"/csv", "/parquet"}) {
    for (const auto& e :
         std::filesystem::directory_iterator(std::string(TSB_SHARED_TESTDATA) + dir)) {
      std::string path = e.path().string();
      if (path.find(".expected.jsonl") == std::string::npos) continue;
      CAPTURE(path);
      ReadResult r = ReadAll(ReadOpts(path), 1000);
      REQUIRE(r.status.ok());
      for (const auto& rej : r.rejects) {
        CHECK(rej.code != "TSB_BAD_JSON");
      }
      std::string text = path.size() > 3 && path.substr(path.size() - 3) == ".gz"
                             ? ReadDecompressed(path)
                             : ReadFileBytes(path);
      size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
      CHECK(r.rows.size() + r.rejects.size() == lines);
    }
  }
  ReadResult inferred = ReadJsonlText(
      "{\"i\":1,\"d\":1,\"s\":\"x\",\"b\":true,\"n\":null,\"m\":1,\"o\":{\"k\":[1,2]}}\n"
      "{\"i\":9223372036854775807,\"d\":1.5,\"s\":\"y\",\"b\":false,\"n\":null,\"m\":\"z\"}\n");
  REQUIRE(inferred.status.ok());
  REQUIRE(inferred.rows.size() == 2);
  CHECK(inferred.rows[1].dump() ==
        R"({"i":"9223372036854775807","d":1.5,"s":"y","b":false,"n":null,"m":"z","o":null})");
  CHECK(inferred.rows[0]["m"] == "1");
  CHECK(inferred.rows[0]["o"] == R"({"k":[1,2]})");
}

TEST_CASE("a small first window (ReaderOptions::window_bytes) reads the same rows") {
  // The corpus's first 20,000 orders: enough records to cross the window's edge at every offset
  // the refills leave, few enough to read six times under the sanitizers.
  constexpr size_t kRows = 20000;
  const std::string text = ReadDecompressed(CsvDir() + "orders.expected.jsonl.gz");
  size_t end = 0;
  for (size_t n = 0; n < kRows; ++n) end = text.find('\n', end) + 1;
  const std::string path = TempPath("window_orders.jsonl");
  WriteFileBytes(path, text.substr(0, end));
  ReadResult whole = ReadAll(ReadOpts(path, OrdersColumns()), 100);
  REQUIRE(whole.status.ok());
  std::vector<nlohmann::ordered_json> expected = ExpectedRows("orders");
  expected.resize(kRows);
  CheckRowsEqual(whole.rows, expected);
  ReadResult whole_inferred = ReadAll(ReadOpts(path), 100);
  REQUIRE(whole_inferred.status.ok());
  for (size_t window : {size_t{1}, size_t{3}, size_t{64}, size_t{4096}}) {
    CAPTURE(window);
    ReaderOptions o = ReadOpts(path, OrdersColumns());
    o.window_bytes = window;
    ReadResult r = ReadAll(o, 100);
    REQUIRE(r.status.ok());
    CHECK(r.rows == whole.rows);
    CHECK(r.positions == whole.positions);
    // Inference samples the same first lines whatever the window's first size.
    ReaderOptions inferred = ReadOpts(path);
    inferred.window_bytes = window;
    ReadResult i = ReadAll(inferred, 100);
    REQUIRE(i.status.ok());
    CHECK(i.rows == whole_inferred.rows);
  }
}

TEST_CASE("JSON parsing: escapes, surrogates, numbers, missing and extra keys") {
  DataType u64 = DataType::Of(TypeId::kInt64);
  u64.is_unsigned = true;
  std::vector<Field> cols = {{"s", DataType::Of(TypeId::kString)},
                             {"i", DataType::Of(TypeId::kInt64)},
                             {"d", DataType::Of(TypeId::kDouble)},
                             {"bin", DataType::Of(TypeId::kBinary)},
                             {"u", u64}};
  ReadResult r = ReadJsonlText(
      "{\"s\":\"a\\\"b\\\\c\\/"
      "\\b\\f\\n\\r\\t\\u0000\\u00e9\\ud83d\\ude00\",\"i\":-9223372036854775808,"
      "\"d\":\"NaN\",\"bin\":\"//79\",\"u\":18446744073709551615}\r\n"
      "\n"
      "  { \"extra\" : [1, {\"x\": \"}\"}] , \"i\" : \"42\" , \"d\" : -0.0 , "
      "\"bin\" : {\"base64\": \"AAE=\"} }  \n"
      "{\"d\":1e+21,\"i\":1,\"i\":2,\"s\":\"\xC3\xA9\"}\n"
      "{}",
      cols);
  REQUIRE(r.status.ok());
  CHECK(r.rejects.empty());
  REQUIRE(r.rows.size() == 4);
  CHECK(r.rows[0]["s"] == std::string("a\"b\\c/\b\f\n\r\t\0\xC3\xA9\xF0\x9F\x98\x80", 18));
  CHECK(r.rows[0]["i"] == "-9223372036854775808");
  CHECK(r.rows[0]["d"] == "NaN");
  CHECK(r.rows[0]["bin"]["base64"] == "//79");
  CHECK(r.rows[0]["u"] == "18446744073709551615");
  CHECK(r.rows[1].dump() == R"({"s":null,"i":42,"d":-0.0,"bin":{"base64":"AAE="},"u":null})");
  CHECK(r.rows[2]["i"] == 2);  // a repeated key: the last wins
  CHECK(r.rows[2]["d"] == 1e21);
  CHECK(r.rows[2]["s"] == "\xC3\xA9");
  CHECK(r.rows[3].dump() == R"({"s":null,"i":null,"d":null,"bin":null,"u":null})");
  CHECK(r.positions == std::vector<int64_t>{1, 3, 4, 5});
}

TEST_CASE("malformed lines and bad values are rejects with their line") {
  std::vector<Field> cols = {{"i", DataType::Of(TypeId::kInt32)},
                             {"s", DataType::Of(TypeId::kString)}};
  ReadResult r = ReadJsonlText(
      "{\"i\":1,\"s\":\"ok\"}\n"
      "{\"i\":2,\"s\":\"unterminated}\n"
      "[1,2]\n"
      "{\"i\":3,\"s\":\"\\ud800\"}\n"     // lone surrogate
      "{\"i\":1.5,\"s\":\"x\"}\n"         // not an integer
      "{\"i\":4,\"s\":\"caf\xE9\"}\n"     // not UTF-8
      "{\"i\":2147483648,\"s\":\"x\"}\n"  // out of range for int
      "{\"i\":01,\"s\":\"x\"}\n"          // leading zero
      "{\"i\":5,\"s\":\"x\"} trailing\n"
      "{\"i\":6,\"s\":true}\n",
      cols, 3);
  REQUIRE(r.status.ok());
  REQUIRE(r.rows.size() == 2);
  CHECK(r.rows[1].dump() == R"({"i":6,"s":"true"})");
  CHECK(r.positions == std::vector<int64_t>{1, 10});
  REQUIRE(r.rejects.size() == 8);
  const char* codes[] = {"TSB_BAD_JSON", "TSB_BAD_JSON",  "TSB_BAD_JSON", "TSB_BAD_VALUE",
                         "TSB_BAD_UTF8", "TSB_BAD_VALUE", "TSB_BAD_JSON", "TSB_BAD_JSON"};
  for (size_t i = 0; i < r.rejects.size(); ++i) {
    CAPTURE(i);
    CHECK(r.rejects[i].position == static_cast<int64_t>(i + 2));
    CHECK(r.rejects[i].code == codes[i]);
  }
  CHECK(r.rejects[0].raw == "{\"i\":2,\"s\":\"unterminated}");
  CHECK(r.rejects[3].message == "column \"i\": expected int, got \"1.5\"");
  REQUIRE(r.rejects[3].fields.size() == 2);
  CHECK(*r.rejects[3].fields[0] == "1.5");
  CHECK(*r.rejects[3].fields[1] == "x");
  CHECK(r.rejects[5].message == "column \"i\": expected int, got \"2147483648\" (out of range)");
}

TEST_CASE("JSONL writer: exact integers, special doubles, base64, strings per decisions 8") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"i", DataType::Of(TypeId::kInt64)},
      {"f", DataType::Of(TypeId::kFloat)},
      {"d", DataType::Of(TypeId::kDouble)},
      {"s", DataType::Of(TypeId::kString)},
      {"b", DataType::Of(TypeId::kBinary)},
      {"dec", DataType::Decimal(38, 10)},
      {"day", DataType::Of(TypeId::kDate)},
      {"ts", DataType::Timestamp(TimeUnit::kNanos)},
      {"ok", DataType::Of(TypeId::kBoolean)},
  });
  RowBatch batch(schema, 4);
  batch.column(0).AppendInt(9007199254740993);
  batch.column(1).AppendDouble(static_cast<double>(0.1f));
  batch.column(2).AppendDouble(-std::numeric_limits<double>::infinity());
  batch.column(3).AppendBytes(std::string("bad\xff", 4));
  batch.column(4).AppendBytes(std::string("\0\1", 2));
  batch.column(5).AppendInt128(-1);
  batch.column(6).AppendInt(-1);
  batch.column(7).AppendInt(-1);
  batch.column(8).AppendBool(true);
  batch.CommitRow();
  for (size_t c = 0; c < batch.num_columns(); ++c) batch.column(c).AppendNull();
  batch.CommitRow();
  std::string path = TempPath("w.jsonl");
  WriterOptions wo;
  wo.path = path;
  wo.format = FileFormat::kJsonl;
  auto writer = OpenWriter(*schema, wo);
  REQUIRE(writer.ok());
  REQUIRE((*writer)->Write(batch).ok());
  REQUIRE((*writer)->Close().ok());
  CHECK(
      ReadFileBytes(path) ==
      R"({"i":9007199254740993,"f":0.1,"d":"-Infinity","s":{"base64":"YmFk/w=="},"b":"AAE=",)"
      R"("dec":"-0.0000000001","day":"1969-12-31","ts":"1969-12-31T23:59:59.999999999Z","ok":true})"
      "\n"
      R"({"i":null,"f":null,"d":null,"s":null,"b":null,"dec":null,"day":null,"ts":null,"ok":null})"
      "\n");
  // It reads back to the same values (the invalid UTF-8 string is rejected as such).
  ReadResult back = ReadAll(ReadOpts(path, schema->fields()));
  REQUIRE(back.status.ok());
  REQUIRE(back.rejects.size() == 1);
  CHECK(back.rejects[0].code == "TSB_BAD_UTF8");
  REQUIRE(back.rows.size() == 1);
}
