// WideRowConverter (tablestore/wide_row_converter.h): the direct decode of GetRange pages into a
// batch's columns against the Row-based path it replaces on the scan, as the oracle. Pages of
// random rows, written with the PlainBuffer encoder, go through both: every type the spec maps,
// missing cells, extra versions and unmapped columns, values of the wrong kind or out of range,
// and damaged bytes; both must give the same batch, value by value, the same rejects with the
// same reasons, the same carried columns and the same errors.
#include "tablestore/wide_row_converter.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "support/cells.h"
#include "tablestore/plainbuffer.h"
#include "tsbridge/job_spec.h"

using namespace tsb;
using namespace tsb::ots;
using tsb::testing::MakeCell;

namespace {

// Two key columns, one attribute of every spec type; `ti` and `i` are narrow (range rejects),
// `f` is float (finite doubles beyond binary32 reject), `dec` and `dt` check their text.
constexpr const char* kSpec = R"J({"tablestore": {"endpoint": "http://localhost:1",
    "instance": "x", "table": "t"},
    "columns": [{"name": "k1", "type": "string"}, {"name": "b", "type": "bigint"},
                {"name": "k0", "type": "bigint"}, {"name": "i", "type": "int"},
                {"name": "ti", "type": "tinyint"}, {"name": "d", "type": "double"},
                {"name": "f", "type": "float"}, {"name": "bo", "type": "boolean"},
                {"name": "s", "type": "string"}, {"name": "bin", "type": "binary"},
                {"name": "dec", "type": "decimal(10,2)"}, {"name": "dt", "type": "date"},
                {"name": "ts", "type": "timestamp", "ticks_unit": "micros"},
                {"name": "dtm", "type": "datetime"}],
    "mapping": ":pk1, b, :pk0, i, ti, d, f, bo, s, bin, dec, dt, ts, dtm"})J";

// The attribute names above, and the kind each one is stored as.
struct AttributeKind {
  const char* name;
  ValueType type;
};
constexpr AttributeKind kAttributes[] = {
    {"b", ValueType::kInteger},      {"i", ValueType::kInteger},  {"ti", ValueType::kInteger},
    {"d", ValueType::kDouble},       {"f", ValueType::kDouble},   {"bo", ValueType::kBoolean},
    {"s", ValueType::kString},       {"bin", ValueType::kBinary}, {"dec", ValueType::kString},
    {"dt", ValueType::kString},      {"ts", ValueType::kInteger}, {"dtm", ValueType::kInteger},
    {"unmapped", ValueType::kString}};

JobSpec Spec() {
  auto parsed = ParseJobSpec(kSpec);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  return std::move(parsed).value();
}

// Random values that mostly fit their column and sometimes do not.
class RowMaker {
 public:
  explicit RowMaker(uint32_t seed) : rng_(seed) {}

  Value Of(ValueType type) {
    switch (Pick(80) == 0 ? Pick(8) : 100) {
      case 0:
        return Value::String(Text());  // a wrong kind (or the right one for strings)
      case 1:
        return Value::Integer(Big());
      case 2:
        return Value::Double(Pick(2) ? 1e300 : -3.5e39);
      case 3:
        return Value::Boolean(Pick(2) != 0);
      case 4:
        return Value::Binary(Text());
      case 5: {
        Value v;
        v.type = ValueType::kNull;
        return v;
      }  // a value with no data type
      case 6:
        return Value::InfMin();
      default:
        break;
    }
    switch (type) {
      case ValueType::kInteger:
        return Value::Integer(Pick(40) == 0 ? Big() : Pick(200) - 100);
      case ValueType::kDouble:
        return Value::Double(Pick(60) == 0 ? 1e40 : (Pick(2000) - 1000) / 8.0);
      case ValueType::kBoolean:
        return Value::Boolean(Pick(2) != 0);
      case ValueType::kBinary:
        return Value::Binary(Text());
      default:
        return Value::String(Text());
    }
  }
  // `dec` and `dt` mostly get text of their kind.
  Value For(const AttributeKind& a) {
    const std::string_view name = a.name;
    if (name == "dec" && Pick(10) != 0) return Value::String(Pick(2) ? "12.50" : "-0.07");
    if (name == "dt" && Pick(10) != 0) return Value::String(Pick(2) ? "1996-05-03" : "2024-02-29");
    return Of(a.type);
  }

  // STRING text: decimals, dates, and plain text (good for `s`, bad for `dec` and `dt`).
  std::string_view Text() {
    static const char* kTexts[] = {"12.50",       "-0.07",       "3",           "12.345", "12.3400",
                                   "1996-05-03",  "0000-01-01",  "1996-13-01",  "text",   "",
                                   "caf\xc3\xa9", "99999999.99", "100000000.00"};
    return kTexts[Pick(sizeof(kTexts) / sizeof(kTexts[0]))];
  }
  int64_t Big() { return static_cast<int64_t>(rng_()) << 31 ^ static_cast<int64_t>(rng_()); }
  uint32_t Pick(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }

