#include "core/ddl.h"

#include <doctest/doctest.h>

#include <string>

#include "core/spec_text.h"

using namespace tsb;

namespace {

// Decisions 6: the guide's DDL with what its copy lost filled in, verbatim.
const char* kGuideDdl = R"(DROP TABLE IF EXISTS ots_table_external;
CREATE EXTERNAL TABLE IF NOT EXISTS ots_table_external
(
odps_orderkey bigint,
odps_orderdate string,
odps_custkey bigint,
odps_orderstatus string,
odps_totalprice double
)
STORED BY 'com.aliyun.odps.TableStoreStorageHandler'
WITH SERDEPROPERTIES (
'tablestore.columns.mapping'=':o_orderkey,:o_orderdate,o_custkey, o_orderstatus,o_totalprice',
'tablestore.table.name'='ots_tpch_orders',
'odps.properties.rolearn'='acs:ram::xxxxx:role/aliyunodpsdefaultrole'
)
LOCATION 'tablestore://odps-ots-dev.cn-shanghai.ots-internal.aliyuncs.com';
)";

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// The guide's DDL (with an account ID) with one fragment replaced.
std::string Guide(const std::string& from, const std::string& to) {
  std::string s = ReplaceAll(kGuideDdl, "xxxxx", "1234567890123456");
  size_t at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

// The guide's DDL with an account ID where the guide has its placeholder.
std::string GuideWithAccount() { return ReplaceAll(kGuideDdl, "xxxxx", "1234567890123456"); }

const char* kGuideSpec = R"({
  "tablestore": {
    "location": "tablestore://odps-ots-dev.cn-shanghai.ots-internal.aliyuncs.com",
    "table": "ots_tpch_orders",
    "role_arn": "acs:ram::1234567890123456:role/aliyunodpsdefaultrole"
  },
  "columns": [
    {"name": "odps_orderkey", "type": "bigint"},
    {"name": "odps_orderdate", "type": "string"},
    {"name": "odps_custkey", "type": "bigint"},
    {"name": "odps_orderstatus", "type": "string"},
    {"name": "odps_totalprice", "type": "double"}
  ],
  "mapping": ":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice"
}
)";

std::string ErrorOf(const std::string& sql, const DdlToSpecOptions& options = {}) {
  auto table = JobSpecFromDdl(sql, "orders.sql", options);
  REQUIRE_FALSE(table.ok());
  CHECK(table.status().code() == StatusCode::kInvalidArgument);
  return table.status().message();
}

}  // namespace

TEST_CASE("ddl: the guide's DDL converts to the spec a user writes") {
  auto table = JobSpecFromDdl(GuideWithAccount(), "orders.sql");
  REQUIRE_MESSAGE(table.ok(), table.status().ToString());
  CHECK(table->name == "ots_table_external");
  CHECK(table->line == 2);
  const JobSpec& spec = table->spec;
  CHECK(spec.tablestore.endpoint == "https://odps-ots-dev.cn-shanghai.ots-internal.aliyuncs.com");
  CHECK(spec.tablestore.instance == "odps-ots-dev");
  CHECK(spec.tablestore.region == "cn-shanghai");
  CHECK(spec.tablestore.role_account == "1234567890123456");
  CHECK(spec.mapping.key_columns() == std::vector<int>{0, 1});
  CHECK(FormatJobSpec(spec) == kGuideSpec);
}

TEST_CASE(
    "ddl: the guide's placeholder account is named where it is, and --without-role drops it") {
  CHECK(ErrorOf(kGuideDdl) ==
        "orders.sql:14:27: 'odps.properties.rolearn': "
        "\"acs:ram::xxxxx:role/aliyunodpsdefaultrole\" is not a RAM role ARN; expected "
        "acs:ram::<account id>:role/<role name>; write your account ID in place of a "
        "placeholder, or give --without-role to run with your own credentials instead");
  DdlToSpecOptions options;
  options.without_role = true;
  auto table = JobSpecFromDdl(kGuideDdl, "orders.sql", options);
  REQUIRE_MESSAGE(table.ok(), table.status().ToString());
  CHECK(table->spec.tablestore.role_arn.empty());
  CHECK(table->spec.tablestore.table == "ots_tpch_orders");
}

