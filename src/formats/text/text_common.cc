#include "formats/text/text_common.h"

#include <cstring>

namespace tsb {

void TruncateColumn(Column* column, size_t rows) {
  if (column->validity().size() <= rows) return;
  column->validity().resize(rows);
  switch (column->type().storage()) {
    case Storage::kInt64:
      column->ints().resize(rows);
      break;
    case Storage::kDouble:
      column->doubles().resize(rows);
      break;
    case Storage::kInt128:
      column->wide().resize(rows);
      break;
    case Storage::kBytes:
      column->bytes().resize(column->offsets()[rows]);
      column->offsets().resize(rows + 1);
      break;
  }
}

Status InputWindow::Fill() {
  if (eof_) return Status::OK();
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
    len_ -= pos_;
    pos_ = 0;
  }
  if (len_ > buf_.size() / 2) {
    if (buf_.size() >= kMaxRecordBytes) {
      return Status::InvalidArgument(name() + ": a record longer than " +
                                     std::to_string(kMaxRecordBytes) + " bytes");
    }
    buf_.resize(buf_.size() * 2);
  }
  TSB_ASSIGN_OR_RETURN(size_t n, input_->Read(buf_.data() + len_, buf_.size() - len_));
  if (n == 0) eof_ = true;
  len_ += n;
  return Status::OK();
}

}  // namespace tsb
