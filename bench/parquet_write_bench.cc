// Measures ParquetFileWriter on a 1M-row TPC-H-orders-shaped table, for comparison with DuckDB's
// COPY TO on the same rows (bench/parquet_write_bench.mjs).
//
//   parquet_write_bench [orders.csv] [out.parquet] [runs=5] [row_group_rows=122880] [codec=snappy]
//
// The rows: the six columns o_orderkey BIGINT, o_orderdate_str VARCHAR, o_custkey BIGINT,
// o_orderstatus VARCHAR, o_totalprice DOUBLE, o_comment VARCHAR of the shared corpus's
// csv/orders.csv (100,000 rows), repeated 10 times with o_orderkey + rep * 10,000,000, in file
// order: exactly the table the .mjs builds in DuckDB. They are parsed into RowBatches of 4096 rows
// before the clock starts; each run times Open + Write of every batch + Close (rename included).
// 122,880 rows per row group is DuckDB's default ROW_GROUP_SIZE.
// Prints one line per run and the medians, wall and CPU time in milliseconds (CPU time is the
// steadier figure on a shared machine), and the file size.
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tsbridge/row_batch.h"
#include "formats/format.h"
#include "formats/parquet/file_writer.h"

namespace {

double CpuMs() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// RFC 4180 fields of one record starting at *pos; false at end of input.
bool NextRecord(const std::string& text, size_t* pos, std::vector<std::string>* fields) {
  fields->clear();
  if (*pos >= text.size()) return false;
  std::string field;
  size_t i = *pos;
  while (true) {
    field.clear();
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (i < text.size()) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
          } else {
            ++i;
            break;
          }
        } else {
          field.push_back(text[i++]);
        }
      }
    } else {
      while (i < text.size() && text[i] != ',' && text[i] != '\n') field.push_back(text[i++]);
    }
    fields->push_back(field);
    if (i >= text.size() || text[i] == '\n') {
      *pos = i + 1;
      return true;
    }
    ++i;  // ','
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string csv = argc > 1 ? argv[1] : "/work/shared/testdata/csv/orders.csv";
  std::string out = argc > 2 ? argv[2] : "/tmp/tsb_bench_orders.parquet";
  int runs = argc > 3 ? std::atoi(argv[3]) : 5;
  int64_t row_group_rows = argc > 4 ? std::atoll(argv[4]) : 122880;
  std::string codec = argc > 5 ? argv[5] : "snappy";

  std::ifstream in(csv, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", csv.c_str());
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();

  auto schema = std::make_shared<tsb::Schema>(std::vector<tsb::Field>{
      {"o_orderkey", tsb::DataType::Of(tsb::TypeId::kInt64), true},
      {"o_orderdate_str", tsb::DataType::Of(tsb::TypeId::kString), true},
      {"o_custkey", tsb::DataType::Of(tsb::TypeId::kInt64), true},
      {"o_orderstatus", tsb::DataType::Of(tsb::TypeId::kString), true},
      {"o_totalprice", tsb::DataType::Of(tsb::TypeId::kDouble), true},
      {"o_comment", tsb::DataType::Of(tsb::TypeId::kString), true},
  });
  struct Row {
    int64_t key, cust;
    std::string date, status, comment;
    double price;
  };
  std::vector<Row> rows;
  size_t pos = 0;
  std::vector<std::string> f;
  NextRecord(text, &pos, &f);  // header
  // o_orderkey,o_custkey,o_orderstatus,o_totalprice,o_orderdate,o_orderpriority,o_clerk,
  // o_shippriority,o_comment,o_orderdate_str
  while (NextRecord(text, &pos, &f)) {
    if (f.size() != 10) continue;
    rows.push_back(Row{std::atoll(f[0].c_str()), std::atoll(f[1].c_str()), f[9], f[2], f[8],
                       std::strtod(f[3].c_str(), nullptr)});
  }
  std::vector<std::unique_ptr<tsb::RowBatch>> batches;
  for (int rep = 0; rep < 10; ++rep) {
    for (const Row& r : rows) {
      if (batches.empty() || batches.back()->full()) batches.push_back(std::make_unique<tsb::RowBatch>(schema, 4096));
      tsb::RowBatch& b = *batches.back();
      b.column(0).AppendInt(r.key + rep * int64_t{10000000});
      b.column(1).AppendBytes(r.date);
      b.column(2).AppendInt(r.cust);
      b.column(3).AppendBytes(r.status);
      b.column(4).AppendDouble(r.price);
      b.column(5).AppendBytes(r.comment);
      b.CommitRow();
    }
  }
  size_t total = 0;
  for (auto& b : batches) total += b->num_rows();
  std::printf("rows: %zu in %zu batches, row group %lld rows, codec %s\n", total, batches.size(),
              static_cast<long long>(row_group_rows), codec.c_str());

  tsb::WriterOptions options;
  options.path = out;
  options.format = tsb::FileFormat::kParquet;
  options.row_group_rows = row_group_rows;
  options.parquet_compression = codec == "none"    ? tsb::ParquetCompression::kUncompressed
                                : codec == "zstd"  ? tsb::ParquetCompression::kZstd
                                : codec == "gzip"  ? tsb::ParquetCompression::kGzip
                                : codec == "lz4"   ? tsb::ParquetCompression::kLz4Raw
                                                   : tsb::ParquetCompression::kSnappy;
  std::vector<double> times, cpu_times;
  for (int run = 0; run < runs; ++run) {
    double cpu_start = CpuMs();
    auto start = std::chrono::steady_clock::now();
    auto writer = tsb::parquet::ParquetFileWriter::Open(*schema, options);
    if (!writer.ok()) {
      std::fprintf(stderr, "%s\n", writer.status().ToString().c_str());
      return 1;
    }
    for (auto& b : batches) {
      tsb::Status s = (*writer)->Write(*b);
      if (!s.ok()) {
        std::fprintf(stderr, "%s\n", s.ToString().c_str());
        return 1;
      }
    }
    tsb::Status s = (*writer)->Close();
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    double cpu = CpuMs() - cpu_start;
    times.push_back(ms);
    cpu_times.push_back(cpu);
    std::printf("run %d: %.1f ms wall, %.1f ms cpu\n", run + 1, ms, cpu);
  }
  std::sort(times.begin(), times.end());
  std::sort(cpu_times.begin(), cpu_times.end());
  struct stat st;
  stat(out.c_str(), &st);
  std::printf("tsbridge median: %.1f ms wall, %.1f ms cpu, file %lld bytes\n", times[times.size() / 2],
              cpu_times[cpu_times.size() / 2], static_cast<long long>(st.st_size));
  return 0;
}
