// RowBatch: the one row representation of tsbridge's data path.
//
// Every source (CSV, JSON Lines, Parquet, a Tablestore range scan) fills RowBatches, and every
// sink (the file writers, the Tablestore batch writer) consumes them, so no reader knows any
// writer. A batch is a schema plus one Column per field; a column is a typed array with a
// validity byte per row. Buffers are kept across Reset(), so a reader that refills the same batch
// allocates only while its values grow, and memory stays bounded by the batch capacity.
//
// Rows a reader could not turn into values (a ragged CSV line, a value that does not parse as its
// column's type, invalid UTF-8) are not in the columns: they travel beside the rows in
// `rejects`, with their source position and reason, so that the command can write its reject file
// and the invariant "rows read = rows written + rows rejected" holds.
//
// Not thread-safe; a batch belongs to one stage at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/types.h"

namespace tsb {

class Column {
 public:
  Column() = default;
  explicit Column(DataType type) : type_(type) {}

  const DataType& type() const { return type_; }
  size_t size() const { return valid_.size(); }
  void Reserve(size_t n);
  void Clear();  // keeps capacity

  bool IsNull(size_t i) const { return valid_[i] == 0; }
  size_t null_count() const;

  void AppendNull();
  void AppendInt(int64_t v) {
    valid_.push_back(1);
    ints_.push_back(v);
  }
  void AppendDouble(double v) {
    valid_.push_back(1);
    doubles_.push_back(v);
  }
  void AppendInt128(__int128 v) {
    valid_.push_back(1);
    wide_.push_back(v);
  }
  void AppendBytes(std::string_view v) {
    valid_.push_back(1);
    bytes_.append(v.data(), v.size());
    offsets_.push_back(static_cast<uint64_t>(bytes_.size()));
  }
  void AppendBool(bool v) { AppendInt(v ? 1 : 0); }

  // Values of NULL rows are zero / empty; read them only after IsNull().
  int64_t GetInt(size_t i) const { return ints_[i]; }
  bool GetBool(size_t i) const { return ints_[i] != 0; }
  double GetDouble(size_t i) const { return doubles_[i]; }
  __int128 GetInt128(size_t i) const { return wide_[i]; }
  std::string_view GetBytes(size_t i) const {
    uint64_t begin = offsets_[i];
    return std::string_view(bytes_.data() + begin, offsets_[i + 1] - begin);
  }

  // Copies row `i` of `other` (same storage class) to the end of this column.
  void AppendFrom(const Column& other, size_t i);

  // Raw access for codecs that fill or read a whole column at once.
  std::vector<uint8_t>& validity() { return valid_; }
  std::vector<int64_t>& ints() { return ints_; }
  std::vector<double>& doubles() { return doubles_; }
  std::vector<__int128>& wide() { return wide_; }
  std::vector<uint64_t>& offsets() { return offsets_; }  // size() + 1 entries, offsets[0] == 0
  std::string& bytes() { return bytes_; }
  const std::vector<uint8_t>& validity() const { return valid_; }
  const std::vector<int64_t>& ints() const { return ints_; }
  const std::vector<double>& doubles() const { return doubles_; }
  const std::vector<__int128>& wide() const { return wide_; }
  const std::vector<uint64_t>& offsets() const { return offsets_; }
  const std::string& bytes() const { return bytes_; }

 private:
  DataType type_;
  std::vector<uint8_t> valid_;
  // Exactly one of these holds values, chosen by type_.storage(); a NULL row still takes a slot.
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<__int128> wide_;
  std::vector<uint64_t> offsets_{0};
  std::string bytes_;
};

// A record a reader or a converter could not turn into a row, with why.
struct RejectedRecord {
  int64_t position = 0;  // CSV/JSONL: physical line where the record starts (header = 1); Parquet: 1-based row
  std::vector<std::optional<std::string>> fields;  // the record's fields as read, when it could be split
  std::string raw;                                 // the original text, when it could not be split
  std::string code;     // TSB_FIELD_COUNT, TSB_BAD_VALUE, TSB_BAD_UTF8, TSB_NULL_KEY, TSB_TOO_LARGE, or an OTS code
  std::string message;  // names the column and what was expected
};

class RowBatch {
 public:
  static constexpr size_t kDefaultCapacity = 4096;

  RowBatch() = default;
  explicit RowBatch(std::shared_ptr<const Schema> schema, size_t capacity = kDefaultCapacity);

  const Schema& schema() const { return *schema_; }
  std::shared_ptr<const Schema> schema_ptr() const { return schema_; }
  size_t capacity() const { return capacity_; }
  size_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }
  bool full() const { return num_rows_ >= capacity_; }

  Column& column(size_t i) { return columns_[i]; }
  const Column& column(size_t i) const { return columns_[i]; }

  // Source position of each row (see RejectedRecord::position); empty if the source has none.
  std::vector<int64_t>& positions() { return positions_; }
  const std::vector<int64_t>& positions() const { return positions_; }

  std::vector<RejectedRecord>& rejects() { return rejects_; }
  const std::vector<RejectedRecord>& rejects() const { return rejects_; }

  // Call after appending one value to every column.
  void CommitRow() { ++num_rows_; }
  // Sets the row count after a codec filled the columns directly.
  void SetNumRows(size_t n) { num_rows_ = n; }
  // Empties the batch, keeping buffers and schema.
  void Reset();

  // Appends row `i` of `other` (same schema) to this batch, with its position.
  void AppendRow(const RowBatch& other, size_t i);

 private:
  std::shared_ptr<const Schema> schema_;
  size_t capacity_ = kDefaultCapacity;
  size_t num_rows_ = 0;
  std::vector<Column> columns_;
  std::vector<int64_t> positions_;
  std::vector<RejectedRecord> rejects_;
};

}  // namespace tsb
