// OrderedRunner: runs numbered tasks on N threads and hands their batches to one consumer in task
// order.
//
// This is how an import scans key-range splits in parallel and still writes one file in
// primary-key order: task i is split i, the consumer is the file writer. The task being consumed
// (the head) streams straight through a queue of up to `head_memory` bytes; the tasks past it
// share one budget of `memory_budget` bytes of batches held in memory, and a task that finds the
// budget spent spills its later batches to a temporary file. The budget is shared, not per task,
// because the number of tasks waiting behind the head grows with the table (more splits, more of
// them finished early): a per-task bound made memory grow with the table's size. At most `window`
// tasks past the head run at once, so a slow consumer does not make the scanners race ahead.
// Consumed batches are reused by the emitters; only as many are kept as the budgets can hold.
//
// The first error (from a task or from the consumer) stops everything; Run returns it.
#pragma once

#include <functional>
#include <string>

#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"

namespace tsb {

struct OrderedRunnerOptions {
  int parallel = 4;
  // Tasks started past the head: more keeps scanners busy while the consumer is slow to switch
  // tasks; they share memory_budget, the rest spills.
  int window = 8;
  size_t head_memory = 8u << 20;     // the head's queue; a full queue makes its task wait
  size_t memory_budget = 16u << 20;  // all tasks past the head together; beyond it they spill
  std::string spill_dir = "/tmp";    // where spill files go (anonymous, removed on close)
};

class OrderedRunner {
 public:
  // Emits one batch of a task's output; the runner takes its contents (the batch is left empty
  // and can be refilled).
  using Emit = std::function<Status(RowBatch* batch)>;
  // Produces task `index`'s batches by calling emit; returns when the task is done.
  using Task = std::function<Status(size_t index, const Emit& emit)>;
  // Consumes batches in task order; `index` is the task that produced the batch.
  using Consume = std::function<Status(size_t index, const RowBatch& batch)>;
  // Called once per task after its last batch was consumed (for per-split part files).
  using TaskDone = std::function<Status(size_t index)>;

  explicit OrderedRunner(OrderedRunnerOptions options) : options_(std::move(options)) {}

  // `make_batch` creates an empty batch of the tasks' schema (used for queues and spill reads).
  [[nodiscard]] Status Run(size_t num_tasks, const std::function<RowBatch()>& make_batch,
                           const Task& task, const Consume& consume,
                           const TaskDone& task_done = nullptr);

  // After Run: the most bytes (BatchBytes) that the tasks past the head held in memory at once.
  size_t peak_ahead_bytes() const { return peak_ahead_bytes_; }

 private:
  OrderedRunnerOptions options_;
  size_t peak_ahead_bytes_ = 0;
};

}  // namespace tsb
