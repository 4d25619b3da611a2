#include "jobs/verify_job.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/predicate.h"
#include "core/scan_plan.h"
#include "core/value_text.h"
#include "formats/file_target.h"
#include "jobs/import_splits.h"
#include "jobs/verify_digest.h"
#include "tablestore/core_bridge.h"
#include "tablestore/table_scan_reader.h"
#include "tsbridge/convert.h"

namespace tsb::jobs {

namespace {

using Values = std::vector<std::optional<std::string>>;

Values RowTexts(const RowBatch& batch, size_t r) {
  Values values(batch.num_columns());
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    if (batch.column(c).IsNull(r)) continue;
    values[c].emplace();
    AppendValueText(batch.column(c), r, &*values[c]);
  }
  return values;
}

// A row of either side: the batch and row, the split its key falls in (-1: none), its
// canonical key bytes and its hash.
using RowVisit = std::function<Status(const RowBatch& batch, size_t r, int split,
                                      const std::string& key, uint64_t hash)>;

struct VerifyRun {
  VerifyRun(const VerifyOptions& o, VerifyReport* r) : options(o), report(r) {}

  Status Prepare();
  Status ReadFile(bool count_rejects, const RowVisit& visit);
  Status ScanTable(size_t split, const RowVisit& visit);
  Status Digest();
  Status Detail(const std::vector<size_t>& group);
  Status FillFileValues();
  void NoteUnreadable(std::string reason) {
    std::lock_guard<std::mutex> lock(mu);
    if (report->first_unreadable.empty()) report->first_unreadable = std::move(reason);
  }

