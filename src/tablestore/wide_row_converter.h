// WideRowConverter: GetRange rows into the wide layout of decisions 8 (one batch row per table
// row: its key values and the first version of each mapped attribute, NULL for an attribute the
// row does not hold; a value that does not fit its column rejects the whole row).
//
// Two paths give the same batches and the same rejects. ConvertEncoded is the scan's: it decodes
// a row of a page's PlainBuffer straight into the batch's columns, with no Row, Cell or Value per
// cell, still verifying every cell and row checksum; only a row that is rejected is decoded again
// as a Row, for the reject callback, which reports the whole row. ConvertRow takes a decoded Row
// (pages a caller needs as Rows) and is the reference the direct path is tested against.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tablestore/plainbuffer.h"
#include "tsbridge/convert.h"
#include "tsbridge/job_spec.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/tablestore/row.h"

namespace tsb::ots {

// A stored value that does not fit its spec column; valid during the on_reject call.
struct RejectedValue {
  const Row& row;
  const Field& column;
  std::string_view stored_type;  // OtsTypeName, or "UNKNOWN"
  std::string_view reason;
  std::optional<int64_t> timestamp;  // the cell version's, in the long layout
};

using RejectCallback = std::function<Status(const RejectedValue& reject)>;

class WideRowConverter : private RowCellSink {
 public:
  // `spec` and `on_reject` must outlive the converter; `carried` (may be null) as
  // TableScanOptions::carried.
  WideRowConverter(const JobSpec* spec, std::atomic<bool>* carried,
                   const RejectCallback* on_reject);
  WideRowConverter(const WideRowConverter&) = delete;
  WideRowConverter& operator=(const WideRowConverter&) = delete;

  Status ConvertRow(const Row& row, RowBatch* batch);
  // The row at `offset` of `rows` (a GetRange page's PlainBuffer rows, FrameRows offsets).
  Status ConvertEncoded(std::string_view rows, size_t offset, RowBatch* batch);

 private:
  // The mapped attribute columns that read one table column, in mapping order.
  struct AttributeName {
    std::string_view name;
    std::vector<int> columns;
  };

  void KeyCell(size_t index, const Value* value) override;
  void AttributeCell(std::string_view name, const Value* value,
                     const std::optional<int64_t>& timestamp) override;
  const AttributeName* FindAttribute(std::string_view name);
  void Fill(size_t c, const Value& value, bool* rejected);
  void Append(RowBatch* batch);
  void MarkCarried(int c) {
    if (carried_ != nullptr && !carried_[c].load(std::memory_order_relaxed)) {
      carried_[c].store(true, std::memory_order_relaxed);
    }
  }

  const JobSpec& spec_;
  std::atomic<bool>* carried_;
  const RejectCallback& on_reject_;
  std::vector<int> key_position_;  // per spec column: its key index, or -1
  std::vector<int> key_column_;    // per key index: its spec column
  std::vector<int> attributes_;
  std::vector<AttributeName> names_;
  size_t next_name_ = 0;  // where the next attribute cell's name is looked for first
  std::vector<ConvertedValue> values_;
  std::vector<uint8_t> present_;
  bool rejected_ = false;
  size_t reject_column_ = 0;
  std::string_view reject_stored_;
  std::string reject_reason_;
  // The direct path's key rejects: the first in spec column order wins, as in ConvertRow.
  bool key_rejected_ = false;
  Row reject_row_;
};

}  // namespace tsb::ots
