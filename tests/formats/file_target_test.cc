// The file target and the format registry: how import's output and export's input are resolved,
// the names that follow from a target, and that every choice comes from the format's descriptor.
#include "formats/file_target.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

#include "formats/csv/csv.h"
#include "formats/text_testing.h"

using namespace tsb;
using namespace tsb::testing;

namespace {

FileSpec SpecFile(const std::string& path, const std::string& format,
                  const std::string& compression = "") {
  FileSpec f;
  f.path = path;
  f.format = format;
  f.compression = compression;
  return f;
}

std::string OutputError(const std::string& output, const std::string& format,
                        const std::optional<FileSpec>& file = std::nullopt) {
  auto t = ResolveOutputTarget(output, format, file);
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().code() == StatusCode::kInvalidArgument);
  return t.status().message();
}

}  // namespace

TEST_CASE("import's output: format and compression from --format, the name, then the spec") {
  struct Case {
    std::string output, format;
    std::optional<FileSpec> file;
    FileFormat want_format;
    TextCompression want_compression;
    bool directory;
    std::string extension;
  };
  const Case kCases[] = {
      {"out.CSV.GZ", "", std::nullopt, FileFormat::kCsv, TextCompression::kGzip, false, ".csv.gz"},
      {"a.b/out.ndjson", "", std::nullopt, FileFormat::kJsonl, TextCompression::kNone, false,
       ".jsonl"},
      {"out.jsonl.zst", "jsonl", std::nullopt, FileFormat::kJsonl, TextCompression::kZstd, false,
       ".jsonl.zst"},
      // A name that names no format takes --format, and its .gz still compresses.
      {"out.dat.gz", "csv", std::nullopt, FileFormat::kCsv, TextCompression::kGzip, false,
       ".csv.gz"},
      {"parts/", "", SpecFile("o.parquet", "parquet"), FileFormat::kParquet, TextCompression::kNone,
       true, ".parquet"},
      {"-", "", SpecFile("o.csv.zst", "csv", "zstd"), FileFormat::kCsv, TextCompression::kZstd,
       false, ".csv.zst"},
      // The spec's own path may have any name: its file.format says what it is.
      {"", "", SpecFile("orders.dat", "jsonl"), FileFormat::kJsonl, TextCompression::kNone, false,
       ".jsonl"},
  };
  for (const Case& c : kCases) {
    CAPTURE(c.output);
    auto t = ResolveOutputTarget(c.output, c.format, c.file);
    REQUIRE(t.ok());
    CHECK(t->format == c.want_format);
    CHECK(t->compression == c.want_compression);
    CHECK(t->directory == c.directory);
    CHECK(TargetExtension(*t) == c.extension);
  }
}

TEST_CASE("import's output: names that do not fit are refused, saying what is expected") {
  CHECK(OutputError("x.parquet.zst", "") ==
        "--output x.parquet.zst: a Parquet file compresses its pages inside and is never "
        "compressed as a whole; name it .parquet and use --compression zstd");
  CHECK(OutputError("x.jsonl", "parquet") ==
        "--output x.jsonl: the name says jsonl but --format is parquet; rename the output or drop "
        "--format");
  CHECK(OutputError("x.txt", "") ==
        "--output x.txt: cannot tell the format from the name; expected .csv, .jsonl or .parquet "
        "(text ones optionally .gz or .zst), or give --format csv|jsonl|parquet");
  CHECK(OutputError("-", "") ==
        "--output -: cannot tell the format; give --format csv|jsonl|parquet");
  CHECK(OutputError("x.csv", "xml") == "unknown format \"xml\" (expected csv, jsonl or parquet)");
  const std::string dir = TempPath("target_dir");
  std::filesystem::create_directories(dir);
  CHECK(OutputError(dir, "") ==
        "--output " + dir + " is a directory; write " + dir + "/ for one part file per split");
}

