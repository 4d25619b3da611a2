// Helpers for the CSV / JSON Lines tests: read whole files through a BatchReader, render rows in
// the corpus's expected-file conventions (../shared/testdata/README.md). Temporary files come
// from support/temp_files.h.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "core/text_io.h"
#include "core/value_text.h"
#include "formats/format.h"
#include "support/temp_files.h"

namespace tsb::testing {

inline std::string CsvDir() { return std::string(TSB_SHARED_TESTDATA) + "/csv/"; }

inline std::vector<nlohmann::ordered_json> ParseJsonLines(const std::string& text) {
  std::vector<nlohmann::ordered_json> rows;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    auto j = nlohmann::ordered_json::parse(text.substr(pos, nl - pos), nullptr, false);
    REQUIRE(!j.is_discarded());
    rows.push_back(std::move(j));
    pos = nl + 1;
  }
  return rows;
}

// One value in the corpus's expected-file conventions.
inline nlohmann::ordered_json CorpusValue(const Column& c, size_t r) {
  using J = nlohmann::ordered_json;
  if (c.IsNull(r)) return nullptr;
  const DataType& t = c.type();
  constexpr int64_t kSafe = 9007199254740991;
  switch (t.id) {
    case TypeId::kNull:
      return nullptr;
    case TypeId::kBoolean:
      return c.GetBool(r);
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: {
      if (t.is_unsigned) {
        uint64_t u = static_cast<uint64_t>(c.GetInt(r));
        if (u <= static_cast<uint64_t>(kSafe)) return u;
        return std::to_string(u);
      }
      int64_t v = c.GetInt(r);
      if (v >= -kSafe && v <= kSafe) return v;
      return std::to_string(v);
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      double d = c.GetDouble(r);
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
      if (t.id == TypeId::kFloat) {
        double back;
        ParseDouble(FormatFloat(static_cast<float>(d)), &back);
        return back;
      }
      return d;
    }
    case TypeId::kString: {
      std::string_view s = c.GetBytes(r);
      if (!ValidateUtf8(s)) return J{{"base64", Base64Encode(s)}};
      return std::string(s);
    }
    case TypeId::kBinary:
      return J{{"base64", Base64Encode(c.GetBytes(r))}};
    case TypeId::kDecimal:
      return FormatDecimal(c.GetInt128(r), t.scale);
    case TypeId::kDate:
      return FormatDate(c.GetInt(r));
    case TypeId::kDateTime:
    case TypeId::kTimestamp:
      return FormatTimestamp(c.GetInt(r), t.unit, t.utc);
  }
  return nullptr;
}

struct ReadResult {
  Status status;
  std::vector<nlohmann::ordered_json> rows;
  std::vector<int64_t> positions;
  std::vector<RejectedRecord> rejects;
  size_t batches = 0;
};

inline void Drain(BatchReader* reader, ReadResult* out, size_t batch_rows) {
  auto schema = std::make_shared<Schema>(reader->schema());
  RowBatch batch(schema, batch_rows);
  for (;;) {
    Status st = reader->Next(&batch);
    if (!st.ok()) {
      out->status = st;
      return;
    }
    if (batch.num_rows() == 0 && batch.rejects().empty()) return;
    ++out->batches;
    CHECK(batch.num_rows() + batch.rejects().size() <= batch_rows);
    CHECK(batch.positions().size() == batch.num_rows());
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      nlohmann::ordered_json row = nlohmann::ordered_json::object();
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        row[schema->field(c).name] = CorpusValue(batch.column(c), r);
      }
      out->rows.push_back(std::move(row));
      out->positions.push_back(batch.positions()[r]);
    }
    for (const auto& rej : batch.rejects()) out->rejects.push_back(rej);
  }
}

inline ReadResult ReadAll(const ReaderOptions& options, size_t batch_rows = 4096) {
  ReadResult out;
  auto reader = OpenReader(options);
  if (!reader.ok()) {
    out.status = reader.status();
    return out;
  }
  Drain(reader->get(), &out, batch_rows);
  return out;
}

