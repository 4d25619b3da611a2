// The emulator's wire layer, in-process, over raw HTTP: requests are signed and encoded here with
// httplib, our signer and the protobuf messages (not with our client), so that what is checked is
// exactly what goes over the wire: authentication refusals with the service's statuses, codes and
// messages, response headers and signatures (wire doc A.1, A.2, C.2), and response shapes.
#include "emulator/server.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "emulator/config.h"
#include "emulator/faults.h"
#include "support/emulator_fixture.h"
#include "tablestore/plainbuffer.h"
#include "tablestore/proto/table_store.pb.h"
#include "tablestore/proto/table_store_filter.pb.h"
#include "tablestore/signer.h"

using namespace tsb;
using namespace tsb::emulator;
namespace pb = tsb::ots::pb;

namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Reply {
  int status = 0;
  std::string body;
  httplib::Headers headers;

  pb::Error Error() const {
    pb::Error e;
    REQUIRE(e.ParseFromString(body));
    return e;
  }
};

// Knobs for building deliberately wrong requests.
struct Tamper {
  std::string secret;                                      // signing secret; empty = the client's
  int64_t date_offset_us = 0;                              // shift of x-ots-date from now
  std::string date_text;                                   // replaces x-ots-date verbatim
  std::string md5;                                         // replaces x-ots-contentmd5
  std::string drop_header;                                 // omitted header
  std::vector<std::pair<std::string, std::string>> extra;  // more x-ots-* headers, signed
};

class RawClient {
 public:
  RawClient(const EmulatorServer& server, std::string id, std::string secret, std::string instance)
      : http_(server.host(), server.port()),
        id_(std::move(id)),
        secret_(std::move(secret)),
        instance_(std::move(instance)) {
    http_.set_keep_alive(true);
  }

  Reply Call(const std::string& op, const std::string& body, const Tamper& t = {}) {
    std::vector<std::pair<std::string, std::string>> h = {
        {"x-ots-accesskeyid", id_},
        {"x-ots-apiversion", std::string(ots::kApiVersion)},
        {"x-ots-contentmd5", t.md5.empty() ? ots::ContentMd5(body) : t.md5},
        {"x-ots-date",
         t.date_text.empty() ? ots::FormatOtsDate(NowMicros() + t.date_offset_us, 3) : t.date_text},
        {"x-ots-instancename", instance_},
    };
    for (const auto& e : t.extra) h.push_back(e);
    std::vector<ots::HeaderEntry> entries;
    for (const auto& [k, v] : h) entries.push_back({k, v});
    const std::string path = "/" + op;
    std::string signature = ots::Signature(t.secret.empty() ? secret_ : t.secret,
                                           ots::RequestStringToSign(path, entries));
    h.push_back({"x-ots-signature", signature});
    httplib::Headers headers;
    for (const auto& [k, v] : h) {
      if (k != t.drop_header) headers.emplace(k, v);
    }
    auto res = http_.Post(path.c_str(), headers, body, "application/x-protobuf");
    REQUIRE(res);
    Reply r;
    r.status = res->status;
    r.body = res->body;
    r.headers = res->headers;
    return r;
  }

  template <typename Message>
  Reply Call(const std::string& op, const Message& message, const Tamper& t = {}) {
    std::string body;
    REQUIRE(message.SerializePartialToString(&body));
    return Call(op, body, t);
  }

  httplib::Client& http() { return http_; }

 private:
  httplib::Client http_;
  std::string id_, secret_, instance_;
};

