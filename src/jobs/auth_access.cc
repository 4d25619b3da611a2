#include "jobs/auth_access.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>

#include "core/log.h"
#include "tsbridge/tablestore/sts.h"

namespace tsb::jobs {

namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

bool Refused(const Status& s) { return s.code() == StatusCode::kPermissionDenied; }

std::string Answer(const Status& s) { return s.ok() ? "ok" : s.ToString(); }

// A value of the key column's type; the probe's condition fails whatever the key is.
ots::Value ProbeValue(ots::PrimaryKeyType type) {
  switch (type) {
    case ots::PrimaryKeyType::kInteger:
      return ots::Value::Integer(0);
    case ots::PrimaryKeyType::kString:
      return ots::Value::String("tsbridge-auth-check");
    case ots::PrimaryKeyType::kBinary:
      return ots::Value::Binary("tsbridge-auth-check");
  }
  return ots::Value::Integer(0);
}

constexpr std::string_view kProbeColumn = "tsbridge_auth_check";

ots::Cell Key(std::string_view name, ots::Value value) {
  ots::Cell cell;
  cell.name = name;
  cell.value = value;
  return cell;
}

}  // namespace

Result<ResolvedCredentials> ResolveCredentials(const JobSpec& spec, const AuthOptions& auth,
                                               double request_timeout, bool renew) {
  ots::CredentialsOptions chain_options{auth.credentials_file, auth.profile};
  auto chain = ots::DefaultCredentialsChain(chain_options);
  TSB_ASSIGN_OR_RETURN(ots::Credentials caller, chain->Get());
  for (const std::string& warning : caller.warnings) log::Warn("warning: " + warning);

  ResolvedCredentials out;
  out.caller_source = caller.source;
  ots::RoleToAssume role;
  if (caller.assume_role) role = *caller.assume_role;
  if (!spec.tablestore.role_arn.empty()) {
    // The spec's role is the job's: it is assumed with the profile's key pair, not on top of the
    // profile's own role (chained roles would need both renewed).
    role.role_arn = spec.tablestore.role_arn;
  }
  caller.assume_role.reset();
  // `auth assume-role --export-env` output, sourced: these are the role's credentials already
  // (they expire when they expire: nothing can renew them without the caller's key).
  if (!role.role_arn.empty() && caller.source == "environment" && caller.has_security_token() &&
      EnvOr("TSBRIDGE_ASSUMED_ROLE_ARN", "") == role.role_arn) {
    caller.source = "environment (temporary credentials of " + role.role_arn + ")";
    role.role_arn.clear();
  }
  if (role.role_arn.empty()) {
    out.initial = std::move(caller);
    return out;
  }

  std::string region = !role.region.empty() ? role.region : spec.tablestore.region;
  std::string sts_endpoint = auth.sts_endpoint;
  if (sts_endpoint.empty())
    sts_endpoint = EnvOr("TSBRIDGE_STS_ENDPOINT", spec.tablestore.sts_endpoint);
  if (sts_endpoint.empty()) sts_endpoint = ots::DefaultStsEndpoint(region);

  ots::AssumeRoleRequest request;
  request.role_arn = role.role_arn;
  request.policy = role.policy;
  request.duration_seconds = auth.duration_seconds > 0   ? auth.duration_seconds
                             : role.duration_seconds > 0 ? role.duration_seconds
                                                         : 3600;
  TSB_ASSIGN_OR_RETURN(request.session_name, ots::ChooseSessionName(role.session_name));

  ots::HttpTransportOptions http;
  http.ca_file = auth.ca_bundle;
  http.request_timeout = std::chrono::milliseconds(static_cast<int64_t>(request_timeout * 1000));
  http.connect_timeout = std::min(http.connect_timeout, http.request_timeout);
  TSB_ASSIGN_OR_RETURN(auto sts, ots::StsClient::Create(sts_endpoint, http));
  out.role_arn = request.role_arn;
  log::Debug("assuming " + request.role_arn + " at " + sts->endpoint() + " as session " +
             request.session_name + " for " + std::to_string(request.duration_seconds) +
             " s with the access key from " + caller.source);
  if (!renew) {
    TSB_ASSIGN_OR_RETURN(out.initial, sts->AssumeRole(caller, request));
    return out;
  }
  TSB_ASSIGN_OR_RETURN(auto renewing, ots::RenewingCredentials::Start(
                                          std::move(sts), std::move(caller), std::move(request)));
  out.initial = *renewing->Current();
  out.source = std::move(renewing);
  return out;
}

std::vector<std::string> NeededActions(AccessNeed need) {
  std::vector<std::string> actions = {"ots:DescribeTable"};
  if (need == AccessNeed::kImport || need == AccessNeed::kBoth) {
    actions.push_back("ots:ComputeSplitPointsBySize");
    actions.push_back("ots:GetRange");
  }
  if (need == AccessNeed::kExport || need == AccessNeed::kBoth) {
    actions.push_back("ots:BatchWriteRow");
    // Export reads rows back after an answer that never came, and for --if-absent.
    actions.push_back("ots:BatchGetRow");
  }
  if (need == AccessNeed::kNone) actions.clear();
  return actions;
}