  const VerifyOptions& options;
  VerifyReport* report;
  JobSpec spec;
  FileTarget input;
  std::optional<Predicate> where;
  std::unique_ptr<ots::Client> client;
  ScanPlan plan;
  std::vector<ScanTask> tasks;
  std::optional<SplitLocator> locator;
  std::shared_ptr<const Schema> schema;
  ots::TableScanOptions scan;
  std::atomic<int64_t> table_unreadable{0};
  std::atomic<int64_t> table_rows_read{0};
  std::mutex mu;
};

Status VerifyRun::Prepare() {
  JobSpecOptions spec_options;
  spec_options.require_file = options.input.empty();
  TSB_ASSIGN_OR_RETURN(spec, LoadJobSpec(options.spec_path, spec_options));
  TSB_ASSIGN_OR_RETURN(input, ResolveInputTarget(options.input, options.format, spec.file));
  if (input.path == "-") {
    // The file is read again for the rows of the splits that differ: stdin cannot be.
    return Status::InvalidArgument(
        "--input: verify reads the file more than once; stdin cannot "
        "be verified, save it to a file first");
  }
  if (!options.where.empty()) {
    TSB_ASSIGN_OR_RETURN(Predicate parsed, Predicate::Parse(options.where, spec.columns));
    where.emplace(std::move(parsed));
  }
  TSB_ASSIGN_OR_RETURN(
      client, ConnectForSpec(spec, {options.endpoint, options.parallel, options.request_timeout,
                                    options.retry_deadline, options.auth, AccessNeed::kImport}));
  TSB_ASSIGN_OR_RETURN(ots::TableDescription table, DescribeAndCheck(client.get(), spec));
  (void)table;
  TSB_ASSIGN_OR_RETURN(plan, PlanScan(where ? &*where : nullptr, spec.columns, spec.mapping));
  if (!plan.empty()) {
    ImportOptions split_options;
    split_options.parallel = options.parallel;
    split_options.quiet = options.quiet;
    split_options.split_unit_bytes_for_test = options.split_unit_bytes_for_test;
    std::string fingerprint;
    TSB_ASSIGN_OR_RETURN(
        tasks, PlanSplits(client.get(), spec.tablestore.table, plan, split_options, &fingerprint));
  }
  std::vector<KeyRange> ranges;
  for (const ScanTask& t : tasks) ranges.push_back(KeyRange{t.start, t.end});
  locator.emplace(std::move(ranges));
  schema = std::make_shared<const Schema>(spec.schema());

  scan.table = spec.tablestore.table;
  scan.key_names = plan.key_names;
  scan.columns_to_get = ots::TableScanReader::ColumnsToGet(spec, plan.key_names);
  if (plan.filter) scan.filter = ots::ToWireFilter(*plan.filter);
  scan.spec = &spec;
  scan.on_page = [this](const ots::GetRangeResult& page) -> Status {
    if (StopRequested()) return Status::Cancelled("stopped by a signal");
    table_rows_read += static_cast<int64_t>(page.rows.size());
    return Status::OK();
  };
  scan.on_reject = [this](const ots::RejectedValue& reject) -> Status {
    table_unreadable.fetch_add(1);
    NoteUnreadable("table: column \"" + reject.column.name + "\" (stored " +
                   std::string(reject.stored_type) + "): " + std::string(reject.reason));
    return Status::OK();
  };

  report->table = spec.tablestore.table;
  report->input = input.path;
  for (const Field& f : spec.columns) {
    report->column_names.push_back(f.name);
    const TypeId id = f.type.id;
    report->quoted.push_back(!(f.type.is_integer() || id == TypeId::kDouble ||
                               id == TypeId::kFloat || id == TypeId::kDecimal ||
                               id == TypeId::kBoolean));
  }
  report->key_columns = spec.mapping.key_columns();
  report->splits.resize(tasks.size() + 1);
  for (size_t i = 0; i < tasks.size(); ++i) {
    report->splits[i].range = KeyRange{tasks[i].start, tasks[i].end}.ToString();
  }
  report->splits.back().range = "outside the scanned key ranges";
  return Status::OK();
}

// The file through export's reader, --where applied locally (the whole predicate: the same rows
// as the table side's key ranges, server filter and residue keep).
Status VerifyRun::ReadFile(bool count_rejects, const RowVisit& visit) {
  ReaderOptions reader_options = TargetReaderOptions(input);
  reader_options.columns = spec.columns;
  TSB_ASSIGN_OR_RETURN(std::unique_ptr<BatchReader> reader, OpenReader(reader_options));
  for (const Field& f : spec.columns) {
    if (reader->schema().Find(f.name) < 0) {
      return Status::InvalidArgument(input.path + ": the input has no column \"" + f.name +
                                     "\" (verify compares every column of the spec)");
    }
  }
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    // The readers yield the asked columns in the asked order; the comparison relies on it.
    if (reader->schema().size() != spec.columns.size() ||
        reader->schema().field(c).name != spec.columns[c].name) {
      return Status::Internal(input.path + ": the reader's columns are not the spec's");
    }
  }
  RowBatch batch(schema);
  std::optional<PredicateEvaluator> evaluator;
  if (where) evaluator.emplace(&*where);
  std::vector<uint32_t> selected;
  RowCanon canon(spec);
  std::string key;
  std::string scratch;
  std::vector<KeyBound> bounds(canon.key_columns().size());
  for (;;) {
    if (StopRequested()) return Status::Cancelled("stopped by a signal");
    TSB_RETURN_IF_ERROR(reader->Next(&batch));
    if (count_rejects) {
      for (const RejectedRecord& rec : batch.rejects()) {
        report->file_unreadable++;
        NoteUnreadable(input.path + ": record at " + std::to_string(rec.position) + ": " +
                       rec.message);
      }
    }
    if (batch.num_rows() == 0 && batch.rejects().empty()) return Status::OK();
    if (evaluator) {
      TSB_RETURN_IF_ERROR(evaluator->Evaluate(batch, &selected));
    } else {
      selected.resize(batch.num_rows());
      for (size_t r = 0; r < batch.num_rows(); ++r) selected[r] = static_cast<uint32_t>(r);
    }
    for (uint32_t r : selected) {
      int split = -1;
      bool key_ok = true;
      for (size_t k = 0; k < bounds.size() && key_ok; ++k) {
        const Column& column = batch.column(canon.key_columns()[k]);
        OtsValueRef ref;
        key_ok = !column.IsNull(r) && ColumnValueToOts(column, r, &scratch, &ref).ok();
        if (key_ok) bounds[k] = KeyBound::Of(OtsValue::FromRef(ref));
      }
      if (key_ok) split = locator->Find(bounds);
      const uint64_t hash = canon.Encode(batch, r, &key);
      TSB_RETURN_IF_ERROR(visit(batch, r, split, key, hash));
    }
  }
}

