#include "jobs/verify_digest.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "core/hash.h"

namespace tsb::jobs {

namespace {

void AppendBigEndian(uint64_t v, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

}  // namespace

void AppendCanonicalValue(const Column& column, size_t r, std::string* out) {
  if (column.IsNull(r)) {
    out->push_back('\0');
    return;
  }
  out->push_back('\1');
  switch (column.type().storage()) {
    case Storage::kInt64:
      AppendBigEndian(static_cast<uint64_t>(column.GetInt(r)) ^ (1ull << 63), out);
      break;
    case Storage::kDouble: {
      double d = column.GetDouble(r);
      // Every NaN is one value to SQL and to the text forms (NaN), whatever its payload bits.
      if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
      uint64_t bits = std::bit_cast<uint64_t>(d);
      // The order-preserving form of IEEE doubles: negatives flipped whole, positives' sign set.
      bits = (bits >> 63) != 0 ? ~bits : bits | (1ull << 63);
      AppendBigEndian(bits, out);
      break;
    }
    case Storage::kInt128: {
      const unsigned __int128 v = static_cast<unsigned __int128>(column.wide()[r]) ^
                                  (static_cast<unsigned __int128>(1) << 127);
      AppendBigEndian(static_cast<uint64_t>(v >> 64), out);
      AppendBigEndian(static_cast<uint64_t>(v), out);
      break;
    }
    case Storage::kBytes: {
      // 0x00 escaped as 0x00 0xFF and the end as 0x00 0x01: "a" < "a\0" < "ab" stays bytewise.
      for (char c : column.GetBytes(r)) {
        out->push_back(c);
        if (c == '\0') out->push_back('\xff');
      }
      out->push_back('\0');
      out->push_back('\1');
      break;
    }
  }
}

RowCanon::RowCanon(const JobSpec& spec)
    : key_columns_(spec.mapping.key_columns()),
      attribute_columns_(spec.mapping.attribute_columns()) {}

uint64_t RowCanon::Encode(const RowBatch& batch, size_t r, std::string* key) {
  key->clear();
  for (int c : key_columns_) AppendCanonicalValue(batch.column(c), r, key);
  row_.assign(*key);
  for (int c : attribute_columns_) AppendCanonicalValue(batch.column(c), r, &row_);
  return Fmix64(Fnv1a(row_));
}

int SplitLocator::Find(const std::vector<KeyBound>& key) const {
  // The last split starting at or before the key, if the key is also before its end.
  auto after = std::upper_bound(splits_.begin(), splits_.end(), key,
                                [](const std::vector<KeyBound>& k, const KeyRange& s) {
                                  return CompareKeyTuples(k, s.start) < 0;
                                });
  if (after == splits_.begin()) return -1;
  const auto split = std::prev(after);
  if (CompareKeyTuples(key, split->end) >= 0) return -1;
  return static_cast<int>(split - splits_.begin());
}

bool KeyedComparison::AddFile(const std::string& key, uint64_t hash) {
  auto [it, inserted] = file_.emplace(key, hash);
  if (!inserted) duplicates_.push_back(key);
  return inserted;
}

KeyedComparison::Match KeyedComparison::MatchTable(const std::string& key, uint64_t hash) {
  auto it = file_.find(key);
  if (it == file_.end()) return Match::kMissing;
  const bool same = it->second == hash;
  file_.erase(it);
  return same ? Match::kEqual : Match::kChanged;
}

std::vector<std::string> KeyedComparison::TakeExtras() {
  std::vector<std::string> extras = std::move(duplicates_);
  duplicates_.clear();
  for (auto& [key, hash] : file_) extras.push_back(key);
  file_.clear();
  std::sort(extras.begin(), extras.end());
  return extras;
}

}  // namespace tsb::jobs
