#include "jobs/export_job.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tsbridge/convert.h"
#include "core/log.h"
#include "core/text_io.h"
#include "core/value_text.h"
#include "formats/csv/csv.h"
#include "formats/format.h"
#include "formats/jsonl/jsonl.h"
#include "jobs/reject_writer.h"
#include "tablestore/batch_writer.h"
#include "tablestore/core_bridge.h"
#include "tsbridge/tablestore/limits.h"
#include "tablestore/plainbuffer.h"

namespace tsb::jobs {

namespace {

constexpr uint64_t kFnvOffset = 1469598103934665603ull;

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = kFnvOffset;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// murmur3's 64-bit finalizer: every input bit reaches every output bit, so the share (the hash
// modulo N) no longer follows FNV-1a's low bits, which ignore the high bits of every byte.
uint64_t Fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// ---------------------------------------------------------------------------------------------
// Input and reject file locations.

struct InputTarget {
  std::string path;  // a file or "-"
  FileFormat format = FileFormat::kCsv;
  TextCompression compression = TextCompression::kNone;
  // What the path is when it is not a regular file ("a FIFO", ...); empty for a regular file, a
  // path that stat cannot see (opening it reports why) and stdin.
  std::string not_regular;
};

// stat, not open: opening a FIFO waits for a writer, and reading it consumes what the real pass
// needs.
std::string NotRegularFile(const std::string& path) {
  struct stat st;
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return "";
  if (S_ISFIFO(st.st_mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(st.st_mode)) return "a character device";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  if (S_ISDIR(st.st_mode)) return "a directory";
  return "not a regular file";
}

Result<InputTarget> ResolveInput(const ExportOptions& options, const JobSpec& spec) {
  InputTarget t;
  t.path = options.input.empty() ? spec.file->path : options.input;
  const bool file = t.path != "-";
  if (!options.format.empty()) {
    TSB_ASSIGN_OR_RETURN(t.format, ParseFormatName(options.format));
    TextCompression c = TextCompression::kNone;
    if (file && FormatFromPath(t.path, &c).ok()) t.compression = c;
  } else if (file && FormatFromPath(t.path, &t.compression).ok()) {
    TSB_ASSIGN_OR_RETURN(t.format, FormatFromPath(t.path, &t.compression));
  } else if (spec.file.has_value()) {
    TSB_ASSIGN_OR_RETURN(t.format, ParseFormatName(spec.file->format));
    if (spec.file->compression == "gzip") t.compression = TextCompression::kGzip;
    if (spec.file->compression == "zstd") t.compression = TextCompression::kZstd;
  } else {
    return Status::InvalidArgument("--input " + t.path +
                                   ": cannot tell the format; give --format parquet|csv|jsonl");
  }
  if (t.format == FileFormat::kParquet && t.path == "-") {
    return Status::InvalidArgument("--input -: Parquet cannot be read from stdin; give a file");
  }
  t.not_regular = NotRegularFile(t.path);
  if (t.format == FileFormat::kParquet && !t.not_regular.empty()) {
    return Status::InvalidArgument("--input " + t.path + ": Parquet is read from its footer " +
                                   "backwards and needs a regular file; this is " + t.not_regular);
  }
  return t;
}

// <stem>.rejects.<csv|jsonl> beside the input, where x.csv.gz has stem x (decisions 3).
std::string DefaultRejectsPath(const InputTarget& t) {
  if (t.path == "-") return "-";
  std::string stem = t.path;
  for (std::string_view ext : {".gz", ".zst"}) {
    if (stem.size() > ext.size() && stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0) {
      stem.resize(stem.size() - ext.size());
    }
  }
  size_t slash = stem.find_last_of('/');
  size_t dot = stem.find_last_of('.');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) stem.resize(dot);
  return stem + (t.format == FileFormat::kCsv ? ".rejects.csv" : ".rejects.jsonl");
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  return path != "-" && stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

// ---------------------------------------------------------------------------------------------
// Input rows -> WriteItems.

enum class EncodeOutcome { kOk, kReject, kSkip };

// Turns rows of the reader's batches into Tablestore writes. One per reader thread.
class RowEncoder {
 public:
  RowEncoder(const JobSpec& spec, const ExportOptions& options, const Schema& input_schema)
      : spec_(spec), options_(options) {
    const auto& entries = spec.mapping.columns();
    for (int c : spec.mapping.key_columns()) {
      keys_.push_back(Plan{c, input_schema.Find(spec.columns[c].name), &entries[c].ots_name});
    }
    for (int c : spec.mapping.attribute_columns()) {
      attributes_.push_back(Plan{c, input_schema.Find(spec.columns[c].name), &entries[c].ots_name});
    }
  }

  // Fills *item from row `r` of `batch`. kReject sets *code and *message; kSkip: another --shard.
  EncodeOutcome Encode(const RowBatch& batch, size_t r, ots::WriteItem* item, std::string* code,
                       std::string* message) {
    item->Reset();
    pending_.clear();
    for (const Plan& p : keys_) {
      const Column& column = batch.column(static_cast<size_t>(p.input));
      if (column.IsNull(r)) {
        *code = "TSB_NULL_KEY";
        *message = "column \"" + spec_.columns[p.spec].name + "\" (primary key " + *p.ots_name +
                   ") is NULL; a primary key needs a value";
        return EncodeOutcome::kReject;
      }
      if (!Add(p, column, r, /*key=*/true, item, code, message)) return EncodeOutcome::kReject;
    }
    if (options_.shard_count > 0) {
      // decisions 4 and 11: the partition key's value encoded as a filter's column_value.
      ots::Value v = pending_[0].value;
      if (pending_[0].has_bytes) {
        v.bytes = std::string_view(item->arena).substr(pending_[0].offset, pending_[0].length);
      }
      shard_scratch_.clear();
      ots::EncodeColumnValue(v, &shard_scratch_);
      if (ExportShardOf(shard_scratch_, options_.shard_count) != options_.shard_index - 1) {
        return EncodeOutcome::kSkip;
      }
    }
    for (const Plan& p : attributes_) {
      const Column& column = batch.column(static_cast<size_t>(p.input));
      if (column.IsNull(r)) {
        if (options_.nulls_delete && !options_.put_mode) {
          Pending& d = pending_.emplace_back();
          d.name = p.ots_name;
          d.key = false;
          d.delete_all = true;
        }
        continue;
      }
      if (!Add(p, column, r, /*key=*/false, item, code, message)) return EncodeOutcome::kReject;
    }

    // Views into the arena only now that it stops growing.
    ots::Row& row = item->row;
    const std::string& arena = item->arena;
    for (const Pending& p : pending_) {
      ots::Cell& cell = p.key ? row.primary_key.emplace_back() : row.attributes.emplace_back();
      cell.name = *p.name;
      if (p.delete_all) {
        cell.op = ots::CellOp::kDeleteAllVersions;
        continue;
      }
      ots::Value v = p.value;
      if (p.has_bytes) v.bytes = std::string_view(arena).substr(p.offset, p.length);
      cell.value = v;
    }
    if (options_.put_mode) {
      item->type = ots::WriteType::kPut;
    } else if (row.attributes.empty()) {
      // Nothing to change: make the row exist without touching an existing one (see header).
      item->type = ots::WriteType::kPut;
      item->condition.row_existence = ots::RowExistence::kExpectNotExist;
      item->condition_failure_is_success = !options_.if_absent;
    } else {
      item->type = ots::WriteType::kUpdate;
    }
    if (options_.if_absent) item->condition.row_existence = ots::RowExistence::kExpectNotExist;
    ots::EncodePrimaryKey(row.primary_key, &item->key);
    // Routes the row to a writer (modulo --parallel): mixed for the same reason as the shards.
    item->key_hash = Fmix64(Fnv1a(item->key));
    item->encoded_size = ots::EncodedSize(row);
    if (static_cast<int64_t>(item->encoded_size) > ots::kBatchWriteMaxBytes) {
      *code = "TSB_TOO_LARGE";
      *message = "the row encodes to " + std::to_string(item->encoded_size) +
                 " bytes; a write request carries at most " +
                 std::to_string(ots::kBatchWriteMaxBytes);
      return EncodeOutcome::kReject;
    }
    return EncodeOutcome::kOk;
  }

 private:
  struct Plan {
    int spec;   // spec column index
    int input;  // column index in the reader's batches
    const std::string* ots_name;
  };
  struct Pending {
    const std::string* name = nullptr;
    bool key = false;
    bool delete_all = false;
    ots::Value value;
    bool has_bytes = false;
    size_t offset = 0;
    size_t length = 0;
  };

  bool Add(const Plan& p, const Column& column, size_t r, bool key, ots::WriteItem* item,
           std::string* code, std::string* message) {
    OtsValueRef ref;
    Status s = ColumnValueToOts(column, r, &scratch_, &ref);
    if (!s.ok()) {
      *code = "TSB_BAD_VALUE";
      *message = "column \"" + spec_.columns[p.spec].name + "\": " + s.message();
      return false;
    }
    Pending& out = pending_.emplace_back();
    out.name = p.ots_name;
    out.key = key;
    out.value = ots::ToWireValue(ref);
    if (ref.type == OtsType::kString || ref.type == OtsType::kBinary) {
      const int64_t limit = key ? ots::kMaxPrimaryKeyValueBytes : ots::kMaxAttributeValueBytes;
      if (static_cast<int64_t>(ref.bytes.size()) > limit) {
        *code = "TSB_TOO_LARGE";
        *message = "column \"" + spec_.columns[p.spec].name + "\": a value of " +
                   std::to_string(ref.bytes.size()) + " bytes; Tablestore takes at most " +
                   std::to_string(limit) + (key ? " in a primary-key column" : " per cell");
        return false;
      }
      out.has_bytes = true;
      out.offset = item->arena.size();
      out.length = ref.bytes.size();
      item->arena.append(ref.bytes);
      out.value.bytes = {};
    }
    return true;
  }

  const JobSpec& spec_;
  const ExportOptions& options_;
  std::vector<Plan> keys_;
  std::vector<Plan> attributes_;
  std::vector<Pending> pending_;
  std::string scratch_;
  std::string shard_scratch_;
};

// ---------------------------------------------------------------------------------------------
// Items and queues between the reader thread and the writer threads.

class ItemPool {
 public:
  ots::WriteItem* Get() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        ots::WriteItem* item = free_.back();
        free_.pop_back();
        return item;
      }
    }
    auto owned = std::make_unique<ots::WriteItem>();
    ots::WriteItem* item = owned.get();
    std::lock_guard<std::mutex> lock(mu_);
    all_.push_back(std::move(owned));
    return item;
  }
  void Put(ots::WriteItem* item) {
    // A few huge rows must not pin their memory for the rest of the job.
    if (item->arena.capacity() > (1u << 20)) std::string().swap(item->arena);
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(item);
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<ots::WriteItem>> all_;
  std::vector<ots::WriteItem*> free_;
};

// A bounded queue of items for one writer thread, bounded by rows and by bytes.
class ItemQueue {
 public:
  static constexpr size_t kMaxItems = 4096;
  static constexpr int64_t kMaxBytes = 32 << 20;