std::string Header(const Reply& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

// Checks the response headers and the signature by the wire doc's algorithm (A.2), computed
// here independently of the server's code path: sorted x-ots-* headers, then "/" + operation.
void CheckSignedResponse(const Reply& r, const std::string& op, const std::string& id,
                         const std::string& secret) {
  CHECK(Header(r, "x-ots-contenttype") == "protocol buffer");
  CHECK(Header(r, "x-ots-contentmd5") == ots::ContentMd5(r.body));
  CHECK_FALSE(Header(r, "x-ots-requestid").empty());
  const std::string date = Header(r, "x-ots-date");
  REQUIRE(date.size() == 27);  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  CHECK(ots::ParseOtsDate(date).ok());
  std::string to_sign = "x-ots-contentmd5:" + Header(r, "x-ots-contentmd5") + "\n" +
                        "x-ots-contenttype:" + Header(r, "x-ots-contenttype") + "\n" +
                        "x-ots-date:" + date + "\n" +
                        "x-ots-requestid:" + Header(r, "x-ots-requestid") + "\n" + "/" + op;
  CHECK(Header(r, "authorization") == "OTS " + id + ":" + ots::Signature(secret, to_sign));
}

void CheckError(const Reply& r, int status, const std::string& code, const std::string& message) {
  CHECK(r.status == status);
  pb::Error e = r.Error();
  CHECK(e.code() == code);
  CHECK(e.message() == message);
}

using tsb::testing::EmulatorTestOptions;

const std::string kId(kDevAccessKeyId);
const std::string kSecret(kDevAccessKeySecret);

pb::CreateTableRequest TwoKeyTable(const std::string& name) {
  pb::CreateTableRequest req;
  req.mutable_table_meta()->set_table_name(name);
  auto* pk = req.mutable_table_meta()->add_primary_key();
  pk->set_name("pk");
  pk->set_type(pb::STRING);
  pk = req.mutable_table_meta()->add_primary_key();
  pk->set_name("id");
  pk->set_type(pb::INTEGER);
  req.mutable_reserved_throughput()->mutable_capacity_unit()->set_read(0);
  req.mutable_reserved_throughput()->mutable_capacity_unit()->set_write(0);
  req.mutable_table_options()->set_time_to_live(-1);
  req.mutable_table_options()->set_max_versions(1);
  return req;
}

ots::Cell KeyCell(std::string_view name, ots::Value v) {
  ots::Cell c;
  c.name = name;
  c.value = v;
  return c;
}

std::string Key(std::string_view pk, int64_t id) {
  ots::Row row;
  row.primary_key = {KeyCell("pk", ots::Value::String(pk)), KeyCell("id", ots::Value::Integer(id))};
  std::string out;
  ots::EncodeRow(row, &out);
  return out;
}

std::string PutRowBytes(std::string_view pk, int64_t id, std::string_view v) {
  ots::Row row;
  row.primary_key = {KeyCell("pk", ots::Value::String(pk)), KeyCell("id", ots::Value::Integer(id))};
  ots::Cell c;
  c.name = "v";
  c.value = ots::Value::String(v);
  row.attributes.push_back(c);
  std::string out;
  ots::EncodeRow(row, &out);
  return out;
}

}  // namespace

