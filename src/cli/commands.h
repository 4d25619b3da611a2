// The subcommand table (as Ninja's tool table): name, one-line summary, and the function that
// declares the subcommand's flags on a CLI11 App and sets the function that runs it.
//
// Each subcommand lives in its own file (emulator.cc, import.cc, export.cc, ...), turns its flags
// into a plain Options struct, and returns a process exit code (decisions.md section 2).
#pragma once

#include <functional>
#include <string_view>

#include "cli/exit_status.h"  // the exit codes every subcommand returns

namespace CLI {
class App;
}

namespace tsb::cli {

using RunFn = std::function<int()>;

struct Command {
  std::string_view name;
  std::string_view summary;
  void (*setup)(CLI::App* sub, RunFn* run);
};

void SetupDescribeCommand(CLI::App* sub, RunFn* run);
void SetupEmulatorCommand(CLI::App* sub, RunFn* run);
void SetupImportCommand(CLI::App* sub, RunFn* run);
void SetupExportCommand(CLI::App* sub, RunFn* run);
void SetupSpecCommand(CLI::App* sub, RunFn* run);
void SetupAuthCommand(CLI::App* sub, RunFn* run);
void SetupVerifyCommand(CLI::App* sub, RunFn* run);

// The table, in the order `tsbridge --help` lists them.
const Command* Commands(size_t* count);

}  // namespace tsb::cli
