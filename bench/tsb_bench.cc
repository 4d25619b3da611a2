// tsb_bench: the benchmark harness's helper program (bench/run.sh drives it).
//
//   tsb_bench gen     --rows N --csv OUT           deterministic TPC-H-orders rows as CSV
//   tsb_bench create  --table T [--drop]           (re)create the orders table
//   tsb_bench drop    --table T                    delete the table if it exists
//   tsb_bench load    --table T --rows N [--per 200] [--in-flight 4]
//                                                  the same rows, BatchWriteRow PUTs, no file I/O
//   tsb_bench scan    --table T [--limit 5000]     GetRange pages over the whole table
//   tsb_bench convert IN OUT                       file -> file through our BatchReader/Writer
//
// create/drop/load/scan take --endpoint URL --instance NAME; the key pair comes from
// ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (never a flag).
//
// The rows: o_orderkey = i + 1 (i from 0), o_orderdate a 'YYYY-MM-DD' string in TPC-H's range
// (1992-01-01 .. 1998-08-02), o_custkey in 1..150000, o_orderstatus F/O/P, o_totalprice with two
// decimals in 857.71 .. 555285.16, o_comment 19..78 characters of TPC-H-like words; each field is
// a function of (i, field) through splitmix64, so any process regenerates row i alone. About 88
// bytes of CSV and ~100 bytes of attribute data per row. Primary key (o_orderkey INTEGER,
// o_orderdate STRING), as the guide's table.
//
// gen, load and scan print one line of `key=value` pairs on stdout, among them `rows=` and
// `checksum=`: the wrapping sum over rows of a 64-bit hash of the row's canonical text
// "key|date|cust|status|cents|comment" (cents = llround(price * 100)). It does not depend on row
// order, so the checksum of a generated file and of a scanned table agree iff they hold the same
// rows. load and scan also print `seconds=` (wall) and `rows_per_sec=`.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tsbridge/row_batch.h"
#include "tsbridge/types.h"
#include "formats/format.h"
#include "tsbridge/tablestore/client.h"