inline ReaderOptions ReadOpts(const std::string& path, std::vector<Field> columns = {}) {
  ReaderOptions o;
  o.path = path;
  TextCompression c = TextCompression::kNone;
  auto f = FormatFromPath(path, &c);
  REQUIRE(f.ok());
  o.format = *f;
  o.compression = c;
  o.columns = std::move(columns);
  return o;
}

inline Status WriteAll(const std::string& path, const ReaderOptions& from, FileFormat format,
                       TextCompression compression, size_t batch_rows = 4096) {
  auto reader = OpenReader(from);
  if (!reader.ok()) return reader.status();
  WriterOptions wo;
  wo.path = path;
  wo.format = format;
  wo.compression = compression;
  auto writer = OpenWriter((*reader)->schema(), wo);
  if (!writer.ok()) return writer.status();
  auto schema = std::make_shared<Schema>((*reader)->schema());
  RowBatch batch(schema, batch_rows);
  for (;;) {
    TSB_RETURN_IF_ERROR((*reader)->Next(&batch));
    if (batch.num_rows() == 0 && batch.rejects().empty()) break;
    TSB_RETURN_IF_ERROR((*writer)->Write(batch));
  }
  return (*writer)->Close();
}

// The corpus's typed files, with the MANIFEST's DuckDB column types mapped to ours.
inline std::vector<Field> DuckdbTypesColumns() {
  DataType u64 = DataType::Of(TypeId::kInt64);
  u64.is_unsigned = true;
  return {
      {"id", DataType::Of(TypeId::kInt64)},
      {"c_int8", DataType::Of(TypeId::kInt8)},
      {"c_int16", DataType::Of(TypeId::kInt16)},
      {"c_int32", DataType::Of(TypeId::kInt32)},
      {"c_int64", DataType::Of(TypeId::kInt64)},
      {"c_uint64", u64},
      {"c_float", DataType::Of(TypeId::kFloat)},
      {"c_double", DataType::Of(TypeId::kDouble)},
      {"c_bool", DataType::Of(TypeId::kBoolean)},
      {"c_string", DataType::Of(TypeId::kString)},
      {"c_date", DataType::Of(TypeId::kDate)},
      {"c_ts_us", DataType::Timestamp(TimeUnit::kMicros, /*utc=*/false)},
      {"c_dec9_2", DataType::Decimal(9, 2)},
      {"c_dec38_10", DataType::Decimal(38, 10)},
      {"c_uuid", DataType::Of(TypeId::kString)},
  };
}

inline std::vector<Field> OrdersColumns() {
  return {
      {"o_orderkey", DataType::Of(TypeId::kInt64)},
      {"o_custkey", DataType::Of(TypeId::kInt64)},
      {"o_orderstatus", DataType::Of(TypeId::kString)},
      {"o_totalprice", DataType::Of(TypeId::kDouble)},
      {"o_orderdate", DataType::Of(TypeId::kDate)},
      {"o_orderpriority", DataType::Of(TypeId::kString)},
      {"o_clerk", DataType::Of(TypeId::kString)},
      {"o_shippriority", DataType::Of(TypeId::kInt32)},
      {"o_comment", DataType::Of(TypeId::kString)},
      {"o_orderdate_str", DataType::Of(TypeId::kString)},
  };
}

// Expected rows of a corpus CSV file (NAME.expected.jsonl or .jsonl.gz).
inline std::vector<nlohmann::ordered_json> ExpectedRows(const std::string& stem) {
  std::string plain = CsvDir() + stem + ".expected.jsonl";
  if (std::filesystem::exists(plain)) return ParseJsonLines(ReadFileBytes(plain));
  return ParseJsonLines(ReadDecompressed(plain + ".gz"));
}

// Compares rows one by one, reporting the first few differences.
inline void CheckRowsEqual(const std::vector<nlohmann::ordered_json>& got,
                           const std::vector<nlohmann::ordered_json>& want) {
  CHECK(got.size() == want.size());
  int reported = 0;
  for (size_t i = 0; i < std::min(got.size(), want.size()) && reported < 5; ++i) {
    if (got[i] != want[i]) {
      ++reported;
      FAIL_CHECK("row " << i << ":\n got  " << got[i].dump() << "\n want " << want[i].dump());
    }
  }
}

}  // namespace tsb::testing
