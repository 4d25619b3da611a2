// EmulatorFixture: the in-process emulator the C++ suites test against. It serves on 127.0.0.1 at
// a free port from a temporary store (removed at the end), accepts the development key pair, and
// hands out a client of that key whose retries never sleep.
//
//   tsb::testing::EmulatorFixture emu("mytest");   // started, or the test case fails here
//   emu.client->CreateTable(...);
//   auto other = ots::Client::Create(emu.ClientConfig("a wrong secret"));
//
// Suites with a table to seed derive from it. Test-only: link tsb_emulator.
#pragma once

#include <stdlib.h>

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <utility>

#include "emulator/server.h"
#include "support/testing.h"
#include "tsbridge/tablestore/client.h"

namespace tsb::testing {

// Port 0 (a free one) and no request log; everything else is EmulatorOptions' default.
inline emulator::EmulatorOptions EmulatorTestOptions() {
  emulator::EmulatorOptions o;
  o.port = 0;
  o.log_requests = false;
  return o;
}

class EmulatorFixture {
 public:
  explicit EmulatorFixture(std::string instance = "test",
                           emulator::EmulatorOptions options = EmulatorTestOptions())
      : server(std::move(options)), instance_(std::move(instance)) {
    Status s = server.Start();
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    auto c = ots::Client::Create(ClientConfig());
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    client = std::move(c).value();
  }
  EmulatorFixture(const EmulatorFixture&) = delete;
  EmulatorFixture& operator=(const EmulatorFixture&) = delete;

  // Options for another client of this emulator and instance; `secret` may be a wrong one.
  ots::ClientOptions ClientConfig(std::string secret = std::string(emulator::kDevAccessKeySecret)) {
    ots::ClientOptions o;
    o.endpoint = server.endpoint();
    o.instance = instance_;
    o.credentials.access_key_id = std::string(emulator::kDevAccessKeyId);
    o.credentials.access_key_secret = std::move(secret);
    o.retry_env = &env;
    return o;
  }

  // The jobs resolve their credentials from the environment, as the cli does: point it at the
  // development key and drop what would override the job spec's endpoint or add an STS token.
  static void UseDevKeyFromEnvironment() {
    setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", std::string(emulator::kDevAccessKeyId).c_str(), 1);
    setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", std::string(emulator::kDevAccessKeySecret).c_str(), 1);
    unsetenv("ALIBABA_CLOUD_SECURITY_TOKEN");
    unsetenv("TSBRIDGE_ENDPOINT");
  }

  const std::string& instance() const { return instance_; }

  emulator::EmulatorServer server;
  NoSleepEnv env;  // the retry clock of ClientConfig()'s clients: env.sleeps counts retries
  std::unique_ptr<ots::Client> client;

 private:
  std::string instance_;
};

}  // namespace tsb::testing
