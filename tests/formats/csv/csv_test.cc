#include "formats/csv/csv.h"

#include <doctest/doctest.h>
#include <fcntl.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>

#include "formats/text_testing.h"

using namespace tsb;
using namespace tsb::testing;

namespace {

const char* const kHandBuilt[] = {
    "rfc4180_crlf", "rfc4180_crlf_no_final_newline", "lf_embedded_newlines", "lf_no_final_newline",
    "utf8_bom",     "empty_vs_quoted_empty",         "long_field_1mib",      "header_only",
};

ReadResult ReadCsvText(const std::string& text, std::vector<Field> columns = {},
                       size_t batch_rows = 4096) {
  static int n = 0;
  std::string path = TempPath("inline_" + std::to_string(n++) + ".csv");
  WriteFileBytes(path, text);
  return ReadAll(ReadOpts(path, std::move(columns)), batch_rows);
}

std::vector<int64_t> OracleLines(const std::string& stem) {
  std::vector<int64_t> lines;
  for (const auto& j : ParseJsonLines(ReadFileBytes(CsvDir() + stem + ".rejects.jsonl"))) {
    lines.push_back(j["line"].get<int64_t>());
  }
  return lines;
}

}  // namespace

TEST_CASE("every hand-built corpus CSV reads back as its expected rows (all columns string)") {
  for (const char* stem : kHandBuilt) {
    CAPTURE(stem);
    for (size_t batch_rows : {size_t{4096}, size_t{7}, size_t{1}}) {
      ReadResult r = ReadAll(ReadOpts(CsvDir() + stem + ".csv"), batch_rows);
      REQUIRE(r.status.ok());
      CHECK(r.rejects.empty());
      CheckRowsEqual(r.rows, ExpectedRows(stem));
    }
  }
}

TEST_CASE("a small first window (ReaderOptions::window_bytes) reads every corpus file the same") {
  // Records then cross the window's edge at every byte offset the refills leave.
  for (const char* stem : kHandBuilt) {
    CAPTURE(stem);
    ReadResult whole = ReadAll(ReadOpts(CsvDir() + stem + ".csv"), 7);
    REQUIRE(whole.status.ok());
    for (size_t window : {size_t{1}, size_t{2}, size_t{5}, size_t{64}}) {
      CAPTURE(window);
      ReaderOptions o = ReadOpts(CsvDir() + stem + ".csv");
      o.window_bytes = window;
      ReadResult r = ReadAll(o, 7);
      REQUIRE(r.status.ok());
      CheckRowsEqual(r.rows, ExpectedRows(stem));
      CHECK(r.positions == whole.positions);
    }
  }
  // A bad record is rejected with the same line and raw text through any window.
  const std::string bad = "a,b\n1,2\n\"x\"y,3\n4,\"unterminated\n";
  ReadResult whole = ReadCsvText(bad);
  for (size_t window : {size_t{1}, size_t{3}, size_t{8}}) {
    CAPTURE(window);
    std::string path = TempPath("window_" + std::to_string(window) + ".csv");
    WriteFileBytes(path, bad);
    ReaderOptions o = ReadOpts(path);
    o.window_bytes = window;
    ReadResult r = ReadAll(o);
    CHECK(r.status.ok() == whole.status.ok());
    CHECK(r.rows == whole.rows);
    REQUIRE(r.rejects.size() == whole.rejects.size());
    for (size_t i = 0; i < r.rejects.size(); ++i) {
      CHECK(r.rejects[i].position == whole.rejects[i].position);
      CHECK(r.rejects[i].raw == whole.rejects[i].raw);
    }
  }
}

