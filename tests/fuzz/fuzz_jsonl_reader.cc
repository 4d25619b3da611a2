// The JSON Lines reader (formats/jsonl) over arbitrary bytes, through the registry's public
// ReaderOptions. Input: byte 0 picks the columns asked for (none = a schema inferred from the first
// lines, or typed ones that exercise every text form), byte 1 the refill size and byte 2 the batch
// size; the rest is the file.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "formats/format.h"
#include "fuzz_common.h"

using namespace tsb;

namespace {

std::vector<Field> Columns(uint8_t pick) {
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  ReaderOptions options;
  options.path = "fuzz.jsonl";
  options.format = FileFormat::kJsonl;
  options.columns = Columns(data[0]);
  options.batch_rows = 1 + data[2] % 16;
  std::string_view text(reinterpret_cast<const char*>(data) + 3, size - 3);
  size_t chunk = data[1] == 0 ? text.size() + 1 : data[1];
  auto reader = OpenReaderOn(options, std::make_unique<fuzz::MemoryInput>(text, chunk));
  if (reader.ok()) fuzz::Drain(reader->get(), options.batch_rows);
  return 0;
}
