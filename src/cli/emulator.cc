// `tsbridge emulator`: placeholder until the emulator lands.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"

namespace tsb::cli {

void SetupEmulatorCommand(CLI::App* sub, RunFn* run) {
  sub->callback([run] {
    *run = [] {
      std::fprintf(stderr, "tsbridge emulator: not built yet\n");
      return kExitFailure;
    };
  });
}

}  // namespace tsb::cli