TEST_CASE("positions are the physical start lines of records") {
  ReadResult r = ReadAll(ReadOpts(CsvDir() + "lf_embedded_newlines.csv"));
  REQUIRE(r.status.ok());
  REQUIRE(!r.positions.empty());
  CHECK(r.positions[0] == 2);
  // Each position is one more than the previous one plus the line breaks inside that record.
  std::string bytes = ReadFileBytes(CsvDir() + "lf_embedded_newlines.csv");
  int64_t lines = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 == bytes.size() || bytes[i + 1] != '\n'))) {
      ++lines;
    }
  }
  CHECK(r.positions.back() <= lines);
  for (size_t i = 1; i < r.positions.size(); ++i) CHECK(r.positions[i] > r.positions[i - 1]);
}

TEST_CASE("the typed DuckDB corpus files read back exactly with the MANIFEST's types") {
  ReadResult types = ReadAll(ReadOpts(CsvDir() + "duckdb_types.csv", DuckdbTypesColumns()));
  REQUIRE(types.status.ok());
  CHECK(types.rejects.empty());
  CheckRowsEqual(types.rows, ExpectedRows("duckdb_types"));

  ReadResult orders = ReadAll(ReadOpts(CsvDir() + "orders.csv", OrdersColumns()));
  REQUIRE(orders.status.ok());
  CHECK(orders.rejects.empty());
  CheckRowsEqual(orders.rows, ExpectedRows("orders"));
}

TEST_CASE("bad corpus files: good rows as expected, bad records as the oracle says") {
  const std::pair<const char*, const char*> kBad[] = {
      {"bad_non_utf8", "TSB_BAD_UTF8"},
      {"bad_ragged_rows", "TSB_FIELD_COUNT"},
      {"bad_stray_quote", "TSB_BAD_QUOTE"},
      {"bad_unterminated_quote", "TSB_BAD_QUOTE"},
  };
  for (const auto& [stem, code] : kBad) {
    const char* corpus_file = stem;  // clang 14: CAPTURE cannot name a structured binding
    CAPTURE(corpus_file);
    for (size_t batch_rows : {size_t{4096}, size_t{3}}) {
      ReadResult r = ReadAll(ReadOpts(CsvDir() + stem + ".csv"), batch_rows);
      REQUIRE(r.status.ok());
      CheckRowsEqual(r.rows, ExpectedRows(stem));
      std::vector<int64_t> lines;
      for (const RejectedRecord& rej : r.rejects) {
        lines.push_back(rej.position);
        CHECK(rej.code == code);
        CHECK(!rej.message.empty());
        if (std::string(code) == "TSB_BAD_UTF8") {
          CHECK(rej.fields.size() == 3);
          CHECK(rej.raw.empty());
          CHECK(rej.message.find("column \"") == 0);
        } else {
          CHECK(rej.fields.empty());
          CHECK(!rej.raw.empty());
        }
      }
      CHECK(lines == OracleLines(stem));
    }
  }
  // The raw text of a ragged record is the record without its line break.
  ReadResult ragged = ReadAll(ReadOpts(CsvDir() + "bad_ragged_rows.csv"));
  REQUIRE(ragged.rejects.size() == 3);
  CHECK(ragged.rejects[0].raw.find('\n') == std::string::npos);
  CHECK(ragged.rejects[0].message == "expected 3 fields, found 2");
  // The unterminated quote runs to the end of the input.
  ReadResult unterminated = ReadAll(ReadOpts(CsvDir() + "bad_unterminated_quote.csv"));
  REQUIRE(unterminated.rejects.size() == 1);
  std::string bytes = ReadFileBytes(CsvDir() + "bad_unterminated_quote.csv");
  CHECK(bytes.size() >= unterminated.rejects[0].raw.size());
  CHECK(bytes.substr(bytes.size() - unterminated.rejects[0].raw.size()) ==
        unterminated.rejects[0].raw);
}