Status VerifyRun::ScanTable(size_t split, const RowVisit& visit) {
  ots::TableScanOptions o = scan;
  o.start = tasks[split].start;
  o.end = tasks[split].end;
  ots::TableScanReader reader(client.get(), std::move(o), schema);
  RowBatch batch(schema);
  std::optional<PredicateEvaluator> evaluator;
  if (plan.residue) evaluator.emplace(&*plan.residue);
  std::vector<uint32_t> selected;
  RowCanon canon(spec);
  std::string key;
  for (;;) {
    TSB_RETURN_IF_ERROR(reader.Next(&batch));
    if (batch.num_rows() == 0) return Status::OK();
    if (evaluator) {
      TSB_RETURN_IF_ERROR(evaluator->Evaluate(batch, &selected));
    } else {
      selected.resize(batch.num_rows());
      for (size_t r = 0; r < batch.num_rows(); ++r) selected[r] = static_cast<uint32_t>(r);
    }
    for (uint32_t r : selected) {
      const uint64_t hash = canon.Encode(batch, r, &key);
      TSB_RETURN_IF_ERROR(visit(batch, r, static_cast<int>(split), key, hash));
    }
  }
}

// The first pass: every split's digest from both sides, the file read while --parallel scanners
// read the table's splits, as import reads them.
Status VerifyRun::Digest() {
  const size_t n = tasks.size();
  std::vector<SplitDigest> table(n + 1), file(n + 1);
  Status file_status;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::thread file_thread([&] {
    file_status =
        ReadFile(true, [&](const RowBatch&, size_t, int split, const std::string&, uint64_t hash) {
          file[split < 0 ? n : static_cast<size_t>(split)].Add(hash);
          return Status::OK();
        });
    if (!file_status.ok()) failed.store(true);  // the scanners stop before their next split
  });
  std::vector<Status> errors(n);
  auto scanner = [&] {
    for (size_t i; !failed.load() && (i = next.fetch_add(1)) < n;) {
      errors[i] =
          ScanTable(i, [&](const RowBatch&, size_t, int, const std::string&, uint64_t hash) {
            table[i].Add(hash);
            return Status::OK();
          });
      if (!errors[i].ok()) failed.store(true);
    }
  };
  std::vector<std::thread> scanners;
  const size_t threads = std::min(n, static_cast<size_t>(std::max(1, options.parallel)));
  for (size_t t = 0; t < threads; ++t) scanners.emplace_back(scanner);
  for (std::thread& t : scanners) t.join();
  file_thread.join();
  for (const Status& s : errors) TSB_RETURN_IF_ERROR(s);
  TSB_RETURN_IF_ERROR(file_status);
  for (size_t i = 0; i <= n; ++i) {
    VerifySplit& s = report->splits[i];
    s.table_rows = table[i].rows;
    s.file_rows = file[i].rows;
    s.differs = !(table[i] == file[i]);
    report->table_rows += table[i].rows;
    report->file_rows += file[i].rows;
  }
  report->table_unreadable = table_unreadable.load();
  return Status::OK();
}

