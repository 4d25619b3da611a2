// The report of `tsbridge verify` (verify_job.h) as text for a person and as JSON for a script.
#include <cinttypes>
#include <cstdio>

#include "core/value_text.h"
#include "jobs/verify_job.h"

namespace tsb::jobs {

namespace {

// A value as the report shows it: NULL, a number or boolean bare, anything else as a JSON string
// (so that spaces, quotes and empty strings stay visible).
void AppendShown(const std::optional<std::string>& value, bool quoted, std::string* out) {
  if (!value) {
    *out += "NULL";
  } else if (quoted) {
    AppendJsonString(*value, out);
  } else {
    *out += *value;
  }
}

void AppendJsonValue(const std::optional<std::string>& value, std::string* out) {
  if (!value) {
    *out += "null";
  } else {
    AppendJsonString(*value, out);
  }
}

std::string KeyText(const VerifyReport& report, const VerifyRowDiff& d) {
  std::string out = "(";
  for (size_t k = 0; k < report.key_columns.size(); ++k) {
    if (k > 0) out += ", ";
    out += report.column_names[report.key_columns[k]] + "=";
    AppendShown(k < d.key_texts.size() ? d.key_texts[k] : std::nullopt,
                report.quoted[report.key_columns[k]], &out);
  }
  return out + ")";
}

bool IsKeyColumn(const VerifyReport& report, size_t c) {
  for (int k : report.key_columns) {
    if (static_cast<size_t>(k) == c) return true;
  }
  return false;
}

std::string_view KindName(VerifyRowDiff::Kind kind) {
  switch (kind) {
    case VerifyRowDiff::Kind::kMissing:
      return "missing";
    case VerifyRowDiff::Kind::kExtra:
      return "extra";
    case VerifyRowDiff::Kind::kChanged:
      return "changed";
  }
  return "";
}

std::string Count(int64_t n, std::string_view one) {
  return std::to_string(n) + " " + std::string(one) + (n == 1 ? "" : "s");
}

}  // namespace

int64_t VerifyReport::differing_rows() const {
  int64_t n = 0;
  for (const VerifySplit& s : splits) n += s.missing + s.extra + s.changed;
  return n;
}

bool VerifyReport::equal() const {
  if (table_unreadable > 0 || file_unreadable > 0) return false;
  for (const VerifySplit& s : splits) {
    if (s.differs) return false;
  }
  return true;
}

std::string VerifyReport::Text() const {
  std::string out = "verify: table " + table + " and " + input;
  const size_t scanned = splits.empty() ? 0 : splits.size() - 1;
  if (equal()) {
    return out + " are equal: " + Count(table_rows, "row") + " in " + Count(scanned, "split") +
           "\n";
  }
  size_t differing = 0;
  int64_t missing = 0, extra = 0, changed = 0;
  for (const VerifySplit& s : splits) {
    differing += s.differs ? 1 : 0;
    missing += s.missing;
    extra += s.extra;
    changed += s.changed;
  }
  out += " differ: " + Count(table_rows, "row") + " in the table, " + std::to_string(file_rows) +
         " in the file; " + std::to_string(missing) + " missing from the file, " +
         std::to_string(extra) + " extra in the file, " + std::to_string(changed) + " changed\n";
  if (table_unreadable > 0 || file_unreadable > 0) {
    out += "  unreadable: " + std::to_string(table_unreadable) + " table values, " +
           std::to_string(file_unreadable) + " file records; first: " + first_unreadable + "\n";
  }
  if (differing > 0) out += "  differing key ranges (" + std::to_string(differing) + "):\n";
  for (const VerifySplit& s : splits) {
    if (!s.differs) continue;
    out += "    " + s.range + ": table " + std::to_string(s.table_rows) + ", file " +
           std::to_string(s.file_rows) + " rows; " + std::to_string(s.missing) + " missing, " +
           std::to_string(s.extra) + " extra, " + std::to_string(s.changed) + " changed\n";
  }
  for (const VerifyRowDiff& d : shown) {
    out += "  " + std::string(KindName(d.kind)) + " " + KeyText(*this, d);
    if (d.kind == VerifyRowDiff::Kind::kMissing) {
      out += ": in the table, not in the file\n";
    } else if (d.kind == VerifyRowDiff::Kind::kExtra) {
      out += ": in the file, not in the table\n";
    } else {
      out += ":";
      const char* sep = " ";
      for (size_t c = 0; c < column_names.size(); ++c) {
        if (IsKeyColumn(*this, c) || c >= d.table_values.size() || c >= d.file_values.size() ||
            d.table_values[c] == d.file_values[c]) {
          continue;
        }
        out += sep + column_names[c] + ": table ";
        AppendShown(d.table_values[c], quoted[c], &out);
        out += ", file ";
        AppendShown(d.file_values[c], quoted[c], &out);
        sep = "; ";
      }
      out += "\n";
    }
  }
  return out;
}

std::string VerifyReport::Json() const {
  std::string out = "{\"equal\": ";
  out += equal() ? "true" : "false";
  out += ", \"table\": ";
  AppendJsonString(table, &out);
  out += ", \"input\": ";
  AppendJsonString(input, &out);
  out += ", \"table_rows\": " + std::to_string(table_rows) +
         ", \"file_rows\": " + std::to_string(file_rows) +
         ", \"table_unreadable\": " + std::to_string(table_unreadable) +
         ", \"file_unreadable\": " + std::to_string(file_unreadable) +
         ", \"splits\": " + std::to_string(splits.empty() ? 0 : splits.size() - 1) +
         ", \"differing_ranges\": [";
  bool first = true;
  for (const VerifySplit& s : splits) {
    if (!s.differs) continue;
    out += first ? "" : ", ";
    first = false;
    out += "{\"range\": ";
    AppendJsonString(s.range, &out);
    out += ", \"table_rows\": " + std::to_string(s.table_rows) +
           ", \"file_rows\": " + std::to_string(s.file_rows) +
           ", \"missing\": " + std::to_string(s.missing) +
           ", \"extra\": " + std::to_string(s.extra) +
           ", \"changed\": " + std::to_string(s.changed) + "}";
  }
  out += "], \"rows\": [";
  for (size_t i = 0; i < shown.size(); ++i) {
    const VerifyRowDiff& d = shown[i];
    out += i ? ", " : "";
    out += "{\"kind\": \"" + std::string(KindName(d.kind)) + "\", \"key\": {";
    for (size_t k = 0; k < key_columns.size(); ++k) {
      out += k ? ", " : "";
      AppendJsonString(column_names[key_columns[k]], &out);
      out += ": ";
      AppendJsonValue(k < d.key_texts.size() ? d.key_texts[k] : std::nullopt, &out);
    }
    out += "}";
    for (auto [name, values] : {std::pair{"table", &d.table_values}, {"file", &d.file_values}}) {
      if (values->empty()) continue;
      out += ", \"" + std::string(name) + "\": {";
      for (size_t c = 0; c < column_names.size(); ++c) {
        out += c ? ", " : "";
        AppendJsonString(column_names[c], &out);
        out += ": ";
        AppendJsonValue((*values)[c], &out);
      }
      out += "}";
    }
    out += "}";
  }
  return out + "]}\n";
}

}  // namespace tsb::jobs
