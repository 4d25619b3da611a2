#include "cli/help.h"

#include <CLI/CLI.hpp>
#include <map>

#include "formats/format.h"
#include "tsbridge/job_spec.h"

namespace tsb::cli {

namespace {

std::map<const CLI::App*, Help>& Registry() {
  static std::map<const CLI::App*, Help> registry;
  return registry;
}

}  // namespace

std::string CredentialsText() {
  return "Credentials are never a flag. They come from, in this order: --credentials-file /\n"
         "--profile; ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (and\n"
         "ALIBABA_CLOUD_SECURITY_TOKEN); ~/.aliyun/config.json (profile ALIBABA_CLOUD_PROFILE);\n"
         "ALIBABA_CLOUD_CREDENTIALS_FILE or ~/.alibabacloud/credentials. A spec's role_arn is\n"
         "assumed through STS (--sts-endpoint, TSBRIDGE_STS_ENDPOINT). For the emulator, export\n"
         "its development pair: ALIBABA_CLOUD_ACCESS_KEY_ID=tsbridge-dev-key-id\n"
         "ALIBABA_CLOUD_ACCESS_KEY_SECRET=tsbridge-dev-key-secret.";
}

std::string ExitCodesText(ExitCodes codes) {
  switch (codes) {
    case ExitCodes::kJob:
      return "Exit codes: 0 done; 1 failed while running; 2 bad command line, spec, or spec\n"
             "against the table (nothing written); 3 rows rejected (see the reject file); 4\n"
             "authentication or permission refused; 130/143 stopped by SIGINT/SIGTERM.";
    case ExitCodes::kDescribe:
      return "Exit codes: 0 the mapping can work (warnings included); 1 failed while running; 2\n"
             "bad command line or spec, an unknown table, or an error finding; 4 authentication\n"
             "or permission refused.";
    case ExitCodes::kOffline:
      return "Exit codes: 0 done; 1 a file could not be read or written; 2 bad command line,\n"
             "DDL or spec.";
    case ExitCodes::kOnline:
      return "Exit codes: 0 done; 1 failed while running; 2 bad command line or spec; 4\n"
             "authentication, permission or the role refused.";
    case ExitCodes::kEmulator:
      return "Exit codes: 0 stopped by SIGINT/SIGTERM after a clean shutdown; 1 could not start\n"
             "(address in use, data directory locked or unreadable); 2 bad command line or\n"
             "--config.";
    case ExitCodes::kVerify:
      return "Exit codes: 0 the table and the file are equal; 1 failed while running; 2 bad\n"
             "command line, spec, or spec against the table; 3 they differ (the report on stdout\n"
             "says where); 4 authentication or permission refused; 130/143 stopped by\n"
             "SIGINT/SIGTERM.";
  }
  return "";
}

void SetHelp(CLI::App* sub, Help help) {
  std::string footer = "Examples:\n";
  for (const std::string& example : help.examples) {
    std::string indented = "  ";
    for (char c : example) indented += c == '\n' ? std::string("\n  ") : std::string(1, c);
    footer += indented + "\n";
  }
  if (!help.notes.empty()) footer += "\n" + help.notes + "\n";
  if (help.credentials) footer += "\n" + CredentialsText() + "\n";
  footer += "\n";
  footer += ExitCodesText(help.exit_codes);
  sub->footer(footer);
  Registry()[sub] = std::move(help);
}

const Help* HelpOf(const CLI::App* sub) {
  auto it = Registry().find(sub);
  return it == Registry().end() ? nullptr : &it->second;
}

std::string Choices(const std::vector<std::string>& values) {
  std::string text = "{";
  for (const std::string& v : values) text += (text.size() > 1 ? "," : "") + v;
  return text + "}";
}

std::string FormatChoices() {
  std::vector<std::string> names;
  for (const FileFormat& format : RegisteredFormats()) names.emplace_back(format->name);
  return Choices(names);
}

std::string ParquetCodecChoices() {
  std::vector<std::string> names;
  for (std::string_view name : kParquetCodecNames) names.emplace_back(name);
  return Choices(names);
}

}  // namespace tsb::cli