TEST_CASE("RFC 4180 details: quotes, line ends, BOM, NULL vs empty, blank lines") {
  ReadResult r = ReadCsvText(
      "\xEF\xBB\xBF"
      "a,b\r\n"
      "\"x,\"\"y\"\"\",\r\n"             // quoted with comma and doubled quotes; NULL
      "\"multi\nline\r\nvalue\",\"\"\r"  // lone CR ends the record; "" is empty
      "\r\n"                             // a blank line between records (CRLF)
      "\xEF\xBB\xBF"
      "z, sp \n"      // a BOM after the start is data
      "last,\"q\"");  // no final newline
  REQUIRE(r.status.ok());
  CHECK(r.rejects.empty());
  REQUIRE(r.rows.size() == 4);
  CHECK(r.rows[0].dump() == R"({"a":"x,\"y\"","b":null})");
  CHECK(r.rows[1].dump() == R"({"a":"multi\nline\r\nvalue","b":""})");
  CHECK(r.rows[2]["a"] == "\xEF\xBB\xBFz");
  CHECK(r.rows[2]["b"] == " sp ");
  CHECK(r.rows[3].dump() == R"({"a":"last","b":"q"})");
  CHECK(r.positions == std::vector<int64_t>{2, 3, 7, 8});

  ReadResult empty = ReadCsvText("");
  REQUIRE(empty.status.ok());
  CHECK(empty.rows.empty());

  ReadResult one_column = ReadCsvText("a\n1\n\n\"\"\n");
  REQUIRE(one_column.status.ok());
  REQUIRE(one_column.rows.size() == 3);
  CHECK(one_column.rows[1]["a"].is_null());
  CHECK(one_column.rows[2]["a"] == "");
}

TEST_CASE("typed columns: selection by name, conversion, rejects with fields, rollback") {
  std::vector<Field> cols = {{"n", DataType::Of(TypeId::kInt32)},
                             {"d", DataType::Of(TypeId::kDate)},
                             {"s", DataType::Of(TypeId::kString)}};
  ReadResult r = ReadCsvText(
      "s,skip,d,n\n"
      "hello,zzz,2024-02-29,7\n"
      "bad,zzz,2024-02-30,8\n"          // bad date after nothing appended
      "x,zzz,2024-01-01,99999999999\n"  // bad int after d and s were parsed
      ",zzz,,\n"
      "\"\",zzz,1970-01-01,\"\"\n"  // "" is not an int
      "ok,\"a\nb\",1969-12-31,-1\n",
      cols);
  REQUIRE(r.status.ok());
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0].dump() == R"({"n":7,"d":"2024-02-29","s":"hello"})");
  CHECK(r.rows[1].dump() == R"({"n":null,"d":null,"s":null})");
  CHECK(r.rows[2].dump() == R"({"n":-1,"d":"1969-12-31","s":"ok"})");
  CHECK(r.positions == std::vector<int64_t>{2, 5, 7});
  REQUIRE(r.rejects.size() == 3);
  CHECK(r.rejects[0].position == 3);
  CHECK(r.rejects[0].code == "TSB_BAD_VALUE");
  CHECK(r.rejects[0].message == "column \"d\": expected date, got \"2024-02-30\"");
  REQUIRE(r.rejects[0].fields.size() == 4);
  CHECK(*r.rejects[0].fields[0] == "bad");
  CHECK(r.rejects[1].message == "column \"n\": expected int, got \"99999999999\" (out of range)");
  CHECK(r.rejects[2].message == "column \"n\": expected int, got \"\"");
  CHECK(r.rejects[2].fields[0] == std::optional<std::string>(""));

  ReadResult missing = ReadCsvText("a,b\n1,2\n", {{"c", DataType::Of(TypeId::kString)}});
  CHECK(missing.status.code() == StatusCode::kInvalidArgument);
  CHECK(missing.status.message().find("column \"c\" is not in the CSV header (a, b)") !=
        std::string::npos);
}

