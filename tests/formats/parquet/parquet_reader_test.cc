// Tests of the Parquet reader: every file of the shared corpus against its expected rows, the
// decoders on hand-built bytes from the spec, the Thrift decoder on malformed input, projection
// and type conversion, and damaged files.
#include <doctest/doctest.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "formats/format.h"
#include "formats/parquet/decoding.h"
#include "formats/parquet/file_reader.h"
#include "formats/parquet/metadata.h"
#include "formats/parquet/thrift_reader.h"
#include "parquet_reader_builder.h"
#include "parquet_reader_json.h"

namespace fs = std::filesystem;
using tsb::Column;
using tsb::DataType;
using tsb::Field;
using tsb::ReaderOptions;
using tsb::RowBatch;
using tsb::Status;
using tsb::StatusCode;
using tsb::TypeId;
using tsb::parquet::ParquetFileReader;

namespace {

const fs::path kCorpus = fs::path(TSB_SHARED_TESTDATA) / "parquet";

fs::path ScratchDir() {
  fs::path dir = fs::path(TSB_BINARY_DIR) / "parquet_reader_test_tmp";
  fs::create_directories(dir);
  return dir;
}

std::vector<std::string> ReadExpectedLines(const fs::path& parquet) {
  std::string base = parquet.string();
  base = base.substr(0, base.size() - std::string(".parquet").size());
  std::string path = base + ".expected.jsonl";
  if (!fs::exists(path)) path += ".gz";
  std::vector<std::string> lines;
  gzFile f = gzopen(path.c_str(), "rb");
  REQUIRE_MESSAGE(f != nullptr, "cannot open " << path);
  std::string data;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof(buf))) > 0) data.append(buf, static_cast<size_t>(n));
  gzclose(f);
  size_t start = 0;
  while (start < data.size()) {
    size_t nl = data.find('\n', start);
    if (nl == std::string::npos) nl = data.size();
    lines.push_back(data.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

ReaderOptions Options(const fs::path& path, size_t batch_rows = 1000) {
  ReaderOptions o;
  o.path = path.string();
  o.format = tsb::FileFormat::kParquet;
  o.batch_rows = batch_rows;
  return o;
}

bool SameCell(const std::string& expected, const std::string& got, const DataType& type) {
  if (expected == got) return true;
  if (type.id == TypeId::kFloat && !expected.empty() && expected[0] != '"' && expected != "null" &&
      !got.empty() && got[0] != '"' && got != "null") {
    // Floats: any shortest text that reads back (strtof) as the same binary32; writers break
    // ties between two shortest candidates differently (2923123.25 -> .2 or .3).
    float a = std::strtof(expected.c_str(), nullptr), b = std::strtof(got.c_str(), nullptr);
    return std::memcmp(&a, &b, sizeof(float)) == 0;
  }
  if (!expected.empty() && (expected[0] == '"' || expected[0] == '{' || expected[0] == '[')) {
    auto a = nlohmann::json::parse(expected, nullptr, false);
    auto b = nlohmann::json::parse(got, nullptr, false);
    return !a.is_discarded() && !b.is_discarded() && a == b;
  }
  return false;
}

// Reads `options` to the end and compares every row with `expected` (only the columns the
// reader yields). Returns the number of rows read.
size_t CheckAgainstExpected(const ReaderOptions& options, const std::vector<std::string>& expected,
                            const std::string& label) {
  auto reader = ParquetFileReader::Open(options);
  REQUIRE_MESSAGE(reader.ok(), label << ": " << reader.status().ToString());
  RowBatch batch((*reader)->schema_ptr(), options.batch_rows);
  const tsb::Schema& schema = (*reader)->schema();
  size_t row = 0;
  int failures = 0;
  std::vector<std::pair<std::string, std::string>> cells;
  while (true) {
    Status st = (*reader)->Next(&batch);
    REQUIRE_MESSAGE(st.ok(), label << ": " << st.ToString());
    REQUIRE_MESSAGE(batch.rejects().empty(),
                    label << ": unexpected reject: " << batch.rejects()[0].message);
    if (batch.num_rows() == 0) break;
    REQUIRE(batch.positions().size() == batch.num_rows());
    for (size_t r = 0; r < batch.num_rows(); ++r, ++row) {
      if (batch.positions()[r] != static_cast<int64_t>(row + 1) && failures++ < 20) {
        FAIL_CHECK(label << ": row " << row << ": position " << batch.positions()[r]);
      }
      if (row >= expected.size()) {
        FAIL_CHECK(label << ": more rows than the expected " << expected.size());
        return row;
      }
      REQUIRE_MESSAGE(tsb::testing::SplitJsonObject(expected[row], &cells),
                      label << ": row " << row << ": bad expected line");
      for (size_t c = 0; c < schema.size(); ++c) {
        const std::string& name = schema.field(c).name;
        auto it =
            std::find_if(cells.begin(), cells.end(), [&](auto& kv) { return kv.first == name; });
        REQUIRE_MESSAGE(it != cells.end(), label << ": expected rows have no column " << name);
        std::string got = tsb::testing::RenderCell(batch.column(c), r);
        if (!SameCell(it->second, got, schema.field(c).type) && failures++ < 20) {
          FAIL_CHECK(label << ": row " << row << ": column \"" << name << "\" ("
                           << schema.field(c).type.ToString() << "): expected " << it->second
                           << ", got " << got);
        }
      }
      if (options.columns.empty() && row == 0) {
        CHECK_MESSAGE(cells.size() == schema.size(), label << ": column count differs");
      }
    }
  }
  CHECK_MESSAGE(row == expected.size(),
                label << ": read " << row << " rows, expected " << expected.size());
  CHECK(failures == 0);
  return row;
}

std::vector<fs::path> CorpusFiles() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    if (entry.path().extension() == ".parquet") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool IsNestedFile(const fs::path& p) {
  return p.filename().string().find("_nested") != std::string::npos;
}

std::string WriteScratch(const std::string& name, const std::string& bytes) {
  fs::path p = ScratchDir() / name;
  std::ofstream(p, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return p.string();
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Reads the whole file; returns the first error (OK when it reads to the end).
Status ReadToEnd(const std::string& path, std::vector<Field> columns = {},
                 size_t batch_rows = 512) {
  ReaderOptions o = Options(path, batch_rows);
  o.columns = std::move(columns);
  auto reader = ParquetFileReader::Open(o);
  if (!reader.ok()) return reader.status();
  RowBatch batch((*reader)->schema_ptr(), batch_rows);
  for (int guard = 0; guard < 1000000; ++guard) {
    Status st = (*reader)->Next(&batch);
    if (!st.ok()) return st;
    if (batch.num_rows() == 0 && batch.rejects().empty()) return Status::OK();
  }
  return Status::Internal("reader did not end");
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// The corpus
// ------------------------------------------------------------------------------------------------

TEST_CASE("parquet reader: every flat corpus file reads back exactly as its expected rows") {
  std::vector<fs::path> files = CorpusFiles();
  REQUIRE(files.size() >= 30);
  for (const fs::path& file : files) {
    if (IsNestedFile(file)) continue;
    std::string label = file.filename().string();
    std::vector<std::string> expected = ReadExpectedLines(file);
    if (label == "hyparquet_empty.parquet") {
      // Either 0 rows or a clear footer error (decisions 9); this reader accepts it.
      Status st = ReadToEnd(file.string());
      CHECK_MESSAGE(st.ok(), st.ToString());
    }
    // An odd batch size so that batches straddle pages and row groups.
    CheckAgainstExpected(Options(file, 777), expected, label);
  }
}

TEST_CASE("parquet reader: batch sizes 1 and 100000 give the same rows") {
  fs::path file = kCorpus / "arrowrs_types_dict_v1_snappy.parquet";
  std::vector<std::string> expected = ReadExpectedLines(file);
  CheckAgainstExpected(Options(file, 1), expected, "batch 1");
  CheckAgainstExpected(Options(file, 100000), expected, "batch 100000");
}

TEST_CASE("parquet reader: nested columns are refused by name; flat columns of nested files read") {
  for (const fs::path& file : CorpusFiles()) {
    if (!IsNestedFile(file)) continue;
    std::string label = file.filename().string();
    // Every column: refused, naming the first nested one.
    auto all = ParquetFileReader::Open(Options(file));
    REQUIRE_FALSE(all.ok());
    CHECK(all.status().code() == StatusCode::kInvalidArgument);
    CHECK_MESSAGE(all.status().message().find("\"tags\"") != std::string::npos,
                  all.status().message());
    CHECK(all.status().message().find("nested") != std::string::npos);
    // A named nested column: refused naming it.
    ReaderOptions o = Options(file);
    o.columns = {Field{"id", DataType::Of(TypeId::kInt64)},
                 Field{"point", DataType::Of(TypeId::kString)}};
    auto point = ParquetFileReader::Open(o);
    REQUIRE_FALSE(point.ok());
    CHECK(point.status().code() == StatusCode::kInvalidArgument);
    CHECK_MESSAGE(point.status().message().find("\"point\"") != std::string::npos,
                  point.status().message());
    // Only id: reads, and matches the expected ids.
    o.columns = {Field{"id", DataType::Of(TypeId::kInt64)}};
    CheckAgainstExpected(o, ReadExpectedLines(file), label + " (id only)");
  }
}

TEST_CASE("parquet reader: empty files have their schema and no rows") {
  for (const char* name :
       {"duckdb_empty.parquet", "arrowrs_empty.parquet", "hyparquet_empty.parquet"}) {
    auto reader = ParquetFileReader::Open(Options(kCorpus / name));
    REQUIRE_MESSAGE(reader.ok(), name << ": " << reader.status().ToString());
    CHECK((*reader)->schema().size() == 7);
    CHECK((*reader)->schema().field(6).type == DataType::Decimal(18, 4));
    RowBatch batch((*reader)->schema_ptr(), 100);
    CHECK((*reader)->Next(&batch).ok());
    CHECK(batch.num_rows() == 0);
  }
}

TEST_CASE("parquet reader: native types of the DuckDB and arrow-rs types files") {
  auto reader =
      ParquetFileReader::Open(Options(kCorpus / "arrowrs_types_plain_v1_uncompressed.parquet"));
  REQUIRE(reader.ok());
  const tsb::Schema& s = (*reader)->schema();
  auto type_of = [&](const char* name) { return s.field(static_cast<size_t>(s.Find(name))).type; };
  CHECK(type_of("id") == DataType::Of(TypeId::kInt64));
  CHECK_FALSE(s.field(static_cast<size_t>(s.Find("id"))).nullable);
  CHECK(type_of("c_int8") == DataType::Of(TypeId::kInt8));
  CHECK(type_of("c_uint64").is_unsigned);
  CHECK(type_of("c_uint16").id == TypeId::kInt16);
  CHECK(type_of("c_tsz_ns") == DataType::Timestamp(tsb::TimeUnit::kNanos, true));
  CHECK(type_of("c_ts_ms") == DataType::Timestamp(tsb::TimeUnit::kMillis, false));
  CHECK(type_of("c_dec25_3") == DataType::Decimal(25, 3));
  CHECK(type_of("c_fixed6") == DataType::Of(TypeId::kBinary));
  CHECK(type_of("c_date") == DataType::Of(TypeId::kDate));
  auto nulls = ParquetFileReader::Open(Options(kCorpus / "arrowrs_nulls_v2.parquet"));
  REQUIRE(nulls.ok());
  CHECK(
      (*nulls)->schema().field(static_cast<size_t>((*nulls)->schema().Find("null_type"))).type.id ==
      TypeId::kNull);
}

// ------------------------------------------------------------------------------------------------
// Projection and conversion
// ------------------------------------------------------------------------------------------------

TEST_CASE("parquet reader: projection reads the named columns in the named order") {
  fs::path file = kCorpus / "duckdb_orders.parquet";
  ReaderOptions o = Options(file, 4096);
  o.columns = {Field{"o_comment", DataType::Of(TypeId::kString)},
               Field{"o_orderkey", DataType::Of(TypeId::kInt64)},
               Field{"o_orderdate", DataType::Of(TypeId::kDate)}};
  CheckAgainstExpected(o, ReadExpectedLines(file), "orders projection");
}

TEST_CASE("parquet reader: a missing column is InvalidArgument naming it") {
  ReaderOptions o = Options(kCorpus / "duckdb_orders.parquet");
  o.columns = {Field{"o_nope", DataType::Of(TypeId::kInt64)}};
  auto r = ParquetFileReader::Open(o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message().find("\"o_nope\"") != std::string::npos);
  // An impossible conversion is refused at open.
  o.columns = {Field{"o_comment", DataType::Of(TypeId::kBoolean)}};
  auto bad = ParquetFileReader::Open(o);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("\"o_comment\"") != std::string::npos);
}

TEST_CASE(
    "parquet reader: conversion to the spec's types, with rejects for values that do not fit") {
  fs::path file = kCorpus / "duckdb_types_v1_snappy.parquet";
  std::vector<std::string> expected = ReadExpectedLines(file);
  ReaderOptions o = Options(file, 333);
  DataType ts_us = DataType::Of(TypeId::kTimestamp);
  ts_us.unit = tsb::TimeUnit::kMicros;
  o.columns = {Field{"id", DataType::Of(TypeId::kInt64)},
               Field{"c_int8", DataType::Of(TypeId::kInt64)},  // widening
               Field{"c_int16", DataType::Of(TypeId::kInt8)},  // narrowing: rejects
               Field{"c_dec9_2", DataType::Decimal(12, 4)},    // exact rescale
               Field{"c_float", DataType::Of(TypeId::kDouble)},
               Field{"c_tsz_us", ts_us},
               Field{"c_date", DataType::Of(TypeId::kDate)},
               Field{"c_uint64", DataType::Of(TypeId::kInt64)}};  // > INT64_MAX: rejects
  auto reader = ParquetFileReader::Open(o);
  REQUIRE_MESSAGE(reader.ok(), reader.status().ToString());
  RowBatch batch((*reader)->schema_ptr(), o.batch_rows);
  std::vector<std::pair<std::string, std::string>> cells;
  size_t rows = 0, rejects = 0, expected_rejects = 0;
  int64_t last_position = 0;
  std::vector<bool> seen(expected.size() + 1, false);
  while (true) {
    REQUIRE((*reader)->Next(&batch).ok());
    if (batch.num_rows() == 0 && batch.rejects().empty()) break;
    for (const auto& rej : batch.rejects()) {
      CHECK(rej.code == "TSB_BAD_VALUE");
      CHECK((rej.message.find("\"c_int16\"") != std::string::npos ||
             rej.message.find("\"c_uint64\"") != std::string::npos));
      REQUIRE(rej.position >= 1);
      REQUIRE(rej.position <= static_cast<int64_t>(expected.size()));
      seen[static_cast<size_t>(rej.position)] = true;
      ++rejects;
    }
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      int64_t pos = batch.positions()[r];
      CHECK(pos > last_position);
      last_position = pos;
      seen[static_cast<size_t>(pos)] = true;
      REQUIRE(tsb::testing::SplitJsonObject(expected[static_cast<size_t>(pos - 1)], &cells));
      auto cell = [&](const char* name) {
        return std::find_if(cells.begin(), cells.end(), [&](auto& kv) { return kv.first == name; })
            ->second;
      };
      CHECK(tsb::testing::RenderCell(batch.column(0), r) == cell("id"));
      CHECK(tsb::testing::RenderCell(batch.column(1), r) == cell("c_int8"));
      CHECK(tsb::testing::RenderCell(batch.column(2), r) == cell("c_int16"));
      std::string dec = cell("c_dec9_2");
      if (dec != "null") dec.insert(dec.size() - 1, "00");
      CHECK(tsb::testing::RenderCell(batch.column(3), r) == dec);
      if (batch.column(4).IsNull(r)) {
        CHECK(cell("c_float") == "null");
      } else {
        CHECK(static_cast<float>(batch.column(4).GetDouble(r)) ==
              std::strtof(cell("c_float").c_str(), nullptr));
      }
      CHECK(tsb::testing::RenderCell(batch.column(5), r) == cell("c_tsz_us"));
      CHECK(tsb::testing::RenderCell(batch.column(6), r) == cell("c_date"));
      CHECK(tsb::testing::RenderCell(batch.column(7), r) == cell("c_uint64"));
      ++rows;
    }
  }
  // The rows whose c_int16 or c_uint64 do not fit, counted from the expected file.
  for (const std::string& line : expected) {
    REQUIRE(tsb::testing::SplitJsonObject(line, &cells));
    auto cell = [&](const char* name) {
      return std::find_if(cells.begin(), cells.end(), [&](auto& kv) { return kv.first == name; })
          ->second;
    };
    std::string i16 = cell("c_int16"), u64 = cell("c_uint64");
    bool bad16 = i16 != "null" && (std::stol(i16) < -128 || std::stol(i16) > 127);
    bool bad64 =
        u64 != "null" && u64[0] == '"' && std::stoull(u64.substr(1)) > 9223372036854775807ull;
    if (bad16 || bad64) ++expected_rejects;
  }
  CHECK(expected_rejects > 0);
  CHECK(rejects == expected_rejects);
  CHECK(rows + rejects == expected.size());
  CHECK(std::count(seen.begin() + 1, seen.end(), true) == static_cast<long>(expected.size()));
}

TEST_CASE(
    "parquet reader: decimal rescale that is not exact and timestamps finer than the unit reject") {
  fs::path file = kCorpus / "duckdb_types_v1_uncompressed.parquet";
  ReaderOptions o = Options(file, 800);
  o.columns = {Field{"c_dec18_4", DataType::Decimal(18, 2)},
               Field{"c_ts_us", DataType::Of(TypeId::kDateTime)}};
  auto reader = ParquetFileReader::Open(o);
  REQUIRE(reader.ok());
  RowBatch batch((*reader)->schema_ptr(), 800);
  REQUIRE((*reader)->Next(&batch).ok());
  CHECK(batch.rejects().size() > 0);
  CHECK(batch.num_rows() + batch.rejects().size() == 800);
  for (const auto& rej : batch.rejects()) CHECK(rej.message.find("expected") != std::string::npos);
}

// ------------------------------------------------------------------------------------------------
// Decoders on bytes built by hand from Encodings.md
// ------------------------------------------------------------------------------------------------

namespace {
struct BitWriter {
  std::vector<uint8_t> bytes;
  uint64_t bit = 0;
  void Put(uint64_t v, int width) {
    for (int i = 0; i < width; ++i, ++bit) {
      if (bit / 8 >= bytes.size()) bytes.push_back(0);
      if ((v >> i) & 1) bytes[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
    }
  }
};
void PutVarint(std::vector<uint8_t>* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}
uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
}  // namespace

TEST_CASE("decoding: RLE / bit-packed hybrid, the spec's example plus an RLE run") {
  // Bit-packed: one group of 8 values 0..7 at width 3 = 0x88 0xC6 0xFA (Encodings.md); then an
  // RLE run of five 4s.
  std::vector<uint8_t> data = {0x03, 0x88, 0xC6, 0xFA, 0x0A, 0x04};
  tsb::parquet::RleBpDecoder d;
  d.Init(data.data(), data.size(), 3);
  uint32_t out[13];
  REQUIRE(d.Get(out, 13));
  for (uint32_t i = 0; i < 8; ++i) CHECK(out[i] == i);
  for (int i = 8; i < 13; ++i) CHECK(out[i] == 4);
  uint32_t more;
  CHECK_FALSE(d.Get(&more, 1));
  CHECK(std::string(d.error()).find("truncated") != std::string::npos);
  // A run value wider than the bit width is corrupt.
  std::vector<uint8_t> wide = {0x02, 0x09};
  d.Init(wide.data(), wide.size(), 3);
  CHECK_FALSE(d.Get(out, 1));
  // A truncated RLE value.
  std::vector<uint8_t> cut = {0x02};
  d.Init(cut.data(), cut.size(), 9);
  CHECK_FALSE(d.Get(out, 1));
}

TEST_CASE("decoding: DELTA_BINARY_PACKED, the spec's example and 33-bit deltas") {
  // 1 2 3 4 5: block 128, 4 miniblocks, 5 values, first 1; min delta 1, widths 0.
  std::vector<uint8_t> simple = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00};
  tsb::parquet::DeltaBinaryPackedDecoder d;
  REQUIRE(d.Init(simple.data(), simple.size()));
  int64_t out[5];
  REQUIRE(d.Get(out, 5));
  for (int i = 0; i < 5; ++i) CHECK(out[i] == i + 1);
  CHECK(d.end_of_values() == simple.data() + simple.size());

  // INT32 extremes: deltas of +/-4294967295 need 33 bits after subtracting the min delta.
  std::vector<uint8_t> b = {0x80, 0x01, 0x04, 0x03};
  PutVarint(&b, ZigZag(INT32_MIN));
  PutVarint(&b, ZigZag(-4294967295ll));  // min delta
  b.insert(b.end(), {33, 0, 0, 0});
  BitWriter bits;
  bits.Put(8589934590ull, 33);  // +4294967295 - min delta
  bits.Put(0, 33);              // -4294967295 - min delta
  for (int i = 2; i < 32; ++i) bits.Put(0, 33);
  CHECK(bits.bytes.size() == 132);
  b.insert(b.end(), bits.bytes.begin(), bits.bytes.end());
  REQUIRE(d.Init(b.data(), b.size()));
  int64_t v[3];
  REQUIRE(d.Get(v, 3));
  CHECK(v[0] == INT32_MIN);
  CHECK(v[1] == INT32_MAX);
  CHECK(v[2] == INT32_MIN);

  // Truncated miniblock: an error, not a read past the end.
  std::vector<uint8_t> cut(b.begin(), b.end() - 127);
  REQUIRE(d.Init(cut.data(), cut.size()));
  CHECK_FALSE(d.Get(v, 3));
  // Bad header.
  std::vector<uint8_t> bad = {0x07, 0x04, 0x03, 0x00};
  CHECK_FALSE(d.Init(bad.data(), bad.size()));
}

TEST_CASE("decoding: 64-bit wrapping deltas") {
  // INT64_MIN then INT64_MAX then INT64_MIN: deltas 2^64-1 (= -1) and 1 (wrapping).
  std::vector<uint8_t> b = {0x80, 0x01, 0x04, 0x03};
  PutVarint(&b, ZigZag(INT64_MIN));
  PutVarint(&b, ZigZag(-1));  // min delta
  b.insert(b.end(), {2, 0, 0, 0});
  BitWriter bits;
  bits.Put(0, 2);  // INT64_MIN + (-1) wraps to INT64_MAX
  bits.Put(2, 2);  // + (-1 + 2) = +1 wraps to INT64_MIN
  for (int i = 2; i < 32; ++i) bits.Put(0, 2);
  b.insert(b.end(), bits.bytes.begin(), bits.bytes.end());
  tsb::parquet::DeltaBinaryPackedDecoder d;
  REQUIRE(d.Init(b.data(), b.size()));
  int64_t v[3];
  REQUIRE(d.Get(v, 3));
  CHECK(v[0] == INT64_MIN);
  CHECK(v[1] == INT64_MAX);
  CHECK(v[2] == INT64_MIN);
}

TEST_CASE("decoding: BYTE_STREAM_SPLIT and INT96") {
  float f[2] = {1.5f, -2.0f};
  uint8_t raw[8];
  std::memcpy(raw, f, 8);
  uint8_t split[8];
  for (int b = 0; b < 4; ++b) {
    for (int i = 0; i < 2; ++i) split[b * 2 + i] = raw[i * 4 + b];
  }
  uint8_t back[8];
  tsb::parquet::ByteStreamSplitDecode(split, 2, 4, 0, 2, back);
  CHECK(std::memcmp(back, raw, 8) == 0);
  tsb::parquet::ByteStreamSplitDecode(split, 2, 4, 1, 1, back);
  CHECK(std::memcmp(back, raw + 4, 4) == 0);

  // INT96: 8 bytes LE nanoseconds of the day, 4 bytes LE Julian day. 1970-01-02T01:00:00.000000001
  // is Julian day 2440589 and 3600 s + 1 ns into the day.
  uint8_t int96[12];
  uint64_t nod = 3600ull * 1000000000ull + 1;
  uint32_t jd = 2440589;
  std::memcpy(int96, &nod, 8);
  std::memcpy(int96 + 8, &jd, 4);
  CHECK(tsb::parquet::DecodeInt96Nanos(int96) == (86400ll + 3600ll) * 1000000000ll + 1);
  // Before the epoch: 1969-12-31T23:59:59.999999999 = Julian day 2440587, last ns of the day.
  nod = 86400ull * 1000000000ull - 1;
  jd = 2440587;
  std::memcpy(int96, &nod, 8);
  std::memcpy(int96 + 8, &jd, 4);
  CHECK(tsb::parquet::DecodeInt96Nanos(int96) == -1);
}

TEST_CASE("parquet reader: an INT96 column in a hand-built file reads as timestamp nanos") {
  tsb::testing::TinyColumn c;
  c.physical = 3;  // INT96
  c.num_values = 2;
  uint8_t v[24];
  uint64_t nod = 3600ull * 1000000000ull + 1;
  uint32_t jd = 2440589;
  std::memcpy(v, &nod, 8);
  std::memcpy(v + 8, &jd, 4);
  nod = 86400ull * 1000000000ull - 1;
  jd = 2440587;
  std::memcpy(v + 12, &nod, 8);
  std::memcpy(v + 20, &jd, 4);
  c.page.assign(reinterpret_cast<char*>(v), 24);
  std::string path = WriteScratch("int96.parquet", tsb::testing::TinyParquetFile(c));
  auto reader = ParquetFileReader::Open(Options(path));
  REQUIRE_MESSAGE(reader.ok(), reader.status().ToString());
  CHECK((*reader)->schema().field(0).type.id == TypeId::kTimestamp);
  CHECK((*reader)->schema().field(0).type.unit == tsb::TimeUnit::kNanos);
  RowBatch batch((*reader)->schema_ptr(), 10);
  REQUIRE((*reader)->Next(&batch).ok());
  REQUIRE(batch.num_rows() == 2);
  CHECK(tsb::testing::RenderCell(batch.column(0), 0) == "\"1970-01-02T01:00:00.000000001\"");
  CHECK(tsb::testing::RenderCell(batch.column(0), 1) == "\"1969-12-31T23:59:59.999999999\"");
  // And converted to the spec's timestamp in micros: exact values only.
  ReaderOptions o = Options(path);
  DataType ts = DataType::Of(TypeId::kTimestamp);
  ts.unit = tsb::TimeUnit::kMicros;
  o.columns = {Field{"v", ts}};
  auto conv = ParquetFileReader::Open(o);
  REQUIRE(conv.ok());
  RowBatch b2((*conv)->schema_ptr(), 10);
  REQUIRE((*conv)->Next(&b2).ok());
  CHECK(b2.num_rows() == 0);
  CHECK(b2.rejects().size() == 2);
}

// ------------------------------------------------------------------------------------------------
// Thrift compact protocol on malformed input
// ------------------------------------------------------------------------------------------------

TEST_CASE("thrift: compact protocol basics and malformed input") {
  using tsb::parquet::CompactType;
  using tsb::parquet::ThriftReader;
  {
    // Struct {1: i32 -3, 2: binary "ab", 4: bool true, 20: i64 300 (long-form id)} stop.
    std::vector<uint8_t> b = {0x15, 0x05, 0x18, 0x02, 'a', 'b', 0x21, 0x06, 0x28, 0xd8, 0x04, 0x00};
    ThriftReader r(b.data(), b.size());
    CompactType t;
    int16_t id;
    int32_t i32;
    std::string_view s;
    int64_t i64;
    REQUIRE(r.StructBegin());
    REQUIRE(r.ReadFieldBegin(&t, &id));
    CHECK((id == 1 && t == CompactType::kI32));
    REQUIRE(r.ReadI32(&i32));
    CHECK(i32 == -3);
    REQUIRE(r.ReadFieldBegin(&t, &id));
    CHECK((id == 2 && t == CompactType::kBinary));
    REQUIRE(r.ReadBinary(&s));
    CHECK(s == "ab");
    REQUIRE(r.ReadFieldBegin(&t, &id));
    CHECK((id == 4 && ThriftReader::BoolFieldValue(t)));
    REQUIRE(r.ReadFieldBegin(&t, &id));
    CHECK((id == 20 && t == CompactType::kI64));
    REQUIRE(r.ReadI64(&i64));
    CHECK(i64 == 300);
    REQUIRE(r.ReadFieldBegin(&t, &id));
    CHECK(t == CompactType::kStop);
  }
  auto fails = [](std::vector<uint8_t> b) {
    tsb::parquet::FileMetaData m;
    Status st = tsb::parquet::ParseFileMetaData(b.data(), b.size(), &m);
    CHECK(st.code() == StatusCode::kCorruption);
    return st.message();
  };
  fails({});      // nothing
  fails({0x15});  // truncated i32
  fails(
      {0x15, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});  // varint too long
  fails({0x18, 0x10, 'a'});                     // binary longer than the input
  fails({0x1d});                                // type 13 does not exist
  fails({0x19, 0xf5, 0xff, 0xff, 0xff, 0x0f});  // list of 2^32 i32: past the end
  fails({0x15, 0x02});                          // no stop field
  {
    std::vector<uint8_t> deep(5000, 0x1c);  // structs nested 5000 deep
    std::string msg = fails(deep);
    CHECK(msg.find("deep") != std::string::npos);
  }
  // hyparquet-writer's quirk: an empty row_groups list typed BYTE is accepted.
  {
    std::vector<uint8_t> b = {0x15, 0x02, 0x19, 0x1c, 0x18, 0x01, 'r',
                              0x00, 0x16, 0x00, 0x19, 0x03, 0x00};
    tsb::parquet::FileMetaData m;
    Status st = tsb::parquet::ParseFileMetaData(b.data(), b.size(), &m);
    CHECK_MESSAGE(st.ok(), st.ToString());
    CHECK(m.row_groups.empty());
    CHECK(m.schema.size() == 1);
  }
  // ... but a non-empty list of structs with another element type is not.
  {
    std::vector<uint8_t> b = {0x49, 0x13, 0x01, 0x00};
    tsb::parquet::FileMetaData m;
    CHECK(tsb::parquet::ParseFileMetaData(b.data(), b.size(), &m).code() ==
          StatusCode::kCorruption);
  }
}

// ------------------------------------------------------------------------------------------------
// Broken files: each a clean Corruption naming what is wrong; never a crash or a hang
// ------------------------------------------------------------------------------------------------

TEST_CASE("parquet reader: broken files") {
  std::string good = ReadAll(kCorpus / "duckdb_types_v1_uncompressed.parquet");
  REQUIRE(good.size() > 1000);
  uint32_t footer_len;
  std::memcpy(&footer_len, good.data() + good.size() - 8, 4);
  auto corrupt = [](const std::string& name, const std::string& bytes, const char* needle) {
    std::string path = WriteScratch(name, bytes);
    Status st = ReadToEnd(path);
    CHECK_MESSAGE(st.code() == StatusCode::kCorruption, name << ": " << st.ToString());
    CHECK_MESSAGE(st.message().find(name) != std::string::npos, st.message());
    CHECK_MESSAGE(st.message().find(needle) != std::string::npos, name << ": " << st.message());
  };
  {
    std::string b = good;
    b[0] = 'X';
    corrupt("bad_head_magic.parquet", b, "magic at the start");
  }
  {
    std::string b = good;
    b[b.size() - 1] = 'X';
    corrupt("bad_tail_magic.parquet", b, "magic at the end");
  }
  {
    std::string b = good;
    std::memset(b.data() + b.size() - 8, 0, 4);
    corrupt("zero_footer_len.parquet", b, "footer length is 0");
  }
  {
    std::string b = good;
    uint32_t huge = 0x7fffffff;
    std::memcpy(b.data() + b.size() - 8, &huge, 4);
    corrupt("huge_footer_len.parquet", b, "exceeds the file size");
  }
  {
    // The footer cut in half, with its length and magic fixed up.
    std::string b = good.substr(0, good.size() - 8 - footer_len / 2);
    uint32_t len = footer_len - footer_len / 2;
    b.append(reinterpret_cast<char*>(&len), 4);
    b += "PAR1";
    corrupt("truncated_footer.parquet", b, "footer");
  }
  {
    // The file cut in the middle of its data, then its footer: chunks point past the data.
    std::string footer = good.substr(good.size() - 8 - footer_len);
    std::string b = good.substr(0, good.size() / 3) + footer;
    corrupt("truncated_data.parquet", b, "row group 0");
  }
  corrupt("tiny.parquet", "PAR1PAR1", "too short");
  corrupt("empty.parquet", "", "too short");

  // Hand-built files: damaged pages.
  tsb::testing::TinyColumn c;
  c.physical = 2;  // INT64 REQUIRED, PLAIN
  c.num_values = 4;
  for (int64_t v = 1; v <= 4; ++v) c.page.append(reinterpret_cast<const char*>(&v), 8);
  {
    std::string path = WriteScratch("tiny_good.parquet", tsb::testing::TinyParquetFile(c));
    CHECK(ReadToEnd(path).ok());
  }
  {
    tsb::testing::TinyColumn t = c;
    t.page_size_delta = 1000;  // the page header claims more bytes than the chunk has
    corrupt("truncated_page.parquet", tsb::testing::TinyParquetFile(t),
            "runs past the end of the column chunk");
  }
  {
    tsb::testing::TinyColumn t = c;
    t.page.resize(20);  // fewer values than the header says
    t.page_size_delta = 0;
    corrupt("short_page.parquet", tsb::testing::TinyParquetFile(t), "truncated PLAIN values");
  }
  {
    std::string header;
    std::string b = tsb::testing::TinyParquetFile(c, &header);
    for (size_t i = 0; i < header.size(); ++i) b[4 + i] = static_cast<char>(0xff);
    corrupt("garbled_page_header.parquet", b, "page 0");
  }
  {
    tsb::testing::TinyColumn t = c;
    t.repetition = 1;  // OPTIONAL: definition levels first, with a length that lies
    t.page = std::string("\xff\xff\x00\x00", 4) + t.page;
    corrupt("bad_levels.parquet", tsb::testing::TinyParquetFile(t), "definition levels");
  }
  {
    tsb::testing::TinyColumn t = c;
    t.encoding = 8;  // RLE_DICTIONARY without a dictionary page
    corrupt("no_dictionary.parquet", tsb::testing::TinyParquetFile(t), "without a dictionary");
  }
}

TEST_CASE("parquet reader: random byte damage never crashes or hangs") {
  // Flip bytes all over small files (uncompressed and compressed); every read must end with OK
  // or a clean error. Run under -DTSB_SANITIZE=ON to check memory safety.
  for (const char* name :
       {"duckdb_types_v1_uncompressed.parquet", "arrowrs_types_delta_v2_gzip.parquet",
        "hyparquet_types_v2_snappy.parquet", "duckdb_types_v2_zstd.parquet"}) {
    std::string good = ReadAll(kCorpus / name);
    std::mt19937_64 rng(42);
    for (int iter = 0; iter < 60; ++iter) {
      std::string b = good;
      int flips = 1 + static_cast<int>(rng() % 8);
      for (int k = 0; k < flips; ++k) b[rng() % b.size()] = static_cast<char>(rng());
      std::string path = WriteScratch("fuzz.parquet", b);
      Status st = ReadToEnd(path);
      if (!st.ok()) {
        CHECK_MESSAGE(st.code() != StatusCode::kInternal, st.ToString());
      }
    }
  }
}

TEST_CASE("parquet reader: a STRING value that is not UTF-8 rejects its row") {
  tsb::testing::TinyColumn c;
  c.physical = 6;   // BYTE_ARRAY
  c.converted = 0;  // UTF8
  c.num_values = 3;
  for (std::string v : {std::string("ok"), std::string("\xff\xfe"), std::string("\xc3\xa9")}) {
    uint32_t len = static_cast<uint32_t>(v.size());
    c.page.append(reinterpret_cast<const char*>(&len), 4);
    c.page += v;
  }
  std::string path = WriteScratch("bad_utf8.parquet", tsb::testing::TinyParquetFile(c));
  auto reader = ParquetFileReader::Open(Options(path));
  REQUIRE_MESSAGE(reader.ok(), reader.status().ToString());
  RowBatch batch((*reader)->schema_ptr(), 10);
  REQUIRE((*reader)->Next(&batch).ok());
  REQUIRE(batch.num_rows() == 2);
  CHECK(batch.column(0).GetBytes(0) == "ok");
  CHECK(batch.column(0).GetBytes(1) == "\xc3\xa9");
  CHECK(batch.positions() == std::vector<int64_t>{1, 3});
  REQUIRE(batch.rejects().size() == 1);
  CHECK(batch.rejects()[0].position == 2);
  CHECK(batch.rejects()[0].code == "TSB_BAD_UTF8");
  CHECK(batch.rejects()[0].message.find("\"v\"") != std::string::npos);
  REQUIRE((*reader)->Next(&batch).ok());
  CHECK(batch.num_rows() == 0);
  CHECK(batch.rejects().empty());
}

namespace {

// 1,050 rows in row groups of 100 (the last of 50), written by our writer: row r has id r and
// s "s<r>" (NULL every 7th row).
std::string WriteGroupedFile(const fs::path& path) {
  auto schema = std::make_shared<tsb::Schema>(std::vector<Field>{
      {"id", DataType::Of(TypeId::kInt64), false}, {"s", DataType::Of(TypeId::kString), true}});
  tsb::WriterOptions options;
  options.path = path.string();
  options.format = tsb::FileFormat::kParquet;
  options.row_group_rows = 100;
  auto writer = tsb::OpenWriter(*schema, options);
  REQUIRE(writer.ok());
  RowBatch batch(schema, 64);
  for (int64_t r = 0; r < 1050;) {
    batch.Reset();
    for (int k = 0; k < 64 && r < 1050; ++k, ++r) {
      batch.column(0).AppendInt(r);
      if (r % 7 == 0) {
        batch.column(1).AppendNull();
      } else {
        batch.column(1).AppendBytes("s" + std::to_string(r));
      }
      batch.CommitRow();
    }
    REQUIRE((*writer)->Write(batch).ok());
  }
  REQUIRE((*writer)->Close().ok());
  return path.string();
}

// Every row the reader yields, as "position:id:s".
std::vector<std::string> ReadAll(ParquetFileReader* reader, size_t batch_rows) {
  std::vector<std::string> out;
  RowBatch batch(reader->schema_ptr(), batch_rows);
  for (;;) {
    Status st = reader->Next(&batch);
    REQUIRE(st.ok());
    if (batch.num_rows() == 0) break;
    for (size_t i = 0; i < batch.num_rows(); ++i) {
      out.push_back(
          std::to_string(batch.positions()[i]) + ":" + std::to_string(batch.column(0).GetInt(i)) +
          ":" + (batch.column(1).IsNull(i) ? "NULL" : std::string(batch.column(1).GetBytes(i))));
    }
  }
  return out;
}

}  // namespace

TEST_CASE(
    "parquet reader: start_row skips whole row groups; the rows are those read from the start") {
  const std::string path = WriteGroupedFile(ScratchDir() / "row_groups_100.parquet");
  ReaderOptions options;
  options.path = path;
  options.format = tsb::FileFormat::kParquet;
  std::atomic<int64_t> all_bytes{0};
  options.bytes_read = &all_bytes;
  auto whole = ParquetFileReader::Open(options);
  REQUIRE(whole.ok());
  REQUIRE((*whole)->metadata().row_groups.size() == 11);
  const std::vector<std::string> all = ReadAll(whole->get(), 37);
  REQUIRE(all.size() == 1050);
  CHECK(all.front() == "1:0:NULL");
  CHECK(all.back() == "1050:1049:s1049");
  // 0-based start rows at and around row-group boundaries, the first and last rows, and past the
  // end (an empty range).
  for (int64_t start : {0, 1, 99, 100, 101, 550, 999, 1000, 1001, 1049, 1050, 5000}) {
    for (size_t batch_rows : {size_t{1}, size_t{64}, size_t{4096}}) {
      CAPTURE(start);
      CAPTURE(batch_rows);
      std::atomic<int64_t> bytes{0};
      ReaderOptions from = options;
      from.bytes_read = &bytes;
      from.start_row = start;
      auto reader = ParquetFileReader::Open(from);
      REQUIRE(reader.ok());
      const std::vector<std::string> got = ReadAll(reader->get(), batch_rows);
      // The reader starts at the first row of the row group holding `start` (none past the end).
      const size_t group_first = static_cast<size_t>(start >= 1050 ? 1050 : start / 100 * 100);
      CHECK(got == std::vector<std::string>(all.begin() + group_first, all.end()));
      // The skipped groups were not read: the bytes read shrink with them.
      if (group_first == 0) {
        CHECK(bytes.load() == all_bytes.load());
      } else {
        CHECK(bytes.load() < all_bytes.load());
      }
      if (start >= 1050) CHECK(bytes.load() == 0);
    }
  }
  // Only before reading: afterwards it would lose the batch in flight.
  auto reader = ParquetFileReader::Open(options);
  REQUIRE(reader.ok());
  RowBatch batch((*reader)->schema_ptr(), 10);
  REQUIRE((*reader)->Next(&batch).ok());
  CHECK((*reader)->SkipToRowGroupOf(500).code() == StatusCode::kInternal);
  fs::remove(path);
}
