// The findings of describe (describe_report.h): the mapping against the table's primary key,
// defined columns and a sample of its rows.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <unordered_map>

#include "core/closest_match.h"
#include "jobs/describe_report.h"
#include "tablestore/core_bridge.h"

namespace tsb::jobs {

namespace {

// The year 2300 in seconds since the epoch: ticks that read as later than this at a column's
// unit, but as earlier at a finer one, are taken for ticks of the finer unit.
constexpr int64_t kLatestPlausibleSecond = 10413792000;

Finding MakeFinding(std::string code, Severity severity, std::string column,
                    std::string tablestore_column) {
  Finding f;
  f.code = std::move(code);
  f.severity = severity;
  f.column = std::move(column);
  f.tablestore_column = std::move(tablestore_column);
  return f;
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// The spec types stored as `type`, for a fix to choose from.
std::string TypesStoredAs(OtsType type) {
  switch (type) {
    case OtsType::kInteger:
      return "bigint, int, smallint, tinyint, datetime or timestamp";
    case OtsType::kDouble:
      return "double or float";
    case OtsType::kBoolean:
      return "boolean";
    case OtsType::kString:
      return "string, date or decimal(p,s)";
    case OtsType::kBinary:
      return "binary";
  }
  return "";
}

OtsType FromDefinedType(ots::DefinedColumnType type) {
  switch (type) {
    case ots::DefinedColumnType::kInteger:
      return OtsType::kInteger;
    case ots::DefinedColumnType::kDouble:
      return OtsType::kDouble;
    case ots::DefinedColumnType::kBoolean:
      return OtsType::kBoolean;
    case ots::DefinedColumnType::kString:
      return OtsType::kString;
    case ots::DefinedColumnType::kBinary:
      return OtsType::kBinary;
  }
  return OtsType::kString;
}

std::optional<OtsType> DefinedType(const ots::TableMeta& meta, std::string_view name) {
  for (const ots::DefinedColumn& d : meta.defined_columns) {
    if (d.name == name) return FromDefinedType(d.type);
  }
  return std::nullopt;
}

std::string KeyText(const ots::TableMeta& meta) {
  std::string out = "(";
  for (size_t i = 0; i < meta.primary_key.size(); ++i) {
    out += (i ? ", " : "") + meta.primary_key[i].name + " " +
           std::string(ots::PrimaryKeyTypeName(meta.primary_key[i].type));
  }
  return out + ")";
}

std::string LocalType(const Field& field) {
  std::string text = field.type.ToString();
  if (field.type.id == TypeId::kTimestamp || field.type.id == TypeId::kDateTime) {
    text += " (" + std::string(TicksUnitName(field.type.unit)) + ")";
  }
  return text;
}

int64_t SecondsAt(int64_t ticks, TimeUnit unit) {
  for (int u = static_cast<int>(TimeUnit::kSeconds); u < static_cast<int>(unit); ++u) {
    ticks /= 1000;
  }
  return ticks;
}

// timestamp_finer_than_ticks for one column, when its sampled ticks say so.
std::optional<Finding> JudgeTicks(const Field& field, const std::string& ots_name,
                                  const SampledAttribute& a) {
  if (a.count(OtsType::kInteger) == 0) return std::nullopt;
  // The magnitude that is furthest from the epoch; INT64_MIN has no positive counterpart.
  auto magnitude = [](int64_t v) -> int64_t {
    return v == INT64_MIN ? INT64_MAX : (v < 0 ? -v : v);
  };
  const int64_t biggest = std::max(magnitude(a.min_integer), magnitude(a.max_integer));
  if (SecondsAt(biggest, field.type.unit) <= kLatestPlausibleSecond) return std::nullopt;
  for (int u = static_cast<int>(field.type.unit) + 1; u <= static_cast<int>(TimeUnit::kNanos);
       ++u) {
    const TimeUnit finer = static_cast<TimeUnit>(u);
    if (SecondsAt(biggest, finer) > kLatestPlausibleSecond) continue;
    Finding f;
    f.code = "timestamp_finer_than_ticks";
    f.severity = Severity::kWarning;
    f.column = field.name;
    f.tablestore_column = ots_name;
    f.rows = a.count(OtsType::kInteger);
    const std::string unit(TicksUnitName(field.type.unit));
    const std::string keeps(TicksUnitName(finer));
    f.message = "the sampled ticks of " + Quoted(ots_name) + " reach " + std::to_string(biggest) +
                ", after the year 2300 when read as " + unit + " but not as " + keeps +
                ": they are finer than the column's \"ticks_unit\": " + Quoted(unit);
    f.fix = "set \"ticks_unit\": " + Quoted(keeps) + " on column " + Quoted(field.name);
    return f;
  }
  return std::nullopt;
}

// The sampled attributes by name (TableSample::Find scans; a wide spec asks once per column).
std::unordered_map<std::string_view, const SampledAttribute*> ByName(const TableSample* sample) {
  std::unordered_map<std::string_view, const SampledAttribute*> by_name;
  if (sample == nullptr) return by_name;
  for (const SampledAttribute& a : sample->attributes) by_name.emplace(a.name, &a);
  return by_name;
}

const SampledAttribute* Lookup(
    const std::unordered_map<std::string_view, const SampledAttribute*>& by_name,
    std::string_view name) {
  auto it = by_name.find(name);
  return it == by_name.end() ? nullptr : it->second;
}

std::string SeenText(const SampledAttribute& a) {
  std::string out;
  for (OtsType t : a.TypesSeen()) {
    if (!out.empty()) out += ", ";
    out += std::string(OtsTypeName(t)) + " " + std::to_string(a.count(t));
  }
  return out;
}

}  // namespace

std::vector<Finding> JudgeKeys(const JobSpec& spec, const ots::TableMeta& meta) {
  std::vector<Finding> out;
  const auto& entries = spec.mapping.columns();
  std::vector<std::string> keys;
  for (const ots::PrimaryKeyColumn& k : meta.primary_key) keys.push_back(k.name);
  auto is_key = [&](std::string_view name) {
    return std::find(keys.begin(), keys.end(), name) != keys.end();
  };
  const std::string table = Quoted(meta.name);
  for (size_t i = 0; i < entries.size(); ++i) {
    const MappedColumn& e = entries[i];
    if (e.primary_key == is_key(e.ots_name)) continue;
    Finding f;
    f.column = spec.columns[i].name;
    f.tablestore_column = e.ots_name;
    if (e.primary_key) {
      f.code = "pk_not_in_table";
      f.close_matches = CloseMatches(e.ots_name, keys);
      f.message = "\":" + e.ots_name +
                  "\" is marked as a primary-key column, but the primary key " + "of table " +
                  table + " is " + KeyText(meta);
      f.fix = f.close_matches.empty() ? "remove the ':' to map it as an attribute"
                                      : "write \":" + f.close_matches.front() +
                                            "\" if that is the key column meant, "
                                            "else remove the ':' to map it as an attribute";
    } else {
      f.code = "pk_not_marked";
      f.message = Quoted(e.ots_name) + " is a primary-key column of table " + table +
                  ", mapped as an attribute";
      f.fix = "write it as \":" + e.ots_name + "\"";
    }
    out.push_back(std::move(f));
  }
  std::vector<std::string> mapped_order;    // key entries naming table keys, in mapping order
  std::vector<std::string> expected_order;  // the same keys in the table's order
  for (int c : spec.mapping.key_columns()) {
    if (is_key(entries[c].ots_name)) mapped_order.push_back(entries[c].ots_name);
  }
  for (size_t k = 0; k < meta.primary_key.size(); ++k) {
    const ots::PrimaryKeyColumn& key = meta.primary_key[k];
    const OtsType type = ots::FromWireKeyType(key.type);
    const int idx = spec.mapping.FindOtsColumn(key.name);
    if (idx >= 0 && entries[idx].primary_key) expected_order.push_back(key.name);
    Finding f;
    f.tablestore_column = key.name;
    if (idx < 0) {
      f.code = "pk_missing";
      f.message = "primary-key column " + Quoted(key.name) + " (" + std::string(OtsTypeName(type)) +
                  ", key column " + std::to_string(k + 1) + " of " + std::to_string(keys.size()) +
                  ") of table " + table +
                  " is not mapped; every primary-key column must be, in the table's order " +
                  KeyText(meta);
      f.fix = "add a column of type " + TypesStoredAs(type) + " to columns and \":" + key.name +
              "\" to the mapping as key entry " + std::to_string(k + 1);
    } else if (entries[idx].primary_key && entries[idx].ots_type != type) {
      const Field& field = spec.columns[idx];
      f.code = "key_type_mismatch";
      f.column = field.name;
      f.message = "primary-key column " + Quoted(key.name) + " is " +
                  std::string(OtsTypeName(type)) + " in table " + table + ", but column " +
                  Quoted(field.name) + " is " + field.type.ToString() + " (stored as " +
                  std::string(OtsTypeName(entries[idx].ots_type)) + ")";
      f.fix = "give column " + Quoted(field.name) + " a type stored as " +
              std::string(OtsTypeName(type)) + ": " + TypesStoredAs(type);
    } else {
      continue;
    }
    out.push_back(std::move(f));
  }
  if (mapped_order != expected_order) {
    Finding f;
    f.code = "pk_order";
    std::string given;
    std::string wanted;
    for (size_t j = 0; j < mapped_order.size(); ++j) {
      given += (j ? ", " : "") + mapped_order[j];
      wanted += (j ? ",:" : ":") + expected_order[j];
      if (f.tablestore_column.empty() && mapped_order[j] != expected_order[j]) {
        f.tablestore_column = mapped_order[j];
        f.column = spec.columns[spec.mapping.FindOtsColumn(mapped_order[j])].name;
      }
    }
    f.message = "primary-key columns are mapped in the order (" + given + "); table " + table +
                " has them in the order " + KeyText(meta);
    f.fix = "map them as \"" + wanted + "\", with their columns in the same order in columns";
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> JudgeAttributes(const JobSpec& spec, const ots::TableMeta& meta,
                                     const JobSpec& sample_spec, const TableSample& sample) {
  std::vector<Finding> out;
  const auto& entries = spec.mapping.columns();
  // Tablestore column -> spec column, so that a wide spec is judged in linear time.
  std::unordered_map<std::string_view, int> mapped;
  for (size_t c = 0; c < entries.size(); ++c)
    mapped.emplace(entries[c].ots_name, static_cast<int>(c));
  auto find = [&](std::string_view name) {
    auto it = mapped.find(name);
    return it == mapped.end() ? -1 : it->second;
  };
  const auto sampled_by_name = ByName(&sample);
  // What a misspelt attribute may have meant: the sampled attributes no other entry maps.
  std::vector<std::string> unmapped_names;
  for (const SampledAttribute& a : sample.attributes) {
    if (find(a.name) < 0) unmapped_names.push_back(a.name);
  }
  // Sampled values each column cannot hold, by Tablestore column.
  std::map<std::string, const ColumnRejects*> rejects;
  for (size_t c = 0; c < sample.column_rejects.size(); ++c) {
    if (sample.column_rejects[c].values == 0) continue;
    rejects[sample_spec.mapping.columns()[c].ots_name] = &sample.column_rejects[c];
  }
  const std::string sampled =
      std::to_string(sample.rows) + " sampled row" + (sample.rows == 1 ? "" : "s");
  for (int c : spec.mapping.attribute_columns()) {
    const MappedColumn& e = entries[c];
    const Field& field = spec.columns[c];
    bool cannot_hold = false;
    auto cannot = [&](OtsType held, const std::string& why, int64_t rows) {
      Finding f = MakeFinding("type_cannot_hold", Severity::kError, field.name, e.ots_name);
      f.message = why + "; column " + Quoted(field.name) + " is " + field.type.ToString() +
                  ", stored as " + std::string(OtsTypeName(e.ots_type));
      f.fix = "give column " + Quoted(field.name) + " a type that holds " +
              std::string(OtsTypeName(held)) + ": " + TypesStoredAs(held);
      f.rows = rows;
      out.push_back(std::move(f));
      cannot_hold = true;
    };
    if (auto defined = DefinedType(meta, e.ots_name); defined && *defined != e.ots_type) {
      cannot(*defined,
             Quoted(e.ots_name) + " is a defined column of type " +
                 std::string(OtsTypeName(*defined)) + " in table " + Quoted(meta.name),
             -1);
    }
    const SampledAttribute* a = Lookup(sampled_by_name, e.ots_name);
    if (a != nullptr && !cannot_hold && a->count(e.ots_type) == 0 && !a->TypesSeen().empty()) {
      cannot(a->TypesSeen().front(),
             "every sampled value of " + Quoted(e.ots_name) + " is of another kind (" +
                 SeenText(*a) + ")",
             a->rows);
    }
    if (a == nullptr && sample.rows > 0) {
      Finding f = MakeFinding("attribute_not_seen", Severity::kWarning, field.name, e.ots_name);
      f.close_matches = CloseMatches(e.ots_name, unmapped_names);
      f.message = "none of the " + sampled + " carries the attribute " + Quoted(e.ots_name) +
                  " mapped to column " + Quoted(field.name) +
                  ": import would read it as NULL in every row";
      if (f.close_matches.empty()) {
        f.fix = "check the name in the mapping against the table's attributes";
      } else {
        f.fix = "did you mean " + Quoted(f.close_matches.front()) + "? correct the mapping entry " +
                Quoted(e.ots_name);
      }
      out.push_back(std::move(f));
    }
    if (a != nullptr &&
        (field.type.id == TypeId::kTimestamp || field.type.id == TypeId::kDateTime)) {
      if (auto f = JudgeTicks(field, e.ots_name, *a)) out.push_back(std::move(*f));
    }
    if (cannot_hold) rejects.erase(e.ots_name);
  }
  for (const auto& [ots_name, r] : rejects) {
    const int c = find(ots_name);
    const std::string column = c >= 0 ? spec.columns[c].name : "";
    Finding f = MakeFinding("value_would_reject", Severity::kWarning, column, ots_name);
    f.rows = r->values;
    f.message = std::to_string(r->values) + " of the " + sampled + " hold a value of " +
                Quoted(ots_name) + " that the column cannot hold (import sends such rows to the " +
                "reject file); the first, " + r->first.key + ", holds " + r->first.stored_type +
                ": " + r->first.reason;
    f.fix =
        "give column " + Quoted(column) + " a type that holds these values, or correct the rows";
    out.push_back(std::move(f));
  }
  for (const SampledAttribute& a : sample.attributes) {
    if (find(a.name) >= 0) continue;
    Finding f = MakeFinding("attribute_not_mapped", Severity::kInfo, "", a.name);
    f.rows = a.rows;
    f.message = "the attribute " + Quoted(a.name) + " (" + SeenText(a) + " in the " + sampled +
                ") is not mapped";
    f.fix = "map it if the job needs it (a column, and " + Quoted(a.name) +
            " in the mapping); leaving it out is fine";
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<MappingLine> MappingLines(const JobSpec& spec, const ots::TableMeta& meta,
                                      const TableSample* sample) {
  std::vector<MappingLine> lines;
  const auto& entries = spec.mapping.columns();
  const auto sampled_by_name = ByName(sample);
  for (size_t c = 0; c < entries.size(); ++c) {
    MappingLine line;
    line.column = spec.columns[c].name;
    line.local_type = LocalType(spec.columns[c]);
    line.tablestore_column = entries[c].ots_name;
    line.primary_key = entries[c].primary_key;
    for (const ots::PrimaryKeyColumn& k : meta.primary_key) {
      if (k.name == entries[c].ots_name) line.tablestore_type = ots::PrimaryKeyTypeName(k.type);
    }
    if (auto defined = DefinedType(meta, entries[c].ots_name)) {
      line.tablestore_type = OtsTypeName(*defined);
    }
    const SampledAttribute* a = Lookup(sampled_by_name, entries[c].ots_name);
    if (a != nullptr) {
      line.rows_seen = a->rows;
      for (OtsType t : a->TypesSeen()) line.types_seen.emplace_back(OtsTypeName(t), a->count(t));
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace tsb::jobs