TEST_CASE("a 1 MiB field streams through a small batch and a growing window") {
  ReadResult r = ReadAll(ReadOpts(CsvDir() + "long_field_1mib.csv"), 1);
  REQUIRE(r.status.ok());
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0]["payload"].get<std::string>().size() == 1048576);
  // A field of 5 MiB, bigger than several blocks.
  std::string big(5 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 1000) big[i] = '\n';
  ReadResult r2 = ReadCsvText("a,b\n1,\"" + big + "\"\n2,y\n");
  REQUIRE(r2.status.ok());
  REQUIRE(r2.rows.size() == 2);
  CHECK(r2.rows[0]["b"].get<std::string>() == big);
  CHECK(r2.positions[1] == 3 + static_cast<int64_t>(big.size() / 1000) + 1);
}

TEST_CASE("CSV writer: header, quoting only where needed, NULL vs empty, decisions-8 forms") {
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"s", DataType::Of(TypeId::kString)},
      {"i", DataType::Of(TypeId::kInt64)},
      {"d", DataType::Of(TypeId::kDouble)},
      {"b", DataType::Of(TypeId::kBinary)},
      {"ts", DataType::Timestamp(TimeUnit::kMillis)},
      {"dec", DataType::Decimal(10, 2)},
  });
  RowBatch batch(schema, 8);
  auto add = [&](std::optional<std::string> s, int64_t i, double d) {
    if (s)
      batch.column(0).AppendBytes(*s);
    else
      batch.column(0).AppendNull();
    batch.column(1).AppendInt(i);
    batch.column(2).AppendDouble(d);
    batch.column(3).AppendBytes(std::string("\xff\xfe\xfd", 3));
    batch.column(4).AppendInt(-1);
    batch.column(5).AppendInt128(-5);
    batch.CommitRow();
  };
  add(std::string("plain"), 1, 0.1);
  add(std::string(""), -9223372036854775807 - 1, -0.0);
  add(std::nullopt, 2, std::numeric_limits<double>::quiet_NaN());
  add(std::string("a,\"b\"\r\n c "), 3, 1e21);
  std::string path = TempPath("w.csv");
  WriterOptions wo;
  wo.path = path;
  auto writer = OpenWriter(*schema, wo);
  REQUIRE(writer.ok());
  REQUIRE((*writer)->Write(batch).ok());
  CHECK(!std::filesystem::exists(path));  // still under its temporary name
  REQUIRE((*writer)->Close().ok());
  CHECK(ReadFileBytes(path) ==
        "s,i,d,b,ts,dec\n"
        "plain,1,0.1,//79,1969-12-31T23:59:59.999Z,-0.05\n"
        "\"\",-9223372036854775808,-0.0,//79,1969-12-31T23:59:59.999Z,-0.05\n"
        ",2,NaN,//79,1969-12-31T23:59:59.999Z,-0.05\n"
        "\"a,\"\"b\"\"\r\n c \",3,1e+21,//79,1969-12-31T23:59:59.999Z,-0.05\n");
  // It reads back as written.
  ReadResult back = ReadAll(ReadOpts(path, schema->fields()));
  REQUIRE(back.status.ok());
  REQUIRE(back.rows.size() == 4);
  CHECK(back.rows[1]["s"] == "");
  CHECK(back.rows[2]["s"].is_null());
  CHECK(back.rows[3]["s"] == "a,\"b\"\r\n c ");

  // A writer destroyed without Close() leaves nothing behind.
  std::string abandoned = TempPath("abandoned.csv");
  {
    wo.path = abandoned;
    auto w = OpenWriter(*schema, wo);
    REQUIRE(w.ok());
    REQUIRE((*w)->Write(batch).ok());
  }
  CHECK(!std::filesystem::exists(abandoned));
  for (const auto& e : std::filesystem::directory_iterator(TempDir())) {
    CHECK(e.path().filename().string().find("abandoned") == std::string::npos);
  }
}

