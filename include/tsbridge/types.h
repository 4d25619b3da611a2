// The logical types of tsbridge's data path, and the schema of a row batch.
//
// A DataType is what a column holds, independent of where it came from: the job spec's column
// types (bigint, int, smallint, tinyint, double, float, boolean, string, binary, decimal(p,s),
// date, datetime, timestamp) and the flat types a Parquet, CSV or JSON Lines file can carry all map
// onto it. Each type has one in-memory storage class (see Storage) used by Column.
//
// Value conventions (the same in every reader and writer):
//   integers        int64; unsigned 64-bit values (Parquet UINT_64) keep their bits, is_unsigned set
//   float           stored as double; converting back to float is exact
//   date            int64 days since 1970-01-01 (proleptic Gregorian)
//   datetime/timestamp  int64 ticks since the epoch, UTC, in `unit`
//   decimal(p,s)    __int128 unscaled value, p <= 38
//   string          UTF-8 bytes (validated where it enters the pipeline); binary: raw bytes
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tsbridge/status.h"

namespace tsb {

enum class TypeId : uint8_t {
  kNull,  // a column of which every value is NULL (Parquet's UNKNOWN/Null logical type)
  kBoolean,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFloat,
  kDouble,
  kString,
  kBinary,
  kDecimal,
  kDate,
  kDateTime,
  kTimestamp,
};

enum class TimeUnit : uint8_t { kSeconds, kMillis, kMicros, kNanos };

// How a column's values are held in memory.
enum class Storage : uint8_t { kInt64, kDouble, kBytes, kInt128 };

struct DataType {
  TypeId id = TypeId::kString;
  uint8_t precision = 0;                // decimal
  uint8_t scale = 0;                    // decimal
  TimeUnit unit = TimeUnit::kMillis;    // datetime / timestamp ticks
  bool utc = true;                      // timestamp: false = wall clock without a zone
  bool is_unsigned = false;             // integer types read from unsigned Parquet columns

  static DataType Of(TypeId id) {
    DataType t;
    t.id = id;
    return t;
  }
  static DataType Decimal(int precision, int scale) {
    DataType t = Of(TypeId::kDecimal);
    t.precision = static_cast<uint8_t>(precision);
    t.scale = static_cast<uint8_t>(scale);
    return t;
  }
  static DataType Timestamp(TimeUnit unit, bool utc = true) {
    DataType t = Of(TypeId::kTimestamp);
    t.unit = unit;
    t.utc = utc;
    return t;
  }

  Storage storage() const;
  bool is_integer() const {
    return id == TypeId::kInt8 || id == TypeId::kInt16 || id == TypeId::kInt32 ||
           id == TypeId::kInt64;
  }
  // The job spec's spelling: "bigint", "decimal(10,2)", "timestamp"; file-only types get a
  // descriptive name ("uint64", "timestamp(micros, local)").
  std::string ToString() const;

  // Parses a job spec type name (case-insensitive): bigint, int, smallint, tinyint, double,
  // float, boolean, string, binary, decimal(p,s), date, datetime, timestamp.
  static Result<DataType> ParseSpecType(std::string_view text);

  friend bool operator==(const DataType& a, const DataType& b) = default;
};

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;
};

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields);

  size_t size() const { return fields_.size(); }
  const Field& field(size_t i) const { return fields_[i]; }
  const std::vector<Field>& fields() const { return fields_; }
  void Add(Field f);
  // Index of the first field with this exact name, or -1. Constant time on wide schemas, so that
  // matching a spec's columns against an input's is linear in their count.
  int Find(std::string_view name) const;

 private:
  // Wide schemas only: a few fields are found faster by a scan than by hashing.
  static constexpr size_t kIndexFrom = 16;
  void Index(size_t i);

  std::vector<Field> fields_;
  std::unordered_map<std::string, int> index_;  // name -> first index, from kIndexFrom fields
};

}  // namespace tsb
