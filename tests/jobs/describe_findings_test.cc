// The findings of describe (jobs/describe_report.h) from a table description and a sample, without
// a server: every key finding at once (import stops at the first), the attribute findings, and the
// report's JSON and text forms. End to end on the emulator: tests/e2e/describe.test.mjs.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "jobs/describe_report.h"

using namespace tsb;
using namespace tsb::jobs;

namespace {

// Table t (a INTEGER, b STRING, c BINARY) with the defined column d DOUBLE.
ots::TableMeta Meta() {
  ots::TableMeta meta;
  meta.name = "t";
  meta.primary_key = {{"a", ots::PrimaryKeyType::kInteger},
                      {"b", ots::PrimaryKeyType::kString},
                      {"c", ots::PrimaryKeyType::kBinary}};
  meta.defined_columns = {{"d", ots::DefinedColumnType::kDouble}};
  return meta;
}

JobSpec Spec(std::vector<std::pair<std::string, std::string>> columns, const std::string& mapping) {
  std::string json = R"({"tablestore": {"endpoint": "http://127.0.0.1:1", "instance": "i", )"
                     R"("table": "t"}, "columns": [)";
  for (size_t i = 0; i < columns.size(); ++i) {
    json += (i ? "," : "") + std::string(R"({"name": ")") + columns[i].first + R"(", "type": ")" +
            columns[i].second + "\"}";
  }
  json += R"(], "mapping": ")" + mapping + "\"}";
  auto spec = ParseJobSpec(json);
  REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
  return std::move(spec).value();
}

std::vector<std::string> Codes(const std::vector<Finding>& findings) {
  std::vector<std::string> codes;
  for (const Finding& f : findings) codes.push_back(f.code);
  return codes;
}

}  // namespace

TEST_CASE("describe findings: a right key has none") {
  JobSpec spec = Spec({{"a", "bigint"}, {"b", "date"}, {"c", "binary"}}, ":a,:b,:c");
  CHECK(JudgeKeys(spec, Meta()).empty());
}

TEST_CASE("describe findings: every key problem is named, not only the first") {
  // b left out, c mapped before a, a mapped as a string, x marked but no key column.
  JobSpec spec = Spec({{"c", "binary"}, {"a", "string"}, {"x", "bigint"}}, ":c,:a,:x");
  std::vector<Finding> f = JudgeKeys(spec, Meta());
  CHECK(Codes(f) ==
        std::vector<std::string>{"pk_not_in_table", "key_type_mismatch", "pk_missing", "pk_order"});
  CHECK(f[0].tablestore_column == "x");
  CHECK(f[0].column == "x");
  CHECK(f[0].fix ==
        "write \":a\" if that is the key column meant, else remove the ':' to map it "
        "as an attribute");
  CHECK(f[0].close_matches == std::vector<std::string>{"a", "b", "c"});
  CHECK(f[1].column == "a");
  CHECK(f[1].message ==
        "primary-key column \"a\" is INTEGER in table \"t\", but column \"a\" is string (stored as "
        "STRING)");
  CHECK(f[2].tablestore_column == "b");
  CHECK(f[2].column.empty());
  CHECK(f[2].fix ==
        "add a column of type string, date or decimal(p,s) to columns and \":b\" to the mapping as "
        "key entry 2");
  CHECK(f[3].message ==
        "primary-key columns are mapped in the order (c, a); table \"t\" has them in the order (a "
        "INTEGER, b STRING, c BINARY)");
  CHECK(f[3].fix == "map them as \":a,:c\", with their columns in the same order in columns");
  for (const Finding& one : f) CHECK(one.severity == Severity::kError);

  JobSpec unmarked = Spec({{"a", "bigint"}, {"b", "string"}, {"c", "binary"}}, ":a,b,:c");
  CHECK(Codes(JudgeKeys(unmarked, Meta())) == std::vector<std::string>{"pk_not_marked"});
}

