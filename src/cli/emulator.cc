// `tsbridge emulator`: a local Tablestore-compatible server (emulator/server.h) for demos, tests
// and CI pipelines.
//
//   tsbridge emulator [--listen HOST:PORT] [--data DIR] [--config FILE]
//                     [--access-key-id ID --access-key-secret SECRET]
//                     [--log-level error|warn|info|debug | -v | -q] [--log-format text|json]
//                     [--fault OP:CODE:RATE[:rows]]... [--fault OP:delay:RATE:MS]...
//                     [--fault OP:drop-before|drop-after|truncate:RATE]... [--fault-seed N]
//                     [--partition-write-rate ROWS_PER_SEC]
//
// Stdout carries exactly one line, "listening on http://HOST:PORT", flushed once connections are
// accepted, so scripts can read the port chosen by --listen 127.0.0.1:0. Everything else (the
// banner with the key pair and data directory, request logs at debug level) goes to stderr: in
// text form the banner a person reads and time-stamped lines, in JSON form (--log-format json) one
// object per line with ts, level, msg and the event's fields, as import and export write them:
// "start", "listening" (the banner's facts; never a secret, not even the public development
// pair's), one "request" per request at debug level, "stop" and "stopped".
// SIGINT / SIGTERM stop the server cleanly and exit 0 (decisions.md section 2: being stopped is a
// server's normal end); a temporary store is removed on the way out. A listen address in use is
// exit 1 naming it: two emulators never share a port. With --config, STS AssumeRole is served at
// the same address and every request is authorized against the config's RAM policies.
#include <signal.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "core/log.h"
#include "emulator/config.h"
#include "emulator/faults.h"
#include "emulator/server.h"

namespace tsb::cli {

namespace {

struct EmulatorCommandOptions {
  std::string listen = "127.0.0.1:8800";
  std::string data_dir;
  std::string config_file;
  std::string access_key_id;
  std::string access_key_secret;
  LogFlags logs;  // .server: set by SetupEmulatorCommand
  std::vector<std::string> faults;
  uint64_t fault_seed = 1;
  bool fault_seed_given = false;
  bool no_sync = false;
  double partition_write_rate = 0;
};

// The banner's line for --partition-write-rate (or the config's), when set.
void PrintThrottle(double rate) {
  if (rate <= 0) return;
  std::fprintf(
      stderr, "  throttle     %g rows/s per partition; beyond it writes get OTSServerBusy\n", rate);
}

// "HOST:PORT", "[V6]:PORT" or ":PORT" (= 127.0.0.1).
Status ParseListen(const std::string& text, std::string* host, int* port) {
  auto bad = [&] {
    return Status::InvalidArgument("--listen \"" + text +
                                   "\": expected HOST:PORT, e.g. 127.0.0.1:8800 (port 0 picks a "
                                   "free port)");
  };
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return bad();
  std::string h = text.substr(0, colon);
  std::string p = text.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) h = "127.0.0.1";
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) {
    return bad();
  }
  int value = std::stoi(p);
  if (value > 65535) return bad();
  *host = h;
  *port = value;
  return Status::OK();
}

// In text form the error is the plain line every subcommand prints (no time stamp: it is what a
// person or a script reads first); in JSON form an "error" event.
int Fail(const Status& status) {
  const int code = ExitFor(status).code;
  if (log::CurrentFormat() == log::Format::kJson) {
    log::Write(log::Level::kError, "tsbridge emulator: " + status.message(),
               {{"event", std::string_view("error")}, {"exit_code", int64_t{code}}},
               status.message());
  } else {
    std::fprintf(stderr, "tsbridge emulator: %s\n", status.message().c_str());
  }
  return code;
}

