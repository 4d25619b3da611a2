#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/docs.h"
#include "cli/exit_status.h"
#include "cli/help.h"

namespace tsb::cli {

namespace {

struct EnvVar {
  const char* name;
  const char* meaning;
  bool emulator;  // read by `tsbridge emulator` rather than by the jobs
};

const EnvVar kEnvironment[] = {
    {"ALIBABA_CLOUD_ACCESS_KEY_ID",
     "The access key id, when no --credentials-file or --profile is given.", false},
    {"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "Its secret.", false},
    {"ALIBABA_CLOUD_SECURITY_TOKEN", "The STS token of a temporary key pair.", false},
    {"ALIBABA_CLOUD_PROFILE",
     "The profile of ~/.aliyun/config.json, else the section of the credentials file (default: the "
     "CLI's current profile, else [default]).",
     false},
    {"ALIBABA_CLOUD_CREDENTIALS_FILE",
     "The credentials file, in place of ~/.alibabacloud/credentials.", false},
    {"ALIBABA_CLOUD_CONFIG_FILE",
     "The aliyun CLI configuration, in place of ~/.aliyun/config.json.", false},
    {"ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true: skip the aliyun CLI configuration.", false},
    {"ALIBABA_CLOUD_ROLE_SESSION_NAME",
     "The session name of an assumed role (default tsbridge-HOSTNAME).", false},
    {"TSBRIDGE_ENDPOINT",
     "Overrides the spec's endpoint, as --endpoint does (the instance stays the spec's).", false},
    {"TSBRIDGE_STS_ENDPOINT", "The STS endpoint for a spec's role_arn, as --sts-endpoint.", false},
    {"TSBRIDGE_EMULATOR_ACCESS_KEY_ID",
     "The access key id the emulator accepts without --config (default tsbridge-dev-key-id).",
     true},
    {"TSBRIDGE_EMULATOR_ACCESS_KEY_SECRET", "Its secret (default tsbridge-dev-key-secret).", true},
};

// Text as roff: backslashes and hyphens escaped, a line that would start a request guarded.
std::string Roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// The metavariable of a flag's value, as --help shows it: FILE, {a,b}, TEXT.
std::string Metavar(const CLI::Option* option) {
  if (option->get_type_size() == 0) return "";
  const std::string type = option->get_type_name();
  const size_t open = type.find('{');
  if (open != std::string::npos) return type.substr(open);
  return type.substr(0, type.find(':'));
}

// The one-line summary of the subcommand table (commands.cc), which --help of tsbridge lists.
std::string Summary(const std::string& name) {
  size_t count = 0;
  const Command* commands = Commands(&count);
  for (size_t i = 0; i < count; ++i) {
    if (commands[i].name == name) return std::string(commands[i].summary);
  }
  return name;
}

std::vector<const CLI::App*> Nested(const CLI::App& app) {
  std::vector<const CLI::App*> subs;
  for (const CLI::App* sub : app.get_subcommands({})) subs.push_back(sub);
  return subs;
}

std::string Synopsis(const CLI::App& sub, const std::string& path) {
  std::string line = ".B " + Roff(path) + "\n[\\fIFLAGS\\fR]";
  for (const CLI::Option* option : sub.get_options()) {
    if (option->get_positional()) line += " \\fI" + Roff(option->get_name()) + "\\fR";
  }
  return line + "\n.br\n";
}

std::string Options(const CLI::App& sub) {
  std::string text;
  for (const CLI::Option* option : sub.get_options()) {
    std::string names;
    if (option->get_positional()) {
      names = "\\fI" + Roff(option->get_name()) + "\\fR";
    } else {
      for (const std::string& n : option->get_snames()) {
        names += (names.empty() ? "" : ", ") + std::string("\\fB") + Roff("-" + n) + "\\fR";
      }
      for (const std::string& n : option->get_lnames()) {
        names += (names.empty() ? "" : ", ") + std::string("\\fB") + Roff("--" + n) + "\\fR";
      }
      if (const std::string metavar = Metavar(option); !metavar.empty()) {
        names += " \\fI" + Roff(metavar) + "\\fR";
      }
    }
    std::string description = option->get_description();
    if (!option->get_default_str().empty() && description.find("default") == std::string::npos) {
      description += " (default: " + option->get_default_str() + ")";
    }
    if (option->get_required()) description += " (required)";
    text += ".TP\n" + names + "\n" + Roff(description) + "\n";
  }
  return text;
}

std::string Example(const std::string& example) {
  return ".PP\n.nf\n.RS 4\n" + Roff(example) + "\n.RE\n.fi\n";
}

using Leaves = std::vector<std::pair<const CLI::App*, std::string>>;

// The examples, exit codes and credentials note of a page, from what SetHelp recorded: every
// subcommand's first example on tsbridge(1), all of them on a subcommand's page.
void Collect(const CLI::App& app, const std::string& name, const CLI::App& page,
             const std::string& path, const Leaves& leaves, std::vector<std::string>* examples,
             std::vector<std::pair<ExitCodes, std::string>>* exits, bool* credentials) {
  Leaves helped = {{&page, path}};
  for (const auto& leaf : leaves) {
    if (leaf.first != &page) helped.push_back(leaf);
  }
  if (name.empty()) {
    helped.clear();
    for (const CLI::App* sub : Nested(app)) helped.emplace_back(sub, "tsbridge " + sub->get_name());
  }
  // A group's own exit codes stand for its subcommands only when they have none of their own.
  const bool leaves_helped = std::any_of(leaves.begin(), leaves.end(), [&](const auto& leaf) {
    return leaf.first != &page && HelpOf(leaf.first) != nullptr;
  });
  for (const auto& [sub, sub_path] : helped) {
    const Help* help = HelpOf(sub);
    if (help == nullptr) continue;
    if (name.empty()) {
      if (!help->examples.empty()) examples->push_back(help->examples.front());
    } else {
      examples->insert(examples->end(), help->examples.begin(), help->examples.end());
    }
    *credentials = *credentials || help->credentials;
    if (sub == &page && leaves_helped) continue;
    auto same = std::find_if(exits->begin(), exits->end(),
                             [&](const auto& e) { return e.first == help->exit_codes; });
    if (same == exits->end()) {
      exits->emplace_back(help->exit_codes, sub_path);
    } else {
      same->second += ", " + sub_path;
    }
  }
}

// ENVIRONMENT, and FILES for the pages whose subcommands read credentials.
std::string EnvironmentAndFiles(const std::string& name, bool credentials) {
  std::string out;
  const bool emulator = name == "emulator";
  out += ".SH ENVIRONMENT\n";
  for (const EnvVar& var : kEnvironment) {
    if (name.empty() || var.emulator == emulator) {
      out += ".TP\n.B " + Roff(var.name) + "\n" + Roff(var.meaning) + "\n";
    }
  }
  if (credentials) out += ".PP\n" + Roff(CredentialsText()) + "\n";

  if (!emulator) {
    out +=
        ".SH FILES\n"
        ".TP\n.I ~/.alibabacloud/credentials\n"
        "The credentials file (INI; also ~/.alibabacloud/credentials.ini): sections of type "
        "access_key or ram_role_arn.\n"
        ".TP\n.I ~/.aliyun/config.json\n"
        "The aliyun CLI configuration: profiles of mode AK, StsToken or RamRoleArn.\n";
  }

  return out;
}

}  // namespace

int PrintManPage(const CLI::App& app, const std::string& name) {
  if (name == "--list") {  // the pages the build generates, one subcommand a line
    for (const CLI::App* sub : Nested(app)) std::printf("%s\n", sub->get_name().c_str());
    return kExitOk;
  }
  const CLI::App* page = &app;
  if (!name.empty()) {
    page = nullptr;
    for (const CLI::App* sub : Nested(app)) {
      if (sub->get_name() == name) page = sub;
    }
    if (page == nullptr) {
      std::fprintf(stderr, "tsbridge %s: no subcommand \"%s\"\n", kManCommand, name.c_str());
      return kExitUsage;
    }
  }
  const std::string title = name.empty() ? "tsbridge" : "tsbridge-" + name;
  const std::string path = name.empty() ? "tsbridge" : "tsbridge " + name;
  std::string out =
      ".TH " + Roff(Upper(title)) + " 1 \"\" \"tsbridge " TSB_VERSION "\" \"User Commands\"\n";
  // The pages' sections are those of man-pages(7), in its order.
  out += ".SH NAME\n" + Roff(title) + " \\- " +
         Roff(name.empty() ? "move data between Tablestore tables and Parquet, CSV and JSON Lines "
                             "files"
                           : Summary(name)) +
         "\n";

  // A group (spec, auth) documents each of its subcommands; tsbridge(1) its own flags only.
  std::vector<std::pair<const CLI::App*, std::string>> leaves;
  if (name.empty() || Nested(*page).empty()) {
    leaves.emplace_back(page, path);
  } else {
    for (const CLI::App* sub : Nested(*page))
      leaves.emplace_back(sub, path + " " + sub->get_name());
  }

  out += ".SH SYNOPSIS\n";
  if (name.empty()) {
    out +=
        ".B tsbridge\n\\fISUBCOMMAND\\fR [\\fIFLAGS\\fR]\n.br\n.B tsbridge "
        "help\n[\\fISUBCOMMAND\\fR]\n.br\n";
  } else {
    for (const auto& [sub, sub_path] : leaves) out += Synopsis(*sub, sub_path);
  }

  out += ".SH DESCRIPTION\n";
  if (name.empty()) {
    out += Roff(app.get_description()) + "\n.PP\nSubcommands, each with its own page:\n";
    for (const CLI::App* sub : Nested(app)) {
      out += ".TP\n\\fBtsbridge " + Roff(sub->get_name()) + "\\fR\n" +
             Roff(Summary(sub->get_name())) + "\n";
    }
  } else {
    out += Roff(page->get_description()) + "\n";
    if (leaves.size() > 1) {
      for (const auto& [sub, sub_path] : leaves) {
        out += ".TP\n\\fB" + Roff(sub_path) + "\\fR\n" + Roff(sub->get_description()) + "\n";
      }
    }
    if (const Help* help = HelpOf(page); help != nullptr && !help->notes.empty()) {
      out += ".PP\n" + Roff(help->notes) + "\n";
    }
  }

  out += ".SH OPTIONS\n";
  for (const auto& [sub, sub_path] : leaves) {
    if (leaves.size() > 1) out += ".SS \"" + Roff(sub_path) + "\"\n";
    out += Options(*sub);
  }

  std::vector<std::string> examples;
  std::vector<std::pair<ExitCodes, std::string>> exits;  // the codes, and who ends with them
  bool credentials = false;
  Collect(app, name, *page, path, leaves, &examples, &exits, &credentials);
  if (!examples.empty()) {
    out += ".SH EXAMPLES\n";
    for (const std::string& e : examples) out += Example(e);
  }

  out += EnvironmentAndFiles(name, credentials);
  out += ".SH EXIT STATUS\n";
  for (const auto& [codes, who] : exits) {
    std::string text = ExitCodesText(codes);
    text = text.substr(text.find(':') + 2);  // "Exit codes: " is the section's title here
    out += exits.size() > 1 ? ".TP\n\\fB" + Roff(who) + "\\fR\n" : std::string(".PP\n");
    out += Roff(text) + "\n";
  }
  if (exits.empty()) out += "0 done; 2 bad command line.\n";

  out += ".SH SEE ALSO\n";
  std::string see;
  if (!name.empty()) see = "\\fBtsbridge\\fR(1)";
  for (const CLI::App* sub : Nested(app)) {
    if (sub->get_name() == name) continue;
    see += (see.empty() ? "" : ",\n") + std::string("\\fBtsbridge\\-") + Roff(sub->get_name()) +
           "\\fR(1)";
  }
  out += see + "\n";
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace tsb::cli