TEST_CASE("export's input: a format that does not stream needs a regular file") {
  auto piped = ResolveInputTarget("-", "parquet", std::nullopt);
  REQUIRE_FALSE(piped.ok());
  CHECK(piped.status().message() == "--input -: Parquet cannot be read from stdin; give a file");

  const std::string fifo = TempPath("target.fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto parquet = ResolveInputTarget(fifo, "parquet", std::nullopt);
  REQUIRE_FALSE(parquet.ok());
  CHECK(parquet.status().message() ==
        "--input " + fifo +
            ": Parquet is read from its footer backwards and needs a regular file; this is a FIFO "
            "(named pipe)");
  auto csv = ResolveInputTarget(fifo, "csv", std::nullopt);
  REQUIRE(csv.ok());
  CHECK(csv->not_regular == "a FIFO (named pipe)");

  // stdin takes the spec's format and compression.
  auto in = ResolveInputTarget("-", "", SpecFile("o.jsonl.gz", "jsonl", "gzip"));
  REQUIRE(in.ok());
  CHECK(in->format == FileFormat::kJsonl);
  CHECK(in->compression == TextCompression::kGzip);
  CHECK(in->not_regular.empty());
  auto bare = ResolveInputTarget("-", "", std::nullopt);
  REQUIRE_FALSE(bare.ok());
  CHECK(bare.status().message() ==
        "--input -: cannot tell the format; give --format csv|jsonl|parquet");
}

TEST_CASE("the reject file sits beside the target, in the form asked for") {
  FileTarget t;
  t.path = "data.v2/orders.csv.gz";
  CHECK(DefaultRejectsPath(t, RejectFormat::kCsv) == "data.v2/orders.rejects.csv");
  CHECK(DefaultRejectsPath(t, RejectFormat::kJsonl) == "data.v2/orders.rejects.jsonl");
  t.path = "data.v2/orders";
  CHECK(DefaultRejectsPath(t, RejectFormat::kJsonl) == "data.v2/orders.rejects.jsonl");
  t.path = "-";
  CHECK(DefaultRejectsPath(t, RejectFormat::kCsv) == "-");
  t.path = "out/";
  t.directory = true;
  CHECK(DefaultRejectsPath(t, RejectFormat::kJsonl) == "out/_rejects.jsonl");
  // Each registered format names the form of its export's reject file.
  CHECK(FileFormat::kCsv->rejects == RejectFormat::kCsv);
  CHECK(FileFormat::kJsonl->rejects == RejectFormat::kJsonl);
  CHECK(FileFormat::kParquet->rejects == RejectFormat::kJsonl);
}

TEST_CASE("writer settings: flags over the spec over the format's defaults") {
  FileTarget parquet;
  parquet.path = "o.parquet";
  parquet.format = FileFormat::kParquet;
  FileSpec spec = SpecFile("o.parquet", "parquet");

  auto defaults = TargetWriterOptions(parquet, {}, std::nullopt);
  REQUIRE(defaults.ok());
  CHECK(defaults->parquet_compression == ParquetCompression::kSnappy);
  CHECK(defaults->row_group_rows == 122880);
  CHECK(defaults->path == "o.parquet");
  CHECK(defaults->format == FileFormat::kParquet);

  spec.parquet_codec = "zstd";
  spec.row_group_rows = 1000;
  auto from_spec = TargetWriterOptions(parquet, {}, spec);
  REQUIRE(from_spec.ok());
  CHECK(from_spec->parquet_compression == ParquetCompression::kZstd);
  CHECK(from_spec->row_group_rows == 1000);

  auto flags = TargetWriterOptions(parquet, {"LZ4_RAW", "--compression", 7}, spec);
  REQUIRE(flags.ok());
  CHECK(flags->parquet_compression == ParquetCompression::kLz4Raw);
  CHECK(flags->row_group_rows == 7);

  auto bad = TargetWriterOptions(parquet, {"lzo", "--compression", 0}, spec);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() ==
        "--compression: unknown Parquet codec \"lzo\"; expected one of snappy, zstd, gzip, "
        "lz4_raw, brotli, none");
  auto rows = TargetWriterOptions(parquet, {"", "--compression", -1}, spec);
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.status().message() ==
        "--row-group-rows: expected a number of rows from 1 to 2147483647");

  FileTarget csv;
  csv.path = "o.csv.gz";
  csv.compression = TextCompression::kGzip;
  auto refused = TargetWriterOptions(csv, {"zstd", "--compression", 0}, std::nullopt);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message() ==
        "--compression sets up Parquet output, and this output is csv (text is compressed by a "
        ".gz or .zst name)");
  auto text = TargetWriterOptions(csv, {}, std::nullopt);
  REQUIRE(text.ok());
  CHECK(text->format == FileFormat::kCsv);
  CHECK(text->compression == TextCompression::kGzip);
}

