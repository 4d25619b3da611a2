#include "tablestore/pb_model.h"

namespace tsb::ots {

void TableMetaToPb(const TableMeta& meta, pb::TableMeta* out) {
  out->set_table_name(meta.name);
  for (const PrimaryKeyColumn& column : meta.primary_key) {
    pb::PrimaryKeySchema* pk = out->add_primary_key();
    pk->set_name(column.name);
    pk->set_type(static_cast<pb::PrimaryKeyType>(column.type));
    if (column.auto_increment) pk->set_option(pb::AUTO_INCREMENT);
  }
  for (const DefinedColumn& column : meta.defined_columns) {
    pb::DefinedColumnSchema* dc = out->add_defined_column();
    dc->set_name(column.name);
    dc->set_type(static_cast<pb::DefinedColumnType>(column.type));
  }
}

TableMeta TableMetaFromPb(const pb::TableMeta& meta) {
  TableMeta out;
  out.name = meta.table_name();
  out.primary_key.reserve(meta.primary_key_size());
  for (const pb::PrimaryKeySchema& pk : meta.primary_key()) {
    out.primary_key.push_back(
        PrimaryKeyColumn{pk.name(), static_cast<PrimaryKeyType>(pk.type()),
                         pk.has_option() && pk.option() == pb::AUTO_INCREMENT});
  }
  for (const pb::DefinedColumnSchema& dc : meta.defined_column()) {
    out.defined_columns.push_back(
        DefinedColumn{dc.name(), static_cast<DefinedColumnType>(dc.type())});
  }
  return out;
}

void TableOptionsToPb(const TableOptions& options, pb::TableOptions* out) {
  if (options.time_to_live) out->set_time_to_live(*options.time_to_live);
  if (options.max_versions) out->set_max_versions(*options.max_versions);
  if (options.bloom_filter_type) {
    out->set_bloom_filter_type(static_cast<pb::BloomFilterType>(*options.bloom_filter_type));
  }
  if (options.block_size) out->set_block_size(*options.block_size);
  if (options.max_time_deviation) {
    out->set_deviation_cell_version_in_sec(*options.max_time_deviation);
  }
  if (options.allow_update) out->set_allow_update(*options.allow_update);
}

TableOptions TableOptionsFromPb(const pb::TableOptions& options) {
  TableOptions out;
  if (options.has_time_to_live()) out.time_to_live = options.time_to_live();
  if (options.has_max_versions()) out.max_versions = options.max_versions();
  if (options.has_bloom_filter_type()) out.bloom_filter_type = options.bloom_filter_type();
  if (options.has_block_size()) out.block_size = options.block_size();
  if (options.has_deviation_cell_version_in_sec()) {
    out.max_time_deviation = options.deviation_cell_version_in_sec();
  }
  if (options.has_allow_update()) out.allow_update = options.allow_update();
  return out;
}

}  // namespace tsb::ots
