// Evaluates a ColumnFilter (tsbridge/tablestore/model.h) on a row as read: attribute cells of one
// column adjacent, newest version first. Used for read filters (after column selection, wire doc
// A.4: the reference column must be among the columns read) and for column conditions of writes.
// A filter may name a primary-key column; it is compared with the row's key value.
#pragma once

#include "emulator/store.h"
#include "tsbridge/tablestore/row.h"

namespace tsb::emulator {

// True when the row passes. A column-pagination filter passes every row (it trims columns; see
// ApplyColumnPagination).
bool EvaluateFilter(const ColumnFilter& filter, const ots::Row& row);

// Compares two values per the rules of ColumnFilter (model.h): whether (a cmp b) holds.
bool CompareValues(const ots::Value& a, Comparator cmp, const ots::Value& b);

// Keeps `limit` attribute columns (by name) after skipping `offset`, in place.
void ApplyColumnPagination(int32_t offset, int32_t limit, ots::Row* row);

// Validates a filter tree: NOT with one child, AND/OR with >= 2, pagination only at the top.
Status ValidateFilter(const ColumnFilter& filter, bool top_level);

}  // namespace tsb::emulator
