#include "tsbridge/job_spec.h"

#include <doctest/doctest.h>

#include <string>

using namespace tsb;

namespace {

const char* kIssueSpec = R"({
  "tablestore": { "endpoint": "http://127.0.0.1:8800", "instance": "demo", "table": "ots_tpch_orders",
    "role_arn": "acs:ram::1234567890123456:role/aliyunodpsdefaultrole", "sts_endpoint": "http://127.0.0.1:8800" },
  "columns": [ {"name": "odps_orderkey", "type": "bigint"}, {"name": "odps_orderdate", "type": "string"},
    {"name": "odps_custkey", "type": "bigint"}, {"name": "odps_orderstatus", "type": "string"},
    {"name": "odps_totalprice", "type": "double"} ],
  "mapping": ":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice",
  "file": {"path": "orders.parquet", "format": "parquet"} })";

// The issue's spec with one fragment replaced.
std::string With(const std::string& from, const std::string& to) {
  std::string s = kIssueSpec;
  size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

std::string ErrorOf(const std::string& json) {
  auto spec = ParseJobSpec(json);
  REQUIRE_FALSE(spec.ok());
  CHECK(spec.status().code() == StatusCode::kInvalidArgument);
  return spec.status().message();
}

}  // namespace

TEST_CASE("the issue's spec parses") {
  auto spec = ParseJobSpec(kIssueSpec);
  REQUIRE(spec.ok());
  const JobSpec& s = *spec;
  CHECK(s.tablestore.endpoint == "http://127.0.0.1:8800");
  CHECK(s.tablestore.instance == "demo");
  CHECK(s.tablestore.table == "ots_tpch_orders");
  CHECK(s.tablestore.role_arn == "acs:ram::1234567890123456:role/aliyunodpsdefaultrole");
  CHECK(s.tablestore.role_account == "1234567890123456");
  CHECK(s.tablestore.role_name == "aliyunodpsdefaultrole");
  CHECK(s.tablestore.sts_endpoint == "http://127.0.0.1:8800");
  CHECK(s.tablestore.region == "");
  REQUIRE(s.columns.size() == 5);
  CHECK(s.columns[0].name == "odps_orderkey");
  CHECK(s.columns[0].type == DataType::Of(TypeId::kInt64));
  CHECK(s.columns[4].type == DataType::Of(TypeId::kDouble));
  CHECK(s.mapping.ToString() == ":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice");
  CHECK(s.mapping.key_columns() == std::vector<int>{0, 1});
  CHECK(s.mapping.attribute_columns() == std::vector<int>{2, 3, 4});
  REQUIRE(s.file.has_value());
  CHECK(s.file->path == "orders.parquet");
  CHECK(s.file->format == "parquet");
  CHECK(s.file->compression == "");
  CHECK(s.FindColumn("odps_custkey") == 2);
  CHECK(s.schema().size() == 5);
}

