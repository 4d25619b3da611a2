#include "jobs/export_table.h"

#include <cstdio>

#include "core/log.h"
#include "tsbridge/tablestore/limits.h"

namespace tsb::jobs {

Result<ots::TableDescription> PrepareTable(ots::Client* client, const JobSpec& spec,
                                           const ExportOptions& options, bool* would_create) {
  *would_create = false;
  auto described = client->DescribeTable(spec.tablestore.table);
  if (described.ok()) return DescribeAndCheck(client, spec);
  if (described.status().ots_code() != "OTSObjectNotExist" || !options.create_table) {
    // A missing table is worded for the user by DescribeAndCheck; anything else (a dead
    // endpoint, say) is not asked twice.
    if (described.status().ots_code() != "OTSObjectNotExist") {
      return described.status();
    }
    return DescribeAndCheck(client, spec);
  }
  ots::CreateTableRequest create;
  create.meta.name = spec.tablestore.table;
  for (int c : spec.mapping.key_columns()) {
    const MappedColumn& m = spec.mapping.columns()[c];
    ots::PrimaryKeyColumn& pk = create.meta.primary_key.emplace_back();
    pk.name = m.ots_name;
    pk.type = m.ots_type == OtsType::kInteger  ? ots::PrimaryKeyType::kInteger
              : m.ots_type == OtsType::kBinary ? ots::PrimaryKeyType::kBinary
                                               : ots::PrimaryKeyType::kString;
  }
  if (create.meta.primary_key.empty() ||
      create.meta.primary_key.size() > static_cast<size_t>(ots::kMaxPrimaryKeyColumns)) {
    return Status::InvalidArgument(
        "--create-table: the mapping must mark 1 to 4 primary-key "
        "columns with ':'");
  }
  if (options.dry_run) {
    *would_create = true;
    ots::TableDescription d;
    d.meta = create.meta;
    return d;
  }
  create.options.time_to_live = -1;
  create.options.max_versions = 1;
  TSB_RETURN_IF_ERROR(client->CreateTable(create).WithContext("--create-table"));
  if (!options.quiet) {
    log::Printf(log::Level::kInfo, "export: created table \"%s\"\n", spec.tablestore.table.c_str());
  }
  return DescribeAndCheck(client, spec);
}

}  // namespace tsb::jobs
