#include "core/spec_text.h"

#include <utility>
#include <vector>

#include "core/value_text.h"
#include "tsbridge/convert.h"

namespace tsb {

namespace {

bool IsTimed(const DataType& type) {
  return type.id == TypeId::kDateTime || type.id == TypeId::kTimestamp;
}

// `"key": value` members of one object, each on its own line at `indent`.
void AppendMembers(const std::vector<std::pair<std::string_view, std::string>>& members,
                   std::string_view indent, std::string* out) {
  for (size_t i = 0; i < members.size(); ++i) {
    *out += std::string(indent) + JsonQuoted(members[i].first) + ": " + members[i].second;
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
    tablestore.emplace_back("location", JsonQuoted(ts.location));
  } else {
    tablestore.emplace_back("endpoint", JsonQuoted(ts.endpoint));
    tablestore.emplace_back("instance", JsonQuoted(ts.instance));
  }
  tablestore.emplace_back("table", JsonQuoted(ts.table));
  if (ts.region_given) tablestore.emplace_back("region", JsonQuoted(ts.region));
  if (!ts.role_arn.empty()) tablestore.emplace_back("role_arn", JsonQuoted(ts.role_arn));
  if (!ts.sts_endpoint.empty())
    tablestore.emplace_back("sts_endpoint", JsonQuoted(ts.sts_endpoint));

  std::string out = "{\n  \"tablestore\": {\n";
  AppendMembers(tablestore, "    ", &out);
  out += "  },\n  \"columns\": [\n";
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    const Field& f = spec.columns[i];
    out +=
        "    {\"name\": " + JsonQuoted(f.name) + ", \"type\": " + JsonQuoted(SpecTypeName(f.type));
    if (IsTimed(f.type) && f.type.unit != TimeUnit::kMillis) {
      out += ", \"ticks_unit\": " + JsonQuoted(TicksUnitName(f.type.unit));
    }
    out += i + 1 < spec.columns.size() ? "},\n" : "}\n";
  }
  out += "  ],\n  \"mapping\": " + JsonQuoted(spec.mapping_text);
  if (spec.file) {
    const FileSpec& file = *spec.file;
    out += ",\n  \"file\": {\"path\": " + JsonQuoted(file.path);
    if (file.format_given) out += ", \"format\": " + JsonQuoted(file.format);
    if (!file.parquet_codec.empty()) out += ", \"compression\": " + JsonQuoted(file.parquet_codec);
    if (file.row_group_rows != 0) {
      out += ", \"row_group_rows\": " + std::to_string(file.row_group_rows);
    }
    out += "}";
  }
  out += "\n}\n";
  return out;
}

}  // namespace tsb
