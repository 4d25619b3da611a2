// SampleTable (jobs/table_sample.h) against the in-process emulator: the first rows of a one-split
// table, the types each attribute holds with their counts, the rows import would reject, the
// starts of several splits of a bigger one, and the sampling spec of a table's own key.
#include "jobs/table_sample.h"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "support/cells.h"
#include "support/emulator_fixture.h"
#include "tsbridge/tablestore/client.h"

using namespace tsb;
using namespace tsb::ots;
using tsb::testing::MakeCell;

namespace {

// Table "t" (id INTEGER) of `rows` rows: v = id * 10 (the STRING "bad" at ids 5 and 700),
// s = "row" for every row, opt = TRUE on even ids only.
struct SampleFixture : tsb::testing::EmulatorFixture {
  explicit SampleFixture(int64_t rows) : EmulatorFixture("sampletest") {
    CreateTableRequest t;
    t.meta.name = "t";
    t.meta.primary_key = {{"id", PrimaryKeyType::kInteger}};
    REQUIRE(client->CreateTable(t).ok());
    std::vector<Row> batch;
    auto flush = [&] {
      BatchWriteRowRequest request;
      BatchWriteTable& table = request.tables.emplace_back();
      table.table = "t";
      for (const Row& row : batch)
        table.rows.push_back(BatchWriteRowItem{WriteType::kPut, &row, {}, {}});
      BatchResult result;
      Status w = client->BatchWriteRow(request, &result);
      REQUIRE_MESSAGE(w.ok(), w.ToString());
      REQUIRE(result.failed_rows == 0);
      batch.clear();
    };
    for (int64_t id = 0; id < rows; ++id) {
      Row& row = batch.emplace_back();
      row.primary_key.push_back(MakeCell("id", Value::Integer(id)));
      const bool bad = id == 5 || id == 700;
      row.attributes.push_back(MakeCell("v", bad ? Value::String("bad") : Value::Integer(id * 10)));
      row.attributes.push_back(MakeCell("s", Value::String("row")));
      if (id % 2 == 0) row.attributes.push_back(MakeCell("opt", Value::Boolean(true)));
      if (batch.size() == 200) flush();
    }
    if (!batch.empty()) flush();
    auto described = client->DescribeTable("t");
    REQUIRE(described.ok());
    meta = described->meta;
  }

  JobSpec Spec(std::vector<Field> attributes) {
    TablestoreSpec base;
    base.endpoint = server.endpoint();
    base.instance = instance();
    base.table = "t";
    auto spec = jobs::SamplingSpec(base, meta, attributes);
    REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
    return std::move(spec).value();
  }

  TableMeta meta;
};

}  // namespace

