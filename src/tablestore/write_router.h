// WriteRouter: which writer thread of an export takes each row.
//
// Rows go to the writers in runs of consecutive input rows ("chunks", a request's worth each),
// chunk c to writer c mod N, so that a request carries neighbours of the input. A key-sorted file
// (an import's output, most exports) then writes each request into one stretch of the table.
// Routing by a hash of the key, as before, spread every request over the stretch all N writers
// were in at once: the requests of the N writers interleaved key by key, and the emulator's
// RocksDB memtable, whose skip list resumes each insert from the last one, had to search for
// almost every row (10,850 instructions a row in `DBImpl::Write` against 5,080 for the same rows
// in runs; bench/profile-notes.md).
//
// Rows of one key must still reach the table in input order. Each writer sends its rows first in,
// first out, so a row whose key has an earlier row that may not be finished yet goes to that row's
// writer, whatever its chunk. To know which rows may not be finished, the router keeps the keys
// of every chunk not yet known finished (all its rows written or refused: Done), and forgets a
// chunk's keys once it and every chunk before it are finished. Key hashes stand for keys: two
// keys with one hash only make a row follow a writer it need not follow.
//
// Forgetting costs nothing per key: a key's slot names the chunk of its last row, and a slot of a
// chunk before the oldest open one reads as empty (and is taken over by the next key that lands
// on it). When the table is half full, live and stale slots together, it is rebuilt from the live
// ones. Each row costs one probe of the table, which is why its slots are small: the table stays
// in the core's cache.
//
// Memory: the open chunks' keys, 16-byte slots at most half full (a rebuild leaves them at most
// a quarter full). How many chunks are open is bounded by the writers' queues, which stop the
// reader when they are full.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "core/hash.h"

namespace tsb::ots {

// The rows of one chunk. Writers call Done on it; the router's thread owns the rest.
class RoutedChunk {
 public:
  // One row of the chunk is finished (written or refused). Any thread; once per routed row.
  void Done() { outstanding_.fetch_sub(1, std::memory_order_acq_rel); }

 private:
  friend class WriteRouter;
  // While the chunk is open it holds kOpen, so that writers finishing its first rows cannot
  // bring it to zero; closing takes off kOpen less the rows routed to it.
  static constexpr int64_t kOpen = int64_t{1} << 40;
  std::atomic<int64_t> outstanding_{kOpen};
  uint64_t number_ = 0;  // 1, 2, ... in input order
  uint32_t rows_ = 0;
};

class WriteRouter {
 public:
  using Chunk = RoutedChunk;

  struct Route {
    uint32_t writer = 0;
    Chunk* chunk = nullptr;
  };

  WriteRouter(uint32_t writers, uint32_t chunk_rows);
  WriteRouter(const WriteRouter&) = delete;
  WriteRouter& operator=(const WriteRouter&) = delete;
  ~WriteRouter();

  // The writer of the next input row, whose encoded primary key hashes to `key_hash`, and the
  // chunk on which the writer calls Done once the row is finished. The reader's thread only.
  Route Next(uint64_t key_hash);
  // Starts loading the slot Next(key_hash) reads first: the table is larger than the core's
  // nearest caches, and the reader has a row to encode meanwhile.
  void Prefetch(uint64_t key_hash) const {
    const uint64_t hash = key_hash == 0 ? 1 : key_hash;
    __builtin_prefetch(&slots_[static_cast<size_t>(Fmix64(hash)) & (slots_.size() - 1)]);
  }

  // The keys the router still remembers (rows that may not be finished), for tests.
  size_t remembered() const;
  size_t open_chunks() const { return open_.size(); }

 private:
  struct Slot {
    uint64_t hash = 0;  // 0: empty (a key hashing to 0 is remembered as 1)
    // The number of the chunk of the key's last row (high 48 bits) and its writer (low 16).
    uint64_t chunk_writer = 0;
    uint64_t chunk() const { return chunk_writer >> 16; }
    uint32_t writer() const { return static_cast<uint32_t>(chunk_writer & 0xFFFF); }
  };
  static uint64_t Pack(uint64_t chunk, uint32_t writer) { return (chunk << 16) | writer; }

  void StartChunk();
  void ForgetFinished();
  bool Live(const Slot& slot) const { return slot.chunk() >= oldest_open_; }
  // Rebuilds the table from its live slots, with room to spare.
  void Rebuild();

  const uint32_t writers_;
  const uint32_t chunk_rows_;
  uint64_t chunk_number_ = 0;
  uint64_t oldest_open_ = 1;  // the number of open_.front(); slots of earlier chunks are stale
  Chunk* current_ = nullptr;
  std::deque<std::unique_ptr<Chunk>> open_;  // oldest first; current_ is the last
  std::vector<std::unique_ptr<Chunk>> spare_;

  // Open addressing, linear probing, never more than half full of slots live or stale.
  std::vector<Slot> slots_;
  size_t used_ = 0;  // slots holding a hash, live or stale
};

}  // namespace tsb::ots