TEST_CASE("ddl: comments, letter case, backquotes, COMMENT, SET and qualified names") {
  const std::string sql = R"(-- orders, as the warehouse sees them
set odps.sql.type.system.odps2=true;
/* the external table
   over Tablestore */ drop table if exists proj.`orders ext`;
Create External Table If Not Exists proj.`orders ext` -- the name has a space
(
  `key` BIGINT COMMENT 'the order''s key',
  `odd``name` String comment "with a \"quote\"",
  price Decimal(10, 2),
  day DATE, at TimeStamp, flag boolean, raw binary, small tinyint, mid smallint,
  whole int, ratio float, moment datetime
) COMMENT 'orders'
stored by 'com.aliyun.odps.TableStoreStorageHandler'
with serdeproperties (
  'tablestore.columns.mapping' = ':k, n, p, d, t, f, r, s, m, w, ra, mo',
  'tablestore.table.name' = 'orders'
)
location 'tablestore://inst.cn-hangzhou.ots.aliyuncs.com/';
)";
  // 'the order''s key' is two strings in a row, which the COMMENT rule does not take.
  CHECK(ErrorOf(sql) ==
        "orders.sql:7:35: expected , or ) after a column, got the string \"s key\"");

  std::string fixed = sql;
  fixed.replace(fixed.find("order''s"), 8, "order\\'s");
  auto table = JobSpecFromDdl(fixed, "orders.sql");
  REQUIRE_MESSAGE(table.ok(), table.status().ToString());
  CHECK(table->name == "proj.orders ext");
  CHECK(table->line == 5);
  const JobSpec& spec = table->spec;
  REQUIRE(spec.columns.size() == 12);
  CHECK(spec.columns[0].name == "key");
  CHECK(spec.columns[1].name == "odd`name");
  CHECK(spec.columns[1].type == DataType::Of(TypeId::kString));
  CHECK(spec.columns[2].type == DataType::Decimal(10, 2));
  CHECK(spec.columns[3].type == DataType::Of(TypeId::kDate));
  CHECK(spec.columns[4].type == DataType::Of(TypeId::kTimestamp));
  CHECK(spec.columns[11].type == DataType::Of(TypeId::kDateTime));
  CHECK(spec.mapping_text == ":k,n,p,d,t,f,r,s,m,w,ra,mo");
  CHECK(spec.tablestore.instance == "inst");
  CHECK(spec.tablestore.role_arn.empty());
}

TEST_CASE("ddl: CRLF line ends and a byte order mark") {
  const std::string crlf = "\xEF\xBB\xBF" + ReplaceAll(GuideWithAccount(), "\n", "\r\n");
  auto table = JobSpecFromDdl(crlf, "orders.sql");
  REQUIRE_MESSAGE(table.ok(), table.status().ToString());
  CHECK(FormatJobSpec(table->spec) == kGuideSpec);
  CHECK(ErrorOf(ReplaceAll(crlf, "bigint,\r\nodps_orderdate", "bigintt,\r\nodps_orderdate")) ==
        "orders.sql:4:15: column \"odps_orderkey\": unknown type \"bigintt\"; expected one of "
        "bigint, int, smallint, tinyint, double, float, boolean, string, binary, decimal(p,s), "
        "date, datetime, timestamp");
}

