// Order-preserving keys: RocksDB's bytewise order over these keys is the service's row order.
//
// Row key grammar (all integers big-endian):
//
//   row_key   := 'r' table_id:u64 column+
//   column    := 0x10 int:u64            INTEGER, sign bit flipped (so signed order = bytewise)
//              | 0x20 escaped 0x00 0x01  STRING (UTF-8 bytes)
//              | 0x30 escaped 0x00 0x01  BINARY
//   escaped   := each 0x00 byte written as 0x00 0xFF, other bytes as they are
//   bound col := 0x00 (INF_MIN)  |  0xFF (INF_MAX); nothing follows an INF column
//
// Why this orders as wire doc B.7 wants: a table's columns all have one type per position, so the
// tag bytes of two real keys agree column by column and only the payload decides. The escape's
// terminator 0x00 0x01 sorts below an escaped 0x00 (0x00 0xFF) and below every other byte, so a
// shorter string that is a prefix of a longer one sorts first, and comparison never runs from one
// column into the next. INF_MIN (0x00) sorts below every tag and INF_MAX (0xFF) above, whatever
// follows; the table id keeps tables apart (a recreated table gets a new id).
//
// Table metadata lives under 'm' instance 0x00 table_name, the id counter under 'n'.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tsbridge/tablestore/row.h"

namespace tsb::emulator {

inline constexpr char kRowKeyPrefix = 'r';
inline constexpr char kMetaKeyPrefix = 'm';
inline constexpr char kNextTableIdKey[] = "n";
inline constexpr size_t kRowKeyPrefixSize = 9;  // 'r' + u64 table id

inline constexpr uint8_t kTagInfMin = 0x00;
inline constexpr uint8_t kTagInteger = 0x10;
inline constexpr uint8_t kTagString = 0x20;
inline constexpr uint8_t kTagBinary = 0x30;
inline constexpr uint8_t kTagInfMax = 0xFF;

// Appends 'r' + table id.
void AppendTablePrefix(uint64_t table_id, std::string* out);
// The first key after every row of the table ('r' + (table_id + 1)).
std::string TableEndKey(uint64_t table_id);

// Appends one primary-key value. INF_MIN / INF_MAX append their single bound byte; the caller
// stops after an INF value. Returns false for a type that cannot be a key (DOUBLE, BOOLEAN,
// NULL, AUTO_INCREMENT).
bool AppendKeyValue(const ots::Value& value, std::string* out);

// Decodes the primary-key values after the table prefix of `key` into `cells` (values only;
// names are left as they are, so the caller can pre-fill them). `scratch` receives unescaped
// STRING/BINARY bytes when a value holds a 0x00 byte; it is reserved to key.size() first so the
// views stay valid; reuse it across rows. Returns false on malformed bytes.
bool DecodeKeyValues(std::string_view key, std::span<ots::Cell> cells, std::string* scratch);

// The key of a table's meta record: 'm' instance 0x00 table.
std::string MetaKey(std::string_view instance, std::string_view table);
std::string MetaKeyPrefix(std::string_view instance);

}  // namespace tsb::emulator
