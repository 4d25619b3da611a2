#include "tsbridge/mapping.h"

#include <cctype>
#include <unordered_map>

#include "core/value_text.h"

namespace tsb {

namespace {

constexpr size_t kMaxKeyColumns = 4;  // Tablestore's limit (tablestore/limits.h)
constexpr size_t kMaxNameBytes = 255;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

std::string KeyText(const std::vector<TableKeyColumn>& key) {
  std::string out = "(";
  for (size_t i = 0; i < key.size(); ++i) {
    if (i > 0) out += ", ";
    out += key[i].name + " " + std::string(OtsTypeName(key[i].type));
  }
  return out + ")";
}

}  // namespace

bool IsValidOtsName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

Result<ColumnMapping> ColumnMapping::Parse(std::string_view text,
                                           const std::vector<Field>& columns) {
  ColumnMapping m;
  std::vector<std::string_view> entries;
  size_t begin = 0;
  while (true) {
    size_t comma = text.find(',', begin);
    entries.push_back(text.substr(begin, comma == std::string_view::npos ? comma : comma - begin));
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  if (entries.size() != columns.size()) {
    return Status::InvalidArgument("mapping: " + std::to_string(entries.size()) + " names for " +
                                   std::to_string(columns.size()) +
                                   " columns; the mapping names one Tablestore column per entry "
                                   "of columns, in the same order");
  }
  // Tablestore name -> entry index: duplicates found in linear time, whatever the column count.
  std::unordered_map<std::string_view, size_t> seen;
  seen.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string where =
        "mapping: entry " + std::to_string(i + 1) + " (for column " + Quote(columns[i].name) + ")";
    std::string_view e = Trim(entries[i]);
    MappedColumn mc;
    if (!e.empty() && e[0] == ':') {
      mc.primary_key = true;
      e = Trim(e.substr(1));
    }
    if (e.empty()) return Status::InvalidArgument(where + ": empty name");
    if (!IsValidOtsName(e)) {
      return Status::InvalidArgument(
          where + ": " + Quote(e) +
          " is not a Tablestore column name (1-255 bytes of letters, digits and _, not "
          "starting with a digit)");
    }
    mc.ots_name = std::string(e);
    if (auto [it, added] = seen.emplace(e, i); !added) {
      return Status::InvalidArgument(where + ": " + Quote(e) + " is mapped twice (also entry " +
                                     std::to_string(it->second + 1) + ")");
    }
    auto stored = StoredType(columns[i].type);
    if (!stored.ok()) return stored.status().WithContext(where);
    mc.ots_type = *stored;
    if (mc.primary_key) {
      if (!IsKeyType(columns[i].type)) {
        return Status::InvalidArgument(
            where + ": a primary-key column cannot be " + columns[i].type.ToString() +
            " (Tablestore keys are INTEGER, STRING or BINARY: use bigint, int, smallint, "
            "tinyint, datetime, timestamp, string, date, decimal(p,s) or binary)");
      }
      if (m.key_columns_.size() == kMaxKeyColumns) {
        return Status::InvalidArgument(where + ": more than " + std::to_string(kMaxKeyColumns) +
                                       " primary-key columns (Tablestore's limit)");
      }
      m.key_columns_.push_back(static_cast<int>(i));
    } else {
      m.attribute_columns_.push_back(static_cast<int>(i));
    }
    m.columns_.push_back(std::move(mc));
  }
  if (m.key_columns_.empty()) {
    return Status::InvalidArgument(
        "mapping: no primary-key column; mark the table's primary-key columns with a leading "
        "':' (\":pk1,:pk2,attr\")");
  }
  return m;
}

int ColumnMapping::FindOtsColumn(std::string_view ots_name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].ots_name == ots_name) return static_cast<int>(i);
  }
  return -1;
}

Status ColumnMapping::CheckAgainstTable(const std::vector<Field>& columns, std::string_view table,
                                        const std::vector<TableKeyColumn>& table_key) const {
  const std::string key_text = KeyText(table_key);
  auto is_table_key = [&](std::string_view name) {
    for (const auto& k : table_key) {
      if (k.name == name) return true;
    }
    return false;
  };
  for (size_t i = 0; i < columns_.size(); ++i) {
    const MappedColumn& mc = columns_[i];
    if (mc.primary_key && !is_table_key(mc.ots_name)) {
      return Status::InvalidArgument("mapping: \":" + mc.ots_name +
                                     "\" is not a primary-key column of table " +
                                     std::string(table) + "; its primary key is " + key_text);
    }
    if (!mc.primary_key && is_table_key(mc.ots_name)) {
      return Status::InvalidArgument("mapping: \"" + mc.ots_name +
                                     "\" is a primary-key column of table " + std::string(table) +
                                     "; write it as \":" + mc.ots_name + "\"");
    }
  }
  for (size_t k = 0; k < table_key.size(); ++k) {
    int idx = FindOtsColumn(table_key[k].name);
    if (idx < 0) {
      return Status::InvalidArgument("mapping: primary-key column " + Quote(table_key[k].name) +
                                     " of table " + std::string(table) +
                                     " is not mapped; every primary-key column must be, in the "
                                     "table's order " +
                                     key_text);
    }
    if (k >= key_columns_.size() || key_columns_[k] != idx) {
      std::string given;
      for (size_t j = 0; j < key_columns_.size(); ++j) {
        given += (j ? ", " : "") + columns_[key_columns_[j]].ots_name;
      }
      return Status::InvalidArgument("mapping: primary-key columns are mapped in the order (" +
                                     given + "); table " + std::string(table) +
                                     " has them in the order " + key_text);
    }
    if (columns_[idx].ots_type != table_key[k].type) {
      return Status::InvalidArgument(
          "mapping: primary-key column " + Quote(table_key[k].name) + " is " +
          std::string(OtsTypeName(table_key[k].type)) + " in table " + std::string(table) +
          ", but spec column " + Quote(columns[idx].name) + " is " + columns[idx].type.ToString() +
          " (stored as " + std::string(OtsTypeName(columns_[idx].ots_type)) + ")");
    }
  }
  return Status::OK();
}

std::string ColumnMapping::ToString() const {
  std::string out;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) out += ",";
    if (columns_[i].primary_key) out += ":";
    out += columns_[i].ots_name;
  }
  return out;
}

}  // namespace tsb
