#include "tablestore/table_scan_reader.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "tablestore/core_bridge.h"
#include "tsbridge/tablestore/limits.h"

namespace tsb::ots {

namespace {
constexpr std::string_view kNoType = "UNKNOWN";
constexpr std::string_view kNoTypeReason = "the stored value has no data type";
}  // namespace

// One thread that reads one page at a time for its reader. A thread of its own rather than one
// per page, because the client keeps its request and response buffers per thread. Its
// destructor waits for a read in flight: the page is dropped, but the client and the buffers the
// read writes into must outlive it.
class TableScanReader::ReadAhead {
 public:
  explicit ReadAhead(Client* client) : client_(client), thread_([this] { Loop(); }) {}
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;
  ~ReadAhead() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  // `request` and `page` stay untouched by the caller until Wait returns.
  void Start(const GetRangeRequest* request, GetRangeResult* page) {
    started_ = true;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      request_ = request;
      page_ = page;
      asked_ = true;
      answered_ = false;
    }
    wake_.notify_all();
  }
  // A read was started and not yet waited for (the reader's thread alone calls Start and Wait).
  bool started() const { return started_; }

  Status Wait() {
    started_ = false;
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [this] { return answered_; });
    answered_ = false;
    return std::move(status_);
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || asked_; });
      if (stopping_) return;  // a page asked for but not begun is not wanted any more
      if (asked_) {
        asked_ = false;
        const GetRangeRequest* request = request_;
        GetRangeResult* page = page_;
        lock.unlock();
        Status status = client_->GetRange(*request, page);
        lock.lock();
        status_ = std::move(status);
        answered_ = true;
        wake_.notify_all();
      }
    }
  }

  Client* client_;
  std::mutex mutex_;
  std::condition_variable wake_;
  const GetRangeRequest* request_ = nullptr;
  GetRangeResult* page_ = nullptr;
  bool asked_ = false;
  bool answered_ = false;
  bool stopping_ = false;
  bool started_ = false;
  Status status_;
  std::thread thread_;  // last: it starts once the rest is constructed
};

TableScanReader::TableScanReader(Client* client, TableScanOptions options,
                                 std::shared_ptr<const Schema> schema)
    : client_(client), options_(std::move(options)), schema_(std::move(schema)) {
  request_.table = options_.table;
  // The wire keys view the bytes of options_.start / end, which live as long as the reader.
  request_.inclusive_start = ToWireKey(options_.start, options_.key_names);
  request_.exclusive_end = ToWireKey(options_.end, options_.key_names);
  request_.read.columns_to_get = options_.columns_to_get;
  request_.read.max_versions = options_.max_versions;
  request_.read.time_range = options_.time_range;
  request_.read.filter = options_.filter;
  request_.limit = options_.page_limit;
  left_ = options_.max_rows;

  const JobSpec& spec = *options_.spec;
  const auto& entries = spec.mapping.columns();
  key_position_.assign(entries.size(), -1);
  const auto& keys = spec.mapping.key_columns();
  for (size_t k = 0; k < keys.size(); ++k) key_position_[keys[k]] = static_cast<int>(k);
  attributes_ = spec.mapping.attribute_columns();
  direct_.resize(entries.size());
  for (size_t c = 0; c < entries.size(); ++c) direct_[c] = DirectWireType(spec.columns[c].type);
  values_.resize(entries.size());
  present_.resize(entries.size());
  if (options_.versions != nullptr) keys_.resize(options_.versions->key_columns.size());
}

TableScanReader::~TableScanReader() = default;

ValueType TableScanReader::DirectWireType(const DataType& type) {
  if (type.is_unsigned) return ValueType::kNull;
  switch (type.id) {
    case TypeId::kInt64:
      return ValueType::kInteger;
    case TypeId::kDouble:
      return ValueType::kDouble;
    case TypeId::kString:
      return ValueType::kString;
    case TypeId::kBinary:
      return ValueType::kBinary;
    default:
      return ValueType::kNull;
  }
}

std::vector<std::string> TableScanReader::ColumnsToGet(const JobSpec& spec,
                                                       const std::vector<std::string>& key_names) {
  std::vector<std::string> columns = key_names;
  for (int c : spec.mapping.attribute_columns()) {
    columns.push_back(spec.mapping.columns()[c].ots_name);
  }
  if (columns.size() > static_cast<size_t>(kMaxColumnsToGet)) columns.clear();
  return columns;
}

