#include "tablestore/wide_row_converter.h"

#include <algorithm>

#include "tablestore/core_bridge.h"

namespace tsb::ots {

namespace {
constexpr std::string_view kNoType = "UNKNOWN";
constexpr std::string_view kNoTypeReason = "the stored value has no data type";
}  // namespace

WideRowConverter::WideRowConverter(const JobSpec* spec, std::atomic<bool>* carried,
                                   const RejectCallback* on_reject)
    : spec_(*spec), carried_(carried), on_reject_(*on_reject) {
  const auto& entries = spec_.mapping.columns();
  key_position_.assign(entries.size(), -1);
  const auto& keys = spec_.mapping.key_columns();
  for (size_t k = 0; k < keys.size(); ++k) key_position_[keys[k]] = static_cast<int>(k);
  key_column_ = keys;
  attributes_ = spec_.mapping.attribute_columns();
  for (int c : attributes_) {
    const std::string_view name = entries[c].ots_name;
    auto it = std::find_if(names_.begin(), names_.end(),
                           [&](const AttributeName& n) { return n.name == name; });
    if (it == names_.end()) it = names_.insert(names_.end(), AttributeName{name, {}});
    it->columns.push_back(c);
  }
  values_.resize(entries.size());
  present_.resize(entries.size());
}

void WideRowConverter::Fill(size_t c, const Value& value, bool* rejected) {
  OtsValueRef ref;
  if (!FromWireValue(value, &ref)) {
    *rejected = true;
    reject_column_ = c;
    reject_stored_ = kNoType;
    reject_reason_.assign(kNoTypeReason);
    return;
  }
  Status s = ConvertOtsValue(ref, spec_.columns[c].type, &values_[c]);
  if (!s.ok()) {
    *rejected = true;
    reject_column_ = c;
    reject_stored_ = OtsTypeName(ref.type);
    reject_reason_ = s.message();
    return;
  }
  present_[c] = 1;
}

void WideRowConverter::Append(RowBatch* batch) {
  for (size_t c = 0; c < present_.size(); ++c) {
    Column& column = batch->column(c);
    if (present_[c]) {
      AppendConverted(values_[c], &column);
    } else {
      column.AppendNull();
    }
  }
  batch->CommitRow();
}

Status WideRowConverter::ConvertRow(const Row& row, RowBatch* batch) {
  const auto& entries = spec_.mapping.columns();
  std::fill(present_.begin(), present_.end(), 0);
  bool rejected = false;
  for (size_t c = 0; c < entries.size() && !rejected; ++c) {
    const int k = key_position_[c];
    if (k >= 0 && static_cast<size_t>(k) < row.primary_key.size() &&
        row.primary_key[k].value.has_value()) {
      Fill(c, *row.primary_key[k].value, &rejected);
    }
  }
  for (size_t i = 0; i < row.attributes.size() && !rejected; ++i) {
    const Cell& cell = row.attributes[i];
    for (int c : attributes_) {
      if (entries[c].ots_name != cell.name) continue;
      MarkCarried(c);
      if (!present_[c] && cell.value.has_value()) {
        Fill(c, *cell.value, &rejected);
        break;
      }
    }
  }
  if (rejected) {
    return on_reject_(RejectedValue{row, spec_.columns[reject_column_], reject_stored_,
                                    reject_reason_, std::nullopt});
  }
  Append(batch);
  return Status::OK();
}

Status WideRowConverter::ConvertEncoded(std::string_view rows, size_t offset, RowBatch* batch) {
  std::fill(present_.begin(), present_.end(), 0);
  rejected_ = false;
  key_rejected_ = false;
  // The context DecodeRows gives a page's errors (Client::GetRange).
  TSB_RETURN_IF_ERROR(DecodeRowCells(rows, offset, this).WithContext("GetRange rows"));
  if (!rejected_) {
    Append(batch);
    return Status::OK();
  }
  // The checksums held, so the row decodes again; the reject names the whole row.
  TSB_RETURN_IF_ERROR(DecodeRowAt(rows, offset, &reject_row_).WithContext("GetRange rows"));
  return on_reject_(RejectedValue{reject_row_, spec_.columns[reject_column_], reject_stored_,
                                  reject_reason_, std::nullopt});
}

// Key cells come before every attribute cell. ConvertRow checks the keys in spec column order
// and stops at the first that does not fit; here they come in key order, so each is checked and
// the reject kept is the one of the lowest spec column.
void WideRowConverter::KeyCell(size_t index, const Value* value) {
  if (index >= key_column_.size() || value == nullptr) return;
  const int c = key_column_[index];
  if (key_rejected_ && static_cast<size_t>(c) > reject_column_) return;
  // Fill overwrites the kept reject only with its own, of a lower spec column.
  Fill(static_cast<size_t>(c), *value, &key_rejected_);
  rejected_ = key_rejected_;
}

void WideRowConverter::AttributeCell(std::string_view name, const Value* value,
                                     const std::optional<int64_t>& /*timestamp*/) {
  if (rejected_) return;
  const AttributeName* n = FindAttribute(name);
  if (n == nullptr) return;
  for (int c : n->columns) {
    MarkCarried(c);
    if (!present_[c] && value != nullptr) {
      Fill(static_cast<size_t>(c), *value, &rejected_);
      break;
    }
  }
}

// A page's rows hold their attributes in one order, so the name after the last one found is
// nearly always the next.
const WideRowConverter::AttributeName* WideRowConverter::FindAttribute(std::string_view name) {
  const size_t n = names_.size();
  for (size_t i = 0; i < n; ++i) {
    size_t at = next_name_ + i;
    if (at >= n) at -= n;
    if (names_[at].name == name) {
      next_name_ = at + 1 == n ? 0 : at + 1;
      return &names_[at];
    }
  }
  return nullptr;
}

}  // namespace tsb::ots