std::string OtsResource(const JobSpec& spec, bool table_level) {
  const std::string region = spec.tablestore.region.empty() ? "*" : spec.tablestore.region;
  const std::string account =
      spec.tablestore.role_account.empty() ? "*" : spec.tablestore.role_account;
  std::string instance = spec.tablestore.instance;
  for (char& c : instance) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string out = "acs:ots:" + region + ":" + account + ":instance/" + instance;
  if (table_level) out += "/table/" + spec.tablestore.table;
  return out;
}

std::vector<AccessResult> CheckAccess(ots::Client* client, const JobSpec& spec, AccessNeed need) {
  std::vector<AccessResult> results;
  const std::string resource = OtsResource(spec, true);
  const std::string& table = spec.tablestore.table;
  std::optional<ots::TableMeta> meta;
  for (const std::string& action : NeededActions(need)) {
    AccessResult r;
    r.action = action;
    r.resource = resource;
    r.tried = true;
    Status s;
    if (action == "ots:DescribeTable") {
      auto described = client->DescribeTable(table);
      if (described.ok()) meta = described->meta;
      s = described.status();
    } else if (!meta) {
      r.tried = false;
      r.allowed = false;
      r.message = "not tried: needs the table's primary key, which DescribeTable did not give";
      results.push_back(std::move(r));
      continue;
    } else if (action == "ots:ComputeSplitPointsBySize") {
      ots::ComputeSplitsRequest request;
      request.table = table;
      ots::ComputeSplitsResult result;
      s = client->ComputeSplitPointsBySize(request, &result);
    } else if (action == "ots:GetRange") {
      ots::GetRangeRequest request;
      request.table = table;
      for (const auto& column : meta->primary_key) {
        request.inclusive_start.push_back(Key(column.name, ots::Value::InfMin()));
        request.exclusive_end.push_back(Key(column.name, ots::Value::InfMax()));
      }
      request.read.columns_to_get = {meta->primary_key.front().name};
      request.limit = 1;
      ots::GetRangeResult result;
      s = client->GetRange(request, &result);
    } else {
      ots::Row row;
      for (const auto& column : meta->primary_key) {
        row.primary_key.push_back(Key(column.name, ProbeValue(column.type)));
      }
      if (action == "ots:BatchWriteRow") {
        // A condition no row can pass (the row must exist and its probe column be both 0 and
        // not 0), so the service decides the permission and then writes nothing.
        row.attributes.push_back(Key(kProbeColumn, ots::Value::Integer(0)));
        ots::BatchWriteRowItem item;
        item.type = ots::WriteType::kUpdate;
        item.row = &row;
        item.condition.row_existence = ots::RowExistence::kExpectExist;
        item.condition.column_condition = ots::ColumnFilter::And(
            {ots::ColumnFilter::Compare(std::string(kProbeColumn), ots::Comparator::kEqual,
                                        ots::Value::Integer(0), true),
             ots::ColumnFilter::Compare(std::string(kProbeColumn), ots::Comparator::kNotEqual,
                                        ots::Value::Integer(0), true)});
        ots::BatchWriteRowRequest request;
        request.tables.push_back(ots::BatchWriteTable{table, {item}});
        ots::BatchResult result;
        s = client->BatchWriteRow(request, &result);
        if (s.ok() && result.failed_rows == 0) {
          s = Status::Internal("the probe's impossible condition passed");
        }
      } else {
        r.required = false;
        ots::BatchGetRowRequest request;
        request.tables.push_back(ots::BatchGetTable{table, {row}, {}});
        ots::BatchResult result;
        s = client->BatchGetRow(request, &result);
      }
    }
    r.allowed = !Refused(s);
    r.message = Answer(s);
    // No answer from the service (a dead endpoint, a certificate it cannot prove): the job
    // would fail the same way, so this is its error, not a permission.
    const bool answered = s.ok() || !s.ots_code().empty() || s.code() == StatusCode::kServerError;
    if (!answered) {
      r.allowed = false;
      r.failure = s;
      results.push_back(std::move(r));
      break;
    }
    results.push_back(std::move(r));
  }
  return results;
}

Status RefusalStatus(const std::vector<AccessResult>& results, const std::string& identity) {
  for (const AccessResult& r : results) {
    if (!r.failure.ok()) return r.failure;
  }
  for (const AccessResult& r : results) {
    if (r.allowed || !r.tried) continue;
    if (!r.required) {
      log::Warn("warning: " + r.action + " on " + r.resource + " is refused (" + r.message +
                "): export reads rows back with it after a write whose answer was lost and for "
                "--if-absent, so such a row will fail the job");
      continue;
    }
    std::string others;
    for (const AccessResult& o : results) {
      if (&o != &r && !o.allowed && o.required) others += (others.empty() ? "" : ", ") + o.action;
    }
    std::string text = "the job needs " + r.action + " on " + r.resource + ", which was refused (" +
                       r.message + "); credentials: " + identity;
    if (!others.empty()) text += "; also refused or not tried: " + others;
    text += "; nothing was read or written (`tsbridge auth check` lists every action)";
    return Status::PermissionDenied(text);
  }
  return Status::OK();
}

}  // namespace tsb::jobs
