#include "jobs/spec_init.h"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "core/ascii.h"
#include "core/spec_text.h"
#include "jobs/job_common.h"
#include "jobs/table_sample.h"

namespace tsb::jobs {

namespace {

DataType LocalType(OtsType type) {
  switch (type) {
    case OtsType::kInteger:
      return DataType::Of(TypeId::kInt64);
    case OtsType::kDouble:
      return DataType::Of(TypeId::kDouble);
    case OtsType::kBoolean:
      return DataType::Of(TypeId::kBoolean);
    case OtsType::kString:
      return DataType::Of(TypeId::kString);
    case OtsType::kBinary:
      return DataType::Of(TypeId::kBinary);
  }
  return DataType::Of(TypeId::kString);
}

DataType LocalType(ots::DefinedColumnType type) {
  switch (type) {
    case ots::DefinedColumnType::kInteger:
      return LocalType(OtsType::kInteger);
    case ots::DefinedColumnType::kDouble:
      return LocalType(OtsType::kDouble);
    case ots::DefinedColumnType::kBoolean:
      return LocalType(OtsType::kBoolean);
    case ots::DefinedColumnType::kString:
      return LocalType(OtsType::kString);
    case ots::DefinedColumnType::kBinary:
      return LocalType(OtsType::kBinary);
  }
  return LocalType(OtsType::kString);
}

// Spec names are case-insensitive and Tablestore's are not: a name that only differs in case from
// one taken already gets a suffix, and the mapping keeps the Tablestore name.
std::string LocalName(const std::string& ots_name, std::unordered_set<std::string>* taken,
                      std::vector<std::string>* notes) {
  std::string name = ots_name;
  for (int k = 2; !taken->insert(AsciiLower(name)).second; ++k) {
    name = ots_name + "_" + std::to_string(k);
  }
  if (name != ots_name) {
    notes->push_back("attribute \"" + ots_name + "\" differs from another only in letter case; " +
                     "its local column is \"" + name + "\"");
  }
  return name;
}

// The attributes after the key: the defined columns, then what the sample saw, in that order.
Status AddAttributes(ots::Client* client, const JobSpec& keys, const ots::TableMeta& meta,
                     int64_t sample_rows, JobSpec* spec, std::vector<std::string>* notes) {
  std::vector<std::string> key_names;
  for (const ots::PrimaryKeyColumn& k : meta.primary_key) key_names.push_back(k.name);
  TableSampleOptions sample_options;
  sample_options.max_rows = sample_rows;
  TSB_ASSIGN_OR_RETURN(TableSample sample, SampleTable(client, keys, key_names, sample_options));
  // Defined columns with their declared type, then what the sample saw; in name order, which
  // does not depend on which rows the sample read.
  std::map<std::string, DataType> attributes;
  for (const ots::DefinedColumn& d : meta.defined_columns)
    attributes.emplace(d.name, LocalType(d.type));
  for (const SampledAttribute& a : sample.attributes) {
    const std::vector<OtsType> seen = a.TypesSeen();
    if (seen.empty()) continue;
    if (seen.size() > 1) {
      std::string kinds;
      for (OtsType t : seen) {
        kinds += (kinds.empty() ? "" : ", ") + std::string(OtsTypeName(t)) + " in " +
                 std::to_string(a.count(t)) + " rows";
      }
      notes->push_back("attribute \"" + a.name + "\" holds " + kinds + " of the sample; typed " +
                       LocalType(seen[0]).ToString() +
                       ", so import rejects the rows of the other kinds");
    }
    attributes.emplace(a.name, LocalType(seen[0]));
  }
  std::unordered_set<std::string> taken;
  for (const Field& f : spec->columns) taken.insert(AsciiLower(f.name));
  for (const auto& [ots_name, type] : attributes) {
    if (std::find(key_names.begin(), key_names.end(), ots_name) != key_names.end()) continue;
    spec->columns.push_back(Field{LocalName(ots_name, &taken, notes), type});
    spec->mapping_text += "," + ots_name;
  }
  notes->push_back(
      "sampled " + std::to_string(sample.rows) + " rows from " +
      std::to_string(sample.splits_sampled) + " of " + std::to_string(sample.splits) +
      " splits: " + std::to_string(spec->columns.size() - key_names.size()) +
      " attributes; an attribute that no sampled row carries (and no defined column names) is "
      "not in the spec");
  return Status::OK();
}

Status FromTable(const SpecInitOptions& options, JobSpec* spec, std::vector<std::string>* notes) {
  ConnectOptions connect;
  connect.endpoint_override = options.endpoint;
  connect.connections = 1;
  connect.request_timeout = options.request_timeout;
  connect.retry_deadline = options.retry_deadline;
  connect.auth = options.auth;
  TSB_ASSIGN_OR_RETURN(auto client, ConnectForSpec(*spec, connect));
  auto described = client->DescribeTable(options.table);
  if (!described.ok()) {
    if (described.status().ots_code() == "OTSObjectNotExist") {
      return Status::InvalidArgument("--table: table \"" + options.table +
                                     "\" does not exist in instance \"" + options.instance + "\"");
    }
    return described.status();
  }
  TSB_ASSIGN_OR_RETURN(JobSpec keys, SamplingSpec(spec->tablestore, described->meta, {}));
  spec->columns = keys.columns;
  spec->mapping_text = keys.mapping_text;
  return AddAttributes(client.get(), keys, described->meta, options.sample_rows, spec, notes);
}

// The spec parser judges every spec, this one too (and fills in what it derives); its paths are
// the flags' here.
Result<JobSpec> Checked(const JobSpec& spec) {
  auto parsed = ParseJobSpec(FormatJobSpec(spec));
  if (parsed.ok()) return parsed;
  std::string message = parsed.status().message();
  for (auto [path, flag] :
       {std::pair<std::string_view, std::string_view>{"tablestore.endpoint", "--endpoint"},
        {"tablestore.instance", "--instance"},
        {"tablestore.table", "--table"}}) {
    if (message.rfind(path, 0) == 0)
      return Status::InvalidArgument(std::string(flag) + message.substr(path.size()));
  }
  return Status::InvalidArgument("the starter spec: " + message);
}

}  // namespace

Result<SpecInit> BuildStarterSpec(const SpecInitOptions& options) {
  SpecInit out;
  JobSpec spec;
  spec.tablestore.endpoint = options.endpoint;
  spec.tablestore.instance = options.instance;
  spec.tablestore.table = options.table;
  spec.columns.push_back(Field{"id", DataType::Of(TypeId::kString)});
  spec.mapping_text = ":id";
  FileSpec file;
  file.path = options.table + ".parquet";
  spec.file = file;
  TSB_ASSIGN_OR_RETURN(out.spec, Checked(spec));
  if (!options.from_table) {
    out.notes.push_back(
        "a starter: replace columns and mapping with the table's primary key, in order, and the "
        "attributes to move, or run again with --from-table to read them off the table");
    return out;
  }
  TSB_RETURN_IF_ERROR(FromTable(options, &spec, &out.notes));
  TSB_ASSIGN_OR_RETURN(out.spec, Checked(spec));
  return out;
}

}  // namespace tsb::jobs