TEST_CASE("describe findings: attributes against the defined columns and the sample") {
  JobSpec spec = Spec({{"a", "bigint"},
                       {"b", "string"},
                       {"c", "binary"},
                       {"d", "string"},
                       {"ts", "timestamp"},
                       {"naem", "string"}},
                      ":a,:b,:c,d,ts,naem");
  TableSample sample;
  sample.rows = 10;
  SampledAttribute ts{"ts", 10};
  ts.type_counts[static_cast<size_t>(OtsType::kInteger)] = 10;
  ts.min_integer = 1733500000000000000;  // nanoseconds of 2024: finer than millis and micros
  ts.max_integer = 1733500000000000009;
  SampledAttribute name{"name", 10};
  name.type_counts[static_cast<size_t>(OtsType::kString)] = 10;
  sample.attributes = {ts, name};
  sample.column_rejects.resize(spec.columns.size());
  std::vector<Finding> f = JudgeAttributes(spec, Meta(), spec, sample);
  // d is defined but in no sampled row: also not seen (no close match: "ts" is mapped already).
  CHECK(Codes(f) == std::vector<std::string>{"type_cannot_hold", "attribute_not_seen",
                                             "timestamp_finer_than_ticks", "attribute_not_seen",
                                             "attribute_not_mapped"});
  CHECK(f[0].column == "d");
  CHECK(f[0].severity == Severity::kError);
  CHECK(f[0].message ==
        "\"d\" is a defined column of type DOUBLE in table \"t\"; column \"d\" is string, stored "
        "as STRING");
  CHECK(f[1].close_matches.empty());
  CHECK(f[2].fix == "set \"ticks_unit\": \"nanos\" on column \"ts\"");
  CHECK(f[3].close_matches == std::vector<std::string>{"name"});
  CHECK(f[3].severity == Severity::kWarning);
  CHECK(f[4].tablestore_column == "name");
  CHECK(f[4].severity == Severity::kInfo);

  // Millisecond ticks of today are plausible: no finding.
  sample.attributes[0].min_integer = 1733500000000;
  sample.attributes[0].max_integer = 1733500000009;
  CHECK(Codes(JudgeAttributes(spec, Meta(), spec, sample)) ==
        std::vector<std::string>{"type_cannot_hold", "attribute_not_seen", "attribute_not_seen",
                                 "attribute_not_mapped"});

  // An empty table: nothing to say about attributes but the defined column's type.
  TableSample empty;
  empty.column_rejects.resize(spec.columns.size());
  CHECK(Codes(JudgeAttributes(spec, Meta(), spec, empty)) ==
        std::vector<std::string>{"type_cannot_hold"});
}

TEST_CASE("describe report: JSON and text carry the findings and the exit code") {
  DescribeReport r;
  r.endpoint = "http://127.0.0.1:1";
  r.instance = "i";
  r.table = "t";
  r.description.meta = Meta();
  r.mapping_text = ":a";
  r.findings = {Finding{"pk_missing", Severity::kError, "", "b", "m \"q\"", "f", {}, -1}};
  const std::string json = r.ToJson();
  CHECK(json.find(R"("findings":[{"code":"pk_missing","severity":"error","column":null,)"
                  R"("tablestore_column":"b","message":"m \"q\"","fix":"f","close_matches":[],)"
                  R"("rows":null}],"errors":1,"warnings":0,"exit_code":2})") != std::string::npos);
  CHECK(json.find(R"("defined_columns":[{"name":"d","type":"DOUBLE"}])") != std::string::npos);
  CHECK(json.find(R"("location":null)") != std::string::npos);
  const std::string text = r.ToText();
  CHECK(text.find("Findings: 1 error(s), 0 warning(s), 0 note(s)\n  error pk_missing [b]: m \"q\"\n"
                  "    fix: f\n") != std::string::npos);
  CHECK(text.find("  primary key      a INTEGER, b STRING, c BINARY\n") != std::string::npos);
  r.findings.clear();
  CHECK(r.ToJson().find(R"("findings":[],"errors":0,"warnings":0,"exit_code":0})") !=
        std::string::npos);
}
