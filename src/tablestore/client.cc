// The typed client: structs <-> protobuf messages, signing, retries, error decoding.
//
// Hot paths (GetRange for import, BatchWriteRow for export) serialize into thread-local request
// messages and body buffers that keep their capacity from call to call, and GetRange parses its
// response in place: the HTTP body is swapped into the caller's GetRangeResult and the rows are
// decoded as views into it, with no copy of the rows bytes. Other operations go through the
// generated messages and swap their PlainBuffer fields out of them, which costs no copy either.
#include "tsbridge/tablestore/client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/coding.h"
#include "tablestore/batch_answer.h"
#include "tablestore/endpoint.h"
#include "tablestore/pb_model.h"
#include "tablestore/plainbuffer.h"
#include "tablestore/proto/table_store.pb.h"
#include "tablestore/proto/table_store_filter.pb.h"
#include "tablestore/signer.h"
#include "tsbridge/tablestore/limits.h"

namespace tsb::ots {

namespace {

// ---------------------------------------------------------------------------------------------
// Per-thread buffers. A Client is shared by many threads, each call runs on one, and no public
// method holds these across a callback, so one set per thread is enough.

struct ThreadScratch {
  std::string body;
  HttpResponse response;
  std::vector<HttpHeader> headers;
  pb::GetRangeRequest get_range;
  pb::BatchWriteRowRequest batch_write;
  pb::BatchWriteRowResponse batch_write_response;
};

ThreadScratch& Scratch() {
  thread_local ThreadScratch scratch;
  return scratch;
}

CapacityUnits FromPb(const pb::ConsumedCapacity& c) {
  return CapacityUnits{c.capacity_unit().read(), c.capacity_unit().write()};
}

// ---------------------------------------------------------------------------------------------
// Filters and conditions.

bool IsComparableValue(const Value& v) {
  switch (v.type) {
    case ValueType::kInteger:
    case ValueType::kDouble:
    case ValueType::kBoolean:
    case ValueType::kString:
    case ValueType::kBinary:
      return true;
    default:
      return false;
  }
}

Status FilterToPb(const ColumnFilter& f, pb::Filter* out, int depth) {
  // The service caps conditions at 10/32 anyway; a deep tree is a caller bug, not a stack risk.
  if (depth > 64) return Status::InvalidArgument("filter nested more than 64 levels");
  if (f.kind == ColumnFilter::Kind::kSingle) {
    if (f.column.empty()) return Status::InvalidArgument("filter: empty column name");
    if (!IsComparableValue(f.value)) {
      return Status::InvalidArgument("filter on column \"" + f.column +
                                     "\": the value must be INTEGER, DOUBLE, BOOLEAN, STRING or "
                                     "BINARY");
    }
    pb::SingleColumnValueFilter single;
    single.set_comparator(static_cast<pb::ComparatorType>(f.comparator));
    single.set_column_name(f.column);
    EncodeColumnValue(f.value, single.mutable_column_value());
    single.set_filter_if_missing(f.filter_if_missing);
    single.set_latest_version_only(f.latest_version_only);
    out->set_type(pb::FT_SINGLE_COLUMN_VALUE);
    single.SerializeToString(out->mutable_filter());
    return Status::OK();
  }
  if (f.kind == ColumnFilter::Kind::kColumnPagination) {
    if (depth > 0) {
      return Status::InvalidArgument("filter: a column pagination cannot be inside NOT/AND/OR");
    }
    if (f.offset < 0 || f.limit < 0) {
      return Status::InvalidArgument("filter: column pagination offset and limit must be >= 0");
    }
    pb::ColumnPaginationFilter pagination;
    pagination.set_offset(f.offset);
    pagination.set_limit(f.limit);
    out->set_type(pb::FT_COLUMN_PAGINATION);
    pagination.SerializeToString(out->mutable_filter());
    return Status::OK();
  }
  pb::CompositeColumnValueFilter composite;
  switch (f.kind) {
    case ColumnFilter::Kind::kNot:
      if (f.children.size() != 1) {
        return Status::InvalidArgument("filter: NOT needs exactly one operand");
      }
      composite.set_combinator(pb::LO_NOT);
      break;
    case ColumnFilter::Kind::kAnd:
    case ColumnFilter::Kind::kOr:
      if (f.children.size() < 2) {
        return Status::InvalidArgument("filter: AND/OR need at least two operands");
      }
      composite.set_combinator(f.kind == ColumnFilter::Kind::kAnd ? pb::LO_AND : pb::LO_OR);
      break;
    default:
      return Status::Internal("filter: unknown kind");
  }
  for (const ColumnFilter& child : f.children) {
    TSB_RETURN_IF_ERROR(FilterToPb(child, composite.add_sub_filters(), depth + 1));
  }
  out->set_type(pb::FT_COMPOSITE_COLUMN_VALUE);
  composite.SerializeToString(out->mutable_filter());
  return Status::OK();
}

Status ConditionToPb(const Condition& c, pb::Condition* out) {
  out->set_row_existence(static_cast<pb::RowExistenceExpectation>(c.row_existence));
  if (c.column_condition) {
    out->mutable_column_condition()->clear();
    TSB_RETURN_IF_ERROR(EncodeFilter(*c.column_condition, out->mutable_column_condition()));
  }
  return Status::OK();
}

// GetRowRequest, GetRangeRequest and TableInBatchGetRowRequest name these fields alike.
template <typename Message>
Status ReadOptionsToPb(const ReadOptions& read, Message* out) {
  for (const std::string& c : read.columns_to_get) out->add_columns_to_get(c);
  if (read.time_range) {
    auto* tr = out->mutable_time_range();
    if (read.time_range->start) tr->set_start_time(*read.time_range->start);
    if (read.time_range->end) tr->set_end_time(*read.time_range->end);
    if (read.time_range->specific) tr->set_specific_time(*read.time_range->specific);
  }
  // The service needs max_versions or a time range; the SDKs send max_versions=1 by default.
  const int32_t max_versions = read.max_versions.value_or(0);
  if (max_versions > 0 || !read.time_range) out->set_max_versions(max_versions > 0 ? max_versions : 1);
  if (read.filter) TSB_RETURN_IF_ERROR(EncodeFilter(*read.filter, out->mutable_filter()));
  return Status::OK();
}

template <typename Message>
void ReturnContentToPb(const ReturnContent& content, Message* out) {
  if (content.type == ReturnType::kNone) return;
  auto* rc = out->mutable_return_content();
  rc->set_return_type(static_cast<pb::ReturnType>(content.type));
  for (const std::string& c : content.column_names) rc->add_return_column_names(c);
}

// ---------------------------------------------------------------------------------------------
// A minimal protobuf walker for GetRangeResponse, so that its `rows` stay in the HTTP body.

bool ReadVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    auto byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

struct RangeFields {
  std::string_view consumed;
  std::string_view rows;
  std::string_view next_start;
  bool has_consumed = false;
  bool has_rows = false;
};

Status WalkGetRangeResponse(std::string_view body, RangeFields* f) {
  std::string_view in = body;
  while (!in.empty()) {
    uint64_t tag;
    if (!ReadVarint(&in, &tag)) return Status::Corruption("GetRangeResponse: truncated tag");
    uint32_t field = static_cast<uint32_t>(tag >> 3);
    switch (tag & 7) {
      case 0: {
        uint64_t ignored;
        if (!ReadVarint(&in, &ignored)) return Status::Corruption("GetRangeResponse: bad varint");
        break;
      }
      case 1:
        if (in.size() < 8) return Status::Corruption("GetRangeResponse: truncated fixed64");
        in.remove_prefix(8);
        break;
      case 5:
        if (in.size() < 4) return Status::Corruption("GetRangeResponse: truncated fixed32");
        in.remove_prefix(4);
        break;
      case 2: {
        uint64_t len;
        if (!ReadVarint(&in, &len) || len > in.size()) {
          return Status::Corruption("GetRangeResponse: truncated field " + std::to_string(field));
        }
        std::string_view value = in.substr(0, len);
        in.remove_prefix(len);
        // Last one wins, as protobuf parsing does for singular fields.
        if (field == 1) {
          f->consumed = value;
          f->has_consumed = true;
        } else if (field == 2) {
          f->rows = value;
          f->has_rows = true;
        } else if (field == 3) {
          f->next_start = value;
        }
        break;
      }
      default:
        return Status::Corruption("GetRangeResponse: unsupported wire type " +
                                  std::to_string(tag & 7));
    }
  }
  if (!f->has_consumed || !f->has_rows) {
    return Status::Corruption("GetRangeResponse: missing required field consumed or rows");
  }
  return Status::OK();
}

template <typename Message>
Status ParseResponse(std::string_view operation, const std::string& body, Message* out) {
  if (!out->ParseFromString(body)) {
    return Status::Corruption(std::string(operation) + ": malformed response (" +
                              std::to_string(body.size()) + " bytes)");
  }
  return Status::OK();
}

// A DeleteRow / BatchWriteRow DELETE row must carry the delete marker (wire doc A.3); callers may
// hand us a bare primary key.
const Row* WithDeleteMarker(const Row* row, Row* copy) {
  if (row->delete_marker && row->attributes.empty()) return row;
  copy->primary_key = row->primary_key;
  copy->attributes.clear();
  copy->delete_marker = true;
  return copy;
}

// authorization: OTS <AccessKeyId>:<Base64(HMAC-SHA1(secret, headers + "/" + Operation))>.
Status VerifyResponseSignature(std::string_view path, std::string_view authorization,
                               const Credentials& creds, const HttpResponse& response) {
  size_t colon = authorization.rfind(':');
  if (!authorization.starts_with("OTS ") || colon == std::string_view::npos) {
    return Status::PermissionDenied("malformed authorization header in the response");
  }
  std::string_view key_id = authorization.substr(4, colon - 4);
  std::string_view signature = authorization.substr(colon + 1);
  std::vector<HeaderEntry> entries;
  entries.reserve(response.headers.size());
  for (const HttpHeader& h : response.headers) entries.push_back(HeaderEntry{h.name, h.value});
  std::string expected =
      Signature(creds.access_key_secret, ResponseStringToSign(path, entries));
  if (key_id != creds.access_key_id || !SignaturesEqual(signature, expected)) {
    return Status::PermissionDenied(
        "the response's signature does not match (not signed with our access key " +
        creds.access_key_id + ")");
  }
  return Status::OK();
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Status EncodeFilter(const ColumnFilter& filter, std::string* out) {
  pb::Filter message;
  TSB_RETURN_IF_ERROR(FilterToPb(filter, &message, 0));
  message.AppendToString(out);
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// Construction.

Result<std::unique_ptr<Client>> Client::Create(ClientOptions options) {
  TSB_ASSIGN_OR_RETURN(Endpoint ep, ParseEndpoint(options.endpoint));
  TSB_ASSIGN_OR_RETURN(std::unique_ptr<HttpTransport> transport,
                       NewCurlTransport(ep.url, options.http));
  return Create(std::move(options), std::move(transport));
}

Result<std::unique_ptr<Client>> Client::Create(ClientOptions options,
                                               std::unique_ptr<HttpTransport> transport) {
  TSB_ASSIGN_OR_RETURN(Endpoint ep, ParseEndpoint(options.endpoint));
  std::string instance = options.instance.empty() ? ep.instance : options.instance;
  if (instance.empty()) {
    return Status::InvalidArgument("endpoint " + ep.url +
                                   ": no instance name (set tablestore.instance, or use an "
                                   "INSTANCE.REGION.ots.aliyuncs.com endpoint)");
  }
  if (options.credentials.access_key_id.empty() ||
      options.credentials.access_key_secret.empty()) {
    return Status::InvalidArgument("no access key id and secret for " + ep.url);
  }
  options.endpoint = ep.url;
  return std::unique_ptr<Client>(
      new Client(std::move(options), std::move(instance), std::move(transport)));
}

Client::Client(ClientOptions options, std::string instance,
               std::unique_ptr<HttpTransport> transport)
    : options_(std::move(options)),
      instance_(std::move(instance)),
      endpoint_(options_.endpoint),
      transport_(std::move(transport)),
      credentials_(std::make_shared<const Credentials>(options_.credentials)) {}

Client::~Client() = default;

void Client::SetCredentials(Credentials credentials) {
  auto next = std::make_shared<const Credentials>(std::move(credentials));
  std::lock_guard<std::mutex> lock(credentials_mu_);
  credentials_ = std::move(next);
}

std::shared_ptr<const Credentials> Client::credentials() const {
  if (options_.credentials_source) return options_.credentials_source->Current();
  std::lock_guard<std::mutex> lock(credentials_mu_);
  return credentials_;
}

ClientStats Client::stats() const {
  ClientStats s;
  s.requests = requests_.load(std::memory_order_relaxed);
  s.retries = retries_.load(std::memory_order_relaxed);
  s.bytes_sent = transport_->bytes_sent();
  s.bytes_received = transport_->bytes_received();
  s.read_cu = read_cu_.load(std::memory_order_relaxed);
  s.write_cu = write_cu_.load(std::memory_order_relaxed);
  return s;
}

void Client::AddConsumed(const CapacityUnits& cu) {
  read_cu_.fetch_add(cu.read, std::memory_order_relaxed);
  write_cu_.fetch_add(cu.write, std::memory_order_relaxed);
}

// ---------------------------------------------------------------------------------------------
// One signed request.

Status Client::CallOnce(std::string_view operation, std::string_view body,
                        std::string_view content_md5, std::chrono::milliseconds timeout,
                        HttpResponse* response) {
  ThreadScratch& scratch = Scratch();
  std::shared_ptr<const Credentials> creds = credentials();

  std::string path;
  path.reserve(operation.size() + 1);
  path.append("/").append(operation);

  // x-ots-* headers first: they are what gets signed.
  std::vector<HttpHeader>& h = scratch.headers;
  h.resize(6);
  h[0].name.assign("x-ots-date");
  h[0].value = FormatOtsDate(NowMicros(), 3);
  h[1].name.assign("x-ots-apiversion");
  h[1].value.assign(kApiVersion);
  h[2].name.assign("x-ots-accesskeyid");
  h[2].value.assign(creds->access_key_id);
  h[3].name.assign("x-ots-contentmd5");
  if (content_md5.empty()) {
    h[3].value = ContentMd5(body);
  } else {
    h[3].value.assign(content_md5);
  }
  h[4].name.assign("x-ots-instancename");
  h[4].value.assign(instance_);
  h[5].name.assign("User-Agent");
  h[5].value.assign(options_.user_agent);
  if (creds->has_security_token()) {
    h.push_back(HttpHeader{"x-ots-ststoken", creds->security_token});
  }
  HeaderEntry entries[8];
  size_t n = 0;
  for (const HttpHeader& header : h) entries[n++] = HeaderEntry{header.name, header.value};
  std::string to_sign = RequestStringToSign(path, std::span<const HeaderEntry>(entries, n));
  h.push_back(HttpHeader{"x-ots-signature", Signature(creds->access_key_secret, to_sign)});

  HttpRequest request;
  request.path = path;
  request.headers = &h;
  request.body = body;
  request.timeout = timeout;
  requests_.fetch_add(1, std::memory_order_relaxed);
  TSB_RETURN_IF_ERROR(transport_->Post(request, response));

  // Only successes: an OTSAuthFailed answer to a wrong secret is signed with the right one, and
  // the error itself is what the user needs to see.
  if (options_.verify_response_signature && response->status >= 200 && response->status < 300) {
    if (const std::string* auth = response->FindHeader("authorization")) {
      TSB_RETURN_IF_ERROR(VerifyResponseSignature(path, *auth, *creds, *response));
    }
  }

  const std::string* rid = response->FindHeader("x-ots-requestid");
  if (rid == nullptr) rid = response->FindHeader("x-ots-request-id");
  std::string request_id = rid ? *rid : std::string();

  if (response->status >= 200 && response->status < 300) {
    if (options_.verify_response_md5) {
      const std::string* md5 = response->FindHeader("x-ots-contentmd5");
      if (md5 != nullptr && *md5 != ContentMd5(response->body)) {
        // Treated as a network error: the bytes were damaged on the way.
        return Status::Unavailable(
            "response body does not match its x-ots-contentmd5 (request id " + request_id + ")");
      }
    }
    return Status::OK();
  }

  pb::Error error;
  if (!response->body.empty() && error.ParseFromString(response->body) && error.has_code() &&
      !error.code().empty()) {
    return Status::FromService(error.code(), error.message(), response->status,
                               std::move(request_id));
  }
  // Not a Tablestore error body: a proxy or load balancer answered. Its code decides retries.
  std::string msg = "HTTP " + std::to_string(response->status) + " without a Tablestore error";
  if (!response->body.empty()) {
    std::string_view text(response->body);
    text = text.substr(0, 120);
    std::string printable;
    for (char c : text) printable += (c >= 0x20 && c < 0x7F) ? c : '.';
    msg += ": " + printable;
  }
  return Status::FromService("", std::move(msg), response->status, std::move(request_id));
}

Status Client::Call(std::string_view operation, std::string_view body, HttpResponse* response,
                    int* attempts, std::string_view content_md5) {
  const bool idempotent = IsIdempotentOperation(operation);
  RetryState retry(options_.retry, options_.retry_env);
  for (;;) {
    Status s = CallOnce(operation, body, content_md5, retry.RemainingTime(), response);
    if (attempts != nullptr) *attempts = retry.attempts();
    if (s.ok()) return s;
    if (!retry.ShouldRetry(s, idempotent)) {
      std::string context(operation);
      if (retry.attempts() > 1) context += " (" + std::to_string(retry.attempts()) + " attempts)";
      return s.WithContext(context);
    }
    retries_.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("retrying {} (attempt {}) after {}", operation, retry.attempts(), s.ToString());
  }
}

// ---------------------------------------------------------------------------------------------
// Tables.

Status Client::CreateTable(const CreateTableRequest& request) {
  pb::CreateTableRequest req;
  TableMetaToPb(request.meta, req.mutable_table_meta());
  auto* cu = req.mutable_reserved_throughput()->mutable_capacity_unit();
  cu->set_read(static_cast<int32_t>(request.reserved.read));
  cu->set_write(static_cast<int32_t>(request.reserved.write));
  // The service wants both; these are its documented defaults.
  TableOptions options = request.options;
  if (!options.time_to_live) options.time_to_live = -1;
  if (!options.max_versions) options.max_versions = 1;
  TableOptionsToPb(options, req.mutable_table_options());

  ThreadScratch& scratch = Scratch();
  req.SerializeToString(&scratch.body);
  return Call("CreateTable", scratch.body, &scratch.response)
      .WithContext("table " + request.meta.name);
}

Result<std::vector<std::string>> Client::ListTable() {
  ThreadScratch& scratch = Scratch();
  scratch.body.clear();
  TSB_RETURN_IF_ERROR(Call("ListTable", scratch.body, &scratch.response));
  pb::ListTableResponse resp;
  TSB_RETURN_IF_ERROR(ParseResponse("ListTable", scratch.response.body, &resp));
  return std::vector<std::string>(resp.table_names().begin(), resp.table_names().end());
}

Result<TableDescription> Client::DescribeTable(std::string_view table) {
  pb::DescribeTableRequest req;
  req.set_table_name(std::string(table));
  ThreadScratch& scratch = Scratch();
  req.SerializeToString(&scratch.body);
  TSB_RETURN_IF_ERROR(Call("DescribeTable", scratch.body, &scratch.response)
                          .WithContext("table " + std::string(table)));
  pb::DescribeTableResponse resp;
  TSB_RETURN_IF_ERROR(ParseResponse("DescribeTable", scratch.response.body, &resp));
  TableDescription d;
  d.meta = TableMetaFromPb(resp.table_meta());
  d.options = TableOptionsFromPb(resp.table_options());
  d.status = static_cast<TableStatus>(resp.table_status());
  const auto& rt = resp.reserved_throughput_details();
  d.reserved = CapacityUnits{rt.capacity_unit().read(), rt.capacity_unit().write()};
  d.last_increase_time = rt.last_increase_time();
  d.last_decrease_time = rt.last_decrease_time();
  return d;
}

Result<UpdateTableResult> Client::UpdateTable(const UpdateTableRequest& request) {
  pb::UpdateTableRequest req;
  req.set_table_name(request.table);
  if (request.reserved) {
    auto* cu = req.mutable_reserved_throughput()->mutable_capacity_unit();
    cu->set_read(static_cast<int32_t>(request.reserved->read));
    cu->set_write(static_cast<int32_t>(request.reserved->write));
  }
  // As the Node SDK: table_options always present, possibly empty.
  TableOptionsToPb(request.options.value_or(TableOptions{}), req.mutable_table_options());
  ThreadScratch& scratch = Scratch();
  req.SerializeToString(&scratch.body);
  TSB_RETURN_IF_ERROR(Call("UpdateTable", scratch.body, &scratch.response)
                          .WithContext("table " + request.table));
  pb::UpdateTableResponse resp;
  TSB_RETURN_IF_ERROR(ParseResponse("UpdateTable", scratch.response.body, &resp));
  UpdateTableResult out;
  out.options = TableOptionsFromPb(resp.table_options());
  const auto& rt = resp.reserved_throughput_details();
  out.reserved = CapacityUnits{rt.capacity_unit().read(), rt.capacity_unit().write()};
  out.last_increase_time = rt.last_increase_time();
  out.last_decrease_time = rt.last_decrease_time();
  return out;
}

Status Client::DeleteTable(std::string_view table) {
  pb::DeleteTableRequest req;
  req.set_table_name(std::string(table));
  ThreadScratch& scratch = Scratch();
  req.SerializeToString(&scratch.body);
  return Call("DeleteTable", scratch.body, &scratch.response)
      .WithContext("table " + std::string(table));
}

// ---------------------------------------------------------------------------------------------
// Single rows.

Status Client::GetRow(const GetRowRequest& request, GetRowResult* result) {
  result->found = false;
  result->row.clear();
  result->consumed = {};
  pb::GetRowRequest req;
  req.set_table_name(request.table);
  EncodePrimaryKey(request.primary_key, req.mutable_primary_key());
  TSB_RETURN_IF_ERROR(ReadOptionsToPb(request.read, &req));
  ThreadScratch& scratch = Scratch();
  req.SerializeToString(&scratch.body);
  TSB_RETURN_IF_ERROR(
      Call("GetRow", scratch.body, &scratch.response).WithContext("table " + request.table));
  pb::GetRowResponse resp;
  TSB_RETURN_IF_ERROR(ParseResponse("GetRow", scratch.response.body, &resp));
  result->consumed = FromPb(resp.consumed());
  AddConsumed(result->consumed);
  result->buffer_.swap(*resp.mutable_row());
  if (!result->buffer_.empty()) {
    TSB_RETURN_IF_ERROR(DecodeRow(result->buffer_, &result->row).WithContext("GetRow row"));
    result->found = true;
  }
  return Status::OK();
}

namespace {

// PutRow, UpdateRow and DeleteRow differ only in the name of field 2.
template <typename Request>
Status PrepareWrite(const WriteRowRequest& request, std::string* (Request::*row_field)(),
                    bool is_delete, Request* req) {
  if (request.row == nullptr) return Status::InvalidArgument("no row given");
  req->set_table_name(request.table);
  Row copy;
  const Row* row = is_delete ? WithDeleteMarker(request.row, &copy) : request.row;
  EncodeRow(*row, (req->*row_field)());
  TSB_RETURN_IF_ERROR(ConditionToPb(request.condition, req->mutable_condition()));
  ReturnContentToPb(request.return_content, req);
  return Status::OK();
}

}  // namespace

#define TSB_WRITE_ROW_OP(Op, Field, IsDelete)                                                    \
  Status Client::Op(const WriteRowRequest& request, WriteRowResult* result) {                    \
    result->has_row = false;                                                                     \
    result->row.clear();                                                                         \
    result->consumed = {};                                                                       \
    pb::Op##Request req;                                                                         \
    TSB_RETURN_IF_ERROR(                                                                         \
        PrepareWrite(request, &pb::Op##Request::mutable_##Field, IsDelete, &req));               \
    ThreadScratch& scratch = Scratch();                                                          \
    req.SerializeToString(&scratch.body);                                                        \
    TSB_RETURN_IF_ERROR(                                                                         \
        Call(#Op, scratch.body, &scratch.response).WithContext("table " + request.table));       \
    pb::Op##Response resp;                                                                       \
    TSB_RETURN_IF_ERROR(ParseResponse(#Op, scratch.response.body, &resp));                       \
    result->consumed = FromPb(resp.consumed());                                                  \
    AddConsumed(result->consumed);                                                               \
    if (resp.has_row() && !resp.row().empty()) {                                                 \
      result->buffer_.swap(*resp.mutable_row());                                                 \
      TSB_RETURN_IF_ERROR(DecodeRow(result->buffer_, &result->row).WithContext(#Op " row"));     \
      result->has_row = true;                                                                    \
    }                                                                                            \
    return Status::OK();                                                                         \
  }

TSB_WRITE_ROW_OP(PutRow, row, false)
TSB_WRITE_ROW_OP(UpdateRow, row_change, false)
TSB_WRITE_ROW_OP(DeleteRow, primary_key, true)

#undef TSB_WRITE_ROW_OP

// ---------------------------------------------------------------------------------------------
// GetRange.

Status Client::GetRange(const GetRangeRequest& request, GetRangeResult* result) {
  // The Row objects stay (DecodeRows resizes to the page's rows and reuses them), so a warm page
  // decodes without allocating; on failure no row is left.
  auto page = [&]() -> Status {
    result->next_start.clear();
    result->next_start_encoded_ = {};
    result->consumed = {};
    result->response_bytes = 0;

    ThreadScratch& scratch = Scratch();
    pb::GetRangeRequest& req = scratch.get_range;
    req.Clear();
    req.set_table_name(request.table);
    req.set_direction(request.direction == Direction::kForward ? pb::FORWARD : pb::BACKWARD);
    TSB_RETURN_IF_ERROR(ReadOptionsToPb(request.read, &req));
    if (request.limit > 0) req.set_limit(request.limit);
    std::string* start = req.mutable_inclusive_start_primary_key();
    if (!request.encoded_start.empty()) {
      start->assign(request.encoded_start);
    } else {
      EncodePrimaryKey(request.inclusive_start, start);
    }
    EncodePrimaryKey(request.exclusive_end, req.mutable_exclusive_end_primary_key());
    req.SerializeToString(&scratch.body);

    TSB_RETURN_IF_ERROR(
        Call("GetRange", scratch.body, &scratch.response).WithContext("table " + request.table));

    // The body becomes the result's buffer; the result's previous buffer comes back for reuse.
    result->buffer_.swap(scratch.response.body);
    result->response_bytes = result->buffer_.size();
    RangeFields fields;
    TSB_RETURN_IF_ERROR(WalkGetRangeResponse(result->buffer_, &fields));
    pb::ConsumedCapacity consumed;
    if (!consumed.ParseFromArray(fields.consumed.data(),
                                 static_cast<int>(fields.consumed.size()))) {
      return Status::Corruption("GetRangeResponse: malformed consumed");
    }
    result->consumed = FromPb(consumed);
    AddConsumed(result->consumed);
    TSB_RETURN_IF_ERROR(DecodeRows(fields.rows, &result->rows).WithContext("GetRange rows"));
    if (!fields.next_start.empty()) {
      TSB_RETURN_IF_ERROR(DecodeRow(fields.next_start, &result->next_start)
                              .WithContext("GetRange next_start_primary_key"));
      result->next_start_encoded_ = fields.next_start;
    }
    return Status::OK();
  };
  Status s = page();
  if (!s.ok()) result->rows.clear();
  return s;
}

Status Client::GetRangeAll(const GetRangeRequest& request,
                           const std::function<Status(const GetRangeResult& page)>& on_page,
                           int64_t max_rows) {
  GetRangeRequest page = request;
  GetRangeResult result;
  int64_t left = max_rows;
  std::string next;
  for (;;) {
    if (max_rows > 0) {
      int64_t page_rows = request.limit > 0 ? request.limit : kGetRangeMaxRows;
      page.limit = static_cast<int32_t>(std::min(page_rows, left));
    }
    TSB_RETURN_IF_ERROR(GetRange(page, &result));
    TSB_RETURN_IF_ERROR(on_page(result));
    if (result.done()) return Status::OK();
    if (max_rows > 0) {
      left -= static_cast<int64_t>(result.rows.size());
      if (left <= 0) return Status::OK();
    }
    // Copied: the next call reuses the buffer it points into.
    next.assign(result.next_start_primary_key_encoded());
    page.encoded_start = next;
  }
}

// ---------------------------------------------------------------------------------------------
// Batches.

namespace {

// BatchGetRow and BatchWriteRow answer in one shape (tables of per-row results, wire doc A.3):
// one decoder for both. Row bodies are swapped out of the response into `storage`, so the decoded
// rows view them without a copy; the string fields reuse their capacity across calls.
template <typename Response>
Status DecodeBatchResult(std::string_view what, Response* resp, BatchResult* result,
                         std::deque<std::string>* storage) {
  result->tables.resize(resp->tables_size());
  for (int ti = 0; ti < resp->tables_size(); ++ti) {
    auto* table = resp->mutable_tables(ti);
    BatchTableResult& out = result->tables[ti];
    out.table = table->table_name();
    out.rows.resize(table->rows_size());
    for (int ri = 0; ri < table->rows_size(); ++ri) {
      auto* row = table->mutable_rows(ri);
      BatchRowResult& r = out.rows[ri];
      r.ok = row->is_ok();
      if (row->has_error()) {
        r.error_code.assign(row->error().code());
        r.error_message.assign(row->error().message());
      } else {
        r.error_code.clear();
        r.error_message.clear();
      }
      r.consumed = row->has_consumed() ? FromPb(row->consumed()) : CapacityUnits{};
      r.has_row = false;
      r.row.clear();
      result->consumed.read += r.consumed.read;
      result->consumed.write += r.consumed.write;
      if (!r.ok) ++result->failed_rows;
      if (r.ok && row->has_row() && !row->row().empty()) {
        std::string& buf = storage->emplace_back();
        buf.swap(*row->mutable_row());
        TSB_RETURN_IF_ERROR(DecodeRow(buf, &r.row).WithContext(what));
        r.has_row = true;
      }
    }
  }
  return Status::OK();
}

}  // namespace

Status Client::BatchGetRow(const BatchGetRowRequest& request, BatchResult* result) {
  result->tables.clear();
  result->consumed = {};
  result->failed_rows = 0;
  result->attempts = 0;
  result->storage_.clear();

  pb::BatchGetRowRequest req;
  for (const BatchGetTable& t : request.tables) {
    auto* table = req.add_tables();
    table->set_table_name(t.table);
    for (const Row& key : t.primary_keys) {
      EncodePrimaryKey(key.primary_key, table->add_primary_key());
    }
    TSB_RETURN_IF_ERROR(ReadOptionsToPb(t.read, table));
  }
  ThreadScratch& scratch = Scratch();
  req.SerializeToString(&scratch.body);
  TSB_RETURN_IF_ERROR(Call("BatchGetRow", scratch.body, &scratch.response, &result->attempts));
  pb::BatchGetRowResponse resp;
  TSB_RETURN_IF_ERROR(ParseResponse("BatchGetRow", scratch.response.body, &resp));

  TSB_RETURN_IF_ERROR(DecodeBatchResult("BatchGetRow row", &resp, result, &result->storage_));
  AddConsumed(result->consumed);
  return Status::OK();
}

Status Client::BatchWriteRow(const BatchWriteRowRequest& request, BatchResult* result) {
  result->tables.clear();
  result->consumed = {};
  result->failed_rows = 0;
  result->attempts = 0;
  result->storage_.clear();

  ThreadScratch& scratch = Scratch();
  pb::BatchWriteRowRequest& req = scratch.batch_write;
  req.Clear();
  Row copy;
  size_t total_rows = 0;
  for (const BatchWriteTable& t : request.tables) {
    auto* table = req.add_tables();
    table->set_table_name(t.table);
    for (const BatchWriteRowItem& item : t.rows) {
      if (item.row == nullptr) return Status::InvalidArgument("BatchWriteRow: no row given");
      auto* row = table->add_rows();
      row->set_type(static_cast<pb::OperationType>(item.type));
      const Row* r = item.type == WriteType::kDelete ? WithDeleteMarker(item.row, &copy) : item.row;
      std::string* change = row->mutable_row_change();
      change->clear();
      EncodeRow(*r, change);
      TSB_RETURN_IF_ERROR(ConditionToPb(item.condition, row->mutable_condition()));
      ReturnContentToPb(item.return_content, row);
      ++total_rows;
    }
  }
  req.SerializeToString(&scratch.body);
  TSB_RETURN_IF_ERROR(Call("BatchWriteRow", scratch.body, &scratch.response, &result->attempts));
  pb::BatchWriteRowResponse& resp = scratch.batch_write_response;
  resp.Clear();
  TSB_RETURN_IF_ERROR(ParseResponse("BatchWriteRow", scratch.response.body, &resp));

  // Results come back in request order (wire doc A.3); anything else would misattribute errors.
  bool shape_ok = resp.tables_size() == static_cast<int>(request.tables.size());
  for (int ti = 0; shape_ok && ti < resp.tables_size(); ++ti) {
    shape_ok = resp.tables(ti).rows_size() == static_cast<int>(request.tables[ti].rows.size());
  }
  if (!shape_ok) {
    return Status::Corruption("BatchWriteRow: the answer does not match the request's " +
                              std::to_string(total_rows) + " rows");
  }
  TSB_RETURN_IF_ERROR(DecodeBatchResult("BatchWriteRow row", &resp, result, &result->storage_));
  AddConsumed(result->consumed);
  return Status::OK();
}

namespace {

// Field tags: (number << 3) | wire type (0 varint, 2 length-delimited).
constexpr char kTagTables = 0x0A;           // BatchWriteRowRequest.tables = 1
constexpr char kTagTableName = 0x0A;        // TableInBatchWriteRowRequest.table_name = 1
constexpr char kTagRows = 0x12;             // TableInBatchWriteRowRequest.rows = 2
constexpr char kTagType = 0x08;             // RowInBatchWriteRowRequest.type = 1
constexpr char kTagRowChange = 0x12;        // RowInBatchWriteRowRequest.row_change = 2
constexpr char kTagCondition = 0x1A;        // RowInBatchWriteRowRequest.condition = 3
constexpr char kTagExistence = 0x08;        // Condition.row_existence = 1
constexpr char kTagColumnCondition = 0x12;  // Condition.column_condition = 2

size_t RowMessageSize(const EncodedRowWrite& row, size_t condition_size) {
  return 1 + VarintSize(static_cast<uint8_t>(row.type)) + 1 + VarintSize(row.row_change.size()) +
         row.row_change.size() + 1 + VarintSize(condition_size) + condition_size;
}

}  // namespace

Status EncodeBatchWriteRowBody(std::string_view table, std::span<const EncodedRowWrite> rows,
                               std::string* body) {
  // Column conditions are rare (never on the export's path): encoded once here, in row order.
  std::vector<std::string> filters;
  for (const EncodedRowWrite& row : rows) {
    if (row.condition != nullptr && row.condition->column_condition) {
      TSB_RETURN_IF_ERROR(EncodeFilter(*row.condition->column_condition, &filters.emplace_back()));
    }
  }
  auto condition_size = [](const EncodedRowWrite& row, const std::string* filter) {
    const auto existence = static_cast<uint8_t>(
        row.condition != nullptr ? row.condition->row_existence : RowExistence::kIgnore);
    size_t n = 1 + VarintSize(existence);
    if (filter != nullptr) n += 1 + VarintSize(filter->size()) + filter->size();
    return n;
  };
  size_t table_size = 1 + VarintSize(table.size()) + table.size();
  size_t f = 0;
  for (const EncodedRowWrite& row : rows) {
    const bool has_filter = row.condition != nullptr && row.condition->column_condition;
    const size_t c = condition_size(row, has_filter ? &filters[f++] : nullptr);
    const size_t m = RowMessageSize(row, c);
    table_size += 1 + VarintSize(m) + m;
  }
  body->resize(1 + VarintSize(table_size) + table_size);
  char* p = body->data();
  *p++ = kTagTables;
  p = EncodeVarint(p, table_size);
  *p++ = kTagTableName;
  p = EncodeVarint(p, table.size());
  if (!table.empty()) std::memcpy(p, table.data(), table.size());
  p += table.size();
  f = 0;
  for (const EncodedRowWrite& row : rows) {
    const bool has_filter = row.condition != nullptr && row.condition->column_condition;
    const std::string* filter = has_filter ? &filters[f++] : nullptr;
    const size_t c = condition_size(row, filter);
    *p++ = kTagRows;
    p = EncodeVarint(p, RowMessageSize(row, c));
    *p++ = kTagType;
    p = EncodeVarint(p, static_cast<uint8_t>(row.type));
    *p++ = kTagRowChange;
    p = EncodeVarint(p, row.row_change.size());
    if (!row.row_change.empty()) std::memcpy(p, row.row_change.data(), row.row_change.size());
    p += row.row_change.size();
    *p++ = kTagCondition;
    p = EncodeVarint(p, c);
    *p++ = kTagExistence;
    p = EncodeVarint(p, static_cast<uint8_t>(row.condition != nullptr ? row.condition->row_existence
                                                                      : RowExistence::kIgnore));
    if (filter != nullptr) {
      *p++ = kTagColumnCondition;
      p = EncodeVarint(p, filter->size());
      std::memcpy(p, filter->data(), filter->size());
      p += filter->size();
    }
  }
  if (p != body->data() + body->size()) {
    return Status::Internal("BatchWriteRow: the request body's size was miscounted");
  }
  return Status::OK();
}

Status Client::BatchWriteRowEncoded(std::string_view table, std::span<const EncodedRowWrite> rows,
                                    BatchResult* result, const PreparedBody* prepared) {
  // The tables are not cleared up front: the parser reuses their row results from call to call.
  result->consumed = {};
  result->failed_rows = 0;
  result->attempts = 0;
  result->storage_.clear();

  ThreadScratch& scratch = Scratch();
  Status s;
  if (prepared != nullptr) {
    s = Call("BatchWriteRow", prepared->body, &scratch.response, &result->attempts,
             prepared->content_md5);
  } else {
    s = EncodeBatchWriteRowBody(table, rows, &scratch.body);
    if (s.ok()) s = Call("BatchWriteRow", scratch.body, &scratch.response, &result->attempts);
  }
  if (s.ok()) {
    s = ParseBatchWriteAnswer(scratch.response.body, "BatchWriteRow row", result,
                              &result->storage_);
  }
  if (!s.ok()) {
    result->tables.clear();
    return s;
  }
  if (result->tables.size() != 1 || result->tables[0].rows.size() != rows.size()) {
    return Status::Corruption("BatchWriteRow: the answer does not match the request's " +
                              std::to_string(rows.size()) + " rows");
  }
  AddConsumed(result->consumed);
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// Splits.

Status Client::ComputeSplitPointsBySize(const ComputeSplitsRequest& request,
                                        ComputeSplitsResult* result) {
  result->schema.clear();
  result->split_points.clear();
  result->splits.clear();
  result->consumed = {};
  result->storage_.clear();

  if (request.split_size <= 0 || request.split_size_unit_bytes <= 0) {
    return Status::InvalidArgument("ComputeSplitPointsBySize: split size must be positive");
  }
  pb::ComputeSplitPointsBySizeRequest req;
  req.set_table_name(request.table);
  req.set_split_size(request.split_size);
  req.set_split_size_unit_in_byte(request.split_size_unit_bytes);
  ThreadScratch& scratch = Scratch();
  req.SerializeToString(&scratch.body);
  TSB_RETURN_IF_ERROR(Call("ComputeSplitPointsBySize", scratch.body, &scratch.response)
                          .WithContext("table " + request.table));
  pb::ComputeSplitPointsBySizeResponse resp;
  TSB_RETURN_IF_ERROR(ParseResponse("ComputeSplitPointsBySize", scratch.response.body, &resp));
  result->consumed = FromPb(resp.consumed());
  AddConsumed(result->consumed);

  for (const auto& s : resp.schema()) {
    result->schema.push_back(PrimaryKeyColumn{s.name(), static_cast<PrimaryKeyType>(s.type()),
                                              s.has_option() && s.option() == pb::AUTO_INCREMENT});
  }
  if (result->schema.empty()) {
    return Status::Corruption("ComputeSplitPointsBySize: the answer has no primary-key schema");
  }
  const size_t width = result->schema.size();
  result->split_points.resize(resp.split_points_size());
  for (int i = 0; i < resp.split_points_size(); ++i) {
    std::string& buf = result->storage_.emplace_back();
    buf.swap(*resp.mutable_split_points(i));
    TSB_RETURN_IF_ERROR(
        DecodeRow(buf, &result->split_points[i]).WithContext("ComputeSplitPointsBySize point"));
    if (result->split_points[i].primary_key.size() > width) {
      return Status::Corruption("ComputeSplitPointsBySize: a split point has more columns than "
                                "the primary key");
    }
  }

  // n points -> n + 1 ranges from all-INF_MIN to all-INF_MAX; a point's omitted trailing columns
  // are INF_MIN (wire doc A.3). Names view into result->schema, which no longer changes.
  auto padded = [&](const Row* point, ValueType fill) {
    std::vector<Cell> key;
    key.reserve(width);
    for (size_t c = 0; c < width; ++c) {
      if (point != nullptr && c < point->primary_key.size()) {
        key.push_back(point->primary_key[c]);
      } else {
        Cell cell;
        cell.name = result->schema[c].name;
        cell.value = fill == ValueType::kInfMin ? Value::InfMin() : Value::InfMax();
        key.push_back(cell);
      }
    }
    return key;
  };
  const size_t n = result->split_points.size();
  result->splits.resize(n + 1);
  for (size_t i = 0; i <= n; ++i) {
    KeyRange& range = result->splits[i];
    range.start = padded(i == 0 ? nullptr : &result->split_points[i - 1], ValueType::kInfMin);
    range.end = i == n ? padded(nullptr, ValueType::kInfMax)
                       : padded(&result->split_points[i], ValueType::kInfMin);
  }
  size_t split = 0;
  for (const auto& loc : resp.locations()) {
    for (int64_t r = 0; r < loc.repeat() && split <= n; ++r) {
      result->splits[split++].location = loc.location();
    }
  }
  return Status::OK();
}

}  // namespace tsb::ots