// The banner: in text form the lines a person reads (the public development pair in full, so
// that it can be copied); in JSON form its facts as one "listening" event, without any secret.
void Announce(const EmulatorCommandOptions& flags, const emulator::EmulatorServer& server,
              const emulator::EmulatorConfig& config, const std::string& key_source,
              const std::string& key_id, double partition_write_rate) {
  size_t users = 0, roles = 0;
  for (const emulator::AccountConfig& account : config.accounts) {
    users += account.users.size();
    roles += account.roles.size();
  }
  if (log::CurrentFormat() == log::Format::kJson) {
    log::Write(log::Level::kInfo, "",
               {{"event", std::string_view("listening")},
                {"endpoint", std::string_view(server.endpoint())},
                {"data", std::string_view(server.data_dir())},
                {"temporary_store", server.temporary_store()},
                {"config", std::string_view(flags.config_file)},
                {"accounts", static_cast<int64_t>(config.accounts.size())},
                {"access_key_id", std::string_view(key_id)},
                {"key_source", std::string_view(key_source)},
                {"faults", static_cast<int64_t>(flags.faults.size())},
                {"partition_write_rate", partition_write_rate}},
               "listening on " + server.endpoint());
    return;
  }
  if (!log::Enabled(log::Level::kInfo)) return;
  std::fprintf(stderr, "tsbridge emulator: a local Tablestore-compatible server\n");
  std::fprintf(stderr, "  endpoint     %s\n", server.endpoint().c_str());
  if (!flags.config_file.empty()) {
    std::fprintf(stderr, "  accounts     from %s (instances not declared there are refused)\n",
                 flags.config_file.c_str());
    std::fprintf(stderr,
                 "  ram          %zu accounts, %zu users, %zu roles; every request authorized\n",
                 config.accounts.size(), users, roles);
    std::fprintf(stderr, "  sts          AssumeRole at %s/ (DurationSeconds %lld to %lld)\n",
                 server.endpoint().c_str(), static_cast<long long>(config.sts.min_duration_seconds),
                 static_cast<long long>(config.sts.max_duration_seconds));
  } else if (key_source == "development pair") {
    std::fprintf(stderr, "  access key   id %s  secret %s  (the public development pair)\n",
                 std::string(emulator::kDevAccessKeyId).c_str(),
                 std::string(emulator::kDevAccessKeySecret).c_str());
    std::fprintf(stderr, "  instances    any name; each instance is its own namespace\n");
  } else {
    std::fprintf(stderr, "  access key   id %s  (%s)\n", key_id.c_str(), key_source.c_str());
    std::fprintf(stderr, "  instances    any name; each instance is its own namespace\n");
  }
  if (server.temporary_store()) {
    std::fprintf(stderr, "  data         temporary store %s (removed on exit)\n",
                 server.data_dir().c_str());
  } else {
    std::fprintf(stderr, "  data         %s\n", server.data_dir().c_str());
  }
  for (const std::string& text : flags.faults) {
    std::fprintf(stderr, "  fault        %s\n", text.c_str());
  }
  PrintThrottle(partition_write_rate);
  std::fflush(stderr);
}

// What the fault rules did, on stderr beside the banner that listed them, whatever the log level:
// a soak or a test reads which faults its run actually met.
void PrintFaultHits(const emulator::FaultInjector& faults) {
  for (const auto& rule : faults.Hits()) {
    if (log::CurrentFormat() == log::Format::kJson) {
      log::Write(log::Level::kInfo, "",
                 {{"event", std::string_view("fault_hits")},
                  {"rule", std::string_view(rule.rule)},
                  {"hits", static_cast<int64_t>(rule.hits)},
                  {"unit", std::string_view(rule.rows ? "rows" : "requests")}},
                 "fault rule hits");
      continue;
    }
    std::fprintf(stderr, "  fault        %s: %llu %s\n", rule.rule.c_str(),
                 static_cast<unsigned long long>(rule.hits), rule.rows ? "rows" : "requests");
  }
  std::fflush(stderr);
}

