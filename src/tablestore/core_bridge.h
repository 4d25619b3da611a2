// Translation between core's wire-independent values (convert.h, scan_plan.h) and the wire
// client's row model (row.h, client.h). The planner and the converters live in src/core, which
// knows nothing of the wire; this is the one place where their values become ots::Values.
//
// Every ots::Value made here views bytes owned by its core-side source (an OtsValue, a KeyBound,
// a ColumnFilter): keep the source alive while the ots side is in use.
#pragma once

#include <string_view>
#include <vector>

#include "tsbridge/convert.h"
#include "tsbridge/mapping.h"
#include "core/scan_plan.h"
#include "tsbridge/tablestore/client.h"
#include "tsbridge/tablestore/row.h"

namespace tsb::ots {

Value ToWireValue(const OtsValueRef& value);
// A stored data value as core sees it; false for INF_MIN / INF_MAX / AUTO_INCREMENT / NULL.
bool FromWireValue(const Value& value, OtsValueRef* out);

OtsType FromWireKeyType(PrimaryKeyType type);
// The table's primary key in the form ColumnMapping::CheckAgainstTable takes.
std::vector<TableKeyColumn> TableKeyColumns(const TableMeta& meta);

// A GetRange bound from a planner tuple; `names` are the table's key columns in order.
std::vector<Cell> ToWireKey(const std::vector<KeyBound>& bound,
                            const std::vector<std::string>& names);
// A planner tuple from a wire key (INF_MIN / INF_MAX cells included); owns copies of the bytes.
std::vector<KeyBound> FromWireKey(const std::vector<Cell>& key);

// The planner's server filter as the client's filter tree.
ColumnFilter ToWireFilter(const tsb::ColumnFilter& filter);

}  // namespace tsb::ots
