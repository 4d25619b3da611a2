// CSV writer: rows are formatted into one reused buffer that goes to the OutputStream in blocks.
#include <array>
#include <cstring>

#include "core/value_text.h"
#include "formats/csv/csv.h"
#include "formats/text/text_common.h"

namespace tsb {

namespace {

constexpr std::array<bool, 256> MakeNeedsQuote() {
  std::array<bool, 256> t{};
  t[','] = true;
  t['"'] = true;
  t['\n'] = true;
  t['\r'] = true;
  return t;
}
constexpr std::array<bool, 256> kNeedsQuote = MakeNeedsQuote();

void AppendCsvText(std::string_view v, bool force_quotes, std::string* out) {
  bool quote = force_quotes || v.empty();
  if (!quote) {
    for (char c : v) {
      if (kNeedsQuote[static_cast<unsigned char>(c)]) {
        quote = true;
        break;
      }
    }
  }
  if (!quote) {
    out->append(v);
    return;
  }
  out->push_back('"');
  const char* b = v.data();
  const char* e = b + v.size();
  while (b < e) {
    const char* q = static_cast<const char*>(std::memchr(b, '"', static_cast<size_t>(e - b)));
    if (q == nullptr) {
      out->append(b, e);
      break;
    }
    out->append(b, q + 1);
    out->push_back('"');
    b = q + 1;
  }
  out->push_back('"');
}

class CsvWriter : public BatchWriter {
 public:
  CsvWriter(const Schema& schema, std::unique_ptr<OutputStream> output)
      : schema_(schema), output_(std::move(output)) {
    buf_.reserve(OutputStream::kBlockSize + 64 * 1024);
    for (size_t i = 0; i < schema_.size(); ++i) {
      if (i > 0) buf_.push_back(',');
      const std::string& name = schema_.field(i).name;
      const bool bom =
          i == 0 && name.size() >= 3 && std::memcmp(name.data(), "\xEF\xBB\xBF", 3) == 0;
      // A one-column header whose name is empty would read back as an empty line: quote it.
      AppendCsvText(name, bom || (schema_.size() == 1 && name.empty()), &buf_);
    }
    buf_.push_back('\n');
  }

  Status Write(const RowBatch& batch) override {
    if (closed_) return Status::Internal(output_->name() + ": write after close");
    const size_t rows = batch.num_rows();
    const size_t cols = batch.num_columns();
    if (cols != schema_.size()) {
      return Status::Internal(output_->name() + ": batch has " + std::to_string(cols) +
                              " columns, the writer " + std::to_string(schema_.size()));
    }
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < cols; ++c) {
        if (c > 0) buf_.push_back(',');
        const Column& column = batch.column(c);
        if (column.IsNull(r)) continue;
        if (column.type().id == TypeId::kString) {
          AppendCsvText(column.GetBytes(r), false, &buf_);
        } else {
          const size_t before = buf_.size();
          AppendValueText(column, r, &buf_);
          // An empty BINARY value's base64 text is empty, and a bare empty field is NULL:
          // quoted, it reads back as the empty value it is.
          if (buf_.size() == before) buf_.append("\"\"");
        }
      }
      // One NULL column: an empty line would be skipped by readers of multi-column files but is
      // a NULL here; keep it as is (our reader reads it back as NULL).
      buf_.push_back('\n');
      if (buf_.size() >= OutputStream::kBlockSize) TSB_RETURN_IF_ERROR(Flush());
    }
    return Status::OK();
  }

  Status Close() override {
    if (closed_) return Status::OK();
    closed_ = true;
    TSB_RETURN_IF_ERROR(Flush());
    return output_->Close();
  }

 private:
  Status Flush() {
    Status st = output_->Write(buf_);
    buf_.clear();
    return st;
  }

  Schema schema_;
  std::unique_ptr<OutputStream> output_;
  std::string buf_;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<BatchWriter>> OpenCsvWriter(const Schema& schema,
                                                   std::unique_ptr<OutputStream> output) {
  return std::unique_ptr<BatchWriter>(new CsvWriter(schema, std::move(output)));
}

}  // namespace tsb
