// EmulatorServer: a local Tablestore-compatible HTTP server on the emulator's RocksDB store.
//
// `tsbridge emulator` runs one; tests (ours and the C++ client's) embed one in-process:
//
//   EmulatorOptions options;
//   options.port = 0;                    // pick a free port
//   EmulatorServer server(options);
//   TSB_RETURN_IF_ERROR(server.Start()); // returns once connections are accepted
//   ... talk to server.endpoint() with the key pair in options.config ...
//   server.Stop();                       // also done by the destructor
//
// Every request is POST /{Operation} with a protobuf body; it is authenticated and authorized
// (auth.h), may be failed on purpose (faults.h), then served by Handlers (handlers.h) over the
// Store (store.h). STS AssumeRole shares the address at path / (sts.h).
// Every response, errors included, carries x-ots-requestid, x-ots-date (UTC, microseconds),
// x-ots-contentmd5, x-ots-contenttype and, when the request's access key is known, an
// `authorization` header signed as wire doc A.2 says, which the Java and Python SDKs verify.
//
// Thread safety: Start/Stop are for one controlling thread; faults() may be changed while serving.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/config.h"
#include "emulator/faults.h"
#include "tsbridge/status.h"

namespace tsb::emulator {

class Store;

struct EmulatorOptions {
  std::string host = "127.0.0.1";
  // 0 picks a free port; port() tells which.
  int port = 8800;
  // RocksDB directory, created if missing and kept. Empty = a temporary store, removed at Stop().
  std::string data_dir;
  // Accounts, keys and instances. Default: one account with the development key pair and every
  // instance served as its own namespace.
  EmulatorConfig config =
      DefaultEmulatorConfig(std::string(kDevAccessKeyId), std::string(kDevAccessKeySecret));
  // Fault rules on top of config.faults; the seed is config.fault_seed.
  std::vector<FaultRule> faults;
  // Worker threads: requests run at once (connections cost no thread; see http_server.h). 0 = sized
  // for the machine (see server.cc for why it exceeds the core count).
  int threads = 0;
  // Sync the WAL on every acknowledged write; unset = the Store's default (on with data_dir).
  std::optional<bool> sync;
  // Rows/s each partition of a table accepts (throttle.h), over config.partition_write_rate when
  // positive; 0 = the config's (no cap by default).
  double partition_write_rate = 0;
  // Log each request (operation, table, rows, status, ms) via spdlog at debug level.
  bool log_requests = true;
};

class EmulatorServer {
 public:
  explicit EmulatorServer(EmulatorOptions options);
  ~EmulatorServer();
  EmulatorServer(const EmulatorServer&) = delete;
  EmulatorServer& operator=(const EmulatorServer&) = delete;

  // Opens the store, binds and starts serving on background threads. Returns once the socket
  // accepts connections. Errors: the fault rules (InvalidArgument), the store (IOError, ...), or
  // the address (Unavailable: "cannot listen on HOST:PORT: address already in use ...").
  Status Start();
  // Stops accepting, finishes in-flight requests, closes the store (removing a temporary one).
  // Idempotent.
  void Stop();

  const std::string& host() const;
  int port() const;              // the bound port after Start()
  std::string endpoint() const;  // "http://HOST:PORT"
  // The data directory in use (the temporary one when none was given); empty before Start().
  const std::string& data_dir() const;
  bool temporary_store() const;

  FaultInjector& faults();
  // The store, for tests that seed or inspect data directly. Null before Start().
  Store* store();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tsb::emulator
