// tsbridge: moves data between Alibaba Cloud Tablestore tables and Parquet, CSV and JSON Lines
// files. `import` reads a table into a file, `export` writes a file into a table.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "tsbridge: move data between Tablestore tables and Parquet, CSV and JSON Lines files.\n"
      "  import: Tablestore table -> local file\n"
      "  export: local file -> Tablestore table",
      "tsbridge"};
  app.set_version_flag("--version", std::string("tsbridge ") + TSB_VERSION);
  app.require_subcommand(1);

  size_t count = 0;
  const tsb::cli::Command* commands = tsb::cli::Commands(&count);
  tsb::cli::RunFn run;
  for (size_t i = 0; i < count; ++i) {
    CLI::App* sub = app.add_subcommand(std::string(commands[i].name),
                                       std::string(commands[i].summary));
    commands[i].setup(sub, &run);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // Read like every other error of the command: "tsbridge import: --parallel: expected ...".
    std::string prefix = "tsbridge";
    for (const CLI::App* sub : app.get_subcommands()) prefix += " " + sub->get_name();
    std::fprintf(stderr, "%s: %s\nRun with --help for more information.\n", prefix.c_str(),
                 e.what());
    return tsb::cli::kExitUsage;
  }
  if (!run) return tsb::cli::kExitUsage;
  return run();
}
