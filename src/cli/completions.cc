#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/docs.h"

namespace tsb::cli {

namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

const CLI::Option* FindOption(const CLI::App& app, std::string_view word) {
  const std::string flag(word.substr(0, word.find('=')));
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& n : option->get_lnames()) {
      if (flag == "--" + n) return option;
    }
    for (const std::string& n : option->get_snames()) {
      if (flag == "-" + n) return option;
    }
  }
  return nullptr;
}

bool TakesValue(const CLI::Option* option) {
  return option != nullptr && option->get_type_size() != 0 && option->get_positional() == false;
}

std::vector<const CLI::App*> VisibleSubcommands(const CLI::App& app) {
  std::vector<const CLI::App*> subs;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (!sub->get_group().empty()) subs.push_back(sub);  // an empty group hides a subcommand
  }
  return subs;
}

void Print(const std::vector<std::string>& candidates, std::string_view prefix,
           const std::string& lead = "") {
  for (const std::string& c : candidates) {
    if (StartsWith(c, prefix)) std::printf("%s%s\n", lead.c_str(), c.c_str());
  }
}

// The values of a flag: the members of a "{a,b}" type name (CLI::IsMember's, or Choices()), a
// file or a directory name for the FILE / DIR types, else nothing to offer.
void PrintValues(const CLI::Option* option, std::string_view prefix, const std::string& lead) {
  const std::string type = option->get_type_name();
  const size_t open = type.find('{');
  const size_t close = type.find('}', open);
  if (open != std::string::npos && close != std::string::npos) {
    std::vector<std::string> values;
    std::string value;
    for (char c : type.substr(open + 1, close - open - 1)) {
      if (c == ',') {
        values.push_back(value);
        value.clear();
      } else {
        value += c;
      }
    }
    values.push_back(value);
    Print(values, prefix, lead);
    return;
  }
  const std::string base = type.substr(0, type.find(':'));
  if (base == "FILE" || type.find(":FILE") != std::string::npos) {
    std::printf(":files\n");
  } else if (base == "DIR" || type.find(":DIR") != std::string::npos) {
    std::printf(":dirs\n");
  }
}

}  // namespace

int PrintCompletions(const CLI::App& app, std::vector<std::string> words) {
  const std::string current = words.empty() ? "" : words.back();
  if (!words.empty()) words.pop_back();
  const CLI::App* at = &app;
  bool help = false;  // `tsbridge help SUB...` takes subcommand names only
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (i == 0 && word == "help") {
      help = true;
      continue;
    }
    if (word == "=") {  // bash splits --flag=value at the '=': the value comes next
      ++i;
      continue;
    }
    if (StartsWith(word, "-")) {
      const CLI::Option* option = FindOption(*at, word);
      const bool joined =
          word.find('=') != std::string::npos || (i + 1 < words.size() && words[i + 1] == "=");
      if (TakesValue(option) && !joined) ++i;
      continue;
    }
    for (const CLI::App* sub : VisibleSubcommands(*at)) {
      if (sub->get_name() == word) at = sub;
    }
  }

  const CLI::Option* value_of = nullptr;
  if (!words.empty() && words.back() == "=" && words.size() >= 2) {
    value_of = FindOption(*at, words[words.size() - 2]);
  } else if (!words.empty() && StartsWith(words.back(), "-") &&
             words.back().find('=') == std::string::npos) {
    value_of = FindOption(*at, words.back());
  }
  if (!help && TakesValue(value_of)) {
    PrintValues(value_of, current, "");
    return 0;
  }
  const size_t eq = current.find('=');
  if (!help && StartsWith(current, "--") && eq != std::string::npos) {
    // zsh and fish keep --flag=value one word: the candidates keep the flag in front.
    if (const CLI::Option* option = FindOption(*at, current); TakesValue(option)) {
      PrintValues(option, std::string_view(current).substr(eq + 1), current.substr(0, eq + 1));
    }
    return 0;
  }

  std::vector<std::string> subcommands;
  for (const CLI::App* sub : VisibleSubcommands(*at)) subcommands.push_back(sub->get_name());
  if (at == &app) subcommands.push_back("help");
  if (help || (!StartsWith(current, "-") && !subcommands.empty())) {
    if (help)
      subcommands.erase(std::remove(subcommands.begin(), subcommands.end(), "help"),
                        subcommands.end());
    Print(subcommands, current);
    return 0;
  }
  if (StartsWith(current, "-")) {
    std::vector<std::string> flags;
    for (const CLI::Option* option : at->get_options()) {
      for (const std::string& n : option->get_lnames()) flags.push_back("--" + n);
      if (current.size() < 2 || current[1] != '-') {
        for (const std::string& n : option->get_snames()) flags.push_back("-" + n);
      }
    }
    Print(flags, current);
    return 0;
  }
  // A subcommand with a positional argument (spec check SPEC): a file name.
  for (const CLI::Option* option : at->get_options()) {
    if (option->get_positional()) {
      std::printf(":files\n");
      break;
    }
  }
  return 0;
}

}  // namespace tsb::cli
