#include "tablestore/write_router.h"

#include "core/hash.h"

namespace tsb::ots {

WriteRouter::WriteRouter(uint32_t writers, uint32_t chunk_rows)
    : writers_(writers == 0 ? 1 : writers), chunk_rows_(chunk_rows == 0 ? 1 : chunk_rows) {
  slots_.resize(1024);
}

WriteRouter::~WriteRouter() = default;

WriteRouter::Route WriteRouter::Next(uint64_t key_hash) {
  if (current_ == nullptr || current_->rows_ == chunk_rows_) StartChunk();
  if (2 * (used_ + 1) > slots_.size()) Rebuild();
  const uint64_t hash = key_hash == 0 ? 1 : key_hash;
  uint32_t writer = static_cast<uint32_t>((chunk_number_ - 1) % writers_);
  // No slot is ever emptied, so the key is in the run of used slots from its home on, if at all.
  const size_t mask = slots_.size() - 1;
  Slot* stale = nullptr;  // the run's first stale slot, which a new key takes over
  size_t i = static_cast<size_t>(Fmix64(hash)) & mask;
  for (; slots_[i].hash != 0 && slots_[i].hash != hash; i = (i + 1) & mask) {
    if (stale == nullptr && !Live(slots_[i])) stale = &slots_[i];
  }
  Slot* slot = &slots_[i];
  if (slot->hash == hash) {
    // The key's last row may still be on its way: follow it.
    if (Live(*slot)) writer = slot->writer();
  } else {
    if (stale != nullptr) {
      slot = stale;
    } else {
      ++used_;
    }
    slot->hash = hash;
  }
  slot->chunk_writer = Pack(current_->number_, writer);
  ++current_->rows_;
  return Route{writer, current_};
}

void WriteRouter::StartChunk() {
  if (current_ != nullptr) {
    current_->outstanding_.fetch_sub(Chunk::kOpen - current_->rows_, std::memory_order_acq_rel);
  }
  ForgetFinished();
  std::unique_ptr<Chunk> chunk;
  if (!spare_.empty()) {
    chunk = std::move(spare_.back());
    spare_.pop_back();
    chunk->outstanding_.store(Chunk::kOpen, std::memory_order_relaxed);
    chunk->rows_ = 0;
  } else {
    chunk = std::make_unique<Chunk>();
  }
  chunk->number_ = ++chunk_number_;
  current_ = chunk.get();
  open_.push_back(std::move(chunk));
  oldest_open_ = open_.front()->number_;
}

// Forgets the finished chunks at the front: from there on, any row of their keys may go to any
// writer. A finished chunk behind an unfinished one waits, which only keeps its keys a little
// longer.
void WriteRouter::ForgetFinished() {
  while (!open_.empty() && open_.front().get() != current_ &&
         open_.front()->outstanding_.load(std::memory_order_acquire) == 0) {
    spare_.push_back(std::move(open_.front()));
    open_.pop_front();
  }
}

void WriteRouter::Rebuild() {
  size_t live = 0;
  for (const Slot& s : slots_) {
    if (s.hash != 0 && Live(s)) ++live;
  }
  size_t capacity = 1024;
  while (capacity < 4 * (live + 1)) capacity *= 2;
  std::vector<Slot> old(capacity);
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.hash == 0 || !Live(s)) continue;
    size_t i = static_cast<size_t>(Fmix64(s.hash)) & mask;
    while (slots_[i].hash != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
  used_ = live;
}

size_t WriteRouter::remembered() const {
  size_t n = 0;
  for (const Slot& s : slots_) {
    if (s.hash != 0 && Live(s)) ++n;
  }
  return n;
}

}  // namespace tsb::ots