Status TableScanReader::FetchPage() {
  if (read_ahead_ != nullptr && read_ahead_->started()) {
    Status read = read_ahead_->Wait();
    current_ ^= 1;
    TSB_RETURN_IF_ERROR(read);
  } else {
    // As Client::GetRangeAll pages: with a row cap the last page asks only for what is left.
    if (options_.max_rows > 0) {
      const int64_t page_rows = options_.page_limit > 0 ? options_.page_limit : kGetRangeMaxRows;
      request_.limit = static_cast<int32_t>(std::min(page_rows, left_));
    }
    TSB_RETURN_IF_ERROR(client_->GetRange(request_, &pages_[current_]));
  }
  fetched_ = true;
  page_ended_ = false;
  row_ = 0;
  const GetRangeResult& got = page();
  if (got.done()) {
    done_ = true;
  } else if (options_.max_rows > 0 && (left_ -= static_cast<int64_t>(got.rows.size())) <= 0) {
    done_ = true;
  } else {
    // Copied: the next call reuses the buffer it points into.
    next_start_.assign(got.next_start_primary_key_encoded());
    request_.encoded_start = next_start_;
    if (options_.read_ahead && options_.max_rows == 0) {
      if (read_ahead_ == nullptr) read_ahead_ = std::make_unique<ReadAhead>(client_);
      read_ahead_->Start(&request_, &pages_[current_ ^ 1]);
    }
  }
  if (options_.on_page) return options_.on_page(got);
  return Status::OK();
}

Status TableScanReader::Next(RowBatch* batch) {
  batch->Reset();
  for (;;) {
    if (version_row_ != nullptr) {
      TSB_RETURN_IF_ERROR(EmitVersions(batch));
      if (batch->full()) return Status::OK();
    }
    while (fetched_ && row_ < page().rows.size()) {
      const Row& row = page().rows[row_++];
      if (options_.versions != nullptr) {
        TSB_RETURN_IF_ERROR(StartVersions(row));
        TSB_RETURN_IF_ERROR(EmitVersions(batch));
      } else {
        TSB_RETURN_IF_ERROR(ConvertRow(row, batch));
      }
      if (batch->full()) return Status::OK();
    }
    if (fetched_ && !page_ended_) {
      page_ended_ = true;
      if (options_.after_page) TSB_RETURN_IF_ERROR(options_.after_page());
      if (options_.batch_per_page && batch->num_rows() > 0) return Status::OK();
    }
    if (done_) return Status::OK();
    TSB_RETURN_IF_ERROR(FetchPage());
  }
}

Status TableScanReader::Reject(const Row& row, const Field& column, std::string_view stored,
                               std::string_view reason, std::optional<int64_t> timestamp) {
  return options_.on_reject(RejectedValue{row, column, stored, reason, timestamp});
}

Status TableScanReader::Fill(size_t c, const Value& value, bool* rejected) {
  if (value.type == direct_[c] && direct_[c] != ValueType::kNull) {
    // What ConvertOtsValue gives for these types, without its type checks.
    ConvertedValue& out = values_[c];
    switch (value.type) {
      case ValueType::kInteger:
        out.i = value.i;
        break;
      case ValueType::kDouble:
        out.d = value.d;
        break;
      default:
        out.bytes = value.bytes;
        break;
    }
    present_[c] = true;
    return Status::OK();
  }
  OtsValueRef ref;
  if (!FromWireValue(value, &ref)) {
    *rejected = true;
    reject_column_ = c;
    reject_stored_ = kNoType;
    reject_reason_.assign(kNoTypeReason);
    return Status::OK();
  }
  Status s = ConvertOtsValue(ref, options_.spec->columns[c].type, &values_[c]);
  if (!s.ok()) {
    *rejected = true;
    reject_column_ = c;
    reject_stored_ = OtsTypeName(ref.type);
    reject_reason_ = s.message();
    return Status::OK();
  }
  present_[c] = true;
  return Status::OK();
}

