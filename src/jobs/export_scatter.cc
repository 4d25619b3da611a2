#include "jobs/export_scatter.h"

#include <algorithm>
#include <cstring>

#include "tsbridge/convert.h"

namespace tsb::jobs {

namespace {

// The header lines of the input (CSV's header), then the range.
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

// Byte offsets where the given physical lines (ascending, 1-based) start. LF and CRLF are one
// line break each, and so is a lone CR where `cr_ends_line` (as the CSV reader counts).
Result<std::vector<uint64_t>> LineOffsets(const std::string& path, bool cr_ends_line,
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
      } else if (c == '\r' && cr_ends_line) {
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

}  // namespace

// A first pass over the key columns: is the input in key order, and where can it be cut into
// `parts` ranges without splitting a run of equal keys?
Result<ScatterPlan> PlanScatter(const FileTarget& input, const JobSpec& spec, int parts) {
  ScatterPlan plan;
  ReaderOptions ro = TargetReaderOptions(input);
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
  const FormatDescriptor& format = input.format.descriptor();
  std::vector<int64_t> cut_lines;
  for (int i = 1; i < parts; ++i) {
    const int64_t target = row * i / parts;
    auto it = std::lower_bound(changes.begin(), changes.end(), std::make_pair(target, int64_t{0}));
    if (it == changes.end() || it->first == 0) continue;
    if (!cut_lines.empty() && it->second <= cut_lines.back()) continue;
    cut_lines.push_back(it->second);
  }
  if (format.slicing == Slicing::kRowRanges) {
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
  // Line numbers are 1-based; the records start after the header's lines (none without one).
  const int header_lines = input.dialect.header ? format.header_lines : 0;
  const int64_t first_line = 1 + header_lines;
  std::vector<int64_t> wanted = cut_lines;
  if (header_lines > 0) wanted.insert(wanted.begin(), first_line);
  TSB_ASSIGN_OR_RETURN(std::vector<uint64_t> offsets,
                       LineOffsets(input.path, format.cr_ends_line, wanted));
  TSB_ASSIGN_OR_RETURN(uint64_t size, InputStream::FileSize(input.path));
  uint64_t begin = 0;
  if (header_lines > 0) {
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

Result<std::unique_ptr<BatchReader>> OpenScatterRange(const ReaderOptions& options,
                                                      const ScatterPlan& plan,
                                                      const ScatterRange& range) {
  if (options.format->slicing == Slicing::kRowRanges) {
    ReaderOptions from = options;
    from.start_row = std::max<int64_t>(range.first_row - 1, 0);
    return OpenReader(from);
  }
  TSB_ASSIGN_OR_RETURN(auto stream, InputStream::OpenRange(options.path, range.begin, range.end));
  stream->CountInto(options.bytes_read);
  if (plan.header.empty()) return OpenReaderOn(options, std::move(stream));
  return OpenReaderOn(options, std::make_unique<PrefixedStream>(plan.header, std::move(stream)));
}

}  // namespace tsb::jobs
