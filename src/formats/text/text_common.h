// Small helpers shared by the CSV and JSON Lines readers and writers (internal to src/formats).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include "core/text_io.h"
#include "formats/format.h"
#include "tsbridge/row_batch.h"

namespace tsb {

// Drops the values of `column` past its first `rows` (to undo a partly appended row).
void TruncateColumn(Column* column, size_t rows);

// A growable byte window over an InputStream, for readers that parse records in place. The
// bytes [pos, len) are unconsumed; Fill() keeps them (moving them to the front) and appends more
// input, growing the buffer when the unconsumed part fills more than half of it.
class InputWindow {
 public:
  static constexpr size_t kMaxRecordBytes = size_t{1} << 30;

  // `initial_bytes` (at least 1): the window's first size (ReaderOptions::window_bytes).
  explicit InputWindow(std::unique_ptr<InputStream> input,
                       size_t initial_bytes = InputStream::kBlockSize)
      : input_(std::move(input)), buf_(std::max<size_t>(1, initial_bytes)) {}

  // Reads more input; sets eof() at the end. Fails with InvalidArgument when a single record
  // would need more than kMaxRecordBytes.
  Status Fill();

  const char* data() const { return buf_.data(); }
  size_t pos() const { return pos_; }
  size_t len() const { return len_; }
  // The buffer's size: bytes [len(), capacity()) hold stale input but may be read, so a parser
  // can load whole words that run past the end of a field.
  size_t capacity() const { return buf_.size(); }
  bool eof() const { return eof_; }
  void set_pos(size_t pos) { pos_ = pos; }
  const std::string& name() const { return input_->name(); }

 private:
  std::unique_ptr<InputStream> input_;
  std::vector<char> buf_;
  size_t pos_ = 0;
  size_t len_ = 0;
  bool eof_ = false;
};

}  // namespace tsb
