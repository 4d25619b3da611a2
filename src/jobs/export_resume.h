// Export's `--resume` (issue 18): what an export acknowledged, and where a resumed one starts.
//
// An export acknowledges input records out of order: several writers finish their requests in
// any order, and a row refused is acknowledged once its reject is written. Per reader range (the
// whole input without --scatter) an AckPrefix keeps the batches handed to the writers and
// yields the end of the contiguous prefix of records whose every row is acknowledged: the
// position of a record start (a physical line for CSV / JSON Lines, a 1-based row number for
// Parquet) before which nothing needs writing again. The checkpoint stores that position per
// range, with its byte offset for a text file (LineCursor), so a resumed text range is opened at
// that byte; a Parquet range is read from the row group holding the position (the groups before
// it are skipped unread) and a compressed file from its start, the rows before the position
// passed over. Rows after
// the position may be written again: update and put rows are idempotent, so the table ends the
// same.
//
// The reject file is part of the checkpoint: its length when the positions were taken, and the
// positions of the rejects it held past them (the reader and the writers write rejects as they
// come). A resumed run truncates the file to that length and does not write those rejects again,
// so each rejected record appears once.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/text_io.h"
#include "tsbridge/status.h"

namespace tsb::jobs {

// The acknowledged prefix of one reader range.
class AckPrefix {
 public:
  // `start`: the first record position of the range (where a resumed run starts);
  // `records_before`: records acknowledged before it (by the runs that came before).
  AckPrefix(int64_t start, int64_t records_before) : prefix_(start), records_(records_before) {}

  // The reader hands a batch to the writers: `records` records from position `first` on (its
  // rejects included, which count as acknowledged), of which `pending` rows are acknowledged
  // later through Done. Called before any of them can be done.
  void Begin(int64_t first, int64_t records, int64_t pending);
  // A row's outcome is final (written, or its reject written).
  void Done(int64_t position) { DoneAll(std::span<const int64_t>(&position, 1)); }
  // The outcomes of several rows are final (the rows of one request): one lock for all of them,
  // since every writer thread acknowledges through here.
  void DoneAll(std::span<const int64_t> positions);

  // The first record position not known to be acknowledged, and how many records lie before it.
  // The last batch given counts as unacknowledged until the next one starts: only a batch's
  // start is known to be a record start.
  void Snapshot(int64_t* position, int64_t* records) const;

 private:
  struct Chunk {
    int64_t first = 0;
    int64_t records = 0;
    int64_t pending = 0;
  };
  void Advance();  // guarded by mu_

  mutable std::mutex mu_;
  std::deque<Chunk> chunks_;
  int64_t prefix_;
  int64_t records_;
};

// Byte offsets where physical lines start, reading a file forward once (a line break is LF,
// CRLF, or a lone CR where `cr_ends_line`, as the CSV reader counts them).
class LineCursor {
 public:
  // Reads from byte `begin`, where line `line` starts.
  static Result<std::unique_ptr<LineCursor>> Open(const std::string& path, bool cr_ends_line,
                                                  uint64_t begin = 0, int64_t line = 1);
  // Where 1-based line `line` starts (not before a line asked earlier); the file's size when the
  // file has fewer lines.
  Result<uint64_t> Start(int64_t line);

 private:
  LineCursor(std::unique_ptr<InputStream> in, bool cr_ends_line)
      : in_(std::move(in)), cr_ends_line_(cr_ends_line), buf_(InputStream::kBlockSize) {}
  Result<int> Peek();

  std::unique_ptr<InputStream> in_;
  bool cr_ends_line_;
  std::vector<char> buf_;
  size_t pos_ = 0, len_ = 0;
  uint64_t offset_ = 0;  // of the byte at pos_
  int64_t line_ = 1;
  uint64_t line_start_ = 0;
};

// The checkpoint's record of one range: the range as first planned, and how far it got.
struct ResumeRange {
  uint64_t begin = 0;  // text: the range's bytes, as planned
  uint64_t end = 0;
  int64_t line_offset = 0;
  int64_t first_row = 0;  // Parquet: the range's rows, as planned (1-based; end exclusive)
  int64_t end_row = INT64_MAX;
  int64_t position = 0;  // the first record not acknowledged; 0: none acknowledged yet
  uint64_t offset = 0;   // text: the byte where `position` starts
  int64_t records = 0;   // records acknowledged before `position`
};

struct ResumePayload {
  bool scatter = false;  // the ranges are --scatter's (else one range, the whole input)
  std::vector<ResumeRange> ranges;
  int64_t rejects_bytes = 0;       // the reject file's length
  std::set<int64_t> rejects_past;  // positions of rejects in it past their range's `position`

  nlohmann::json ToJson() const;
  // A payload this version did not write is an error naming the key.
  static Result<ResumePayload> FromJson(const nlohmann::json& j);
};

class RejectWriter;

// Keeps the acknowledged prefix of each range of one export and saves it with `save` (the
// checkpoint's atomic Save) every second while it moves, from a thread of its own.
class ProgressSaver {
 public:
  using SaveFn = std::function<Status(const nlohmann::json&)>;
  // `payload`: the ranges as planned, with where each one starts in this run and the records
  // acknowledged before; `text_path`: the input when its positions are lines to turn into byte
  // offsets (empty for rows).
  ProgressSaver(ResumePayload payload, std::string text_path, bool cr_ends_line,
                RejectWriter* rejects, SaveFn save);
  ~ProgressSaver();

  AckPrefix* range(size_t i) { return acks_[i].get(); }
  void Start();
  // Stops the thread; then saves once more (a stopped or failed job keeps its progress).
  Status StopAndSave();
  // Stops the thread without saving (the job succeeded: the checkpoint goes).
  void Stop();

 private:
  Status SaveNow();

  ResumePayload payload_;
  std::string text_path_;
  bool cr_ends_line_;
  RejectWriter* rejects_;
  SaveFn save_;
  std::vector<std::unique_ptr<AckPrefix>> acks_;
  std::vector<int64_t> starts_;  // the first position of each range in this run
  std::vector<std::unique_ptr<LineCursor>> cursors_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mu_
  Status error_;       // guarded by mu_
  std::thread thread_;
};

// The bytes before line `first_line` (the header lines given to a reader that starts mid-file).
Result<std::string> ReadLeadingLines(const std::string& path, bool cr_ends_line,
                                     int64_t first_line);

}  // namespace tsb::jobs
