#include "emulator/handlers.h"

#include <google/protobuf/arena.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "emulator/batch_write_answer.h"
#include "emulator/batch_write_request.h"
#include "emulator/faults.h"
#include "emulator/store.h"
#include "emulator/throttle.h"
#include "tablestore/pb_model.h"
#include "tablestore/plainbuffer.h"
#include "tablestore/proto/table_store.pb.h"
#include "tablestore/proto/table_store_filter.pb.h"
#include "tsbridge/tablestore/limits.h"

namespace tsb::emulator {

namespace pb = ::tsb::ots::pb;

namespace {

// ---------------------------------------------------------------------------------------------
// Decoding helpers. Every failure is a service error (OTSParameterInvalid) so that the client
// sees what a real server would answer to a malformed request.

Status Invalid(std::string message) { return OtsError("OTSParameterInvalid", std::move(message)); }

Status ParseMessage(std::string_view bytes, google::protobuf::MessageLite* message) {
  if (bytes.size() > static_cast<size_t>(INT_MAX) ||
      !message->ParsePartialFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Invalid("Failed to parse the ProtoBuf message.");
  }
  if (!message->IsInitialized()) {
    return Invalid("Failed to parse the ProtoBuf message: missing required field " +
                   message->InitializationErrorString() + ".");
  }
  return Status::OK();
}

// A single-row PlainBuffer field. `what` names it in the error.
// With attribute_crcs, also each attribute's name-and-value checksum, for the store to keep, and
// the row's ots::EncodedSize (what the request limits count).
Status DecodeRowField(std::string_view data, std::string_view what, ots::Row* row,
                      std::vector<uint8_t>* attribute_crcs = nullptr,
                      size_t* encoded_size = nullptr) {
  if (data.empty()) return Invalid("The " + std::string(what) + " is empty.");
  size_t size;
  Status s = ots::DecodeRowWithValueCrcs(data, row, attribute_crcs,
                                         encoded_size != nullptr ? encoded_size : &size);
  if (!s.ok()) return Invalid("Invalid " + std::string(what) + ": " + s.message());
  return Status::OK();
}

// A decoded filter's values view their bytes (model.h), so the messages that hold them live in
// the operation's arena, as long as the request.
using google::protobuf::Arena;

Status DecodeFilterMessage(const pb::Filter& message, int depth, Arena* arena, ColumnFilter* out);

Status DecodeFilterBytes(std::string_view bytes, int depth, Arena* arena, ColumnFilter* out) {
  pb::Filter message;
  TSB_RETURN_IF_ERROR(ParseMessage(bytes, &message));
  return DecodeFilterMessage(message, depth, arena, out);
}

Status DecodeFilterMessage(const pb::Filter& message, int depth, Arena* arena, ColumnFilter* out) {
  // Protobuf already bounds nesting at 100; this keeps our own recursion bounded as well.
  if (depth > 64) return Invalid("The filter is nested too deeply.");
  switch (message.type()) {
    case pb::FT_SINGLE_COLUMN_VALUE: {
      auto* single = Arena::CreateMessage<pb::SingleColumnValueFilter>(arena);
      TSB_RETURN_IF_ERROR(ParseMessage(message.filter(), single));
      ots::Value value;
      Status s = ots::DecodeColumnValue(single->column_value(), &value);
      if (!s.ok()) return Invalid("Invalid column_value in filter: " + s.message());
      *out = ColumnFilter::Compare(single->column_name(),
                                   static_cast<Comparator>(single->comparator()), value,
                                   single->filter_if_missing(), single->latest_version_only());
      return Status::OK();
    }
    case pb::FT_COMPOSITE_COLUMN_VALUE: {
      pb::CompositeColumnValueFilter composite;
      TSB_RETURN_IF_ERROR(ParseMessage(message.filter(), &composite));
      std::vector<ColumnFilter> children(composite.sub_filters_size());
      for (int i = 0; i < composite.sub_filters_size(); ++i) {
        TSB_RETURN_IF_ERROR(
            DecodeFilterMessage(composite.sub_filters(i), depth + 1, arena, &children[i]));
      }
      *out = ColumnFilter::Composite(static_cast<LogicalOperator>(composite.combinator()),
                                     std::move(children));
      return Status::OK();
    }
    case pb::FT_COLUMN_PAGINATION: {
      pb::ColumnPaginationFilter pagination;
      TSB_RETURN_IF_ERROR(ParseMessage(message.filter(), &pagination));
      *out = ColumnFilter::ColumnPagination(pagination.offset(), pagination.limit());
      return Status::OK();
    }
  }
  return Invalid("Unknown filter type.");
}

Status DecodeOptionalFilter(bool has, const std::string& bytes, Arena* arena,
                            std::optional<ColumnFilter>* out) {
  out->reset();
  if (!has || bytes.empty()) return Status::OK();
  ColumnFilter filter;
  TSB_RETURN_IF_ERROR(DecodeFilterBytes(bytes, 0, arena, &filter));
  *out = std::move(filter);
  return Status::OK();
}

template <typename Columns>
Status DecodeReadOptions(const Columns& columns_to_get, const pb::TimeRange* time_range,
                         std::optional<int32_t> max_versions, bool has_filter,
                         const std::string& filter, Arena* arena, ReadOptions* read) {
  read->columns_to_get.assign(columns_to_get.begin(), columns_to_get.end());
  read->max_versions = max_versions;
  read->time_range.reset();
  if (time_range != nullptr) {
    if (time_range->has_specific_time()) {
      read->time_range = TimeRange::Specific(time_range->specific_time());
    } else {
      TimeRange range;
      if (time_range->has_start_time()) range.start = time_range->start_time();
      if (time_range->has_end_time()) range.end = time_range->end_time();
      read->time_range = range;
    }
  }
  return DecodeOptionalFilter(has_filter, filter, arena, &read->filter);
}

Status RefuseWideRowPaging(bool has_start, bool has_end, bool has_token) {
  if (has_start || has_end || has_token) {
    return Invalid(
        "start_column, end_column and token (wide-row paging) are not supported by the "
        "tsbridge emulator.");
  }
  return Status::OK();
}

Status DecodeCondition(const pb::Condition& message, Arena* arena, Condition* out) {
  out->row_existence = static_cast<RowExistence>(message.row_existence());
  return DecodeOptionalFilter(message.has_column_condition(), message.column_condition(), arena,
                              &out->column_condition);
}

void DecodeReturnContent(bool has, const pb::ReturnContent& message, ReturnContent* out) {
  out->type = ReturnType::kNone;
  out->column_names.clear();
  if (!has) return;
  out->type = static_cast<ReturnType>(message.return_type());
  out->column_names.assign(message.return_column_names().begin(),
                           message.return_column_names().end());
}

// ---------------------------------------------------------------------------------------------
// Encoding helpers.

int32_t ClampCu(int64_t v) { return static_cast<int32_t>(std::clamp<int64_t>(v, 0, INT32_MAX)); }

void SetConsumed(const CapacityUnits& cu, pb::ConsumedCapacity* out) {
  pb::CapacityUnit* unit = out->mutable_capacity_unit();
  unit->set_read(ClampCu(cu.read));
  unit->set_write(ClampCu(cu.write));
}

void SetError(const Status& status, pb::Error* out) {
  out->set_code(status.ots_code().empty() ? "OTSInternalServerError" : status.ots_code());
  out->set_message(status.ots_code().empty() ? "Internal server error." : status.message());
}

void EncodeSingleRow(const ots::Row& row, std::string* out) {
  out->clear();
  ots::RowWriter writer(out);
  writer.AddRow(row);
}

void EncodeReservedDetails(const TableDescription& d, pb::ReservedThroughputDetails* out) {
  out->mutable_capacity_unit()->set_read(d.reserved.read);
  out->mutable_capacity_unit()->set_write(d.reserved.write);
  out->set_last_increase_time(d.last_increase_time);
  if (d.last_decrease_time != 0) out->set_last_decrease_time(d.last_decrease_time);
}

Status Serialize(const google::protobuf::MessageLite& message, std::string* body) {
  body->clear();
  if (!message.AppendToString(body)) return Status::Internal("response serialization failed");
  return Status::OK();
}

// Reused per thread so that a warm server allocates nothing per row for these.
struct Scratch {
  ots::Row row;
  std::vector<ots::Row> rows;
  // Per row of `rows`, its attributes' name-and-value checksums (BatchWriteRequest).
  std::vector<std::vector<uint8_t>> attribute_crcs;
  std::string buffer;
};
// A BatchWriteRow request as the handler reads it (views into the body or into protobuf's
// parse). pb_rows is empty when the request was read by hand (batch_write_request.h); otherwise it
// holds each row's message, for the condition and return_content the hand parser does not take.
struct BatchWriteInput {
  std::vector<SimpleBatchWriteTable> tables;
  std::vector<SimpleBatchWriteRow> rows;
  std::vector<const pb::RowInBatchWriteRowRequest*> pb_rows;
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// ---------------------------------------------------------------------------------------------
// Operations. Each returns OK with *body holding the response, or the error to send.

class Operation {
 public:
  Operation(Store* store, FaultInjector* faults, PartitionThrottle* throttle,
            const OperationRequest& request, std::string* body, OperationSummary* summary)
      : store_(store),
        faults_(faults),
        throttle_(throttle),
        instance_(request.instance),
        input_(request.body),
        body_(body),
        summary_(summary) {}