  // One row: key cells (sometimes one short, or of a wrong kind), then each attribute with
  // probability 2/3, sometimes with several versions, sometimes with no value (a delete).
  Row Make(int64_t id) {
    Row row;
    // The mapping's key order: pk1 (STRING), then pk0 (INTEGER).
    row.primary_key.push_back(
        MakeCell("pk1", Pick(100) == 0 ? Of(ValueType::kInteger) : Value::String(Text())));
    if (Pick(40) != 0) {
      row.primary_key.push_back(
          MakeCell("pk0", Pick(100) == 0 ? Of(ValueType::kString) : Value::Integer(id)));
    }
    for (const AttributeKind& a : kAttributes) {
      if (Pick(3) == 0) continue;
      const uint32_t versions = Pick(5) == 0 ? 2 + Pick(2) : 1;
      for (uint32_t v = 0; v < versions; ++v) {
        Cell cell = MakeCell(a.name, For(a), 1700000000000 - static_cast<int64_t>(v));
        if (Pick(25) == 0) {
          cell.value.reset();
          cell.op = CellOp::kDeleteOneVersion;
        }
        row.attributes.push_back(cell);
      }
    }
    return row;
  }

 private:
  std::mt19937 rng_;
};

// What both paths produce for one page.
struct Outcome {
  std::unique_ptr<RowBatch> batch;
  std::vector<std::string> rejects;  // "key|column|stored|reason"
  std::vector<bool> carried;
  Status status;
};

std::string KeyText(const Row& row) {
  std::string s;
  for (const Cell& c : row.primary_key) {
    s += std::string(c.name) + "=";
    if (!c.value) continue;
    switch (c.value->type) {
      case ValueType::kInteger:
        s += std::to_string(c.value->i);
        break;
      case ValueType::kString:
      case ValueType::kBinary:
        s += std::string(c.value->bytes);
        break;
      default:
        s += "type" + std::to_string(static_cast<int>(c.value->type));
        break;
    }
    s += ";";
  }
  return s;
}

// direct: ConvertEncoded over FrameRows' offsets; else DecodeRows, then ConvertRow (what
// Client::GetRange and TableScanReader did before the direct path).
Outcome Convert(const JobSpec& spec, std::string_view page, bool direct) {
  Outcome out;
  out.batch = std::make_unique<RowBatch>(std::make_shared<const Schema>(spec.schema()), 100000);
  std::unique_ptr<std::atomic<bool>[]> carried(new std::atomic<bool>[spec.columns.size()]());
  RejectCallback on_reject = [&](const RejectedValue& r) {
    CHECK(!r.timestamp.has_value());
    out.rejects.push_back(KeyText(r.row) + "|" + r.column.name + "|" + std::string(r.stored_type) +
                          "|" + std::string(r.reason));
    return Status::OK();
  };
  WideRowConverter converter(&spec, carried.get(), &on_reject);
  out.status = [&]() -> Status {
    if (direct) {
      std::vector<uint32_t> starts;
      TSB_RETURN_IF_ERROR(FrameRows(page, &starts).WithContext("GetRange rows"));
      for (uint32_t start : starts) {
        TSB_RETURN_IF_ERROR(converter.ConvertEncoded(page, start, out.batch.get()));
      }
      return Status::OK();
    }
    std::vector<Row> rows;
    TSB_RETURN_IF_ERROR(DecodeRows(page, &rows).WithContext("GetRange rows"));
    for (const Row& row : rows) TSB_RETURN_IF_ERROR(converter.ConvertRow(row, out.batch.get()));
    return Status::OK();
  }();
  for (size_t c = 0; c < spec.columns.size(); ++c) out.carried.push_back(carried[c].load());
  return out;
}

// Column by column, value by value.
void CheckSameBatch(const RowBatch& a, const RowBatch& b) {
  REQUIRE(a.num_rows() == b.num_rows());
  REQUIRE(a.num_columns() == b.num_columns());
  for (size_t c = 0; c < a.num_columns(); ++c) {
    const Column& x = a.column(c);
    const Column& y = b.column(c);
    REQUIRE(x.size() == a.num_rows());
    REQUIRE(y.size() == b.num_rows());
    for (size_t r = 0; r < a.num_rows(); ++r) {
      CAPTURE(c);
      CAPTURE(r);
      REQUIRE(x.IsNull(r) == y.IsNull(r));
      if (x.IsNull(r)) continue;
      switch (x.type().storage()) {
        case Storage::kInt64:
          CHECK(x.GetInt(r) == y.GetInt(r));
          break;
        // Bit for bit: -0.0 and 0.0 differ, and a NaN equals itself.
        case Storage::kDouble:
          CHECK(std::memcmp(&x.doubles()[r], &y.doubles()[r], sizeof(double)) == 0);
          break;
        case Storage::kInt128:
          CHECK((x.GetInt128(r) == y.GetInt128(r)));
          break;
        case Storage::kBytes:
          CHECK(x.GetBytes(r) == y.GetBytes(r));
          break;
      }
    }
  }
}

