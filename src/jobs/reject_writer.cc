#include "jobs/reject_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/crypto.h"
#include "core/value_text.h"

namespace tsb::jobs {

namespace {

void AppendCsvField(std::string_view text, const TextDialect& d, std::string* out) {
  const char special[] = {d.delimiter, d.quote, '\r', '\n'};
  bool quote = text.empty() || text == d.null_text ||
               text.find_first_of(std::string_view(special, 4)) != std::string_view::npos;
  if (!quote) {
    out->append(text);
    return;
  }
  out->push_back(d.quote);
  for (char c : text) {
    if (c == d.quote || (c == d.escape && d.escape != d.quote)) out->push_back(d.escape);
    out->push_back(c);
  }
  out->push_back(d.quote);
}

// A JSON string, or {"base64": "..."} for bytes that are not valid UTF-8 (decisions 3).
void AppendJsonText(std::string_view text, std::string* out) {
  if (ValidateUtf8(text)) {
    AppendJsonString(text, out);
  } else {
    out->append("{\"base64\":\"");
    out->append(Base64Encode(text));
    out->append("\"}");
  }
}

bool BareInJson(const DataType& type, std::string_view text) {
  switch (type.id) {
    case TypeId::kBoolean:
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
      return true;
    case TypeId::kFloat:
    case TypeId::kDouble:
      return text != "NaN" && text != "Infinity" && text != "-Infinity";
    default:
      return false;
  }
}

}  // namespace

std::optional<std::string> ValueText(const Column& column, size_t row) {
  if (column.IsNull(row)) return std::nullopt;
  std::string text;
  AppendValueText(column, row, &text);
  return text;
}

RejectWriter::RejectWriter(RejectFileOptions options) : options_(std::move(options)) {}

RejectWriter::~RejectWriter() {
  if (file_ != nullptr && file_ != stderr) std::fclose(file_);
}

void RejectWriter::Format(const RejectRecord& r, std::string* out) const {
  out->clear();
  const auto& columns = options_.columns;
  const bool csv = options_.format == RejectFormat::kCsv && options_.path != "-";
  auto value = [&](size_t i) -> const std::optional<std::string>* {
    return i < r.values.size() ? &r.values[i] : nullptr;
  };
  if (csv) {
    const TextDialect& d = options_.dialect;
    for (size_t i = 0; i < columns.size(); ++i) {
      const auto* v = value(i);
      if (v != nullptr && v->has_value()) {
        AppendCsvField(**v, d, out);
      } else {
        out->append(d.null_text);
      }
      out->push_back(d.delimiter);
    }
    AppendInt64(r.position, out);
    out->push_back(d.delimiter);
    if (!r.raw.empty()) {
      AppendCsvField(r.raw, d, out);
    } else {
      out->append(d.null_text);
    }
    out->push_back(d.delimiter);
    AppendCsvField(r.code, d, out);
    out->push_back(d.delimiter);
    AppendCsvField(r.message, d, out);
    out->push_back('\n');
    return;
  }
  out->push_back('{');
  for (size_t i = 0; i < columns.size(); ++i) {
    AppendJsonString(columns[i].name, out);
    out->push_back(':');
    const auto* v = value(i);
    if (v == nullptr || !v->has_value()) {
      out->append("null");
    } else if (r.typed && BareInJson(columns[i].type, **v)) {
      out->append(**v);
    } else {
      AppendJsonText(**v, out);
    }
    out->push_back(',');
  }
  out->append("\"_source_position\":");
  AppendInt64(r.position, out);
  if (options_.raw_record) {
    out->append(",\"_raw_record\":");
    AppendJsonText(r.raw, out);
  }
  out->append(",\"_error_code\":");
  AppendJsonText(r.code, out);
  out->append(",\"_error_message\":");
  AppendJsonText(r.message, out);
  out->append("}\n");
}

Status RejectWriter::Write(const RejectRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  const bool again = already_written_.count(record.position) > 0;
  if (file_ == nullptr && !again) {
    if (options_.path == "-") {
      file_ = stderr;
    } else {
      file_ = std::fopen(options_.path.c_str(), "wb");
      if (file_ == nullptr) {
        return Status::IOError(options_.path + ": cannot create the reject file");
      }
      if (options_.format == RejectFormat::kCsv) {
        std::string header;
        const char d = options_.dialect.delimiter;
        for (const Field& f : options_.columns) {
          AppendCsvField(f.name, options_.dialect, &header);
          header.push_back(d);
        }
        for (const char* extra : {"_source_position", "_raw_record", "_error_code"}) {
          header.append(extra);
          header.push_back(d);
        }
        header.append("_error_message\n");
        if (std::fwrite(header.data(), 1, header.size(), file_) != header.size()) {
          return Status::IOError(options_.path + ": cannot write the reject file");
        }
      }
    }
  }
  if (!again) {
    Format(record, &line_);
    if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size()) {
      return Status::IOError(options_.path + ": cannot write the reject file");
    }
  }
  positions_.push_back(record.position);
  if (first_reason_.empty()) {
    // raw_record is off only for Parquet, whose positions are row numbers, not lines.
    first_reason_ = options_.raw_record ? "line " : "row ";
    AppendInt64(record.position, &first_reason_);
    first_reason_ += ": ";
    first_reason_ += record.code;
    first_reason_ += ": ";
    first_reason_ += record.message;
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

Status RejectWriter::ResumeFrom(int64_t bytes, std::set<int64_t> already_written) {
  std::lock_guard<std::mutex> lock(mu_);
  if (options_.path == "-") return Status::OK();  // stderr cannot be taken back
  already_written_ = std::move(already_written);
  positions_.assign(already_written_.begin(), already_written_.end());
  if (bytes <= 0) {
    if (std::remove(options_.path.c_str()) != 0 && errno != ENOENT) {
      return Status::IOError(options_.path +
                             ": cannot remove the reject file: " + std::strerror(errno));
    }
    return Status::OK();
  }
  file_ = std::fopen(options_.path.c_str(), "r+b");
  if (file_ == nullptr) {
    return Status::IOError(
        options_.path + ": cannot open the interrupted run's reject file: " + std::strerror(errno));
  }
  if (::ftruncate(fileno(file_), bytes) != 0 || std::fseek(file_, 0, SEEK_END) != 0) {
    return Status::IOError(options_.path + ": cannot cut the reject file back to " +
                           std::to_string(bytes) + " bytes: " + std::strerror(errno));
  }
  return Status::OK();
}

Status RejectWriter::Sync(const std::function<void(int64_t, std::vector<int64_t>*)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t bytes = 0;
  if (file_ != nullptr && file_ != stderr) {
    if (std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0) {
      return Status::IOError(options_.path + ": cannot write the reject file");
    }
    bytes = std::ftell(file_);
  }
  fn(bytes, &positions_);
  return Status::OK();
}

std::string RejectWriter::first_reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_reason_;
}

Status RejectWriter::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ == nullptr) return Status::OK();
  Status s;
  if (file_ == stderr) {
    std::fflush(stderr);
  } else if (std::fclose(file_) != 0) {
    s = Status::IOError(options_.path + ": cannot write the reject file");
  }
  file_ = nullptr;
  return s;
}

}  // namespace tsb::jobs
