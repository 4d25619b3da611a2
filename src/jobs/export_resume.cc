#include "jobs/export_resume.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iterator>

#include "jobs/reject_writer.h"

namespace tsb::jobs {

void AckPrefix::Begin(int64_t first, int64_t records, int64_t pending) {
  std::lock_guard<std::mutex> lock(mu_);
  chunks_.push_back({first, records, pending});
  Advance();
}

void AckPrefix::DoneAll(std::span<const int64_t> positions) {
  std::lock_guard<std::mutex> lock(mu_);
  // The rows of a request mostly come in input order, so the batch of the previous position is
  // tried before searching for the last one starting at or before the position.
  auto it = chunks_.end();
  for (const int64_t position : positions) {
    const bool in_it = it != chunks_.end() && it->first <= position &&
                       (std::next(it) == chunks_.end() || position < std::next(it)->first);
    if (!in_it) {
      it = std::upper_bound(chunks_.begin(), chunks_.end(), position,
                            [](int64_t p, const Chunk& c) { return p < c.first; });
      if (it == chunks_.begin()) {
        it = chunks_.end();
        continue;
      }
      --it;
    }
    --it->pending;
  }
  Advance();
}

void AckPrefix::Advance() {
  // A finished batch is known to end where the next one starts; the last one's end is not.
  while (chunks_.size() > 1 && chunks_.front().pending <= 0) {
    records_ += chunks_.front().records;
    chunks_.pop_front();
  }
  if (!chunks_.empty()) prefix_ = chunks_.front().first;
}

void AckPrefix::Snapshot(int64_t* position, int64_t* records) const {
  std::lock_guard<std::mutex> lock(mu_);
  *position = prefix_;
  *records = records_;
}

Result<std::unique_ptr<LineCursor>> LineCursor::Open(const std::string& path, bool cr_ends_line,
                                                     uint64_t begin, int64_t line) {
  TSB_ASSIGN_OR_RETURN(uint64_t size, InputStream::FileSize(path));
  TSB_ASSIGN_OR_RETURN(auto in, InputStream::OpenRange(path, begin, size));
  std::unique_ptr<LineCursor> cursor(new LineCursor(std::move(in), cr_ends_line));
  cursor->offset_ = begin;
  cursor->line_ = line;
  cursor->line_start_ = begin;
  return cursor;
}

Result<int> LineCursor::Peek() {
  if (pos_ == len_) {
    offset_ += len_;
    pos_ = 0;
    TSB_ASSIGN_OR_RETURN(len_, in_->Read(buf_.data(), buf_.size()));
    if (len_ == 0) return -1;
  }
  return static_cast<unsigned char>(buf_[pos_]);
}

// The checkpoint saver asks for the start of the last acknowledged line every few seconds, so
// the whole input passes through here once: memchr finds the breaks, not a call per byte.
Result<uint64_t> LineCursor::Start(int64_t line) {
  while (line_ < line) {
    if (pos_ == len_) {
      TSB_ASSIGN_OR_RETURN(int c, Peek());
      if (c < 0) return offset_ + pos_;
    }
    const char* from = buf_.data() + pos_;
    const size_t n = len_ - pos_;
    const char* hit = static_cast<const char*>(std::memchr(from, '\n', n));
    if (cr_ends_line_) {
      const char* cr = static_cast<const char*>(std::memchr(from, '\r', hit ? hit - from : n));
      if (cr != nullptr) hit = cr;
    }
    if (hit == nullptr) {
      pos_ = len_;
      continue;
    }
    pos_ = static_cast<size_t>(hit - buf_.data()) + 1;
    if (*hit == '\r') {
      TSB_ASSIGN_OR_RETURN(int next, Peek());
      if (next == '\n') continue;  // CRLF: the LF ends the line
    }
    ++line_;
    line_start_ = offset_ + pos_;
  }
  return line_start_;
}

nlohmann::json ResumePayload::ToJson() const {
  nlohmann::json ranges = nlohmann::json::array();
  for (const ResumeRange& r : this->ranges) {
    ranges.push_back(
        {{"begin", r.begin},
         {"end", r.end},
         {"line_offset", r.line_offset},
         {"first_row", r.first_row},
         {"end_row", r.end_row == INT64_MAX ? nlohmann::json() : nlohmann::json(r.end_row)},
         {"position", r.position},
         {"offset", r.offset},
         {"records", r.records}});
  }
  return {{"scatter", scatter},
          {"ranges", ranges},
          {"rejects_bytes", rejects_bytes},
          {"rejects_past", nlohmann::json(rejects_past)}};
}

Result<ResumePayload> ResumePayload::FromJson(const nlohmann::json& j) {
  ResumePayload p;
  auto bad = [](const std::string& what) {
    return Status::InvalidArgument("the checkpoint's progress is not an export's: " + what +
                                   " (start over with --restart)");
  };
  try {
    if (!j.is_object() || !j.contains("ranges") || !j["ranges"].is_array()) return bad("ranges");
    for (const auto& r : j["ranges"]) {
      ResumeRange range;
      range.begin = r.at("begin").get<uint64_t>();
      range.end = r.at("end").get<uint64_t>();
      range.line_offset = r.at("line_offset").get<int64_t>();
      range.first_row = r.at("first_row").get<int64_t>();
      range.end_row = r.at("end_row").is_null() ? INT64_MAX : r.at("end_row").get<int64_t>();
      range.position = r.at("position").get<int64_t>();
      range.offset = r.at("offset").get<uint64_t>();
      range.records = r.at("records").get<int64_t>();
      p.ranges.push_back(range);
    }
    p.scatter = j.at("scatter").get<bool>();
    p.rejects_bytes = j.at("rejects_bytes").get<int64_t>();
    for (const auto& x : j.at("rejects_past")) p.rejects_past.insert(x.get<int64_t>());
  } catch (const nlohmann::json::exception& e) {
    return bad(e.what());
  }
  if (p.ranges.empty()) return bad("no range");
  return p;
}

ProgressSaver::ProgressSaver(ResumePayload payload, std::string text_path, bool cr_ends_line,
                             RejectWriter* rejects, SaveFn save)
    : payload_(std::move(payload)),
      text_path_(std::move(text_path)),
      cr_ends_line_(cr_ends_line),
      rejects_(rejects),
      save_(std::move(save)) {
  for (const ResumeRange& r : payload_.ranges) {
    acks_.push_back(std::make_unique<AckPrefix>(r.position, r.records));
    starts_.push_back(r.position);
  }
  cursors_.resize(payload_.ranges.size());
}

ProgressSaver::~ProgressSaver() { Stop(); }

void ProgressSaver::Start() {
  // A checkpoint is first written once something was acknowledged: one that exists says how far
  // a job got, never that it merely started.
  int64_t start_records = 0;
  for (const ResumeRange& r : payload_.ranges) start_records += r.records;
  thread_ = std::thread([this, start_records] {
    int64_t last_records = start_records;
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      // Every second while the prefix moves: a kill loses at most a second of acknowledgments,
      // and an idle or throttled job does not rewrite the same checkpoint.
      wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; });
      if (stop_) break;
      int64_t records = 0;
      for (const auto& a : acks_) {
        int64_t position = 0, n = 0;
        a->Snapshot(&position, &n);
        records += n;
      }
      if (records == last_records) continue;
      last_records = records;
      lock.unlock();
      Status s = SaveNow();
      lock.lock();
      if (!s.ok() && error_.ok()) error_ = s;
    }
  });
}