TEST_CASE("ddl: a typo in a type names its line, column and the column") {
  CHECK(ErrorOf(Guide("odps_orderkey bigint", "odps_orderkey bigintt")) ==
        "orders.sql:4:15: column \"odps_orderkey\": unknown type \"bigintt\"; expected one of "
        "bigint, int, smallint, tinyint, double, float, boolean, string, binary, decimal(p,s), "
        "date, datetime, timestamp");
  CHECK(ErrorOf(Guide("odps_custkey bigint", "odps_custkey varchar(20)")) ==
        "orders.sql:6:14: column \"odps_custkey\": type \"varchar(20)\" is not supported; write "
        "string");
  CHECK(ErrorOf(Guide("odps_custkey bigint", "odps_custkey array<map<string,bigint>>"))
            .starts_with("orders.sql:6:14: column \"odps_custkey\": type "
                         "\"array<map<string,bigint>>\" is not supported: a Tablestore column "
                         "holds one scalar value"));
  CHECK(ErrorOf(Guide("odps_custkey bigint", "odps_custkey decimal")) ==
        "orders.sql:6:14: column \"odps_custkey\": type \"decimal\" needs its precision and "
        "scale; expected decimal(p,s)");
  CHECK(ErrorOf(Guide("odps_custkey bigint", "odps_custkey decimal(40,2)"))
            .starts_with("orders.sql:6:14: column \"odps_custkey\": bad decimal type"));
  CHECK(ErrorOf(Guide("odps_custkey bigint,", "odps_custkey")) ==
        "orders.sql:7:1: column \"odps_custkey\": unknown type \"odps_orderstatus\"; expected one "
        "of bigint, int, smallint, tinyint, double, float, boolean, string, binary, "
        "decimal(p,s), date, datetime, timestamp");
}

TEST_CASE("ddl: SERDEPROPERTIES it cannot translate are errors at their place") {
  CHECK(ErrorOf(Guide("'tablestore.table.name'",
                      "'tablestore.read.mode'='permissive',\n"
                      "'tablestore.table.name'")) ==
        "orders.sql:13:1: unknown SERDEPROPERTIES key \"tablestore.read.mode\"; expected one of "
        "'tablestore.columns.mapping', 'tablestore.table.name', 'odps.properties.rolearn' (other "
        "keys have no documented meaning, so tsbridge cannot honour them)");
  CHECK(ErrorOf(Guide("'tablestore.columns.mapping'=':o_orderkey,:o_orderdate,o_custkey, "
                      "o_orderstatus,o_totalprice',\n",
                      "")) ==
        "orders.sql:2:1: table ots_table_external: no 'tablestore.columns.mapping' in WITH "
        "SERDEPROPERTIES; expected the Tablestore column of each column (':pk1,:pk2,attr')");
  CHECK(ErrorOf(Guide("'tablestore.table.name'='ots_tpch_orders',\n", "")) ==
        "orders.sql:2:1: table ots_table_external: no 'tablestore.table.name' in WITH "
        "SERDEPROPERTIES; expected the Tablestore table's name");
  CHECK(ErrorOf(Guide("o_custkey, o_orderstatus,", "o_custkey,")) ==
        "orders.sql:12:30: 'tablestore.columns.mapping' names 4 Tablestore columns for 5 "
        "columns; expected one per column, in the columns' order");
  CHECK(ErrorOf(Guide("o_custkey, o_orderstatus,", "o_custkey, o-orderstatus,")) ==
        "orders.sql:12:67: 'tablestore.columns.mapping': entry 4 (for column "
        "\"odps_orderstatus\"): \"o-orderstatus\" is not a Tablestore column name (1-255 bytes of "
        "letters, digits and _, not starting with a digit)");
  CHECK(ErrorOf(Guide("ots_tpch_orders'", "9orders'")) ==
        "orders.sql:13:25: 'tablestore.table.name': \"9orders\" is not a Tablestore table name "
        "(1-255 bytes of letters, digits and _, not starting with a digit)");
  CHECK(ErrorOf(Guide("tablestore://odps", "http://odps"))
            .starts_with("orders.sql:16:10: LOCATION: "
                         "\"http://odps-ots-dev.cn-shanghai.ots-internal.aliyuncs.com\" "
                         "is not a tablestore:// location"));
  CHECK(ErrorOf(Guide("'com.aliyun.odps.TableStoreStorageHandler'", "'com.aliyun.odps.CsvHandler'"))
            .starts_with("orders.sql:10:11: storage handler \"com.aliyun.odps.CsvHandler\": "
                         "expected 'com.aliyun.odps.TableStoreStorageHandler'"));
  CHECK(
      ErrorOf(Guide("'tablestore.table.name'='ots_tpch_orders',",
                    "'tablestore.table.name'='ots_tpch_orders',\n'tablestore.table.name'='x',")) ==
      "orders.sql:14:1: \"tablestore.table.name\" is given twice (also line 13)");
}

