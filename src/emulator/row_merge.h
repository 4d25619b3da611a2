// Unconditional UpdateRow as a RocksDB merge: the write appends an update operand under the row
// key instead of reading the old row, and RocksDB folds the operands into the stored row
// (row_codec.h) when a read or a compaction meets them.
//
//   operand  := 0x81 update+         (stored rows start 0x01 or 0x02: the two never mix up)
//   update   := now_ms:i64 ttl_sec:i32 max_versions:i32 count:u32 cell{count}
//   cell     := op:u8 name_len:u8 name ts:i64 [type:u8 payload]   (the value for PUT only)
//
// An update carries the table's TTL and max_versions and the clock of its write, so folding it
// in applies exactly what the read-modify-write path applies at that moment (prune the old
// columns, apply the cells in request order, prune again), whenever the fold happens: a merged
// row is byte for byte the row the read-modify-write path would have stored.
#pragma once

#include <rocksdb/merge_operator.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/tablestore/row.h"

namespace tsb::emulator {

inline constexpr char kUpdateOperandVersion = static_cast<char>(0x81);

// Appends one update to an operand (starting the operand when `out` is empty).
class UpdateOperandWriter {
 public:
  UpdateOperandWriter(std::string* out, int64_t now_ms, int32_t ttl_sec, int32_t max_versions,
                      uint32_t cell_count);
  void Put(std::string_view name, int64_t timestamp, const ots::Value& value);
  void DeleteOneVersion(std::string_view name, int64_t timestamp);
  void DeleteAllVersions(std::string_view name);

 private:
  void CellHead(ots::CellOp op, std::string_view name, int64_t timestamp);
  std::string* out_;
};

// Folds `operands` (oldest first) into `base` (null: no row yet) and writes the stored row to
// `out`. False when a value or an operand is malformed.
bool FoldUpdates(const std::string_view* base, const std::vector<std::string_view>& operands,
                 std::string* out);

// The operator the store's RocksDB is opened with.
std::shared_ptr<rocksdb::MergeOperator> NewRowUpdateMergeOperator();

}  // namespace tsb::emulator
