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
// Memory: the open chunks' keys, about 56 bytes a row (a table at most half full of 24-byte
// slots, and the chunk's list). How many chunks are open is bounded by the writers' queues, which
// stop the reader when they are full.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

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
  std::vector<uint64_t> keys_;
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

  // The keys the router still remembers (rows that may not be finished), for tests.
  size_t remembered() const { return size_; }
  size_t open_chunks() const { return open_.size(); }

 private:
  struct Slot {
    uint64_t hash = 0;  // 0: empty (a key hashing to 0 is remembered as 1)
    Chunk* chunk = nullptr;
    uint32_t writer = 0;
  };

  void StartChunk();
  void ForgetFinished();
  Slot* Find(uint64_t hash);
  void Insert(uint64_t hash, Chunk* chunk, uint32_t writer);
  void Erase(Slot* slot);
  void Grow();

  const uint32_t writers_;
  const uint32_t chunk_rows_;
  uint64_t chunk_number_ = 0;
  Chunk* current_ = nullptr;
  std::deque<std::unique_ptr<Chunk>> open_;  // oldest first; current_ is the last
  std::vector<std::unique_ptr<Chunk>> spare_;

  // Open addressing, linear probing, deletion by backward shift; at most half full.
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace tsb::ots