std::string Page(const std::vector<Row>& rows) {
  std::string page;
  RowWriter writer(&page);
  for (const Row& row : rows) writer.AddRow(row);
  return page;
}

}  // namespace

TEST_CASE("WideRowConverter: the direct decode gives the Row path's batches and rejects") {
  const JobSpec spec = Spec();
  size_t rows_total = 0, rejects_total = 0, nulls = 0;
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    RowMaker maker(seed);
    std::vector<Row> rows;
    for (int64_t id = 0; id < 200; ++id) rows.push_back(maker.Make(id));
    const std::string page = Page(rows);
    Outcome direct = Convert(spec, page, true);
    Outcome oracle = Convert(spec, page, false);
    CAPTURE(seed);
    REQUIRE_MESSAGE(direct.status.ok(), direct.status.ToString());
    REQUIRE_MESSAGE(oracle.status.ok(), oracle.status.ToString());
    CheckSameBatch(*direct.batch, *oracle.batch);
    CHECK(direct.rejects == oracle.rejects);
    CHECK(direct.carried == oracle.carried);
    CHECK(direct.batch->num_rows() + direct.rejects.size() == rows.size());
    rows_total += direct.batch->num_rows();
    rejects_total += direct.rejects.size();
    for (size_t c = 0; c < direct.batch->num_columns(); ++c) {
      nulls += direct.batch->column(c).null_count();
    }
  }
  // The random rows reach both outcomes, and NULLs, in quantity.
  CHECK(rows_total > 2000);
  CHECK(rejects_total > 2000);
  CHECK(nulls > 1000);
}

TEST_CASE("WideRowConverter: rejects name the same column and reason on both paths") {
  const JobSpec spec = Spec();
  // Both key values of the wrong kind: the first key's reject is the one reported.
  Row keys;
  keys.primary_key = {MakeCell("pk1", Value::Integer(1)), MakeCell("pk0", Value::String("x"))};
  // A key that fits and two attributes that do not: the first on the wire is reported.
  Row attrs;
  attrs.primary_key = {MakeCell("pk1", Value::String("a")), MakeCell("pk0", Value::Integer(1))};
  attrs.attributes = {MakeCell("ti", Value::Integer(300)), MakeCell("b", Value::String("7"))};
  // The first version that holds a value counts; a later bad version is not looked at.
  Row versions;
  versions.primary_key = {MakeCell("pk1", Value::String("b")), MakeCell("pk0", Value::Integer(2))};
  versions.attributes = {MakeCell("b", Value::Integer(5), 2),
                         MakeCell("b", Value::String("no"), 1)};
  const std::string page = Page({keys, attrs, versions});
  Outcome direct = Convert(spec, page, true);
  Outcome oracle = Convert(spec, page, false);
  REQUIRE(direct.status.ok());
  const std::vector<std::string> expected = {
      "pk1=1;pk0=x;|k1|INTEGER|stored INTEGER where the spec says string",
      "pk1=a;pk0=1;|ti|INTEGER|INTEGER 300 out of range for tinyint"};
  CHECK(oracle.rejects == expected);
  CHECK(direct.rejects == expected);
  REQUIRE(direct.batch->num_rows() == 1);
  CHECK(direct.batch->column(1).GetInt(0) == 5);
  CheckSameBatch(*direct.batch, *oracle.batch);
}

TEST_CASE("WideRowConverter: a damaged byte fails both paths with the same error") {
  const JobSpec spec = Spec();
  RowMaker maker(7);
  std::vector<Row> rows;
  for (int64_t id = 0; id < 30; ++id) rows.push_back(maker.Make(id));
  const std::string page = Page(rows);
  size_t checksum_errors = 0, structure_errors = 0;
  // Every byte of the page after the header, changed in turn.
  for (size_t at = 4; at < page.size(); at += 3) {
    std::string damaged = page;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x21);
    Outcome direct = Convert(spec, damaged, true);
    Outcome oracle = Convert(spec, damaged, false);
    CAPTURE(at);
    if (oracle.status.ok()) {
      // A change the format cannot see (a BOOLEAN byte read as true either way): the same rows.
      REQUIRE(direct.status.ok());
      CheckSameBatch(*direct.batch, *oracle.batch);
      CHECK(direct.rejects == oracle.rejects);
      continue;
    }
    REQUIRE(!direct.status.ok());
    CHECK(direct.status.ToString() == oracle.status.ToString());
    const bool checksum = oracle.status.message().find("checksum mismatch") != std::string::npos;
    ++(checksum ? checksum_errors : structure_errors);
    // The direct path fails at the damaged row: the rows before it went through (the page's
    // rows are checked one at a time, never half of one), and none after.
    CHECK(direct.batch->num_rows() + direct.rejects.size() <= rows.size());
  }
  CHECK(checksum_errors > 100);
  CHECK(structure_errors > 10);
}
