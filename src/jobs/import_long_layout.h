// --versions: the long layout (decisions 8). One output row per cell version of each mapped
// attribute: the primary-key columns (spec names and types), `column` (the spec column name),
// `timestamp` (bigint, ms), then the value. Rows come in key order; within a row, attributes in
// mapping order; within a cell, newest version first.
//
// The batches carry `value` typed when every mapped attribute has one spec type; otherwise one
// nullable column per distinct spec type, in order of first appearance in the mapping, named
// "value_" + the spec type's name with each run of other characters than [a-z0-9] turned into
// '_' and a trailing '_' dropped (value_bigint, value_double, value_string, value_decimal_10_2,
// value_timestamp_micros), exactly one of them set in each row. The format's descriptor says how
// such a row is written (MixedValues): those columns as they are (Parquet), or one `value`
// column holding the set value's text form (CSV; TextValueWriter) or JSON form (JSON Lines;
// ValueSpliceStream).
#pragma once

#include <memory>

#include "formats/format.h"
#include "tablestore/table_scan_reader.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

// The long layout of one spec: the columns the table scan reader fills (CellVersionColumns), the
// batches' schema, and the schema of mixed text output.
struct LongLayout : ots::CellVersionColumns {
  size_t first_value = 0;                     // the batch index of the first value column
  bool mixed = false;                         // several value columns
  std::shared_ptr<const Schema> schema;       // the batches'
  std::shared_ptr<const Schema> text_schema;  // mixed text output: `value` as string
};

Result<LongLayout> MakeLongLayout(const JobSpec& spec);

// Opens the writer of a long-layout output (see above).
Result<std::unique_ptr<BatchWriter>> OpenLongWriter(const LongLayout& layout,
                                                    const WriterOptions& options);

}  // namespace tsb::jobs