  void Push(std::vector<ots::WriteItem*>* items) {
    int64_t bytes = 0;
    for (const ots::WriteItem* item : *items) bytes += static_cast<int64_t>(item->arena.size());
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(
        lock, [&] { return queue_.empty() || (queue_.size() < kMaxItems && bytes_ < kMaxBytes); });
    queue_.insert(queue_.end(), items->begin(), items->end());
    bytes_ += bytes;
    items->clear();
    not_empty_.notify_one();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  // Takes everything queued; false once closed and empty.
  bool PopAll(std::vector<ots::WriteItem*>* out) {
    out->clear();
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return false;
    out->assign(queue_.begin(), queue_.end());
    queue_.clear();
    bytes_ = 0;
    not_full_.notify_all();
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<ots::WriteItem*> queue_;
  int64_t bytes_ = 0;
  bool closed_ = false;
};

// ---------------------------------------------------------------------------------------------
// Reject records.

// The spec columns of a write item, back in their text forms (for the reject file).
std::vector<std::optional<std::string>> ItemValues(const JobSpec& spec, const ots::Row& row) {
  std::vector<std::optional<std::string>> values(spec.columns.size());
  const auto& entries = spec.mapping.columns();
  for (size_t c = 0; c < entries.size(); ++c) {
    const ots::Cell* cell = nullptr;
    for (const auto* cells : {&row.primary_key, &row.attributes}) {
      for (const ots::Cell& x : *cells) {
        if (x.name == entries[c].ots_name) cell = &x;
      }
    }
    OtsValueRef ref;
    if (cell == nullptr || !cell->value || !ots::FromWireValue(*cell->value, &ref)) continue;
    Column column(spec.columns[c].type);
    if (!AppendOtsValue(ref, &column).ok()) continue;
    values[c] = ValueText(column, 0);
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Dry run: where rows would land.

// Index of the split that holds `key`: the number of split points <= key.
size_t SplitIndex(const std::vector<ots::Row>& points, const std::vector<ots::Cell>& key) {
  auto less_equal = [&](const ots::Row& point) {
    for (size_t i = 0; i < point.primary_key.size() && i < key.size(); ++i) {
      const ots::Value& pv = *point.primary_key[i].value;
      if (pv.type == ots::ValueType::kInfMin) return true;
      if (pv.type == ots::ValueType::kInfMax) return false;
      OtsValueRef a, b;
      if (!ots::FromWireValue(pv, &a) || !ots::FromWireValue(*key[i].value, &b)) return true;
      int c = CompareOtsValues(a, b);
      if (c != 0) return c < 0;
    }
    return true;  // equal on the point's columns; omitted ones are INF_MIN
  };
  size_t lo = 0, hi = points.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (less_equal(points[mid])) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

std::string DescribePoint(const ots::Row& point) {
  std::string out = "(";
  for (size_t i = 0; i < point.primary_key.size(); ++i) {
    if (i > 0) out += ", ";
    OtsValueRef ref;
    if (point.primary_key[i].value && ots::FromWireValue(*point.primary_key[i].value, &ref)) {
      out += FormatOtsValue(ref);
    } else {
      out += "INF";
    }
  }
  return out + ")";
}

// ---------------------------------------------------------------------------------------------
// The table.

Result<ots::TableDescription> PrepareTable(ots::Client* client, const JobSpec& spec,
                                           const ExportOptions& options, bool* would_create) {
  *would_create = false;
  auto described = client->DescribeTable(spec.tablestore.table);
  if (described.ok()) return DescribeAndCheck(client, spec);
  if (described.status().ots_code() != "OTSObjectNotExist" || !options.create_table) {
    // A missing table is worded for the user by DescribeAndCheck; anything else (a dead
    // endpoint, say) is not asked twice.
    if (described.status().ots_code() != "OTSObjectNotExist") {
      return described.status();
    }
    return DescribeAndCheck(client, spec);
  }
  ots::CreateTableRequest create;
  create.meta.name = spec.tablestore.table;
  for (int c : spec.mapping.key_columns()) {
    const MappedColumn& m = spec.mapping.columns()[c];
    ots::PrimaryKeyColumn& pk = create.meta.primary_key.emplace_back();
    pk.name = m.ots_name;
    pk.type = m.ots_type == OtsType::kInteger  ? ots::PrimaryKeyType::kInteger
              : m.ots_type == OtsType::kBinary ? ots::PrimaryKeyType::kBinary
                                               : ots::PrimaryKeyType::kString;
  }
  if (create.meta.primary_key.empty() ||
      create.meta.primary_key.size() > static_cast<size_t>(ots::kMaxPrimaryKeyColumns)) {
    return Status::InvalidArgument(
        "--create-table: the mapping must mark 1 to 4 primary-key "
        "columns with ':'");
  }
  if (options.dry_run) {
    *would_create = true;
    ots::TableDescription d;
    d.meta = create.meta;
    return d;
  }
  create.options.time_to_live = -1;
  create.options.max_versions = 1;
  TSB_RETURN_IF_ERROR(client->CreateTable(create).WithContext("--create-table"));
  if (!options.quiet) {
    log::Printf(log::Level::kInfo, "export: created table \"%s\"\n", spec.tablestore.table.c_str());
  }
  return DescribeAndCheck(client, spec);
}

// A JSON Lines file names its columns only line by line: check that the spec's columns appear
// in the first lines before anything is written (stdin cannot be read twice; it is not checked).
Status CheckJsonlColumns(const InputTarget& input, const JobSpec& spec) {
  if (input.path == "-" || !input.not_regular.empty()) return Status::OK();
  ReaderOptions peek;
  peek.path = input.path;
  peek.format = FileFormat::kJsonl;
  peek.compression = input.compression;
  TSB_ASSIGN_OR_RETURN(auto reader, OpenReader(peek));
  RowBatch batch(std::make_shared<const Schema>(reader->schema()), 1);
  TSB_RETURN_IF_ERROR(reader->Next(&batch));
  if (batch.num_rows() == 0 && batch.rejects().empty()) return Status::OK();  // empty input
  // The reader infers its keys from the first MiB; a first line longer than that leaves none.
  if (reader->schema().size() == 0) return Status::OK();
  for (const Field& f : spec.columns) {
    if (reader->schema().Find(f.name) < 0) {
      return Status::InvalidArgument(input.path + ": the spec's column \"" + f.name +
                                     "\" is not a key of the input's first lines");
    }
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// --scatter (decisions 4): byte ranges of an uncompressed CSV / JSON Lines file, cut at record
// starts where the primary key changes, read at once by one reader and one writer each.

// The header of a CSV range reader, then the range.
class PrefixedStream : public InputStream {
 public:
  PrefixedStream(std::string prefix, std::unique_ptr<InputStream> rest)
      : InputStream(rest->name()), prefix_(std::move(prefix)), rest_(std::move(rest)) {}
  Result<size_t> Read(char* dst, size_t n) override {
    if (pos_ < prefix_.size()) {
      size_t k = std::min(n, prefix_.size() - pos_);
      std::memcpy(dst, prefix_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return rest_->Read(dst, n);
  }

 private:
  std::string prefix_;
  size_t pos_ = 0;
  std::unique_ptr<InputStream> rest_;
};

struct ScatterRange {
  uint64_t begin = 0;  // CSV / JSON Lines: the bytes of the range
  uint64_t end = 0;
  int64_t line_offset = 0;  // added to the range reader's line numbers
  // Parquet: the rows of the range, by 1-based row number. The reader cannot seek to a row group
  // yet, so each range reader decodes the file from its start and keeps only these rows.
  int64_t first_row = 0;
  int64_t end_row = INT64_MAX;
};

struct ScatterPlan {
  bool ordered = true;
  int64_t unordered_line = 0;  // the first record whose key is smaller than the one before
  std::string header;          // CSV: the header line, given to every range reader
  std::vector<ScatterRange> ranges;
};

// Byte offsets where the given physical lines (ascending, 1-based) start. CSV counts LF, CRLF and
// a lone CR as one line break each (as the CSV reader does); JSON Lines counts LF.
Result<std::vector<uint64_t>> LineOffsets(const std::string& path, bool csv,
                                          const std::vector<int64_t>& lines) {
  std::vector<uint64_t> out;
  TSB_ASSIGN_OR_RETURN(auto in, InputStream::Open(path, StreamCompression::kNone));
  std::vector<char> buf(InputStream::kBlockSize);
  int64_t line = 1;
  uint64_t offset = 0;
  bool pending_cr = false;  // a CR ended the previous block
  size_t next = 0;
  while (next < lines.size() && lines[next] <= line) {
    out.push_back(0);
    ++next;
  }
  for (;;) {
    TSB_ASSIGN_OR_RETURN(size_t n, in->Read(buf.data(), buf.size()));
    if (n == 0) break;
    for (size_t i = 0; i < n && next < lines.size(); ++i) {
      char c = buf[i];
      bool brk = false;
      uint64_t start = offset + i + 1;  // where the next line starts if this byte ends one
      if (pending_cr) {
        pending_cr = false;
        if (c != '\n') {  // the CR alone was the break; this byte starts the line
          ++line;
          while (next < lines.size() && lines[next] <= line) {
            out.push_back(offset + i);
            ++next;
          }
        }
      }
      if (c == '\n') {
        brk = true;
      } else if (c == '\r' && csv) {
        if (i + 1 < n) {
          brk = buf[i + 1] != '\n';
        } else {
          pending_cr = true;
        }
      }
      if (brk) {
        ++line;
        while (next < lines.size() && lines[next] <= line) {
          out.push_back(start);
          ++next;
        }
      }
    }
    offset += n;
    if (next == lines.size()) break;
  }
  while (out.size() < lines.size()) out.push_back(offset);
  return out;
}

// A first pass over the key columns: is the input in key order, and where can it be cut into
// `parts` ranges without splitting a run of equal keys?
Result<ScatterPlan> PlanScatter(const InputTarget& input, const JobSpec& spec, int parts) {
  ScatterPlan plan;
  ReaderOptions ro;
  ro.path = input.path;
  ro.format = input.format;
  const auto& key_columns = spec.mapping.key_columns();
  for (int c : key_columns) ro.columns.push_back(spec.columns[c]);
  TSB_ASSIGN_OR_RETURN(auto reader, OpenReader(ro));
  RowBatch batch(std::make_shared<const Schema>(reader->schema()));
  const size_t nkeys = key_columns.size();
  std::vector<OtsValue> prev(nkeys);
  std::vector<OtsValueRef> cur(nkeys);
  std::vector<std::string> scratch(nkeys);
  bool have_prev = false;
  std::vector<std::pair<int64_t, int64_t>> changes;  // (row, line) where a new key starts
  int64_t row = 0;
  for (;;) {
    TSB_RETURN_IF_ERROR(reader->Next(&batch));
    if (batch.num_rows() == 0 && batch.rejects().empty()) break;
    const auto& positions = batch.positions();
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      bool usable = true;
      for (size_t k = 0; k < nkeys && usable; ++k) {
        const Column& column = batch.column(k);
        usable = !column.IsNull(r) && ColumnValueToOts(column, r, &scratch[k], &cur[k]).ok();
      }
      if (!usable) continue;  // rejected in the real pass
      const int64_t line = positions.size() > r ? positions[r] : 0;
      int cmp = 1;
      if (have_prev) {
        cmp = 0;
        for (size_t k = 0; k < nkeys && cmp == 0; ++k)
          cmp = CompareOtsValues(cur[k], prev[k].ref());
      }
      if (cmp < 0) {
        plan.ordered = false;
        plan.unordered_line = line;
        return plan;
      }
      if (cmp > 0) changes.emplace_back(row, line);
      for (size_t k = 0; k < nkeys; ++k) {
        prev[k].type = cur[k].type;
        prev[k].i = cur[k].i;
        prev[k].d = cur[k].d;
        prev[k].b = cur[k].b;
        prev[k].bytes.assign(cur[k].bytes);
      }
      have_prev = true;
      ++row;
    }
  }
  const bool csv = input.format == FileFormat::kCsv;
  const bool parquet = input.format == FileFormat::kParquet;
  std::vector<int64_t> cut_lines;
  for (int i = 1; i < parts; ++i) {
    const int64_t target = row * i / parts;
    auto it = std::lower_bound(changes.begin(), changes.end(), std::make_pair(target, int64_t{0}));
    if (it == changes.end() || it->first == 0) continue;
    if (!cut_lines.empty() && it->second <= cut_lines.back()) continue;
    cut_lines.push_back(it->second);
  }
  if (parquet) {
    int64_t first = 1;
    for (size_t i = 0; i <= cut_lines.size(); ++i) {
      ScatterRange range;
      range.first_row = first;
      range.end_row = i < cut_lines.size() ? cut_lines[i] : INT64_MAX;
      plan.ranges.push_back(range);
      if (i < cut_lines.size()) first = cut_lines[i];
    }
    return plan;
  }
  std::vector<int64_t> wanted = cut_lines;
  if (csv) wanted.insert(wanted.begin(), 2);  // the header is line 1
  TSB_ASSIGN_OR_RETURN(std::vector<uint64_t> offsets, LineOffsets(input.path, csv, wanted));
  TSB_ASSIGN_OR_RETURN(uint64_t size, InputStream::FileSize(input.path));
  uint64_t begin = 0;
  if (csv) {
    begin = offsets[0];
    offsets.erase(offsets.begin());
    TSB_ASSIGN_OR_RETURN(auto in, InputStream::OpenRange(input.path, 0, begin));
    plan.header.resize(begin);
    size_t got = 0;
    while (got < begin) {
      TSB_ASSIGN_OR_RETURN(size_t n, in->Read(plan.header.data() + got, begin - got));
      if (n == 0) break;
      got += n;
    }
    plan.header.resize(got);
  }
  const int64_t first_line = csv ? 2 : 1;  // what a range reader calls its first record's line
  int64_t begin_line = first_line;
  for (size_t i = 0; i <= offsets.size(); ++i) {
    ScatterRange range;
    range.begin = begin;
    range.end = i < offsets.size() ? offsets[i] : size;
    range.line_offset = begin_line - first_line;
    if (range.end > range.begin) plan.ranges.push_back(range);
    if (i < offsets.size()) {
      begin = offsets[i];
      begin_line = cut_lines[i];
    }
  }
  return plan;
}

}  // namespace

int ExportShardOf(std::string_view encoded_partition_key, int shards) {
  return static_cast<int>(Fmix64(Fnv1a(encoded_partition_key)) % static_cast<uint64_t>(shards));
}

Status RunExport(const ExportOptions& options, JobSummary* summary) {
  const auto started = std::chrono::steady_clock::now();
  if (options.parallel < 1) return Status::InvalidArgument("--parallel must be at least 1");
  if (options.max_errors_percent > 100) {
    return Status::InvalidArgument("--max-errors: a share must be at most 100%");
  }

  JobSpecOptions spec_options;
  spec_options.require_file = options.input.empty();
  TSB_ASSIGN_OR_RETURN(JobSpec spec, LoadJobSpec(options.spec_path, spec_options));
  TSB_ASSIGN_OR_RETURN(InputTarget input, ResolveInput(options, spec));
  if (options.scatter) {
    // decisions 4: exit 2 before anything is read (a FIFO is not even opened).
    std::string why;
    if (input.path == "-") {
      why = "stdin is a stream";
    } else if (!input.not_regular.empty()) {
      why = input.path + " is " + input.not_regular;
    } else if (input.compression != TextCompression::kNone) {
      why = input.path + " is compressed (" +
            (input.compression == TextCompression::kGzip ? "gzip" : "zstd") +
            "), so it can only be read from its start";
    }
    if (!why.empty()) {
      return Status::InvalidArgument(
          "--scatter reads the input at several places at once and needs a seekable, "
          "uncompressed file; " +
          why);
    }
  }
  if (spec.mapping.key_columns().empty()) {
    return Status::InvalidArgument("mapping: no primary-key column (mark them with ':')");
  }

  TSB_ASSIGN_OR_RETURN(auto client,
                       ConnectForSpec(spec, {options.endpoint, options.parallel,
                                             options.request_timeout, options.retry_deadline}));
  SummaryOnReturn cu_on_return(summary, started, [&](JobSummary* s) {
    s->read_cu = client->stats().read_cu;
    s->write_cu = client->stats().write_cu;
  });
  bool would_create = false;
  TSB_ASSIGN_OR_RETURN(ots::TableDescription table,
                       PrepareTable(client.get(), spec, options, &would_create));
  (void)table;

  if (input.format == FileFormat::kJsonl) TSB_RETURN_IF_ERROR(CheckJsonlColumns(input, spec));
  ReaderOptions reader_options;
  reader_options.path = input.path;
  reader_options.format = input.format;
  reader_options.compression = input.compression;
  reader_options.columns = spec.columns;
  // Opening a FIFO waits for its writer: a stop that came before would not interrupt it.
  if (StopRequested()) return Status::Cancelled("stopped by a signal");
  TSB_ASSIGN_OR_RETURN(auto reader, OpenReader(reader_options));
  const Schema& input_schema = reader->schema();
  for (const Field& f : spec.columns) {
    if (input_schema.Find(f.name) < 0) {
      return Status::InvalidArgument(input.path + ": the input has no column \"" + f.name +
                                     "\" that the spec names");
    }
  }
  // Where each spec column sits in the reader's rejected fields (CSV: header order).
  std::vector<int> reject_field_index(spec.columns.size(), -1);
  // Header name -> first position, so that a wide spec is matched in linear time.
  std::unordered_map<std::string_view, int> header_index;
  if (input.format == FileFormat::kCsv) {
    const auto& header = CsvHeader(*reader);
    for (size_t i = 0; i < header.size(); ++i) header_index.emplace(header[i], static_cast<int>(i));
  }
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    if (input.format == FileFormat::kCsv) {
      auto it = header_index.find(spec.columns[c].name);
      if (it != header_index.end()) reject_field_index[c] = it->second;
    } else {
      reject_field_index[c] = input_schema.Find(spec.columns[c].name);
    }
  }

  RejectFileOptions reject_options;
  reject_options.path =
      options.rejects_path.empty() ? DefaultRejectsPath(input) : options.rejects_path;
  reject_options.format =
      input.format == FileFormat::kCsv ? RejectFormat::kCsv : RejectFormat::kJsonl;
  reject_options.columns = spec.columns;
  reject_options.raw_record = input.format != FileFormat::kParquet;
  RejectWriter rejects(reject_options);

  if (options.put_mode && !options.quiet && !options.dry_run) {
    log::Printf(log::Level::kWarn,
                 "export: --mode put replaces whole rows: attribute columns that the spec does "
                 "not map are deleted from every row written\n");
  }

  std::atomic<int64_t> rows_written{0};
  std::atomic<int64_t> bytes_written{0};
  std::atomic<int64_t> rejected_by_writers{0};
  std::mutex error_mu;
  Status writer_error;  // guarded by error_mu
  std::atomic<bool> failed{false};
  ItemPool pool;

  auto reject_item = [&](ots::WriteItem* item, std::string_view code,
                         std::string_view message) -> Status {
    RejectRecord record;
    record.position = item->tag;
    record.values = ItemValues(spec, item->row);
    record.typed = true;
    record.code = code;
    record.message = message;
    Status s = rejects.Write(record);
    pool.Put(item);
    return s;
  };

  ots::TableWriterOptions writer_options;
  writer_options.table = spec.tablestore.table;
  if (options.max_request_rows > 0) writer_options.max_rows = options.max_request_rows;
  if (options.max_request_bytes > 0) writer_options.max_bytes = options.max_request_bytes;
  writer_options.retry.cancelled = [] { return StopRequested(); };
  writer_options.retry.total_deadline = SecondsToMillis(options.retry_deadline);
  std::unique_ptr<RateLimiter> row_limiter, cu_limiter;
  if (options.max_rows_per_sec > 0) {
    row_limiter = std::make_unique<RateLimiter>(options.max_rows_per_sec);
  }
  if (options.max_cu_per_sec > 0)
    cu_limiter = std::make_unique<RateLimiter>(options.max_cu_per_sec);
  if (row_limiter || cu_limiter) {
    writer_options.throttle = [&](int64_t rows, int64_t cu) {
      if (row_limiter) row_limiter->Acquire(static_cast<double>(rows));
      if (cu_limiter) cu_limiter->Acquire(static_cast<double>(cu));
    };
  }

  // Dry run: the same cutting, without sending.
  struct DryRun {
    std::unordered_set<uint64_t> keys;
    int64_t duplicates = 0;
    int64_t requests = 0;
    int64_t write_cu = 0;
    int64_t read_cu = 0;
    std::vector<std::vector<ots::WriteItem*>> batches;
    std::vector<int64_t> batch_bytes;
    std::vector<std::unordered_set<uint64_t>> batch_keys;
    std::vector<int64_t> split_rows;
    std::vector<std::pair<std::string, std::string>> reject_codes;  // code, "position N: message"
  } dry;
  ots::ComputeSplitsResult splits;
  int64_t dry_split_mib = 256;
  if (options.dry_run) {
    dry.batches.resize(options.parallel);
    dry.batch_bytes.resize(options.parallel);
    dry.batch_keys.resize(options.parallel);
    if (!would_create) {
      // decisions 4's target first; a small table is asked again with smaller targets (as
      // import does) so that the report shows how the rows spread over key ranges.
      ots::ComputeSplitsRequest request;
      request.table = spec.tablestore.table;
      TSB_RETURN_IF_ERROR(client->ComputeSplitPointsBySize(request, &splits));
      for (int64_t target : {64, 16, 4, 1}) {
        if (splits.split_points.size() + 1 >= static_cast<size_t>(options.parallel)) break;
        request.split_size = target;
        TSB_RETURN_IF_ERROR(client->ComputeSplitPointsBySize(request, &splits));
        dry_split_mib = target;
      }
    }
    dry.split_rows.assign(splits.split_points.size() + 1, 0);
  }

  // --scatter: a first pass over the keys decides whether the input can be cut into key ranges.
  std::optional<ScatterPlan> scatter;
  if (options.scatter && !options.dry_run && options.parallel > 1) {
    TSB_ASSIGN_OR_RETURN(ScatterPlan plan, PlanScatter(input, spec, options.parallel));
    if (!plan.ordered) {
      if (!options.quiet) {
        log::Printf(log::Level::kWarn,
                     "export: --scatter: the input is not in primary-key order (line %" PRId64
                     "); writing with the ordinary parallel path\n",
                     plan.unordered_line);
      }
    } else {
      if (!options.quiet) {
        log::Printf(log::Level::kInfo, "export: --scatter: reading %zu key ranges of %s at once\n",
                     plan.ranges.size(), input.path.c_str());
      }
      scatter.emplace(std::move(plan));
    }
  }

  auto on_written = [&](ots::WriteItem* item) {
    rows_written.fetch_add(1, std::memory_order_relaxed);
    bytes_written.fetch_add(static_cast<int64_t>(item->encoded_size), std::memory_order_relaxed);
    pool.Put(item);
  };
  auto on_rejected = [&](ots::WriteItem* item, std::string_view code, std::string_view message) {
    rejected_by_writers.fetch_add(1, std::memory_order_relaxed);
    return reject_item(item, code, message);
  };
  auto fail = [&](const Status& status) {
    std::lock_guard<std::mutex> lock(error_mu);
    if (writer_error.ok()) writer_error = status;
    failed.store(true);
  };

  // Writer threads of the ordinary path: rows routed by a hash of their encoded primary key.
  const int writers = options.dry_run || scatter ? 0 : options.parallel;
  std::vector<std::unique_ptr<ItemQueue>> queues;
  std::vector<ots::TableWriterStats> writer_stats(options.parallel);
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) queues.push_back(std::make_unique<ItemQueue>());
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      ots::TableWriter writer(client.get(), writer_options, on_written, on_rejected);
      std::vector<ots::WriteItem*> items;
      Status status;
      while (queues[w]->PopAll(&items)) {
        for (ots::WriteItem* item : items) {
          if (!status.ok()) {
            pool.Put(item);  // the job is failing: drain so the reader never blocks
            continue;
          }
          status = writer.Add(item);
        }
        if (!status.ok()) fail(status);
      }
      if (status.ok()) status = writer.Flush();
      if (!status.ok()) fail(status);
      writer_stats[w] = writer.stats();
    });
  }

  Progress progress("export", !options.quiet, options.progress);
  std::atomic<int64_t> rows_read_total{0};
  std::atomic<int64_t> rows_skipped_total{0};
  std::atomic<int64_t> rejected_here{0};
  std::atomic<bool> stopped_for_errors{false};
  std::mutex dry_mu;  // the dry run's report (one reader only, but kept simple)
  // Runs after the threads are joined: every return below joins them first.
  SummaryOnReturn counters_on_return(summary, started, [&](JobSummary* s) {
    s->rows_read = rows_read_total.load();
    s->rows_written = rows_written.load();
    s->rows_rejected = rejected_here.load() + rejected_by_writers.load();
    s->bytes_written = bytes_written.load();
    if (rejects.count() > 0) {
      s->rejects_path = rejects.path();
      s->first_reject = rejects.first_reason();
    }
    if (stopped_for_errors.load()) s->stop = StopReason::kMaxErrors;
  });

  auto reject_rows_read = [&](const RejectedRecord& rec, int64_t line_offset) -> Status {
    RejectRecord record;
    record.position = rec.position + line_offset;
    if (!rec.fields.empty()) {
      record.values.resize(spec.columns.size());
      for (size_t c = 0; c < spec.columns.size(); ++c) {
        int i = reject_field_index[c];
        if (i >= 0 && static_cast<size_t>(i) < rec.fields.size()) record.values[c] = rec.fields[i];
      }
    }
    // The Parquet reader gives each value in its column's text form (JSON numbers stay bare).
    record.typed = input.format == FileFormat::kParquet;
    record.raw = rec.raw;
    record.code = rec.code;
    record.message = rec.message;
    rejected_here.fetch_add(1);
    if (options.dry_run) {
      std::lock_guard<std::mutex> lock(dry_mu);
      dry.reject_codes.emplace_back(
          rec.code, "position " + std::to_string(record.position) + ": " + rec.message);
      return Status::OK();
    }
    return rejects.Write(record);
  };

  auto dry_add = [&](ots::WriteItem* item) {
    if (!dry.keys.insert(item->key_hash).second) ++dry.duplicates;
    dry.write_cu += std::max<int64_t>(
        1, (static_cast<int64_t>(item->encoded_size) + ots::kCapacityUnitBytes - 1) /
               ots::kCapacityUnitBytes);
    if (item->condition.row_existence != ots::RowExistence::kIgnore) ++dry.read_cu;
    dry.split_rows[SplitIndex(splits.split_points, item->row.primary_key)]++;
    // The writers' cutting, approximately: a request ends at 200 rows, 4 MiB or a repeated key.
    size_t w = item->key_hash % static_cast<uint64_t>(options.parallel);
    if (static_cast<int>(dry.batches[w].size()) >= writer_options.max_rows ||
        dry.batch_bytes[w] + static_cast<int64_t>(item->encoded_size) > writer_options.max_bytes ||
        dry.batch_keys[w].count(item->key_hash) > 0) {
      ++dry.requests;
      dry.batches[w].clear();
      dry.batch_bytes[w] = 0;
      dry.batch_keys[w].clear();
    }
    dry.batches[w].push_back(item);
    dry.batch_bytes[w] += static_cast<int64_t>(item->encoded_size);
    dry.batch_keys[w].insert(item->key_hash);
    pool.Put(item);
  };

  auto too_many_errors = [&]() {
    const int64_t rejected_now = rejected_here.load() + rejected_by_writers.load();
    const int64_t read_now = rows_read_total.load();
    return (options.max_errors >= 0 && rejected_now > options.max_errors) ||
           (options.max_errors_percent >= 0 && read_now >= 100 &&
            static_cast<double>(rejected_now) * 100.0 >
                options.max_errors_percent * static_cast<double>(read_now));
  };

  // Reads `rd` to its end (or a stop), encoding every row and handing it to `route`;
  // `after_batch` runs after each input batch. `line_offset` corrects a range reader's lines.
  auto read_loop = [&](BatchReader* rd, const ScatterRange& range,
                       const std::function<Status(ots::WriteItem*)>& route,
                       const std::function<void()>& after_batch) -> Status {
    const int64_t line_offset = range.line_offset;
    RowBatch batch(std::make_shared<const Schema>(rd->schema()));
    RowEncoder encoder(spec, options, rd->schema());
    std::string code, message;
    int64_t ordinal = 0;  // row number when the reader gives no positions
    for (;;) {
      if (StopRequested()) return Status::Cancelled("stopped by a signal");
      if (failed.load() || stopped_for_errors.load()) return Status::OK();
      TSB_RETURN_IF_ERROR(rd->Next(&batch));
      if (batch.num_rows() == 0 && batch.rejects().empty()) return Status::OK();
      bool range_done = false;
      for (const RejectedRecord& rec : batch.rejects()) {
        if (rec.position < range.first_row || rec.position >= range.end_row) continue;
        rows_read_total.fetch_add(1);
        TSB_RETURN_IF_ERROR(reject_rows_read(rec, line_offset));
      }
      const auto& positions = batch.positions();
      for (size_t r = 0; r < batch.num_rows(); ++r) {
        ++ordinal;
        if (positions.size() > r) {
          if (positions[r] < range.first_row) continue;
          if (positions[r] >= range.end_row) {
            range_done = true;
            break;
          }
        }
        ots::WriteItem* item = pool.Get();
        EncodeOutcome outcome = encoder.Encode(batch, r, item, &code, &message);
        item->tag = (positions.size() > r ? positions[r] : ordinal) + line_offset;
        if (outcome == EncodeOutcome::kSkip) {
          rows_skipped_total.fetch_add(1);
          pool.Put(item);
          continue;
        }
        rows_read_total.fetch_add(1);
        if (outcome == EncodeOutcome::kReject) {
          RejectRecord record;
          const int64_t position = item->tag;
          record.position = position;
          record.values.resize(spec.columns.size());
          for (size_t c = 0; c < spec.columns.size(); ++c) {
            record.values[c] = ValueText(batch.column(rd->schema().Find(spec.columns[c].name)), r);
          }
          record.typed = true;
          record.code = code;
          record.message = message;
          pool.Put(item);
          rejected_here.fetch_add(1);
          if (options.dry_run) {
            std::lock_guard<std::mutex> lock(dry_mu);
            dry.reject_codes.emplace_back(code,
                                          "position " + std::to_string(position) + ": " + message);
          } else {
            TSB_RETURN_IF_ERROR(rejects.Write(record));
          }
          continue;
        }
        TSB_RETURN_IF_ERROR(route(item));
      }
      if (after_batch) after_batch();
      progress.Update(rows_written.load(), bytes_written.load());
      if (too_many_errors()) stopped_for_errors.store(true);
      if (range_done) return Status::OK();
    }
  };

  Status read_status;
  if (scatter) {
    // One reader and one writer per key range; a key never spans two ranges, so the order of
    // equal keys is the input's.
    std::vector<Status> range_status(scatter->ranges.size());
    for (size_t i = 0; i < scatter->ranges.size(); ++i) {
      threads.emplace_back([&, i] {
        const ScatterRange& range = scatter->ranges[i];
        Status s;
        auto open_range = [&]() -> Result<std::unique_ptr<BatchReader>> {
          if (input.format == FileFormat::kParquet) return OpenReader(reader_options);
          TSB_ASSIGN_OR_RETURN(auto stream,
                               InputStream::OpenRange(input.path, range.begin, range.end));
          if (input.format == FileFormat::kCsv) {
            return OpenCsvReader(reader_options, std::make_unique<PrefixedStream>(
                                                     scatter->header, std::move(stream)));
          }
          return OpenJsonlReader(reader_options, std::move(stream));
        };
        Result<std::unique_ptr<BatchReader>> rd = open_range();
        ots::TableWriter writer(client.get(), writer_options, on_written, on_rejected);
        if (!rd.ok()) {
          s = rd.status();
        } else {
          s = read_loop(
              rd->get(), range, [&](ots::WriteItem* item) { return writer.Add(item); }, nullptr);
        }
        Status flushed = writer.Flush();
        if (s.ok()) s = flushed;
        if (!s.ok() && s.code() != StatusCode::kCancelled) {
          fail(s.WithContext("range " + std::to_string(i + 1) + " of " +
                             std::to_string(scatter->ranges.size())));
        }
        range_status[i] = s;
        writer_stats[i] = writer.stats();  // ranges <= --parallel
      });
    }
    for (std::thread& t : threads) t.join();
    threads.clear();
    for (const Status& s : range_status) {
      if (s.code() == StatusCode::kCancelled) read_status = s;
    }
  } else {
    std::vector<std::vector<ots::WriteItem*>> staged(writers);
    read_status = read_loop(
        reader.get(), ScatterRange{},
        [&](ots::WriteItem* item) -> Status {
          if (options.dry_run) {
            dry_add(item);
            return Status::OK();
          }
          size_t w = item->key_hash % static_cast<uint64_t>(writers);
          staged[w].push_back(item);
          if (staged[w].size() >= 64) queues[w]->Push(&staged[w]);
          return Status::OK();
        },
        [&] {
          for (int w = 0; w < writers; ++w) {
            if (!staged[w].empty()) queues[w]->Push(&staged[w]);
          }
        });
    for (int w = 0; w < writers; ++w) {
      if (!staged[w].empty()) queues[w]->Push(&staged[w]);
      queues[w]->Close();
    }
  }
  for (std::thread& t : threads) t.join();
  progress.Finish();
  const int64_t rows_read = rows_read_total.load();
  const int64_t rows_skipped = rows_skipped_total.load();
  TSB_RETURN_IF_ERROR(rejects.Close());
  {
    std::lock_guard<std::mutex> lock(error_mu);
    if (!writer_error.ok()) return writer_error;
  }
  if (!read_status.ok()) return read_status.WithContext(input.path);

  ots::ClientStats client_stats = client->stats();
  summary->rows_read = rows_read;
  summary->rows_written = rows_written.load();
  summary->rows_rejected = rejected_here.load() + rejected_by_writers.load();
  summary->bytes_read = FileSize(input.path);
  summary->bytes_written = bytes_written.load();
  summary->read_cu = client_stats.read_cu;
  summary->write_cu = client_stats.write_cu;
  summary->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (options.dry_run) {
    for (int w = 0; w < options.parallel; ++w) {
      if (!dry.batches[w].empty()) ++dry.requests;
    }
    std::string out;
    char line[512];
    std::snprintf(
        line, sizeof(line),
        "dry run: table \"%s\"%s\n"
        "rows read: %" PRId64
        "%s\n"
        "rows that can never be written: %" PRId64 "\n",
        spec.tablestore.table.c_str(),
        would_create ? " (does not exist; --create-table would create it)" : "", rows_read,
        options.shard_count > 0 ? (" (share " + std::to_string(options.shard_index) + "/" +
                                   std::to_string(options.shard_count) + "; " +
                                   std::to_string(rows_skipped) + " rows belong to other shares)")
                                      .c_str()
                                : "",
        summary->rows_rejected);
    out += line;
    // Per code: how many rows, and the first one's reason.
    std::vector<std::pair<std::string, int64_t>> by_code;
    std::vector<std::string> first_message;
    for (const auto& [c, m] : dry.reject_codes) {
      auto it =
          std::find_if(by_code.begin(), by_code.end(), [&](const auto& e) { return e.first == c; });
      if (it == by_code.end()) {
        by_code.emplace_back(c, 1);
        first_message.push_back(m);
      } else {
        ++it->second;
      }
    }
    for (size_t i = 0; i < by_code.size(); ++i) {
      out += "  " + by_code[i].first + ": " + std::to_string(by_code[i].second) +
             " rows (first: " + first_message[i] + ")\n";
    }
    std::snprintf(line, sizeof(line),
                  "duplicate primary keys: %" PRId64
                  " rows repeat an earlier key (the last wins)\n"
                  "BatchWriteRow requests: %" PRId64 " (--parallel %d, at most %d rows / %" PRId64
                  " bytes each)\n"
                  "write CU: about %" PRId64 " (read CU for conditions: %" PRId64 ")\n",
                  dry.duplicates, dry.requests, options.parallel, writer_options.max_rows,
                  writer_options.max_bytes, dry.write_cu, dry.read_cu);
    out += line;
    if (!would_create) {
      const int64_t written = rows_read - summary->rows_rejected;
      std::snprintf(line, sizeof(line),
                    "key ranges (ComputeSplitPointsBySize, %" PRId64 " MiB splits): %zu\n",
                    dry_split_mib, dry.split_rows.size());
      out += line;
      for (size_t i = 0; i < dry.split_rows.size(); ++i) {
        std::string from = i == 0 ? "-inf" : DescribePoint(splits.split_points[i - 1]);
        std::string to =
            i + 1 < dry.split_rows.size() ? DescribePoint(splits.split_points[i]) : "+inf";
        double share = written > 0 ? 100.0 * static_cast<double>(dry.split_rows[i]) /
                                         static_cast<double>(written)
                                   : 0;
        std::snprintf(line, sizeof(line), "  [%s, %s): %" PRId64 " rows (%.1f%%)%s\n", from.c_str(),
                      to.c_str(), dry.split_rows[i], share,
                      dry.split_rows.size() > 1 && share > 200.0 / dry.split_rows.size()
                          ? "  <- hot spot"
                          : "");
        out += line;
      }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    return Status::OK();
  }

  ots::TableWriterStats total;
  for (const ots::TableWriterStats& s : writer_stats) {
    total.requests += s.requests;
    total.requests_failed += s.requests_failed;
    total.requests_retried += s.requests_retried;
    total.row_retries += s.row_retries;
    total.rows_read_back += s.rows_read_back;
    total.max_request_rows = std::max(total.max_request_rows, s.max_request_rows);
    total.max_request_bytes = std::max(total.max_request_bytes, s.max_request_bytes);
  }
  if (!options.quiet) {
    // requests counts every request sent; the retries are the requests that failed as a whole
    // (refused, or unanswered within --request-timeout) and the rows sent again on their own.
    log::Printf(log::Level::kInfo,
                 "export: %" PRId64 " BatchWriteRow requests, %" PRId64
                 " refused as a whole, %" PRId64 " rows retried, %" PRId64
                 " rows read back, largest request %" PRId64 " rows / %" PRId64 " bytes\n",
                 total.requests, total.requests_failed, total.row_retries, total.rows_read_back,
                 total.max_request_rows, total.max_request_bytes);
    if (rows_skipped > 0) {
      log::Printf(log::Level::kInfo, "export: %" PRId64 " rows belong to other --shard shares\n",
                   rows_skipped);
    }
  }
  if (summary->rows_read != summary->rows_written + summary->rows_rejected) {
    return Status::Internal("rows read (" + std::to_string(summary->rows_read) +
                            ") != rows written (" + std::to_string(summary->rows_written) +
                            ") + rows rejected (" + std::to_string(summary->rows_rejected) + ")");
  }
  if (StopRequested()) return Status::Cancelled("stopped by a signal");
  return Status::OK();
}

}  // namespace tsb::jobs
