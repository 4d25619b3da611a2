// `tsbridge spec`: the job spec's tools. from-ddl / to-ddl convert MaxCompute's CREATE EXTERNAL
// TABLE (core/ddl.h), check validates a spec offline, init writes a starter spec
// (jobs/spec_init.h). Each prints its result on stdout (or --output) and its notes on stderr.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "core/ddl.h"
#include "core/log.h"
#include "core/spec_text.h"
#include "jobs/spec_init.h"

namespace tsb::cli {

namespace {

// Exit code for `status` with its message on stderr: a bad file, spec or flag is 2 (the message
// leads with the place: "orders.sql:4:15: ..."); anything else keeps its kind.
int Fail(std::string_view verb, const Status& status) {
  const ExitStatus exit = ExitFor(status);
  if (exit.code == kExitUsage) return UsageError(verb, status.message());
  log::Write(log::Level::kError, "tsbridge " + std::string(verb) + ": " + status.ToString(),
             {{"event", std::string_view("failed")}, {"exit_code", int64_t{exit.code}}},
             status.ToString());
  return exit.code;
}

Result<std::string> ReadInput(const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the file: " + std::strerror(errno));
  text << in.rdbuf();
  if (in.bad()) return Status::IOError(path + ": cannot read the file");
  return text.str();
}

// `text` to stdout, or to `path` (replaced whole: written beside it, then renamed).
Status WriteOutput(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0
               ? Status::OK()
               : Status::IOError("stdout: " + std::string(std::strerror(errno)));
  }
  const std::string temp = path + ".tmp";
  std::FILE* out = std::fopen(temp.c_str(), "wb");
  if (out == nullptr) {
    return Status::IOError("--output " + path +
                           ": cannot create the file: " + std::strerror(errno));
  }
  const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if (std::fclose(out) != 0 || !written || std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(temp.c_str());
    return Status::IOError("--output " + path + ": cannot write the file: " + why);
  }
  return Status::OK();
}

void Note(std::string_view verb, const std::string& text) {
  log::Write(log::Level::kInfo, "tsbridge " + std::string(verb) + ": " + text,
             {{"event", std::string_view("note")}});
}

void SetupFromDdl(CLI::App* group, RunFn* run) {
  auto sub = group->add_subcommand(
      "from-ddl", "Convert a MaxCompute CREATE EXTERNAL TABLE over Tablestore into a job spec");
  auto file = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto options = std::make_shared<DdlToSpecOptions>();
  SetHelp(
      sub,
      {.examples = {"tsbridge spec from-ddl orders.sql --output orders.json",
                    "tsbridge spec from-ddl warehouse.sql --table ots_table_external "
                    "--without-role",
                    "tsbridge spec from-ddl orders.sql --without-role --output orders.json && \\\n"
                    "  tsbridge import --spec orders.json --endpoint http://127.0.0.1:8800 "
                    "--output o.parquet"},
       .credentials = false,
       .exit_codes = ExitCodes::kOffline});
  sub->add_option("FILE", *file, "The DDL file (- for stdin)")->required();
  sub->add_option("-o,--output", *output, "Write the spec to FILE (default: stdout)")
      ->type_name("FILE");
  sub->add_option("--table", options->table,
                  "The CREATE statement to convert when the file has several: its table name, or "
                  "the Tablestore table it maps");
  sub->add_flag("--without-role", options->without_role,
                "Leave odps.properties.rolearn out: the job runs with your own credentials "
                "instead of assuming MaxCompute's role");
  sub->callback([run, file, output, options] {
    *run = [file, output, options]() -> int {
      const std::string_view verb = "spec from-ddl";
      auto sql = ReadInput(*file);
      if (!sql.ok()) return Fail(verb, sql.status());
      auto table = JobSpecFromDdl(*sql, *file == "-" ? "stdin" : *file, *options);
      if (!table.ok()) return Fail(verb, table.status());
      Status written = WriteOutput(*output, FormatJobSpec(table->spec));
      return written.ok() ? kExitOk : Fail(verb, written);
    };
  });
}

void SetupToDdl(CLI::App* group, RunFn* run) {
  auto sub = group->add_subcommand(
      "to-ddl", "Write the MaxCompute CREATE EXTERNAL TABLE statement of a job spec");
  auto spec_path = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto options = std::make_shared<SpecToDdlOptions>();
  SetHelp(sub, {.examples = {"tsbridge spec to-ddl orders.json --name ots_table_external",
                             "tsbridge spec to-ddl local.json --location "
                             "tablestore://myinst.cn-hangzhou.ots-internal.aliyuncs.com"},
                .credentials = false,
                .exit_codes = ExitCodes::kOffline});
  sub->add_option("SPEC", *spec_path, "The JSON job spec")->required();
  sub->add_option("-o,--output", *output, "Write the statement to FILE (default: stdout)")
      ->type_name("FILE");
  sub->add_option("--name", options->name,
                  "The external table's name (default: the Tablestore table's, + _external)");
  sub->add_option("--location", options->location,
                  "LOCATION 'tablestore://INSTANCE.REGION.ots-internal.aliyuncs.com' (default: the "
                  "spec's location, or its endpoint when that is a Tablestore host)");
  sub->callback([run, spec_path, output, options] {
    *run = [spec_path, output, options]() -> int {
      const std::string_view verb = "spec to-ddl";
      auto spec = LoadJobSpec(*spec_path);
      if (!spec.ok()) return Fail(verb, spec.status());
      auto ddl = DdlFromJobSpec(*spec, *options);
      if (!ddl.ok()) return Fail(verb, ddl.status().WithContext(*spec_path));
      Status written = WriteOutput(*output, *ddl);
      return written.ok() ? kExitOk : Fail(verb, written);
    };
  });
}

void SetupCheck(CLI::App* group, RunFn* run) {
  auto sub = group->add_subcommand("check", "Validate a job spec offline (no request is sent)");
  auto spec_path = std::make_shared<std::string>();
  SetHelp(sub, {.examples = {"tsbridge spec check orders.json",
                             "for f in jobs/*.json; do tsbridge spec check \"$f\" || exit 2; done"},
                .notes = "Prints \"ok: SPEC: table T in instance I at ENDPOINT; ...\" or the first "
                         "error with its JSON path.",
                .credentials = false,
                .exit_codes = ExitCodes::kOffline});
  sub->add_option("SPEC", *spec_path, "The JSON job spec")->required();
  sub->callback([run, spec_path] {
    *run = [spec_path]() -> int {
      auto spec = LoadJobSpec(*spec_path);
      if (!spec.ok()) return Fail("spec check", spec.status());
      const JobSpec& s = *spec;
      std::string line = "ok: " + *spec_path + ": table " + s.tablestore.table + " in instance " +
                         s.tablestore.instance + " at " + s.tablestore.endpoint + "; " +
                         std::to_string(s.columns.size()) + " columns (" +
                         std::to_string(s.mapping.key_columns().size()) + " primary key, " +
                         std::to_string(s.mapping.attribute_columns().size()) + " attributes)";
      line += s.file ? "; file " + s.file->path + " (" + s.file->format + ")" : "; no file";
      std::printf("%s\n", line.c_str());
      return kExitOk;
    };
  });
}

void SetupInit(CLI::App* group, RunFn* run) {
  auto sub = group->add_subcommand(
      "init", "Write a starter job spec for a table; --from-table reads its columns off the table");
  auto options = std::make_shared<jobs::SpecInitOptions>();
  auto output = std::make_shared<std::string>();
  SetHelp(
      sub,
      {.examples = {"tsbridge spec init --table ots_tpch_orders --from-table --output orders.json",
                    "tsbridge spec init --table orders --endpoint "
                    "https://myinst.cn-hangzhou.ots.aliyuncs.com \\\n"
                    "    --instance myinst --from-table --sample 5000 --output orders.json"},
       .exit_codes = ExitCodes::kOnline});
  sub->add_option("--table", options->table, "The Tablestore table")->required();
  sub->add_option("--instance", options->instance, "The instance (default: demo)");
  sub->add_option("-o,--output", *output,
                  "Write the spec to FILE, which must not exist (default: stdout)")
      ->type_name("FILE");
  sub->add_flag("--from-table", options->from_table,
                "Fill the columns from DescribeTable and a sample of the table's rows");
  sub->add_option("--sample", options->sample_rows,
                  "Rows the sample reads for --from-table (default 1000)")
      ->check(WholeNumberIn(1, 1'000'000, "a number of rows from 1 to 1000000"));
  AddConnectionFlags(sub, &options->endpoint, &options->request_timeout, &options->retry_deadline);
  AddCredentialFlags(sub, &options->auth);
  sub->callback([run, options, output] {
    *run = [options, output]() -> int {
      const std::string_view verb = "spec init";
      // The emulator's default address and the demo's instance, so that the two commands of
      // the README's demo need no flags.
      if (options->endpoint.empty()) {
        const char* env = std::getenv("TSBRIDGE_ENDPOINT");
        options->endpoint = env != nullptr && *env != '\0' ? env : "http://127.0.0.1:8800";
      }
      if (options->instance.empty()) options->instance = "demo";
      struct stat st;
      if (!output->empty() && *output != "-" && ::stat(output->c_str(), &st) == 0) {
        return UsageError(
            verb, "--output " + *output + ": the file exists; a starter spec never replaces one");
      }
      if (options->from_table) InstallStopHandlers();
      auto init = jobs::BuildStarterSpec(*options);
      if (!init.ok()) return Fail(verb, init.status());
      for (const std::string& note : init->notes) Note(verb, note);
      Status written = WriteOutput(*output, FormatJobSpec(init->spec));
      return written.ok() ? kExitOk : Fail(verb, written);
    };
  });
}

}  // namespace

void SetupSpecCommand(CLI::App* sub, RunFn* run) {
  sub->description(
      "The job spec's tools: from-ddl and to-ddl (MaxCompute CREATE EXTERNAL TABLE), check, "
      "init.");
  sub->require_subcommand(1);
  SetHelp(
      sub,
      {.examples = {"tsbridge spec from-ddl orders.sql --output orders.json",
                    "tsbridge spec check orders.json",
                    "tsbridge spec init --table ots_tpch_orders --from-table --output orders.json"},
       .notes = "Run 'tsbridge spec SUBCOMMAND --help' for each one's flags.",
       .exit_codes = ExitCodes::kOnline});
  SetupFromDdl(sub, run);
  SetupToDdl(sub, run);
  SetupCheck(sub, run);
  SetupInit(sub, run);
}

}  // namespace tsb::cli
