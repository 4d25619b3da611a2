// What the CSV and JSON Lines targets share: a text reader of the registry over arbitrary bytes.
// Input: byte 0 picks the columns asked for (none = the format's own reading: strings for CSV, a
// schema inferred from the first lines for JSON Lines; or typed ones that exercise every text
// form), byte 1 the refill size, byte 2 the batch size (low 4 bits) and the reader's first
// window (high 4 bits: 1 byte to 32 KiB, so that records cross the window's edge; the default
// 1 MiB window held every input whole and made each run allocate and clear a mebibyte); the rest
// is the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "formats/format.h"
#include "fuzz_common.h"

namespace tsb::fuzz {

inline std::vector<Field> TextColumns(uint8_t pick) {
  switch (pick % 3) {
    case 0:
      return {};
    case 1:  // the guide's orders table (as in the corpus)
      return {{"odps_orderkey", DataType::Of(TypeId::kInt64)},
              {"odps_orderdate", DataType::Of(TypeId::kString)},
              {"odps_custkey", DataType::Of(TypeId::kInt64)},
              {"odps_orderstatus", DataType::Of(TypeId::kString)},
              {"odps_totalprice", DataType::Of(TypeId::kDouble)}};
    default:  // one column of each kind, named a..k
      return {{"a", DataType::Of(TypeId::kBoolean)},  {"b", DataType::Of(TypeId::kInt8)},
              {"c", DataType::Of(TypeId::kInt32)},    {"d", DataType::Of(TypeId::kFloat)},
              {"e", DataType::Of(TypeId::kDouble)},   {"f", DataType::Of(TypeId::kBinary)},
              {"g", DataType::Decimal(38, 9)},        {"h", DataType::Of(TypeId::kDate)},
              {"i", DataType::Of(TypeId::kDateTime)}, {"j", DataType::Timestamp(TimeUnit::kNanos)},
              {"k", DataType::Of(TypeId::kString)}};
  }
}

inline void ReadText(const uint8_t* data, size_t size, const char* path, FileFormat format) {
  if (size < 3) return;
  ReaderOptions options;
  options.path = path;
  options.format = format;
  options.columns = TextColumns(data[0]);
  options.batch_rows = 1 + data[2] % 16;
  options.window_bytes = size_t{1} << (data[2] >> 4);
  std::string_view text(reinterpret_cast<const char*>(data) + 3, size - 3);
  size_t chunk = data[1] == 0 ? text.size() + 1 : data[1];
  auto reader = OpenReaderOn(options, std::make_unique<MemoryInput>(text, chunk));
  if (reader.ok()) Drain(reader->get(), options.batch_rows);
}

}  // namespace tsb::fuzz