int RunEmulator(const EmulatorCommandOptions& flags) {
  // Block the stop signals before any thread starts, so that every server thread inherits the
  // mask and sigwait below is the only receiver.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that goes away mid-response must not kill the server.
  signal(SIGPIPE, SIG_IGN);
  // Every open connection is a descriptor (it costs no thread): take the hard limit rather than
  // the common soft default of 1024, so that hundreds of clients plus RocksDB's files fit.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  emulator::EmulatorOptions options;
  Status listen = ParseListen(flags.listen, &options.host, &options.port);
  if (!listen.ok()) return Fail(listen);

  log::Write(log::Level::kInfo, "starting on " + flags.listen,
             {{"event", std::string_view("start")},
              {"listen", std::string_view(flags.listen)},
              {"data", std::string_view(flags.data_dir)},
              {"config", std::string_view(flags.config_file)}},
             "starting");
  options.data_dir = flags.data_dir;
  // With --data every acknowledged write is in the write-ahead log and synced, as the service
  // promises: a crash or power loss loses nothing acknowledged. Concurrent requests share one
  // sync (group commit), so parallel writers keep their rate; a single writer waits one disk sync
  // per request. --no-sync trades the power-loss guarantee for speed (writes still survive the
  // process being killed).
  if (!flags.data_dir.empty()) options.sync = !flags.no_sync;

  std::string key_source;
  std::string banner_key_id;  // never the secret (decisions.md section 7)
  const bool key_flags = !flags.access_key_id.empty() || !flags.access_key_secret.empty();
  if (!flags.config_file.empty()) {
    if (key_flags) {
      return Fail(
          Status::InvalidArgument("--access-key-id/--access-key-secret cannot be combined with "
                                  "--config: declare the keys in the config's accounts"));
    }
    auto config = emulator::LoadEmulatorConfig(flags.config_file);
    if (!config.ok()) {
      return Fail(config.status());
    }
    options.config = std::move(config).value();
  } else {
    std::string id = flags.access_key_id;
    std::string secret = flags.access_key_secret;
    if (key_flags) {
      if (id.empty() || secret.empty()) {
        return Fail(Status::InvalidArgument("--access-key-id and --access-key-secret go together"));
      }
      key_source = "from the command line";
    } else {
      const char* env_id = std::getenv("TSBRIDGE_EMULATOR_ACCESS_KEY_ID");
      const char* env_secret = std::getenv("TSBRIDGE_EMULATOR_ACCESS_KEY_SECRET");
      bool has_id = env_id != nullptr && *env_id != '\0';
      bool has_secret = env_secret != nullptr && *env_secret != '\0';
      if (has_id != has_secret) {
        return Fail(
            Status::InvalidArgument("TSBRIDGE_EMULATOR_ACCESS_KEY_ID and "
                                    "TSBRIDGE_EMULATOR_ACCESS_KEY_SECRET go together"));
      }
      if (has_id) {
        id = env_id;
        secret = env_secret;
        key_source = "from TSBRIDGE_EMULATOR_ACCESS_KEY_ID/_SECRET";
      } else {
        id = std::string(emulator::kDevAccessKeyId);
        secret = std::string(emulator::kDevAccessKeySecret);
        key_source = "development pair";
      }
    }
    banner_key_id = id;
    options.config = emulator::DefaultEmulatorConfig(id, secret);
  }
  for (const std::string& text : flags.faults) {
    auto rule = emulator::ParseFaultRule(text);
    if (!rule.ok()) return Fail(rule.status());
    options.faults.push_back(std::move(rule).value());
  }
  for (const std::string& text : options.config.faults) {
    auto rule = emulator::ParseFaultRule(text);
    if (!rule.ok()) return Fail(rule.status().WithContext(flags.config_file));
  }
  if (flags.fault_seed_given) options.config.fault_seed = flags.fault_seed;
  options.partition_write_rate = flags.partition_write_rate;

  // The banner's counts; the server keeps the config itself.
  const emulator::EmulatorConfig config_summary = options.config;
  emulator::EmulatorServer server(std::move(options));
  Status started = server.Start();
  if (!started.ok()) return Fail(started);

  Announce(flags, server, config_summary, key_source, banner_key_id,
           flags.partition_write_rate > 0 ? flags.partition_write_rate
                                          : config_summary.partition_write_rate);

  std::printf("listening on %s\n", server.endpoint().c_str());
  std::fflush(stdout);

  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) != 0) {
  }
  const std::string_view signal_name = signal_number == SIGINT ? "SIGINT" : "SIGTERM";
  log::Write(log::Level::kInfo, "received " + std::string(signal_name) + ", stopping",
             {{"event", std::string_view("stop")}, {"signal", signal_name}});
  PrintFaultHits(server.faults());
  server.Stop();
  log::Write(log::Level::kInfo, "stopped", {{"event", std::string_view("stopped")}});
  return kExitOk;
}

}  // namespace

