// The batches every round-trip pair is tested on (tests/formats/round_trip_test.cc for the files,
// tests/tablestore/table_round_trip_test.cc for the table): every type, NULL patterns, empty values,
// extremes, text that needs quoting, in batches that do not divide the row count. Exact() renders
// a cell so that equal text means the same value: integers and decimals as the same number,
// floating point as the same bits, strings and bytes as the same bytes.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "tsbridge/row_batch.h"
#include "tsbridge/types.h"

namespace tsb::testing {

inline constexpr int64_t kRows = 2500;       // several batches, pages and row groups
inline constexpr size_t kBatchRows = 700;    // the writers see batches that do not divide kRows
inline constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
inline constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();

inline std::vector<Field> RoundTripFields() {
  return {
      {"b", DataType::Of(TypeId::kBoolean)},
      {"i8", DataType::Of(TypeId::kInt8)},
      {"i16", DataType::Of(TypeId::kInt16)},
      {"i32", DataType::Of(TypeId::kInt32)},
      {"i64", DataType::Of(TypeId::kInt64)},
      {"f32", DataType::Of(TypeId::kFloat)},
      {"f64", DataType::Of(TypeId::kDouble)},
      {"s", DataType::Of(TypeId::kString)},
      {"bin", DataType::Of(TypeId::kBinary)},
      {"d9", DataType::Decimal(9, 2)},
      {"d38", DataType::Decimal(38, 10)},
      {"day", DataType::Of(TypeId::kDate)},
      {"ts_ms", DataType::Timestamp(TimeUnit::kMillis)},
      {"ts_us", DataType::Timestamp(TimeUnit::kMicros)},
      {"ts_ns", DataType::Timestamp(TimeUnit::kNanos)},
      {"wall_us", DataType::Timestamp(TimeUnit::kMicros, /*utc=*/false)},
  };
}

inline __int128 RoundTripPow10(int n) {
  __int128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

// Row r's value of column c, or NULL. Row 0 is NULL everywhere, row 1 has no NULL; after that
// each column has its own NULL period, so that every column meets NULLs at page and batch edges.
inline void AppendRoundTripValue(Column* col, size_t c, int64_t r) {
  if (r == 0 || (r > 1 && r % static_cast<int64_t>(3 + c) == 0)) {
    col->AppendNull();
    return;
  }
  const int64_t k = r % 8;  // picks an extreme for the first rows of each cycle
  switch (col->type().id) {
    case TypeId::kBoolean:
      col->AppendBool(r % 2 == 1);
      return;
    case TypeId::kInt8:
      col->AppendInt(k == 1 ? INT8_MIN : k == 2 ? INT8_MAX : k == 4 ? 0 : r % 256 - 128);
      return;
    case TypeId::kInt16:
      col->AppendInt(k == 1 ? INT16_MIN : k == 2 ? INT16_MAX : r * 13 % 65536 - 32768);
      return;
    case TypeId::kInt32:
      col->AppendInt(k == 1 ? INT32_MIN : k == 2 ? INT32_MAX : r * 104729 - 1000000);
      return;
    case TypeId::kInt64:
      col->AppendInt(k == 1 ? kI64Min : k == 2 ? kI64Max : k == 4 ? 0 : (r - 1000) * 1000000007LL);
      return;
    case TypeId::kFloat: {
      const float specials[] = {0.0f,  -0.0f, std::numeric_limits<float>::max(),
                                std::numeric_limits<float>::denorm_min(), -1.5e-30f,
                                std::numeric_limits<float>::infinity(),
                                -std::numeric_limits<float>::infinity(), 0.1f};
      col->AppendDouble(r < 40 ? specials[k] : static_cast<float>(r) / 7.0f);
      return;
    }
    case TypeId::kDouble: {
      const double specials[] = {0.0,  -0.0, std::numeric_limits<double>::max(),
                                 std::numeric_limits<double>::denorm_min(), -1e-300,
                                 std::numeric_limits<double>::infinity(),
                                 -std::numeric_limits<double>::infinity(), 0.1};
      col->AppendDouble(r < 40 ? specials[k] : static_cast<double>(r) / 7.0);
      return;
    }
    case TypeId::kString: {
      const char* specials[] = {"",           "a,b",   "say \"hi\"", "two\nlines",
                                "tab\there",  " pad ", "\xE4\xBD\xA0\xE5\xA5\xBD", "NULL"};
      col->AppendBytes(r < 40 ? std::string(specials[k]) : "value-" + std::to_string(r % 97));
      return;
    }
    case TypeId::kBinary: {
      if (r < 40) {
        const std::string specials[] = {std::string(), std::string("\0", 1), "\xFF\xFE",
                                        std::string("a\0b", 3), "\n\r,\"", "plain", "\x80",
                                        std::string(300, '\x01')};
        col->AppendBytes(specials[k]);
      } else {
        col->AppendBytes(std::string(static_cast<size_t>(r % 5), static_cast<char>(r % 256)));
      }
      return;
    }
    case TypeId::kDecimal: {
      const DataType& t = col->type();
      const __int128 max = RoundTripPow10(t.precision) - 1;
      col->AppendInt128(k == 1 ? -max : k == 2 ? max : k == 4 ? 0 : static_cast<__int128>(r - 1250) * 12345);
      return;
    }
    case TypeId::kDate:
      // 0001-01-01 and 9999-12-31 as days from the epoch, then days around it.
      col->AppendInt(k == 1 ? -719162 : k == 2 ? 2932896 : r - 1000);
      return;
    case TypeId::kTimestamp: {
      const DataType& t = col->type();
      const int64_t per_second = t.unit == TimeUnit::kMillis   ? 1000
                                 : t.unit == TimeUnit::kMicros ? 1000000
                                                               : 1000000000;
      // Nanoseconds span 1677..2262; the others 0001..9999.
      const int64_t lo = t.unit == TimeUnit::kNanos ? kI64Min + 1 : -62135596800LL * per_second;
      const int64_t hi = t.unit == TimeUnit::kNanos ? kI64Max : 253402300799LL * per_second + per_second - 1;
      col->AppendInt(k == 1 ? lo : k == 2 ? hi : k == 4 ? 0 : (r - 1000) * 86399 * per_second + r);
      return;
    }
    default:
      FAIL("no value generator for " << col->type().ToString());
  }
}

inline std::vector<RowBatch> RoundTripBatches(const std::shared_ptr<const Schema>& schema) {
  std::vector<RowBatch> out;
  for (int64_t r = 0; r < kRows; ++r) {
    if (out.empty() || out.back().full()) out.emplace_back(schema, kBatchRows);
    RowBatch& b = out.back();
    for (size_t c = 0; c < schema->size(); ++c) AppendRoundTripValue(&b.column(c), c, r);
    b.CommitRow();
  }
  return out;
}

// A cell as exact text: the stored number, the bits of a double, the bytes in hex.
inline std::string Exact(const Column& col, size_t i) {
  if (col.IsNull(i)) return "NULL";
  switch (col.type().storage()) {
    case Storage::kInt64:
      return std::to_string(col.GetInt(i));
    case Storage::kDouble: {
      uint64_t bits;
      const double d = col.GetDouble(i);
      std::memcpy(&bits, &d, sizeof bits);
      return std::to_string(bits);
    }
    case Storage::kInt128: {
      __int128 v = col.GetInt128(i);
      return std::to_string(static_cast<int64_t>(v >> 64)) + ":" +
             std::to_string(static_cast<uint64_t>(v));
    }
    case Storage::kBytes: {
      static const char kHex[] = "0123456789abcdef";
      std::string hex;
      for (unsigned char ch : col.GetBytes(i)) {
        hex.push_back(kHex[ch >> 4]);
        hex.push_back(kHex[ch & 15]);
      }
      return "x" + hex;
    }
  }
  return "?";
}

}  // namespace tsb::testing
