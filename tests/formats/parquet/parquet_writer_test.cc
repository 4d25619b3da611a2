// Tests of the Parquet writer: exact bytes of the encoders and Thrift structs, the column writer's
// dictionary fallback, the file writer's temporary-file contract, and DuckDB reading back every
// type, null pattern, encoding, page version and codec we write (parquet_duckdb_check.mjs).
#include <doctest/doctest.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tsbridge/row_batch.h"
#include "tsbridge/types.h"
#include "formats/format.h"
#include "formats/parquet/column_writer.h"
#include "formats/parquet/encoders.h"
#include "formats/parquet/file_reader.h"
#include "formats/parquet/file_writer.h"
#include "formats/parquet/metadata.h"
#include "formats/parquet/thrift_writer.h"

namespace tsb::parquet {
namespace {

namespace fs = std::filesystem;

std::string Hex(const std::string& s) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoders
// ---------------------------------------------------------------------------------------------

TEST_CASE("parquet writer: bit-packing follows the spec's example") {
  // parquet-format Encodings.md: 0..7 at bit width 3 pack to 10001000 11000110 11111010.
  const uint32_t values[] = {0, 1, 2, 3, 4, 5, 6, 7};
  std::string out;
  BitPack(values, 8, 3, &out);
  CHECK(Hex(out) == "88C6FA");
  out.clear();
  BitPack(values, 3, 2, &out);  // padded to 8 values
  CHECK(Hex(out) == "2400");
  CHECK(BitWidth(0) == 0);
  CHECK(BitWidth(1) == 1);
  CHECK(BitWidth(255) == 8);
  CHECK(BitWidth(256) == 9);
}

TEST_CASE("parquet writer: RLE/bit-packed hybrid exact bytes") {
  std::string out;
  std::vector<uint8_t> ten_ones(10, 1);
  RleBpEncode(ten_ones.data(), ten_ones.size(), 1, &out);
  CHECK(Hex(out) == "1401");  // varint(10 << 1), value in 1 byte

  out.clear();
  const uint8_t alternating[] = {0, 1, 0, 1, 0, 1, 0, 1};
  RleBpEncode(alternating, 8, 1, &out);
  CHECK(Hex(out) == "03AA");  // one 8-value group, LSB first

  out.clear();
  const uint32_t three[] = {1, 2, 3};
  RleBpEncode(three, 3, 2, &out);
  CHECK(Hex(out) == "033900");  // 1 | 2 << 2 | 3 << 4, zero-padded group

  out.clear();
  // A literal group followed by a run: 8 mixed values, then 300 x 5 at bit width 9 (2-byte value).
  std::vector<uint32_t> mixed = {1, 2, 1, 2, 1, 2, 1, 2};
  mixed.insert(mixed.end(), 300, 5);
  RleBpEncode(mixed.data(), mixed.size(), 9, &out);
  std::string literal;
  BitPack(mixed.data(), 8, 9, &literal);
  CHECK(Hex(out) == "03" + Hex(literal) + "D8040500");  // varint(600) = D8 04

  out.clear();
  std::vector<uint32_t> empty;
  RleBpEncode(empty.data(), 0, 3, &out);
  CHECK(out.empty());
}

TEST_CASE("parquet writer: dictionaries dedupe without per-value allocation") {
  FixedDictionary<uint64_t> fixed;
  bool inserted = false;
  for (uint64_t i = 0; i < 5000; ++i) {
    CHECK(fixed.Insert(i * 7919, &inserted) == i);
    CHECK(inserted);
  }
  CHECK(fixed.Insert(7919 * 42, &inserted) == 42);
  CHECK(!inserted);
  CHECK(fixed.bytes() == 5000 * 8);

  ByteArrayDictionary bytes;
  CHECK(bytes.Insert("abc", &inserted) == 0);
  CHECK(bytes.Insert(std::string_view("\0x", 2), &inserted) == 1);
  CHECK(bytes.Insert("", &inserted) == 2);
  CHECK(bytes.Insert("abc", &inserted) == 0);
  CHECK(!inserted);
  for (int i = 0; i < 3000; ++i) (void)bytes.Insert("v" + std::to_string(i), &inserted);
  CHECK(bytes.size() == 3003);
  CHECK(bytes.entry(1) == std::string_view("\0x", 2));
  CHECK(bytes.Insert("v2999", &inserted) == 3002);
  // The storage is the dictionary page: 4-byte little-endian length + bytes per entry.
  CHECK(Hex(bytes.plain().substr(0, 17)) == "03000000616263020000000078" "00000000");
}

TEST_CASE("parquet writer: byte comparison and hash agree with memcmp on every length") {
  // Each length from 0 to 40, against a copy with one byte changed at each position (the first,
  // the middle and the last words are read overlapping): SameBytes must say what memcmp says, and
  // the hash must tell the strings apart while it gives the copy itself the same value.
  std::string base;
  for (int i = 0; i < 40; ++i) base.push_back(static_cast<char>('a' + i % 26));
  for (size_t n = 0; n <= base.size(); ++n) {
    const std::string a = base.substr(0, n);
    std::string same = a;
    CAPTURE(n);
    CHECK(SameBytes(a.data(), same.data(), n));
    CHECK(HashBytes(a.data(), n) == HashBytes(same.data(), n));
    for (size_t at = 0; at < n; ++at) {
      CAPTURE(at);
      std::string b = a;
      b[at] = static_cast<char>(b[at] ^ 0x80);
      CHECK(SameBytes(a.data(), b.data(), n) == (std::memcmp(a.data(), b.data(), n) == 0));
      CHECK(!SameBytes(a.data(), b.data(), n));
      CHECK(HashBytes(a.data(), n) != HashBytes(b.data(), n));
    }
    // A prefix is not the string: the length is hashed.
    if (n > 0) CHECK(HashBytes(a.data(), n) != HashBytes(a.data(), n - 1));
  }
  // Values that differ only in a byte the 1..3-byte path samples.
  CHECK(HashBytes("ab", 2) != HashBytes("ba", 2));
  CHECK(HashBytes("abc", 3) != HashBytes("axc", 3));
}

// ---------------------------------------------------------------------------------------------
// Thrift compact encoder
// ---------------------------------------------------------------------------------------------

TEST_CASE("parquet writer: Thrift compact protocol exact bytes") {
  std::string out;
  ThriftCompactWriter w(&out);
  w.BeginStruct();
  w.FieldBool(1, true);       // 11
  w.FieldBool(2, false);      // 12
  w.FieldI32(20, -1);         // 05 28 01: long form, zigzag id, zigzag value
  w.FieldI64(21, 300);        // 16 D8 04
  w.FieldListBegin(22, CompactType::kI32, 20);  // 19 F5 14
  for (int i = 0; i < 20; ++i) w.ElementI32(i);
  w.FieldStructBegin(23);     // 1C
  w.FieldI8(1, -2);           // 13 FE
  w.EndStruct();              // 00
  w.FieldBinary(24, "hi");    // 18 02 68 69
  w.EndStruct();              // 00
  std::string list;
  for (int i = 0; i < 20; ++i) list += Hex(std::string(1, static_cast<char>(i * 2)));
  CHECK(Hex(out) == "1112052801" "16D804" "19F514" + list + "1C13FE00" "18026869" "00");

  out.clear();
  Statistics stats;
  stats.null_count = 5;
  stats.min_value = "a";
  stats.max_value = "b";
  ThriftCompactWriter ws(&out);
  stats.EncodeTo(&ws);
  CHECK(Hex(out) == "360A" "280162" "180161" "00");

  out.clear();
  PageHeader page;
  page.type = PageType::DATA_PAGE;
  page.uncompressed_page_size = 100;
  page.compressed_page_size = 50;
  page.data_page_header.emplace().num_values = 10;
  ThriftCompactWriter wp(&out);
  page.EncodeTo(&wp);
  CHECK(Hex(out) == "1500" "15C801" "1564" "2C" "1514" "1500" "1506" "1506" "00" "00");

  out.clear();
  SchemaElement e;
  e.type = Type::INT64;
  e.repetition_type = FieldRepetitionType::OPTIONAL;
  e.name = "ts";
  e.logical_type.kind = LogicalTypeKind::TIMESTAMP;
  e.logical_type.adjusted_to_utc = true;
  e.logical_type.unit = LogicalTimeUnit::kMicros;
  ThriftCompactWriter we(&out);
  e.EncodeTo(&we);
  // type=2, repetition=1, name, logicalType {8: TimestampType {1: true, 2: TimeUnit {2: MICROS {}}}}
  CHECK(Hex(out) == "1504" "2502" "18027473" "6C" "8C" "11" "1C" "2C00" "00" "00" "00" "00");
}

TEST_CASE("parquet metadata: what EncodeTo writes, the parser reads back field for field") {
  FileMetaData m;
  m.version = 1;
  m.num_rows = 3;
  m.created_by = "tsbridge test";
  m.type_defined_column_orders = true;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 2;
  SchemaElement d;
  d.name = "d";
  d.type = Type::FIXED_LEN_BYTE_ARRAY;
  d.type_length = 9;
  d.repetition_type = FieldRepetitionType::OPTIONAL;
  d.converted_type = ConvertedType::DECIMAL;
  d.scale = 2;
  d.precision = 20;
  d.logical_type.kind = LogicalTypeKind::DECIMAL;
  d.logical_type.decimal_scale = 2;
  d.logical_type.decimal_precision = 20;
  SchemaElement t;
  t.name = "t";
  t.type = Type::INT64;
  t.repetition_type = FieldRepetitionType::REQUIRED;
  t.logical_type.kind = LogicalTypeKind::TIME;
  t.logical_type.adjusted_to_utc = true;
  t.logical_type.unit = LogicalTimeUnit::kNanos;
  m.schema = {root, d, t};
  RowGroup g;
  g.num_rows = 3;
  g.total_byte_size = 300;
  g.file_offset = 4;
  g.total_compressed_size = 200;
  g.ordinal = 0;
  ColumnChunk c;
  c.file_offset = 4;
  ColumnMetaData& cm = c.meta_data.emplace();
  cm.type = Type::INT64;
  cm.encodings = {Encoding::PLAIN, Encoding::RLE};
  cm.path_in_schema = {"t"};
  cm.codec = CompressionCodec::ZSTD;
  cm.num_values = 3;
  cm.total_uncompressed_size = 300;
  cm.total_compressed_size = 200;
  cm.data_page_offset = 4;
  Statistics& st = cm.statistics.emplace();
  st.null_count = 0;
  st.distinct_count = 3;
  st.min_value = std::string("\x01\0\0\0\0\0\0\0", 8);
  g.columns = {c};
  m.row_groups = {g};

  std::string bytes;
  ThriftCompactWriter w(&bytes);
  m.EncodeTo(&w);
  FileMetaData back;
  REQUIRE(ParseFileMetaData(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &back).ok());
  CHECK(back.version == 1);
  CHECK(back.num_rows == 3);
  CHECK(back.created_by == "tsbridge test");
  CHECK(back.type_defined_column_orders);
  REQUIRE(back.schema.size() == 3);
  CHECK(back.schema[0].name == "schema");
  CHECK(back.schema[0].num_children == 2);
  CHECK(!back.schema[0].type);
  const SchemaElement& bd = back.schema[1];
  CHECK(bd.type == Type::FIXED_LEN_BYTE_ARRAY);
  CHECK(bd.type_length == 9);
  CHECK(bd.repetition_type == FieldRepetitionType::OPTIONAL);
  CHECK(bd.converted_type == ConvertedType::DECIMAL);
  CHECK(bd.scale == 2);
  CHECK(bd.precision == 20);
  CHECK(!bd.num_children);
  CHECK(bd.logical_type.kind == LogicalTypeKind::DECIMAL);
  CHECK(bd.logical_type.decimal_scale == 2);
  CHECK(bd.logical_type.decimal_precision == 20);
  const SchemaElement& bt = back.schema[2];
  CHECK(bt.logical_type.kind == LogicalTypeKind::TIME);
  CHECK(bt.logical_type.adjusted_to_utc);
  CHECK(bt.logical_type.unit == LogicalTimeUnit::kNanos);
  REQUIRE(back.row_groups.size() == 1);
  const RowGroup& bg = back.row_groups[0];
  CHECK(bg.num_rows == 3);
  CHECK(bg.total_byte_size == 300);
  CHECK(bg.file_offset == 4);
  CHECK(bg.total_compressed_size == 200);
  CHECK(bg.ordinal == 0);
  REQUIRE(bg.columns.size() == 1);
  REQUIRE(bg.columns[0].meta_data);
  const ColumnMetaData& bm = *bg.columns[0].meta_data;
  CHECK(bm.encodings == std::vector<Encoding>{Encoding::PLAIN, Encoding::RLE});
  CHECK(bm.path_in_schema == std::vector<std::string>{"t"});
  CHECK(bm.codec == CompressionCodec::ZSTD);
  CHECK(bm.num_values == 3);
  CHECK(bm.data_page_offset == 4);
  CHECK(!bm.dictionary_page_offset);
  REQUIRE(bm.statistics);
  CHECK(bm.statistics->null_count == 0);
  CHECK(bm.statistics->distinct_count == 3);
  CHECK(Hex(*bm.statistics->min_value) == "0100000000000000");
  CHECK(!bm.statistics->max_value);

  // Re-encoding the parsed model gives the same bytes: nothing was lost on the way in.
  std::string again;
  ThriftCompactWriter w2(&again);
  back.EncodeTo(&w2);
  CHECK(Hex(again) == Hex(bytes));

  PageHeader page;
  page.type = PageType::DICTIONARY_PAGE;
  page.uncompressed_page_size = 10;
  page.compressed_page_size = 8;
  page.dictionary_page_header.emplace().num_values = 2;
  page.dictionary_page_header->is_sorted = true;
  std::string pb;
  ThriftCompactWriter wp(&pb);
  page.EncodeTo(&wp);
  pb += "trailing page body";
  PageHeader pback;
  size_t header_size = 0;
  REQUIRE(ParsePageHeader(reinterpret_cast<const uint8_t*>(pb.data()), pb.size(), &pback, &header_size).ok());
  CHECK(header_size == pb.size() - std::string("trailing page body").size());
  CHECK(pback.type == PageType::DICTIONARY_PAGE);
  CHECK(pback.uncompressed_page_size == 10);
  CHECK(pback.compressed_page_size == 8);
  REQUIRE(pback.dictionary_page_header);
  CHECK(pback.dictionary_page_header->num_values == 2);
  CHECK(pback.dictionary_page_header->is_sorted == true);
  CHECK(!pback.data_page_header);
  CHECK(!pback.data_page_header_v2);
}

// ---------------------------------------------------------------------------------------------
// Column writer
// ---------------------------------------------------------------------------------------------

bool HasEncoding(const ColumnMetaData& m, Encoding e) {
  for (Encoding x : m.encodings) {
    if (x == e) return true;
  }
  return false;
}

// Rows 0..2999 cycle through 50 values, later rows are unique; every 10th row is NULL.
void AppendFallbackValue(int64_t row, Column* strings, Column* ints) {
  if (row % 10 == 0) {
    strings->AppendNull();
    ints->AppendNull();
  } else if (row < 3000) {
    strings->AppendBytes("status-" + std::to_string(row % 50));
    ints->AppendInt(row % 50);
  } else {
    strings->AppendBytes("value-" + std::to_string(row));
    ints->AppendInt(row * 1000003);
  }
}

TEST_CASE("parquet writer: dictionary falls back to PLAIN mid-chunk") {
  WriterOptions options;
  options.dictionary_page_bytes = 4000;
  options.page_bytes = 4096;
  options.parquet_compression = ParquetCompression::kUncompressed;
  Field field{"s", DataType::Of(TypeId::kString), true};
  Field int_field{"i", DataType::Of(TypeId::kInt64), true};
  auto writer = ColumnWriter::Make(field, options);
  auto int_writer = ColumnWriter::Make(int_field, options);
  REQUIRE(writer.ok());
  REQUIRE(int_writer.ok());
  Column column(field.type), ints(int_field.type);
  for (int i = 0; i < 10000; ++i) AppendFallbackValue(i, &column, &ints);
  REQUIRE((*writer)->Write(column, 0, 5000).ok());
  REQUIRE((*writer)->Write(column, 5000, column.size()).ok());
  REQUIRE((*writer)->FinishChunk().ok());
  REQUIRE((*int_writer)->Write(ints, 0, ints.size()).ok());
  REQUIRE((*int_writer)->FinishChunk().ok());
  for (auto* w : {&*writer, &*int_writer}) {
    CHECK((**w).DataPagesForTest(Encoding::RLE_DICTIONARY) >= 1);
    CHECK((**w).DataPagesForTest(Encoding::PLAIN) >= 2);
    ColumnMetaData m = (**w).ChunkMetaData(4);
    CHECK(HasEncoding(m, Encoding::RLE_DICTIONARY));
    CHECK(HasEncoding(m, Encoding::PLAIN));
    CHECK(HasEncoding(m, Encoding::RLE));
    CHECK(!(**w).dictionary_page().empty());
    CHECK(m.dictionary_page_offset == 4);
    CHECK(m.data_page_offset == 4 + static_cast<int64_t>((**w).dictionary_page().size()));
    CHECK(m.num_values == 10000);
    CHECK(m.statistics->null_count == 1000);
    CHECK(m.total_compressed_size ==
          static_cast<int64_t>((**w).dictionary_page().size() + (**w).data_pages().size()));
  }
  ColumnMetaData m = (*writer)->ChunkMetaData(4);
  CHECK(m.statistics->min_value == "status-1");
  CHECK(m.statistics->max_value == "value-9999");

  // A chunk of unique values is written PLAIN without a dictionary page: the dictionary would be
  // larger than the values.
  (*writer)->ResetChunk();
  Column unique(field.type);
  for (int i = 0; i < 3000; ++i) unique.AppendBytes("unique-" + std::to_string(i));
  REQUIRE((*writer)->Write(unique, 0, unique.size()).ok());
  REQUIRE((*writer)->FinishChunk().ok());
  CHECK((*writer)->dictionary_page().empty());
  CHECK((*writer)->DataPagesForTest(Encoding::RLE_DICTIONARY) == 0);
  m = (*writer)->ChunkMetaData(0);
  CHECK(!HasEncoding(m, Encoding::RLE_DICTIONARY));
  CHECK(!m.dictionary_page_offset);

  // A low-cardinality chunk stays dictionary-encoded; the next chunk starts over.
  (*writer)->ResetChunk();
  Column few(field.type);
  for (int i = 0; i < 5000; ++i) few.AppendBytes(i % 2 ? "x" : "y");
  REQUIRE((*writer)->Write(few, 0, few.size()).ok());
  REQUIRE((*writer)->FinishChunk().ok());
  CHECK((*writer)->DataPagesForTest(Encoding::PLAIN) == 0);
  m = (*writer)->ChunkMetaData(0);
  CHECK(HasEncoding(m, Encoding::RLE_DICTIONARY));
  CHECK(m.statistics->null_count == 0);
  CHECK(m.statistics->min_value == "x");
  CHECK(m.statistics->max_value == "y");
}

// The next splitmix64 draw of the sequence whose state is *x.
uint64_t SplitMix64(uint64_t* x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Distinct values among `draws` splitmix64 draws from [0, domain).
size_t DistinctDraws(uint64_t domain, size_t draws) {
  std::vector<bool> seen(domain);
  size_t distinct = 0;
  uint64_t x = 12345;
  for (size_t i = 0; i < draws; ++i) {
    const uint64_t v = SplitMix64(&x) % domain;
    distinct += !seen[v];
    seen[v] = true;
  }
  return distinct;
}

TEST_CASE("parquet writer: the dictionary probe projects the chunk's dictionary size") {
  constexpr size_t kLimit = size_t{1} << 20;
  constexpr size_t kProbe = 16384;  // int64s in an eighth of kLimit
  constexpr double kChunk = 1 << 20;
  // No repeat: every value projected distinct, 8 MiB in a 1M-row chunk; a 100k-row chunk would
  // still overflow, a 100k-value one of 8-byte values too, a 60k-value one would not.
  CHECK(DictionaryProjectedToOverflow(kProbe, kProbe, kProbe * 8, kChunk, kLimit));
  CHECK(DictionaryProjectedToOverflow(kProbe, kProbe, kProbe * 8, 200000, kLimit));
  CHECK(!DictionaryProjectedToOverflow(kProbe, kProbe, kProbe * 8, 120000, kLimit));
  // Uniform draws: a domain of 120,000 int64s (960,000 bytes) fits, one of 140,000 (1.12 MB,
  // where the dictionary would overflow after about 420k rows) does not; 50 values fit easily.
  for (uint64_t domain : {50u, 5000u, 100000u, 120000u}) {
    CAPTURE(domain);
    const size_t distinct = DistinctDraws(domain, kProbe);
    CHECK(!DictionaryProjectedToOverflow(kProbe, distinct, distinct * 8, kChunk, kLimit));
  }
  for (uint64_t domain : {140000u, 150000u, 1000000u, 100000000u}) {
    CAPTURE(domain);
    const size_t distinct = DistinctDraws(domain, kProbe);
    CHECK(DictionaryProjectedToOverflow(kProbe, distinct, distinct * 8, kChunk, kLimit));
  }
  // The entry size scales the projection: 50-byte strings from a domain of 15,000 (750 kB) fit,
  // from 25,000 (1.25 MB) do not, probed at their own eighth of the limit (2,621 values).
  const size_t strings = kLimit / 8 / 50;
  const size_t fit = DistinctDraws(15000, strings);
  CHECK(!DictionaryProjectedToOverflow(strings, fit, fit * 50, kChunk, kLimit));
  const size_t over = DistinctDraws(25000, strings);
  CHECK(DictionaryProjectedToOverflow(strings, over, over * 50, kChunk, kLimit));
  CHECK(!DictionaryProjectedToOverflow(0, 0, 0, kChunk, kLimit));
}

TEST_CASE("parquet writer: the probe projects when a dictionary cannot beat PLAIN") {
  constexpr size_t kProbe = 16384;
  constexpr double kGroup = 122880;  // an import's row group, whose unique int64s fit 1 MiB
  // No repeat: the dictionary page alone is as large as PLAIN.
  CHECK(DictionaryProjectedToLose(kProbe, kProbe, kProbe * 8, kGroup));
  // Nearly unique draws lose too; a domain that repeats enough (a customer key: about 84k
  // distinct of 122,880, 861 kB of dictionary and indices against 983 kB PLAIN) keeps it.
  for (uint64_t domain : {10000000u, 100000000u}) {
    CAPTURE(domain);
    const size_t distinct = DistinctDraws(domain, kProbe);
    CHECK(DictionaryProjectedToLose(kProbe, distinct, distinct * 8, kGroup));
  }
  for (uint64_t domain : {50u, 5000u, 100000u, 150000u}) {
    CAPTURE(domain);
    const size_t distinct = DistinctDraws(domain, kProbe);
    CHECK(!DictionaryProjectedToLose(kProbe, distinct, distinct * 8, kGroup));
  }
  CHECK(!DictionaryProjectedToLose(0, 0, 0, kGroup));
}

// Writes `unique` (20,000 distinct int64s) as one chunk: the probe at 16,384 values (an eighth
// of the 1 MiB limit) pages them as PLAIN at once, and the chunk has no dictionary. Without the
// probe nothing would be paged before the dictionary passed its limit or the chunk ended.
void CheckPlainFromTheProbe(ColumnWriter* writer, const Column& unique) {
  REQUIRE(writer->Write(unique, 0, unique.size()).ok());
  CHECK(writer->DataPagesForTest(Encoding::PLAIN) == 1);
  REQUIRE(writer->FinishChunk().ok());
  CHECK(writer->dictionary_page().empty());
  CHECK(writer->ChunkMetaData(0).num_values == 20000);
}

TEST_CASE("parquet writer: in a row group that fits the dictionary, unique values go PLAIN early") {
  WriterOptions options;
  options.parquet_compression = ParquetCompression::kUncompressed;
  options.row_group_rows = 122880;
  Field field{"i", DataType::Of(TypeId::kInt64), true};
  Column unique(field.type), repeating(field.type);
  for (int64_t i = 0; i < 20000; ++i) unique.AppendInt(i * 7919);
  // Scattered draws from 30,000 values: probed (16,384 distinct) with repeats, and the dictionary
  // (240 kB and 15-bit indices) beats PLAIN (480 kB).
  uint64_t x = 777;
  for (int i = 0; i < 60000; ++i) repeating.AppendInt(static_cast<int64_t>(SplitMix64(&x) % 30000));
  auto writer = ColumnWriter::Make(field, options);
  REQUIRE(writer.ok());
  CheckPlainFromTheProbe(writer->get(), unique);

  (*writer)->ResetChunk();
  REQUIRE((*writer)->Write(repeating, 0, repeating.size()).ok());
  REQUIRE((*writer)->FinishChunk().ok());
  CHECK(!(*writer)->dictionary_page().empty());
  CHECK((*writer)->DataPagesForTest(Encoding::PLAIN) == 0);
}

TEST_CASE("parquet writer: unique values leave the dictionary at the probe, repeats keep it") {
  WriterOptions options;  // 1 MiB dictionary limit, 1M-row row groups
  options.parquet_compression = ParquetCompression::kUncompressed;
  Field field{"i", DataType::Of(TypeId::kInt64), true};
  Column unique(field.type), repeating(field.type);
  for (int64_t i = 0; i < 20000; ++i) {
    unique.AppendInt(i * 7919);
    repeating.AppendInt(i % 5000);
  }
  auto writer = ColumnWriter::Make(field, options);
  REQUIRE(writer.ok());
  CheckPlainFromTheProbe(writer->get(), unique);
  CHECK((*writer)->DataPagesForTest(Encoding::RLE_DICTIONARY) == 0);

  (*writer)->ResetChunk();
  REQUIRE((*writer)->Write(repeating, 0, repeating.size()).ok());
  CHECK((*writer)->DataPagesForTest(Encoding::PLAIN) == 0);
  REQUIRE((*writer)->FinishChunk().ok());
  CHECK(!(*writer)->dictionary_page().empty());
  CHECK((*writer)->DataPagesForTest(Encoding::PLAIN) == 0);
  CHECK((*writer)->DataPagesForTest(Encoding::RLE_DICTIONARY) >= 1);

  // The probe is per chunk: the next chunk of unique values is probed again.
  (*writer)->ResetChunk();
  REQUIRE((*writer)->Write(unique, 0, unique.size()).ok());
  CHECK((*writer)->DataPagesForTest(Encoding::PLAIN) == 1);
}

TEST_CASE("parquet writer: statistics orders") {
  WriterOptions options;
  options.dictionary = false;
  auto stats_of = [&](const Field& field, const Column& column) {
    auto writer = ColumnWriter::Make(field, options);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Write(column, 0, column.size()).ok());
    REQUIRE((*writer)->FinishChunk().ok());
    return *(*writer)->ChunkMetaData(0).statistics;
  };
  DataType u64 = DataType::Of(TypeId::kInt64);
  u64.is_unsigned = true;
  Column u(u64);
  u.AppendInt(-1);  // 2^64 - 1
  u.AppendInt(5);
  Statistics s = stats_of(Field{"u", u64, true}, u);
  CHECK(Hex(*s.min_value) == "0500000000000000");
  CHECK(Hex(*s.max_value) == "FFFFFFFFFFFFFFFF");

  Column d(DataType::Of(TypeId::kDouble));
  d.AppendDouble(0.0);
  d.AppendDouble(std::nan(""));
  d.AppendDouble(0.0);
  s = stats_of(Field{"d", DataType::Of(TypeId::kDouble), true}, d);
  CHECK(Hex(*s.min_value) == "0000000000000080");  // -0.0
  CHECK(Hex(*s.max_value) == "0000000000000000");  // +0.0

  Column nan_only(DataType::Of(TypeId::kFloat));
  nan_only.AppendDouble(std::nan(""));
  nan_only.AppendNull();
  s = stats_of(Field{"f", DataType::Of(TypeId::kFloat), true}, nan_only);
  CHECK(!s.min_value);
  CHECK(s.null_count == 1);

  Column dec(DataType::Decimal(38, 0));
  dec.AppendInt128(-1);
  dec.AppendInt128(2);
  s = stats_of(Field{"x", DataType::Decimal(38, 0), true}, dec);
  CHECK(Hex(*s.min_value) == "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
  CHECK(Hex(*s.max_value) == "00000000000000000000000000000002");

  Column bin(DataType::Of(TypeId::kBinary));
  bin.AppendBytes("\xff");
  bin.AppendBytes("a");
  s = stats_of(Field{"b", DataType::Of(TypeId::kBinary), true}, bin);
  CHECK(*s.min_value == "a");  // byte-wise unsigned: 0xFF sorts last
  CHECK(*s.max_value == "\xff");
}

TEST_CASE("parquet writer: type mapping") {
  WriterOptions options;
  auto element = [&](DataType t, bool nullable = true) {
    auto w = ColumnWriter::Make(Field{"c", t, nullable}, options);
    REQUIRE(w.ok());
    return (*w)->schema_element();
  };
  SchemaElement e = element(DataType::Decimal(9, 2));
  CHECK(*e.type == Type::INT32);
  e = element(DataType::Decimal(18, 2));
  CHECK(*e.type == Type::INT64);
  e = element(DataType::Decimal(19, 2));
  CHECK(*e.type == Type::FIXED_LEN_BYTE_ARRAY);
  CHECK(*e.type_length == 9);
  e = element(DataType::Decimal(38, 10));
  CHECK(*e.type_length == 16);
  e = element(DataType::Timestamp(TimeUnit::kSeconds), false);
  CHECK(*e.converted_type == ConvertedType::TIMESTAMP_MILLIS);
  CHECK(*e.repetition_type == FieldRepetitionType::REQUIRED);
  e = element(DataType::Timestamp(TimeUnit::kNanos));
  CHECK(!e.converted_type);
  CHECK(e.logical_type.unit == LogicalTimeUnit::kNanos);
  e = element(DataType::Of(TypeId::kInt16));
  CHECK(*e.converted_type == ConvertedType::INT_16);
  CHECK(e.logical_type.bit_width == 16);
  CHECK(!ColumnWriter::Make(Field{"c", DataType::Decimal(39, 0), true}, options).ok());
}

// ---------------------------------------------------------------------------------------------
// File writer contract
// ---------------------------------------------------------------------------------------------

fs::path TestDir() {
  fs::path dir = fs::temp_directory_path() / ("tsb_pqwriter_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

std::shared_ptr<const Schema> OneIntSchema(bool nullable = true) {
  return std::make_shared<Schema>(std::vector<Field>{{"x", DataType::Of(TypeId::kInt64), nullable}});
}

TEST_CASE("parquet writer: temporary file, rename on Close, removal without Close") {
  fs::path dir = TestDir();
  WriterOptions options;
  options.format = FileFormat::kParquet;
  options.path = (dir / "t.parquet").string();
  auto schema = OneIntSchema();
  RowBatch batch(schema);
  batch.column(0).AppendInt(1);
  batch.CommitRow();
  std::string temp;
  {
    auto w = ParquetFileWriter::Open(*schema, options);
    REQUIRE(w.ok());
    temp = (*w)->temporary_path();
    // Hidden beside the final name, with the writer's PID: ".t.parquet.tmp-PID-XXXXXX".
    CHECK(temp.rfind((dir / (".t.parquet.tmp-" + std::to_string(::getpid()) + "-")).string(), 0) ==
          0);
    CHECK(fs::exists(temp));
    REQUIRE((*w)->Write(batch).ok());
    CHECK(!fs::exists(options.path));
  }
  CHECK(!fs::exists(temp));
  CHECK(!fs::exists(options.path));
  {
    auto w = ParquetFileWriter::Open(*schema, options);
    REQUIRE(w.ok());
    temp = (*w)->temporary_path();
    REQUIRE((*w)->Write(batch).ok());
    REQUIRE((*w)->Close().ok());
    CHECK(fs::exists(options.path));
    CHECK(!fs::exists(temp));
  }
  CHECK(fs::exists(options.path));
  std::ifstream in(options.path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(bytes.substr(0, 4) == "PAR1");
  CHECK(bytes.substr(bytes.size() - 4) == "PAR1");

  WriterOptions bad = options;
  bad.path = (dir / "missing-dir" / "x.parquet").string();
  auto w = ParquetFileWriter::Open(*schema, bad);
  CHECK(w.status().code() == StatusCode::kNotFound);  // as for text outputs
  CHECK(w.status().message().find("missing-dir") != std::string::npos);

  // A NULL in a REQUIRED column fails the writer, with the column's name.
  auto required = OneIntSchema(false);
  RowBatch with_null(required);
  with_null.column(0).AppendNull();
  with_null.CommitRow();
  auto rw = ParquetFileWriter::Open(*required, options);
  REQUIRE(rw.ok());
  Status s = (*rw)->Write(with_null);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message().find("\"x\"") != std::string::npos);
  CHECK((*rw)->Close().code() == StatusCode::kInvalidArgument);
  fs::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// DuckDB oracle
// ---------------------------------------------------------------------------------------------

// Runs the checker; returns its exit code and puts its output in *output.
int RunDuckDbCheck(const std::string& mode, const std::string& parquet, const std::string& expected,
                   std::string* output) {
  std::string script = std::string(TSB_TEST_SOURCE_DIR) + "/formats/parquet/parquet_duckdb_check.mjs";
  std::string cmd = "node '" + script + "' " + mode + " '" + parquet + "' '" + expected + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  output->clear();
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) output->append(buf, n);
  int rc = pclose(p);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

bool NodeAvailable() {
  static int available = -1;
  if (available < 0) available = std::system("node --version > /dev/null 2>&1") == 0;
  return available == 1;
}

std::string Int128Text(__int128 v, int scale) {
  bool negative = v < 0;
  unsigned __int128 u = negative ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u != 0);
  if (scale > 0) {
    while (digits.size() <= static_cast<size_t>(scale)) digits.insert(digits.begin(), '0');
    digits.insert(digits.end() - scale, '.');
  }
  return negative ? "-" + digits : digits;
}

std::string DoubleBits(double d) {
  if (std::isnan(d)) return "nan";
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  char buf[17];
  snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(bits));
  return buf;
}

// What DuckDB calls the type we write `t` as.
std::string DuckDbType(const DataType& t) {
  switch (t.id) {
    case TypeId::kNull: return "INTEGER";
    case TypeId::kBoolean: return "BOOLEAN";
    case TypeId::kInt8: return t.is_unsigned ? "UTINYINT" : "TINYINT";
    case TypeId::kInt16: return t.is_unsigned ? "USMALLINT" : "SMALLINT";
    case TypeId::kInt32: return t.is_unsigned ? "UINTEGER" : "INTEGER";
    case TypeId::kInt64: return t.is_unsigned ? "UBIGINT" : "BIGINT";
    case TypeId::kFloat: return "FLOAT";
    case TypeId::kDouble: return "DOUBLE";
    case TypeId::kString: return "VARCHAR";
    case TypeId::kBinary: return "BLOB";
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case TypeId::kDate: return "DATE";
    case TypeId::kDateTime:
    case TypeId::kTimestamp:
      if (t.id == TypeId::kDateTime || t.utc) return "TIMESTAMP WITH TIME ZONE";
      return t.unit == TimeUnit::kNanos ? "TIMESTAMP_NS" : "TIMESTAMP";
  }
  return "?";
}

// The checker's canonical form of row i of `column`.
nlohmann::json Canonical(const Column& column, size_t i) {
  const DataType& t = column.type();
  if (t.id == TypeId::kNull || column.IsNull(i)) return nullptr;
  switch (t.id) {
    case TypeId::kBoolean: return column.GetBool(i);
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
      if (t.is_unsigned) {
        uint64_t bits = static_cast<uint64_t>(column.GetInt(i));
        if (t.id == TypeId::kInt8) bits &= 0xFF;
        if (t.id == TypeId::kInt16) bits &= 0xFFFF;
        if (t.id == TypeId::kInt32) bits &= 0xFFFFFFFF;
        return std::to_string(bits);
      }
      return std::to_string(column.GetInt(i));
    case TypeId::kFloat: return DoubleBits(static_cast<double>(static_cast<float>(column.GetDouble(i))));
    case TypeId::kDouble: return DoubleBits(column.GetDouble(i));
    case TypeId::kString: return std::string(column.GetBytes(i));
    case TypeId::kBinary: return Hex(std::string(column.GetBytes(i)));
    case TypeId::kDecimal: return Int128Text(column.GetInt128(i), t.scale);
    case TypeId::kDate: return std::to_string(column.GetInt(i));
    case TypeId::kDateTime:
    case TypeId::kTimestamp: {
      int64_t v = column.GetInt(i);
      switch (t.unit) {
        case TimeUnit::kSeconds: return std::to_string(v * 1000000);
        case TimeUnit::kMillis: return std::to_string(v * 1000);
        case TimeUnit::kMicros: return std::to_string(v);
        // DuckDB reads NANOS at micros, truncating toward zero (-1 ns reads as 0 us).
        case TimeUnit::kNanos: return std::to_string(v / 1000);
      }
      break;
    }
    default: break;
  }
  return nullptr;
}

enum class NullPattern { kNone, kAll, kSparse, kRuns };
const char* PatternName(NullPattern p) {
  switch (p) {
    case NullPattern::kNone: return "none";
    case NullPattern::kAll: return "all";
    case NullPattern::kSparse: return "sparse";
    case NullPattern::kRuns: return "runs";
  }
  return "?";
}
bool IsNullAt(NullPattern p, int64_t row) {
  switch (p) {
    case NullPattern::kNone: return false;
    case NullPattern::kAll: return true;
    case NullPattern::kSparse: return row % 7 == 3;
    case NullPattern::kRuns: return (row / 100) % 2 == 1;
  }
  return false;
}

uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

__int128 Pow10(int n) {
  __int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

// Appends a deterministic value for `row`: edge values first, then a mix of repeated values (so
// dictionaries help) and unique ones (so they overflow when asked to).
void AppendValue(const DataType& t, int64_t row, Column* c) {
  uint64_t h = Mix(static_cast<uint64_t>(row) * 31 + static_cast<uint64_t>(t.id));
  bool repeat = (row / 500) % 2 == 0;
  int64_t small = static_cast<int64_t>(h % 50);
  switch (t.id) {
    case TypeId::kNull:
      c->AppendNull();
      return;
    case TypeId::kBoolean:
      c->AppendBool(row % 3 == 0 || h % 5 == 0);
      return;
    case TypeId::kInt8: {
      const int64_t edges[] = {-128, 127, 0, -1};
      int64_t v = row < 4 ? edges[row] : static_cast<int64_t>(h % 256) - 128;
      if (t.is_unsigned) v &= 0xFF;
      c->AppendInt(v);
      return;
    }
    case TypeId::kInt16: {
      const int64_t edges[] = {-32768, 32767, 0, -1};
      int64_t v = row < 4 ? edges[row] : repeat ? small : static_cast<int64_t>(h % 65536) - 32768;
      if (t.is_unsigned) v &= 0xFFFF;
      c->AppendInt(v);
      return;
    }
    case TypeId::kInt32: {
      const int64_t edges[] = {INT32_MIN, INT32_MAX, 0, -1};
      int64_t v = row < 4 ? edges[row] : repeat ? small - 25 : static_cast<int32_t>(h);
      if (t.is_unsigned) v &= 0xFFFFFFFF;
      c->AppendInt(v);
      return;
    }
    case TypeId::kInt64: {
      const int64_t edges[] = {INT64_MIN, INT64_MAX, 0, -1, (int64_t{1} << 53) + 1};
      c->AppendInt(row < 5 ? edges[row] : repeat ? small * 1000000007 : static_cast<int64_t>(h));
      return;
    }
    case TypeId::kFloat: {
      const double edges[] = {-0.0, std::nan(""), INFINITY, -INFINITY, FLT_MAX, 1e-45, 0.1, 0.0};
      c->AppendDouble(row < 8 ? edges[row] : repeat ? small / 8.0 - 3 : static_cast<float>(static_cast<int32_t>(h)) / 1024.0f);
      return;
    }
    case TypeId::kDouble: {
      const double edges[] = {-0.0, std::nan(""), INFINITY, -INFINITY, DBL_MAX, 5e-324, 0.1, 0.0, -DBL_MAX};
      double v;
      std::memcpy(&v, &h, 8);
      if (std::isnan(v) || std::isinf(v)) v = static_cast<double>(h >> 11);
      c->AppendDouble(row < 9 ? edges[row] : repeat ? small * 0.37 - 5 : v);
      return;
    }
    case TypeId::kString: {
      static const std::string kLong(300, 'L');
      const std::string edges[] = {"", std::string("nul\0inside", 10), "h\xc3\xa9llo \xe6\xbc\xa2\xe5\xad\x97", kLong,
                                   "quote\" back\\slash\nnewline\ttab\x01"};
      if (row < 5) {
        c->AppendBytes(edges[row]);
      } else if (repeat) {
        c->AppendBytes("status-" + std::to_string(small));
      } else {
        c->AppendBytes("comment " + std::to_string(h) + std::string(h % 40, 'x'));
      }
      return;
    }
    case TypeId::kBinary: {
      std::string b;
      for (int k = 0; k < static_cast<int>(h % 12); ++k) b.push_back(static_cast<char>(Mix(h + k)));
      if (row == 0) b = std::string("\xff\x00\x80", 3);
      c->AppendBytes(repeat ? std::string(1, static_cast<char>(small)) : b);
      return;
    }
    case TypeId::kDecimal: {
      __int128 max = Pow10(t.precision) - 1;
      __int128 v;
      if (row < 3) {
        v = row == 0 ? max : row == 1 ? -max : 0;
      } else if (repeat) {
        v = (small - 20) % (max + 1);
      } else {
        __int128 r = (static_cast<__int128>(h) << 64) | Mix(h);
        if (r < 0) r = -r;
        v = r % (max + 1);
        if (h & 1) v = -v;
      }
      c->AppendInt128(v);
      return;
    }
    case TypeId::kDate: {
      const int64_t edges[] = {-719162, 2932896, 0, -1};
      c->AppendInt(row < 4 ? edges[row] : repeat ? 18000 + small : static_cast<int64_t>(h % 40000) - 10000);
      return;
    }
    case TypeId::kDateTime:
    case TypeId::kTimestamp: {
      // Within DuckDB's range for every unit (years 1677..2262 for nanos).
      int64_t span_seconds = int64_t{9} * 1000 * 1000 * 1000;  // ~285 years
      int64_t seconds = static_cast<int64_t>(h % static_cast<uint64_t>(span_seconds)) - span_seconds / 2;
      int64_t per = t.unit == TimeUnit::kSeconds ? 1 : t.unit == TimeUnit::kMillis ? 1000 : t.unit == TimeUnit::kMicros ? 1000000 : 1000000000;
      int64_t frac = static_cast<int64_t>(Mix(h) % static_cast<uint64_t>(per));
      int64_t v = row == 0 ? -1 : row == 1 ? 0 : repeat ? (1700000000 + small) * per : seconds * per + frac;
      c->AppendInt(v);
      return;
    }
  }
}

std::vector<DataType> AllTypes() {
  DataType u8 = DataType::Of(TypeId::kInt8), u16 = DataType::Of(TypeId::kInt16),
           u32 = DataType::Of(TypeId::kInt32), u64 = DataType::Of(TypeId::kInt64);
  u8.is_unsigned = u16.is_unsigned = u32.is_unsigned = u64.is_unsigned = true;
  DataType datetime = DataType::Of(TypeId::kDateTime);
  datetime.unit = TimeUnit::kMillis;
  return {DataType::Of(TypeId::kBoolean), DataType::Of(TypeId::kInt8), DataType::Of(TypeId::kInt16),
          DataType::Of(TypeId::kInt32), DataType::Of(TypeId::kInt64), u8, u16, u32, u64,
          DataType::Of(TypeId::kFloat), DataType::Of(TypeId::kDouble), DataType::Of(TypeId::kString),
          DataType::Of(TypeId::kBinary), DataType::Decimal(9, 2), DataType::Decimal(18, 4),
          DataType::Decimal(20, 0), DataType::Decimal(25, 5), DataType::Decimal(38, 10), DataType::Decimal(1, 1),
          DataType::Of(TypeId::kDate), datetime, DataType::Timestamp(TimeUnit::kSeconds),
          DataType::Timestamp(TimeUnit::kMillis), DataType::Timestamp(TimeUnit::kMicros),
          DataType::Timestamp(TimeUnit::kNanos), DataType::Timestamp(TimeUnit::kMillis, false),
          DataType::Timestamp(TimeUnit::kMicros, false), DataType::Timestamp(TimeUnit::kNanos, false),
          DataType::Of(TypeId::kNull)};
}

std::string ColumnName(const DataType& t, size_t index, const char* suffix) {
  std::string name = t.ToString();
  for (char& ch : name) {
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return "c" + std::to_string(index) + "_" + name + "_" + suffix;
}

struct Case {
  std::string name;
  WriterOptions options;
  int64_t rows = 5000;
  size_t batch_rows = 777;  // not a divisor of anything, so row groups split batches
  bool nullable = true;
};

// Row `row` of column `field` as the tests write it.
void AppendTestValue(const Field& field, NullPattern pattern, int64_t row, Column* column) {
  if (field.nullable && IsNullAt(pattern, row)) {
    column->AppendNull();
  } else {
    AppendValue(field.type, row, column);
  }
}

// Reads the file back with tsbridge's own reader (every column in its native type) and compares
// every cell with what was written: exact values, nanoseconds included.
void CheckWithOwnReader(const std::string& parquet, const std::vector<Field>& fields,
                        const std::vector<NullPattern>& patterns, int64_t rows) {
  ReaderOptions ro;
  ro.path = parquet;
  ro.format = FileFormat::kParquet;
  ro.batch_rows = 1000;
  auto reader = ParquetFileReader::Open(ro);
  CHECK_MESSAGE(reader.ok(), reader.status().ToString());
  if (!reader.ok()) return;
  REQUIRE((*reader)->schema().size() == fields.size());
  RowBatch batch((*reader)->schema_ptr(), ro.batch_rows);
  int64_t row = 0;
  std::vector<std::string> problems;
  while (problems.size() < 10) {
    Status s = (*reader)->Next(&batch);
    CHECK_MESSAGE(s.ok(), s.ToString());
    if (!s.ok() || batch.num_rows() == 0) break;
    for (size_t k = 0; k < batch.num_rows(); ++k, ++row) {
      for (size_t c = 0; c < fields.size() && problems.size() < 10; ++c) {
        Column want(fields[c].type);
        AppendTestValue(fields[c], patterns[c], row, &want);
        const Column& got = batch.column(c);
        bool want_null = fields[c].type.id == TypeId::kNull || want.IsNull(0);
        bool same = got.IsNull(k) == want_null;
        if (same && !want_null) {
          switch (fields[c].type.storage()) {
            case Storage::kInt64: {
              int64_t w = want.GetInt(0);
              if (fields[c].type.unit == TimeUnit::kSeconds &&
                  (fields[c].type.id == TypeId::kTimestamp || fields[c].type.id == TypeId::kDateTime)) {
                w *= 1000;  // written as MILLIS
              }
              same = got.type().storage() == Storage::kInt64 && got.GetInt(k) == w;
              break;
            }
            case Storage::kDouble: {
              double w = want.GetDouble(0);
              if (fields[c].type.id == TypeId::kFloat) w = static_cast<float>(w);
              double g = got.GetDouble(k);
              same = (std::isnan(w) && std::isnan(g)) || std::memcmp(&w, &g, 8) == 0;
              break;
            }
            case Storage::kBytes:
              same = got.GetBytes(k) == want.GetBytes(0);
              break;
            case Storage::kInt128:
              same = got.GetInt128(k) == want.GetInt128(0);
              break;
          }
        }
        if (!same) {
          problems.push_back("row " + std::to_string(row) + " column " + fields[c].name + ": got " +
                             Canonical(got, k).dump() + ", wrote " + Canonical(want, 0).dump());
        }
      }
    }
  }
  for (const std::string& p : problems) CHECK_MESSAGE(false, p);
  if (problems.empty()) CHECK(row == rows);
}

// Writes every type x null pattern, and the expected rows for the checker.
void WriteAndCheck(const Case& test) {
  CAPTURE(test.name);
  fs::path dir = TestDir();
  std::string parquet = (dir / (test.name + ".parquet")).string();
  std::string expected_path = (dir / (test.name + ".expected.jsonl")).string();
  std::vector<Field> fields;
  std::vector<NullPattern> patterns;
  size_t index = 0;
  for (const DataType& t : AllTypes()) {
    for (NullPattern p : {NullPattern::kNone, NullPattern::kAll, NullPattern::kSparse, NullPattern::kRuns}) {
      if (!test.nullable && p != NullPattern::kNone) continue;
      if (t.id == TypeId::kNull && p != NullPattern::kAll) continue;
      bool nullable = test.nullable || t.id == TypeId::kNull;
      fields.push_back(Field{ColumnName(t, index++, PatternName(p)), t, nullable});
      patterns.push_back(p);
    }
  }
  auto schema = std::make_shared<Schema>(fields);
  WriterOptions options = test.options;
  options.path = parquet;
  options.format = FileFormat::kParquet;
  auto writer = ParquetFileWriter::Open(*schema, options);
  REQUIRE_MESSAGE(writer.ok(), writer.status().ToString());

  std::ofstream expected(expected_path, std::ios::binary);
  nlohmann::json header = nlohmann::json::array();
  for (const Field& f : fields) header.push_back({f.name, DuckDbType(f.type)});
  expected << nlohmann::json{{"columns", header}}.dump() << "\n";

  RowBatch batch(schema, test.batch_rows);
  for (int64_t row = 0; row < test.rows;) {
    batch.Reset();
    int64_t n = std::min<int64_t>(static_cast<int64_t>(test.batch_rows), test.rows - row);
    for (int64_t k = 0; k < n; ++k) {
      for (size_t c = 0; c < fields.size(); ++c) AppendTestValue(fields[c], patterns[c], row + k, &batch.column(c));
      batch.CommitRow();
    }
    for (int64_t k = 0; k < n; ++k) {
      nlohmann::json line = nlohmann::json::array();
      for (size_t c = 0; c < fields.size(); ++c) line.push_back(Canonical(batch.column(c), static_cast<size_t>(k)));
      expected << line.dump() << "\n";
    }
    Status s = (*writer)->Write(batch);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    row += n;
  }
  expected.close();
  Status s = (*writer)->Close();
  REQUIRE_MESSAGE(s.ok(), s.ToString());

  CheckWithOwnReader(parquet, fields, patterns, test.rows);
  // DuckDB is the oracle of these files: without Node.js the test fails rather than passing on
  // our own reader's word alone.
  REQUIRE_MESSAGE(NodeAvailable(), "node not found: run scripts/install-deps.sh (DuckDB is the oracle)");
  std::string output;
  int rc = RunDuckDbCheck("rows", parquet, expected_path, &output);
  CHECK_MESSAGE(rc == 0, output);
  if (rc == 0) {
    fs::remove(parquet);
    fs::remove(expected_path);
    std::error_code ignored;
    fs::remove(dir, ignored);  // only when empty
  }
}

TEST_CASE("parquet writer: DuckDB reads back every type, null pattern and codec") {
  const std::pair<const char*, ParquetCompression> codecs[] = {
      {"none", ParquetCompression::kUncompressed}, {"snappy", ParquetCompression::kSnappy},
      {"gzip", ParquetCompression::kGzip},         {"zstd", ParquetCompression::kZstd},
      {"lz4_raw", ParquetCompression::kLz4Raw},    {"brotli", ParquetCompression::kBrotli}};
  for (const auto& [name, codec] : codecs) {
    Case test;
    test.name = std::string("types_") + name;
    test.options.parquet_compression = codec;
    test.rows = 2500;
    test.options.row_group_rows = 1000;  // 3 row groups, the last partial
    test.options.page_bytes = 2048;      // several pages per chunk
    WriteAndCheck(test);
  }
}

TEST_CASE("parquet writer: DuckDB reads back PLAIN, fallback, v2 pages and REQUIRED columns") {
  Case plain;
  plain.name = "plain";
  plain.options.dictionary = false;
  plain.options.page_bytes = 8192;
  WriteAndCheck(plain);

  Case fallback;
  fallback.name = "fallback";
  fallback.options.dictionary_page_bytes = 600;  // overflows mid-chunk for the unique values
  fallback.options.row_group_rows = 3000;
  fallback.options.page_bytes = 2048;
  WriteAndCheck(fallback);

  Case v2;
  v2.name = "v2_zstd";
  v2.options.data_page_v2 = true;
  v2.options.parquet_compression = ParquetCompression::kZstd;
  v2.options.page_bytes = 4096;
  v2.options.row_group_rows = 1500;
  WriteAndCheck(v2);

  Case v2_none = v2;
  v2_none.name = "v2_none";
  v2_none.options.parquet_compression = ParquetCompression::kUncompressed;
  WriteAndCheck(v2_none);

  Case required;
  required.name = "required";
  required.nullable = false;
  required.options.row_group_rows = 2500;
  WriteAndCheck(required);

  Case tiny;
  tiny.name = "one_row";
  tiny.rows = 1;
  WriteAndCheck(tiny);

  Case empty;
  empty.name = "no_rows";
  empty.rows = 0;
  WriteAndCheck(empty);
}

TEST_CASE("parquet writer: DuckDB reads back chunks that fall back from dictionary to PLAIN") {
  fs::path dir = TestDir();
  std::string parquet = (dir / "fallback_mixed.parquet").string();
  std::string expected_path = (dir / "fallback_mixed.expected.jsonl").string();
  auto schema = std::make_shared<Schema>(std::vector<Field>{{"s", DataType::Of(TypeId::kString), true},
                                                            {"i", DataType::Of(TypeId::kInt64), true}});
  for (bool v2 : {false, true}) {
    WriterOptions options;
    options.path = parquet;
    options.dictionary_page_bytes = 4000;
    options.page_bytes = 4096;
    options.row_group_rows = 6000;  // the second row group starts with a fresh dictionary
    options.data_page_v2 = v2;
    auto writer = ParquetFileWriter::Open(*schema, options);
    REQUIRE(writer.ok());
    std::ofstream expected(expected_path, std::ios::binary);
    expected << R"({"columns":[["s","VARCHAR"],["i","BIGINT"]]})" << "\n";
    RowBatch batch(schema, 1000);
    for (int64_t row = 0; row < 10000; row += 1000) {
      batch.Reset();
      for (int64_t k = 0; k < 1000; ++k) {
        AppendFallbackValue((row + k) % 6000, &batch.column(0), &batch.column(1));
        batch.CommitRow();
        expected << nlohmann::json::array({Canonical(batch.column(0), k), Canonical(batch.column(1), k)}).dump()
                 << "\n";
      }
      REQUIRE((*writer)->Write(batch).ok());
    }
    expected.close();
    REQUIRE((*writer)->Close().ok());
    REQUIRE_MESSAGE(NodeAvailable(), "node not found: run scripts/install-deps.sh (DuckDB is the oracle)");
    std::string output;
    int rc = RunDuckDbCheck("rows", parquet, expected_path, &output);
    CHECK_MESSAGE(rc == 0, output);
  }
  fs::remove(parquet);
  fs::remove(expected_path);
  std::error_code ignored;
  fs::remove(dir, ignored);
}

// One million TPC-H-orders-shaped rows in many row groups; checked by aggregates (cheap for
// DuckDB, exact) and by a few sampled rows.
TEST_CASE("parquet writer: DuckDB reads back a 1M-row file with many row groups") {
  fs::path dir = TestDir();
  std::string parquet = (dir / "orders_1m.parquet").string();
  std::string queries = (dir / "orders_1m.queries.jsonl").string();
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"o_orderkey", DataType::Of(TypeId::kInt64), false},
      {"o_custkey", DataType::Of(TypeId::kInt64), true},
      {"o_orderstatus", DataType::Of(TypeId::kString), true},
      {"o_totalprice", DataType::Of(TypeId::kDouble), true},
      {"o_orderdate", DataType::Of(TypeId::kDate), true},
      {"o_comment", DataType::Of(TypeId::kString), true},
  });
  WriterOptions options;
  options.path = parquet;
  options.format = FileFormat::kParquet;
  options.row_group_rows = 65536;  // 16 row groups
  auto writer = ParquetFileWriter::Open(*schema, options);
  REQUIRE(writer.ok());
  const int64_t kRows = 1000000;
  int64_t sum_key = 0, sum_cust = 0, null_cust = 0, sum_cents = 0, sum_days = 0, sum_comment_len = 0;
  int64_t count_f = 0, min_cents = INT64_MAX, max_cents = INT64_MIN;
  std::string comment_777777;
  RowBatch batch(schema, 4096);
  for (int64_t row = 0; row < kRows;) {
    batch.Reset();
    int64_t n = std::min<int64_t>(4096, kRows - row);
    for (int64_t k = 0; k < n; ++k) {
      int64_t r = row + k;
      uint64_t h = Mix(static_cast<uint64_t>(r));
      int64_t key = r * 4 + 1;
      batch.column(0).AppendInt(key);
      sum_key += key;
      if (r % 13 == 0) {
        batch.column(1).AppendNull();
        ++null_cust;
      } else {
        int64_t cust = static_cast<int64_t>(h % 150000) + 1;
        batch.column(1).AppendInt(cust);
        sum_cust += cust;
      }
      const char* status = (h >> 20) % 3 == 0 ? "F" : (h >> 20) % 3 == 1 ? "O" : "P";
      batch.column(2).AppendBytes(status);
      count_f += status[0] == 'F';
      int64_t cents = static_cast<int64_t>(h % 50000000) + 100;
      batch.column(3).AppendDouble(static_cast<double>(cents) / 100.0);
      sum_cents += cents;
      min_cents = std::min(min_cents, cents);
      max_cents = std::max(max_cents, cents);
      int64_t days = 8035 + static_cast<int64_t>((h >> 32) % 2405);
      batch.column(4).AppendInt(days);
      sum_days += days;
      std::string comment = "order " + std::to_string(h % 1000003) + " furiously " + std::string((h >> 40) % 30, 'z');
      if (r == 777777) comment_777777 = comment;
      sum_comment_len += static_cast<int64_t>(comment.size());
      batch.column(5).AppendBytes(comment);
      batch.CommitRow();
    }
    Status s = (*writer)->Write(batch);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    row += n;
  }
  REQUIRE((*writer)->Close().ok());
  // DuckDB is the oracle of these files: without Node.js the test fails rather than passing on
  // our own reader's word alone.
  REQUIRE_MESSAGE(NodeAvailable(), "node not found: run scripts/install-deps.sh (DuckDB is the oracle)");
  std::ofstream q(queries);
  auto add = [&](const std::string& sql, const std::string& expect) {
    q << nlohmann::json{{"sql", sql}, {"expect", expect}}.dump() << "\n";
  };
  add("SELECT count(*) FROM read_parquet($FILE)", std::to_string(kRows));
  add("SELECT count(DISTINCT row_group_id) FROM parquet_metadata($FILE)", "16");
  add("SELECT sum(o_orderkey)::VARCHAR FROM read_parquet($FILE)", std::to_string(sum_key));
  add("SELECT sum(o_custkey)::VARCHAR FROM read_parquet($FILE)", std::to_string(sum_cust));
  add("SELECT count(*) FILTER (WHERE o_custkey IS NULL) FROM read_parquet($FILE)", std::to_string(null_cust));
  add("SELECT count(*) FILTER (WHERE o_orderstatus = 'F') FROM read_parquet($FILE)", std::to_string(count_f));
  add("SELECT sum(round(o_totalprice * 100)::BIGINT)::VARCHAR FROM read_parquet($FILE)", std::to_string(sum_cents));
  add("SELECT sum(o_orderdate - DATE '1970-01-01')::VARCHAR FROM read_parquet($FILE)", std::to_string(sum_days));
  add("SELECT sum(strlen(o_comment))::VARCHAR FROM read_parquet($FILE)", std::to_string(sum_comment_len));
  add("SELECT o_comment FROM read_parquet($FILE) WHERE o_orderkey = " + std::to_string(777777 * 4 + 1), comment_777777);
  // Footer statistics, as DuckDB reads them.
  const std::string stats = " FROM parquet_metadata($FILE) WHERE path_in_schema = ";
  add("SELECT min(stats_min_value::BIGINT)" + stats + "'o_orderkey'", "1");
  add("SELECT max(stats_max_value::BIGINT)" + stats + "'o_orderkey'", std::to_string((kRows - 1) * 4 + 1));
  add("SELECT sum(stats_null_count)::VARCHAR" + stats + "'o_custkey'", std::to_string(null_cust));
  add("SELECT min(stats_min_value)" + stats + "'o_orderstatus'", "F");
  add("SELECT max(stats_max_value)" + stats + "'o_orderstatus'", "P");
  add("SELECT min(round(stats_min_value::DOUBLE * 100)::BIGINT)" + stats + "'o_totalprice'", std::to_string(min_cents));
  add("SELECT max(round(stats_max_value::DOUBLE * 100)::BIGINT)" + stats + "'o_totalprice'", std::to_string(max_cents));
  q.close();
  std::string output;
  int rc = RunDuckDbCheck("sql", parquet, queries, &output);
  CHECK_MESSAGE(rc == 0, output);
  if (rc == 0) {
    fs::remove(parquet);
    fs::remove(queries);
    std::error_code ignored;
    fs::remove(dir, ignored);
  }
}

}  // namespace
}  // namespace tsb::parquet
