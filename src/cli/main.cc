// tsbridge: moves data between Alibaba Cloud Tablestore tables and Parquet, CSV and JSON Lines
// files. `import` reads a table into a file, `export` writes a file into a table.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/docs.h"
#include "cli/exit_status.h"
#include "core/closest_match.h"

namespace {

using tsb::ClosestMatch;

int Usage(const std::string& prefix, const std::string& message, const std::string& suggestion) {
  std::fprintf(stderr, "%s: %s%s\nRun '%s --help' for more information.\n", prefix.c_str(),
               message.c_str(),
               suggestion.empty() ? "" : ("; did you mean `" + suggestion + "`?").c_str(),
               prefix.c_str());
  return tsb::cli::kExitUsage;
}

// Flags a subcommand does not have are named before anything else is checked (CLI11 would first
// complain that --spec is missing), with the closest flag it does have.
int CheckFlags(CLI::App* sub, int argc, char** argv, int first) {
  std::vector<std::string> names;
  std::vector<std::string> taking_value;  // flags whose next argument is their value
  for (const CLI::Option* option : sub->get_options()) {
    std::vector<std::string> own;
    for (const std::string& n : option->get_lnames()) own.push_back("--" + n);
    for (const std::string& n : option->get_snames()) own.push_back("-" + n);
    names.insert(names.end(), own.begin(), own.end());
    if (option->get_type_size() != 0) taking_value.insert(taking_value.end(), own.begin(), own.end());
  }
  for (int i = first; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-' || arg == "-") continue;
    if (arg[1] != '-' && arg.size() > 2) continue;  // -vq style bundles
    if ((arg[1] >= '0' && arg[1] <= '9') || arg[1] == '.') continue;  // a negative number
    const size_t eq = arg.find('=');
    const std::string flag(arg.substr(0, eq));
    if (std::find(names.begin(), names.end(), flag) == names.end()) {
      const CLI::App* group = sub->get_parent();
      const bool nested = group != nullptr && group->get_parent() != nullptr;
      return Usage("tsbridge " + (nested ? group->get_name() + " " : "") + sub->get_name(),
                   "unknown flag " + flag, ClosestMatch(flag, names));
    }
    // The value of a flag may itself start with '-' (a --where of "-x > 1"): it is not a flag.
    if (eq == std::string_view::npos &&
        std::find(taking_value.begin(), taking_value.end(), flag) != taking_value.end()) {
      ++i;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "tsbridge: move data between Tablestore tables and Parquet, CSV and JSON Lines files.\n"
      "  import: Tablestore table -> local file\n"
      "  export: local file -> Tablestore table",
      "tsbridge"};
  app.set_version_flag(
      "-V,--version", tsb::cli::VersionText(),
      "Print the version, the commit, the build type and the features compiled in");
  app.require_subcommand(1);
  app.footer("Run 'tsbridge help SUBCOMMAND' or 'tsbridge SUBCOMMAND --help' for its flags and "
             "examples.");

  size_t count = 0;
  const tsb::cli::Command* commands = tsb::cli::Commands(&count);
  tsb::cli::RunFn run;
  std::vector<std::string> command_names;
  for (size_t i = 0; i < count; ++i) {
    CLI::App* sub = app.add_subcommand(std::string(commands[i].name),
                                       std::string(commands[i].summary));
    commands[i].setup(sub, &run);
    command_names.emplace_back(commands[i].name);
  }

  // The hidden subcommands read the tree built above; they are for the build and the completion
  // scripts, not for people, so they are not CLI11 subcommands (which --help would list).
  if (argc >= 2 && std::string_view(argv[1]) == tsb::cli::kManCommand) {
    return tsb::cli::PrintManPage(app, argc >= 3 ? argv[2] : "");
  }
  if (argc >= 2 && std::string_view(argv[1]) == tsb::cli::kCompleteCommand) {
    return tsb::cli::PrintCompletions(app, std::vector<std::string>(argv + 2, argv + argc));
  }

  // `tsbridge help [SUBCOMMAND]`, as git and cargo have it: the same text as --help.
  std::vector<char*> args(argv, argv + argc);
  std::string help_flag = "--help";
  if (argc >= 2 && std::string_view(argv[1]) == "help") {
    // `help spec from-ddl` names a subcommand of a group: every name after `help` is kept.
    args = {argv[0]};
    args.insert(args.end(), argv + 2, argv + argc);
    args.push_back(help_flag.data());
  }
  const int n = static_cast<int>(args.size());
  if (n >= 2 && args[1][0] != '-') {
    const std::string name = args[1];
    if (std::find(command_names.begin(), command_names.end(), name) == command_names.end()) {
      return Usage("tsbridge", "unknown subcommand \"" + name + "\"",
                   ClosestMatch(name, command_names));
    }
    CLI::App* sub = app.get_subcommand(name);
    int first = 2;
    // A subcommand with its own subcommands (`auth policy`): the flags are the inner one's.
    if (n >= 3 && args[2][0] != '-' && !sub->get_subcommands({}).empty()) {
      try {
        sub = sub->get_subcommand(args[2]);
        first = 3;
      } catch (const CLI::OptionNotFound&) {
      }
    }
    if (int code = CheckFlags(sub, n, args.data(), first); code != 0) return code;
  }

  try {
    app.parse(n, args.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // Read like every other error of the command: "tsbridge import: --parallel: expected ...".
    std::string prefix = "tsbridge";
    for (const CLI::App* sub : app.get_subcommands()) prefix += " " + sub->get_name();
    return Usage(prefix, e.what(), "");
  }
  if (!run) return tsb::cli::kExitUsage;
  return run();
}