TEST_CASE("server: refusals carry the service's status, code, message and a signature") {
  EmulatorServer server(EmulatorTestOptions());
  REQUIRE(server.Start().ok());
  RawClient client(server, kId, kSecret, "demo");
  const std::string empty;

  SUBCASE("a good request is signed") {
    Reply r = client.Call("ListTable", empty);
    CHECK(r.status == 200);
    CheckSignedResponse(r, "ListTable", kId, kSecret);
  }
  SUBCASE("wrong secret") {
    Tamper t;
    t.secret = "wrong";
    Reply r = client.Call("ListTable", empty, t);
    CheckError(r, 403, "OTSAuthFailed", "Signature mismatch.");
    CheckSignedResponse(r, "ListTable", kId, kSecret);  // the key is known: signed anyway
  }
  SUBCASE("stale date") {
    Tamper t;
    t.date_offset_us = -16LL * 60 * 1000000;
    Reply r = client.Call("ListTable", empty, t);
    REQUIRE(r.status == 403);
    CHECK(r.Error().code() == "OTSAuthFailed");
    CHECK(r.Error().message().rfind("Mismatch between system time and x-ots-date: ", 0) == 0);
  }
  SUBCASE("dates with 0 to 9 fraction digits are accepted") {
    std::string base = ots::FormatOtsDate(NowMicros(), 0);  // ...SSZ
    for (std::string frac : {"", ".1", ".12", ".123", ".1234", ".123456", ".123456789"}) {
      Tamper t;
      t.date_text = base.substr(0, base.size() - 1) + frac + "Z";
      CHECK_MESSAGE(client.Call("ListTable", empty, t).status == 200, t.date_text);
    }
    Tamper bad;
    bad.date_text = "yesterday";
    CheckError(client.Call("ListTable", empty, bad), 400, "OTSParameterInvalid",
               "Invalid date format: yesterday.");
  }
  SUBCASE("bad md5") {
    Tamper t;
    t.md5 = ots::ContentMd5("something else");
    CheckError(client.Call("ListTable", empty, t), 403, "OTSAuthFailed",
               "Mismatch between MD5 value of request body and x-ots-contentmd5 in header.");
  }
  SUBCASE("missing header") {
    Tamper t;
    t.drop_header = "x-ots-date";
    CheckError(client.Call("ListTable", empty, t), 400, "OTSParameterInvalid",
               "Missing header: x-ots-date.");
  }
  SUBCASE("unknown key: refused without a signature") {
    RawClient stranger(server, "nobody", "x", "demo");
    Reply r = stranger.Call("ListTable", empty);
    CheckError(r, 403, "OTSAuthFailed", "The AccessKeyID does not exist.");
    CHECK(Header(r, "authorization").empty());
    CHECK(Header(r, "x-ots-contentmd5") == ots::ContentMd5(r.body));
    // An STS key is unknown until STS support exists.
    RawClient sts(server, "STS.temporary", "x", "demo");
    Tamper t;
    t.extra = {{"x-ots-ststoken", "token"}};
    CheckError(sts.Call("ListTable", empty, t), 403, "OTSAuthFailed",
               "The AccessKeyID does not exist.");
  }
  SUBCASE("extra x-ots headers are signed over") {
    Tamper t;
    t.extra = {{"x-ots-sdk-traceid", "abc"}};
    CHECK(client.Call("ListTable", empty, t).status == 200);
  }
  SUBCASE("unknown operation, wrong method") {
    Reply r = client.Call("FlyToTheMoon", empty);
    CheckError(r, 400, "OTSParameterInvalid", "Unsupported operation: FlyToTheMoon.");
    CheckSignedResponse(r, "FlyToTheMoon", kId, kSecret);
    auto get = client.http().Get("/ListTable");
    REQUIRE(get);
    CHECK(get->status == 405);
    pb::Error e;
    REQUIRE(e.ParseFromString(get->body));
    CHECK(e.code() == "OTSMethodNotAllowed");
  }
}

TEST_CASE("server: with a config, undeclared instances are refused") {
  auto config = ParseEmulatorConfig(R"({"region": "cn-hangzhou", "accounts": [
      {"id": "1", "access_keys": [{"id": "k1", "secret": "s1"}], "instances": ["demo"]},
      {"id": "2", "access_keys": [{"id": "k2", "secret": "s2"}], "instances": ["other"]}]})");
  REQUIRE_MESSAGE(config.ok(), config.status().ToString());
  EmulatorOptions options = EmulatorTestOptions();
  options.config = std::move(config).value();
  EmulatorServer server(options);
  REQUIRE(server.Start().ok());

  CHECK(RawClient(server, "k1", "s1", "demo").Call("ListTable", std::string()).status == 200);
  CHECK(RawClient(server, "k1", "s1", "DEMO").Call("ListTable", std::string()).status == 200);
  Reply r = RawClient(server, "k1", "s1", "nothere").Call("ListTable", std::string());
  CheckError(r, 403, "OTSAuthFailed", "The instance is not found.");
  CheckSignedResponse(r, "ListTable", "k1", "s1");
  // Another account's instance.
  CheckError(RawClient(server, "k2", "s2", "demo").Call("ListTable", std::string()), 403,
             "OTSAuthFailed", "The instance is not found.");
  // The development pair is not accepted with a config.
  CheckError(RawClient(server, kId, kSecret, "demo").Call("ListTable", std::string()), 403,
             "OTSAuthFailed", "The AccessKeyID does not exist.");
}

