#include "core/spec_text.h"

#include <utility>
#include <vector>

#include "core/value_text.h"

namespace tsb {

namespace {

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

bool IsTimed(const DataType& type) {
  return type.id == TypeId::kDateTime || type.id == TypeId::kTimestamp;
}

std::string_view UnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kSeconds:
      return "seconds";
    case TimeUnit::kMillis:
      return "millis";
    case TimeUnit::kMicros:
      return "micros";
    case TimeUnit::kNanos:
      return "nanos";
  }
  return "millis";
}

// `"key": value` members of one object, each on its own line at `indent`.
void AppendMembers(const std::vector<std::pair<std::string_view, std::string>>& members,
                   std::string_view indent, std::string* out) {
  for (size_t i = 0; i < members.size(); ++i) {
    *out += std::string(indent) + Quote(members[i].first) + ": " + members[i].second;
    *out += i + 1 < members.size() ? ",\n" : "\n";
  }
}

}  // namespace

std::string SpecTypeName(const DataType& type) {
  if (IsTimed(type)) return type.id == TypeId::kDateTime ? "datetime" : "timestamp";
  return type.ToString();
}

std::string FormatJobSpec(const JobSpec& spec) {
  const TablestoreSpec& ts = spec.tablestore;
  std::vector<std::pair<std::string_view, std::string>> tablestore;
  if (!ts.location.empty()) {
    tablestore.emplace_back("location", Quote(ts.location));
  } else {
    tablestore.emplace_back("endpoint", Quote(ts.endpoint));
    tablestore.emplace_back("instance", Quote(ts.instance));
  }
  tablestore.emplace_back("table", Quote(ts.table));
  if (ts.region_given) tablestore.emplace_back("region", Quote(ts.region));
  if (!ts.role_arn.empty()) tablestore.emplace_back("role_arn", Quote(ts.role_arn));
  if (!ts.sts_endpoint.empty()) tablestore.emplace_back("sts_endpoint", Quote(ts.sts_endpoint));

  std::string out = "{\n  \"tablestore\": {\n";
  AppendMembers(tablestore, "    ", &out);
  out += "  },\n  \"columns\": [\n";
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    const Field& f = spec.columns[i];
    out += "    {\"name\": " + Quote(f.name) + ", \"type\": " + Quote(SpecTypeName(f.type));
    if (IsTimed(f.type) && f.type.unit != TimeUnit::kMillis) {
      out += ", \"ticks_unit\": " + Quote(UnitName(f.type.unit));
    }
    out += i + 1 < spec.columns.size() ? "},\n" : "}\n";
  }
  out += "  ],\n  \"mapping\": " + Quote(spec.mapping_text);
  if (spec.file) {
    const FileSpec& file = *spec.file;
    out += ",\n  \"file\": {\"path\": " + Quote(file.path);
    if (file.format_given) out += ", \"format\": " + Quote(file.format);
    if (!file.parquet_codec.empty()) out += ", \"compression\": " + Quote(file.parquet_codec);
    if (file.row_group_rows != 0) {
      out += ", \"row_group_rows\": " + std::to_string(file.row_group_rows);
    }
    out += "}";
  }
  out += "\n}\n";
  return out;
}

}  // namespace tsb
