// The CSV dialect: delimiter, header, quote, escape, null text, on the reader and the writer.
#include <doctest/doctest.h>

#include "formats/csv/csv.h"
#include "formats/file_target.h"
#include "formats/text_testing.h"

using namespace tsb;
using namespace tsb::testing;

namespace {

ReadResult ReadWith(const std::string& text, const TextDialect& dialect,
                    std::vector<Field> columns = {}, size_t batch_rows = 4096) {
  static int n = 0;
  std::string path = TempPath("dialect_" + std::to_string(n++) + ".csv");
  WriteFileBytes(path, text);
  ReaderOptions o = ReadOpts(path, std::move(columns));
  o.dialect = dialect;
  return ReadAll(o, batch_rows);
}

std::string WriteWith(const TextDialect& dialect, const Schema& schema, const RowBatch& batch) {
  static int n = 0;
  std::string path = TempPath("dialect_out_" + std::to_string(n++) + ".csv");
  WriterOptions wo;
  wo.path = path;
  wo.dialect = dialect;
  auto writer = OpenWriter(schema, wo);
  REQUIRE(writer.ok());
  REQUIRE((*writer)->Write(batch).ok());
  REQUIRE((*writer)->Close().ok());
  return ReadFileBytes(path);
}

TextDialect Dialect(char delimiter, bool header = true) {
  TextDialect d;
  d.delimiter = delimiter;
  d.header = header;
  return d;
}

const std::vector<Field> kTyped = {{"id", DataType::Of(TypeId::kInt64)},
                                   {"name", DataType::Of(TypeId::kString)},
                                   {"price", DataType::Of(TypeId::kDouble)}};

}  // namespace

TEST_CASE("dialect reader: a ';'-separated file with quotes, by header name") {
  ReadResult r =
      ReadWith("name;id;price\n\"a;b\";1;2.5\nplain;2;\n\"\";3;-1\n", Dialect(';'), kTyped);
  REQUIRE(r.status.ok());
  CHECK(r.rejects.empty());
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0].dump() == R"({"id":1,"name":"a;b","price":2.5})");
  CHECK(r.rows[1].dump() == R"({"id":2,"name":"plain","price":null})");
  CHECK(r.rows[2].dump() == R"({"id":3,"name":"","price":-1.0})");
  CHECK(r.positions == std::vector<int64_t>{2, 3, 4});
  // A comma is data under ';'.
  ReadResult commas = ReadWith("a;b\nx,y;z\n", Dialect(';'));
  REQUIRE(commas.status.ok());
  CHECK(commas.rows[0].dump() == R"({"a":"x,y","b":"z"})");
}

TEST_CASE("dialect reader: no header: the given columns are the file's, from line 1") {
  TextDialect d = Dialect('\t', false);
  d.columns = {"id", "name", "price"};
  ReadResult r = ReadWith("1\tx y\t0.5\n2\t\"t\tab\"\t\n3\tz\n", d, kTyped);
  REQUIRE(r.status.ok());
  REQUIRE(r.rows.size() == 2);
  CHECK(r.rows[0].dump() == R"({"id":1,"name":"x y","price":0.5})");
  CHECK(r.rows[1].dump() == R"({"id":2,"name":"t\tab","price":null})");
  CHECK(r.positions == std::vector<int64_t>{1, 2});
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].position == 3);
  CHECK(r.rejects[0].code == "TSB_FIELD_COUNT");
  CHECK(r.rejects[0].raw == "3\tz");
  // A subset of the columns, by name.
  ReadResult subset = ReadWith("1\tx\t0.5\n", d, {{"price", DataType::Of(TypeId::kDouble)}});
  REQUIRE(subset.status.ok());
  CHECK(subset.rows[0].dump() == R"({"price":0.5})");
  // Without names, DuckDB's column0, column1, ...
  ReadResult unnamed = ReadWith("a,b\nc,d\n", Dialect(',', false));
  REQUIRE(unnamed.status.ok());
  REQUIRE(unnamed.rows.size() == 2);
  CHECK(unnamed.rows[0].dump() == R"({"column0":"a","column1":"b"})");
  // A column the spec does not have is an error naming it.
  ReadResult missing = ReadWith("1\n", d, {{"nope", DataType::Of(TypeId::kString)}});
  CHECK(missing.status.message().find("column \"nope\" is not among the columns of this "
                                      "header-less file") != std::string::npos);
}