TEST_CASE("ddl: what the spec parser refuses is named at its place in the DDL") {
  CHECK(ErrorOf(Guide("odps_custkey bigint", "ODPS_ORDERKEY bigint")) ==
        "orders.sql:6:1: column \"ODPS_ORDERKEY\": duplicate column name \"ODPS_ORDERKEY\" (also "
        "line 4; names are case-insensitive)");
  CHECK(ErrorOf(Guide("odps_orderkey bigint", "odps_orderkey double")) ==
        "orders.sql:12:31: 'tablestore.columns.mapping': entry 1 (for column \"odps_orderkey\"): a "
        "primary-key column cannot be double (Tablestore keys are INTEGER, STRING or BINARY: use "
        "bigint, int, smallint, tinyint, datetime, timestamp, string, date, decimal(p,s) or "
        "binary)");
}

TEST_CASE("ddl: syntax errors name the line, the column and what was expected") {
  CHECK(
      ErrorOf(Guide("CREATE EXTERNAL TABLE", "CREATE TABLE"))
          .starts_with(
              "orders.sql:2:8: expected EXTERNAL: CREATE TABLE makes a MaxCompute internal table"));
  CHECK(ErrorOf(Guide("LOCATION", "LOCATIO")) ==
        "orders.sql:16:1: expected LOCATION ('tablestore://INSTANCE.REGION.ots-internal."
        "aliyuncs.com'), got \"LOCATIO\"");
  CHECK(ErrorOf(Guide("aliyuncs.com';", "aliyuncs.com;")) ==
        "orders.sql:16:10: string is not closed; expected '");
  CHECK(ErrorOf("/* never closed\nCREATE") ==
        "orders.sql:1:1: comment /* is not closed; expected */");
  CHECK(ErrorOf("SELECT 1;") ==
        "orders.sql:1:1: expected CREATE EXTERNAL TABLE, DROP TABLE or SET, got \"SELECT\"");
  CHECK(ErrorOf(Guide("LOCATION 'tablestore://odps-ots-dev.cn-shanghai.ots-internal.aliyuncs.com';",
                      "LOCATION 'tablestore://odps-ots-dev.cn-shanghai.ots-internal.aliyuncs.com'"
                      " LIFECYCLE 10;")) ==
        "orders.sql:16:76: LIFECYCLE is not supported for a table over Tablestore; expected ; "
        "after LOCATION");
  CHECK(ErrorOf("-- nothing here\n") ==
        "orders.sql: no CREATE EXTERNAL TABLE statement; expected one STORED BY "
        "'com.aliyun.odps.TableStoreStorageHandler'");
  CHECK(ErrorOf("CREATE EXTERNAL TABLE t (a bigint) STORED BY "
                "'com.aliyun.odps.TableStoreStorageHandler' LOCATION "
                "'tablestore://i.r.ots.aliyuncs.com' x") ==
        "orders.sql:1:134: expected ; at the end of the statement, got \"x\"");
  CHECK(
      ErrorOf("CREATE EXTERNAL TABLE t (a bigint) STORED BY 'x' LOCATION 'y'") ==
      "orders.sql:1:46: storage handler \"x\": expected 'com.aliyun.odps.TableStoreStorageHandler' "
      "(tsbridge reads external tables over Tablestore)");
  CHECK(ErrorOf("CREATE EXTERNAL TABLE t (a bigint) @") ==
        "orders.sql:1:36: unexpected character \"@\"");
}

