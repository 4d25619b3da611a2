#include "jobs/import_resume.h"

#include "core/crypto.h"
#include "core/scan_plan.h"

namespace tsb::jobs {

namespace {

// A stored value in the checkpoint: its kind and the value; strings and binaries as base64, since
// a key need not be UTF-8.
nlohmann::json ValueToJson(const OtsValue& v) {
  nlohmann::json j = {{"type", std::string(OtsTypeName(v.type))}};
  switch (v.type) {
    case OtsType::kInteger:
      j["value"] = v.i;
      break;
    case OtsType::kDouble:
      j["value"] = v.d;
      break;
    case OtsType::kBoolean:
      j["value"] = v.b;
      break;
    case OtsType::kString:
    case OtsType::kBinary:
      j["value"] = Base64Encode(v.bytes);
      break;
  }
  return j;
}

Result<OtsValue> ValueFromJson(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string() || !j.contains("value")) {
    return Status::InvalidArgument(where + ": expected {\"type\": ..., \"value\": ...}");
  }
  TSB_ASSIGN_OR_RETURN(OtsType type, ParseOtsTypeName(j["type"].get<std::string>()));
  const nlohmann::json& v = j["value"];
  switch (type) {
    case OtsType::kInteger:
      if (v.is_number_integer()) return OtsValue::Integer(v.get<int64_t>());
      break;
    case OtsType::kDouble:
      if (v.is_number()) return OtsValue::Double(v.get<double>());
      break;
    case OtsType::kBoolean:
      if (v.is_boolean()) return OtsValue::Boolean(v.get<bool>());
      break;
    case OtsType::kString:
    case OtsType::kBinary:
      if (v.is_string()) {
        TSB_ASSIGN_OR_RETURN(std::string bytes, Base64Decode(v.get<std::string>()));
        return type == OtsType::kString ? OtsValue::String(std::move(bytes))
                                        : OtsValue::Binary(std::move(bytes));
      }
      break;
  }
  return Status::InvalidArgument(where + ": the value does not fit its type " +
                                 std::string(OtsTypeName(type)));
}

}  // namespace

nlohmann::json ImportProgress::ToJson() const {
  nlohmann::json j = {{"rows", rows}};
  if (file) {
    nlohmann::json key = nlohmann::json::array();
    for (const OtsValue& v : after) key.push_back(ValueToJson(v));
    j["file"] = {{"temporary", file->temp_path},
                 {"bytes", file->bytes},
                 {"rows", file->rows},
                 {"state", Base64Encode(file->state)}};
    j["split"] = split;
    j["after"] = std::move(key);
  } else {
    j["parts_done"] = parts_done;
  }
  return j;
}

Result<ImportProgress> ImportProgress::FromJson(const nlohmann::json& j, const std::string& where) {
  const std::string bad = where + ": the checkpoint's progress is damaged (";
  ImportProgress p;
  if (!j.is_object() || !j.contains("rows") || !j["rows"].is_number_integer()) {
    return Status::InvalidArgument(bad + "expected \"rows\"); --restart starts over");
  }
  p.rows = j["rows"].get<int64_t>();
  if (j.contains("file")) {
    const nlohmann::json& f = j["file"];
    if (!f.is_object() || !f.value("temporary", nlohmann::json()).is_string() ||
        !f.value("bytes", nlohmann::json()).is_number_integer() ||
        !f.value("rows", nlohmann::json()).is_number_integer() ||
        !f.value("state", nlohmann::json()).is_string() ||
        !j.value("split", nlohmann::json()).is_number_unsigned() ||
        !j.value("after", nlohmann::json()).is_array()) {
      return Status::InvalidArgument(
          bad +
          "expected \"file\" with temporary, bytes, rows and state, \"split\" and "
          "\"after\"); --restart starts over");
    }
    DurablePoint point;
    point.temp_path = f["temporary"].get<std::string>();
    point.bytes = f["bytes"].get<int64_t>();
    point.rows = f["rows"].get<int64_t>();
    TSB_ASSIGN_OR_RETURN(point.state, Base64Decode(f["state"].get<std::string>()));
    p.file = std::move(point);
    p.split = j["split"].get<size_t>();
    for (const nlohmann::json& v : j["after"]) {
      Result<OtsValue> value = ValueFromJson(v, where + ": \"after\"");
      if (!value.ok()) return value.status();
      p.after.push_back(std::move(value).value());
    }
  } else if (j.value("parts_done", nlohmann::json()).is_number_unsigned()) {
    p.parts_done = j["parts_done"].get<size_t>();
  } else {
    return Status::InvalidArgument(bad +
                                   "expected \"file\" or \"parts_done\"); --restart starts "
                                   "over");
  }
  return p;
}

