// WriteRouter (tablestore/write_router.h): runs of consecutive rows per writer, rows of one key in
// input order whatever the writers' pace, and the keys of finished chunks forgotten.
#include "tablestore/write_router.h"

#include <doctest/doctest.h>

#include <deque>
#include <map>
#include <random>
#include <vector>

using tsb::ots::RoutedChunk;
using tsb::ots::WriteRouter;

TEST_CASE("WriteRouter: distinct keys go in runs of a request's worth, writer after writer") {
  WriteRouter router(3, 4);
  std::vector<uint32_t> writers;
  std::vector<RoutedChunk*> chunks;
  for (uint64_t key = 1; key <= 14; ++key) {
    WriteRouter::Route r = router.Next(key * 7919);
    writers.push_back(r.writer);
    chunks.push_back(r.chunk);
  }
  CHECK(writers == std::vector<uint32_t>{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0});
  CHECK(chunks[0] == chunks[3]);
  CHECK(chunks[3] != chunks[4]);
  CHECK(router.remembered() == 14);
  CHECK(router.open_chunks() == 4);
}

TEST_CASE("WriteRouter: a key whose row is not finished follows its writer; once finished, not") {
  WriteRouter router(2, 2);
  WriteRouter::Route a = router.Next(100);  // chunk 0, writer 0
  router.Next(101);
  WriteRouter::Route b = router.Next(100);  // chunk 1 would be writer 1: follows writer 0
  CHECK(b.writer == 0);
  CHECK(b.chunk != a.chunk);
  router.Next(102);  // chunk 1, writer 1
  // Finish every row of chunks 0 and 1, then start chunk 3: both are forgotten.
  for (int i = 0; i < 2; ++i) a.chunk->Done();
  for (int i = 0; i < 2; ++i) b.chunk->Done();
  WriteRouter::Route c = router.Next(200);  // chunk 2, writer 0
  CHECK(c.writer == 0);
  router.Next(201);
  WriteRouter::Route d = router.Next(100);  // chunk 3, writer 1: key 100 is free again
  CHECK(d.writer == 1);
  CHECK(router.open_chunks() == 2);
  CHECK(router.remembered() == 3);  // 200, 201, 100
}

TEST_CASE("WriteRouter: a finished chunk behind an unfinished one keeps its keys") {
  WriteRouter router(2, 1);
  WriteRouter::Route first = router.Next(1);   // chunk 0, writer 0, left unfinished
  WriteRouter::Route second = router.Next(2);  // chunk 1, writer 1
  second.chunk->Done();
  router.Next(3);                     // chunk 2
  router.Next(4);                     // chunk 3
  CHECK(router.Next(2).writer == 1);  // chunk 4 would be writer 0; key 2 is still remembered
  first.chunk->Done();
  router.Next(5);
  router.Next(6);
  CHECK(router.remembered() < 6);
}

// Writers that take their rows first in, first out but finish them at random paces, against
// keys drawn from a small set so that most rows repeat a key that is still on its way: every
// key's rows must finish in input order, and with every row finished the router forgets them all.
TEST_CASE("WriteRouter: rows of one key finish in input order, whatever the writers' pace") {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    const uint32_t writers = 1 + static_cast<uint32_t>(rng() % 6);
    const uint32_t chunk_rows = 1 + static_cast<uint32_t>(rng() % 9);
    const uint64_t keys = 1 + rng() % 40;
    WriteRouter router(writers, chunk_rows);
    struct Pending {
      uint64_t key;
      int64_t row;
      RoutedChunk* chunk;
    };
    std::vector<std::deque<Pending>> queues(writers);
    std::map<uint64_t, int64_t> last_finished;  // key -> input row
    int64_t violations = 0;
    auto finish_one = [&](uint32_t w) {
      Pending p = queues[w].front();
      queues[w].pop_front();
      auto it = last_finished.find(p.key);
      if (it != last_finished.end() && it->second > p.row) ++violations;
      last_finished[p.key] = p.row;
      p.chunk->Done();
    };
    for (int64_t row = 0; row < 5000; ++row) {
      const uint64_t key = rng() % keys;
      WriteRouter::Route r = router.Next(key);
      REQUIRE(r.writer < writers);
      queues[r.writer].push_back(Pending{key, row, r.chunk});
      // Each writer finishes 0 to 2 rows now and then; some lag far behind.
      for (uint32_t w = 0; w < writers; ++w) {
        int n = static_cast<int>(rng() % 3);
        if (rng() % (w + 2) == 0) n = 0;
        for (; n > 0 && !queues[w].empty(); --n) finish_one(w);
      }
    }
    for (uint32_t w = 0; w < writers; ++w) {
      while (!queues[w].empty()) finish_one(w);
    }
    CHECK(violations == 0);
    // New keys, each finished at once, close the last chunks: what is remembered then is at
    // most the open chunk and the one closed just before it.
    for (uint32_t i = 0; i < 3 * chunk_rows; ++i) router.Next(1000000 + i).chunk->Done();
    CHECK(router.remembered() <= 2 * chunk_rows);
  }
}

TEST_CASE("WriteRouter: the table grows past its first size and finds every key") {
  WriteRouter router(4, 200);
  for (uint64_t key = 0; key < 50000; ++key) router.Next(key * 0x9E3779B97F4A7C15ull);
  CHECK(router.remembered() == 50000);
  // Every key again: each follows the writer of its first row (nothing finished).
  WriteRouter fresh(4, 200);
  std::vector<uint32_t> first;
  for (uint64_t key = 0; key < 5000; ++key) first.push_back(fresh.Next(key + 1).writer);
  for (uint64_t key = 0; key < 5000; ++key) CHECK(fresh.Next(key + 1).writer == first[key]);
}
