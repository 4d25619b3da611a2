#include "emulator/row_codec.h"

#include <cstring>

namespace tsb::emulator {
namespace {

void PutFixed32(std::string* out, uint32_t v) {
  char buf[4];
  for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  out->append(buf, 4);
}

void PutFixed64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  out->append(buf, 8);
}

uint32_t DecodeFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);  // little-endian hosts only (x86-64, aarch64)
  return v;
}

uint64_t DecodeFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace

void StoredRowWriter::AppendColumn(std::string_view name, uint32_t count) {
  out_->push_back(static_cast<char>(name.size()));
  out_->append(name);
  PutFixed32(out_, count);
}

void StoredRowWriter::AppendVersion(int64_t timestamp, const ots::Value& value) {
  PutFixed64(out_, static_cast<uint64_t>(timestamp));
  out_->push_back(static_cast<char>(value.type));
  switch (value.type) {
    case ots::ValueType::kInteger:
      PutFixed64(out_, static_cast<uint64_t>(value.i));
      break;
    case ots::ValueType::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &value.d, 8);
      PutFixed64(out_, bits);
      break;
    }
    case ots::ValueType::kBoolean:
      out_->push_back(value.b ? 1 : 0);
      break;
    default:  // STRING, BINARY
      PutFixed32(out_, static_cast<uint32_t>(value.bytes.size()));
      out_->append(value.bytes);
      break;
  }
}

StoredRowReader::StoredRowReader(std::string_view data)
    : p_(data.data()), limit_(data.data() + data.size()) {
  if (data.empty() || data[0] != kStoredRowVersion) {
    ok_ = false;
    p_ = limit_;
    return;
  }
  ++p_;
}

bool StoredRowReader::SkipRemainingVersions() {
  int64_t ts;
  ots::Value v;
  while (remaining_ > 0) {
    if (!NextVersion(&ts, &v)) return false;
  }
  return true;
}

bool StoredRowReader::NextColumn(std::string_view* name, uint32_t* count) {
  if (!ok_) return false;
  if (remaining_ > 0 && !SkipRemainingVersions()) return false;
  if (p_ == limit_) return false;
  size_t len = static_cast<uint8_t>(*p_);
  if (static_cast<size_t>(limit_ - p_) < 1 + len + 4) {
    ok_ = false;
    return false;
  }
  *name = std::string_view(p_ + 1, len);
  p_ += 1 + len;
  remaining_ = DecodeFixed32(p_);
  *count = remaining_;
  p_ += 4;
  return true;
}

bool StoredRowReader::NextVersion(int64_t* timestamp, ots::Value* value) {
  if (!ok_ || remaining_ == 0) return false;
  if (limit_ - p_ < 9) {
    ok_ = false;
    return false;
  }
  *timestamp = static_cast<int64_t>(DecodeFixed64(p_));
  value->type = static_cast<ots::ValueType>(p_[8]);
  p_ += 9;
  size_t avail = limit_ - p_;
  switch (value->type) {
    case ots::ValueType::kInteger:
    case ots::ValueType::kDouble: {
      if (avail < 8) {
        ok_ = false;
        return false;
      }
      uint64_t bits = DecodeFixed64(p_);
      if (value->type == ots::ValueType::kInteger) {
        value->i = static_cast<int64_t>(bits);
      } else {
        std::memcpy(&value->d, &bits, 8);
      }
      p_ += 8;
      break;
    }
    case ots::ValueType::kBoolean:
      if (avail < 1) {
        ok_ = false;
        return false;
      }
      value->b = *p_ != 0;
      ++p_;
      break;
    case ots::ValueType::kString:
    case ots::ValueType::kBinary: {
      if (avail < 4) {
        ok_ = false;
        return false;
      }
      uint32_t len = DecodeFixed32(p_);
      if (avail - 4 < len) {
        ok_ = false;
        return false;
      }
      value->bytes = std::string_view(p_ + 4, len);
      p_ += 4 + len;
      break;
    }
    default:
      ok_ = false;
      return false;
  }
  --remaining_;
  return true;
}

int64_t ValueDataSize(const ots::Value& value) {
  switch (value.type) {
    case ots::ValueType::kInteger:
    case ots::ValueType::kDouble:
      return 8;
    case ots::ValueType::kBoolean:
      return 1;
    case ots::ValueType::kString:
    case ots::ValueType::kBinary:
      return static_cast<int64_t>(value.bytes.size());
    default:
      return 0;
  }
}

}  // namespace tsb::emulator