  Status CreateTable();
  Status ListTable();
  Status DescribeTable();
  Status UpdateTable();
  Status DeleteTable();
  Status GetRow();
  Status PutRow();
  Status UpdateRow();
  Status DeleteRow();
  Status GetRange();
  Status BatchGetRow();
  Status BatchWriteRow();
  Status ReadBatchWriteInput(BatchWriteInput* in);
  Status AnswerBatchWrite(const BatchWriteInput& in, const std::vector<std::vector<int>>& index_map,
                          const std::vector<std::optional<InjectedFault>>& row_faults,
                          const std::vector<std::vector<RowWriteResult>>& results);
  Status SerializeBatchWriteAnswer(const BatchWriteInput& in,
                                   const std::vector<std::vector<int>>& index_map,
                                   const std::vector<std::optional<InjectedFault>>& row_faults,
                                   const std::vector<std::vector<RowWriteResult>>& results);
  Status ComputeSplitPointsBySize();

 private:
  template <typename Request>
  Status SingleRowWrite(WriteType type, std::string_view what);
  Status ThrottleRows(const BatchWriteInput& in, const Scratch& scratch, int64_t total,
                      std::vector<std::optional<InjectedFault>>* row_faults);

  bool Throttling() const { return throttle_ != nullptr && throttle_->enabled(); }

