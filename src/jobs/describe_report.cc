#include "jobs/describe_report.h"

#include <algorithm>

#include "core/value_text.h"

namespace tsb::jobs {

namespace {

std::string_view DefinedTypeName(ots::DefinedColumnType type) {
  switch (type) {
    case ots::DefinedColumnType::kInteger:
      return "INTEGER";
    case ots::DefinedColumnType::kDouble:
      return "DOUBLE";
    case ots::DefinedColumnType::kBoolean:
      return "BOOLEAN";
    case ots::DefinedColumnType::kString:
      return "STRING";
    case ots::DefinedColumnType::kBinary:
      return "BINARY";
  }
  return "STRING";
}

// A small JSON writer: commas and keys, so that the document's shape reads in one place.
class Json {
 public:
  Json& Begin(char bracket) {
    Separate();
    out_ += bracket;
    first_ = true;
    return *this;
  }
  Json& End(char bracket) {
    out_ += bracket;
    first_ = false;
    return *this;
  }
  Json& Key(std::string_view key) {
    Separate();
    AppendJsonString(key, &out_);
    out_ += ':';
    first_ = true;  // the value that follows takes no comma
    return *this;
  }
  Json& Str(std::string_view s) {
    Separate();
    AppendJsonString(s, &out_);
    return *this;
  }
  // An empty string is null: the report's optional texts (region, role ARN, location).
  Json& StrOrNull(std::string_view s) { return s.empty() ? Raw("null") : Str(s); }
  Json& Int(int64_t v) { return Raw(std::to_string(v)); }
  Json& Bool(bool v) { return Raw(v ? "true" : "false"); }
  template <typename T>
  Json& Optional(const std::optional<T>& v) {
    return v ? Int(static_cast<int64_t>(*v)) : Raw("null");
  }
  Json& Raw(std::string_view text) {
    Separate();
    out_ += text;
    return *this;
  }
  std::string Take() { return std::move(out_); }

