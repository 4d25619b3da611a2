// The column mapping of a job spec: which Tablestore column each spec column reads and writes.
//
// The text is MaxCompute's `tablestore.columns.mapping`: one Tablestore column name per spec
// column, in the order of the spec's `columns`, separated by commas, white space around names
// allowed; a leading ':' marks a primary-key column (":o_orderkey, :o_orderdate, o_custkey").
// ParseMapping checks what the spec alone can tell (names, counts, key types); CheckAgainstTable
// checks it against the table's primary-key schema before any data moves (import, export,
// describe). Errors are InvalidArgument and start with "mapping".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/convert.h"
#include "tsbridge/status.h"
#include "tsbridge/types.h"

namespace tsb {

struct MappedColumn {
  std::string ots_name;                 // the Tablestore column name
  bool primary_key = false;             // written with a leading ':'
  OtsType ots_type = OtsType::kString;  // the kind the spec type is stored as (StoredType)
};

// One primary-key column of a table, as DescribeTable gives it.
struct TableKeyColumn {
  std::string name;
  OtsType type = OtsType::kInteger;  // kInteger, kString or kBinary
};

class ColumnMapping {
 public:
  ColumnMapping() = default;

  // `columns` are the spec's columns (names and types), parallel to the mapping's entries.
  static Result<ColumnMapping> Parse(std::string_view text, const std::vector<Field>& columns);

  // Entry i maps spec column i.
  const std::vector<MappedColumn>& columns() const { return columns_; }
  size_t size() const { return columns_.size(); }
  // Spec column indexes of the primary-key entries, in mapping order (= the table's key order
  // once CheckAgainstTable passed).
  const std::vector<int>& key_columns() const { return key_columns_; }
  // Spec column indexes of the attribute entries, in mapping order.
  const std::vector<int>& attribute_columns() const { return attribute_columns_; }
  // The spec column index mapped to Tablestore column `ots_name`, or -1.
  int FindOtsColumn(std::string_view ots_name) const;

  // Every key column of `table_key` mapped with ':', in the table's order, with a compatible
  // type; no ':' entry that is not a key column; no attribute entry naming a key column.
  // `columns` as for Parse; `table` names the table in messages.
  Status CheckAgainstTable(const std::vector<Field>& columns, std::string_view table,
                           const std::vector<TableKeyColumn>& table_key) const;

  // The canonical text: ":o_orderkey,:o_orderdate,o_custkey".
  std::string ToString() const;

 private:
  std::vector<MappedColumn> columns_;
  std::vector<int> key_columns_;
  std::vector<int> attribute_columns_;
};

// Whether `name` is a valid Tablestore table or column name: 1..255 bytes of [A-Za-z0-9_],
// the first a letter or '_'.
bool IsValidOtsName(std::string_view name);

}  // namespace tsb
