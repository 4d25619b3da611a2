#include "tsbridge/row_batch.h"

#include <algorithm>

namespace tsb {

void Column::Reserve(size_t n) {
  valid_.reserve(n);
  switch (type_.storage()) {
    case Storage::kInt64: ints_.reserve(n); break;
    case Storage::kDouble: doubles_.reserve(n); break;
    case Storage::kInt128: wide_.reserve(n); break;
    case Storage::kBytes: offsets_.reserve(n + 1); break;
  }
}

void Column::Clear() {
  valid_.clear();
  ints_.clear();
  doubles_.clear();
  wide_.clear();
  offsets_.resize(1);
  offsets_[0] = 0;
  bytes_.clear();
}

size_t Column::null_count() const {
  return static_cast<size_t>(std::count(valid_.begin(), valid_.end(), uint8_t{0}));
}

void Column::AppendNull() {
  valid_.push_back(0);
  switch (type_.storage()) {
    case Storage::kInt64: ints_.push_back(0); break;
    case Storage::kDouble: doubles_.push_back(0); break;
    case Storage::kInt128: wide_.push_back(0); break;
    case Storage::kBytes: offsets_.push_back(static_cast<uint64_t>(bytes_.size())); break;
  }
}

void Column::AppendFrom(const Column& other, size_t i) {
  if (other.IsNull(i)) {
    AppendNull();
    return;
  }
  switch (type_.storage()) {
    case Storage::kInt64: AppendInt(other.GetInt(i)); break;
    case Storage::kDouble: AppendDouble(other.GetDouble(i)); break;
    case Storage::kInt128: AppendInt128(other.GetInt128(i)); break;
    case Storage::kBytes: AppendBytes(other.GetBytes(i)); break;
  }
}

RowBatch::RowBatch(std::shared_ptr<const Schema> schema, size_t capacity)
    : schema_(std::move(schema)), capacity_(capacity) {
  columns_.reserve(schema_->size());
  for (const Field& f : schema_->fields()) {
    columns_.emplace_back(f.type);
    columns_.back().Reserve(capacity_);
  }
}

void RowBatch::Reset() {
  num_rows_ = 0;
  for (Column& c : columns_) c.Clear();
  positions_.clear();
  rejects_.clear();
}

void RowBatch::AppendRow(const RowBatch& other, size_t i) {
  for (size_t c = 0; c < columns_.size(); ++c) columns_[c].AppendFrom(other.columns_[c], i);
  if (!other.positions_.empty()) positions_.push_back(other.positions_[i]);
  ++num_rows_;
}

}  // namespace tsb
