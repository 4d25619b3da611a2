// What tsbridge says about itself, generated from its own CLI11 app tree so that it cannot drift
// from the flags: the man pages (`tsbridge __man [SUBCOMMAND]`, run at build time), the shell
// completions' candidates (`tsbridge __complete WORD...`, run by completions/*) and --version.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace tsb::cli {

// The hidden subcommands: neither is listed by --help nor offered by the completions.
inline constexpr const char* kManCommand = "__man";
inline constexpr const char* kCompleteCommand = "__complete";

// Prints the roff man page of `name` (a subcommand of `app`; empty: tsbridge(1)) to stdout.
// Returns the exit code: 2 for an unknown name. "--list" prints the subcommands that have a page.
int PrintManPage(const CLI::App& app, const std::string& name);

// `words` are the command line after "tsbridge" up to and including the word being completed
// (empty when a new word starts). Prints one candidate a line, already filtered by the word's
// prefix; or the single line ":files" / ":dirs" when the shell should complete a file or
// directory name itself. Returns 0.
int PrintCompletions(const CLI::App& app, std::vector<std::string> words);

// `tsbridge --version`: the version, the commit, the build type and the features compiled in.
std::string VersionText();

}  // namespace tsb::cli