TEST_CASE("CSV -> CSV round trips are byte-stable, plain and compressed") {
  struct Case {
    std::string stem;
    std::vector<Field> columns;
  };
  std::vector<Case> cases = {{"duckdb_types", DuckdbTypesColumns()}, {"orders", OrdersColumns()}};
  for (const char* stem : kHandBuilt) cases.push_back({stem, {}});
  for (const Case& c : cases) {
    CAPTURE(c.stem);
    for (const char* ext : {".csv", ".csv.gz", ".csv.zst"}) {
      CAPTURE(ext);
      if (c.stem != "duckdb_types" && std::string(ext) != ".csv") continue;
      std::string b = TempPath(c.stem + "_b" + ext);
      std::string cpath = TempPath(c.stem + "_c" + ext);
      TextCompression comp = TextCompression::kNone;
      REQUIRE(FormatFromPath(b, &comp).ok());
      REQUIRE(WriteAll(b, ReadOpts(CsvDir() + c.stem + ".csv", c.columns), FileFormat::kCsv, comp)
                  .ok());
      REQUIRE(WriteAll(cpath, ReadOpts(b, c.columns), FileFormat::kCsv, comp, 3).ok());
      CHECK(ReadDecompressed(b) == ReadDecompressed(cpath));
      ReadResult r = ReadAll(ReadOpts(b, c.columns));
      REQUIRE(r.status.ok());
      CheckRowsEqual(r.rows, ExpectedRows(c.stem));
    }
  }
}

