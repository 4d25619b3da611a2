// The parts of `--help` every subcommand shares (where credentials come from, the exit codes),
// kept in one place and read back by the man page generator (man_page.cc), so that the man pages
// and --help say the same thing.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace tsb::cli {

// Which exit codes a subcommand can end with (decisions 2).
enum class ExitCodes {
  kJob,       // import, export: 0, 1, 2, 3, 4, 130/143
  kDescribe,  // 0, 1, 2, 4
  kOffline,   // spec from-ddl, to-ddl, check: 0, 1, 2
  kOnline,    // spec init, auth: 0, 1, 2, 4
  kEmulator,  // 0 after SIGINT/SIGTERM, 1, 2
  kVerify,    // 0 equal, 1, 2, 3 they differ, 4, 130/143
};

struct Help {
  std::vector<std::string> examples = {};  // command lines, continuation lines start with spaces
  std::string notes = {};                  // subcommand-specific prose, may be empty
  bool credentials = true;                 // talks to Tablestore with the credential chain
  ExitCodes exit_codes = ExitCodes::kJob;
};

// Sets `sub`'s footer: its examples, notes, where credentials come from, and its exit codes; and
// remembers `help` for the man page of `sub`.
void SetHelp(CLI::App* sub, Help help);
// What SetHelp recorded for `sub`, or nullptr.
const Help* HelpOf(const CLI::App* sub);

// The shared texts, one paragraph each, wrapped for a terminal.
std::string CredentialsText();
std::string ExitCodesText(ExitCodes codes);

// "{a,b,c}": the type name of a flag whose values are a closed list, shown in --help and read by
// the completions, for lists CLI11 does not validate itself (the registered formats).
std::string Choices(const std::vector<std::string>& values);
std::string FormatChoices();
std::string ParquetCodecChoices();

}  // namespace tsb::cli