  Store* store_;
  FaultInjector* faults_;
  PartitionThrottle* throttle_;
  std::string_view instance_;
  std::string_view input_;
  std::string* body_;
  OperationSummary* summary_;
  google::protobuf::Arena arena_;
};

Status Operation::CreateTable() {
  auto* req = google::protobuf::Arena::CreateMessage<pb::CreateTableRequest>(&arena_);
  TSB_RETURN_IF_ERROR(ParseMessage(input_, req));
  const pb::TableMeta& meta_pb = req->table_meta();
  summary_->table = meta_pb.table_name();
  if (req->index_metas_size() > 0 || meta_pb.index_meta_size() > 0) {
    return Invalid("Secondary indexes are not supported by the tsbridge emulator.");
  }
  if (req->has_stream_spec() && req->stream_spec().enable_stream()) {
    return Invalid("Streams are not supported by the tsbridge emulator.");
  }
  TableMeta meta = ots::TableMetaFromPb(meta_pb);
  TableOptions options;
  if (req->has_table_options()) options = ots::TableOptionsFromPb(req->table_options());
  ReservedThroughput rt;
  const pb::CapacityUnit& cu = req->reserved_throughput().capacity_unit();
  if (cu.has_read()) rt.read = cu.read();
  if (cu.has_write()) rt.write = cu.write();
  std::vector<ots::Value> begins;
  for (const pb::PartitionRange& range : req->partitions()) {
    ots::Value begin;
    Status s = ots::DecodeColumnValue(range.begin(), &begin);
    if (!s.ok()) return Invalid("Invalid partition begin: " + s.message());
    ots::Value end;
    s = ots::DecodeColumnValue(range.end(), &end);
    if (!s.ok()) return Invalid("Invalid partition end: " + s.message());
    const bool inf = begin.type == ots::ValueType::kInfMin;
    const bool integer_key =
        !meta.primary_key.empty() && meta.primary_key[0].type == PrimaryKeyType::kInteger;
    const ots::ValueType want =
        integer_key ? ots::ValueType::kInteger
        : !meta.primary_key.empty() && meta.primary_key[0].type == PrimaryKeyType::kBinary
            ? ots::ValueType::kBinary
            : ots::ValueType::kString;
    if (!inf && begin.type != want) {
      return Invalid("The type of a partition's begin does not match the partition key.");
    }
    begins.push_back(begin);
  }
  TSB_RETURN_IF_ERROR(store_->CreateTable(instance_, meta, options, rt));
  if (throttle_ != nullptr) throttle_->SetPartitions(instance_, meta.name, begins);
  body_->clear();  // CreateTableResponse is empty
  return Status::OK();
}

Status Operation::ListTable() {
  auto* req = google::protobuf::Arena::CreateMessage<pb::ListTableRequest>(&arena_);
  TSB_RETURN_IF_ERROR(ParseMessage(input_, req));
  TSB_ASSIGN_OR_RETURN(std::vector<std::string> names, store_->ListTables(instance_));
  auto* resp = google::protobuf::Arena::CreateMessage<pb::ListTableResponse>(&arena_);
  for (std::string& name : names) resp->add_table_names(std::move(name));
  summary_->rows = static_cast<int64_t>(names.size());
  return Serialize(*resp, body_);
}

Status Operation::DescribeTable() {
  auto* req = google::protobuf::Arena::CreateMessage<pb::DescribeTableRequest>(&arena_);
  TSB_RETURN_IF_ERROR(ParseMessage(input_, req));
  summary_->table = req->table_name();
  TSB_ASSIGN_OR_RETURN(TableDescription d, store_->DescribeTable(instance_, req->table_name()));
  auto* resp = google::protobuf::Arena::CreateMessage<pb::DescribeTableResponse>(&arena_);
  ots::TableMetaToPb(d.meta, resp->mutable_table_meta());
  EncodeReservedDetails(d, resp->mutable_reserved_throughput_details());
  ots::TableOptionsToPb(d.options, resp->mutable_table_options());
  resp->set_table_status(pb::ACTIVE);
  return Serialize(*resp, body_);
}

Status Operation::UpdateTable() {
  auto* req = google::protobuf::Arena::CreateMessage<pb::UpdateTableRequest>(&arena_);
  TSB_RETURN_IF_ERROR(ParseMessage(input_, req));
  summary_->table = req->table_name();
  if (req->has_stream_spec() && req->stream_spec().enable_stream()) {
    return Invalid("Streams are not supported by the tsbridge emulator.");
  }
  TableOptions options;
  if (req->has_table_options()) options = ots::TableOptionsFromPb(req->table_options());
  ReservedThroughput rt;
  if (req->has_reserved_throughput()) {
    const pb::CapacityUnit& cu = req->reserved_throughput().capacity_unit();
    if (cu.has_read()) rt.read = cu.read();
    if (cu.has_write()) rt.write = cu.write();
  }
  TSB_ASSIGN_OR_RETURN(TableDescription d,
                       store_->UpdateTable(instance_, req->table_name(), options,
                                           req->has_reserved_throughput() ? &rt : nullptr));
  auto* resp = google::protobuf::Arena::CreateMessage<pb::UpdateTableResponse>(&arena_);
  EncodeReservedDetails(d, resp->mutable_reserved_throughput_details());
  ots::TableOptionsToPb(d.options, resp->mutable_table_options());
  return Serialize(*resp, body_);
}

Status Operation::DeleteTable() {
  auto* req = google::protobuf::Arena::CreateMessage<pb::DeleteTableRequest>(&arena_);
  TSB_RETURN_IF_ERROR(ParseMessage(input_, req));
  summary_->table = req->table_name();
  TSB_RETURN_IF_ERROR(store_->DeleteTable(instance_, req->table_name()));
  if (throttle_ != nullptr) throttle_->Forget(instance_, req->table_name());
  body_->clear();
  return Status::OK();
}

// Encodes the (at most one) row a GetRow answers into a single-row field.
class SingleRowSink : public RowSink {
 public:
  explicit SingleRowSink(std::string* out) : out_(out) { out_->clear(); }
  void OnRow(const ots::Row& row) override {
    EncodeSingleRow(row, out_);
    ++rows_;
  }
  int64_t rows() const { return rows_; }