TEST_CASE("server: config errors name their JSON path") {
  auto check = [](const char* text, StatusCode code, const std::string& prefix) {
    auto config = ParseEmulatorConfig(text);
    REQUIRE_FALSE(config.ok());
    CHECK(config.status().code() == code);
    CHECK_MESSAGE(config.status().message().rfind(prefix, 0) == 0, config.status().message());
  };
  check(R"({"acounts": []})", StatusCode::kInvalidArgument, "acounts: unknown key");
  check(R"({"accounts": [{"id": "1", "instances": [], "users": [{"name": "u",
          "policies": ["Nope"]}]}]})",
        StatusCode::kInvalidArgument, "accounts[0].users[0].policies[0]: no policy \"Nope\"");
  check(R"({"accounts": [{"id": "1", "instances": [], "policies": {"P": {"Version": "1",
          "Statement": [{"Effect": "Allow", "Action": "ots:*", "Resource": "*",
          "Condition": {}}]}}}]})",
        StatusCode::kNotSupported, "accounts[0].policies.P.Statement[0].Condition: not supported");
  check(R"({"accounts": [{"id": "1", "instances": [], "roles": [{"name": "r",
          "trust_policy": {"Version": "1", "Statement": [{"Effect": "Allow",
          "Action": "sts:AssumeRole"}]}}]}]})",
        StatusCode::kInvalidArgument,
        "accounts[0].roles[0].trust_policy.Statement[0].Principal: missing");
  check(R"({"accounts": [{"id": "1", "instances": []}], "sts": {"min_duration_seconds": 0}})",
        StatusCode::kInvalidArgument, "sts.min_duration_seconds: expected a whole number");
  check(R"({"accounts": [{"id": "1", "instances": []}], "sts": {"max_duration_seconds": 100,
          "min_duration_seconds": 200}})",
        StatusCode::kInvalidArgument, "sts.min_duration_seconds: is above");
  check(R"({"accounts": [{"id": "1", "instances": [], "roles": [{"name": "r",
          "max_session_duration": 60, "trust_policy": {"Version": "1", "Statement": []}}]}]})",
        StatusCode::kInvalidArgument, "accounts[0].roles[0].max_session_duration: expected");
  check(R"({"accounts": [{"id": "acme", "instances": []}]})", StatusCode::kInvalidArgument,
        "accounts[0].id: expected an account UID of digits");
  // Users, roles, policies and sts are read, not refused.
  auto full = ParseEmulatorConfig(
      R"({"accounts": [{"id": "1", "access_keys": [{"id": "k", "secret": "s"}],
          "instances": ["demo"], "users": [{"name": "u", "access_keys": [{"id": "uk",
          "secret": "us"}], "policies": ["P", "AliyunOTSReadOnlyAccess"]}],
          "roles": [{"name": "r", "policies": ["P"], "max_session_duration": 7200,
                     "trust_policy": {"Version": "1", "Statement": [{"Effect": "Allow",
                     "Action": "sts:AssumeRole", "Principal": {"RAM": "acs:ram::1:root"}}]}}],
          "policies": {"P": {"Version": "1", "Statement": []}}}],
          "sts": {"min_duration_seconds": 1, "max_duration_seconds": 7200}})");
  REQUIRE_MESSAGE(full.ok(), full.status().ToString());
  CHECK(full->accounts[0].users[0].access_keys[0].id == "uk");
  CHECK(full->accounts[0].FindRole("R") != nullptr);
  CHECK(full->accounts[0].roles[0].max_session_duration == 7200);
  CHECK(full->sts.min_duration_seconds == 1);
  CHECK(ResolvePolicies(full->accounts[0], full->accounts[0].users[0].policies).size() == 2);
}

TEST_CASE("server: instances are separate namespaces without a config") {
  EmulatorServer server(EmulatorTestOptions());
  REQUIRE(server.Start().ok());
  RawClient a(server, kId, kSecret, "inst_a");
  RawClient b(server, kId, kSecret, "inst_b");
  REQUIRE(a.Call("CreateTable", TwoKeyTable("t")).status == 200);
  pb::ListTableResponse list;
  Reply r = b.Call("ListTable", std::string());
  REQUIRE(list.ParseFromString(r.body));
  CHECK(list.table_names_size() == 0);
  r = a.Call("ListTable", std::string());
  REQUIRE(list.ParseFromString(r.body));
  CHECK(list.table_names_size() == 1);
}

