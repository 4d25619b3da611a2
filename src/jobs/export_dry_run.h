// `tsbridge export --dry-run`: the rows are read and encoded as for writing, and cut into requests
// as the writers would cut them (approximately: per writer, a request ends at the row limit, the
// byte limit or a repeated key), but nothing is sent. The result is a report that the cli prints.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "tablestore/table_batch_writer.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"
#include "tsbridge/tablestore/client.h"

namespace tsb::jobs {

struct ExportDryRunReport {
  std::string table;
  bool would_create = false;  // the table does not exist; --create-table would create it
  int64_t rows_read = 0;
  int shard_index = 0;  // --shard K/N; 0 = no sharding
  int shard_count = 0;
  int64_t rows_skipped = 0;  // rows of other --shard shares
  int64_t rows_rejected = 0;
  struct Code {
    std::string code;
    int64_t rows = 0;
    std::string first;  // "position N: message" of its first row
  };
  std::vector<Code> reject_codes;  // in order of first appearance
  int64_t duplicates = 0;          // rows that repeat an earlier key
  int64_t requests = 0;
  int parallel = 0;
  int max_request_rows = 0;
  int64_t max_request_bytes = 0;
  int64_t write_cu = 0;
  int64_t read_cu = 0;  // for conditions
  int64_t split_mib = 0;
  struct Range {
    std::string from;  // "-inf", or the split point as "(v1, v2)"
    std::string to;    // "+inf", or the split point
    int64_t rows = 0;
    double share = 0;  // percent of the rows written
    bool hot = false;
  };
  std::vector<Range> ranges;  // empty when the table would be created
};

// The report as the lines `tsbridge export --dry-run` prints.
std::string FormatExportDryRunReport(const ExportDryRunReport& report);

// Collects the report while the job's read loop feeds it rows.
class DryRunPlanner {
 public:
  DryRunPlanner(const ots::TableBatchWriter::Options& options, int parallel);

  // Asks the table where it splits: decisions 4's target first, then smaller ones for a small
  // table (as import does), so that the report shows how the rows spread over key ranges.
  Status LoadSplits(ots::Client* client, const std::string& table);
  // Encodes rows [begin, end) of `batch` as the writer would; a row that cannot be encoded goes to
  // `on_rejected`, as the writer's would.
  Status AddRows(const RowBatch& batch, size_t begin, size_t end,
                 const ots::TableBatchWriter::OnEncodeRejected& on_rejected);
  // A row that can never be written: its code and "position N: message".
  void AddReject(std::string_view code, std::string reason);
  int64_t rows_skipped() const { return rows_skipped_; }

  // Completes *report (rows_read, the shard and table fields are the caller's).
  void Finish(ExportDryRunReport* report);

 private:
  void Add(ots::WriteItem& item);

  ots::TableBatchWriter::Options options_;
  int parallel_;
  ots::RowEncoder encoder_;
  ots::WriteItem item_;
  std::string code_, message_;
  int64_t ordinal_ = 0;
  int64_t rows_skipped_ = 0;

  ots::ComputeSplitsResult splits_;
  int64_t split_mib_ = 256;
  bool have_splits_ = false;
  std::unordered_set<uint64_t> keys_;
  int64_t duplicates_ = 0;
  int64_t requests_ = 0;
  int64_t write_cu_ = 0;
  int64_t read_cu_ = 0;
  std::vector<int64_t> batch_rows_;
  std::vector<int64_t> batch_bytes_;
  std::vector<std::unordered_set<uint64_t>> batch_keys_;
  std::vector<int64_t> split_rows_;
  std::vector<std::pair<std::string, std::string>> rejects_;  // code, "position N: message"
};

}  // namespace tsb::jobs