TEST_CASE("stdin and stdout") {
  // stdin: the corpus file on descriptor 0.
  int saved_in = ::dup(0);
  int fd = ::open((CsvDir() + "rfc4180_crlf.csv").c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  ::dup2(fd, 0);
  ::close(fd);
  ReaderOptions ro;
  ro.path = "-";
  ro.format = FileFormat::kCsv;
  ReadResult r = ReadAll(ro);
  ::dup2(saved_in, 0);
  ::close(saved_in);
  REQUIRE(r.status.ok());
  CheckRowsEqual(r.rows, ExpectedRows("rfc4180_crlf"));

  // stdout: descriptor 1 pointed at a file for the duration of the write.
  std::string out_path = TempPath("stdout.csv");
  std::fflush(stdout);
  int saved_out = ::dup(1);
  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(out_fd >= 0);
  ::dup2(out_fd, 1);
  ::close(out_fd);
  Status st = WriteAll("-", ReadOpts(CsvDir() + "empty_vs_quoted_empty.csv"), FileFormat::kCsv,
                       TextCompression::kNone);
  ::dup2(saved_out, 1);
  ::close(saved_out);
  REQUIRE(st.ok());
  CHECK(ReadFileBytes(out_path) == ReadFileBytes(CsvDir() + "empty_vs_quoted_empty.csv"));
}

TEST_CASE("typed doubles and strings read exactly as std::from_chars and ValidateUtf8 decide") {
  // The reader parses plain decimals and ASCII text on a shortcut; std::from_chars (the general
  // parser's core) is the oracle for every double, bit for bit, on both sides of the shortcut's
  // limits: 19 digits, 2^53, 22 decimals, exponents, signs, special names.
  std::vector<std::string> texts = {"0",
                                    "-0",
                                    "0.0",
                                    "-0.0",
                                    "106195.87",
                                    "857.71",
                                    "555285.16",
                                    "1.5",
                                    "007.25",
                                    "9007199254740992",
                                    "9007199254740993",
                                    "-9007199254740992",
                                    "9007199254740991.5",
                                    "1234567890123456789",
                                    "12345678901234567890",
                                    "0.1234567890123456789",
                                    "0.0000000000000000000001",
                                    "0.00000000000000000000001",
                                    "1e5",
                                    "1E-3",
                                    "2.5e+10",
                                    ".5",
                                    "1.",
                                    "+1.25",
                                    "NaN",
                                    "-Infinity",
                                    "0.30000000000000004",
                                    "4.9406564584124654e-300",
                                    "179769313486231570000000000000000000"};
  uint64_t x = 0x1234567;
  auto next = [&x]() {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return x >> 11;
  };
  for (int i = 0; i < 20000; ++i) {
    const int int_digits = 1 + static_cast<int>(next() % 17);
    const int decimals = static_cast<int>(next() % 24);
    std::string t = next() % 4 == 0 ? "-" : "";
    for (int d = 0; d < int_digits; ++d) t.push_back(static_cast<char>('0' + next() % 10));
    if (decimals > 0) {
      t.push_back('.');
      for (int d = 0; d < decimals; ++d) t.push_back(static_cast<char>('0' + next() % 10));
    }
    texts.push_back(t);
  }
  const std::vector<std::string> strings = {"plain ascii words",   "",
                                            "caf\xC3\xA9 au lait", "exactly8",
                                            "bad \xC3\x28 byte",   "\xF0\x9F\x98\x80"};
  std::string csv = "d,s\n";
  for (size_t i = 0; i < texts.size(); ++i) {
    csv += texts[i] + ",\"" + strings[i % strings.size()] + "\"\n";
  }
  std::string path = TempPath("doubles.csv");
  WriteFileBytes(path, csv);
  ReaderOptions o =
      ReadOpts(path, {{"d", DataType::Of(TypeId::kDouble)}, {"s", DataType::Of(TypeId::kString)}});
  auto reader = OpenReader(o);
  REQUIRE(reader.ok());
  auto schema = std::make_shared<Schema>((*reader)->schema());
  RowBatch batch(schema, 1000);
  size_t seen = 0;
  size_t compared = 0;
  for (;;) {
    REQUIRE((*reader)->Next(&batch).ok());
    if (batch.num_rows() == 0 && batch.rejects().empty()) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      const size_t line = static_cast<size_t>(batch.positions()[r]);
      const size_t i = line - 2;
      const std::string& t = texts[i];
      CAPTURE(t);
      double want = 0;
      if (t == "NaN") {
        CHECK(std::isnan(batch.column(0).GetDouble(r)));
      } else if (t == "-Infinity") {
        CHECK(batch.column(0).GetDouble(r) == -std::numeric_limits<double>::infinity());
      } else {
        const char* b = t.data() + (t[0] == '+');
        auto res = std::from_chars(b, t.data() + t.size(), want);
        REQUIRE(res.ec == std::errc());
        REQUIRE(res.ptr == t.data() + t.size());
        CHECK(std::bit_cast<uint64_t>(batch.column(0).GetDouble(r)) ==
              std::bit_cast<uint64_t>(want));
        ++compared;
      }
      CHECK(batch.column(1).GetBytes(r) == strings[i % strings.size()]);
      ++seen;
    }
    for (const RejectedRecord& rej : batch.rejects()) {
      const size_t i = static_cast<size_t>(rej.position) - 2;
      CAPTURE(texts[i]);
      CHECK(strings[i % strings.size()] == "bad \xC3\x28 byte");
      CHECK(rej.code == "TSB_BAD_UTF8");
      ++seen;
    }
  }
  CHECK(seen == texts.size());
  CHECK(compared > texts.size() * 3 / 4);
}

