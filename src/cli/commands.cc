#include "cli/commands.h"

namespace tsb::cli {

const Command* Commands(size_t* count) {
  static const Command kCommands[] = {
      {"import", "Read a Tablestore table into a Parquet, CSV or JSON Lines file", &SetupImportCommand},
      {"export", "Write a Parquet, CSV or JSON Lines file into a Tablestore table", &SetupExportCommand},
      {"spec", "Job spec tools: from-ddl, to-ddl (MaxCompute DDL), check, init", &SetupSpecCommand},
      {"auth", "RAM policies for a job's role, a check of its permissions, temporary credentials", &SetupAuthCommand},
      {"emulator",
       "Run a local Tablestore-compatible server on an embedded RocksDB store (for demos, tests "
       "and CI pipelines)",
       &SetupEmulatorCommand},
      {"describe", "Show a table, its mapping beside a sample of rows, and what is wrong with it", &SetupDescribeCommand},
      {"verify", "Compare a table with a file split by split and name the rows that differ", &SetupVerifyCommand},
  };
  *count = sizeof(kCommands) / sizeof(kCommands[0]);
  return kCommands;
}

}  // namespace tsb::cli
