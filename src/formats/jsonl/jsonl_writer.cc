// JSON Lines writer: objects are formatted into one reused buffer written in blocks.
#include <cmath>

#include "core/crypto.h"
#include "core/value_text.h"
#include "formats/jsonl/jsonl.h"
#include "formats/text/text_common.h"

namespace tsb {

namespace {

class JsonlWriter : public BatchWriter {
 public:
  JsonlWriter(const Schema& schema, std::unique_ptr<OutputStream> output)
      : schema_(schema), output_(std::move(output)) {
    buf_.reserve(OutputStream::kBlockSize + 64 * 1024);
    for (size_t i = 0; i < schema_.size(); ++i) {
      std::string key = i == 0 ? "{" : ",";
      AppendJsonString(schema_.field(i).name, &key);
      key.push_back(':');
      keys_.push_back(std::move(key));
    }
  }

  Status Write(const RowBatch& batch) override {
    if (closed_) return Status::Internal(output_->name() + ": write after close");
    const size_t cols = batch.num_columns();
    if (cols != schema_.size()) {
      return Status::Internal(output_->name() + ": batch has " + std::to_string(cols) +
                              " columns, the writer " + std::to_string(schema_.size()));
    }
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      if (cols == 0) buf_.push_back('{');
      for (size_t c = 0; c < cols; ++c) {
        buf_.append(keys_[c]);
        AppendValue(batch.column(c), r);
      }
      buf_.append("}\n");
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
  void AppendValue(const Column& column, size_t r) {
    if (column.IsNull(r)) {
      buf_.append("null");
      return;
    }
    switch (column.type().id) {
      case TypeId::kNull:
        buf_.append("null");
        return;
      case TypeId::kBoolean:
      case TypeId::kInt8:
      case TypeId::kInt16:
      case TypeId::kInt32:
      case TypeId::kInt64:
        AppendValueText(column, r, &buf_);
        return;
      case TypeId::kFloat:
      case TypeId::kDouble: {
        const double d = column.GetDouble(r);
        if (std::isfinite(d)) {
          AppendValueText(column, r, &buf_);
        } else {
          buf_.append(std::isnan(d) ? "\"NaN\"" : (d < 0 ? "\"-Infinity\"" : "\"Infinity\""));
        }
        return;
      }
      case TypeId::kString: {
        std::string_view s = column.GetBytes(r);
        if (ValidateUtf8(s)) {
          AppendJsonString(s, &buf_);
        } else {
          buf_.append("{\"base64\":\"");
          buf_.append(Base64Encode(s));
          buf_.append("\"}");
        }
        return;
      }
      case TypeId::kBinary:
        buf_.push_back('"');
        buf_.append(Base64Encode(column.GetBytes(r)));
        buf_.push_back('"');
        return;
      case TypeId::kDecimal:
      case TypeId::kDate:
      case TypeId::kDateTime:
      case TypeId::kTimestamp:
        buf_.push_back('"');
        AppendValueText(column, r, &buf_);
        buf_.push_back('"');
        return;
    }
  }

  Status Flush() override {
    if (buf_.empty()) return Status::OK();
    Status st = output_->Write(buf_);
    buf_.clear();
    return st;
  }

  Schema schema_;
  std::unique_ptr<OutputStream> output_;
  std::vector<std::string> keys_;  // "{\"name\":" for the first column, ",\"name\":" after
  std::string buf_;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<BatchWriter>> OpenJsonlWriter(const Schema& schema,
                                                     std::unique_ptr<OutputStream> output) {
  return std::unique_ptr<BatchWriter>(new JsonlWriter(schema, std::move(output)));
}

}  // namespace tsb