 private:
  std::string* out_;
  int64_t rows_ = 0;
};

Status Operation::GetRow() {
  auto* req = google::protobuf::Arena::CreateMessage<pb::GetRowRequest>(&arena_);
  TSB_RETURN_IF_ERROR(ParseMessage(input_, req));
  summary_->table = req->table_name();
  TSB_RETURN_IF_ERROR(
      RefuseWideRowPaging(req->has_start_column(), req->has_end_column(), req->has_token()));
  Scratch& scratch = ThreadScratch();
  TSB_RETURN_IF_ERROR(DecodeRowField(req->primary_key(), "primary key", &scratch.row));
  ReadOptions read;
  TSB_RETURN_IF_ERROR(DecodeReadOptions(
      req->columns_to_get(), req->has_time_range() ? &req->time_range() : nullptr,
      req->has_max_versions() ? std::optional<int32_t>(req->max_versions()) : std::nullopt,
      req->has_filter(), req->filter(), &arena_, &read));
  auto* resp = google::protobuf::Arena::CreateMessage<pb::GetRowResponse>(&arena_);
  SingleRowSink sink(resp->mutable_row());  // stays empty bytes when the row is absent
  TSB_ASSIGN_OR_RETURN(CapacityUnits cu, store_->GetRow(instance_, req->table_name(),
                                                        scratch.row.primary_key, read, &sink));
  SetConsumed(cu, resp->mutable_consumed());
  summary_->rows = sink.rows();
  return Serialize(*resp, body_);
}

template <typename Request>
Status Operation::SingleRowWrite(WriteType type, std::string_view what) {
  auto* req = google::protobuf::Arena::CreateMessage<Request>(&arena_);
  TSB_RETURN_IF_ERROR(ParseMessage(input_, req));
  summary_->table = req->table_name();
  Scratch& scratch = ThreadScratch();
  const std::string* field;
  if constexpr (std::is_same_v<Request, pb::PutRowRequest>) {
    field = &req->row();
  } else if constexpr (std::is_same_v<Request, pb::UpdateRowRequest>) {
    field = &req->row_change();
  } else {
    field = &req->primary_key();
  }
  TSB_RETURN_IF_ERROR(DecodeRowField(*field, what, &scratch.row));
  if (static_cast<int64_t>(ots::EncodedSize(scratch.row)) > ots::kSingleRowWriteMaxBytes) {
    return OtsError("OTSOutOfRowSizeLimit",
                    "The total data size of columns in one row exceeded the limit.");
  }
  if (Throttling()) {
    std::vector<bool> admitted;
    TSB_RETURN_IF_ERROR(
        throttle_->Admit(instance_, req->table_name(), {&scratch.row.primary_key}, &admitted));
    if (!admitted[0]) {
      return OtsError(std::string(kThrottledCode), std::string(kThrottledMessage));
    }
  }
  RowWrite write;
  write.type = type;
  write.row = &scratch.row;
  TSB_RETURN_IF_ERROR(DecodeCondition(req->condition(), &arena_, &write.condition));
  DecodeReturnContent(req->has_return_content(), req->return_content(), &write.return_content);
  RowWriteResult result;
  TSB_RETURN_IF_ERROR(store_->WriteRow(instance_, req->table_name(), write, &result));
  TSB_RETURN_IF_ERROR(result.status);
  // Put/Update/DeleteRowResponse share one shape: consumed=1, row=2.
  auto* resp = google::protobuf::Arena::CreateMessage<pb::PutRowResponse>(&arena_);
  SetConsumed(result.consumed, resp->mutable_consumed());
  if (!result.returned.empty()) EncodeSingleRow(result.returned.row(), resp->mutable_row());
  summary_->rows = 1;
  return Serialize(*resp, body_);
}

Status Operation::PutRow() { return SingleRowWrite<pb::PutRowRequest>(WriteType::kPut, "row"); }
Status Operation::UpdateRow() {
  return SingleRowWrite<pb::UpdateRowRequest>(WriteType::kUpdate, "row_change");
}
Status Operation::DeleteRow() {
  return SingleRowWrite<pb::DeleteRowRequest>(WriteType::kDelete, "primary key");
}

// Appends every row of a GetRange page to one multi-row buffer.
class RangeSink : public RowSink {
 public:
  explicit RangeSink(std::string* out) : out_(out), writer_(out) {}
  void OnRow(const ots::Row& row) override { writer_.AddRow(row); }
  std::string* plainbuffer_rows() override { return out_; }

