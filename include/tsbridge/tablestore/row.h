// The Tablestore row model: primary-key and attribute cells as PlainBuffer carries them.
//
// Values hold their bytes as string_views: a decoded row points into the buffer it was decoded
// from (which must outlive it), and a row built for a request points into storage its builder
// owns. Rows and their cell vectors are meant to be reused (clear(), refill) so that decoding a
// 5000-row GetRange page allocates nothing per cell once warm.
//
// The byte layout lives in plainbuffer.h / plainbuffer.cc; the numeric values of the enums below
// are on the wire: never renumber.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace tsb::ots {

// PlainBuffer value type bytes (wire doc B.2).
enum class ValueType : uint8_t {
  kInteger = 0x00,
  kDouble = 0x01,
  kBoolean = 0x02,
  kString = 0x03,
  kNull = 0x06,
  kBinary = 0x07,
  kInfMin = 0x09,
  kInfMax = 0x0A,
  kAutoIncrement = 0x0B,
};

struct Value {
  ValueType type = ValueType::kInfMin;
  int64_t i = 0;            // kInteger
  double d = 0;             // kDouble
  bool b = false;           // kBoolean
  std::string_view bytes;   // kString (UTF-8) / kBinary

  static Value Integer(int64_t v) { Value x; x.type = ValueType::kInteger; x.i = v; return x; }
  static Value Double(double v) { Value x; x.type = ValueType::kDouble; x.d = v; return x; }
  static Value Boolean(bool v) { Value x; x.type = ValueType::kBoolean; x.b = v; return x; }
  static Value String(std::string_view v) { Value x; x.type = ValueType::kString; x.bytes = v; return x; }
  static Value Binary(std::string_view v) { Value x; x.type = ValueType::kBinary; x.bytes = v; return x; }
  static Value InfMin() { Value x; x.type = ValueType::kInfMin; return x; }
  static Value InfMax() { Value x; x.type = ValueType::kInfMax; return x; }
  static Value AutoIncrement() { Value x; x.type = ValueType::kAutoIncrement; return x; }
};

// UpdateRow cell operations (wire doc B.3). kPut has no type byte on the wire.
enum class CellOp : uint8_t {
  kPut = 0xFF,
  kDeleteAllVersions = 0x01,
  kDeleteOneVersion = 0x03,
  kIncrement = 0x04,
};

struct Cell {
  std::string_view name;
  std::optional<Value> value;       // absent for deletes
  CellOp op = CellOp::kPut;
  std::optional<int64_t> timestamp;  // milliseconds
};

struct Row {
  std::vector<Cell> primary_key;
  std::vector<Cell> attributes;
  bool delete_marker = false;  // DeleteRow / BatchWriteRow DELETE

  void clear() {
    primary_key.clear();
    attributes.clear();
    delete_marker = false;
  }
};

}  // namespace tsb::ots