std::string DefaultImportCheckpointPath(const FileTarget& target, const ImportOptions& options) {
  if (!target.directory) return target.path + ".tsbridge-checkpoint";
  if (options.shard_count == 0) return target.path + "_checkpoint";
  return target.path + "_checkpoint-" + std::to_string(options.shard_index) + "-of-" +
         std::to_string(options.shard_count);
}

std::string WhyNotResumable(const FileTarget& target, const WriterOptions& writer,
                            const ImportOptions& options) {
  if (target.path == "-") return "output to stdout cannot be continued after an interruption";
  if (options.versions > 0) {
    return "--versions output cannot be continued after an interruption yet (a row's versions "
           "could straddle a durable point)";
  }
  if (target.compression != TextCompression::kNone) {
    return "a " + std::string(CompressionName(target.compression)) +
           " output cannot be continued after an interruption (a compressed stream cannot be cut "
           "and resumed); write it uncompressed and compress it afterwards, or run without "
           "--resume";
  }
  if (!target.format->streams && target.format->open_resumable_file_writer == nullptr) {
    return std::string(target.format->title) + " output cannot be continued after an interruption";
  }
  (void)writer;
  return std::string();
}

nlohmann::json ImportCheckpointFlags(const ImportOptions& options, const FileTarget& target,
                                     const WriterOptions& writer) {
  const TextDialect& d = target.dialect;
  return {{"format", std::string(target.format->name)},
          {"directory", target.directory},
          {"parquet_codec", static_cast<int>(writer.parquet_compression)},
          {"row_group_rows", writer.row_group_rows},
          {"dialect",
           {std::string(1, d.delimiter), d.header, std::string(1, d.quote),
            std::string(1, d.escape), d.null_text}},
          {"limit", options.limit},
          {"shard", {options.shard_index, options.shard_count}},
          {"split_unit", options.split_unit_bytes_for_test}};
}

Result<std::vector<OtsValue>> RowKey(const RowBatch& batch, size_t row, const JobSpec& spec) {
  std::vector<OtsValue> key;
  std::string scratch;
  for (int c : spec.mapping.key_columns()) {
    OtsValueRef ref;
    TSB_RETURN_IF_ERROR(ColumnValueToOts(batch.column(c), row, &scratch, &ref));
    key.push_back(OtsValue::FromRef(ref));
  }
  return key;
}

Result<size_t> RowsThrough(const RowBatch& batch, const JobSpec& spec,
                           const std::vector<OtsValue>& after) {
  std::vector<KeyBound> bound;
  for (const OtsValue& v : after) bound.push_back(KeyBound::Of(v));
  size_t n = 0;
  for (; n < batch.num_rows(); ++n) {
    TSB_ASSIGN_OR_RETURN(std::vector<OtsValue> key, RowKey(batch, n, spec));
    std::vector<KeyBound> row;
    for (OtsValue& v : key) row.push_back(KeyBound::Of(std::move(v)));
    if (CompareKeyTuples(row, bound) > 0) break;
  }
  return n;
}

}  // namespace tsb::jobs