TEST_CASE("server: CreateTable, PutRow, GetRow, GetRange, BatchGetRow round trip") {
  EmulatorServer server(EmulatorTestOptions());
  REQUIRE(server.Start().ok());
  RawClient client(server, kId, kSecret, "demo");
  Reply r = client.Call("CreateTable", TwoKeyTable("t"));
  REQUIRE(r.status == 200);
  CHECK(r.body.empty());

  for (int i = 0; i < 10; ++i) {
    pb::PutRowRequest put;
    put.set_table_name("t");
    put.set_row(PutRowBytes("a", i, "value" + std::to_string(i)));
    put.mutable_condition()->set_row_existence(pb::IGNORE);
    r = client.Call("PutRow", put);
    REQUIRE(r.status == 200);
    pb::PutRowResponse resp;
    REQUIRE(resp.ParseFromString(r.body));
    CHECK(resp.consumed().capacity_unit().write() == 1);
  }

  pb::GetRowRequest get;
  get.set_table_name("t");
  get.set_primary_key(Key("a", 3));
  get.set_max_versions(1);
  r = client.Call("GetRow", get);
  REQUIRE(r.status == 200);
  CheckSignedResponse(r, "GetRow", kId, kSecret);
  pb::GetRowResponse got;
  REQUIRE(got.ParseFromString(r.body));
  ots::Row row;
  REQUIRE(ots::DecodeRow(got.row(), &row).ok());
  REQUIRE(row.attributes.size() == 1);
  CHECK(row.attributes[0].name == "v");
  CHECK(row.attributes[0].value->bytes == "value3");
  CHECK(row.attributes[0].op == ots::CellOp::kPut);
  // The answer is tight: re-encoding gives the same bytes (no padding, no cell types).
  std::string again;
  ots::EncodeRow(row, &again);
  CHECK(again == got.row());

  get.set_primary_key(Key("zzz", 0));
  r = client.Call("GetRow", get);
  REQUIRE(r.status == 200);
  REQUIRE(got.ParseFromString(r.body));
  CHECK(got.has_row());
  CHECK(got.row().empty());
  CHECK(got.consumed().capacity_unit().read() == 1);

  // GetRange with a filter and a limit; the next key is a real key.
  pb::GetRangeRequest range;
  range.set_table_name("t");
  range.set_direction(pb::FORWARD);
  range.set_max_versions(1);
  range.set_limit(4);
  {
    ots::Row lo, hi;
    lo.primary_key = {KeyCell("pk", ots::Value::InfMin()), KeyCell("id", ots::Value::InfMin())};
    hi.primary_key = {KeyCell("pk", ots::Value::InfMax()), KeyCell("id", ots::Value::InfMax())};
    ots::EncodeRow(lo, range.mutable_inclusive_start_primary_key());
    ots::EncodeRow(hi, range.mutable_exclusive_end_primary_key());
  }
  r = client.Call("GetRange", range);
  REQUIRE(r.status == 200);
  pb::GetRangeResponse page;
  REQUIRE(page.ParseFromString(r.body));
  std::vector<ots::Row> rows;
  REQUIRE(ots::DecodeRows(page.rows(), &rows).ok());
  CHECK(rows.size() == 4);
  REQUIRE(page.has_next_start_primary_key());
  ots::Row next;
  REQUIRE(ots::DecodeRow(page.next_start_primary_key(), &next).ok());
  REQUIRE(next.primary_key.size() == 2);
  CHECK(next.primary_key[1].value->i == 4);

  pb::SingleColumnValueFilter single;
  single.set_comparator(pb::CT_EQUAL);
  single.set_column_name("v");
  ots::EncodeColumnValue(ots::Value::String("value7"), single.mutable_column_value());
  single.set_filter_if_missing(true);
  single.set_latest_version_only(true);
  pb::Filter filter;
  filter.set_type(pb::FT_SINGLE_COLUMN_VALUE);
  single.SerializeToString(filter.mutable_filter());
  filter.SerializeToString(range.mutable_filter());
  range.clear_limit();
  r = client.Call("GetRange", range);
  REQUIRE(r.status == 200);
  REQUIRE(page.ParseFromString(r.body));
  REQUIRE(ots::DecodeRows(page.rows(), &rows).ok());
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].primary_key[1].value->i == 7);
  CHECK((!page.has_next_start_primary_key() || page.next_start_primary_key().empty()));

  // BatchGetRow: found, missing, in request order.
  pb::BatchGetRowRequest batch;
  auto* table = batch.add_tables();
  table->set_table_name("t");
  table->set_max_versions(1);
  table->add_primary_key(Key("a", 2));
  table->add_primary_key(Key("nope", 1));
  table->add_primary_key(Key("a", 5));
  r = client.Call("BatchGetRow", batch);
  REQUIRE(r.status == 200);
  pb::BatchGetRowResponse batch_resp;
  REQUIRE(batch_resp.ParseFromString(r.body));
  REQUIRE(batch_resp.tables_size() == 1);
  REQUIRE(batch_resp.tables(0).rows_size() == 3);
  CHECK(batch_resp.tables(0).rows(0).is_ok());
  REQUIRE(ots::DecodeRow(batch_resp.tables(0).rows(0).row(), &row).ok());
  REQUIRE(row.attributes.size() == 1);
  CHECK(row.attributes[0].name == "v");
  CHECK(row.attributes[0].value->bytes == "value2");
  CHECK(batch_resp.tables(0).rows(1).is_ok());
  CHECK(batch_resp.tables(0).rows(1).row().empty());
  REQUIRE(ots::DecodeRow(batch_resp.tables(0).rows(2).row(), &row).ok());
  CHECK(row.attributes[0].value->bytes == "value5");

  // A missing table: the service's 404.
  get.set_table_name("missing");
  CheckError(client.Call("GetRow", get), 404, "OTSObjectNotExist",
             "Requested table does not exist.");
  // DescribeTable carries the required fields.
  pb::DescribeTableRequest describe;
  describe.set_table_name("t");
  r = client.Call("DescribeTable", describe);
  pb::DescribeTableResponse described;
  REQUIRE(described.ParseFromString(r.body));
  CHECK(described.table_status() == pb::ACTIVE);
  CHECK(described.reserved_throughput_details().has_last_increase_time());
}