// The splits of `group` key by key: the file's (key, hash) pairs, then the table's rows against
// them. Shown rows are the first of each split by key, until --show is reached.
Status VerifyRun::Detail(const std::vector<size_t>& group) {
  std::unordered_map<size_t, KeyedComparison> compare;
  for (size_t i : group) compare[i];
  const size_t outside = tasks.size();
  TSB_RETURN_IF_ERROR(ReadFile(
      false, [&](const RowBatch&, size_t, int split, const std::string& key, uint64_t hash) {
        auto it = compare.find(split < 0 ? outside : static_cast<size_t>(split));
        if (it != compare.end()) it->second.AddFile(key, hash);
        return Status::OK();
      }));
  for (size_t i : group) {
    VerifySplit& split = report->splits[i];
    const size_t budget = static_cast<size_t>(options.show) - report->shown.size();
    std::vector<VerifyRowDiff> diffs;
    if (i != outside) {
      TSB_RETURN_IF_ERROR(ScanTable(
          i, [&](const RowBatch& batch, size_t r, int, const std::string& key, uint64_t hash) {
            const KeyedComparison::Match m = compare[i].MatchTable(key, hash);
            if (m == KeyedComparison::Match::kEqual) return Status::OK();
            const bool missing = m == KeyedComparison::Match::kMissing;
            ++(missing ? split.missing : split.changed);
            if (diffs.size() < budget) {
              VerifyRowDiff d;
              d.kind = missing ? VerifyRowDiff::Kind::kMissing : VerifyRowDiff::Kind::kChanged;
              d.split = i;
              d.key = key;
              d.table_values = RowTexts(batch, r);
              for (int c : report->key_columns) d.key_texts.push_back(d.table_values[c]);
              diffs.push_back(std::move(d));
            }
            return Status::OK();
          }));
    }
    std::vector<std::string> extras = compare[i].TakeExtras();
    split.extra = static_cast<int64_t>(extras.size());
    for (size_t e = 0; e < extras.size() && e < budget; ++e) {
      VerifyRowDiff d;
      d.kind = VerifyRowDiff::Kind::kExtra;
      d.split = i;
      d.key = std::move(extras[e]);
      diffs.push_back(std::move(d));
    }
    // The table's rows came in key order and the extras sorted: the first `budget` of the merge.
    std::stable_sort(diffs.begin(), diffs.end(),
                     [](const VerifyRowDiff& a, const VerifyRowDiff& b) { return a.key < b.key; });
    if (diffs.size() > budget) diffs.resize(budget);
    for (VerifyRowDiff& d : diffs) report->shown.push_back(std::move(d));
    compare.erase(i);
  }
  return Status::OK();
}

// The file's values of the shown extra and changed rows.
Status VerifyRun::FillFileValues() {
  std::unordered_map<std::string, std::vector<size_t>> wanted;
  for (size_t i = 0; i < report->shown.size(); ++i) {
    if (report->shown[i].kind != VerifyRowDiff::Kind::kMissing) {
      wanted[report->shown[i].key].push_back(i);
    }
  }
  if (wanted.empty()) return Status::OK();
  return ReadFile(
      false, [&](const RowBatch& batch, size_t r, int split, const std::string& key, uint64_t) {
        auto it = wanted.find(key);
        if (it == wanted.end()) return Status::OK();
        const size_t s = split < 0 ? tasks.size() : static_cast<size_t>(split);
        for (size_t i : it->second) {
          VerifyRowDiff& d = report->shown[i];
          if (d.split != s || !d.file_values.empty()) continue;
          d.file_values = RowTexts(batch, r);
          if (d.key_texts.empty()) {
            for (int c : report->key_columns) d.key_texts.push_back(d.file_values[c]);
          }
          break;  // a duplicated key: its next copy fills the next shown row of that key
        }
        return Status::OK();
      });
}

}  // namespace

Status RunVerify(const VerifyOptions& options, VerifyReport* report, JobSummary* summary) {
  const auto started = std::chrono::steady_clock::now();
  if (options.parallel < 1) return Status::InvalidArgument("--parallel must be at least 1");
  if (options.show < 0) return Status::InvalidArgument("--show must be 0 or more");
  VerifyRun run(options, report);
  SummaryOnReturn on_return(summary, started, [&](JobSummary* s) {
    s->rows_read = report->table_rows + report->file_rows;
    const ots::ClientStats stats = run.client ? run.client->stats() : ots::ClientStats{};
    s->read_cu = stats.read_cu;
    s->requests = static_cast<int64_t>(stats.requests);
    s->retries = static_cast<int64_t>(stats.retries);
    s->bytes_read = FileSize(report->input);
    s->splits = static_cast<int64_t>(run.tasks.size());
  });
  TSB_RETURN_IF_ERROR(run.Prepare());
  TSB_RETURN_IF_ERROR(run.Digest());
  std::vector<size_t> group;
  int64_t group_rows = 0;
  for (size_t i = 0; i < report->splits.size(); ++i) {
    if (!report->splits[i].differs) continue;
    if (!group.empty() &&
        group_rows + report->splits[i].table_rows > options.detail_rows_per_pass) {
      TSB_RETURN_IF_ERROR(run.Detail(group));
      group.clear();
      group_rows = 0;
    }
    group.push_back(i);
    group_rows += report->splits[i].table_rows;
  }
  if (!group.empty()) TSB_RETURN_IF_ERROR(run.Detail(group));
  TSB_RETURN_IF_ERROR(run.FillFileValues());
  report->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return Status::OK();
}

}  // namespace tsb::jobs
