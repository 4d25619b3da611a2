// The table model (tsbridge/tablestore/model.h) to and from its protobuf messages: one mapping for
// the client (client.cc) and the emulator's server (emulator/handlers.cc), so that what one
// writes the other reads field for field.
#pragma once

#include "tablestore/proto/table_store.pb.h"
#include "tsbridge/tablestore/model.h"

namespace tsb::ots {

void TableMetaToPb(const TableMeta& meta, pb::TableMeta* out);
// Types are taken as numbered; whether they are valid is the reader's to check.
TableMeta TableMetaFromPb(const pb::TableMeta& meta);

// Sets only the options that are set.
void TableOptionsToPb(const TableOptions& options, pb::TableOptions* out);
TableOptions TableOptionsFromPb(const pb::TableOptions& options);

}  // namespace tsb::ots