TEST_CASE("dialect reader: null text \\N; empty is then the empty string, quoted \\N is text") {
  TextDialect d;
  d.null_text = "\\N";
  ReadResult r = ReadWith("id,name,price\n1,\\N,\\N\n2,,3\n3,\"\\N\",4\n4,\\Nx,5\n", d, kTyped);
  REQUIRE(r.status.ok());
  REQUIRE(r.rows.size() == 4);
  CHECK(r.rows[0].dump() == R"({"id":1,"name":null,"price":null})");
  CHECK(r.rows[1].dump() == R"({"id":2,"name":"","price":3.0})");
  CHECK(r.rows[2].dump() == R"({"id":3,"name":"\\N","price":4.0})");
  CHECK(r.rows[3].dump() == R"({"id":4,"name":"\\Nx","price":5.0})");
  // An empty field of a bigint column is not NULL under \N: a bad value, with its place.
  ReadResult bad = ReadWith("id,name,price\n,a,1\n", d, kTyped);
  REQUIRE(bad.status.ok());
  REQUIRE(bad.rejects.size() == 1);
  CHECK(bad.rejects[0].position == 2);
  CHECK(bad.rejects[0].code == "TSB_BAD_VALUE");
  CHECK(bad.rejects[0].message.find("column \"id\"") == 0);
}

TEST_CASE("dialect reader: another quote, and a backslash escape inside quotes") {
  TextDialect single;
  single.quote = '\'';
  single.escape = '\'';
  ReadResult r = ReadWith("a,b\n'x,''y''',\"z\"\n", single);
  REQUIRE(r.status.ok());
  CHECK(r.rows[0].dump() == R"({"a":"x,'y'","b":"\"z\""})");

  TextDialect backslash;
  backslash.escape = '\\';
  ReadResult e = ReadWith("a,b\n\"say \\\"hi\\\"\",\"c:\\\\dir\"\n\"two\\\nlines\",x\\y\nq,r\n",
                          backslash, {}, 1);
  REQUIRE(e.status.ok());
  CHECK(e.rejects.empty());
  REQUIRE(e.rows.size() == 3);
  CHECK(e.rows[0].dump() == R"({"a":"say \"hi\"","b":"c:\\dir"})");
  CHECK(e.rows[1].dump() == R"({"a":"two\nlines","b":"x\\y"})");  // unquoted: the escape is data
  CHECK(e.positions == std::vector<int64_t>{2, 3, 5});
  // A doubled quote is no escape under '\': the field closes and text follows it.
  ReadResult doubled = ReadWith("a\n\"x\"\"y\"\n", backslash);
  REQUIRE(doubled.status.ok());
  REQUIRE(doubled.rejects.size() == 1);
  CHECK(doubled.rejects[0].code == "TSB_BAD_QUOTE");
  CHECK(doubled.rejects[0].position == 2);
}

