// Conversion rules between Tablestore cell values and the job spec's column types
// (decisions.md section 8), as pure functions on core-level values.
//
// src/core must not depend on src/tablestore, so this file has its own small mirror of the
// Tablestore value model: OtsType (the five data kinds a cell can hold) and OtsValueRef (a
// non-owning view of one value, field for field the same as ots::Value, so the tablestore layer
// turns one into the other with a switch). OtsValue is the owning form, used for key bounds and
// filter constants that outlive the text they came from.
//
// Every spec type has exactly one Tablestore kind (StoredType); nothing is converted across kinds:
//   bigint, int, smallint, tinyint  INTEGER (range-checked for the narrow types)
//   datetime, timestamp             INTEGER ticks since the epoch, UTC, in the column's unit
//   double, float                   DOUBLE (a float column rounds once to binary32; a finite value
//                                   beyond the binary32 range is an error)
//   boolean                         BOOLEAN
//   string                          STRING (bytes as stored)
//   binary                          BINARY
//   decimal(p,s)                    STRING holding the exact decimal text ("12.50" for s = 2;
//                                   fewer fraction digits are padded, extra ones must be zeros)
//   date                            STRING YYYY-MM-DD (0001..9999)
//
// Import (table -> file): ConvertOtsValue checks one stored value against the column type without
// allocating; AppendConverted appends it. A row whose cells do not all convert is rejected as a
// whole, so the import converts every mapped cell of a row first, then appends. Export (file ->
// table): ColumnValueToOts reads a non-NULL row of a column.
//
// Errors are InvalidArgument with the reason only ("stored STRING where the spec says bigint",
// "INTEGER 300 out of range for tinyint"); callers add the primary key and the column.
// All functions are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"
#include "tsbridge/types.h"

namespace tsb {

// The data kinds of a Tablestore cell. Not wire values: the tablestore layer maps them.
enum class OtsType : uint8_t { kInteger, kDouble, kBoolean, kString, kBinary };

// "INTEGER", "DOUBLE", "BOOLEAN", "STRING", "BINARY".
std::string_view OtsTypeName(OtsType type);
// Parses the names above (case-insensitive).
Result<OtsType> ParseOtsTypeName(std::string_view name);

// The Tablestore kind that stores values of a spec type. kNull and unsigned types (which only
// files carry) have none: InvalidArgument.
Result<OtsType> StoredType(const DataType& type);
// Whether a spec type may be a primary-key column: the integer types, datetime and timestamp
// (INTEGER), string, date and decimal (STRING), binary (BINARY). double, float, boolean are not.
bool IsKeyType(const DataType& type);

// A view of one Tablestore value; `bytes` (STRING, BINARY) points into storage owned elsewhere.
struct OtsValueRef {
  OtsType type = OtsType::kInteger;
  int64_t i = 0;
  double d = 0;
  bool b = false;
  std::string_view bytes;
};

// An owning Tablestore value.
struct OtsValue {
  OtsType type = OtsType::kInteger;
  int64_t i = 0;
  double d = 0;
  bool b = false;
  std::string bytes;

  static OtsValue Integer(int64_t v);
  static OtsValue Double(double v);
  static OtsValue Boolean(bool v);
  static OtsValue String(std::string v);
  static OtsValue Binary(std::string v);
  static OtsValue FromRef(const OtsValueRef& ref);
  OtsValueRef ref() const;
  // 5000, 1.5, true, "text" (JSON-escaped), b"base64"; for plans and messages.
  std::string ToString() const;

  friend bool operator==(const OtsValue& a, const OtsValue& b);
};

// Same as OtsValue::ToString for a view; long texts are shortened to 64 bytes plus "...".
std::string FormatOtsValue(const OtsValueRef& value);

// A row's primary key for messages: (o_orderkey=5, o_orderdate="1996-05-03"). `names` and
// `values` are parallel.
std::string DescribeRowKey(const std::vector<std::string_view>& names,
                           const std::vector<OtsValueRef>& values);

// Tablestore's order of two values of the same kind (integers and doubles numerically, strings
// and binaries bytewise as unsigned bytes, false < true): <0, 0, >0.
int CompareOtsValues(const OtsValueRef& a, const OtsValueRef& b);

// A stored value converted to a column's storage class; `bytes` views the input value.
struct ConvertedValue {
  int64_t i = 0;
  double d = 0;
  __int128 wide = 0;
  std::string_view bytes;
};

// Checks a stored value against a spec column type and converts it. No allocation.
Status ConvertOtsValue(const OtsValueRef& value, const DataType& type, ConvertedValue* out);
// Appends a value produced by ConvertOtsValue for `column->type()`.
void AppendConverted(const ConvertedValue& value, Column* column);
// ConvertOtsValue + AppendConverted; appends nothing on error.
Status AppendOtsValue(const OtsValueRef& value, Column* column);

// Timestamps finer than a column's ticks_unit are refused, never truncated (decisions 8); the
// reason names the "ticks_unit" that would keep them (decisions 11). Used by every reader that
// converts timestamps (text parsing, Parquet).
//
// The coarsest unit that holds `ticks` of `unit` exactly (kSeconds for a whole second).
TimeUnit CoarsestTicksUnit(int64_t ticks, TimeUnit unit);
// The coarsest unit at which `text` parses as a timestamp (value_text.h's ParseTimestamp);
// nullopt when it parses at none (wrong whatever the unit).
std::optional<TimeUnit> CoarsestTicksUnitOfText(std::string_view text);
// "seconds", "millis", "micros", "nanos" (the spec's ticks_unit values).
std::string_view TicksUnitName(TimeUnit unit);
// `is finer than the column's "ticks_unit": "millis"; "ticks_unit": "micros" would keep it`.
std::string FinerThanTicksUnit(TimeUnit column_unit, TimeUnit keeps);

// The Tablestore value for the non-NULL row `row` of `column` (per the column's type). Values
// that need text (decimal, date) are written to *scratch, which `out->bytes` then views; other
// strings view the column. Errors: a narrow integer out of its range, a date outside 0001..9999.
Status ColumnValueToOts(const Column& column, size_t row, std::string* scratch, OtsValueRef* out);

}  // namespace tsb