TEST_CASE("table sample: the first rows of a one-split table, types with counts, rejects") {
  SampleFixture f(3000);
  JobSpec spec = f.Spec({{"v", DataType::Of(TypeId::kInt64)}});
  CHECK(spec.mapping_text == ":id,v");
  auto sample = jobs::SampleTable(f.client.get(), spec, {"id"});
  REQUIRE_MESSAGE(sample.ok(), sample.status().ToString());
  CHECK(sample->splits == 1);
  CHECK(sample->splits_sampled == 1);
  CHECK(sample->rows == 1000);

  REQUIRE(sample->attributes.size() == 3);
  std::set<std::string> names;
  for (const auto& a : sample->attributes) names.insert(a.name);
  CHECK(names == std::set<std::string>{"opt", "s", "v"});
  const jobs::SampledAttribute* v = sample->Find("v");
  REQUIRE(v != nullptr);
  CHECK(v->rows == 1000);
  CHECK(v->count(OtsType::kInteger) == 998);
  CHECK(v->count(OtsType::kString) == 2);
  CHECK(v->TypesSeen() == std::vector<OtsType>{OtsType::kInteger, OtsType::kString});
  CHECK(v->min_integer == 0);
  CHECK(v->max_integer == 9990);
  CHECK(sample->Find("s")->count(OtsType::kString) == 1000);
  CHECK(sample->Find("opt")->rows == 500);
  CHECK(sample->Find("opt")->count(OtsType::kBoolean) == 500);
  CHECK(sample->Find("nope") == nullptr);

  REQUIRE(sample->rejects.size() == 2);
  CHECK(sample->rejects[0].column == 1);
  CHECK(sample->rejects[0].key == "(id=5)");
  CHECK(sample->rejects[0].stored_type == "STRING");
  CHECK(sample->rejects[1].key == "(id=700)");
  // Counted per column as well: every value of v that bigint cannot hold, the first one's key.
  REQUIRE(sample->column_rejects.size() == 2);
  CHECK(sample->column_rejects[0].values == 0);
  CHECK(sample->column_rejects[1].values == 2);
  CHECK(sample->column_rejects[1].first.key == "(id=5)");
  CHECK(sample->column_rejects[1].first.reason == sample->rejects[0].reason);

  // The rows that convert, in key order: 0..999 without 5 and 700.
  REQUIRE(sample->batch->num_rows() == 998);
  CHECK(sample->batch->column(0).GetInt(0) == 0);
  CHECK(sample->batch->column(0).GetInt(5) == 6);
  CHECK(sample->batch->column(1).GetInt(5) == 60);
  CHECK(sample->batch->column(0).GetInt(997) == 999);
}

TEST_CASE("table sample: a table of several splits is read at the start of a few of them") {
  SampleFixture f(3000);
  JobSpec spec = f.Spec({});
  // Small units, so that the small table has many splits.
  auto splits = jobs::TableSplits(f.client.get(), "t", 4, 1024);
  REQUIRE_MESSAGE(splits.ok(), splits.status().ToString());
  REQUIRE(splits->size() >= 8);
  jobs::TableSampleOptions o;
  o.max_rows = 100;
  o.splits = *splits;
  auto sample = jobs::SampleTable(f.client.get(), spec, {"id"}, o);
  REQUIRE_MESSAGE(sample.ok(), sample.status().ToString());
  CHECK(sample->splits == splits->size());
  CHECK(sample->splits_sampled == 4);
  CHECK(sample->rows == 100);
  REQUIRE(sample->batch->num_rows() == 100);
  // 25 rows from the start of splits 0, n/4, n/2, 3n/4: four runs of consecutive ids, each
  // beginning where its split begins.
  const size_t n = splits->size();
  for (size_t i = 0; i < 4; ++i) {
    const tsb::KeyRange& split = (*splits)[i * n / 4];
    const int64_t first =
        split.start[0].kind == KeyBound::Kind::kInfMin ? 0 : split.start[0].value.i;
    for (size_t r = 0; r < 25; ++r) {
      CHECK(sample->batch->column(0).GetInt(i * 25 + r) == first + static_cast<int64_t>(r));
    }
  }
  CHECK(sample->Find("v")->rows == 100);
}

TEST_CASE("table sample: --sample larger than the table reads it all; the sampling spec's key") {
  SampleFixture f(30);
  JobSpec spec =
      f.Spec({{"s", DataType::Of(TypeId::kString)}, {"opt", DataType::Of(TypeId::kBoolean)}});
  CHECK(spec.mapping_text == ":id,s,opt");
  CHECK(spec.columns[0].type == DataType::Of(TypeId::kInt64));
  CHECK(spec.mapping.key_columns() == std::vector<int>{0});
  jobs::TableSampleOptions o;
  o.max_rows = 5000;
  auto sample = jobs::SampleTable(f.client.get(), spec, {"id"}, o);
  REQUIRE_MESSAGE(sample.ok(), sample.status().ToString());
  CHECK(sample->rows == 30);
  CHECK(sample->rejects.empty());
  REQUIRE(sample->batch->num_rows() == 30);
  CHECK(sample->batch->column(1).GetBytes(29) == "row");
  CHECK(sample->batch->column(2).IsNull(1));
}