TEST_CASE("dialect reader: a header that would match under ';', tab or '|' gets a hint") {
  ReadResult semi = ReadWith("id;name;price\n1;a;2\n", TextDialect{}, kTyped);
  CHECK(semi.status.message().ends_with(
      ": column \"id\" is not in the CSV header (id;name;price); the header looks `;`-separated: "
      "give --delimiter ';' or file.delimiter"));
  ReadResult tab = ReadWith("\"id\"\t\"name\"\tprice\n", TextDialect{}, kTyped);
  CHECK(tab.status.message().ends_with(
      ": line 1: malformed quoting in the header row; the header looks tab-separated: give "
      "--delimiter '\\t' or file.delimiter"));
  ReadResult bare_tab = ReadWith("id\tname\tprice\n", TextDialect{}, kTyped);
  CHECK(bare_tab.status.message().ends_with(
      "(id\tname\tprice); the header looks tab-separated: give --delimiter '\\t' or "
      "file.delimiter"));
  ReadResult pipe = ReadWith("id|name|price|extra\n", TextDialect{}, kTyped);
  CHECK(
      pipe.status.message().ends_with("looks `|`-separated: give --delimiter '|' or "
                                      "file.delimiter"));
  // A CSV read as ';'-separated points back to ','.
  ReadResult comma = ReadWith("id,name,price\n", Dialect(';'), kTyped);
  CHECK(
      comma.status.message().ends_with("looks `,`-separated: give --delimiter ',' or "
                                       "file.delimiter"));
  // No hint when no other delimiter explains the header.
  ReadResult none = ReadWith("id;nom;price\n", TextDialect{}, kTyped);
  CHECK(none.status.message().ends_with("is not in the CSV header (id;nom;price)"));
}

TEST_CASE("dialect writer: delimiter, no header, null text, quote and escape; read back") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"s", DataType::Of(TypeId::kString)},
      {"i", DataType::Of(TypeId::kInt64)},
      {"b", DataType::Of(TypeId::kBoolean)},
  });
  RowBatch batch(schema, 8);
  auto add = [&](std::optional<std::string> s, std::optional<int64_t> i, bool b) {
    s ? batch.column(0).AppendBytes(*s) : batch.column(0).AppendNull();
    i ? batch.column(1).AppendInt(*i) : batch.column(1).AppendNull();
    batch.column(2).AppendBool(b);
    batch.CommitRow();
  };
  add(std::string("a\tb"), 1, true);
  add(std::nullopt, std::nullopt, false);
  add(std::string(""), 2, true);
  add(std::string("\\N"), 3, false);
  add(std::string("say \"x\", c:\\"), 4, true);

  TextDialect tsv = Dialect('\t', false);
  tsv.null_text = "\\N";
  CHECK(WriteWith(tsv, *schema, batch) ==
        "\"a\tb\"\t1\ttrue\n"
        "\\N\t\\N\tfalse\n"
        "\"\"\t2\ttrue\n"
        "\"\\N\"\t3\tfalse\n"
        "\"say \"\"x\"\", c:\\\"\t4\ttrue\n");

  TextDialect semi = Dialect(';');
  semi.quote = '\'';
  semi.escape = '\\';
  const std::string text = WriteWith(semi, *schema, batch);
  CHECK(text ==
        "s;i;b\n"
        "a\tb;1;true\n"
        ";;false\n"
        "'';2;true\n"
        "\\N;3;false\n"
        "say \"x\", c:\\;4;true\n");

  // Each reads back as written.
  for (const TextDialect& d : {tsv, semi}) {
    TextDialect rd = d;
    if (!rd.header) rd.columns = {"s", "i", "b"};
    ReadResult r = ReadWith(WriteWith(d, *schema, batch), rd,
                            {{"s", DataType::Of(TypeId::kString)},
                             {"i", DataType::Of(TypeId::kInt64)},
                             {"b", DataType::Of(TypeId::kBoolean)}});
    REQUIRE(r.status.ok());
    CHECK(r.rejects.empty());
    REQUIRE(r.rows.size() == 5);
    CHECK(r.rows[0].dump() == R"({"s":"a\tb","i":1,"b":true})");
    CHECK(r.rows[1].dump() == R"({"s":null,"i":null,"b":false})");
    CHECK(r.rows[2].dump() == R"({"s":"","i":2,"b":true})");
    CHECK(r.rows[3].dump() == R"({"s":"\\N","i":3,"b":false})");
    CHECK(r.rows[4].dump() == R"({"s":"say \"x\", c:\\","i":4,"b":true})");
  }

  // A quoted field under a distinct escape escapes the quote and the escape.
  RowBatch one(schema, 1);
  one.column(0).AppendBytes("it's a\\b;");
  one.column(1).AppendNull();
  one.column(2).AppendBool(true);
  one.CommitRow();
  CHECK(WriteWith(semi, *schema, one) == "s;i;b\n'it\\'s a\\\\b;';;true\n");
  // A value whose text is the null text is quoted, so that it does not read back as NULL.
  TextDialect null_true;
  null_true.null_text = "true";
  CHECK(WriteWith(null_true, *schema, one) == "s,i,b\nit's a\\b;,true,\"true\"\n");
}

