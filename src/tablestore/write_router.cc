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
  const uint64_t hash = key_hash == 0 ? 1 : key_hash;
  uint32_t writer = static_cast<uint32_t>((chunk_number_ - 1) % writers_);
  Slot* earlier = Find(hash);
  if (earlier != nullptr) {
    // The key's last row may still be on its way: follow it.
    writer = earlier->writer;
    earlier->chunk = current_;
  } else {
    Insert(hash, current_, writer);
  }
  current_->keys_.push_back(hash);
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
    chunk->keys_.clear();
    chunk->rows_ = 0;
  } else {
    chunk = std::make_unique<Chunk>();
    chunk->keys_.reserve(chunk_rows_);
  }
  current_ = chunk.get();
  open_.push_back(std::move(chunk));
  ++chunk_number_;
}

// Forgets the keys of the finished chunks at the front: from there on, any row of those keys may
// go to any writer. A finished chunk behind an unfinished one waits, which only keeps its keys
// a little longer.
void WriteRouter::ForgetFinished() {
  while (!open_.empty() && open_.front().get() != current_ &&
         open_.front()->outstanding_.load(std::memory_order_acquire) == 0) {
    Chunk* done = open_.front().get();
    for (uint64_t hash : done->keys_) {
      Slot* slot = Find(hash);
      // A later row of the key moved the slot on to its own chunk, which is still open.
      if (slot != nullptr && slot->chunk == done) Erase(slot);
    }
    spare_.push_back(std::move(open_.front()));
    open_.pop_front();
  }
}

WriteRouter::Slot* WriteRouter::Find(uint64_t hash) {
  const size_t mask = slots_.size() - 1;
  for (size_t i = static_cast<size_t>(Fmix64(hash)) & mask;; i = (i + 1) & mask) {
    if (slots_[i].hash == hash) return &slots_[i];
    if (slots_[i].hash == 0) return nullptr;
  }
}

void WriteRouter::Insert(uint64_t hash, Chunk* chunk, uint32_t writer) {
  if (2 * (size_ + 1) > slots_.size()) Grow();
  const size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>(Fmix64(hash)) & mask;
  while (slots_[i].hash != 0) i = (i + 1) & mask;
  slots_[i] = Slot{hash, chunk, writer};
  ++size_;
}

// Backward-shift deletion: later slots of the probe run move up, so that no lookup stops early
// at the hole.
void WriteRouter::Erase(Slot* slot) {
  const size_t mask = slots_.size() - 1;
  size_t hole = static_cast<size_t>(slot - slots_.data());
  for (size_t i = (hole + 1) & mask; slots_[i].hash != 0; i = (i + 1) & mask) {
    const size_t home = static_cast<size_t>(Fmix64(slots_[i].hash)) & mask;
    // The entry at i may fill the hole when the hole lies on its probe path, home..i (cyclic).
    if (((i - home) & mask) >= ((i - hole) & mask)) {
      slots_[hole] = slots_[i];
      hole = i;
    }
  }
  slots_[hole] = Slot{};
  --size_;
}

void WriteRouter::Grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  size_ = 0;
  for (const Slot& s : old) {
    if (s.hash != 0) Insert(s.hash, s.chunk, s.writer);
  }
}

}  // namespace tsb::ots