TEST_CASE("server: BatchWriteRow request limits and per-row results") {
  EmulatorServer server(EmulatorTestOptions());
  REQUIRE(server.Start().ok());
  RawClient client(server, kId, kSecret, "demo");
  REQUIRE(client.Call("CreateTable", TwoKeyTable("t")).status == 200);

  auto batch_of = [](int n, int64_t first) {
    pb::BatchWriteRowRequest req;
    auto* table = req.add_tables();
    table->set_table_name("t");
    for (int i = 0; i < n; ++i) {
      auto* row = table->add_rows();
      row->set_type(pb::PUT);
      row->set_row_change(PutRowBytes("b", first + i, "x"));
      row->mutable_condition()->set_row_existence(pb::IGNORE);
    }
    return req;
  };
  CheckError(client.Call("BatchWriteRow", batch_of(201, 0)), 400, "OTSParameterInvalid",
             "Rows count exceeds the upper limit: 200.");
  CheckError(client.Call("BatchWriteRow", pb::BatchWriteRowRequest()), 400, "OTSParameterInvalid",
             "No row is specified in BatchWriteRow.");

  pb::BatchWriteRowRequest ok = batch_of(3, 0);
  // A conditional row that fails: the others are written, results in request order.
  ok.mutable_tables(0)->mutable_rows(1)->mutable_condition()->set_row_existence(pb::EXPECT_EXIST);
  Reply r = client.Call("BatchWriteRow", ok);
  REQUIRE(r.status == 200);
  pb::BatchWriteRowResponse resp;
  REQUIRE(resp.ParseFromString(r.body));
  REQUIRE(resp.tables(0).rows_size() == 3);
  CHECK(resp.tables(0).rows(0).is_ok());
  CHECK_FALSE(resp.tables(0).rows(1).is_ok());
  CHECK(resp.tables(0).rows(1).error().code() == "OTSConditionCheckFail");
  CHECK(resp.tables(0).rows(2).is_ok());

  // More than 4 MiB of encoded rows.
  pb::BatchWriteRowRequest big;
  auto* table = big.add_tables();
  table->set_table_name("t");
  std::string blob(1 << 20, 'z');
  for (int i = 0; i < 5; ++i) {
    auto* row = table->add_rows();
    row->set_type(pb::PUT);
    row->set_row_change(PutRowBytes("c", i, blob));
    row->mutable_condition()->set_row_existence(pb::IGNORE);
  }
  r = client.Call("BatchWriteRow", big);
  CHECK(r.status == 400);
  CHECK(r.Error().message().rfind("The total data size of BatchWriteRow request exceeds the limit",
                                  0) == 0);
}

