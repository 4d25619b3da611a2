#include "jobs/table_sample.h"

#include <algorithm>
#include <unordered_map>

#include "jobs/job_common.h"
#include "tablestore/core_bridge.h"
#include "tablestore/table_scan_reader.h"

namespace tsb::jobs {

namespace {

std::string RowKeyText(const ots::Row& row) {
  std::vector<std::string_view> names;
  std::vector<OtsValueRef> values;
  for (const ots::Cell& cell : row.primary_key) {
    OtsValueRef ref;
    if (!cell.value.has_value() || !ots::FromWireValue(*cell.value, &ref)) continue;
    names.push_back(cell.name);
    values.push_back(ref);
  }
  return DescribeRowKey(names, values);
}

// What the sampled rows tell about attributes, gathered page by page before the rows convert.
class AttributeTally {
 public:
  AttributeTally(const JobSpec& spec, TableSample* out)
      : spec_(spec), out_(&out->attributes), rejects_(&out->column_rejects) {
    rejects_->assign(spec.columns.size(), ColumnRejects{});
    const auto& entries = spec.mapping.columns();
    for (size_t c = 0; c < entries.size(); ++c) {
      if (!entries[c].primary_key) mapped_.emplace(entries[c].ots_name, static_cast<int>(c));
    }
  }

  void Add(const ots::Row& row) {
    const auto& keys = spec_.mapping.key_columns();
    for (size_t k = 0; k < keys.size() && k < row.primary_key.size(); ++k) {
      Check(row, keys[k], row.primary_key[k]);
    }
    for (const ots::Cell& cell : row.attributes) {
      if (!cell.value.has_value()) continue;
      SampledAttribute& a = Get(cell.name);
      ++a.rows;
      if (auto it = mapped_.find(std::string(cell.name)); it != mapped_.end()) {
        Check(row, it->second, cell);
      }
      OtsValueRef ref;
      if (!ots::FromWireValue(*cell.value, &ref)) continue;
      if (ref.type == OtsType::kInteger) {
        if (a.count(OtsType::kInteger) == 0) {
          a.min_integer = a.max_integer = ref.i;
        } else {
          a.min_integer = std::min(a.min_integer, ref.i);
          a.max_integer = std::max(a.max_integer, ref.i);
        }
      }
      ++a.type_counts[static_cast<size_t>(ref.type)];
    }
  }

 private:
  SampledAttribute& Get(std::string_view name) {
    auto it = index_.find(std::string(name));
    if (it != index_.end()) return (*out_)[it->second];
    index_.emplace(std::string(name), out_->size());
    out_->push_back(SampledAttribute{std::string(name)});
    return out_->back();
  }

  // Whether spec column c can hold the cell's value, as the reader's conversion judges it.
  void Check(const ots::Row& row, int c, const ots::Cell& cell) {
    if (!cell.value.has_value()) return;
    OtsValueRef ref;
    std::string_view stored = "UNKNOWN";
    Status s = Status::InvalidArgument("the stored value has no data type");
    if (ots::FromWireValue(*cell.value, &ref)) {
      stored = OtsTypeName(ref.type);
      ConvertedValue converted;
      s = ConvertOtsValue(ref, spec_.columns[c].type, &converted);
    }
    if (s.ok()) return;
    ColumnRejects& r = (*rejects_)[c];
    if (r.values++ == 0) {
      r.first = SampledReject{c, RowKeyText(row), std::string(stored), s.message()};
    }
  }

