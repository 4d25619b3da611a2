#include "emulator/batch_write_request.h"

namespace tsb::emulator {
namespace {

// A protobuf wire reader over one message's bytes.
class Fields {
 public:
  explicit Fields(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  bool done() const { return p_ == end_; }

  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      const auto byte = static_cast<uint8_t>(*p_++);
      *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (byte < 0x80) return true;
    }
    return false;
  }
  // The next field's number and wire type.
  bool Tag(uint32_t* number, uint32_t* wire_type) {
    uint64_t tag;
    if (!Varint(&tag) || tag > UINT32_MAX) return false;
    *number = static_cast<uint32_t>(tag >> 3);
    *wire_type = static_cast<uint32_t>(tag & 7);
    return true;
  }
  bool Bytes(std::string_view* out) {
    uint64_t len;
    if (!Varint(&len) || len > static_cast<uint64_t>(end_ - p_)) return false;
    *out = std::string_view(p_, len);
    p_ += len;
    return true;
  }

 private:
  const char* p_;
  const char* end_;
};

constexpr uint32_t kVarint = 0;
constexpr uint32_t kLen = 2;

bool ParseCondition(std::string_view bytes, int32_t* row_existence) {
  Fields f(bytes);
  bool seen = false;
  while (!f.done()) {
    uint32_t number, wire;
    uint64_t v;
    if (!f.Tag(&number, &wire) || number != 1 || wire != kVarint || seen || !f.Varint(&v)) {
      return false;
    }
    if (v > 2) return false;  // IGNORE, EXPECT_EXIST, EXPECT_NOT_EXIST
    *row_existence = static_cast<int32_t>(v);
    seen = true;
  }
  return seen;
}

bool ParseRow(std::string_view bytes, SimpleBatchWriteRow* row) {
  Fields f(bytes);
  bool type = false, change = false, condition = false;
  while (!f.done()) {
    uint32_t number, wire;
    if (!f.Tag(&number, &wire)) return false;
    if (number == 1 && wire == kVarint && !type) {
      uint64_t v;
      if (!f.Varint(&v) || v < 1 || v > 3) return false;  // PUT, UPDATE, DELETE
      row->type = static_cast<int32_t>(v);
      type = true;
    } else if (number == 2 && wire == kLen && !change) {
      if (!f.Bytes(&row->row_change)) return false;
      change = true;
    } else if (number == 3 && wire == kLen && !condition) {
      std::string_view c;
      if (!f.Bytes(&c) || !ParseCondition(c, &row->row_existence)) return false;
      condition = true;
    } else {
      return false;
    }
  }
  return type && change && condition;
}

bool ParseTable(std::string_view bytes, SimpleBatchWriteTable* table,
                std::vector<SimpleBatchWriteRow>* rows) {
  Fields f(bytes);
  bool name = false;
  table->first_row = rows->size();
  while (!f.done()) {
    uint32_t number, wire;
    std::string_view field;
    if (!f.Tag(&number, &wire) || wire != kLen || !f.Bytes(&field)) return false;
    if (number == 1 && !name) {
      table->table_name = field;
      name = true;
    } else if (number == 2) {
      if (!ParseRow(field, &rows->emplace_back())) return false;
    } else {
      return false;
    }
  }
  table->row_count = rows->size() - table->first_row;
  return name;
}

}  // namespace

bool ParseSimpleBatchWriteRow(std::string_view body, std::vector<SimpleBatchWriteTable>* tables,
                              std::vector<SimpleBatchWriteRow>* rows) {
  tables->clear();
  rows->clear();
  Fields f(body);
  while (!f.done()) {
    uint32_t number, wire;
    std::string_view field;
    if (!f.Tag(&number, &wire) || number != 1 || wire != kLen || !f.Bytes(&field)) return false;
    if (!ParseTable(field, &tables->emplace_back(), rows)) return false;
  }
  return true;
}

}  // namespace tsb::emulator
