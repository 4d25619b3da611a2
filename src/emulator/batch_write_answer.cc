#include "emulator/batch_write_answer.h"

#include <cstring>
#include <vector>

#include "core/coding.h"

namespace tsb::emulator {
namespace {

uint64_t Int32Bits(int32_t v) { return static_cast<uint64_t>(static_cast<int64_t>(v)); }

// Length-delimited field: tag, length, bytes.
char* PutBytes(char tag, std::string_view bytes, char* p) {
  *p++ = tag;
  p = EncodeVarint(p, bytes.size());
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  return p + bytes.size();
}

size_t BytesFieldSize(size_t len) { return 1 + VarintSize(len) + len; }

size_t CapacityUnitSize(const BatchWriteAnswerRow& r) {
  return 1 + VarintSize(Int32Bits(r.read_cu)) + 1 + VarintSize(Int32Bits(r.write_cu));
}

size_t ErrorSize(const BatchWriteAnswerRow& r) {
  return BytesFieldSize(r.error_code.size()) + BytesFieldSize(r.error_message.size());
}

size_t RowSize(const BatchWriteAnswerRow& r) {
  size_t n = 2;  // is_ok
  if (!r.error_code.empty()) n += BytesFieldSize(ErrorSize(r));
  if (r.has_consumed) n += BytesFieldSize(BytesFieldSize(CapacityUnitSize(r)));
  return n;
}

char* PutRow(const BatchWriteAnswerRow& r, size_t row_size, char* p) {
  *p++ = 0x12;  // TableInBatchWriteRowResponse.rows = 2
  p = EncodeVarint(p, row_size);
  *p++ = 0x08;  // is_ok = 1
  *p++ = r.is_ok ? 1 : 0;
  if (!r.error_code.empty()) {
    *p++ = 0x12;  // error = 2
    p = EncodeVarint(p, ErrorSize(r));
    p = PutBytes(0x0a, r.error_code, p);     // code = 1
    p = PutBytes(0x12, r.error_message, p);  // message = 2
  }
  if (r.has_consumed) {
    const size_t unit = CapacityUnitSize(r);
    *p++ = 0x1a;  // consumed = 3
    p = EncodeVarint(p, BytesFieldSize(unit));
    *p++ = 0x0a;  // ConsumedCapacity.capacity_unit = 1
    p = EncodeVarint(p, unit);
    *p++ = 0x08;  // read = 1
    p = EncodeVarint(p, Int32Bits(r.read_cu));
    *p++ = 0x10;  // write = 2
    p = EncodeVarint(p, Int32Bits(r.write_cu));
  }
  return p;
}

}  // namespace

void AppendBatchWriteAnswer(std::span<const BatchWriteAnswerTable> tables, std::string* out) {
  // Sized first, then written in place: no per-byte growth checks.
  thread_local std::vector<size_t> row_sizes;
  row_sizes.clear();
  std::vector<size_t> table_sizes(tables.size());
  size_t total = 0;
  for (size_t t = 0; t < tables.size(); ++t) {
    size_t table_size = BytesFieldSize(tables[t].table_name.size());
    for (const BatchWriteAnswerRow& r : tables[t].rows) {
      row_sizes.push_back(RowSize(r));
      table_size += BytesFieldSize(row_sizes.back());
    }
    table_sizes[t] = table_size;
    total += BytesFieldSize(table_size);
  }
  const size_t at = out->size();
  out->resize(at + total);
  char* p = out->data() + at;
  size_t next_row = 0;
  for (size_t t = 0; t < tables.size(); ++t) {
    *p++ = 0x0a;  // BatchWriteRowResponse.tables = 1
    p = EncodeVarint(p, table_sizes[t]);
    p = PutBytes(0x0a, tables[t].table_name, p);  // table_name = 1
    for (const BatchWriteAnswerRow& r : tables[t].rows) p = PutRow(r, row_sizes[next_row++], p);
  }
}

}  // namespace tsb::emulator