TEST_CASE("CSV writer: every double's text is core's shortest round-trip text (FormatDouble)") {
  // The writer formats most prices and measures on a shortcut; FormatDouble (std::to_chars,
  // shortest round trip) is the oracle for each value, on both sides of the shortcut's limits:
  // 1 and 1e15, 8 decimals, 2^53, integers, ties, and values that need 17 digits.
  std::vector<double> values = {1.0,
                                -1.0,
                                0.5,
                                0.999999999,
                                1e15,
                                999999999999999.9,
                                1e14 + 0.125,
                                9007199254740991.0,
                                123456.78901234,
                                0.1 + 0.2,
                                100.0,
                                -70889.2,
                                106195.87,
                                2.5,
                                1.00000001,
                                1.000000001,
                                4503599627370495.5,
                                12345678.12345678};
  uint64_t x = 0xC0FFEE;
  auto next = [&x]() {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return x >> 11;
  };
  for (int i = 0; i < 30000; ++i) {
    const int decimals = static_cast<int>(next() % 10);
    const double scale = std::pow(10.0, static_cast<double>(next() % 16));
    double v = static_cast<double>(next() % 100000000) / std::pow(10.0, decimals) * scale;
    if (i % 3 == 0) v = std::bit_cast<double>((next() << 11) | (next() & 0x7FF));  // any double
    if (std::isnan(v) || std::isinf(v)) continue;
    values.push_back(i % 2 ? -v : v);
  }
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"d", DataType::Of(TypeId::kDouble)}});
  RowBatch batch(schema, values.size());
  for (double v : values) {
    batch.column(0).AppendDouble(v);
    batch.CommitRow();
  }
  std::string path = TempPath("doubles_out.csv");
  WriterOptions wo;
  wo.path = path;
  auto writer = OpenWriter(*schema, wo);
  REQUIRE(writer.ok());
  REQUIRE((*writer)->Write(batch).ok());
  REQUIRE((*writer)->Close().ok());
  std::string want = "d\n";
  for (double v : values) want += FormatDouble(v) + "\n";
  const std::string got = ReadFileBytes(path);
  REQUIRE(got.size() == want.size());
  size_t line_start = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] != got[i]) {
      FAIL("first difference in line "
           << want.substr(line_start, want.find('\n', line_start) - line_start) << " vs "
           << got.substr(line_start, got.find('\n', line_start) - line_start));
    }
    if (want[i] == '\n') line_start = i + 1;
  }
}

TEST_CASE("numbers of up to 8 digits a part, read as words, accept and reject as std::from_chars") {
  // The reader loads up to 8 digits at a time, past the field's end; bytes next to a digit in
  // ASCII (':' and '/'), a second '.', a '.' in the next field, and fields at the very end of the
  // input (where no whole word past them may be read) must decide as from_chars does.
  const std::vector<std::string> texts = {
      "12:5", "1/5",   "1.2:",       "1:.5",      "-:1",       "0.:",         "12345678:",
      "1.5/", "1..2",  "1.2.3",      "-.5",       "-1.",       "99999999.9",  "12345678.87654321",
      "0.5",  "-7.25", "99999999",   "100000000", "123456789", "1234567.891", "00000000.00000001",
      "8",    "-8.0",  "5.123456789"};
  for (TypeId id : {TypeId::kDouble, TypeId::kInt64}) {
    {
      // Each value with the next field holding a '.', so a word read past the field finds one.
      std::string csv = "v,w\n";
      for (const std::string& t : texts) csv += t + ",1.5\n";
      csv += "7,1.5";  // the input's very last bytes are a number, without a line break
      std::string path = TempPath("digit_words.csv");
      WriteFileBytes(path, csv);
      auto reader = OpenReader(
          ReadOpts(path, {{"v", DataType::Of(id)}, {"w", DataType::Of(TypeId::kDouble)}}));
      REQUIRE(reader.ok());
      RowBatch batch(std::make_shared<Schema>((*reader)->schema()), 4096);
      size_t seen = 0;
      for (;;) {
        REQUIRE((*reader)->Next(&batch).ok());
        if (batch.num_rows() == 0 && batch.rejects().empty()) break;
        for (size_t r = 0; r < batch.num_rows(); ++r) {
          const size_t i = static_cast<size_t>(batch.positions()[r]) - 2;
          const std::string t = i < texts.size() ? texts[i] : "7";
          CAPTURE(t);
          if (id == TypeId::kDouble) {
            double want = 0;
            auto res = std::from_chars(t.data(), t.data() + t.size(), want);
            REQUIRE((res.ec == std::errc() && res.ptr == t.data() + t.size()));
            CHECK(std::bit_cast<uint64_t>(batch.column(0).GetDouble(r)) ==
                  std::bit_cast<uint64_t>(want));
          } else {
            int64_t want = 0;
            auto res = std::from_chars(t.data(), t.data() + t.size(), want);
            REQUIRE((res.ec == std::errc() && res.ptr == t.data() + t.size()));
            CHECK(batch.column(0).GetInt(r) == want);
          }
          CHECK(batch.column(1).GetDouble(r) == 1.5);
          ++seen;
        }
        for (const RejectedRecord& rej : batch.rejects()) {
          const std::string& t = texts[static_cast<size_t>(rej.position) - 2];
          CAPTURE(t);
          CHECK(rej.code == "TSB_BAD_VALUE");
          double d = 0;
          int64_t v = 0;
          const bool parses =
              id == TypeId::kDouble
                  ? std::from_chars(t.data(), t.data() + t.size(), d).ptr == t.data() + t.size()
                  : std::from_chars(t.data(), t.data() + t.size(), v).ptr == t.data() + t.size();
          CHECK(!parses);
          ++seen;
        }
      }
      CHECK(seen == texts.size() + 1);
    }
  }
}

