// MaxCompute DDL for external tables over Tablestore, to and from a job spec (`tsbridge spec
// from-ddl` / `to-ddl`).
//
// The statement is the guide's (decisions 6):
//
//   CREATE EXTERNAL TABLE [IF NOT EXISTS] name ( col type [COMMENT '...'], ... ) [COMMENT '...']
//   STORED BY 'com.aliyun.odps.TableStoreStorageHandler'
//   WITH SERDEPROPERTIES ('tablestore.columns.mapping'='...', 'tablestore.table.name'='...',
//                         'odps.properties.rolearn'='...')
//   LOCATION 'tablestore://INSTANCE.REGION.ots-internal.aliyuncs.com';
//
// A file may hold several statements: `DROP TABLE [IF EXISTS] name` and `SET key=value` (a
// session flag) are read and have no effect; any other statement is an error. Keywords take any
// letter case, names may be `backquoted`, `--` and `/* */` comments are skipped, strings take
// backslash escapes. Column types are the spec's, which are MaxCompute's scalar types; anything
// the spec cannot hold (VARCHAR, ARRAY<...>, an unknown SERDEPROPERTIES key, a mapping whose
// count differs from the columns) is an InvalidArgument "FILE:LINE:COLUMN: ..." naming what was
// expected. The reader is linear in the text and never recurses: `(` and `<` nested deeper than
// kMaxDdlNesting are refused at the place where it went too deep (decisions 11).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/job_spec.h"
#include "tsbridge/status.h"

namespace tsb {

inline constexpr size_t kMaxDdlNesting = 256;

// The storage handler of external tables over Tablestore.
inline constexpr std::string_view kTablestoreStorageHandler =
    "com.aliyun.odps.TableStoreStorageHandler";

struct DdlToSpecOptions {
  // Which CREATE statement to take when the file has several: its table name (case-insensitive,
  // as MaxCompute's names are) or the Tablestore table it maps. Empty: the only one.
  std::string table;
  // Leave `odps.properties.rolearn` out of the spec: the job then runs with the caller's own
  // credentials instead of assuming the role MaxCompute assumes.
  bool without_role = false;
};

struct DdlTable {
  std::string name;  // the external table's name in MaxCompute
  int line = 0;      // where its CREATE is
  JobSpec spec;      // the spec: tablestore (location, table, role_arn), columns, mapping
};

// Reads `sql` (named `file` in messages) and converts its CREATE EXTERNAL TABLE statement.
Result<DdlTable> JobSpecFromDdl(std::string_view sql, std::string_view file,
                                const DdlToSpecOptions& options = {});

struct SpecToDdlOptions {
  std::string name;      // the external table's name; empty: "<Tablestore table>_external"
  std::string location;  // overrides the spec's; else the spec's location, or one derived from an
                         // endpoint INSTANCE.REGION.ots[-internal].aliyuncs.com
};

// The CREATE EXTERNAL TABLE statement of `spec`: its columns, mapping, table, role ARN and
// location. What MaxCompute DDL cannot say is an InvalidArgument naming the spec's JSON path: a
// ticks_unit other than millis, an endpoint that is not a Tablestore host (the emulator's) without
// `location`.
Result<std::string> DdlFromJobSpec(const JobSpec& spec, const SpecToDdlOptions& options = {});

}  // namespace tsb
