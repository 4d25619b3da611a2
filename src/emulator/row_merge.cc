#include "emulator/row_merge.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "emulator/row_codec.h"

namespace tsb::emulator {
namespace {

template <typename T>
bool Take(const char** p, const char* limit, T* v) {
  if (static_cast<size_t>(limit - *p) < sizeof(T)) return false;
  std::memcpy(v, *p, sizeof(T));  // little-endian hosts only, as row_codec
  *p += sizeof(T);
  return true;
}

// The working row of a fold: columns sorted by name, versions newest first; values are the
// stored bytes (type and payload), views into the base or the operands.
struct Version {
  int64_t ts;
  std::string_view raw;
  int crc = -1;  // the stored checksum of name and value when the base row kept one (format 0x02)
};
struct Column {
  std::string_view name;
  std::vector<Version> versions;
};

// As the read-modify-write path's PruneVersions: the newest max_versions versions not older than
// the TTL floor of the write's clock; columns left empty are dropped.
void Prune(int64_t now_ms, int32_t ttl_sec, int32_t max_versions, std::vector<Column>* cols) {
  for (Column& c : *cols) {
    auto& v = c.versions;
    if (ttl_sec != -1) {
      const int64_t floor = now_ms - int64_t{ttl_sec} * 1000;
      std::erase_if(v, [floor](const Version& x) { return x.ts < floor; });
    }
    if (max_versions >= 0 && v.size() > static_cast<size_t>(max_versions)) v.resize(max_versions);
  }
  std::erase_if(*cols, [](const Column& c) { return c.versions.empty(); });
}

std::vector<Column>::iterator FindColumn(std::vector<Column>* cols, std::string_view name) {
  return std::lower_bound(cols->begin(), cols->end(), name,
                          [](const Column& c, std::string_view n) { return c.name < n; });
}

bool LoadBase(std::string_view stored, std::vector<Column>* cols) {
  return WalkStoredRow(
      stored,
      [cols](std::string_view name, uint32_t count) {
        Column& col = cols->emplace_back();
        col.name = name;
        col.versions.reserve(count);
      },
      [cols](const StoredVersion& v) {
        cols->back().versions.push_back({v.timestamp, v.raw_value, v.crc});
      });
}

// Applies the updates of one operand; false when it is malformed.
bool ApplyOperand(std::string_view operand, std::vector<Column>* cols) {
  if (operand.empty() || operand[0] != kUpdateOperandVersion) return false;
  const char* p = operand.data() + 1;
  const char* limit = operand.data() + operand.size();
  while (p < limit) {
    int64_t now_ms;
    int32_t ttl_sec, max_versions;
    uint32_t count;
    if (!Take(&p, limit, &now_ms) || !Take(&p, limit, &ttl_sec) ||
        !Take(&p, limit, &max_versions) || !Take(&p, limit, &count)) {
      return false;
    }
    Prune(now_ms, ttl_sec, max_versions, cols);
    for (uint32_t i = 0; i < count; ++i) {
      uint8_t op, name_len;
      int64_t ts;
      if (!Take(&p, limit, &op) || !Take(&p, limit, &name_len) ||
          static_cast<size_t>(limit - p) < name_len) {
        return false;
      }
      std::string_view name(p, name_len);
      p += name_len;
      if (!Take(&p, limit, &ts)) return false;
      auto it = FindColumn(cols, name);
      const bool found = it != cols->end() && it->name == name;
      switch (static_cast<ots::CellOp>(op)) {
        case ots::CellOp::kPut: {
          const size_t n = StoredValueSize(std::string_view(p, limit - p));
          if (n == 0) return false;
          std::string_view raw(p, n);
          p += n;
          if (!found) it = cols->insert(it, Column{name, {}});
          auto& v = it->versions;
          auto at = std::lower_bound(v.begin(), v.end(), ts,
                                     [](const Version& x, int64_t t) { return x.ts > t; });
          if (at != v.end() && at->ts == ts) {
            *at = Version{ts, raw};
          } else {
            v.insert(at, Version{ts, raw});
          }
          break;
        }
        case ots::CellOp::kDeleteAllVersions:
          if (found) cols->erase(it);
          break;
        case ots::CellOp::kDeleteOneVersion:
          if (found) {
            std::erase_if(it->versions, [ts](const Version& v) { return v.ts == ts; });
            if (it->versions.empty()) cols->erase(it);
          }
          break;
        default:
          return false;
      }
    }
    Prune(now_ms, ttl_sec, max_versions, cols);
  }
  return true;
}

// The fold every read of a freshly exported row makes: no old row and a single update that only
// puts, each column once. Its cells become the row as they are, sorted by name, with none of
// the general fold's per-column vectors. Returns false, having written nothing, for any other
// operand (the general fold then takes it).
bool FoldSinglePutUpdate(std::string_view operand, std::string* out) {
  struct PutCell {
    std::string_view name;
    int64_t ts;
    std::string_view raw;
  };
  thread_local std::vector<PutCell> cells;
  cells.clear();
  if (operand.empty() || operand[0] != kUpdateOperandVersion) return false;
  const char* p = operand.data() + 1;
  const char* limit = operand.data() + operand.size();
  int64_t now_ms;
  int32_t ttl_sec, max_versions;
  uint32_t count;
  if (!Take(&p, limit, &now_ms) || !Take(&p, limit, &ttl_sec) || !Take(&p, limit, &max_versions) ||
      !Take(&p, limit, &count) || max_versions < 1) {
    return false;
  }
  const int64_t floor = ttl_sec == -1 ? INT64_MIN : now_ms - int64_t{ttl_sec} * 1000;
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t op, name_len;
    int64_t ts;
    if (!Take(&p, limit, &op) || op != static_cast<uint8_t>(ots::CellOp::kPut) ||
        !Take(&p, limit, &name_len) || static_cast<size_t>(limit - p) < name_len) {
      return false;
    }
    std::string_view name(p, name_len);
    p += name_len;
    if (!Take(&p, limit, &ts) || ts < floor) return false;
    const size_t n = StoredValueSize(std::string_view(p, limit - p));
    if (n == 0) return false;
    cells.push_back({name, ts, std::string_view(p, n)});
    p += n;
  }
  if (p != limit) return false;  // a second update follows
  std::sort(cells.begin(), cells.end(),
            [](const PutCell& a, const PutCell& b) { return a.name < b.name; });
  for (size_t i = 1; i < cells.size(); ++i) {
    if (cells[i].name == cells[i - 1].name) return false;
  }
  out->clear();
  StoredRowWriter writer(out);
  for (const PutCell& c : cells) {
    writer.AppendColumn(c.name, 1);
    writer.AppendRawVersion(c.ts, c.raw);
  }
  return true;
}

class RowUpdateMergeOperator final : public rocksdb::MergeOperator {
 public:
  const char* Name() const override { return "tsbridge.RowUpdate"; }

  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    thread_local std::vector<std::string_view> operands;
    operands.clear();
    for (const rocksdb::Slice& s : in.operand_list) operands.push_back(s.ToStringView());
    std::string_view base;
    if (in.existing_value) base = in.existing_value->ToStringView();
    return FoldUpdates(in.existing_value ? &base : nullptr, operands, &out->new_value);
  }