TEST_CASE("every registered format is found by its names and extensions, and can be opened") {
  for (FileFormat f : RegisteredFormats()) {
    const FormatDescriptor& d = f.descriptor();
    CAPTURE(d.name);
    CHECK(*ParseFormatName(std::string(d.name)) == f);
    for (std::string_view alias : d.aliases) {
      if (!alias.empty()) CHECK(*ParseFormatName(std::string(alias)) == f);
    }
    REQUIRE_FALSE(d.extensions[0].empty());
    for (std::string_view ext : d.extensions) {
      if (ext.empty()) continue;
      CHECK(FormatNamedBy("dir/x" + std::string(ext)) == f);
      TextCompression c = TextCompression::kGzip;
      CHECK(*FormatFromPath("x" + std::string(ext), &c) == f);
      CHECK(c == TextCompression::kNone);
    }
    // A format streams through its stream openers, or opens its files itself.
    CHECK((d.open_stream_reader != nullptr) == d.streams);
    CHECK((d.open_stream_writer != nullptr) == d.streams);
    CHECK((d.open_file_reader != nullptr) == !d.streams);
    CHECK((d.open_file_writer != nullptr) == !d.streams);
    CHECK((!d.compressible || d.streams));  // compression is of the byte stream
    CHECK((d.compressible || !d.why_not_compressible.empty()));
    CHECK((d.streams || !d.why_not_streamed.empty()));
  }
}

TEST_CASE("a format outside the registry works through its descriptor alone") {
  // What a new format's folder defines: its descriptor. Only the registry's line is missing, so it
  // is not found by name; everything else goes by the descriptor.
  static const FormatDescriptor kPipeTestFormat = [] {
    FormatDescriptor d = kCsvFormat;  // CSV's reader and writer, under another name
    d.name = "pipe-test";
    d.title = "Pipe test";
    d.extensions = {".pipetest", ""};
    d.rejects = RejectFormat::kJsonl;
    return d;
  }();
  const FileFormat pipe(&kPipeTestFormat);
  CHECK_FALSE(ParseFormatName("pipe-test").ok());

  FileTarget t;
  t.path = TempPath("new_format.pipetest.zst");
  t.format = pipe;
  t.compression = TextCompression::kZstd;
  CHECK(TargetExtension(t) == ".pipetest.zst");
  CHECK(DefaultRejectsPath(t, t.format->rejects) == TempPath("new_format.rejects.jsonl"));

  auto schema = std::make_shared<const Schema>(
      Schema({{"k", DataType::Of(TypeId::kInt64)}, {"v", DataType::Of(TypeId::kString)}}));
  RowBatch batch(schema);
  const std::pair<int64_t, const char*> kRows[] = {{1, "a"}, {-2, "b,c"}, {3, ""}};
  for (const auto& [k, v] : kRows) {
    batch.column(0).AppendInt(k);
    batch.column(1).AppendBytes(v);
    batch.CommitRow();
  }
  auto options = TargetWriterOptions(t, {}, std::nullopt);
  REQUIRE(options.ok());
  auto writer = OpenWriter(*schema, *options);
  REQUIRE(writer.ok());
  REQUIRE((*writer)->Write(batch).ok());
  REQUIRE((*writer)->Close().ok());

  ReaderOptions read = TargetReaderOptions(t);
  read.columns = schema->fields();
  ReadResult r = ReadAll(read);
  REQUIRE(r.status.ok());
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0].dump() == R"({"k":1,"v":"a"})");
  CHECK(r.rows[1].dump() == R"({"k":-2,"v":"b,c"})");
  CHECK(r.rows[2].dump() == R"({"k":3,"v":""})");
  // The bytes on disk are zstd frames (magic 28 B5 2F FD), as the target's compression asked.
  const std::string bytes = ReadFileBytes(t.path);
  REQUIRE(bytes.size() > 4);
  CHECK(bytes.substr(0, 4) == std::string("\x28\xb5\x2f\xfd", 4));
}
