// One round-trip harness over every file writer/reader pair, after LevelDB's table_test: the
// batches of support/round_trip.h go through each pair's writer, its reader reads them back with
// the same schema, and every cell must come back exactly (Exact()). The table pair, through the
// emulator, is tests/tablestore/table_round_trip_test.cc, on the same batches.
//
// A new format adds its pairs to Pairs(); a case that cannot round-trip in a format is a finding,
// not a reason to leave the value out.
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "formats/format.h"
#include "formats/text_testing.h"
#include "support/round_trip.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/types.h"

namespace tsb::testing {
namespace {

struct Pair {
  std::string name;  // the file's name, whose extension picks format and compression
  WriterOptions options;
};

std::vector<Pair> Pairs() {
  std::vector<Pair> pairs;
  auto text = [&](const std::string& name) {
    Pair p{name, {}};
    auto f = FormatFromPath(name, &p.options.compression);
    REQUIRE(f.ok());
    p.options.format = *f;
    pairs.push_back(p);
  };
  for (const char* name : {"rt.csv", "rt.csv.gz", "rt.csv.zst", "rt.jsonl", "rt.jsonl.gz", "rt.jsonl.zst"}) {
    text(name);
  }
  struct ParquetCase {
    const char* name;
    ParquetCompression codec;
    bool v2;
    bool dictionary;
  };
  const ParquetCase cases[] = {
      {"rt-uncompressed.parquet", ParquetCompression::kUncompressed, false, true},
      {"rt-snappy.parquet", ParquetCompression::kSnappy, false, true},
      {"rt-gzip-v2.parquet", ParquetCompression::kGzip, true, true},
      {"rt-zstd-plain.parquet", ParquetCompression::kZstd, false, false},
      {"rt-lz4raw-v2.parquet", ParquetCompression::kLz4Raw, true, false},
      {"rt-brotli.parquet", ParquetCompression::kBrotli, false, true},
  };
  for (const ParquetCase& c : cases) {
    Pair p{c.name, {}};
    p.options.format = FileFormat::kParquet;
    p.options.parquet_compression = c.codec;
    p.options.data_page_v2 = c.v2;
    p.options.dictionary = c.dictionary;
    p.options.row_group_rows = 1000;  // row groups end inside batches
    p.options.page_bytes = 4096;      // many pages per chunk
    pairs.push_back(p);
  }
  return pairs;
}

TEST_CASE("round trip: every file writer/reader pair gives back the batches it was given") {
  auto schema = std::make_shared<const Schema>(RoundTripFields());
  const std::vector<RowBatch> batches = RoundTripBatches(schema);
  for (Pair& pair : Pairs()) {
    CAPTURE(pair.name);
    pair.options.path = TempPath(pair.name);
    {
      auto writer = OpenWriter(*schema, pair.options);
      REQUIRE_MESSAGE(writer.ok(), writer.status().ToString());
      for (const RowBatch& b : batches) REQUIRE((*writer)->Write(b).ok());
      Status closed = (*writer)->Close();
      REQUIRE_MESSAGE(closed.ok(), closed.ToString());
    }
    ReaderOptions ro;
    ro.path = pair.options.path;
    ro.format = pair.options.format;
    ro.compression = pair.options.compression;
    ro.columns = schema->fields();
    ro.batch_rows = 512;
    auto reader = OpenReader(ro);
    REQUIRE_MESSAGE(reader.ok(), reader.status().ToString());
    REQUIRE((*reader)->schema().size() == schema->size());
    RowBatch got(std::make_shared<const Schema>((*reader)->schema()), ro.batch_rows);
    int64_t row = 0;
    size_t mismatches = 0;
    for (;;) {
      Status s = (*reader)->Next(&got);
      REQUIRE_MESSAGE(s.ok(), s.ToString());
      for (const RejectedRecord& rej : got.rejects()) {
        FAIL_CHECK("rejected at " << rej.position << ": " << rej.code << " " << rej.message);
      }
      if (got.num_rows() == 0 && got.rejects().empty()) break;
      for (size_t i = 0; i < got.num_rows(); ++i, ++row) {
        REQUIRE(row < kRows);
        const RowBatch& want = batches[static_cast<size_t>(row) / kBatchRows];
        const size_t wi = static_cast<size_t>(row) % kBatchRows;
        for (size_t c = 0; c < schema->size(); ++c) {
          const std::string expected = Exact(want.column(c), wi);
          const std::string actual = Exact(got.column(c), i);
          if (expected != actual && ++mismatches <= 20) {
            FAIL_CHECK("row " << row << " column " << schema->field(c).name << ": wrote "
                              << expected << ", read " << actual);
          }
        }
      }
    }
    CHECK(row == kRows);
    CHECK(mismatches == 0);
  }
}

}  // namespace
}  // namespace tsb::testing