TEST_CASE("ddl: several CREATE statements: the only one, or --table") {
  std::string second = GuideWithAccount();
  second = ReplaceAll(
      ReplaceAll(second.substr(second.find("CREATE")), "ots_table_external", "lineitem_external"),
      "ots_tpch_orders", "ots_lineitem");
  const std::string two = GuideWithAccount() + second;
  CHECK(ErrorOf(two) ==
        "orders.sql: 2 CREATE EXTERNAL TABLE statements: ots_table_external (line 2, Tablestore "
        "table ots_tpch_orders), lineitem_external (line 17, Tablestore table ots_lineitem); "
        "choose one with --table NAME");
  DdlToSpecOptions options;
  options.without_role = true;
  options.table = "LINEITEM_EXTERNAL";
  auto table = JobSpecFromDdl(two, "orders.sql", options);
  REQUIRE_MESSAGE(table.ok(), table.status().ToString());
  CHECK(table->name == "lineitem_external");
  CHECK(table->spec.tablestore.table == "ots_lineitem");
  options.table = "ots_tpch_orders";  // the Tablestore table's name picks too
  table = JobSpecFromDdl(two, "orders.sql", options);
  REQUIRE(table.ok());
  CHECK(table->name == "ots_table_external");
  options.table = "nope";
  CHECK(ErrorOf(two, options)
            .starts_with("orders.sql: --table nope: no such CREATE EXTERNAL TABLE; expected one of "
                         "ots_table_external (line 2"));
}

TEST_CASE("ddl: nesting deeper than 256 is refused without recursion") {
  std::string deep = "CREATE EXTERNAL TABLE t (a array";
  for (int i = 0; i < 300; ++i) deep += "<array";
  CHECK(ErrorOf(deep) ==
        "orders.sql:1:1563: nested deeper than 256 levels of ( and <; a CREATE EXTERNAL TABLE "
        "needs 2");
  // Within the limit, a nested type is read to its end and refused as a type.
  std::string nested = "CREATE EXTERNAL TABLE t (a ";
  for (int i = 0; i < 200; ++i) nested += "array<";
  nested += "bigint";
  for (int i = 0; i < 200; ++i) nested += ">";
  nested += ")";
  CHECK(ErrorOf(nested).starts_with("orders.sql:1:28: column \"a\": type \"array<array<"));
  // A million parentheses: an error, quickly, and no stack overflow.
  const std::string flood(1'000'000, '(');
  CHECK(ErrorOf(flood) ==
        "orders.sql:1:257: nested deeper than 256 levels of ( and <; a CREATE EXTERNAL TABLE "
        "needs 2");
  CHECK(ErrorOf(std::string(1'000'000, ';') + "x").starts_with("orders.sql:1:1000001: expected"));
}

TEST_CASE("ddl: to-ddl of the guide's spec gives back the guide's statement") {
  auto spec = ParseJobSpec(kGuideSpec);
  REQUIRE(spec.ok());
  SpecToDdlOptions options;
  options.name = "ots_table_external";
  auto ddl = DdlFromJobSpec(*spec, options);
  REQUIRE_MESSAGE(ddl.ok(), ddl.status().ToString());
  CHECK(*ddl ==
        "CREATE EXTERNAL TABLE IF NOT EXISTS ots_table_external\n"
        "(\n"
        "odps_orderkey bigint,\n"
        "odps_orderdate string,\n"
        "odps_custkey bigint,\n"
        "odps_orderstatus string,\n"
        "odps_totalprice double\n"
        ")\n"
        "STORED BY 'com.aliyun.odps.TableStoreStorageHandler'\n"
        "WITH SERDEPROPERTIES (\n"
        "'tablestore.columns.mapping'=':o_orderkey,:o_orderdate,o_custkey,o_orderstatus,"
        "o_totalprice',\n"
        "'tablestore.table.name'='ots_tpch_orders',\n"
        "'odps.properties.rolearn'='acs:ram::1234567890123456:role/aliyunodpsdefaultrole'\n"
        ")\n"
        "LOCATION 'tablestore://odps-ots-dev.cn-shanghai.ots-internal.aliyuncs.com';\n");
  auto back = JobSpecFromDdl(*ddl, "out.sql");
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(FormatJobSpec(back->spec) == kGuideSpec);
  CHECK(back->name == "ots_table_external");
}