TEST_CASE("server: fault injection fails a deterministic share of requests or rows") {
  auto rule = ParseFaultRule("BatchWriteRow:OTSServerBusy:0.5");
  REQUIRE(rule.ok());
  CHECK(rule->rate == 0.5);
  CHECK_FALSE(ParseFaultRule("BatchWriteRow:OTSServerBusy:1.5").ok());
  CHECK_FALSE(ParseFaultRule("BatchWriteRow:OTSServerBusy").ok());
  CHECK_FALSE(ParseFaultRule("BatchWriteRow:OTSServerBusy:0.1:cols").ok());

  auto pattern = [](uint64_t seed) {
    FaultInjector f;
    f.SetRules({*ParseFaultRule("GetRow:OTSTimeout:0.3")}, seed);
    std::string out;
    for (int i = 0; i < 200; ++i) out += f.ForRequest("GetRow") ? 'x' : '.';
    CHECK_FALSE(f.ForRequest("PutRow"));
    return out;
  };
  std::string a = pattern(7);
  CHECK(a == pattern(7));
  CHECK(a != pattern(8));
  size_t failed = std::count(a.begin(), a.end(), 'x');
  CHECK(failed > 30);
  CHECK(failed < 90);

  EmulatorServer server(EmulatorTestOptions());
  REQUIRE(server.Start().ok());
  RawClient client(server, kId, kSecret, "demo");
  REQUIRE(client.Call("CreateTable", TwoKeyTable("t")).status == 200);

  server.faults().SetRules({*ParseFaultRule("ListTable:OTSServerBusy:1")}, 1);
  Reply r = client.Call("ListTable", std::string());
  CheckError(r, 503, "OTSServerBusy", "Server is busy.");
  CheckSignedResponse(r, "ListTable", kId, kSecret);

  server.faults().SetRules({*ParseFaultRule("BatchWriteRow:OTSRowOperationConflict:0.5:rows")}, 3);
  pb::BatchWriteRowRequest req;
  auto* table = req.add_tables();
  table->set_table_name("t");
  for (int i = 0; i < 40; ++i) {
    auto* row = table->add_rows();
    row->set_type(pb::PUT);
    row->set_row_change(PutRowBytes("f", i, "x"));
    row->mutable_condition()->set_row_existence(pb::IGNORE);
  }
  r = client.Call("BatchWriteRow", req);
  REQUIRE(r.status == 200);
  pb::BatchWriteRowResponse resp;
  REQUIRE(resp.ParseFromString(r.body));
  REQUIRE(resp.tables(0).rows_size() == 40);
  int bad = 0;
  for (int i = 0; i < 40; ++i) {
    const auto& row = resp.tables(0).rows(i);
    pb::GetRowRequest get;
    get.set_table_name("t");
    get.set_primary_key(Key("f", i));
    get.set_max_versions(1);
    server.faults().SetRules({}, 1);
    pb::GetRowResponse got;
    REQUIRE(got.ParseFromString(client.Call("GetRow", get).body));
    if (!row.is_ok()) {
      ++bad;
      CHECK(row.error().code() == "OTSRowOperationConflict");
      CHECK(got.row().empty());  // a failed row is not written
    } else {
      CHECK_FALSE(got.row().empty());
    }
  }
  CHECK(bad > 5);
  CHECK(bad < 35);
}