TEST_CASE("a tablestore:// location gives endpoint, instance and region") {
  auto spec = ParseJobSpec(
      With(R"("endpoint": "http://127.0.0.1:8800", "instance": "demo",)",
           R"("location": "tablestore://odps-ots-dev.cn-shanghai.ots-internal.aliyuncs.com",)"));
  REQUIRE(spec.ok());
  CHECK(spec->tablestore.endpoint == "https://odps-ots-dev.cn-shanghai.ots-internal.aliyuncs.com");
  CHECK(spec->tablestore.instance == "odps-ots-dev");
  CHECK(spec->tablestore.region == "cn-shanghai");
  CHECK_FALSE(spec->tablestore.region_given);

  auto given = ParseJobSpec(
      With(R"("instance": "demo",)", R"("instance": "demo", "region": "cn-hangzhou",)"));
  REQUIRE(given.ok());
  CHECK(given->tablestore.region == "cn-hangzhou");
  CHECK(given->tablestore.region_given);

  CHECK(RegionFromEndpoint("https://inst.cn-beijing.ots.aliyuncs.com/") == "cn-beijing");
  CHECK(RegionFromEndpoint("http://127.0.0.1:8800") == "");

  CHECK(ErrorOf(With(R"("instance": "demo",)",
                     R"("instance": "demo", "location": "tablestore://a.b.ots.aliyuncs.com",)")) ==
        "tablestore.location: give either location or endpoint and instance, not both");
  CHECK(ErrorOf(With(R"("endpoint": "http://127.0.0.1:8800", "instance": "demo",)",
                     R"("location": "http://x.cn-hangzhou.ots.aliyuncs.com",)")) ==
        "tablestore.location: \"http://x.cn-hangzhou.ots.aliyuncs.com\" is not a tablestore:// "
        "location; expected tablestore://INSTANCE.REGION.ots-internal.aliyuncs.com");

  // A secret typed into the location is refused and never repeated.
  const std::string leaked = ErrorOf(
      With(R"("endpoint": "http://127.0.0.1:8800", "instance": "demo",)",
           R"("location": "tablestore://id:s3cr3t-value@a.cn-hangzhou.ots.aliyuncs.com",)"));
  CHECK(leaked.starts_with("tablestore.location: a location with user information"));
  CHECK(leaked.find("s3cr3t-value") == std::string::npos);
}

TEST_CASE("unknown keys are refused with their JSON path") {
  CHECK(ErrorOf(With(R"("mapping":)", R"("mappings": "x", "mapping":)")) ==
        "mappings: unknown key; expected one of tablestore, columns, mapping, file");
  CHECK(ErrorOf(With(R"("instance": "demo",)", R"("instance": "demo", "tabel": "x",)")) ==
        "tablestore.tabel: unknown key; expected one of endpoint, instance, table, location, "
        "region, role_arn, sts_endpoint");
  CHECK(ErrorOf(With(R"({"name": "odps_custkey", "type": "bigint"})",
                     R"({"name": "odps_custkey", "type": "bigint", "nullable": true})")) ==
        "columns[2].nullable: unknown key; expected one of name, type, ticks_unit");
  CHECK(ErrorOf(With(R"("format": "parquet"})", R"("format": "parquet", "codec": "gzip"})")) ==
        "file.codec: unknown key; expected one of path, format, compression, row_group_rows, "
        "delimiter, header, quote, escape, null, encoding");
}

TEST_CASE("column types and ticks units are validated") {
  CHECK(ErrorOf(With(R"("type": "double")", R"("type": "bigin")")) ==
        "columns[4].type: unknown type \"bigin\"; expected one of bigint, int, smallint, tinyint, "
        "double, float, boolean, string, binary, decimal(p,s), date, datetime, timestamp");
  CHECK(ErrorOf(With(R"("type": "double")", R"("type": 5)")) ==
        "columns[4].type: expected a string, got a number");
  CHECK(ErrorOf(With(R"("type": "double")", R"("type": "double", "ticks_unit": "micros")")) ==
        "columns[4].ticks_unit: only datetime and timestamp columns take a ticks_unit; this one "
        "is double");
  CHECK(ErrorOf(With(R"("type": "double")", R"("type": "timestamp", "ticks_unit": "hours")")) ==
        "columns[4].ticks_unit: unknown unit \"hours\"; expected one of seconds, millis, micros, "
        "nanos");
  auto ok =
      ParseJobSpec(With(R"("type": "double")", R"("type": "timestamp", "ticks_unit": "micros")"));
  REQUIRE(ok.ok());
  CHECK(ok->columns[4].type == DataType::Timestamp(TimeUnit::kMicros));
  CHECK(ErrorOf(With(R"("name": "odps_custkey")", R"("name": "ODPS_ORDERKEY")")) ==
        "columns[2].name: duplicate column name \"ODPS_ORDERKEY\" (also columns[0]; names are "
        "case-insensitive)");
  CHECK(ErrorOf(With(R"({"name": "odps_custkey", "type": "bigint"})", R"({"type": "bigint"})")) ==
        "columns[2].name: missing");
  CHECK(ErrorOf(R"({"tablestore": {"endpoint": "http://h", "instance": "i", "table": "t"},
                     "columns": 1, "mapping": ":k"})") ==
        "columns: expected an array, got a number");
}

TEST_CASE("the mapping is checked against the columns") {
  CHECK(ErrorOf(With(",o_totalprice\"", "\"")) ==
        "mapping: 4 names for 5 columns; the mapping names one Tablestore column per entry of "
        "columns, in the same order");
  CHECK(ErrorOf(With("o_custkey,", "o-custkey,")) ==
        "mapping: entry 3 (for column \"odps_custkey\"): \"o-custkey\" is not a Tablestore column "
        "name (1-255 bytes of letters, digits and _, not starting with a digit)");
  CHECK(ErrorOf(With("o_totalprice\"", ":o_totalprice\"")) ==
        "mapping: entry 5 (for column \"odps_totalprice\"): a primary-key column cannot be double "
        "(Tablestore keys are INTEGER, STRING or BINARY: use bigint, int, smallint, tinyint, "
        "datetime, timestamp, string, date, decimal(p,s) or binary)");
  CHECK(ErrorOf(With("o_totalprice\"", "o_custkey\"")) ==
        "mapping: entry 5 (for column \"odps_totalprice\"): \"o_custkey\" is mapped twice (also "
        "entry 3)");
  auto spaced =
      ParseJobSpec(With(":o_orderkey,:o_orderdate,", " :o_orderkey ,\\t: o_orderdate , "));
  REQUIRE(spaced.ok());
  CHECK(spaced->mapping.ToString() ==
        ":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice");
}

TEST_CASE("file format comes from the extension or is given") {
  auto csvgz = ParseJobSpec(With(R"({"path": "orders.parquet", "format": "parquet"})",
                                 R"({"path": "out/Orders.CSV.GZ"})"));
  REQUIRE(csvgz.ok());
  CHECK(csvgz->file->format == "csv");
  CHECK(csvgz->file->compression == "gzip");
  CHECK_FALSE(csvgz->file->format_given);
  auto given = ParseJobSpec(With(R"({"path": "orders.parquet", "format": "parquet"})",
                                 R"({"path": "-", "format": "jsonl"})"));
  REQUIRE(given.ok());
  CHECK(given->file->format == "jsonl");
  CHECK(ErrorOf(With(R"({"path": "orders.parquet", "format": "parquet"})",
                     R"({"path": "orders.dat"})")) ==
        "file.format: cannot tell the format of \"orders.dat\" from its extension (.parquet, .csv, "
        ".tsv, .jsonl, the text ones optionally .gz or .zst); give file.format: parquet, csv or "
        "jsonl");
  CHECK(ErrorOf(With(R"("format": "parquet")", R"("format": "orc")")) ==
        "file.format: unknown format \"orc\"; expected one of parquet, csv, jsonl");
  auto nofile = ParseJobSpec(With(R"(,
  "file": {"path": "orders.parquet", "format": "parquet"} })",
                                  "}"));
  REQUIRE(nofile.ok());
  CHECK_FALSE(nofile->file.has_value());
  JobSpecOptions need_file;
  need_file.require_file = true;
  auto missing = ParseJobSpec(With(R"(,
  "file": {"path": "orders.parquet", "format": "parquet"} })",
                                   "}"),
                              need_file);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == "file: missing");
  std::string f, c;
  CHECK(FormatFromExtension("a.jsonl.zst", &f, &c));
  CHECK(f == "jsonl");
  CHECK(c == "zstd");
  CHECK_FALSE(FormatFromExtension(".csv", &f, &c));
}

TEST_CASE("endpoints, names and role ARNs are validated") {
  CHECK(ErrorOf(
            With("\"endpoint\": \"http://127.0.0.1:8800\"", "\"endpoint\": \"127.0.0.1:8800\"")) ==
        "tablestore.endpoint: \"127.0.0.1:8800\" is not an http:// or https:// URL");
  CHECK(ErrorOf(With("acs:ram::1234567890123456:role/", "acs:ram::xxxxx:role/")) ==
        "tablestore.role_arn: \"acs:ram::xxxxx:role/aliyunodpsdefaultrole\" is not a RAM role "
        "ARN; expected acs:ram::<account id>:role/<role name>");
  CHECK(ErrorOf(With("\"ots_tpch_orders\"", "\"9orders\"")) ==
        "tablestore.table: \"9orders\" is not a Tablestore table name (1-255 bytes of letters, "
        "digits and _, not starting with a digit)");
  CHECK(ErrorOf(With("\"table\": \"ots_tpch_orders\",", "")) == "tablestore.table: missing");
  CHECK(ErrorOf("[1]") == "spec: expected a JSON object, got an array");
  CHECK(ErrorOf("{\"tablestore\": ").find("spec: JSON syntax error: ") == 0);
  auto trailing = ParseJobSpec(
      With("\"http://127.0.0.1:8800\", \"instance\"", "\"http://127.0.0.1:8800/\", \"instance\""));
  REQUIRE(trailing.ok());
  CHECK(trailing->tablestore.endpoint == "http://127.0.0.1:8800");
}

TEST_CASE("LoadJobSpec names the file") {
  auto missing = LoadJobSpec("/nonexistent/spec.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message() == "/nonexistent/spec.json: cannot open the spec file");
}

namespace {

std::string Arrays(size_t depth, const std::string& inner = "1") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

std::string Objects(size_t depth, const std::string& key) {
  std::string out;
  for (size_t k = 0; k < depth; ++k) out += "{\"" + key + "\": ";
  return out + "1" + std::string(depth, '}');
}

// A spec of `n` bigint columns c0..c{n-1} mapped to a0..a{n-1}, the first one the key.
std::string WideSpec(size_t n, const std::string& last_name, const std::string& last_mapped) {
  std::string columns, mapping;
  for (size_t k = 0; k < n; ++k) {
    std::string name = k + 1 == n ? last_name : "c" + std::to_string(k);
    std::string mapped = k + 1 == n ? last_mapped : "a" + std::to_string(k);
    columns += (k ? ",{\"name\":\"" : "{\"name\":\"") + name + "\",\"type\":\"bigint\"}";
    mapping += (k ? "," : ":") + mapped;
  }
  return R"({"tablestore":{"endpoint":"http://127.0.0.1:8800","instance":"demo","table":"t"},)"
         R"("columns":[)" +
         columns + R"(],"mapping":")" + mapping + "\"}";
}

}  // namespace

TEST_CASE("spec nesting: 256 levels are read, 257 refused with the JSON path") {
  // The root object is level 1, so 255 arrays under "mapping" make 256 levels: the spec is read
  // and refused for what it says.
  CHECK(ErrorOf(With("\":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice\"",
                     Arrays(kMaxSpecNesting - 1))) == "mapping: expected a string, got an array");
  CHECK(ErrorOf(With("\":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice\"",
                     Arrays(kMaxSpecNesting))) ==
        "mapping[0][0][0][0][0][0][0] ... [0][0][0][0][0][0][0][0]: nested deeper than 256 levels "
        "of arrays and objects; a job spec needs 3");
  // The path says where: the second column's name, inside objects.
  CHECK(ErrorOf(With("{\"name\": \"odps_orderdate\"",
                     "{\"name\": " + Objects(kMaxSpecNesting - 2, "deep"))) ==
        "columns[1].name.deep.deep.deep.deep.deep ... .deep.deep.deep.deep.deep.deep.deep.deep: "
        "nested deeper than 256 levels of arrays and objects; a job spec needs 3");
  CHECK(ErrorOf(With("{\"name\": \"odps_orderdate\"",
                     "{\"name\": " + Objects(kMaxSpecNesting - 3, "deep"))) ==
        "columns[1].name: expected a string, got an object");
  CHECK(ErrorOf(Arrays(kMaxSpecNesting)) == "spec: expected a JSON object, got an array");
  CHECK(ErrorOf(Arrays(kMaxSpecNesting + 1)) ==
        "[0][0][0][0][0][0][0][0] ... [0][0][0][0][0][0][0][0]: nested deeper than 256 levels of "
        "arrays and objects; a job spec needs 3");
  // Elements before the deep one are counted, and a long key is cut.
  const std::string long_key(100, 'k');
  CHECK(
      ErrorOf("{\"" + long_key + "\": [1, \"x\", {}, [], " + Arrays(kMaxSpecNesting - 1) + "]}") ==
      std::string(64, 'k') +
          "...[4][0][0][0][0][0][0] ... [0][0][0][0][0][0][0][0]: nested deeper than 256 "
          "levels of arrays and objects; a job spec needs 3");
}

TEST_CASE("spec nesting of 100,000 levels is refused without a crash") {
  CHECK(ErrorOf(Arrays(100000)).find(": nested deeper than 256 levels") != std::string::npos);
  CHECK(ErrorOf(Objects(100000, "a")).find("a.a.a.a.a.a.a.a ... .a.a.a.a.a.a.a.a: nested") == 0);
  // Unclosed: the depth is found before the missing brackets.
  CHECK(ErrorOf(std::string(100000, '[')).find(": nested deeper than 256 levels") !=
        std::string::npos);
  // Syntax errors in a shallow document keep their own message.
  CHECK(ErrorOf("{\"a\": [1,}").find("spec: JSON syntax error: ") == 0);
}

TEST_CASE("a spec of 100,000 columns is checked in linear time") {
  constexpr size_t kWide = 100000;
  auto spec = ParseJobSpec(WideSpec(kWide, "last", "a_last"));
  REQUIRE_MESSAGE(spec.ok(), spec.status().message());
  CHECK(spec->columns.size() == kWide);
  CHECK(spec->mapping.size() == kWide);
  CHECK(spec->mapping.key_columns() == std::vector<int>{0});
  CHECK(spec->mapping.columns()[kWide - 1].ots_name == "a_last");
  // Duplicates are found at the end, against the first entry, case-insensitively for names.
  CHECK(ErrorOf(WideSpec(kWide, "C0", "a_last")) ==
        "columns[99999].name: duplicate column name \"C0\" (also columns[0]; names are "
        "case-insensitive)");
  CHECK(ErrorOf(WideSpec(kWide, "last", "a0")) ==
        "mapping: entry 100000 (for column \"last\"): \"a0\" is mapped twice (also entry 1)");
}

TEST_CASE("file: the CSV dialect keys, and their errors by JSON path") {
  const std::string parquet_file = R"({"path": "orders.parquet", "format": "parquet"})";
  auto spec = ParseJobSpec(With(parquet_file, R"({"path": "o.csv", "delimiter": ";",
      "header": false, "quote": "'", "escape": "\\", "null": "\\N", "encoding": "UTF-8"})"));
  REQUIRE(spec.ok());
  const DialectSettings& d = spec->file->dialect;
  CHECK(*d.delimiter == ";");
  CHECK(*d.header == false);
  CHECK(*d.quote == "'");
  CHECK(*d.escape == "\\");
  CHECK(*d.null_text == "\\N");
  CHECK(*d.encoding == "UTF-8");
  TextDialect applied;
  REQUIRE(ApplyDialectSettings(d, "file.", &applied).ok());
  CHECK(applied.delimiter == ';');
  CHECK(applied.quote == '\'');
  CHECK(applied.escape == '\\');
  CHECK(applied.null_text == "\\N");
  CHECK_FALSE(applied.header);

  // A new quote without an escape keeps doubling, of the new quote; "\t" and "tab" are a tab.
  DialectSettings quote_only;
  quote_only.quote = "'";
  quote_only.delimiter = "tab";
  TextDialect q;
  REQUIRE(ApplyDialectSettings(quote_only, "--", &q).ok());
  CHECK(q.escape == '\'');
  CHECK(q.delimiter == '\t');

  auto tsv = ParseJobSpec(With(parquet_file, R"({"path": "o.tsv.zst"})"));
  REQUIRE(tsv.ok());
  CHECK(tsv->file->format == "csv");
  CHECK(tsv->file->compression == "zstd");

  CHECK(ErrorOf(With(parquet_file, R"({"path": "o.csv", "delimiter": "||"})")) ==
        "file.delimiter: expected one character (one byte; \"\\t\" or \"tab\" for a tab), got "
        "\"||\"");
  CHECK(ErrorOf(With(parquet_file, R"({"path": "o.csv", "delimiter": "\n"})")) ==
        "file.delimiter: a line break cannot be a delimiter");
  CHECK(ErrorOf(With(parquet_file, R"({"path": "o.csv", "delimiter": 9})")) ==
        "file.delimiter: expected a string, got a number");
  CHECK(ErrorOf(With(parquet_file, R"({"path": "o.csv", "header": "no"})")) ==
        "file.header: expected true or false, got a string");
  CHECK(ErrorOf(With(parquet_file, R"({"path": "o.csv", "quote": ","})")) ==
        "file.quote: the delimiter and the quote must differ (both \",\")");
  CHECK(ErrorOf(With(parquet_file, R"({"path": "o.csv", "escape": ","})")) ==
        "file.escape: the escape and the delimiter must differ (both \",\")");
  CHECK(ErrorOf(With(parquet_file, R"({"path": "o.csv", "null": "a,b"})")) ==
        "file.null: \"a,b\" holds the delimiter");
  CHECK(ErrorOf(With(parquet_file, R"({"path": "o.csv", "encoding": "GBK"})")) ==
        "file.encoding: only UTF-8 is read and written, got \"GBK\"; convert the file first "
        "(iconv -f GBK -t UTF-8)");
  CHECK(ErrorOf(With(parquet_file, R"({"path": "o.parquet", "delimiter": ";"})")) ==
        "file.delimiter: only CSV files have a dialect; this one is parquet");
  CHECK(ErrorOf(With(parquet_file, R"({"path": "o.jsonl", "header": true})")) ==
        "file.header: only CSV files have a dialect; this one is jsonl");
}
