#include "emulator/key_codec.h"

#include <cstring>

namespace tsb::emulator {
namespace {

void AppendBigEndian64(uint64_t v, std::string* out) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  out->append(buf, 8);
}

uint64_t DecodeBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// Runs once per string key column of every row written: zeros are found with memchr, and the
// common value without one goes out in a single append.
void AppendEscaped(std::string_view bytes, std::string* out) {
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  while (const void* hit = p == end ? nullptr : std::memchr(p, 0, end - p)) {
    const char* z = static_cast<const char*>(hit);
    out->append(p, z - p + 1);
    out->push_back('\xFF');
    p = z + 1;
  }
  const size_t at = out->size();
  const size_t n = end - p;
  out->resize(at + n + 2);
  char* q = out->data() + at;
  if (n > 0) std::memcpy(q, p, n);
  q[n] = '\0';
  q[n + 1] = '\x01';
}

// Parses one escaped byte string at key[*pos...]. Without an escaped zero the result views the
// key; otherwise it is unescaped into scratch (whose capacity was reserved by the caller).
bool DecodeEscaped(std::string_view key, size_t* pos, std::string* scratch,
                   std::string_view* result) {
  size_t start = *pos;
  const void* hit = std::memchr(key.data() + start, 0, key.size() - start);
  if (hit == nullptr) return false;
  size_t z = static_cast<const char*>(hit) - key.data();
  if (z + 1 >= key.size()) return false;
  if (key[z + 1] == '\x01') {  // fast path: no embedded zero
    *result = key.substr(start, z - start);
    *pos = z + 2;
    return true;
  }
  size_t out_start = scratch->size();
  size_t i = start;
  while (true) {
    if (i >= key.size()) return false;
    char c = key[i];
    if (c != '\0') {
      scratch->push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= key.size()) return false;
    char n = key[i + 1];
    if (n == '\x01') {
      *pos = i + 2;
      break;
    }
    if (n != '\xFF') return false;
    scratch->push_back('\0');
    i += 2;
  }
  *result = std::string_view(scratch->data() + out_start, scratch->size() - out_start);
  return true;
}

}  // namespace

void AppendTablePrefix(uint64_t table_id, std::string* out) {
  out->push_back(kRowKeyPrefix);
  AppendBigEndian64(table_id, out);
}

std::string TableEndKey(uint64_t table_id) {
  std::string key;
  AppendTablePrefix(table_id + 1, &key);
  return key;
}

bool AppendKeyValue(const ots::Value& value, std::string* out) {
  switch (value.type) {
    case ots::ValueType::kInteger:
      out->push_back(static_cast<char>(kTagInteger));
      AppendBigEndian64(static_cast<uint64_t>(value.i) ^ (uint64_t{1} << 63), out);
      return true;
    case ots::ValueType::kString:
      out->push_back(static_cast<char>(kTagString));
      AppendEscaped(value.bytes, out);
      return true;
    case ots::ValueType::kBinary:
      out->push_back(static_cast<char>(kTagBinary));
      AppendEscaped(value.bytes, out);
      return true;
    case ots::ValueType::kInfMin:
      out->push_back(static_cast<char>(kTagInfMin));
      return true;
    case ots::ValueType::kInfMax:
      out->push_back(static_cast<char>(kTagInfMax));
      return true;
    default:
      return false;
  }
}

bool DecodeKeyValues(std::string_view key, std::span<ots::Cell> cells, std::string* scratch) {
  if (key.size() < kRowKeyPrefixSize || key[0] != kRowKeyPrefix) return false;
  scratch->clear();
  if (scratch->capacity() < key.size()) scratch->reserve(key.size());
  size_t pos = kRowKeyPrefixSize;
  for (ots::Cell& cell : cells) {
    if (pos >= key.size()) return false;
    uint8_t tag = static_cast<uint8_t>(key[pos++]);
    ots::Value& v = cell.value.emplace();
    switch (tag) {
      case kTagInteger:
        if (key.size() - pos < 8) return false;
        v.type = ots::ValueType::kInteger;
        v.i = static_cast<int64_t>(DecodeBigEndian64(key.data() + pos) ^ (uint64_t{1} << 63));
        pos += 8;
        break;
      case kTagString:
      case kTagBinary:
        v.type = tag == kTagString ? ots::ValueType::kString : ots::ValueType::kBinary;
        if (!DecodeEscaped(key, &pos, scratch, &v.bytes)) return false;
        break;
      default:
        return false;
    }
  }
  return pos == key.size();
}

std::string MetaKey(std::string_view instance, std::string_view table) {
  std::string key = MetaKeyPrefix(instance);
  key.append(table);
  return key;
}

std::string MetaKeyPrefix(std::string_view instance) {
  std::string key;
  key.push_back(kMetaKeyPrefix);
  key.append(instance);
  key.push_back('\0');
  return key;
}

}  // namespace tsb::emulator
