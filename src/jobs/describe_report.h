// What `tsbridge describe` reports: the table as DescribeTable and ComputeSplitPointsBySize give
// it, the mapping as a table beside the types a sample of rows holds, the external table as a
// MaxCompute user sees it (`desc extended`), and the findings: what is wrong with the mapping, each
// with a stable code, the column and a fix.
//
// Codes (stable: scripts match on them; docs/describe.schema.json lists them):
//   error (the mapping cannot work; describe exits 2)
//     pk_missing          a primary-key column of the table is not mapped
//     pk_order            the primary-key columns are mapped out of the table's order
//     pk_not_in_table     a ':' entry names a column that is not a primary-key column
//     pk_not_marked       an entry without ':' names a primary-key column
//     key_type_mismatch   a key column's local type is stored as another kind than the table's
//     type_cannot_hold    an attribute's local type cannot hold its Tablestore type: a defined
//                         column of another kind, or every sampled value of another kind
//   warning (import runs, but not as the user expects)
//     attribute_not_seen  a mapped attribute no sampled row carries (a typo reads as all NULL);
//                         close_matches names the sampled attributes it may have meant
//     value_would_reject  sampled rows whose value the local type cannot hold (the reject file)
//     timestamp_finer_than_ticks  a timestamp/datetime column's sampled ticks only make sense in a
//                         finer unit than its "ticks_unit" (read as that unit, they land after
//                         the year 2300): the table holds finer ticks than the spec says
//   info
//     attribute_not_mapped  an attribute the sample holds that the mapping leaves out (the guide
//                         allows mapping a subset; listed so that a missing one is noticed)
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "jobs/table_sample.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/tablestore/client.h"

namespace tsb::jobs {

enum class Severity { kError, kWarning, kInfo };
std::string_view SeverityName(Severity severity);  // "error", "warning", "info"

struct Finding {
  std::string code;
  Severity severity = Severity::kError;
  std::string column;             // the spec column; empty when none maps the Tablestore column
  std::string tablestore_column;  // empty when the finding is about a spec column only
  std::string message;
  std::string fix;
  std::vector<std::string> close_matches;  // attribute_not_seen, pk_not_in_table
  int64_t rows = -1;                       // sampled rows concerned; -1 = not a count
};

// One line of the mapping table.
struct MappingLine {
  std::string column;      // the spec column
  std::string local_type;  // "bigint", "timestamp(micros)"
  std::string tablestore_column;
  bool primary_key = false;
  // A key's type from the table; an attribute's from its defined column, else empty.
  std::string tablestore_type;
  // Attributes: the kinds the sample holds, most frequent first, with their counts.
  std::vector<std::pair<std::string, int64_t>> types_seen;
  int64_t rows_seen = 0;  // attributes: sampled rows that carry it
};

struct DescribeReport {
  // Where: the endpoint requests went to, the spec's instance, table, role ARN (never a secret).
  std::string endpoint;
  std::string instance;
  std::string table;
  std::string region;  // empty = unknown
  std::string role_arn;
  ots::TableDescription description;
  // Size: the splits at the 256 MiB target, and an upper bound of the bytes from the finest
  // split computation asked for.
  int64_t splits = 0;
  int64_t estimated_bytes_at_most = 0;

  std::vector<MappingLine> mapping;
  std::string mapping_text;
  // The external table: storage handler, location (empty when the endpoint is not a service
  // host and the spec names no location).
  std::string location;

  int64_t sample_requested = 0;
  int64_t sample_rows = 0;
  int64_t splits_sampled = 0;
  std::vector<SampledAttribute> sample_attributes;

  std::vector<Finding> findings;

  size_t Count(Severity severity) const;
  // Whether the mapping cannot work: any error finding (describe exits 2).
  bool HasErrors() const { return Count(Severity::kError) > 0; }

  // The whole report as one JSON document (docs/describe.schema.json).
  std::string ToJson() const;
  // For a person: the sections above as aligned text.
  std::string ToText() const;
};

inline constexpr std::string_view kStorageHandler = "com.aliyun.odps.TableStoreStorageHandler";

// The key findings of `spec`'s mapping against the table's primary key (errors only). The
// primary-key checks of import and export stop at the first; these name every one.
std::vector<Finding> JudgeKeys(const JobSpec& spec, const ots::TableMeta& meta);

// The attribute findings from the table's defined columns and a sample read with `sample_spec`
// (the user's spec when its keys are right, else SamplingSpec's); `sample_spec` columns are
// matched to `spec`'s by their Tablestore column.
std::vector<Finding> JudgeAttributes(const JobSpec& spec, const ots::TableMeta& meta,
                                     const JobSpec& sample_spec, const TableSample& sample);

// The mapping table's lines.
std::vector<MappingLine> MappingLines(const JobSpec& spec, const ots::TableMeta& meta,
                                      const TableSample* sample);

}  // namespace tsb::jobs
