// The PlainBuffer decoders (tablestore/plainbuffer): a single-row field, a multi-row buffer and a
// bare filter value, as the client meets them in answers and the emulator in requests. Beyond
// "no crash": a row that decodes must encode to bytes that decode to a row encoding the same
// again, since the emulator stores and serves what it decodes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tablestore/plainbuffer.h"

using namespace tsb::ots;

namespace {

void CheckReencodes(const Row& row) {
  std::string first;
  EncodeRow(row, &first);
  if (first.size() != EncodedSize(row)) std::abort();
  Row back;
  tsb::Status s = DecodeRow(first, &back);
  if (!s.ok()) {
    std::fprintf(stderr, "a decoded row re-encodes to bytes that do not decode: %s\n",
                 s.ToString().c_str());
    std::abort();
  }
  std::string second;
  EncodeRow(back, &second);
  if (second != first) {
    std::fprintf(stderr, "decode(encode(row)) encodes differently\n");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Row row;
  if (!in.empty() && DecodeRow(in, &row).ok()) CheckReencodes(row);

  RowReader reader(in);
  while (reader.Next(&row)) {
    if (reader.offset() > in.size()) std::abort();
    CheckReencodes(row);
  }
  std::vector<Row> rows;
  (void)DecodeRows(in, &rows);

  Value value;
  if (DecodeColumnValue(in, &value).ok()) {
    std::string out;
    EncodeColumnValue(value, &out);
    if (out.size() != EncodedColumnValueSize(value)) std::abort();
  }
  return 0;
}