  const JobSpec& spec_;
  std::vector<SampledAttribute>* out_;
  std::vector<ColumnRejects>* rejects_;
  std::unordered_map<std::string, int> mapped_;  // attribute name -> spec column
  std::unordered_map<std::string, size_t> index_;
};

// Which of n splits to read from: k of them, evenly spread, the first always among them.
std::vector<size_t> ChooseSplits(size_t n, size_t k) {
  k = std::max<size_t>(1, std::min(n, k));
  std::vector<size_t> chosen;
  for (size_t i = 0; i < k; ++i) chosen.push_back(i * n / k);
  return chosen;
}

}  // namespace

std::vector<OtsType> SampledAttribute::TypesSeen() const {
  std::vector<OtsType> types;
  for (size_t t = 0; t < type_counts.size(); ++t) {
    if (type_counts[t] > 0) types.push_back(static_cast<OtsType>(t));
  }
  std::stable_sort(types.begin(), types.end(),
                   [this](OtsType a, OtsType b) { return count(a) > count(b); });
  return types;
}

const SampledAttribute* TableSample::Find(std::string_view name) const {
  for (const SampledAttribute& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

Result<std::vector<KeyRange>> TableSplits(ots::Client* client, const std::string& table,
                                          int64_t split_size, int64_t unit_bytes) {
  ots::ComputeSplitsRequest request;
  request.table = table;
  request.split_size = split_size;
  request.split_size_unit_bytes = unit_bytes;
  ots::ComputeSplitsResult result;
  TSB_RETURN_IF_ERROR(client->ComputeSplitPointsBySize(request, &result));
  std::vector<KeyRange> splits;
  for (const ots::KeyRange& s : result.splits) {
    splits.push_back(KeyRange{ots::FromWireKey(s.start), ots::FromWireKey(s.end)});
  }
  return splits;
}

Result<JobSpec> SamplingSpec(const TablestoreSpec& base, const ots::TableMeta& meta,
                             const std::vector<Field>& attributes) {
  JobSpec spec;
  spec.tablestore = base;
  std::string mapping;
  for (const ots::PrimaryKeyColumn& k : meta.primary_key) {
    TypeId id = k.type == ots::PrimaryKeyType::kInteger  ? TypeId::kInt64
                : k.type == ots::PrimaryKeyType::kString ? TypeId::kString
                                                         : TypeId::kBinary;
    spec.columns.push_back(Field{k.name, DataType::Of(id)});
    mapping += (mapping.empty() ? ":" : ",:") + k.name;
  }
  for (const Field& a : attributes) {
    spec.columns.push_back(a);
    mapping += "," + a.name;
  }
  spec.mapping_text = mapping;
  TSB_ASSIGN_OR_RETURN(spec.mapping, ColumnMapping::Parse(mapping, spec.columns));
  return spec;
}

Result<TableSample> SampleTable(ots::Client* client, const JobSpec& spec,
                                const std::vector<std::string>& key_names,
                                const TableSampleOptions& options) {
  TableSample sample;
  std::vector<KeyRange> splits = options.splits;
  if (splits.empty()) {
    TSB_ASSIGN_OR_RETURN(splits, TableSplits(client, spec.tablestore.table));
  }
  sample.splits = splits.size();
  auto schema = std::make_shared<const Schema>(spec.schema());
  sample.batch = std::make_unique<RowBatch>(
      schema, static_cast<size_t>(std::clamp<int64_t>(options.max_rows, 1, 1 << 16)));
  if (options.max_rows <= 0) return sample;

  AttributeTally tally(spec, &sample);
  const std::vector<size_t> chosen = ChooseSplits(splits.size(), options.max_splits);
  ots::TableScanOptions scan;
  scan.table = spec.tablestore.table;
  scan.key_names = key_names;
  scan.spec = &spec;
  // Whole rows: the attributes the mapping does not name are what a typo is matched against.
  scan.columns_to_get.clear();
  scan.on_page = [&](const ots::GetRangeResult& page) -> Status {
    if (StopRequested()) return Status::Cancelled("stopped by a signal");
    sample.rows += static_cast<int64_t>(page.rows.size());
    for (const ots::Row& row : page.rows) tally.Add(row);
    return Status::OK();
  };
  scan.on_reject = [&](const ots::RejectedValue& reject) -> Status {
    sample.rejects.push_back(SampledReject{spec.FindColumn(reject.column.name),
                                           RowKeyText(reject.row), std::string(reject.stored_type),
                                           std::string(reject.reason)});
    return Status::OK();
  };
  RowBatch batch(schema);
  for (size_t i = 0; i < chosen.size() && sample.rows < options.max_rows; ++i) {
    // A split shorter than its share leaves the rest to the splits after it.
    const int64_t left = options.max_rows - sample.rows;
    const int64_t splits_left = static_cast<int64_t>(chosen.size() - i);
    ots::TableScanOptions part = scan;
    part.start = splits[chosen[i]].start;
    part.end = splits[chosen[i]].end;
    part.max_rows = (left + splits_left - 1) / splits_left;
    ots::TableScanReader reader(client, std::move(part), schema);
    for (;;) {
      TSB_RETURN_IF_ERROR(reader.Next(&batch));
      if (batch.num_rows() == 0) break;
      for (size_t r = 0; r < batch.num_rows(); ++r) sample.batch->AppendRow(batch, r);
    }
    ++sample.splits_sampled;
  }
  return sample;
}

}  // namespace tsb::jobs
