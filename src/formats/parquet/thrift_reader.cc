#include "formats/parquet/thrift_reader.h"

#include <cstring>

namespace tsb::parquet {

bool ThriftReader::Fail(std::string message) {
  if (error_.empty()) error_ = std::move(message) + " at byte " + std::to_string(position());
  pos_ = end_;
  return false;
}

bool ThriftReader::StructBegin() {
  if (depth_ >= kMaxDepth) return Fail("Thrift structs nested too deeply");
  id_stack_[depth_++] = last_id_;
  last_id_ = 0;
  return true;
}

bool ThriftReader::StructEnd() {
  if (depth_ == 0) return Fail("unbalanced Thrift struct");
  last_id_ = id_stack_[--depth_];
  return true;
}

bool ThriftReader::ReadVarint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= end_) return Fail("truncated Thrift varint");
    uint8_t b = *pos_++;
    if (shift == 63 && (b & 0x7e) != 0) return Fail("Thrift varint overflows 64 bits");
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return Fail("Thrift varint too long");
}

bool ThriftReader::ReadI8(int8_t* v) {
  if (pos_ >= end_) return Fail("truncated Thrift byte");
  *v = static_cast<int8_t>(*pos_++);
  return true;
}

bool ThriftReader::ReadI64(int64_t* v) {
  uint64_t u;
  if (!ReadVarint(&u)) return false;
  *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));  // zigzag
  return true;
}

bool ThriftReader::ReadI32(int32_t* v) {
  int64_t w;
  if (!ReadI64(&w)) return false;
  if (w < INT32_MIN || w > INT32_MAX) return Fail("Thrift i32 out of range");
  *v = static_cast<int32_t>(w);
  return true;
}

bool ThriftReader::ReadI16(int16_t* v) {
  int64_t w;
  if (!ReadI64(&w)) return false;
  if (w < INT16_MIN || w > INT16_MAX) return Fail("Thrift i16 out of range");
  *v = static_cast<int16_t>(w);
  return true;
}

bool ThriftReader::ReadDouble(double* v) {
  if (end_ - pos_ < 8) return Fail("truncated Thrift double");
  std::memcpy(v, pos_, 8);  // little-endian on the wire, as on every supported host
  pos_ += 8;
  return true;
}

bool ThriftReader::ReadBinary(std::string_view* v) {
  uint64_t len;
  if (!ReadVarint(&len)) return false;
  if (len > static_cast<uint64_t>(end_ - pos_)) return Fail("Thrift binary length past the end");
  *v = std::string_view(reinterpret_cast<const char*>(pos_), len);
  pos_ += len;
  return true;
}

bool ThriftReader::ReadString(std::string* v) {
  std::string_view s;
  if (!ReadBinary(&s)) return false;
  v->assign(s);
  return true;
}

bool ThriftReader::ReadFieldBegin(CompactType* type, int16_t* id) {
  if (pos_ >= end_) return Fail("truncated Thrift struct (no stop field)");
  uint8_t b = *pos_++;
  uint8_t t = b & 0x0f;
  if (t == 0) {
    *type = CompactType::kStop;
    *id = 0;
    return true;
  }
  if (t > 12) return Fail("bad Thrift field type " + std::to_string(t));
  *type = static_cast<CompactType>(t);
  uint8_t delta = b >> 4;
  if (delta != 0) {
    *id = static_cast<int16_t>(last_id_ + delta);
  } else if (!ReadI16(id)) {
    return false;
  }
  last_id_ = *id;
  return true;
}

bool ThriftReader::ReadListBegin(CompactType* elem_type, uint32_t* size) {
  if (pos_ >= end_) return Fail("truncated Thrift list header");
  uint8_t b = *pos_++;
  uint64_t n = b >> 4;
  if (n == 15 && !ReadVarint(&n)) return false;
  uint8_t t = b & 0x0f;
  // Every element takes at least one byte (bools in lists too), so a size past the end is a lie.
  if (n > static_cast<uint64_t>(end_ - pos_)) return Fail("Thrift list size past the end");
  if (n > 0 && (t == 0 || t > 12)) return Fail("bad Thrift list element type " + std::to_string(t));
  *elem_type = static_cast<CompactType>(t);
  *size = static_cast<uint32_t>(n);
  return true;
}

bool ThriftReader::Skip(CompactType type, int depth) {
  if (depth > kMaxDepth) return Fail("Thrift value nested too deeply");
  switch (type) {
    case CompactType::kBoolTrue:
    case CompactType::kBoolFalse:
      return true;  // a bool field's value is in its type nibble
    case CompactType::kByte: {
      int8_t v;
      return ReadI8(&v);
    }
    case CompactType::kI16:
    case CompactType::kI32:
    case CompactType::kI64: {
      uint64_t v;
      return ReadVarint(&v);
    }
    case CompactType::kDouble: {
      double v;
      return ReadDouble(&v);
    }
    case CompactType::kBinary: {
      std::string_view v;
      return ReadBinary(&v);
    }
    case CompactType::kList:
    case CompactType::kSet: {
      CompactType elem;
      uint32_t n;
      if (!ReadListBegin(&elem, &n)) return false;
      for (uint32_t i = 0; i < n; ++i) {
        // In a list a bool is one byte.
        CompactType t = (elem == CompactType::kBoolTrue || elem == CompactType::kBoolFalse) ? CompactType::kByte : elem;
        if (!Skip(t, depth + 1)) return false;
      }
      return true;
    }
    case CompactType::kMap: {
      uint64_t n;
      if (!ReadVarint(&n)) return false;
      if (n == 0) return true;
      if (n > static_cast<uint64_t>(end_ - pos_)) return Fail("Thrift map size past the end");
      int8_t kv;
      if (!ReadI8(&kv)) return false;
      auto fix = [](uint8_t t) {
        return (t == 1 || t == 2) ? CompactType::kByte : static_cast<CompactType>(t);
      };
      uint8_t kt = static_cast<uint8_t>(kv) >> 4, vt = static_cast<uint8_t>(kv) & 0x0f;
      if (kt == 0 || kt > 12 || vt == 0 || vt > 12) return Fail("bad Thrift map types");
      for (uint64_t i = 0; i < n; ++i) {
        if (!Skip(fix(kt), depth + 1) || !Skip(fix(vt), depth + 1)) return false;
      }
      return true;
    }
    case CompactType::kStruct: {
      if (!StructBegin()) return false;
      while (true) {
        CompactType t;
        int16_t id;
        if (!ReadFieldBegin(&t, &id)) return false;
        if (t == CompactType::kStop) break;
        if (!Skip(t, depth + 1)) return false;
      }
      return StructEnd();
    }
    case CompactType::kStop:
      break;
  }
  return Fail("cannot skip Thrift type " + std::to_string(static_cast<int>(type)));
}

}  // namespace tsb::parquet