 private:
  std::string* out_;
  ots::RowWriter writer_;
};

// A GetRange page is at most 4 MiB and a bit: five varint bytes hold up to 32 GiB.
constexpr size_t kRowsLengthBytes = 5;

// Writes v as a varint of exactly kRowsLengthBytes bytes: the leading groups carry the
// continuation bit even where they are zero (protobuf's encoding spec allows such varints and its
// parsers, C++, Java, Go, protobufjs, Python, decode them to the same value).
void PutPaddedVarint(uint64_t v, char* out) {
  for (size_t i = 0; i + 1 < kRowsLengthBytes; ++i) {
    out[i] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out[kRowsLengthBytes - 1] = static_cast<char>(v);
}

Status Operation::GetRange() {
  auto* req = google::protobuf::Arena::CreateMessage<pb::GetRangeRequest>(&arena_);
  TSB_RETURN_IF_ERROR(ParseMessage(input_, req));
  summary_->table = req->table_name();
  TSB_RETURN_IF_ERROR(
      RefuseWideRowPaging(req->has_start_column(), req->has_end_column(), req->has_token()));
  Scratch& scratch = ThreadScratch();
  if (scratch.rows.size() < 2) scratch.rows.resize(2);
  TSB_RETURN_IF_ERROR(DecodeRowField(req->inclusive_start_primary_key(),
                                     "inclusive_start_primary_key", &scratch.rows[0]));
  TSB_RETURN_IF_ERROR(DecodeRowField(req->exclusive_end_primary_key(), "exclusive_end_primary_key",
                                     &scratch.rows[1]));
  GetRangeRequest range;
  range.table = req->table_name();
  range.direction = req->direction() == pb::BACKWARD ? Direction::kBackward : Direction::kForward;
  range.inclusive_start = scratch.rows[0].primary_key;
  range.exclusive_end = scratch.rows[1].primary_key;
  if (req->has_limit()) range.limit = req->limit();
  TSB_RETURN_IF_ERROR(DecodeReadOptions(
      req->columns_to_get(), req->has_time_range() ? &req->time_range() : nullptr,
      req->has_max_versions() ? std::optional<int32_t>(req->max_versions()) : std::nullopt,
      req->has_filter(), req->filter(), &arena_, &range.read));

  // The page is encoded straight from the store's scan into the response body, as its field 2
  // (`rows`), and the small fields follow it: protobuf parsers take fields in any order, so the
  // page is never copied. Its length goes in a varint of fixed width (kRowsLengthBytes, padded
  // with continuation bits, which every protobuf parser reads as the same number) because it is
  // known only after the scan.
  std::string& body = *body_;
  body.clear();
  // Room for a full page from the start: growing by doubling would copy the page over and over.
  const size_t page_room = static_cast<size_t>(ots::kGetRangeMaxBytes) + 64 * 1024;
  if (body.capacity() < page_room) body.reserve(page_room);
  body.push_back(static_cast<char>((2 << 3) | 2));  // field 2, length-delimited
  const size_t length_at = body.size();
  body.append(kRowsLengthBytes, '\0');
  RangeSink sink(&body);
  TSB_ASSIGN_OR_RETURN(GetRangeResult result, store_->GetRange(instance_, range, &sink));
  summary_->rows = result.rows_returned;
  PutPaddedVarint(body.size() - length_at - kRowsLengthBytes, body.data() + length_at);

  auto* resp = google::protobuf::Arena::CreateMessage<pb::GetRangeResponse>(&arena_);
  SetConsumed(result.consumed, resp->mutable_consumed());
  if (!result.next_start_primary_key.empty()) {
    ots::EncodePrimaryKey(result.next_start_primary_key.row().primary_key,
                          resp->mutable_next_start_primary_key());
  }
  // `rows` is required but written above by hand, hence the partial serialization.
  if (!resp->AppendPartialToString(&body)) return Status::Internal("response serialization failed");
  return Status::OK();
}

// Collects BatchGetRow answers into the pre-shaped response, in request order.
class BatchGetCollector : public BatchGetSink {
 public:
  BatchGetCollector(pb::BatchGetRowResponse* resp, FaultInjector* faults)
      : resp_(resp), faults_(faults) {}
  void OnRow(size_t table_index, size_t row_index, const Status& status, const ots::Row* row,
             const CapacityUnits& consumed) override {
    pb::RowInBatchGetRowResponse* out = resp_->mutable_tables(static_cast<int>(table_index))
                                            ->mutable_rows(static_cast<int>(row_index));
    std::optional<InjectedFault> fault;
    if (faults_ != nullptr && !faults_->empty()) fault = faults_->ForRow("BatchGetRow");
    if (fault) {
      out->set_is_ok(false);
      out->mutable_error()->set_code(fault->code);
      out->mutable_error()->set_message(fault->message);
      return;
    }
    SetConsumed(consumed, out->mutable_consumed());
    if (!status.ok()) {
      out->set_is_ok(false);
      SetError(status, out->mutable_error());
      return;
    }
    out->set_is_ok(true);
    // An absent row is answered with empty `row` bytes (the Node SDK maps it to a null key).
    if (row != nullptr) {
      EncodeSingleRow(*row, out->mutable_row());
      ++rows_;
    } else {
      out->mutable_row();
    }
  }
  int64_t rows() const { return rows_; }

 private:
  pb::BatchGetRowResponse* resp_;
  FaultInjector* faults_;
  int64_t rows_ = 0;
};

Status Operation::BatchGetRow() {
  auto* req = google::protobuf::Arena::CreateMessage<pb::BatchGetRowRequest>(&arena_);
  TSB_RETURN_IF_ERROR(ParseMessage(input_, req));
  int64_t total = 0;
  for (const auto& t : req->tables()) total += t.primary_key_size();
  TSB_RETURN_IF_ERROR(CheckBatchGetLimits(total));
  if (req->tables_size() > 0) summary_->table = req->tables(0).table_name();

  Scratch& scratch = ThreadScratch();
  if (scratch.rows.size() < static_cast<size_t>(total)) scratch.rows.resize(total);
  if (scratch.attribute_crcs.size() < static_cast<size_t>(total)) {
    scratch.attribute_crcs.resize(total);
  }
  std::vector<BatchGetTable> tables(req->tables_size());
  auto* resp = google::protobuf::Arena::CreateMessage<pb::BatchGetRowResponse>(&arena_);
  size_t next_row = 0;
  for (int t = 0; t < req->tables_size(); ++t) {
    const pb::TableInBatchGetRowRequest& table = req->tables(t);
    TSB_RETURN_IF_ERROR(RefuseWideRowPaging(table.has_start_column(), table.has_end_column(),
                                            table.token_size() > 0));
    BatchGetTable& out = tables[t];
    out.table = table.table_name();
    TSB_RETURN_IF_ERROR(DecodeReadOptions(
        table.columns_to_get(), table.has_time_range() ? &table.time_range() : nullptr,
        table.has_max_versions() ? std::optional<int32_t>(table.max_versions()) : std::nullopt,
        table.has_filter(), table.filter(), &arena_, &out.read));
    pb::TableInBatchGetRowResponse* table_resp = resp->add_tables();
    table_resp->set_table_name(table.table_name());
    for (const std::string& key : table.primary_key()) {
      ots::Row& row = scratch.rows[next_row++];
      TSB_RETURN_IF_ERROR(DecodeRowField(key, "primary key", &row));
      out.primary_keys.push_back(row.primary_key);
      table_resp->add_rows()->set_is_ok(false);  // filled by the collector
    }
  }
  BatchGetCollector collector(resp, faults_);
  TSB_RETURN_IF_ERROR(store_->BatchGetRow(instance_, tables, &collector));
  summary_->rows = collector.rows();
  return Serialize(*resp, body_);
}

// Marks in *row_faults the rows of throttled partitions (throttle.h): in a batch the service
// answers a busy partition row by row, so the other partitions' rows are still written.
Status Operation::ThrottleRows(const BatchWriteInput& in, const Scratch& scratch, int64_t total,
                               std::vector<std::optional<InjectedFault>>* row_faults) {
  if (row_faults->empty()) row_faults->resize(total);
  std::vector<const std::vector<ots::Cell>*> keys;
  std::vector<bool> admitted;
  for (const SimpleBatchWriteTable& table : in.tables) {
    keys.clear();
    for (size_t r = 0; r < table.row_count; ++r) {
      keys.push_back(&scratch.rows[table.first_row + r].primary_key);
    }
    TSB_RETURN_IF_ERROR(throttle_->Admit(instance_, table.table_name, keys, &admitted));
    for (size_t r = 0; r < admitted.size(); ++r) {
      std::optional<InjectedFault>& fault = (*row_faults)[table.first_row + r];
      if (admitted[r] || fault) continue;
      fault = InjectedFault{std::string(kThrottledCode), std::string(kThrottledMessage), 503};
    }
  }
  return Status::OK();
}

// The request as views: by hand for the common form (batch_write_request.h), else from
// protobuf's parse, whose rows then also give the condition and return_content.
Status Operation::ReadBatchWriteInput(BatchWriteInput* in) {
  in->pb_rows.clear();
  if (ParseSimpleBatchWriteRow(input_, &in->tables, &in->rows)) return Status::OK();
  auto* req = google::protobuf::Arena::CreateMessage<pb::BatchWriteRowRequest>(&arena_);
  TSB_RETURN_IF_ERROR(ParseMessage(input_, req));
  in->tables.clear();
  in->rows.clear();
  for (const pb::TableInBatchWriteRowRequest& table : req->tables()) {
    SimpleBatchWriteTable& t = in->tables.emplace_back();
    t.table_name = table.table_name();
    t.first_row = in->rows.size();
    t.row_count = static_cast<size_t>(table.rows_size());
    for (const pb::RowInBatchWriteRowRequest& row : table.rows()) {
      in->rows.push_back({row.type(), row.row_change(), row.condition().row_existence()});
      in->pb_rows.push_back(&row);
    }
  }
  return Status::OK();
}

Status Operation::BatchWriteRow() {
  thread_local BatchWriteInput in;
  TSB_RETURN_IF_ERROR(ReadBatchWriteInput(&in));
  const auto total = static_cast<int64_t>(in.rows.size());
  if (total == 0) return Invalid("No row is specified in BatchWriteRow.");
  TSB_RETURN_IF_ERROR(CheckBatchWriteLimits(total, 0));
  summary_->table = in.tables[0].table_name;

  Scratch& scratch = ThreadScratch();
  if (scratch.rows.size() < static_cast<size_t>(total)) scratch.rows.resize(total);
  if (scratch.attribute_crcs.size() < static_cast<size_t>(total)) {
    scratch.attribute_crcs.resize(total);
  }
  // Decode every row first: the 4 MiB limit counts the rows as encoded without the Node SDK's
  // padding (decisions 8), so it is measured on the decoded rows.
  int64_t encoded_bytes = 0;
  for (size_t flat = 0; flat < in.rows.size(); ++flat) {
    size_t row_bytes = 0;
    TSB_RETURN_IF_ERROR(DecodeRowField(in.rows[flat].row_change, "row_change", &scratch.rows[flat],
                                       &scratch.attribute_crcs[flat], &row_bytes));
    encoded_bytes += static_cast<int64_t>(row_bytes);
  }
  TSB_RETURN_IF_ERROR(CheckBatchWriteLimits(total, encoded_bytes));

  // Row faults are chosen before the write, and chosen rows are left out of it.
  std::vector<std::optional<InjectedFault>> row_faults;
  if (faults_ != nullptr && !faults_->empty()) {
    row_faults.resize(total);
    for (int64_t i = 0; i < total; ++i) row_faults[i] = faults_->ForRow("BatchWriteRow");
  }
  if (Throttling()) TSB_RETURN_IF_ERROR(ThrottleRows(in, scratch, total, &row_faults));

  const size_t table_count = in.tables.size();
  BatchWriteRequest request;
  request.encoded_bytes = encoded_bytes;
  request.tables.resize(table_count);
  request.attribute_crcs.resize(table_count);
  // index_map[t][r] = position of request row r of table t in request.tables[t].rows, or -1.
  std::vector<std::vector<int>> index_map(table_count);
  int64_t faulted = 0;
  for (size_t t = 0; t < table_count; ++t) {
    const SimpleBatchWriteTable& table = in.tables[t];
    BatchWriteTable& out = request.tables[t];
    out.table = table.table_name;
    out.rows.reserve(table.row_count);
    request.attribute_crcs[t].reserve(table.row_count);
    index_map[t].assign(table.row_count, -1);
    for (size_t r = 0; r < table.row_count; ++r) {
      const size_t flat = table.first_row + r;
      if (!row_faults.empty() && row_faults[flat]) {
        ++faulted;
        continue;
      }
      RowWrite write;
      write.type = static_cast<WriteType>(in.rows[flat].type);
      write.row = &scratch.rows[flat];
      if (in.pb_rows.empty()) {
        write.condition.row_existence = static_cast<RowExistence>(in.rows[flat].row_existence);
      } else {
        const pb::RowInBatchWriteRowRequest& row = *in.pb_rows[flat];
        TSB_RETURN_IF_ERROR(DecodeCondition(row.condition(), &arena_, &write.condition));
        DecodeReturnContent(row.has_return_content(), row.return_content(), &write.return_content);
      }
      index_map[t][r] = static_cast<int>(out.rows.size());
      out.rows.push_back(std::move(write));
      request.attribute_crcs[t].push_back(scratch.attribute_crcs[flat]);
    }
  }

  std::vector<std::vector<RowWriteResult>> results;
  if (faulted < total) {
    TSB_RETURN_IF_ERROR(store_->BatchWriteRow(instance_, request, &results));
  }
  return AnswerBatchWrite(in, index_map, row_faults, results);
}

Status Operation::AnswerBatchWrite(const BatchWriteInput& in,
                                   const std::vector<std::vector<int>>& index_map,
                                   const std::vector<std::optional<InjectedFault>>& row_faults,
                                   const std::vector<std::vector<RowWriteResult>>& results) {
  bool returns_rows = false;
  for (const auto& table_results : results) {
    for (const RowWriteResult& result : table_results) {
      returns_rows = returns_rows || (result.status.ok() && !result.returned.empty());
    }
  }
  if (returns_rows) return SerializeBatchWriteAnswer(in, index_map, row_faults, results);

  // The common answer (no row returned) is written by hand, byte for byte as protobuf would.
  thread_local std::vector<BatchWriteAnswerRow> answer_rows;
  answer_rows.assign(in.rows.size(), BatchWriteAnswerRow{});
  std::vector<BatchWriteAnswerTable> answer_tables(in.tables.size());
  int64_t written = 0;
  for (size_t t = 0; t < in.tables.size(); ++t) {
    const SimpleBatchWriteTable& table = in.tables[t];
    answer_tables[t].table_name = table.table_name;
    answer_tables[t].rows = std::span(answer_rows).subspan(table.first_row, table.row_count);
    for (size_t r = 0; r < table.row_count; ++r) {
      const size_t flat = table.first_row + r;
      BatchWriteAnswerRow& out = answer_rows[flat];
      int index = index_map[t][r];
      if (index < 0) {
        out.error_code = row_faults[flat]->code;
        out.error_message = row_faults[flat]->message;
        continue;
      }
      const RowWriteResult& result = results[t][index];
      out.has_consumed = true;
      out.read_cu = ClampCu(result.consumed.read);
      out.write_cu = ClampCu(result.consumed.write);
      if (!result.status.ok()) {
        const bool known = !result.status.ots_code().empty();
        out.error_code = known ? std::string_view(result.status.ots_code())
                               : std::string_view("OTSInternalServerError");
        out.error_message =
            known ? std::string_view(result.status.message()) : "Internal server error.";
        continue;
      }
      out.is_ok = true;
      ++written;
    }
  }
  summary_->rows = written;
  body_->clear();
  AppendBatchWriteAnswer(answer_tables, body_);
  return Status::OK();
}

// The answer with protobuf, for batches that return rows (return_content).
Status Operation::SerializeBatchWriteAnswer(
    const BatchWriteInput& in, const std::vector<std::vector<int>>& index_map,
    const std::vector<std::optional<InjectedFault>>& row_faults,
    const std::vector<std::vector<RowWriteResult>>& results) {
  auto* resp = google::protobuf::Arena::CreateMessage<pb::BatchWriteRowResponse>(&arena_);
  int64_t written = 0;
  for (size_t t = 0; t < in.tables.size(); ++t) {
    const SimpleBatchWriteTable& table = in.tables[t];
    pb::TableInBatchWriteRowResponse* table_resp = resp->add_tables();
    table_resp->set_table_name(std::string(table.table_name));
    for (size_t r = 0; r < table.row_count; ++r) {
      const size_t flat = table.first_row + r;
      pb::RowInBatchWriteRowResponse* out = table_resp->add_rows();
      int index = index_map[t][r];
      if (index < 0) {
        const InjectedFault& fault = *row_faults[flat];
        out->set_is_ok(false);
        out->mutable_error()->set_code(fault.code);
        out->mutable_error()->set_message(fault.message);
        continue;
      }
      const RowWriteResult& result = results[t][index];
      SetConsumed(result.consumed, out->mutable_consumed());
      if (!result.status.ok()) {
        out->set_is_ok(false);
        SetError(result.status, out->mutable_error());
        continue;
      }
      out->set_is_ok(true);
      ++written;
      if (!result.returned.empty()) EncodeSingleRow(result.returned.row(), out->mutable_row());
    }
  }
  summary_->rows = written;
  return Serialize(*resp, body_);
}

Status Operation::ComputeSplitPointsBySize() {
  auto* req = google::protobuf::Arena::CreateMessage<pb::ComputeSplitPointsBySizeRequest>(&arena_);
  TSB_RETURN_IF_ERROR(ParseMessage(input_, req));
  summary_->table = req->table_name();
  int64_t unit = req->has_split_size_unit_in_byte() ? req->split_size_unit_in_byte()
                                                    : ots::kDefaultSplitUnitBytes;
  if (req->has_split_size_unit_in_byte() && unit <= 0) {
    return Invalid("split_size_unit_in_byte must be positive.");
  }
  if (req->split_size() <= 0) return Invalid("split_size must be positive.");
  TSB_ASSIGN_OR_RETURN(
      Store::SplitPoints split,
      store_->ComputeSplitPointsBySize(instance_, req->table_name(), req->split_size(), unit));
  auto* resp =
      google::protobuf::Arena::CreateMessage<pb::ComputeSplitPointsBySizeResponse>(&arena_);
  SetConsumed(split.consumed, resp->mutable_consumed());
  for (const PrimaryKeyColumn& column : split.schema) {
    pb::PrimaryKeySchema* pk = resp->add_schema();
    pk->set_name(column.name);
    pk->set_type(static_cast<pb::PrimaryKeyType>(column.type));
    if (column.auto_increment) pk->set_option(pb::AUTO_INCREMENT);
  }
  size_t points = split.points.size();
  if (req->has_split_point_limit() && req->split_point_limit() > 0) {
    points = std::min(points, static_cast<size_t>(req->split_point_limit()));
  }
  for (size_t i = 0; i < points; ++i) {
    ots::EncodePrimaryKey(split.points[i].row().primary_key, resp->add_split_points());
  }
  // One location for all n+1 splits: the emulator is a single host.
  auto* location = resp->add_locations();
  location->set_location("tsbridge-emulator");
  location->set_repeat(static_cast<int64_t>(points) + 1);
  summary_->rows = static_cast<int64_t>(points);
  return Serialize(*resp, body_);
}

using Method = Status (Operation::*)();
struct OperationEntry {
  std::string_view name;
  Method method;
};
constexpr OperationEntry kOperations[] = {
    {"CreateTable", &Operation::CreateTable},
    {"ListTable", &Operation::ListTable},
    {"DescribeTable", &Operation::DescribeTable},
    {"UpdateTable", &Operation::UpdateTable},
    {"DeleteTable", &Operation::DeleteTable},
    {"GetRow", &Operation::GetRow},
    {"PutRow", &Operation::PutRow},
    {"UpdateRow", &Operation::UpdateRow},
    {"DeleteRow", &Operation::DeleteRow},
    {"GetRange", &Operation::GetRange},
    {"BatchGetRow", &Operation::BatchGetRow},
    {"BatchWriteRow", &Operation::BatchWriteRow},
    {"ComputeSplitPointsBySize", &Operation::ComputeSplitPointsBySize},
};

const OperationEntry* FindOperation(std::string_view name) {
  for (const OperationEntry& entry : kOperations) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

}  // namespace

void EncodeErrorBody(std::string_view code, std::string_view message, std::string* out) {
  pb::Error error;
  error.set_code(std::string(code));
  error.set_message(std::string(message));
  out->clear();
  error.AppendToString(out);
}

bool Handlers::IsSupportedOperation(std::string_view operation) {
  return FindOperation(operation) != nullptr;
}

int Handlers::Handle(const OperationRequest& request, std::string* body,
                     OperationSummary* summary) {
  const OperationEntry* entry = FindOperation(request.operation);
  if (entry == nullptr) {
    EncodeErrorBody("OTSParameterInvalid",
                    "Unsupported operation: " + std::string(request.operation) + ".", body);
    return 400;
  }
  if (faults_ != nullptr && !faults_->empty()) {
    if (std::optional<InjectedFault> fault = faults_->ForRequest(request.operation)) {
      EncodeErrorBody(fault->code, fault->message, body);
      return fault->http_status;
    }
  }
  Status status;
  {
    Operation operation(store_, faults_, throttle_, request, body, summary);
    status = (operation.*(entry->method))();
  }
  if (status.ok()) return 200;
  if (status.ots_code().empty()) {
    // Not a service error: our bug or a storage failure. The client sees the service's 500; the
    // detail goes to the log (it may name local paths, never secrets).
    spdlog::warn("{}: internal error: {}", request.operation, status.ToString());
    EncodeErrorBody("OTSInternalServerError", "Internal server error.", body);
    return 500;
  }
  EncodeErrorBody(status.ots_code(), status.message(), body);
  return status.http_status() > 0 ? status.http_status() : 400;
}

}  // namespace tsb::emulator