namespace {

// --------------------------------------------------------------------------------------------
// Deterministic rows.

uint64_t SplitMix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t Draw(uint64_t row, uint64_t field) { return SplitMix(row * 16 + field + 0x5EEDull); }

constexpr const char* kWords[] = {
    "furiously", "sly",      "careful",  "blithely", "quickly", "fluffily", "slyly",   "ironic",
    "final",     "regular",  "express",  "special",  "pending", "bold",     "even",    "silent",
    "unusual",   "requests", "deposits", "packages", "accounts", "pinto",   "beans",   "foxes",
    "ideas",     "theodolites", "instructions", "dependencies", "asymptotes", "platelets",
    "courts",    "dolphins", "sentiments", "frets",  "excuses", "warhorses", "about",  "above",
    "according", "across",   "after",    "against",  "along",   "among",    "around",  "beside",
    "cajole",    "haggle",   "nag",      "sleep",    "wake",    "boost",    "detect",  "integrate"};
constexpr int kNumWords = sizeof(kWords) / sizeof(kWords[0]);

struct OrderRow {
  int64_t orderkey;
  char date[32];  // 'YYYY-MM-DD'; sized for any int, as -Wformat-truncation asks
  int64_t custkey;
  char status[2];
  int64_t cents;
  std::string comment;
};

void CivilFromDays(int64_t z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(yy + (*m <= 2));
}

void MakeRow(uint64_t i, OrderRow* r) {
  r->orderkey = static_cast<int64_t>(i) + 1;
  int y;
  unsigned m, d;
  CivilFromDays(8035 + static_cast<int64_t>(Draw(i, 1) % 2405), &y, &m, &d);  // 1992-01-01 +
  std::snprintf(r->date, sizeof(r->date), "%04d-%02u-%02u", y, m, d);
  r->custkey = static_cast<int64_t>(Draw(i, 2) % 150000) + 1;
  r->status[0] = "FOP"[Draw(i, 3) % 3];
  r->status[1] = 0;
  r->cents = 85771 + static_cast<int64_t>(Draw(i, 4) % (55528516 - 85771));
  size_t target = 19 + Draw(i, 5) % 60;
  r->comment.clear();
  uint64_t w = Draw(i, 6);
  for (int k = 0; r->comment.size() < target; ++k) {
    if (!r->comment.empty()) r->comment.push_back(' ');
    r->comment += kWords[(w >> ((k % 10) * 6)) % kNumWords];
    if (k % 10 == 9) w = SplitMix(w);
  }
  if (r->comment.size() > target) r->comment.resize(target);
  while (!r->comment.empty() && r->comment.back() == ' ') r->comment.pop_back();
}

tsb::ots::Cell MakeCell(std::string_view name, tsb::ots::Value value) {
  tsb::ots::Cell c;
  c.name = name;
  c.value = value;
  return c;
}

uint64_t Fnv1a(std::string_view s, uint64_t h = 0xcbf29ce484222325ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t RowHash(int64_t key, std::string_view date, int64_t cust, std::string_view status,
                 int64_t cents, std::string_view comment) {
  char buf[96];
  int n = std::snprintf(buf, sizeof(buf), "%" PRId64 "|%.*s|%" PRId64 "|%.*s|%" PRId64 "|", key,
                        static_cast<int>(date.size()), date.data(), cust,
                        static_cast<int>(status.size()), status.data(), cents);
  return SplitMix(Fnv1a(comment, Fnv1a(std::string_view(buf, n))));
}

// --------------------------------------------------------------------------------------------
// Flags.

struct Args {
  std::vector<std::string> positional;
  std::string endpoint = "http://127.0.0.1:8800";
  std::string instance = "bench";
  std::string table = "orders";
  std::string csv;
  uint64_t rows = 0;
  int per = 200;
  int in_flight = 4;
  int limit = 5000;
  bool drop = false;
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "tsb_bench: %s\n", message.c_str());
  std::exit(1);
}

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 2; i < argc; ++i) {
    std::string f = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die(f + " needs a value");
      return argv[++i];
    };
    if (f == "--endpoint") a.endpoint = next();
    else if (f == "--instance") a.instance = next();
    else if (f == "--table") a.table = next();
    else if (f == "--csv") a.csv = next();
    else if (f == "--rows") a.rows = std::strtoull(next().c_str(), nullptr, 10);
    else if (f == "--per") a.per = std::atoi(next().c_str());
    else if (f == "--in-flight") a.in_flight = std::atoi(next().c_str());
    else if (f == "--limit") a.limit = std::atoi(next().c_str());
    else if (f == "--drop") a.drop = true;
    else if (!f.empty() && f[0] == '-') Die("unknown flag " + f);
    else a.positional.push_back(f);
  }
  return a;
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

