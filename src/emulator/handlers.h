// The emulator's operations: protobuf + PlainBuffer request -> Store call -> protobuf response.
//
// One Handlers object serves every request of an EmulatorServer, from many threads at once. Each
// call decodes the request body (rows are string_views into the parsed request, never copied),
// calls one Store method (store.h does the Tablestore semantics and the service's errors), and
// encodes the answer into the caller's reused output string, only in shapes the Node SDK decodes
// (wire doc A.6, B.6): required fields always present, no padding after a row, no INF values in
// returned keys, no cell-type bytes in returned rows.
//
// What is checked here rather than in the Store: that the body parses (protobuf and PlainBuffer),
// the request-level BatchWriteRow limits on the encoded bytes, and features the emulator does not
// have (streams, secondary indexes, wide-row column paging), which are refused with
// OTSParameterInvalid and a message saying so rather than silently ignored.
//
// Thread safety: Handle() may be called concurrently; the Store and FaultInjector are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tsb::emulator {

class Store;
class FaultInjector;
class PartitionThrottle;

// One request, after authentication.
struct OperationRequest {
  std::string_view operation;  // "GetRange", as in the URL path
  std::string_view instance;   // the store namespace (lower-cased instance name)
  std::string_view body;       // the serialized protobuf request; must outlive the call
};

// What the request did, for the log line.
struct OperationSummary {
  std::string table;  // the (first) table named, if any
  int64_t rows = 0;   // rows read, written or answered
};

class Handlers {
 public:
  // REQUIRES: store, faults and throttle outlive this object. faults and throttle may be null.
  Handlers(Store* store, FaultInjector* faults, PartitionThrottle* throttle = nullptr)
      : store_(store), faults_(faults), throttle_(throttle) {}
  Handlers(const Handlers&) = delete;
  Handlers& operator=(const Handlers&) = delete;

  static bool IsSupportedOperation(std::string_view operation);

  // Runs the operation. Replaces *body with the response body: the <Op>Response message on
  // success, else a protobuf Error{code, message}. Returns the HTTP status. Unknown operations
  // are the caller's to refuse (IsSupportedOperation).
  int Handle(const OperationRequest& request, std::string* body, OperationSummary* summary);

 private:
  Store* store_;
  FaultInjector* faults_;
  PartitionThrottle* throttle_;
};

// Writes a protobuf Error{code, message} into *out (replacing its contents).
void EncodeErrorBody(std::string_view code, std::string_view message, std::string* out);

}  // namespace tsb::emulator
