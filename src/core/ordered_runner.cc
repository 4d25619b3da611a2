#include "core/ordered_runner.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/spill.h"

namespace tsb {

namespace {

struct TaskState {
  std::deque<RowBatch> queue;
  size_t queued_bytes = 0;
  // Once a task spills, every later batch of it goes to the spill file so order is kept: the
  // consumer reads the queue (earlier batches), then the file.
  std::unique_ptr<SpillFile> spill;
  bool done = false;
};

}  // namespace

Status OrderedRunner::Run(size_t num_tasks, const std::function<RowBatch()>& make_batch,
                          const Task& task, const Consume& consume, const TaskDone& task_done) {
  peak_ahead_bytes_ = 0;
  if (num_tasks == 0) return Status::OK();
  const size_t parallel = std::max(1, options_.parallel);
  const size_t window = std::max<size_t>(parallel, static_cast<size_t>(options_.window));

  std::mutex mu;
  std::condition_variable cv;
  std::vector<TaskState> states(num_tasks);
  std::vector<RowBatch> pool;  // consumed batches, reused by emitters
  size_t pool_bytes = 0;       // their BatchBytes when they were consumed
  size_t ahead_bytes = 0;      // queued by the tasks past the head
  size_t head = 0;
  size_t next_task = 0;
  bool stop = false;
  Status first_error;

  auto fail = [&](const Status& s) {  // REQUIRES: mu held
    if (first_error.ok()) first_error = s;
    stop = true;
    cv.notify_all();
  };

  auto worker = [&] {
    for (;;) {
      size_t index;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return stop || next_task >= num_tasks || next_task < head + window; });
        if (stop || next_task >= num_tasks) return;
        index = next_task++;
      }
      TaskState& state = states[index];
      Emit emit = [&, index](RowBatch* batch) -> Status {
        if (batch->num_rows() == 0) {
          batch->Reset();
          return Status::OK();
        }
        const size_t bytes = BatchBytes(*batch);
        std::unique_lock<std::mutex> lock(mu);
        for (;;) {
          if (stop) return Status::Cancelled("stopped");
          if (state.spill != nullptr) break;
          const bool is_head = index == head;
          const bool room =
              is_head ? state.queue.empty() || state.queued_bytes + bytes <= options_.head_memory
                      : ahead_bytes + bytes <= options_.memory_budget;
          if (room) {
            state.queue.push_back(std::move(*batch));
            state.queued_bytes += bytes;
            if (!is_head) {
              ahead_bytes += bytes;
              peak_ahead_bytes_ = std::max(peak_ahead_bytes_, ahead_bytes);
            }
            if (!pool.empty()) {
              *batch = std::move(pool.back());
              pool.pop_back();
              pool_bytes -= std::min(pool_bytes, BatchBytes(*batch));
            } else {
              lock.unlock();
              *batch = make_batch();
              lock.lock();
            }
            batch->Reset();
            cv.notify_all();
            return Status::OK();
          }
          if (is_head) {  // the consumer is draining this queue: wait for room
            cv.wait(lock);
            continue;
          }
          lock.unlock();
          auto spill = SpillFile::Create(options_.spill_dir);
          lock.lock();
          if (!spill.ok()) return spill.status();
          state.spill = std::move(spill).value();
          break;
        }
        lock.unlock();
        // Only this task's thread writes its spill file until the task is marked done.
        Status s = state.spill->Append(*batch);
        batch->Reset();
        return s;
      };
      Status s = task(index, emit);
      std::lock_guard<std::mutex> lock(mu);
      state.done = true;
      if (!s.ok() && s.code() != StatusCode::kCancelled) {
        fail(s.WithContext("split " + std::to_string(index)));
      } else if (!s.ok()) {
        fail(s);
      }
      cv.notify_all();
    }
  };

  std::vector<std::thread> threads;
  for (size_t t = 0; t < std::min(parallel, num_tasks); ++t) threads.emplace_back(worker);

  RowBatch spilled = make_batch();
  for (size_t index = 0; index < num_tasks; ++index) {
    TaskState& state = states[index];
    bool ok = true;
    for (;;) {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return stop || !state.queue.empty() || state.done; });
      if (stop) {
        ok = false;
        break;
      }
      if (!state.queue.empty()) {
        RowBatch batch = std::move(state.queue.front());
        state.queue.pop_front();
        lock.unlock();
        Status s = consume(index, batch);
        lock.lock();
        const size_t bytes = BatchBytes(batch);
        state.queued_bytes -= std::min(state.queued_bytes, bytes);
        // Kept for reuse while the budgets could still fill with batches like it; beyond that
        // the batch's memory goes back to the allocator rather than sitting idle.
        if (pool_bytes + bytes <= options_.head_memory + options_.memory_budget) {
          pool_bytes += bytes;
          pool.push_back(std::move(batch));
        }
        cv.notify_all();
        if (!s.ok()) {
          fail(s);
          ok = false;
          break;
        }
        continue;
      }
      // Done, queue drained: the spill file holds the rest, in order.
      std::unique_ptr<SpillFile> spill = std::move(state.spill);
      lock.unlock();
      if (spill != nullptr) {
        Status s = spill->Rewind();
        while (s.ok()) {
          auto more = spill->Next(&spilled);
          if (!more.ok()) {
            s = more.status();
            break;
          }
          if (!*more) break;
          s = consume(index, spilled);
        }
        if (!s.ok()) {
          std::lock_guard<std::mutex> relock(mu);
          fail(s);
          ok = false;
        }
      }
      break;
    }
    if (!ok) break;
    if (task_done) {
      Status s = task_done(index);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        fail(s);
        break;
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    head = index + 1;
    // The new head's queue leaves the shared budget: from now on it drains.
    if (head < num_tasks) ahead_bytes -= std::min(ahead_bytes, states[head].queued_bytes);
    cv.notify_all();
  }

  {
    std::lock_guard<std::mutex> lock(mu);
    if (!first_error.ok()) stop = true;
    cv.notify_all();
  }
  for (std::thread& t : threads) t.join();
  return first_error;
}

}  // namespace tsb
