// A sample of a table: its first rows, read through the table scan reader with a row cap, and
// per attribute the Tablestore types its cells hold with their counts.
//
// `describe` judges a mapping by it (a mapped attribute no row carries, values that would be
// rejected, types a local column cannot hold); `spec init --from-table` writes a starter spec from
// it. A table of several splits is sampled at the start of a few of them, evenly spread over the
// key space, so that a table whose first rows are untypical is still seen; a one-split table is
// sampled from its start.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/scan_plan.h"
#include "tsbridge/convert.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"
#include "tsbridge/tablestore/client.h"

namespace tsb::jobs {

// One attribute column as the sample saw it.
struct SampledAttribute {
  std::string name;
  int64_t rows = 0;  // sampled rows that carry it
  // Cells of each kind, indexed by OtsType (INTEGER, DOUBLE, BOOLEAN, STRING, BINARY).
  std::array<int64_t, 5> type_counts{};
  // The smallest and largest INTEGER seen (valid when type_counts[kInteger] > 0): how a timestamp
  // column's ticks are judged against its ticks_unit.
  int64_t min_integer = 0;
  int64_t max_integer = 0;

  int64_t count(OtsType type) const { return type_counts[static_cast<size_t>(type)]; }
  // The kinds seen, most frequent first (ties in OtsType order).
  std::vector<OtsType> TypesSeen() const;
};

// A sampled row that the spec's columns cannot hold: import would send it to the reject file.
// The reader stops at a row's first value that does not fit, so a row counts once.
struct SampledReject {
  int column = -1;          // the spec column (index into the sampling spec's columns)
  std::string key;          // (o_orderkey=5, o_orderdate="1996-05-03")
  std::string stored_type;  // INTEGER, ..., or UNKNOWN
  std::string reason;       // ConvertOtsValue's reason
};

struct TableSample {
  int64_t rows = 0;           // rows read
  size_t splits = 0;          // the table's splits at the 256 MiB target
  size_t splits_sampled = 0;  // of which the sample read the start
  // Every attribute any sampled row carries, in order of first appearance.
  std::vector<SampledAttribute> attributes;
  std::vector<SampledReject> rejects;
  // The rows that convert, in the spec's columns, in the order read.
  std::unique_ptr<RowBatch> batch;

  const SampledAttribute* Find(std::string_view name) const;
};

struct TableSampleOptions {
  int64_t max_rows = 1000;
  // At most this many splits are read from; each gives an equal share of max_rows.
  size_t max_splits = 4;
  // The table's splits as ComputeSplitPointsBySize gave them; empty = asked here at 256 MiB.
  std::vector<KeyRange> splits;
};

// Reads the sample of `spec`'s table through TableScanReader, whole rows (every attribute, so
// that unmapped and misspelt ones are seen too), converted to the spec's columns. `key_names` are
// the table's primary-key columns in order; the spec's key entries must match them (use
// SamplingSpec when they may not).
Result<TableSample> SampleTable(ots::Client* client, const JobSpec& spec,
                                const std::vector<std::string>& key_names,
                                const TableSampleOptions& options = {});

// A spec that reads `meta`'s table with its key columns in their own types (INTEGER as bigint,
// STRING as string, BINARY as binary) followed by `attributes`, each named by its Tablestore
// column. For a sample that must not depend on a mapping's key entries (describe of a mapping
// whose keys are wrong), and for a table that has no spec yet (spec init --from-table: pass no
// attributes, then read the types off the sample). `base` gives the endpoint, instance, table.
Result<JobSpec> SamplingSpec(const TablestoreSpec& base, const ots::TableMeta& meta,
                             const std::vector<Field>& attributes);

// The table's splits at the 256 MiB target (decisions 4) as key ranges.
Result<std::vector<KeyRange>> TableSplits(ots::Client* client, const std::string& table,
                                          int64_t split_size = 256,
                                          int64_t unit_bytes = int64_t{1} << 20);

}  // namespace tsb::jobs