std::unique_ptr<tsb::ots::Client> Connect(const Args& a) {
  tsb::ots::ClientOptions o;
  o.endpoint = a.endpoint;
  o.instance = a.instance;
  const char* id = std::getenv("ALIBABA_CLOUD_ACCESS_KEY_ID");
  const char* secret = std::getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  if (!id || !secret) Die("set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  o.credentials.access_key_id = id;
  o.credentials.access_key_secret = secret;
  o.credentials.source = "environment";
  auto c = tsb::ots::Client::Create(std::move(o));
  if (!c.ok()) Die("client: " + c.status().ToString());
  return std::move(c).value();
}

// --------------------------------------------------------------------------------------------
// Subcommands.

int Gen(const Args& a) {
  if (a.csv.empty()) Die("gen needs --csv");
  FILE* f = std::fopen(a.csv.c_str(), "wb");
  if (!f) Die("cannot open " + a.csv);
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  std::fputs("o_orderkey,o_orderdate,o_custkey,o_orderstatus,o_totalprice,o_comment\n", f);
  OrderRow r;
  uint64_t sum = 0;
  for (uint64_t i = 0; i < a.rows; ++i) {
    MakeRow(i, &r);
    std::fprintf(f, "%" PRId64 ",%s,%" PRId64 ",%s,%" PRId64 ".%02" PRId64 ",%s\n", r.orderkey,
                 r.date, r.custkey, r.status, r.cents / 100, r.cents % 100, r.comment.c_str());
    sum += RowHash(r.orderkey, r.date, r.custkey, r.status, r.cents, r.comment);
  }
  if (std::fclose(f) != 0) Die("write failed: " + a.csv);
  std::printf("rows=%" PRIu64 " checksum=%016" PRIx64 "\n", a.rows, sum);
  return 0;
}

int Drop(const Args& a, tsb::ots::Client* c) {
  auto list = c->ListTable();
  if (!list.ok()) Die("ListTable: " + list.status().ToString());
  for (const auto& t : list.value()) {
    if (t == a.table) {
      auto s = c->DeleteTable(a.table);
      if (!s.ok()) Die("DeleteTable: " + s.ToString());
    }
  }
  return 0;
}

int Create(const Args& a, tsb::ots::Client* c) {
  if (a.drop) Drop(a, c);
  tsb::ots::CreateTableRequest req;
  req.meta.name = a.table;
  req.meta.primary_key = {{"o_orderkey", tsb::ots::PrimaryKeyType::kInteger, false},
                          {"o_orderdate", tsb::ots::PrimaryKeyType::kString, false}};
  req.options.time_to_live = -1;
  req.options.max_versions = 1;
  auto s = c->CreateTable(req);
  if (!s.ok()) Die("CreateTable: " + s.ToString());
  return 0;
}

int Load(const Args& a, tsb::ots::Client* c) {
  const uint64_t chunks = (a.rows + a.per - 1) / a.per;
  std::atomic<uint64_t> next{0};
  std::atomic<uint64_t> sum{0};
  std::atomic<bool> failed{false};
  double start = Now();
  auto worker = [&] {
    std::vector<OrderRow> rows(a.per);
    std::vector<tsb::ots::Row> wire(a.per);
    tsb::ots::BatchResult result;
    uint64_t local = 0;
    for (uint64_t k; !failed && (k = next++) < chunks;) {
      uint64_t first = k * a.per, last = std::min<uint64_t>(a.rows, first + a.per);
      tsb::ots::BatchWriteRowRequest req;
      req.tables.resize(1);
      req.tables[0].table = a.table;
      for (uint64_t i = first; i < last; ++i) {
        OrderRow& r = rows[i - first];
        MakeRow(i, &r);
        local += RowHash(r.orderkey, r.date, r.custkey, r.status, r.cents, r.comment);
        tsb::ots::Row& w = wire[i - first];
        w.clear();
        w.primary_key.push_back(MakeCell("o_orderkey", tsb::ots::Value::Integer(r.orderkey)));
        w.primary_key.push_back(MakeCell("o_orderdate", tsb::ots::Value::String(r.date)));
        w.attributes.push_back(MakeCell("o_custkey", tsb::ots::Value::Integer(r.custkey)));
        w.attributes.push_back(MakeCell("o_orderstatus", tsb::ots::Value::String(r.status)));
        w.attributes.push_back(MakeCell("o_totalprice", tsb::ots::Value::Double(r.cents / 100.0)));
        w.attributes.push_back(MakeCell("o_comment", tsb::ots::Value::String(r.comment)));
        tsb::ots::BatchWriteRowItem item;
        item.type = tsb::ots::WriteType::kPut;
        item.row = &w;
        req.tables[0].rows.push_back(std::move(item));
      }
      auto s = c->BatchWriteRow(req, &result);
      if (!s.ok() || result.failed_rows != 0) {
        std::fprintf(stderr, "tsb_bench: BatchWriteRow: %s (%zu rows failed)\n",
                     s.ToString().c_str(), result.failed_rows);
        failed = true;
      }
    }
    sum += local;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < a.in_flight; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (failed) return 1;
  double seconds = Now() - start;
  std::printf("rows=%" PRIu64 " checksum=%016" PRIx64
              " seconds=%.3f rows_per_sec=%.0f client_cpu=%.3f\n",
              a.rows, sum.load(), seconds, a.rows / seconds, CpuSeconds());
  return 0;
}

int Scan(const Args& a, tsb::ots::Client* c) {
  tsb::ots::GetRangeRequest req;
  req.table = a.table;
  req.limit = a.limit;
  req.inclusive_start = {MakeCell("o_orderkey", tsb::ots::Value::InfMin()),
                         MakeCell("o_orderdate", tsb::ots::Value::InfMin())};
  req.exclusive_end = {MakeCell("o_orderkey", tsb::ots::Value::InfMax()),
                       MakeCell("o_orderdate", tsb::ots::Value::InfMax())};
  uint64_t rows = 0, sum = 0, bytes = 0;
  bool bad = false;
  double start = Now();
  auto s = c->GetRangeAll(req, [&](const tsb::ots::GetRangeResult& page) {
    bytes += page.response_bytes;
    for (const auto& row : page.rows) {
      ++rows;
      int64_t key = 0, cust = 0, cents = 0;
      std::string_view date, status, comment;
      if (row.primary_key.size() == 2) {
        key = row.primary_key[0].value->i;
        date = row.primary_key[1].value->bytes;
      } else {
        bad = true;
      }
      for (const auto& cell : row.attributes) {
        if (!cell.value) continue;
        if (cell.name == "o_custkey") cust = cell.value->i;
        else if (cell.name == "o_orderstatus") status = cell.value->bytes;
        else if (cell.name == "o_totalprice") cents = std::llround(cell.value->d * 100);
        else if (cell.name == "o_comment") comment = cell.value->bytes;
      }
      sum += RowHash(key, date, cust, status, cents, comment);
    }
    return tsb::Status::OK();
  });
  if (!s.ok()) Die("GetRange: " + s.ToString());
  double seconds = Now() - start;
  std::printf("rows=%" PRIu64 " checksum=%016" PRIx64
              " seconds=%.3f rows_per_sec=%.0f response_mb=%.1f client_cpu=%.3f\n",
              rows, sum, seconds, rows / seconds, bytes / 1e6, CpuSeconds());
  return bad ? 1 : 0;
}

int Convert(const Args& a) {
  if (a.positional.size() != 2) Die("convert IN OUT");
  using tsb::DataType;
  using tsb::TypeId;
  std::vector<tsb::Field> fields = {{"o_orderkey", DataType::Of(TypeId::kInt64), true},
                                    {"o_orderdate", DataType::Of(TypeId::kString), true},
                                    {"o_custkey", DataType::Of(TypeId::kInt64), true},
                                    {"o_orderstatus", DataType::Of(TypeId::kString), true},
                                    {"o_totalprice", DataType::Of(TypeId::kDouble), true},
                                    {"o_comment", DataType::Of(TypeId::kString), true}};
  tsb::ReaderOptions ro;
  ro.path = a.positional[0];
  auto in_format = tsb::FormatFromPath(ro.path, &ro.compression);
  if (!in_format.ok()) Die(in_format.status().ToString());
  ro.format = in_format.value();
  ro.columns = fields;
  auto reader = tsb::OpenReader(ro);
  if (!reader.ok()) Die("open " + ro.path + ": " + reader.status().ToString());
  tsb::WriterOptions wo;
  wo.path = a.positional[1];
  auto out_format = tsb::FormatFromPath(wo.path, &wo.compression);
  if (!out_format.ok()) Die(out_format.status().ToString());
  wo.format = out_format.value();
  wo.parquet_compression = tsb::ParquetCompression::kSnappy;
  auto schema = std::make_shared<const tsb::Schema>(reader.value()->schema());
  auto writer = tsb::OpenWriter(*schema, wo);
  if (!writer.ok()) Die("open " + wo.path + ": " + writer.status().ToString());
  tsb::RowBatch batch(schema);
  uint64_t rows = 0;
  while (true) {
    auto s = reader.value()->Next(&batch);
    if (!s.ok()) Die("read: " + s.ToString());
    if (!batch.rejects().empty()) Die("read: rejected records");
    if (batch.num_rows() == 0) break;
    rows += batch.num_rows();
    s = writer.value()->Write(batch);
    if (!s.ok()) Die("write: " + s.ToString());
  }
  auto s = writer.value()->Close();
  if (!s.ok()) Die("close: " + s.ToString());
  std::printf("rows=%" PRIu64 "\n", rows);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: tsb_bench gen|create|drop|load|scan|convert ...\n");
    return 2;
  }
  std::string cmd = argv[1];
  Args a = Parse(argc, argv);
  if (cmd == "gen") return Gen(a);
  if (cmd == "convert") return Convert(a);
  auto c = Connect(a);
  if (cmd == "create") return Create(a, c.get());
  if (cmd == "drop") return Drop(a, c.get());
  if (cmd == "load") return Load(a, c.get());
  if (cmd == "scan") return Scan(a, c.get());
  Die("unknown subcommand " + cmd);
}