// The wide layout: the row's key values and the first version of each mapped attribute, NULL for
// an attribute the row does not hold; a value that does not fit rejects the whole row.
Status TableScanReader::ConvertRow(const Row& row, RowBatch* batch) {
  const JobSpec& spec = *options_.spec;
  const auto& entries = spec.mapping.columns();
  std::fill(present_.begin(), present_.end(), false);
  bool rejected = false;
  for (size_t c = 0; c < entries.size() && !rejected; ++c) {
    const int k = key_position_[c];
    if (k >= 0 && static_cast<size_t>(k) < row.primary_key.size() &&
        row.primary_key[k].value.has_value()) {
      TSB_RETURN_IF_ERROR(Fill(c, *row.primary_key[k].value, &rejected));
    }
  }
  if (cell_entry_.size() < row.attributes.size()) cell_entry_.resize(row.attributes.size(), -1);
  for (size_t i = 0; i < row.attributes.size() && !rejected; ++i) {
    const Cell& cell = row.attributes[i];
    // The mapping names each Tablestore column once (mapping.cc), so one entry at most matches.
    int c = cell_entry_[i];
    if (c < 0 || entries[c].ots_name != cell.name) {
      c = -1;
      for (int a : attributes_) {
        if (entries[a].ots_name == cell.name) {
          c = a;
          break;
        }
      }
      cell_entry_[i] = c;
      if (c < 0) continue;
    }
    MarkCarried(c);
    // Versions come newest first: an older one of a column already filled is skipped.
    if (!present_[c] && cell.value.has_value()) {
      TSB_RETURN_IF_ERROR(Fill(static_cast<size_t>(c), *cell.value, &rejected));
    }
  }
  if (rejected) {
    return Reject(row, spec.columns[reject_column_], reject_stored_, reject_reason_, std::nullopt);
  }
  for (size_t c = 0; c < entries.size(); ++c) {
    Column& column = batch->column(c);
    if (present_[c]) {
      AppendConverted(values_[c], &column);
    } else {
      column.AppendNull();
    }
  }
  batch->CommitRow();
  return Status::OK();
}

// The long layout: converts the row's key (a key value that does not fit rejects the whole row)
// and lines up its cell versions, attributes in mapping order and each cell newest first.
Status TableScanReader::StartVersions(const Row& row) {
  const JobSpec& spec = *options_.spec;
  const CellVersionColumns& layout = *options_.versions;
  for (size_t k = 0; k < layout.key_columns.size(); ++k) {
    const Field& field = spec.columns[layout.key_columns[k]];
    OtsValueRef ref;
    if (k >= row.primary_key.size() || !row.primary_key[k].value ||
        !FromWireValue(*row.primary_key[k].value, &ref)) {
      return Reject(row, field, kNoType, kNoTypeReason, std::nullopt);
    }
    Status s = ConvertOtsValue(ref, field.type, &keys_[k]);
    if (!s.ok()) return Reject(row, field, OtsTypeName(ref.type), s.message(), std::nullopt);
  }
  const auto& entries = spec.mapping.columns();
  pending_.clear();
  pending_pos_ = 0;
  for (int c : layout.attributes) {
    const size_t first = pending_.size();
    for (const Cell& cell : row.attributes) {
      if (cell.value && cell.name == entries[c].ots_name) pending_.emplace_back(c, &cell);
    }
    if (pending_.size() > first) MarkCarried(c);
    std::stable_sort(pending_.begin() + static_cast<std::ptrdiff_t>(first), pending_.end(),
                     [](const auto& a, const auto& b) {
                       return a.second->timestamp.value_or(0) > b.second->timestamp.value_or(0);
                     });
  }
  version_row_ = &row;
  return Status::OK();
}

// Emits the current row's pending versions until the batch is full; a version that does not fit
// is rejected alone (its record carries the version's timestamp).
Status TableScanReader::EmitVersions(RowBatch* batch) {
  const JobSpec& spec = *options_.spec;
  if (version_row_ == nullptr) return Status::OK();  // its key was rejected
  const CellVersionColumns& layout = *options_.versions;
  while (pending_pos_ < pending_.size() && !batch->full()) {
    const auto [c, cell] = pending_[pending_pos_++];
    const Field& field = spec.columns[c];
    const int64_t ts = cell->timestamp.value_or(0);
    OtsValueRef ref;
    if (!FromWireValue(*cell->value, &ref)) {
      TSB_RETURN_IF_ERROR(Reject(*version_row_, field, kNoType, kNoTypeReason, ts));
      continue;
    }
    Status s = ConvertOtsValue(ref, field.type, &value_);
    if (!s.ok()) {
      TSB_RETURN_IF_ERROR(Reject(*version_row_, field, OtsTypeName(ref.type), s.message(), ts));
      continue;
    }
    size_t i = 0;
    for (; i < keys_.size(); ++i) AppendConverted(keys_[i], &batch->column(i));
    batch->column(i++).AppendBytes(field.name);
    batch->column(i++).AppendInt(ts);
    const size_t slot = layout.value_slot[c];
    for (size_t v = 0; i < batch->num_columns(); ++i, ++v) {
      if (v == slot) {
        AppendConverted(value_, &batch->column(i));
      } else {
        batch->column(i).AppendNull();
      }
    }
    batch->CommitRow();
  }
  if (pending_pos_ == pending_.size()) version_row_ = nullptr;
  return Status::OK();
}

}  // namespace tsb::ots