void ProgressSaver::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status ProgressSaver::StopAndSave() {
  Stop();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_.ok()) return error_;
  }
  return SaveNow();
}

Status ProgressSaver::SaveNow() {
  ResumePayload p = payload_;
  // The positions and the reject file's length are taken together, with no reject written in
  // between: a reject past a position is in the file, and listed, or in neither.
  Status synced = Status::OK();
  if (rejects_ != nullptr) {
    synced = rejects_->Sync([&](int64_t bytes, std::vector<int64_t>* positions) {
      for (size_t i = 0; i < acks_.size(); ++i) {
        acks_[i]->Snapshot(&p.ranges[i].position, &p.ranges[i].records);
      }
      p.rejects_bytes = bytes;
      p.rejects_past.clear();
      std::vector<int64_t> kept;
      for (int64_t x : *positions) {
        // Ranges ascend by position: a reject belongs to the last one starting at or before it.
        size_t i = std::upper_bound(starts_.begin(), starts_.end(), x) - starts_.begin();
        if (i > 0 && x < p.ranges[i - 1].position) continue;  // in the prefix: kept for good
        kept.push_back(x);
        p.rejects_past.insert(x);
      }
      positions->swap(kept);
    });
  } else {
    for (size_t i = 0; i < acks_.size(); ++i) {
      acks_[i]->Snapshot(&p.ranges[i].position, &p.ranges[i].records);
    }
  }
  TSB_RETURN_IF_ERROR(synced);
  if (!text_path_.empty()) {
    for (size_t i = 0; i < p.ranges.size(); ++i) {
      ResumeRange& r = p.ranges[i];
      if (!cursors_[i]) {
        TSB_ASSIGN_OR_RETURN(cursors_[i], LineCursor::Open(text_path_, cr_ends_line_,
                                                           payload_.ranges[i].offset, starts_[i]));
      }
      TSB_ASSIGN_OR_RETURN(r.offset, cursors_[i]->Start(r.position));
    }
  }
  return save_(p.ToJson());
}

Result<std::string> ReadLeadingLines(const std::string& path, bool cr_ends_line,
                                     int64_t first_line) {
  TSB_ASSIGN_OR_RETURN(auto cursor, LineCursor::Open(path, cr_ends_line));
  TSB_ASSIGN_OR_RETURN(uint64_t bytes, cursor->Start(first_line));
  std::string out(bytes, '\0');
  if (bytes == 0) return out;
  TSB_ASSIGN_OR_RETURN(auto in, InputStream::OpenRange(path, 0, bytes));
  size_t got = 0;
  while (got < bytes) {
    TSB_ASSIGN_OR_RETURN(size_t n, in->Read(out.data() + got, bytes - got));
    if (n == 0) break;
    got += n;
  }
  out.resize(got);
  return out;
}

}  // namespace tsb::jobs