void SetupEmulatorCommand(CLI::App* sub, RunFn* run) {
  auto flags = std::make_shared<EmulatorCommandOptions>();
  sub->description(
      "Run a local Tablestore-compatible server on an embedded RocksDB store. Prints one line, "
      "\"listening on http://HOST:PORT\", to stdout once it accepts connections; stops on "
      "SIGINT/SIGTERM. Without --config it accepts the key pair given by --access-key-id/"
      "--access-key-secret or TSBRIDGE_EMULATOR_ACCESS_KEY_ID/_SECRET, else the public "
      "development pair tsbridge-dev-key-id / tsbridge-dev-key-secret.");
  SetHelp(sub,
          {.examples = {"tsbridge emulator --listen 127.0.0.1:8800",
                        "tsbridge emulator --listen 127.0.0.1:0 --data /var/lib/tsbridge "
                        "--no-sync &",
                        "tsbridge emulator --config emulator.json --log-level debug",
                        "tsbridge emulator --fault BatchWriteRow:OTSServerBusy:0.2 --fault-seed 7"},
           .notes = "Clients then use ALIBABA_CLOUD_ACCESS_KEY_ID=tsbridge-dev-key-id and\n"
                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET=tsbridge-dev-key-secret (or the pair "
                    "given here).",
           .credentials = false,
           .exit_codes = ExitCodes::kEmulator});
  sub->add_option("--listen", flags->listen, "HOST:PORT to listen on (port 0 picks a free port)")
      ->capture_default_str();
  sub->add_option("--data", flags->data_dir,
                  "RocksDB data directory, kept across runs (default: a temporary store removed "
                  "on exit)")
      ->type_name("DIR");
  sub->add_flag("--no-sync", flags->no_sync,
                "do not sync the write-ahead log before acknowledging a write (faster for a "
                "single writer; writes survive the process being killed but not a power loss)");
  sub->add_option("--config", flags->config_file,
                  "JSON file declaring region, accounts, access keys, instances, RAM users, "
                  "roles and policies, and the STS duration bounds (see the README)")
      ->type_name("FILE");
  sub->add_option("--access-key-id", flags->access_key_id,
                  "the access key id to accept (default: TSBRIDGE_EMULATOR_ACCESS_KEY_ID, else "
                  "tsbridge-dev-key-id)");
  sub->add_option(
      "--access-key-secret", flags->access_key_secret,
      "the secret of --access-key-id (the emulator's own key, not a cloud secret; default: "
      "TSBRIDGE_EMULATOR_ACCESS_KEY_SECRET, else tsbridge-dev-key-secret)");
  flags->logs.server = true;
  flags->logs.Add(sub);
  sub->add_option(
      "--fault", flags->faults,
      "fail a share of requests: OP:CODE:RATE, e.g. BatchWriteRow:OTSServerBusy:0.2; "
      "OP may be *; append :rows to fail that share of BatchWriteRow/BatchGetRow rows "
      "instead; OP:delay:RATE:MS holds that share of requests MS milliseconds before "
      "running them, e.g. GetRange:delay:1:2000 (a delay past the client's --request-timeout "
      "is a stall); OP:drop-before:RATE closes the connection unanswered without "
      "running the request, OP:drop-after:RATE runs it and closes unanswered, "
      "OP:truncate:RATE runs it and sends half its answer; the rules' counts are "
      "printed on stderr at exit (repeatable; default: none)");
  sub->add_option_function<uint64_t>(
         "--fault-seed",
         [flags](const uint64_t& seed) {
           flags->fault_seed = seed;
           flags->fault_seed_given = true;
         },
         "seed that makes --fault choices deterministic (default 1)")
      ->check(WholeNumberIn(0, UINT64_MAX, "a seed from 0 to " + std::to_string(UINT64_MAX)));
  sub->add_option("--partition-write-rate", flags->partition_write_rate,
                  "cap the writes of each partition of a table (its key space cut at the split "
                  "points CreateTable gave, else at its size's) at N rows/s, answering "
                  "OTSServerBusy beyond it, as a hot partition of the service does (config: "
                  "\"partition_write_rate\"; default: no cap)")
      ->check(PositiveFiniteNumber("a finite number of rows per second greater than 0"));
  sub->callback([run, flags] {
    *run = [flags] {
      bool quiet = false;
      if (int code = flags->logs.Apply("emulator", &quiet, nullptr); code != 0) return code;
      return RunEmulator(*flags);
    };
  });
}

}  // namespace tsb::cli
