// The Tablestore model shared by the client (client.h) and the emulator (emulator/store.h): tables,
// their options, capacity units and the enums of conditions, reads and writes. One definition, so
// that what the client sends and what the emulator keeps cannot drift apart.
//
// Enum values are the protobuf's (wire doc A.3): on the wire and in the emulator's stored table
// metadata, so never renumber.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tsb::ots {

// ---------------------------------------------------------------------------------------------
// Tables.

enum class PrimaryKeyType : uint8_t { kInteger = 1, kString = 2, kBinary = 3 };
// Defined columns are metadata only (for secondary indexes).
enum class DefinedColumnType : uint8_t {
  kInteger = 1,
  kDouble = 2,
  kBoolean = 3,
  kString = 4,
  kBinary = 7,
};
enum class TableStatus : uint8_t {
  kActive = 1,
  kInactive = 2,
  kLoading = 3,
  kUnloading = 4,
  kUpdating = 5,
};

std::string_view PrimaryKeyTypeName(PrimaryKeyType type);  // "INTEGER", "STRING", "BINARY"

struct PrimaryKeyColumn {
  std::string name;
  PrimaryKeyType type = PrimaryKeyType::kString;
  bool auto_increment = false;  // PrimaryKeyOption AUTO_INCREMENT
};

struct DefinedColumn {
  std::string name;
  DefinedColumnType type = DefinedColumnType::kString;
};

struct TableMeta {
  std::string name;
  std::vector<PrimaryKeyColumn> primary_key;   // schema order; the first is the partition key
  std::vector<DefinedColumn> defined_columns;  // optional, for secondary indexes
};

// As in the request: unset fields are left to the service's defaults (CreateTable: TTL -1,
// max_versions 1, deviation 86400 s, allow_update true) or unchanged (UpdateTable).
struct TableOptions {
  std::optional<int32_t> time_to_live;        // seconds; -1 = forever, else >= 86400
  std::optional<int32_t> max_versions;        // >= 1
  std::optional<int64_t> max_time_deviation;  // seconds (deviation_cell_version_in_sec); > 0
  std::optional<bool> allow_update;
  std::optional<int32_t> block_size;         // accepted and echoed, no effect
  std::optional<int32_t> bloom_filter_type;  // accepted and echoed, no effect
};

// Reserved throughput and consumed capacity (wire doc A.5).
struct CapacityUnits {
  int64_t read = 0;
  int64_t write = 0;

  CapacityUnits& operator+=(const CapacityUnits& o) {
    read += o.read;
    write += o.write;
    return *this;
  }
  friend bool operator==(const CapacityUnits&, const CapacityUnits&) = default;
};

// DescribeTable's answer (the emulator fills in every option).
struct TableDescription {
  TableMeta meta;
  TableOptions options;
  TableStatus status = TableStatus::kActive;
  CapacityUnits reserved;
  int64_t last_increase_time = 0;  // seconds since the epoch
  int64_t last_decrease_time = 0;  // 0 = never (omitted on the wire)
  int64_t creation_time_us = 0;    // the emulator's; the service does not send it
};

// ---------------------------------------------------------------------------------------------
// Conditions, reads and writes (wire doc A.3, A.4).

enum class Comparator : uint8_t {
  kEqual = 1,
  kNotEqual = 2,
  kGreaterThan = 3,
  kGreaterEqual = 4,
  kLessThan = 5,
  kLessEqual = 6,
};

enum class LogicalOperator : uint8_t { kNot = 1, kAnd = 2, kOr = 3 };

enum class RowExistence : uint8_t { kIgnore = 0, kExpectExist = 1, kExpectNotExist = 2 };

enum class ReturnType : uint8_t { kNone = 0, kPrimaryKey = 1, kAfterModify = 2 };

enum class Direction : uint8_t { kForward = 0, kBackward = 1 };

// BatchWriteRow's OperationType.
enum class WriteType : uint8_t { kPut = 1, kUpdate = 2, kDelete = 3 };

}  // namespace tsb::ots
