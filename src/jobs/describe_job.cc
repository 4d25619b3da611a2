#include "jobs/describe_job.h"

#include "jobs/job_common.h"
#include "jobs/table_sample.h"
#include "tablestore/endpoint.h"

namespace tsb::jobs {

namespace {

Result<std::unique_ptr<ots::Client>> Connect(const DescribeOptions& options, const JobSpec& spec,
                                             std::string* identity) {
  ConnectOptions connect;
  connect.endpoint_override = options.endpoint;
  connect.connections = 1;
  connect.request_timeout = options.request_timeout;
  connect.retry_deadline = options.retry_deadline;
  connect.auth = options.auth;
  return ConnectForSpec(spec, connect, identity);
}

// Where a MaxCompute external table over this table points: the spec's location, else the
// endpoint's host when it is a Tablestore service host; empty for the emulator or a proxy.
std::string MaxComputeLocation(const JobSpec& spec) {
  if (!spec.tablestore.location.empty()) return spec.tablestore.location;
  auto endpoint = ots::ParseEndpoint(spec.tablestore.endpoint);
  if (!endpoint.ok() || !ots::ParseServiceHost(endpoint->host)) return "";
  return "tablestore://" + endpoint->host;
}

// The size from ComputeSplitPointsBySize: the splits at 256 MiB, and the finest upper bound of
// the bytes (a one-split table is asked again in 1 MiB splits).
Status Size(ots::Client* client, const std::string& table, std::vector<KeyRange>* splits,
            DescribeReport* report) {
  TSB_ASSIGN_OR_RETURN(*splits, TableSplits(client, table));
  report->splits = static_cast<int64_t>(splits->size());
  report->estimated_bytes_at_most = report->splits << 28;
  if (splits->size() == 1) {
    TSB_ASSIGN_OR_RETURN(std::vector<KeyRange> small, TableSplits(client, table, 1, 1 << 20));
    report->estimated_bytes_at_most = static_cast<int64_t>(small.size()) << 20;
  }
  return Status::OK();
}

// The spec a sample is read with: the user's when its keys are right (then the sample's rejects
// are exactly import's), else the table's key and the spec's attribute entries that are not
// key columns.
Result<JobSpec> SampleSpecFor(const JobSpec& spec, const ots::TableMeta& meta, bool keys_ok) {
  if (keys_ok) return spec;
  std::vector<Field> attributes;
  for (int c : spec.mapping.attribute_columns()) {
    const std::string& name = spec.mapping.columns()[c].ots_name;
    bool is_key = false;
    for (const ots::PrimaryKeyColumn& k : meta.primary_key) is_key = is_key || k.name == name;
    if (!is_key) attributes.push_back(Field{name, spec.columns[c].type});
  }
  return SamplingSpec(spec.tablestore, meta, attributes);
}

Status Describe(const DescribeOptions& options, DescribeReport* report, std::string* identity) {
  if (options.sample < 0) return Status::InvalidArgument("--sample: expected N >= 0");
  TSB_ASSIGN_OR_RETURN(JobSpec spec, LoadJobSpec(options.spec_path));
  TSB_ASSIGN_OR_RETURN(std::unique_ptr<ots::Client> client, Connect(options, spec, identity));
  report->endpoint = client->endpoint();
  report->instance = client->instance();
  report->table = spec.tablestore.table;
  report->region = spec.tablestore.region;
  report->role_arn = spec.tablestore.role_arn;
  report->mapping_text = spec.mapping.ToString();
  report->location = MaxComputeLocation(spec);
  auto described = client->DescribeTable(spec.tablestore.table);
  if (!described.ok()) {
    if (described.status().ots_code() == "OTSObjectNotExist") {
      return Status::InvalidArgument("tablestore.table: table \"" + spec.tablestore.table +
                                     "\" does not exist in instance \"" + client->instance() +
                                     "\" (describe --list-tables lists its tables)");
    }
    return described.status();
  }
  report->description = std::move(described).value();
  const ots::TableMeta& meta = report->description.meta;
  std::vector<KeyRange> splits;
  TSB_RETURN_IF_ERROR(Size(client.get(), spec.tablestore.table, &splits, report));

  report->findings = JudgeKeys(spec, meta);
  const bool keys_ok = report->findings.empty();
  report->sample_requested = options.sample;
  std::optional<TableSample> sample;
  if (options.sample > 0) {
    TSB_ASSIGN_OR_RETURN(JobSpec sample_spec, SampleSpecFor(spec, meta, keys_ok));
    std::vector<std::string> key_names;
    for (const ots::PrimaryKeyColumn& k : meta.primary_key) key_names.push_back(k.name);
    TableSampleOptions sample_options;
    sample_options.max_rows = options.sample;
    sample_options.splits = splits;
    TSB_ASSIGN_OR_RETURN(sample, SampleTable(client.get(), sample_spec, key_names, sample_options));
    for (Finding& f : JudgeAttributes(spec, meta, sample_spec, *sample)) {
      report->findings.push_back(std::move(f));
    }
    report->sample_rows = sample->rows;
    report->splits_sampled = static_cast<int64_t>(sample->splits_sampled);
    report->sample_attributes = sample->attributes;
  }
  report->mapping = MappingLines(spec, meta, sample ? &*sample : nullptr);
  return Status::OK();
}

}  // namespace

Status RunDescribe(const DescribeOptions& options, DescribeReport* report) {
  std::string identity;
  return NameCredentials(Describe(options, report, &identity), identity);
}

Result<std::vector<std::string>> ListTables(const DescribeOptions& options) {
  TSB_ASSIGN_OR_RETURN(JobSpec spec, LoadJobSpec(options.spec_path));
  std::string identity;
  TSB_ASSIGN_OR_RETURN(std::unique_ptr<ots::Client> client, Connect(options, spec, &identity));
  auto tables = client->ListTable();
  if (!tables.ok()) return NameCredentials(tables.status(), identity);
  return tables;
}

}  // namespace tsb::jobs