TEST_CASE("typed int64 values read exactly as std::from_chars decides") {
  // Plain decimals of up to 18 digits take the reader's shortcut; longer ones, signs, spaces and
  // out-of-range values take the general parser. std::from_chars is the oracle for both sides.
  std::vector<std::string> texts = {"0",
                                    "-0",
                                    "007",
                                    "-007",
                                    "123456789012345678",
                                    "-123456789012345678",
                                    "999999999999999999",
                                    "1234567890123456789",
                                    "9223372036854775807",
                                    "-9223372036854775808",
                                    "9223372036854775808",
                                    "-9223372036854775809",
                                    "+5",
                                    "+-5",
                                    "-",
                                    "--1",
                                    " 1",
                                    "1 ",
                                    "1.0",
                                    "1e3",
                                    "0x10",
                                    "12a"};
  uint64_t x = 0x7654321;
  auto next = [&x]() {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return x >> 11;
  };
  for (int i = 0; i < 5000; ++i) {
    const int digits = 1 + static_cast<int>(next() % 19);
    std::string t = next() % 3 == 0 ? "-" : "";
    for (int d = 0; d < digits; ++d) t.push_back(static_cast<char>('0' + next() % 10));
    texts.push_back(t);
  }
  std::string csv = "k\n";
  for (const std::string& t : texts) csv += "\"" + t + "\"\n";
  std::string path = TempPath("ints.csv");
  WriteFileBytes(path, csv);
  auto reader = OpenReader(ReadOpts(path, {{"k", DataType::Of(TypeId::kInt64)}}));
  REQUIRE(reader.ok());
  RowBatch batch(std::make_shared<Schema>((*reader)->schema()), 1000);
  auto oracle = [](const std::string& t, int64_t* v) {
    const char* b = t.data();
    const char* e = b + t.size();
    if (b < e && *b == '+' && b + 1 < e && b[1] != '-') ++b;
    auto res = std::from_chars(b, e, *v);
    return res.ec == std::errc() && res.ptr == e;
  };
  size_t seen = 0, accepted = 0;
  for (;;) {
    REQUIRE((*reader)->Next(&batch).ok());
    if (batch.num_rows() == 0 && batch.rejects().empty()) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      const std::string& t = texts[static_cast<size_t>(batch.positions()[r]) - 2];
      CAPTURE(t);
      int64_t want = 0;
      REQUIRE(oracle(t, &want));
      CHECK(batch.column(0).GetInt(r) == want);
      ++seen;
      ++accepted;
    }
    for (const RejectedRecord& rej : batch.rejects()) {
      const std::string& t = texts[static_cast<size_t>(rej.position) - 2];
      CAPTURE(t);
      int64_t ignored = 0;
      CHECK(!oracle(t, &ignored));
      ++seen;
    }
  }
  CHECK(seen == texts.size());
  CHECK(accepted > texts.size() * 3 / 4);
}