TEST_CASE("file targets: .tsv means a tab; the spec's dialect, then the flags; refusals") {
  auto spec = ParseJobSpec(R"({"tablestore": {"endpoint": "http://127.0.0.1:8800",
      "instance": "demo", "table": "t"},
      "columns": [{"name": "k", "type": "bigint"}, {"name": "v", "type": "string"}],
      "mapping": ":k,v",
      "file": {"path": "in.csv", "delimiter": "|", "null": "NULL", "header": false}})");
  REQUIRE(spec.ok());
  auto tsv = ResolveInputTarget("x.TSV.gz", "", spec->file);
  REQUIRE(tsv.ok());
  CHECK(tsv->format == FileFormat::kCsv);
  CHECK(tsv->compression == TextCompression::kGzip);
  JobSpec no_file = *spec;
  no_file.file.reset();
  REQUIRE(ResolveDialect({}, no_file, &*tsv).ok());
  CHECK(tsv->dialect.delimiter == '\t');
  CHECK(tsv->dialect.header);
  CHECK(TargetExtension(*tsv) == ".tsv.gz");
  CHECK(DefaultRejectsPath(*tsv, RejectFormat::kCsv) == "x.rejects.tsv");

  // The spec's dialect over the name's tab, the flags over the spec's.
  REQUIRE(ResolveDialect({}, *spec, &*tsv).ok());
  CHECK(tsv->dialect.delimiter == '|');
  CHECK(tsv->dialect.null_text == "NULL");
  CHECK_FALSE(tsv->dialect.header);
  CHECK(tsv->dialect.columns == std::vector<std::string>{"k", "v"});
  DialectSettings flags;
  flags.delimiter = "tab";
  flags.header = true;
  REQUIRE(ResolveDialect(flags, *spec, &*tsv).ok());
  CHECK(tsv->dialect.delimiter == '\t');
  CHECK(tsv->dialect.header);
  CHECK(tsv->dialect.columns.empty());
  CHECK(TargetReaderOptions(*tsv).dialect.delimiter == '\t');

  auto dir = ResolveOutputTarget("parts/", "csv", std::nullopt);
  REQUIRE(dir.ok());
  DialectSettings tab;
  tab.delimiter = "\\t";
  REQUIRE(ResolveDialect(tab, no_file, &*dir).ok());
  CHECK(TargetExtension(*dir) == ".tsv");

  auto jsonl = ResolveInputTarget("x.jsonl", "", std::nullopt);
  REQUIRE(jsonl.ok());
  DialectSettings null_flag;
  null_flag.null_text = "\\N";
  CHECK(ResolveDialect(null_flag, no_file, &*jsonl).message() ==
        "--null sets up CSV files, and x.jsonl is jsonl");
  DialectSettings latin1;
  latin1.encoding = "latin1";
  auto csv = ResolveInputTarget("x.csv", "", std::nullopt);
  REQUIRE(csv.ok());
  CHECK(ResolveDialect(latin1, no_file, &*csv).message() ==
        "--encoding: only UTF-8 is read and written, got \"latin1\"; convert the file first "
        "(iconv -f latin1 -t UTF-8)");
  DialectSettings two;
  two.delimiter = ";;";
  CHECK(ResolveDialect(two, no_file, &*csv).message() ==
        "--delimiter: expected one character (one byte; \"\\t\" or \"tab\" for a tab), got "
        "\";;\"");
}
