#include "jobs/import_long_layout.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/ascii.h"
#include "core/value_text.h"

namespace tsb::jobs {

namespace {

std::string ValueColumnName(const DataType& type) {
  std::string name = "value_";
  bool gap = false;
  for (char ch : type.ToString()) {
    const char c = AsciiLower(ch);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (gap && name.back() != '_') name.push_back('_');
      name.push_back(c);
      gap = false;
    } else {
      gap = true;
    }
  }
  return name;
}

// A mixed long layout for a format whose values are text (MixedValues::kText, CSV): the set
// value column becomes one string `value` column in its type's text form (the text the format's
// writer gives that type).
class TextValueWriter : public BatchWriter {
 public:
  TextValueWriter(std::unique_ptr<BatchWriter> inner, const LongLayout& layout)
      : inner_(std::move(inner)), layout_(layout), out_(layout.text_schema) {}

  Status Write(const RowBatch& batch) override {
    out_.Reset();
    const size_t first = layout_.first_value;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      for (size_t c = 0; c < first; ++c) out_.column(c).AppendFrom(batch.column(c), r);
      text_.clear();
      for (size_t c = first; c < batch.num_columns(); ++c) {
        const Column& column = batch.column(c);
        if (column.IsNull(r)) continue;
        if (column.type().id == TypeId::kString) {
          text_.assign(column.GetBytes(r));
        } else {
          AppendValueText(column, r, &text_);
        }
        break;
      }
      out_.column(first).AppendBytes(text_);
      out_.CommitRow();
    }
    return inner_->Write(out_);
  }
  Status Close() override { return inner_->Close(); }

 private:
  std::unique_ptr<BatchWriter> inner_;
  const LongLayout& layout_;
  RowBatch out_;
  std::string text_;
};

// A mixed long layout for a format whose values are JSON (MixedValues::kJson, JSON Lines): the
// format's writer formats the rows with their value_* columns, and this stream rewrites each
// line's tail `,"value_a":null,"value_b":X,...}` into `,"value":X}`. The tail is found by the
// first `,"value_<first type>":` of the line, which cannot occur inside a JSON string (its quote
// would be escaped); every value_* entry but one is `null`, so the set value's text ends at a
// fixed distance from the end of the line.
class ValueSpliceStream : public OutputStream {
 public:
  ValueSpliceStream(std::unique_ptr<OutputStream> inner, const Schema& schema, size_t first_value)
      : OutputStream(inner->name()), inner_(std::move(inner)) {
    for (size_t c = first_value; c < schema.size(); ++c) {
      std::string key = ",";
      key += '"';
      key += schema.field(c).name;
      key += "\":";
      keys_.push_back(std::move(key));
    }
  }

  Status Write(std::string_view data) override {
    out_.clear();
    size_t start = 0;
    for (size_t nl; (nl = data.find('\n', start)) != std::string_view::npos; start = nl + 1) {
      if (!pending_.empty()) {
        pending_.append(data.substr(start, nl - start));
        Splice(pending_);
        pending_.clear();
      } else {
        Splice(data.substr(start, nl - start));
      }
    }
    pending_.append(data.substr(start));
    return inner_->Write(out_);
  }

  Status Close() override {
    if (!pending_.empty()) {
      out_.clear();
      Splice(pending_);
      out_.pop_back();  // the input had no final newline
      pending_.clear();
      TSB_RETURN_IF_ERROR(inner_->Write(out_));
    }
    return inner_->Close();
  }

 private:
  void Splice(std::string_view line) {
    size_t p = line.find(keys_[0]);
    if (p == std::string_view::npos || line.empty() || line.back() != '}') {
      out_.append(line);  // not a row of ours: leave it
      out_.push_back('\n');
      return;
    }
    out_.append(line.substr(0, p));
    out_.append(",\"value\":");
    for (size_t i = 0; i < keys_.size(); ++i) {
      p += keys_[i].size();
      const bool is_null =
          line.compare(p, 4, "null") == 0 && (p + 4 == line.size() - 1 || line[p + 4] == ',');
      if (is_null) {
        p += 4;
        continue;
      }
      size_t tail = 1;
      for (size_t j = i + 1; j < keys_.size(); ++j) tail += keys_[j].size() + 4;
      out_.append(line.substr(p, line.size() - tail - p));
      break;
    }
    out_.append("}\n");
  }

  std::unique_ptr<OutputStream> inner_;
  std::vector<std::string> keys_;  // `,"value_bigint":` ... in column order
  std::string pending_;            // a line cut by a write
  std::string out_;
};

}  // namespace

Result<LongLayout> MakeLongLayout(const JobSpec& spec) {
  LongLayout layout;
  layout.key_columns = spec.mapping.key_columns();
  layout.attributes = spec.mapping.attribute_columns();
  if (layout.attributes.empty()) {
    return Status::InvalidArgument(
        "--versions: the mapping has no attribute column, so there are no cell versions to read");
  }
  std::vector<Field> fields;
  for (int c : layout.key_columns) {
    const std::string& name = spec.columns[c].name;
    if (name == "column" || name == "timestamp" || name == "value" ||
        name.rfind("value_", 0) == 0) {
      return Status::InvalidArgument("--versions: the primary-key column \"" + name +
                                     "\" clashes with a column of the long layout (column, "
                                     "timestamp, value, value_*); rename it in the spec");
    }
    fields.push_back(spec.columns[c]);
  }
  fields.push_back(Field{"column", DataType::Of(TypeId::kString), false});
  fields.push_back(Field{"timestamp", DataType::Of(TypeId::kInt64), false});
  layout.first_value = fields.size();
  std::vector<DataType> types;
  layout.value_slot.assign(spec.columns.size(), 0);
  for (int c : layout.attributes) {
    const DataType& t = spec.columns[c].type;
    auto it = std::find(types.begin(), types.end(), t);
    layout.value_slot[c] = static_cast<size_t>(it - types.begin());
    if (it == types.end()) types.push_back(t);
  }
  layout.mixed = types.size() > 1;
  std::vector<Field> text_fields = fields;
  if (!layout.mixed) {
    fields.push_back(Field{"value", types[0], false});
  } else {
    for (const DataType& t : types) fields.push_back(Field{ValueColumnName(t), t, true});
    text_fields.push_back(Field{"value", DataType::Of(TypeId::kString), false});
  }
  layout.schema = std::make_shared<const Schema>(std::move(fields));
  layout.text_schema = std::make_shared<const Schema>(std::move(text_fields));
  return layout;
}

Result<std::unique_ptr<BatchWriter>> OpenLongWriter(const LongLayout& layout,
                                                    const WriterOptions& options) {
  switch (layout.mixed ? options.format->mixed_values : MixedValues::kColumns) {
    case MixedValues::kColumns:
      return OpenWriter(*layout.schema, options);
    case MixedValues::kText: {
      TSB_ASSIGN_OR_RETURN(auto inner, OpenWriter(*layout.text_schema, options));
      return std::unique_ptr<BatchWriter>(new TextValueWriter(std::move(inner), layout));
    }
    case MixedValues::kJson:
      return OpenWriterThrough(*layout.schema, options, [&](std::unique_ptr<OutputStream> stream) {
        return std::unique_ptr<OutputStream>(
            new ValueSpliceStream(std::move(stream), *layout.schema, layout.first_value));
      });
  }
  return Status::Internal("unknown form of mixed values");
}

}  // namespace tsb::jobs