TEST_CASE("ddl: a spec with every local type goes to DDL and back unchanged") {
  const std::string json = R"j({
  "tablestore": {
    "location": "tablestore://inst-1.cn-hangzhou.ots-internal.aliyuncs.com",
    "table": "every_type",
    "role_arn": "acs:ram::42:role/reader"
  },
  "columns": [
    {"name": "k", "type": "string"},
    {"name": "table", "type": "bigint"},
    {"name": "a b", "type": "int"},
    {"name": "tick`s", "type": "smallint"},
    {"name": "c4", "type": "tinyint"},
    {"name": "c5", "type": "double"},
    {"name": "c6", "type": "float"},
    {"name": "c7", "type": "boolean"},
    {"name": "c8", "type": "binary"},
    {"name": "c9", "type": "decimal(38,10)"},
    {"name": "c10", "type": "date"},
    {"name": "c11", "type": "datetime"},
    {"name": "c12", "type": "timestamp"}
  ],
  "mapping": ":k,:t,a,b,c,d,e,f,g,h,i,j,l"
}
)j";
  auto spec = ParseJobSpec(json);
  REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
  auto ddl = DdlFromJobSpec(*spec);
  REQUIRE_MESSAGE(ddl.ok(), ddl.status().ToString());
  CHECK(
      ddl->starts_with("CREATE EXTERNAL TABLE IF NOT EXISTS every_type_external\n(\nk string,\n"
                       "`table` bigint,\n`a b` int,\n`tick``s` smallint,\n"));
  auto back = JobSpecFromDdl(*ddl, "every.sql");
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(FormatJobSpec(back->spec) == json);
}

TEST_CASE("ddl: what MaxCompute DDL cannot say is refused by to-ddl") {
  auto micros =
      ParseJobSpec(R"({"tablestore": {"location": "tablestore://i.cn-hangzhou.ots.aliyuncs.com",
    "table": "t"}, "columns": [{"name": "k", "type": "bigint"},
    {"name": "ts", "type": "timestamp", "ticks_unit": "micros"}], "mapping": ":k,ts"})");
  REQUIRE(micros.ok());
  CHECK(DdlFromJobSpec(*micros).status().message() ==
        "columns[1].ticks_unit: MaxCompute DDL has no place for a ticks_unit (the handler's "
        "timestamp unit key is undocumented); only millis, the default, converts");

  auto local = ParseJobSpec(R"({"tablestore": {"endpoint": "http://127.0.0.1:8800",
    "instance": "demo", "table": "t"}, "columns": [{"name": "k", "type": "bigint"}],
    "mapping": ":k"})");
  REQUIRE(local.ok());
  CHECK(DdlFromJobSpec(*local).status().message() ==
        "tablestore.endpoint: \"http://127.0.0.1:8800\" is not a Tablestore host "
        "(INSTANCE.REGION.ots-internal.aliyuncs.com), so MaxCompute has no LOCATION for it; "
        "give tablestore.location in the spec or --location");
  SpecToDdlOptions options;
  options.location = "tablestore://demo.cn-beijing.ots-internal.aliyuncs.com";
  auto ddl = DdlFromJobSpec(*local, options);
  REQUIRE(ddl.ok());
  CHECK(ddl->ends_with("LOCATION 'tablestore://demo.cn-beijing.ots-internal.aliyuncs.com';\n"));

  auto service =
      ParseJobSpec(R"({"tablestore": {"endpoint": "https://demo.cn-beijing.ots.aliyuncs.com",
    "instance": "demo", "table": "t"}, "columns": [{"name": "k", "type": "bigint"}],
    "mapping": ":k"})");
  REQUIRE(service.ok());
  ddl = DdlFromJobSpec(*service);
  REQUIRE(ddl.ok());
  CHECK(ddl->ends_with("LOCATION 'tablestore://demo.cn-beijing.ots.aliyuncs.com';\n"));
}
