#include "core/ordered_runner.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/spill.h"

using namespace tsb;

namespace {
std::shared_ptr<const Schema> TwoColumns() {
  return std::make_shared<Schema>(std::vector<Field>{{"n", DataType::Of(TypeId::kInt64)},
                                                     {"s", DataType::Of(TypeId::kString)}});
}
}  // namespace

TEST_CASE("a spill file gives back its batches exactly, in order") {
  auto schema = TwoColumns();
  auto spill = SpillFile::Create("/tmp");
  REQUIRE(spill.ok());
  RowBatch batch(schema, 8);
  for (int b = 0; b < 3; ++b) {
    batch.Reset();
    for (int r = 0; r < 5; ++r) {
      if (r == 2) {
        batch.column(0).AppendNull();
        batch.column(1).AppendNull();
      } else {
        batch.column(0).AppendInt(b * 100 + r);
        batch.column(1).AppendBytes(std::string(r, 'x') + std::to_string(b));
      }
      batch.positions().push_back(b * 10 + r);
      batch.CommitRow();
    }
    REQUIRE((*spill)->Append(batch).ok());
  }
  REQUIRE((*spill)->Rewind().ok());
  RowBatch back(schema, 8);
  for (int b = 0; b < 3; ++b) {
    auto more = (*spill)->Next(&back);
    REQUIRE(more.ok());
    REQUIRE(*more);
    REQUIRE(back.num_rows() == 5);
    for (int r = 0; r < 5; ++r) {
      CHECK(back.positions()[r] == b * 10 + r);
      if (r == 2) {
        CHECK(back.column(0).IsNull(r));
        CHECK(back.column(1).IsNull(r));
      } else {
        CHECK(back.column(0).GetInt(r) == b * 100 + r);
        CHECK(back.column(1).GetBytes(r) == std::string(r, 'x') + std::to_string(b));
      }
    }
  }
  auto end = (*spill)->Next(&back);
  REQUIRE(end.ok());
  CHECK_FALSE(*end);
}

TEST_CASE("the ordered runner hands over every task's batches in task order, spilling as needed") {
  auto schema = TwoColumns();
  for (size_t memory : {size_t{1}, size_t{1} << 30}) {  // forces spills / never spills
    OrderedRunnerOptions options;
    options.parallel = 3;
    options.window = 4;
    options.head_memory = memory;
    options.memory_budget = memory;
    OrderedRunner runner(options);
    const size_t kTasks = 9;
    std::vector<int64_t> seen;
    std::vector<size_t> done;
    Status s = runner.Run(
        kTasks, [&] { return RowBatch(schema, 16); },
        [&](size_t index, const OrderedRunner::Emit& emit) -> Status {
          RowBatch batch(schema, 16);
          // Later tasks finish first, so the runner must hold them back.
          std::this_thread::sleep_for(std::chrono::milliseconds(5 * (kTasks - index)));
          for (int b = 0; b < 4; ++b) {
            for (int r = 0; r < 16; ++r) {
              batch.column(0).AppendInt(static_cast<int64_t>(index) * 1000 + b * 16 + r);
              batch.column(1).AppendBytes("v");
              batch.CommitRow();
            }
            TSB_RETURN_IF_ERROR(emit(&batch));
            CHECK(batch.num_rows() == 0);
          }
          return Status::OK();
        },
        [&](size_t index, const RowBatch& batch) -> Status {
          for (size_t r = 0; r < batch.num_rows(); ++r) {
            CHECK(batch.column(0).GetInt(r) / 1000 == static_cast<int64_t>(index));
            seen.push_back(batch.column(0).GetInt(r));
          }
          return Status::OK();
        },
        [&](size_t index) -> Status {
          done.push_back(index);
          return Status::OK();
        });
    REQUIRE(s.ok());
    std::vector<int64_t> expected;
    for (size_t t = 0; t < kTasks; ++t) {
      for (int v = 0; v < 64; ++v) expected.push_back(static_cast<int64_t>(t) * 1000 + v);
    }
    CHECK(seen == expected);
    CHECK(done == std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8});
  }
}

TEST_CASE("the ordered runner stops at the first error and returns it") {
  auto schema = TwoColumns();
  OrderedRunnerOptions options;
  options.parallel = 2;
  OrderedRunner runner(options);
  std::atomic<int> started{0};
  Status s = runner.Run(
      50, [&] { return RowBatch(schema, 4); },
      [&](size_t index, const OrderedRunner::Emit& emit) -> Status {
        ++started;
        if (index == 3) return Status::Unavailable("scan failed");
        RowBatch batch(schema, 4);
        batch.column(0).AppendInt(1);
        batch.column(1).AppendBytes("x");
        batch.CommitRow();
        return emit(&batch);
      },
      [&](size_t, const RowBatch&) -> Status { return Status::OK(); });
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(s.message() == "split 3: scan failed");
  CHECK(started.load() < 50);
}

TEST_CASE("the ordered runner's tasks past the head share one memory budget, however many wait") {
  auto schema = TwoColumns();
  // One batch as the tasks emit it: 16 rows of 1,000-byte strings.
  auto fill = [](RowBatch* batch, int64_t first) {
    for (int r = 0; r < 16; ++r) {
      batch->column(0).AppendInt(first + r);
      batch->column(1).AppendBytes(std::string(1000, static_cast<char>('a' + r)));
      batch->CommitRow();
    }
  };
  RowBatch sample(schema, 16);
  fill(&sample, 0);
  const size_t batch_bytes = BatchBytes(sample);
  for (size_t budget_batches : {size_t{0}, size_t{3}, size_t{1000}}) {
    CAPTURE(budget_batches);
    OrderedRunnerOptions options;
    options.parallel = 4;
    options.window = 8;
    options.head_memory = 2 * batch_bytes;
    options.memory_budget = budget_batches * batch_bytes;
    OrderedRunner runner(options);
    const size_t kTasks = 12;
    std::atomic<int> finished_early{0};
    std::vector<int64_t> seen;
    Status s = runner.Run(
        kTasks, [&] { return RowBatch(schema, 16); },
        [&](size_t index, const OrderedRunner::Emit& emit) -> Status {
          // The head waits until the tasks past it have finished, so that they all queue at once.
          if (index == 0) {
            while (finished_early.load() < 3)
              std::this_thread::sleep_for(std::chrono::milliseconds(1));
          }
          RowBatch batch(schema, 16);
          for (int b = 0; b < 5; ++b) {
            fill(&batch, static_cast<int64_t>(index) * 1000 + b * 16);
            TSB_RETURN_IF_ERROR(emit(&batch));
          }
          if (index > 0) ++finished_early;
          return Status::OK();
        },
        [&](size_t, const RowBatch& batch) -> Status {
          for (size_t r = 0; r < batch.num_rows(); ++r) seen.push_back(batch.column(0).GetInt(r));
          return Status::OK();
        });
    REQUIRE(s.ok());
    std::vector<int64_t> expected;
    for (size_t t = 0; t < kTasks; ++t) {
      for (int v = 0; v < 80; ++v) expected.push_back(static_cast<int64_t>(t) * 1000 + v);
    }
    CHECK(seen == expected);
    // Three tasks of five batches each finished behind the head: with a per-task bound they
    // would all have been held (15 batches); the shared budget holds at most its own size.
    CHECK(runner.peak_ahead_bytes() <= options.memory_budget);
    if (budget_batches == 1000) CHECK(runner.peak_ahead_bytes() >= 15 * batch_bytes);
    if (budget_batches == 3) CHECK(runner.peak_ahead_bytes() >= batch_bytes);
  }
}