  // Updates compose by concatenation: an operand is a list of them, applied in order.
  bool PartialMergeMulti(const rocksdb::Slice& /*key*/,
                         const std::deque<rocksdb::Slice>& operand_list, std::string* new_value,
                         rocksdb::Logger* /*logger*/) const override {
    new_value->clear();
    new_value->push_back(kUpdateOperandVersion);
    for (const rocksdb::Slice& s : operand_list) {
      if (s.empty() || s[0] != kUpdateOperandVersion) return false;
      new_value->append(s.data() + 1, s.size() - 1);
    }
    return true;
  }
};

}  // namespace

UpdateOperandWriter::UpdateOperandWriter(std::string* out, int64_t now_ms, int32_t ttl_sec,
                                         int32_t max_versions, uint32_t cell_count)
    : out_(out) {
  if (out_->empty()) out_->push_back(kUpdateOperandVersion);
  char buf[8 + 4 + 4 + 4];
  std::memcpy(buf, &now_ms, 8);
  std::memcpy(buf + 8, &ttl_sec, 4);
  std::memcpy(buf + 12, &max_versions, 4);
  std::memcpy(buf + 16, &cell_count, 4);
  out_->append(buf, sizeof buf);
}

void UpdateOperandWriter::CellHead(ots::CellOp op, std::string_view name, int64_t timestamp) {
  out_->push_back(static_cast<char>(op));
  out_->push_back(static_cast<char>(name.size()));
  out_->append(name);
  char buf[8];
  std::memcpy(buf, &timestamp, 8);
  out_->append(buf, 8);
}

void UpdateOperandWriter::Put(std::string_view name, int64_t timestamp, const ots::Value& value) {
  // The stored version is ts then the value: the head's ts doubles as the version's.
  out_->push_back(static_cast<char>(ots::CellOp::kPut));
  out_->push_back(static_cast<char>(name.size()));
  out_->append(name);
  AppendStoredVersion(out_, timestamp, value);
}

void UpdateOperandWriter::DeleteOneVersion(std::string_view name, int64_t timestamp) {
  CellHead(ots::CellOp::kDeleteOneVersion, name, timestamp);
}

void UpdateOperandWriter::DeleteAllVersions(std::string_view name) {
  CellHead(ots::CellOp::kDeleteAllVersions, name, 0);
}

bool FoldUpdates(const std::string_view* base, const std::vector<std::string_view>& operands,
                 std::string* out) {
  if (!base && operands.size() == 1 && FoldSinglePutUpdate(operands[0], out)) return true;
  thread_local std::vector<Column> cols;
  cols.clear();
  if (base && !LoadBase(*base, &cols)) return false;
  for (std::string_view operand : operands) {
    if (!ApplyOperand(operand, &cols)) return false;
  }
  out->clear();
  StoredRowWriter writer(out);
  for (const Column& c : cols) {
    writer.AppendColumn(c.name, static_cast<uint32_t>(c.versions.size()));
    for (const Version& v : c.versions) {
      if (v.crc >= 0) {
        writer.AppendRawVersion(v.ts, v.raw, static_cast<uint8_t>(v.crc));
      } else {
        writer.AppendRawVersion(v.ts, v.raw);
      }
    }
  }
  return true;
}

std::shared_ptr<rocksdb::MergeOperator> NewRowUpdateMergeOperator() {
  return std::make_shared<RowUpdateMergeOperator>();
}

}  // namespace tsb::emulator
