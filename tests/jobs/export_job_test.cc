// RunExport against the emulator in-process: modes, NULL handling, rows without cells,
// --if-absent, reject files (CSV and JSON Lines layouts, re-export of a fixed file), checks before
// any write (missing table, missing column), --max-errors, --shard, --dry-run.
#include "jobs/export_job.h"

#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli/exit_status.h"
#include "emulator/server.h"
#include "formats/format.h"
#include "jobs/checkpoint.h"
#include "jobs/export_scatter.h"
#include "jobs/job_common.h"
#include "support/emulator_fixture.h"
#include "tsbridge/tablestore/client.h"

using namespace tsb;

namespace {

struct Fixture : tsb::testing::EmulatorFixture {
  std::filesystem::path dir;

  Fixture() : EmulatorFixture("jobtest") {
    UseDevKeyFromEnvironment();
    dir = std::filesystem::temp_directory_path() /
          ("tsb_export_job_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(dir);
  }
  ~Fixture() { std::filesystem::remove_all(dir); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string p = (dir / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string Read(const std::string& name) {
    std::ifstream in(dir / name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // Columns id bigint (key), a string, b bigint; table "t".
  std::string Spec(const std::string& table = "t") {
    return Write("spec.json", R"({"tablestore": {"endpoint": ")" + server.endpoint() +
                                  R"(", "instance": "jobtest", "table": ")" + table +
                                  R"("}, "columns": [{"name": "id", "type": "bigint"},
                 {"name": "a", "type": "string"}, {"name": "b", "type": "bigint"}],
                 "mapping": ":id, a, b"})");
  }
  void CreateTable() {
    ots::CreateTableRequest t;
    t.meta.name = "t";
    t.meta.primary_key = {{"id", ots::PrimaryKeyType::kInteger}};
    REQUIRE(client->CreateTable(t).ok());
  }
  // id -> "a=...;b=...;c=..." of the table's attributes.
  std::map<int64_t, std::string> Table(const std::string& table = "t") {
    std::map<int64_t, std::string> out;
    ots::GetRangeRequest r;
    r.table = table;
    ots::Cell lo, hi;
    lo.name = hi.name = "id";
    lo.value = ots::Value::InfMin();
    hi.value = ots::Value::InfMax();
    r.inclusive_start = {lo};
    r.exclusive_end = {hi};
    Status s = client->GetRangeAll(r, [&](const ots::GetRangeResult& page) {
      for (const ots::Row& row : page.rows) {
        std::string text;
        for (const ots::Cell& c : row.attributes) {
          text += std::string(c.name) + "=";
          if (c.value->type == ots::ValueType::kInteger) {
            text += std::to_string(c.value->i);
          } else {
            text += std::string(c.value->bytes);
          }
          text += ";";
        }
        out[row.primary_key[0].value->i] = text;
      }
      return Status::OK();
    });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    return out;
  }
  jobs::ExportOptions Options(const std::string& input) {
    jobs::ExportOptions o;
    o.spec_path = Spec();
    o.input = input;
    o.quiet = true;
    return o;
  }
  static inline int counter = 0;
};

// Puts a row with columns a, b and an unmapped column c.
void Seed(Fixture& f, int64_t id) {
  ots::Row row;
  ots::Cell& k = row.primary_key.emplace_back();
  k.name = "id";
  k.value = ots::Value::Integer(id);
  for (auto [name, value] : {std::pair{"a", "olda"}, {"c", "keep"}}) {
    ots::Cell& c = row.attributes.emplace_back();
    c.name = name;
    c.value = ots::Value::String(value);
  }
  ots::Cell& b = row.attributes.emplace_back();
  b.name = "b";
  b.value = ots::Value::Integer(7);
  ots::WriteRowRequest req;
  req.table = "t";
  req.row = &row;
  ots::WriteRowResult result;
  REQUIRE(f.client->PutRow(req, &result).ok());
}

}  // namespace

TEST_CASE("export: update mode changes only mapped columns; NULLs skip or delete") {
  Fixture f;
  f.CreateTable();
  for (int id : {1, 2, 3}) Seed(f, id);
  std::string input = f.Write("in.csv", "id,a,b,ignored\n1,new,,x\n2,,,x\n4,fresh,5,x\n");
  jobs::JobSummary summary;
  SUBCASE("skip") {
    REQUIRE(jobs::RunExport(f.Options(input), &summary).ok());
    auto t = f.Table();
    CHECK(t[1] == "a=new;b=7;c=keep;");
    CHECK(t[2] == "a=olda;b=7;c=keep;");  // no cell to change: the row is left as it is
    CHECK(t[3] == "a=olda;b=7;c=keep;");  // not in the input
    CHECK(t[4] == "a=fresh;b=5;");
  }
  SUBCASE("delete") {
    auto o = f.Options(input);
    o.nulls_delete = true;
    REQUIRE(jobs::RunExport(o, &summary).ok());
    auto t = f.Table();
    CHECK(t[1] == "a=new;c=keep;");
    CHECK(t[2] == "c=keep;");
  }
  SUBCASE("put") {
    auto o = f.Options(input);
    o.put_mode = true;
    REQUIRE(jobs::RunExport(o, &summary).ok());
    auto t = f.Table();
    CHECK(t[1] == "a=new;");
    CHECK(t.count(2) == 1);
    CHECK(t[2] == "");
  }
  CHECK(summary.rows_read == 3);
  CHECK(summary.rows_written == 3);
  CHECK(summary.rows_rejected == 0);
}

TEST_CASE("export: a row with no cell comes to exist") {
  Fixture f;
  f.CreateTable();
  std::string input = f.Write("in.csv", "id,a,b\n9,,\n");
  jobs::JobSummary summary;
  REQUIRE(jobs::RunExport(f.Options(input), &summary).ok());
  auto t = f.Table();
  REQUIRE(t.count(9) == 1);
  CHECK(t[9] == "");
}

TEST_CASE("export: --if-absent rejects existing rows; the CSV reject file re-exports") {
  Fixture f;
  f.CreateTable();
  Seed(f, 2);
  std::string input =
      f.Write("in.csv", "id,a,b\n1,x,1\n2,\"with, comma\",2\n,nokey,3\n4,y,notanumber\n5,z,5,6\n");
  auto o = f.Options(input);
  o.if_absent = true;
  jobs::JobSummary summary;
  REQUIRE(jobs::RunExport(o, &summary).ok());
  CHECK(summary.rows_read == 5);
  CHECK(summary.rows_written == 1);
  CHECK(summary.rows_rejected == 4);
  std::string rejects = f.Read("in.rejects.csv");
  CHECK(rejects.find("id,a,b,_source_position,_raw_record,_error_code,_error_message\n") == 0);
  CHECK(rejects.find("2,\"with, comma\",2,3,,OTSConditionCheckFail,") != std::string::npos);
  CHECK(rejects.find(",nokey,3,4,,TSB_NULL_KEY,") != std::string::npos);
  CHECK(rejects.find("4,y,notanumber,5,,TSB_BAD_VALUE,") != std::string::npos);
  CHECK(rejects.find(",,,6,\"5,z,5,6\",TSB_FIELD_COUNT,") != std::string::npos);

  // Fix the NULL key, the bad number and the ragged line; leave the existing row.
  std::string fixed = rejects;
  auto replace = [&](const std::string& from, const std::string& to) {
    size_t at = fixed.find(from);
    REQUIRE(at != std::string::npos);
    fixed.replace(at, from.size(), to);
  };
  replace(",nokey,3,", "3,nokey,3,");
  replace("4,y,notanumber,", "4,y,4,");
  replace(",,,6,", "5,z,5,6,");
  std::string fixed_path = f.Write("fixed.csv", fixed);
  auto again = f.Options(fixed_path);
  jobs::JobSummary summary2;
  REQUIRE(jobs::RunExport(again, &summary2).ok());
  CHECK(summary2.rows_written == 4);
  auto t = f.Table();
  CHECK(t.size() == 5);
  CHECK(t[2] == "a=with, comma;b=2;c=keep;");
  CHECK(t[5] == "a=z;b=5;");
}

TEST_CASE("export: JSON Lines rejects keep bytes that are not UTF-8") {
  Fixture f;
  f.CreateTable();
  std::string input =
      f.Write("in.jsonl", "{\"id\":1,\"a\":\"ok\",\"b\":2}\n{\"id\":2,\"a\":\"x\",\"b\":\"y\"}\n");
  jobs::JobSummary summary;
  REQUIRE(jobs::RunExport(f.Options(input), &summary).ok());
  CHECK(summary.rows_rejected == 1);
  std::string rejects = f.Read("in.rejects.jsonl");
  CHECK(rejects.find("\"_source_position\":2") != std::string::npos);
  CHECK(rejects.find("\"_error_code\":\"TSB_BAD_VALUE\"") != std::string::npos);
}

TEST_CASE("export: checks before any write") {
  Fixture f;
  jobs::JobSummary summary;
  std::string input = f.Write("in.csv", "id,a\n1,x\n");
  SUBCASE("a missing table") {
    Status s = jobs::RunExport(f.Options(input), &summary);
    CHECK(cli::ExitFor(s).code == 2);
    CHECK(s.message().find("does not exist") != std::string::npos);
  }
  SUBCASE("a spec column missing from the input") {
    f.CreateTable();
    Status s = jobs::RunExport(f.Options(input), &summary);
    CHECK(cli::ExitFor(s).code == 2);
    CHECK(f.Table().empty());
  }
  SUBCASE("--scatter on a compressed input") {
    f.CreateTable();
    auto o = f.Options(f.Write("in2.csv.gz", "not even gzip"));
    o.scatter = true;
    Status s = jobs::RunExport(o, &summary);
    CHECK(cli::ExitFor(s).code == 2);
    CHECK(f.Table().empty());
  }
  SUBCASE("--create-table") {
    auto o = f.Options(f.Write("in2.csv", "id,a,b\n1,x,2\n"));
    o.create_table = true;
    REQUIRE(jobs::RunExport(o, &summary).ok());
    CHECK(f.Table().size() == 1);
  }
}

TEST_CASE("export: --max-errors stops early with a complete summary") {
  Fixture f;
  f.CreateTable();
  std::string text = "id,a,b\n";
  for (int i = 0; i < 20000; ++i) {
    text += i % 2 == 0 ? "," : std::to_string(i) + ",";  // every other key NULL
    text += "x,1\n";
  }
  auto o = f.Options(f.Write("in.csv", text));
  o.max_errors = 10;
  jobs::JobSummary summary;
  REQUIRE(jobs::RunExport(o, &summary).ok());
  CHECK(summary.rows_rejected > 10);
  CHECK(summary.rows_read < 20000);
  CHECK(summary.rows_read == summary.rows_written + summary.rows_rejected);
}

TEST_CASE("export: --shard K/N shares are disjoint and cover the input") {
  Fixture f;
  f.CreateTable();
  std::string text = "id,a,b\n";
  for (int i = 0; i < 3000; ++i) text += std::to_string(i) + ",x,1\n";
  std::string input = f.Write("in.csv", text);
  int64_t total = 0;
  for (int k = 1; k <= 3; ++k) {
    auto o = f.Options(input);
    o.shard_index = k;
    o.shard_count = 3;
    jobs::JobSummary summary;
    REQUIRE(jobs::RunExport(o, &summary).ok());
    CHECK(summary.rows_written > 800);
    total += summary.rows_written;
  }
  CHECK(total == 3000);
  CHECK(f.Table().size() == 3000);
}

TEST_CASE("export: --dry-run writes nothing") {
  Fixture f;
  f.CreateTable();
  std::string input = f.Write("in.csv", "id,a,b\n1,x,1\n1,y,2\n,z,3\n");
  auto o = f.Options(input);
  o.dry_run = true;
  jobs::JobSummary summary;
  REQUIRE(jobs::RunExport(o, &summary).ok());
  CHECK(summary.rows_read == 3);
  CHECK(summary.rows_rejected == 1);
  CHECK(summary.rows_written == 0);
  CHECK(f.Table().empty());
  CHECK_FALSE(std::filesystem::exists(f.dir / "in.rejects.csv"));
}

TEST_CASE("export: --scatter writes the same table as --parallel 1") {
  for (const char* format : {"csv", "jsonl"}) {
    CAPTURE(format);
    Fixture f;
    f.CreateTable();
    const bool csv = std::string(format) == "csv";
    std::string text = csv ? "id,a,b\n" : "";
    int lines = 0;
    for (int i = 0; i < 5000; ++i) {
      for (int c = 0; c < (i % 7 == 0 ? 3 : 1); ++c) {
        std::string a = "v" + std::to_string(i) + "-" + std::to_string(c);
        if (i % 11 == 0) a += "\nsecond line";
        if (csv) {
          text += std::to_string(i) + ",\"" + a + "\"," + (c == 1 ? "" : std::to_string(c)) + "\n";
        } else {
          size_t nl = a.find('\n');
          if (nl != std::string::npos) a.replace(nl, 1, "\\n");
          text += "{\"id\":" + std::to_string(i) + ",\"a\":\"" + a +
                  "\",\"b\":" + (c == 1 ? "null" : std::to_string(c)) + "}\n";
        }
        ++lines;
      }
      if (i == 4000)
        text += csv ? "4000,bad,notanumber\n" : "{\"id\":4000,\"a\":\"bad\",\"b\":\"x\"}\n";
    }
    std::string input = f.Write(std::string("in.") + format, text);
    auto o = f.Options(input);
    o.parallel = 1;
    jobs::JobSummary one;
    REQUIRE(jobs::RunExport(o, &one).ok());
    auto expected = f.Table();
    std::string rejects_one = f.Read(std::string("in.rejects.") + format);
    REQUIRE(f.client->DeleteTable("t").ok());
    f.CreateTable();
    o.parallel = 4;
    o.scatter = true;
    jobs::JobSummary four;
    REQUIRE(jobs::RunExport(o, &four).ok());
    CHECK(f.Table() == expected);
    CHECK(four.rows_read == one.rows_read);
    CHECK(four.rows_written == one.rows_written);
    CHECK(four.rows_rejected == 1);
    // The reject's line number is the file's, whichever range read it.
    CHECK(f.Read(std::string("in.rejects.") + format) == rejects_one);
  }
}

// 3,000 rows (id ascending, every 7th id three times: runs of equal keys) in row groups of 250;
// "a" is "v<row>", "b" the row's copy number or NULL.
std::string WriteOrderedParquet(const std::string& path) {
  auto schema =
      std::make_shared<Schema>(std::vector<Field>{{"id", DataType::Of(TypeId::kInt64), false},
                                                  {"a", DataType::Of(TypeId::kString), true},
                                                  {"b", DataType::Of(TypeId::kInt64), true}});
  WriterOptions options;
  options.path = path;
  options.format = FileFormat::kParquet;
  options.row_group_rows = 250;
  auto writer = OpenWriter(*schema, options);
  REQUIRE(writer.ok());
  RowBatch batch(schema, 3000);
  for (int64_t id = 0, row = 0; row < 3000; ++id) {
    for (int c = 0; c < (id % 7 == 0 ? 3 : 1) && row < 3000; ++c, ++row) {
      batch.column(0).AppendInt(id);
      batch.column(1).AppendBytes("v" + std::to_string(row));
      if (c == 1) {
        batch.column(2).AppendNull();
      } else {
        batch.column(2).AppendInt(c);
      }
      batch.CommitRow();
    }
  }
  REQUIRE((*writer)->Write(batch).ok());
  REQUIRE((*writer)->Close().ok());
  return path;
}

// Rows [first_row, end_row) (1-based) that a reader yields, as "position:id:a".
std::vector<std::string> RangeRows(BatchReader* reader, int64_t first_row, int64_t end_row) {
  std::vector<std::string> out;
  RowBatch batch(std::make_shared<const Schema>(reader->schema()), 100);
  for (;;) {
    REQUIRE(reader->Next(&batch).ok());
    if (batch.num_rows() == 0) return out;
    for (size_t i = 0; i < batch.num_rows(); ++i) {
      const int64_t p = batch.positions()[i];
      if (p < first_row || p >= end_row) continue;
      out.push_back(std::to_string(p) + ":" + std::to_string(batch.column(0).GetInt(i)) + ":" +
                    std::string(batch.column(1).GetBytes(i)));
    }
  }
}

TEST_CASE(
    "export: a Parquet range reader seeks to its row group and yields the rows read from the "
    "start") {
  Fixture f;
  const std::string path = WriteOrderedParquet((f.dir / "ranges.parquet").string());
  ReaderOptions options;
  options.path = path;
  options.format = FileFormat::kParquet;
  auto whole = OpenReader(options);
  REQUIRE(whole.ok());
  jobs::ScatterPlan plan;
  // Around row-group boundaries (rows 250 / 251 / 501), the first and last rows, the whole file,
  // and empty ranges (inside the file and past its end).
  for (const auto& bounds : std::vector<std::pair<int64_t, int64_t>>{{1, 2},
                                                                     {1, INT64_MAX},
                                                                     {250, 252},
                                                                     {251, 501},
                                                                     {251, 251},
                                                                     {500, 1751},
                                                                     {2999, 3001},
                                                                     {3000, INT64_MAX},
                                                                     {3001, INT64_MAX},
                                                                     {9000, INT64_MAX},
                                                                     {1234, 1234}}) {
    // Named copies, not a structured binding: clang 14 lets no lambda (CAPTURE) refer to one.
    const int64_t first = bounds.first;
    const int64_t end = bounds.second;
    CAPTURE(first);
    CAPTURE(end);
    jobs::ScatterRange range;
    range.first_row = first;
    range.end_row = end;
    auto seeking = jobs::OpenScatterRange(options, plan, range);
    REQUIRE(seeking.ok());
    auto from_start = OpenReader(options);
    REQUIRE(from_start.ok());
    const std::vector<std::string> expected = RangeRows(from_start->get(), first, end);
    CHECK(RangeRows(seeking->get(), first, end) == expected);
    CHECK(expected.size() ==
          static_cast<size_t>(
              std::max<int64_t>(0, std::min<int64_t>(end, 3001) - std::min<int64_t>(first, 3001))));
    // The seeking reader starts at the first row of the range's row group.
    auto again = jobs::OpenScatterRange(options, plan, range);
    REQUIRE(again.ok());
    RowBatch batch(std::make_shared<const Schema>((*again)->schema()), 10);
    REQUIRE((*again)->Next(&batch).ok());
    if (first <= 3000) {
      REQUIRE(batch.num_rows() > 0);
      CHECK(batch.positions()[0] == (first - 1) / 250 * 250 + 1);
    } else {
      CHECK(batch.num_rows() == 0);
    }
  }
}

TEST_CASE("export: --scatter of a Parquet file writes the same table as --parallel 1") {
  Fixture f;
  f.CreateTable();
  auto o = f.Options(WriteOrderedParquet((f.dir / "in.parquet").string()));
  o.parallel = 1;
  jobs::JobSummary one;
  REQUIRE(jobs::RunExport(o, &one).ok());
  auto expected = f.Table();
  REQUIRE(expected.size() == 2332);  // distinct ids; the last copy of a key wins
  REQUIRE(f.client->DeleteTable("t").ok());
  f.CreateTable();
  o.parallel = 4;
  o.scatter = true;
  jobs::JobSummary four;
  REQUIRE(jobs::RunExport(o, &four).ok());
  CHECK(f.Table() == expected);
  CHECK(four.rows_read == 3000);
  CHECK(four.rows_written == one.rows_written);
}

TEST_CASE("export: --max-rows-per-sec caps the write rate") {
  Fixture f;
  f.CreateTable();
  std::string text = "id,a,b\n";
  for (int i = 0; i < 3000; ++i) text += std::to_string(i) + ",x,1\n";
  auto o = f.Options(f.Write("in.csv", text));
  o.max_rows_per_sec = 2000;  // the bucket starts empty: 3000 rows at 2000/s take >= 1.5 s
  jobs::JobSummary summary;
  REQUIRE(jobs::RunExport(o, &summary).ok());
  CHECK(summary.rows_written == 3000);
  CHECK(summary.seconds >= 1.45);
}

// A resumed export of a plain (not --scatter) Parquet file starts at the checkpoint's row, inside
// a row group or on its first row (export_resume.h: the reader seeks to the row group holding the
// position and passes over the rows before it). The interrupted run is a real one, stopped by
// --max-errors 0 against an emulator that refuses every write; its checkpoint then says that rows
// [1, position) were acknowledged, as the run would have saved had they been written, and those
// rows are in the table with other values. The resumed run must write exactly the rows from the
// position on: the earlier ones keep their values, and every row of the file is there once.
TEST_CASE(
    "export: --resume of a Parquet file starts at the checkpoint's row, in a row group or at its "
    "start") {
  Fixture f;
  // Twenty row groups of 1,000: more rows than a reader batch (4,096), so that the interrupted
  // run's acknowledged prefix moves and it saves a checkpoint.
  constexpr int64_t kRows = 20000;
  const std::string input = (f.dir / "resume.parquet").string();
  {
    auto schema =
        std::make_shared<Schema>(std::vector<Field>{{"id", DataType::Of(TypeId::kInt64), false},
                                                    {"a", DataType::Of(TypeId::kString), true},
                                                    {"b", DataType::Of(TypeId::kInt64), true}});
    WriterOptions options;
    options.path = input;
    options.format = FileFormat::kParquet;
    options.row_group_rows = 1000;
    auto writer = OpenWriter(*schema, options);
    REQUIRE(writer.ok());
    RowBatch batch(schema, kRows);
    for (int64_t row = 1; row <= kRows; ++row) {  // ids out of order, so the keys say nothing
      batch.column(0).AppendInt((row * 7919) % 20011);
      batch.column(1).AppendBytes("v" + std::to_string(row));
      batch.column(2).AppendInt(row);
      batch.CommitRow();
    }
    REQUIRE((*writer)->Write(batch).ok());
    REQUIRE((*writer)->Close().ok());
  }
  // The file's rows, read back, by 1-based row number: id -> the table's text for it.
  std::vector<std::pair<int64_t, std::string>> file_rows;
  {
    ReaderOptions ro;
    ro.path = input;
    ro.format = FileFormat::kParquet;
    auto reader = OpenReader(ro);
    REQUIRE(reader.ok());
    RowBatch batch(std::make_shared<const Schema>((*reader)->schema()), 256);
    for (;;) {
      REQUIRE((*reader)->Next(&batch).ok());
      if (batch.num_rows() == 0) break;
      for (size_t i = 0; i < batch.num_rows(); ++i) {
        file_rows.emplace_back(batch.column(0).GetInt(i),
                               "a=" + std::string(batch.column(1).GetBytes(i)) +
                                   ";b=" + std::to_string(batch.column(2).GetInt(i)) + ";");
      }
    }
  }
  REQUIRE(static_cast<int64_t>(file_rows.size()) == kRows);

  for (int64_t position : {4501, 6001}) {  // inside the fifth row group; the seventh's first row
    CAPTURE(position);
    (void)f.client->DeleteTable("t");  // the previous position's table, if any
    f.CreateTable();
    std::filesystem::remove(input + ".tsbridge-checkpoint");
    std::filesystem::remove(f.dir / "resume.rejects.jsonl");

    auto o = f.Options(input);
    o.parallel = 2;
    // The first run, slowed by a rate cap, is interrupted (SIGINT's flag) once it has saved a
    // checkpoint, and saves it once more: the job's own identity of this export, which the
    // resumed run checks. Where it got to does not matter: the test rewrites the progress.
    const std::string ckpt = input + ".tsbridge-checkpoint";
    // Twenty seconds for the whole file, so that even on a loaded machine the stop comes long
    // before the end (a run that finished would remove its checkpoint); it saves every second.
    o.max_rows_per_sec = 1000;
    std::atomic<bool> ended{false};
    std::thread interrupt([&] {
      while (!ended.load() && !std::filesystem::exists(ckpt)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      jobs::StopSignal().store(SIGINT);
    });
    jobs::JobSummary stopped;
    Status first = jobs::RunExport(o, &stopped);
    ended.store(true);
    interrupt.join();
    jobs::StopSignal().store(0);
    o.max_rows_per_sec = 0;
    CHECK(first.code() == StatusCode::kCancelled);
    REQUIRE_MESSAGE(std::filesystem::exists(ckpt), "the stopped export left its checkpoint");

    // The checkpoint as the run would have saved it after acknowledging rows [1, position).
    nlohmann::json j = nlohmann::json::parse(f.Read("resume.parquet.tsbridge-checkpoint"));
    REQUIRE(j["progress"]["ranges"].size() == 1);
    j["progress"]["ranges"][0]["position"] = position;
    j["progress"]["ranges"][0]["records"] = position - 1;
    j["progress"]["rejects_bytes"] = 0;
    j["progress"]["rejects_past"] = nlohmann::json::array();
    REQUIRE(jobs::WriteFileDurably(ckpt, j.dump()).ok());
    for (int64_t row = 1; row < position; ++row) {
      ots::Row r;
      ots::Cell& k = r.primary_key.emplace_back();
      k.name = "id";
      k.value = ots::Value::Integer(file_rows[static_cast<size_t>(row - 1)].first);
      ots::Cell& a = r.attributes.emplace_back();
      a.name = "a";
      a.value = ots::Value::String("before");
      ots::WriteRowRequest req;
      req.table = "t";
      req.row = &r;
      ots::WriteRowResult result;
      REQUIRE(f.client->PutRow(req, &result).ok());
    }

    o.resume = true;
    jobs::JobSummary resumed;
    Status s = jobs::RunExport(o, &resumed);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(resumed.rows_written == kRows - (position - 1));
    CHECK(resumed.rows_rejected == 0);
    CHECK(!std::filesystem::exists(ckpt));
    std::map<int64_t, std::string> want;
    for (int64_t row = 1; row <= kRows; ++row) {
      const auto& [id, text] = file_rows[static_cast<size_t>(row - 1)];
      want[id] = row < position ? "a=before;" : text;
    }
    CHECK(f.Table() == want);
  }
}
