// OrderedRunner: runs numbered tasks on N threads and hands their batches to one consumer in task
// order.
//
// This is how an import scans key-range splits in parallel and still writes one file in
// primary-key order: task i is split i, the consumer is the file writer. The task being consumed
// (the head) streams straight through a bounded queue; every other running task keeps up to
// `memory_per_task` bytes of batches in memory and spills the rest to a temporary file, so memory
// is bounded by N * memory_per_task whatever the table size. At most `window` tasks past the head
// run at once, so a slow consumer does not make the scanners race ahead.
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
  // tasks; each costs up to memory_per_task plus spill.
  int window = 8;
  size_t memory_per_task = 32u << 20;
  std::string spill_dir = "/tmp";  // where spill files go (anonymous, removed on close)
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

 private:
  OrderedRunnerOptions options_;
};

}  // namespace tsb
