#include <doctest/doctest.h>

#include "formats/text_testing.h"

using namespace tsb;
using namespace tsb::testing;

TEST_CASE("formats and compression come from the path's extension") {
  struct Case {
    const char* path;
    FileFormat format;
    TextCompression compression;
  };
  const Case kCases[] = {
      {"x.csv", FileFormat::kCsv, TextCompression::kNone},
      {"dir.v2/x.CSV.GZ", FileFormat::kCsv, TextCompression::kGzip},
      {"x.csv.zst", FileFormat::kCsv, TextCompression::kZstd},
      {"x.jsonl", FileFormat::kJsonl, TextCompression::kNone},
      {"x.jsonl.gz", FileFormat::kJsonl, TextCompression::kGzip},
      {"x.jsonl.zst", FileFormat::kJsonl, TextCompression::kZstd},
      {"x.ndjson", FileFormat::kJsonl, TextCompression::kNone},
      {"part-0.parquet", FileFormat::kParquet, TextCompression::kNone},
  };
  for (const Case& c : kCases) {
    CAPTURE(c.path);
    TextCompression comp = TextCompression::kGzip;
    auto f = FormatFromPath(c.path, &comp);
    REQUIRE(f.ok());
    CHECK(*f == c.format);
    CHECK(comp == c.compression);
  }
  for (const char* bad : {"x.txt", "x", "x.parquet.gz", "-", "x.gz"}) {
    CAPTURE(bad);
    auto f = FormatFromPath(bad, nullptr);
    REQUIRE_FALSE(f.ok());
    CHECK(f.status().code() == StatusCode::kInvalidArgument);
  }
  CHECK(*ParseFormatName("CSV") == FileFormat::kCsv);
  CHECK(*ParseFormatName("jsonl") == FileFormat::kJsonl);
  CHECK(*ParseFormatName("parquet") == FileFormat::kParquet);
  auto bad = ParseFormatName("xml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "unknown format \"xml\" (expected csv, jsonl or parquet)");
}

TEST_CASE("opening a missing file or folder fails with the path in the message") {
  ReaderOptions ro;
  ro.path = TempPath("does_not_exist.csv");
  auto r = OpenReader(ro);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kNotFound);
  CHECK(r.status().message().find("does_not_exist.csv") != std::string::npos);

  WriterOptions wo;
  wo.path = TempPath("no_such_dir/out.csv");
  auto w = OpenWriter(Schema({{"a", DataType::Of(TypeId::kString)}}), wo);
  REQUIRE_FALSE(w.ok());
  CHECK(w.status().message().find("no_such_dir/out.csv") != std::string::npos);

  ro.path = "-";
  ro.format = FileFormat::kParquet;
  CHECK(OpenReader(ro).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("CSV and JSONL convert into each other through the registry") {
  std::string jsonl = TempPath("orders.jsonl.zst");
  std::string csv = TempPath("orders_again.csv.gz");
  REQUIRE(WriteAll(jsonl, ReadOpts(CsvDir() + "orders.csv", OrdersColumns()), FileFormat::kJsonl,
                   TextCompression::kZstd, 1000)
              .ok());
  REQUIRE(WriteAll(csv, ReadOpts(jsonl, OrdersColumns()), FileFormat::kCsv, TextCompression::kGzip)
              .ok());
  // Back in CSV, only DuckDB's needless quotes differ from the original.
  ReadResult r = ReadAll(ReadOpts(csv, OrdersColumns()));
  REQUIRE(r.status.ok());
  CheckRowsEqual(r.rows, ExpectedRows("orders"));
}