 private:
  void Separate() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  std::string out_;
  bool first_ = true;
};

void TypeCounts(Json* j, const std::vector<std::pair<std::string, int64_t>>& counts) {
  j->Begin('[');
  for (const auto& [type, count] : counts) {
    j->Begin('{').Key("type").Str(type).Key("count").Int(count).End('}');
  }
  j->End(']');
}

std::vector<std::pair<std::string, int64_t>> Counts(const SampledAttribute& a) {
  std::vector<std::pair<std::string, int64_t>> counts;
  for (OtsType t : a.TypesSeen()) counts.emplace_back(OtsTypeName(t), a.count(t));
  return counts;
}

void TableJson(Json* j, const DescribeReport& r) {
  const ots::TableDescription& d = r.description;
  j->Key("table").Begin('{').Key("primary_key").Begin('[');
  for (const ots::PrimaryKeyColumn& k : d.meta.primary_key) {
    j->Begin('{').Key("name").Str(k.name).Key("type").Str(ots::PrimaryKeyTypeName(k.type));
    j->Key("auto_increment").Bool(k.auto_increment).End('}');
  }
  j->End(']').Key("defined_columns").Begin('[');
  for (const ots::DefinedColumn& c : d.meta.defined_columns) {
    j->Begin('{').Key("name").Str(c.name).Key("type").Str(DefinedTypeName(c.type)).End('}');
  }
  j->End(']');
  j->Key("options").Begin('{').Key("time_to_live").Optional(d.options.time_to_live);
  j->Key("max_versions").Optional(d.options.max_versions);
  j->Key("max_time_deviation").Optional(d.options.max_time_deviation).End('}');
  j->Key("reserved_throughput").Begin('{').Key("read").Int(d.reserved.read);
  j->Key("write").Int(d.reserved.write).End('}');
  j->Key("size").Begin('{').Key("splits").Int(r.splits);
  j->Key("split_size_bytes").Int(int64_t{256} << 20);
  j->Key("estimated_bytes_at_most").Int(r.estimated_bytes_at_most).End('}');
  j->End('}');
}

// Text columns padded to the widest cell of each.
std::string Aligned(const std::vector<std::vector<std::string>>& rows, std::string_view indent) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line(indent);
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string Or(const std::string& s, std::string_view none) {
  return s.empty() ? std::string(none) : s;
}

std::string OptionsText(const ots::TableOptions& o) {
  auto opt = [](const auto& v, std::string_view unit) {
    return v ? std::to_string(*v) + std::string(unit) : std::string("(not given)");
  };
  std::string ttl =
      o.time_to_live && *o.time_to_live == -1 ? "forever (-1)" : opt(o.time_to_live, " s");
  return "time to live " + ttl + ", max versions " + opt(o.max_versions, "") +
         ", max time deviation " + opt(o.max_time_deviation, " s");
}

std::string SerdeText(const DescribeReport& r) {
  std::string out = "'tablestore.columns.mapping'='" + r.mapping_text +
                    "', 'tablestore.table.name'='" + r.table + "'";
  if (!r.role_arn.empty()) out += ", 'odps.properties.rolearn'='" + r.role_arn + "'";
  return out;
}

std::string SampleText(const DescribeReport& r) {
  if (r.sample_requested == 0) return "none (--sample 0)";
  return std::to_string(r.sample_rows) + " row" + (r.sample_rows == 1 ? "" : "s") + " of " +
         std::to_string(r.sample_requested) + " asked for, from the start of " +
         std::to_string(r.splits_sampled) + " of " + std::to_string(r.splits) + " split" +
         (r.splits == 1 ? "" : "s") + (r.sample_rows == 0 ? " (the table is empty)" : "");
}

std::string FindingsText(const DescribeReport& r) {
  if (r.findings.empty()) return "Findings: none\n";
  std::string out = "Findings: " + std::to_string(r.Count(Severity::kError)) + " error(s), " +
                    std::to_string(r.Count(Severity::kWarning)) + " warning(s), " +
                    std::to_string(r.Count(Severity::kInfo)) + " note(s)\n";
  for (const Finding& f : r.findings) {
    std::string where = f.column;
    if (!f.tablestore_column.empty()) {
      where += where.empty() ? f.tablestore_column : " -> " + f.tablestore_column;
    }
    out += "  " + std::string(SeverityName(f.severity)) + " " + f.code + " [" + where +
           "]: " + f.message + "\n";
    out += "    fix: " + f.fix + "\n";
  }
  return out;
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "error";
}

size_t DescribeReport::Count(Severity severity) const {
  return static_cast<size_t>(std::count_if(
      findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == severity; }));
}

std::string DescribeReport::ToJson() const {
  Json j;
  j.Begin('{').Key("tablestore").Begin('{').Key("endpoint").Str(endpoint);
  j.Key("instance").Str(instance).Key("table").Str(table).Key("region").StrOrNull(region);
  j.Key("role_arn").StrOrNull(role_arn).End('}');
  TableJson(&j, *this);
  j.Key("mapping").Begin('[');
  for (const MappingLine& m : mapping) {
    j.Begin('{').Key("column").Str(m.column).Key("local_type").Str(m.local_type);
    j.Key("tablestore_column").Str(m.tablestore_column);
    j.Key("tablestore_type").StrOrNull(m.tablestore_type);
    j.Key("kind").Str(m.primary_key ? "primary_key" : "attribute");
    j.Key("types_seen");
    TypeCounts(&j, m.types_seen);
    j.Key("rows_seen").Int(m.rows_seen).End('}');
  }
  j.End(']').Key("mapping_text").Str(mapping_text);
  j.Key("external_table").Begin('{').Key("storage_handler").Str(kStorageHandler);
  j.Key("location").StrOrNull(location).Key("serde_properties").Begin('{');
  j.Key("tablestore.columns.mapping").Str(mapping_text).Key("tablestore.table.name").Str(table);
  if (!role_arn.empty()) j.Key("odps.properties.rolearn").Str(role_arn);
  j.End('}').End('}');
  j.Key("sample").Begin('{').Key("requested").Int(sample_requested).Key("rows").Int(sample_rows);
  j.Key("splits_sampled").Int(splits_sampled).Key("attributes").Begin('[');
  for (const SampledAttribute& a : sample_attributes) {
    j.Begin('{').Key("name").Str(a.name).Key("rows").Int(a.rows).Key("types");
    TypeCounts(&j, Counts(a));
    j.End('}');
  }
  j.End(']').End('}');
  j.Key("findings").Begin('[');
  for (const Finding& f : findings) {
    j.Begin('{').Key("code").Str(f.code).Key("severity").Str(SeverityName(f.severity));
    j.Key("column").StrOrNull(f.column).Key("tablestore_column").StrOrNull(f.tablestore_column);
    j.Key("message").Str(f.message).Key("fix").Str(f.fix).Key("close_matches").Begin('[');
    for (const std::string& m : f.close_matches) j.Str(m);
    j.End(']').Key("rows");
    if (f.rows >= 0) {
      j.Int(f.rows);
    } else {
      j.Raw("null");
    }
    j.End('}');
  }
  j.End(']').Key("errors").Int(static_cast<int64_t>(Count(Severity::kError)));
  j.Key("warnings").Int(static_cast<int64_t>(Count(Severity::kWarning)));
  j.Key("exit_code").Int(HasErrors() ? 2 : 0).End('}');
  return j.Take() + "\n";
}

std::string DescribeReport::ToText() const {
  const ots::TableDescription& d = description;
  std::string key;
  for (const ots::PrimaryKeyColumn& k : d.meta.primary_key) {
    key += (key.empty() ? "" : ", ") + k.name + " " + std::string(ots::PrimaryKeyTypeName(k.type)) +
           (k.auto_increment ? " AUTO_INCREMENT" : "");
  }
  std::string defined;
  for (const ots::DefinedColumn& c : d.meta.defined_columns) {
    defined += (defined.empty() ? "" : ", ") + c.name + " " + std::string(DefinedTypeName(c.type));
  }
  std::string out = "Table " + table + "\n";
  out += Aligned({{"endpoint", endpoint},
                  {"instance", instance},
                  {"region", Or(region, "(unknown)")},
                  {"role ARN", Or(role_arn, "(none)")},
                  {"primary key", key},
                  {"defined columns", Or(defined, "(none)")},
                  {"options", OptionsText(d.options)},
                  {"reserved", "read " + std::to_string(d.reserved.read) + " CU, write " +
                                   std::to_string(d.reserved.write) + " CU"},
                  {"size", std::to_string(splits) + " split" + (splits == 1 ? "" : "s") +
                               " of 256 MiB; at most " +
                               std::to_string(estimated_bytes_at_most >> 20) + " MiB"}},
                 "  ");
  out += "\nMapping (sample: " + SampleText(*this) + ")\n";
  std::vector<std::vector<std::string>> rows = {
      {"LOCAL COLUMN", "LOCAL TYPE", "TABLESTORE COLUMN", "TABLESTORE TYPE (SAMPLED)", "KIND"}};
  for (const MappingLine& m : mapping) {
    std::string type = m.tablestore_type;
    if (!m.primary_key) {
      std::string seen;
      for (const auto& [t, n] : m.types_seen) {
        seen += (seen.empty() ? "" : ", ") + t + " " + std::to_string(n);
      }
      if (seen.empty()) seen = sample_rows > 0 ? "not in the sample" : "-";
      type = type.empty() ? seen : type + " (defined); " + seen;
    }
    rows.push_back({m.column, m.local_type, m.tablestore_column, type,
                    m.primary_key ? "primary key" : "attribute"});
  }
  out += Aligned(rows, "  ");
  out += "\nExternal table (MaxCompute's desc extended)\n";
  out += Aligned({{"Storage Handler", std::string(kStorageHandler)},
                  {"Location", Or(location,
                                  "(none: the endpoint is not a Tablestore service "
                                  "host; give tablestore.location)")},
                  {"SerDe properties", SerdeText(*this)}},
                 "  ");
  out += "\n" + FindingsText(*this);
  return out;
}

}  // namespace tsb::jobs
