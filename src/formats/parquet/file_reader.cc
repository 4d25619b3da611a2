#include "formats/parquet/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "core/value_text.h"
#include "formats/parquet/column_reader.h"
#include "formats/parquet/parquet.h"
#include "tsbridge/convert.h"

namespace tsb::parquet {
namespace {

constexpr int kMaxSchemaDepth = 100;
constexpr uint32_t kMaxFooterBytes = 1u << 30;

std::string Quote(const std::string& name) { return "\"" + name + "\""; }

Status PRead(int fd, uint64_t offset, size_t size, char* out) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(std::string("read failed: ") + std::strerror(errno));
    }
    if (n == 0) return Status::Corruption("unexpected end of file");
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

// ---- conversion helpers --------------------------------------------------------------------

bool AllAscii(const std::string& bytes) {
  const char* p = bytes.data();
  size_t n = bytes.size(), i = 0;
  uint64_t acc = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc |= w;
  }
  for (; i < n; ++i) acc |= static_cast<unsigned char>(p[i]);
  return (acc & 0x8080808080808080ull) == 0;
}

bool IsTime(const DataType& t) { return t.id == TypeId::kDateTime || t.id == TypeId::kTimestamp; }

// Which native -> requested conversions exist (the table in the README / report).
bool CanConvert(const DataType& from, const DataType& to) {
  if (from.id == TypeId::kNull) return true;
  switch (to.id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
      return from.is_integer() || from.id == TypeId::kDecimal;
    case TypeId::kFloat:
    case TypeId::kDouble:
      return from.is_integer() || from.id == TypeId::kFloat || from.id == TypeId::kDouble ||
             from.id == TypeId::kDecimal;
    case TypeId::kBoolean:
      return from.id == TypeId::kBoolean;
    case TypeId::kString:
      return from.id == TypeId::kString || from.id == TypeId::kBinary || from.is_integer() ||
             from.id == TypeId::kDecimal || from.id == TypeId::kDate || from.id == TypeId::kBoolean;
    case TypeId::kBinary:
      return from.id == TypeId::kBinary || from.id == TypeId::kString;
    case TypeId::kDecimal:
      return from.id == TypeId::kDecimal || from.is_integer();
    case TypeId::kDate:
      return from.id == TypeId::kDate;
    case TypeId::kDateTime:
    case TypeId::kTimestamp:
      return IsTime(from) || from.id == TypeId::kDate || from.is_integer();
    case TypeId::kNull:
      return from.id == TypeId::kNull;
  }
  return false;
}

// Integer value of row i of an integer column, honouring unsigned 64-bit bits.
__int128 IntValue(const Column& c, size_t i) {
  int64_t v = c.GetInt(i);
  if (c.type().is_unsigned && c.type().id == TypeId::kInt64) return static_cast<uint64_t>(v);
  return v;
}

bool IntRange(TypeId id, __int128 v) {
  switch (id) {
    case TypeId::kInt8:
      return v >= INT8_MIN && v <= INT8_MAX;
    case TypeId::kInt16:
      return v >= INT16_MIN && v <= INT16_MAX;
    case TypeId::kInt32:
      return v >= INT32_MIN && v <= INT32_MAX;
    default:
      return v >= INT64_MIN && v <= INT64_MAX;
  }
}

std::string ValueText(const Column& c, size_t i) {
  const DataType& t = c.type();
  if (t.is_integer()) return FormatDecimal(IntValue(c, i), 0);
  if (t.id == TypeId::kDecimal) return FormatDecimal(c.GetInt128(i), t.scale);
  if (t.id == TypeId::kDate) return FormatDate(c.GetInt(i));
  if (IsTime(t)) return FormatDecimal(c.GetInt(i), 0) + " " + t.ToString() + " ticks";
  if (t.storage() == Storage::kDouble) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%.17g", c.GetDouble(i));
    return buf;
  }
  if (t.id == TypeId::kBoolean) return c.GetBool(i) ? "true" : "false";
  std::string_view b = c.GetBytes(i);
  return b.size() > 40 ? std::string(b.substr(0, 40)) + "..." : std::string(b);
}

// Appends row i of `src` to `dst` converted to dst's type. On a value that does not fit,
// appends a NULL placeholder, sets *why and returns false.
bool ConvertValue(const Column& src, size_t i, Column* dst, std::string* why) {
  if (src.IsNull(i) || src.type().id == TypeId::kNull) {
    dst->AppendNull();
    return true;
  }
  const DataType& from = src.type();
  const DataType& to = dst->type();
  auto fail = [&](std::string reason) {
    dst->AppendNull();
    *why = std::move(reason);
    return false;
  };
  switch (to.id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: {
      __int128 v;
      if (from.id == TypeId::kDecimal) {
        __int128 d = Pow10Int128(from.scale);
        v = src.GetInt128(i);
        if (v % d != 0) return fail("value " + ValueText(src, i) + " is not an integer");
        v /= d;
      } else {
        v = IntValue(src, i);
      }
      if (!IntRange(to.id, v))
        return fail("value " + ValueText(src, i) + " is out of range for " + to.ToString());
      dst->AppendInt(static_cast<int64_t>(v));
      return true;
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      double v;
      if (from.storage() == Storage::kDouble) {
        v = src.GetDouble(i);
      } else if (from.id == TypeId::kDecimal) {
        v = std::strtod(FormatDecimal(src.GetInt128(i), from.scale).c_str(), nullptr);
      } else {
        v = static_cast<double>(IntValue(src, i));
      }
      if (to.id == TypeId::kFloat) {
        if (std::isfinite(v) && std::fabs(v) > FLT_MAX) {
          return fail("value " + ValueText(src, i) + " is out of range for float");
        }
        v = static_cast<float>(v);
      }
      dst->AppendDouble(v);
      return true;
    }
    case TypeId::kBoolean:
      dst->AppendInt(src.GetInt(i));
      return true;
    case TypeId::kString: {
      if (from.storage() == Storage::kBytes) {
        std::string_view b = src.GetBytes(i);
        if (from.id == TypeId::kBinary && !ValidateUtf8(b))
          return fail("binary value is not valid UTF-8 text");
        dst->AppendBytes(b);
      } else {
        dst->AppendBytes(ValueText(src, i));
      }
      return true;
    }
    case TypeId::kBinary:
      dst->AppendBytes(src.GetBytes(i));
      return true;
    case TypeId::kDecimal: {
      __int128 v;
      int from_scale = 0;
      if (from.id == TypeId::kDecimal) {
        v = src.GetInt128(i);
        from_scale = from.scale;
      } else {
        v = IntValue(src, i);
      }
      const __int128 kMax38 = Pow10Int128(38) - 1;
      if (to.scale >= from_scale) {
        __int128 f = Pow10Int128(to.scale - from_scale);
        if (v > kMax38 / f || v < -kMax38 / f)
          return fail("value " + ValueText(src, i) + " does not fit " + to.ToString());
        v *= f;
      } else {
        __int128 d = Pow10Int128(from_scale - to.scale);
        if (v % d != 0)
          return fail("value " + ValueText(src, i) + " has more than " + std::to_string(to.scale) +
                      " digits after the point");
        v /= d;
      }
      __int128 limit = Pow10Int128(to.precision);
      if (v >= limit || v <= -limit)
        return fail("value " + ValueText(src, i) + " does not fit " + to.ToString());
      dst->AppendInt128(v);
      return true;
    }
    case TypeId::kDate:
      dst->AppendInt(src.GetInt(i));
      return true;
    case TypeId::kDateTime:
    case TypeId::kTimestamp: {
      __int128 ticks;
      int64_t to_ups = TicksPerSecond(to.unit);
      if (IsTime(from)) {
        int64_t from_ups = TicksPerSecond(from.unit);
        ticks = src.GetInt(i);
        if (to_ups >= from_ups) {
          ticks *= to_ups / from_ups;
        } else {
          int64_t d = from_ups / to_ups;
          if (ticks % d != 0) {
            return fail("value " + FormatTimestamp(src.GetInt(i), from.unit, from.utc) + " " +
                        FinerThanTicksUnit(to.unit, CoarsestTicksUnit(src.GetInt(i), from.unit)));
          }
          ticks /= d;
        }
      } else if (from.id == TypeId::kDate) {
        ticks = static_cast<__int128>(src.GetInt(i)) * 86400 * to_ups;
      } else {
        ticks = IntValue(src, i);
      }
      if (!IntRange(TypeId::kInt64, ticks))
        return fail("value " + ValueText(src, i) + " is out of range for " + to.ToString());
      dst->AppendInt(static_cast<int64_t>(ticks));
      return true;
    }
    case TypeId::kNull:
      dst->AppendNull();
      return true;
  }
  return fail("unsupported conversion");
}

}  // namespace

// One projected column: its chunk reader, and the scratch column it decodes into when the
// requested type differs from the native one.
struct ParquetFileReader::Projected {
  std::unique_ptr<ColumnChunkReader> reader;
  DataType target;
  bool convert = false;
  bool check_utf8 = false;  // text read from BYTE_ARRAY / FLBA: validated per batch
  Column scratch;
};

ParquetFileReader::ParquetFileReader() = default;

ParquetFileReader::~ParquetFileReader() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<ParquetFileReader>> ParquetFileReader::Open(const ReaderOptions& options) {
  std::unique_ptr<ParquetFileReader> reader(new ParquetFileReader());
  Status st = reader->Init(options);
  if (st.ok() && options.start_row > 0) st = reader->SkipToRowGroupOf(options.start_row);
  if (!st.ok()) return st;
  return reader;
}

Status ParquetFileReader::SkipToRowGroupOf(int64_t row) {
  if (current_row_group_ >= 0 || next_row_group_ > 0) {
    return Status::Internal(name_ + ": SkipToRowGroupOf after reading began");
  }
  size_t g = 0;
  int64_t first = 0;
  // A negative row count stops the walk there, so that StartRowGroup reports the corruption.
  for (; g < meta_.row_groups.size(); ++g) {
    const int64_t n = meta_.row_groups[g].num_rows;
    if (n < 0 || row < first + n) break;
    first += n;
  }
  next_row_group_ = g;
  next_row_ = first;
  return Status::OK();
}

Status ParquetFileReader::Init(const ReaderOptions& options) {
  path_ = options.path;
  bytes_read_ = options.bytes_read;
  name_ = options.path;
  auto ctx = [&](const Status& st) { return st.WithContext(name_); };
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    int err = errno;
    std::string msg = name_ + ": cannot open: " + std::strerror(err);
    return err == ENOENT ? Status::NotFound(msg) : Status::IOError(msg);
  }
  struct stat sb;
  if (::fstat(fd_, &sb) != 0)
    return Status::IOError(name_ + ": cannot stat: " + std::strerror(errno));
  if (S_ISDIR(sb.st_mode)) return Status::InvalidArgument(name_ + ": is a directory");
  file_size_ = static_cast<uint64_t>(sb.st_size);
  if (file_size_ < 12) {
    return Status::Corruption(name_ + ": not a Parquet file (" + std::to_string(file_size_) +
                              " bytes, too short for magic and footer)");
  }
  char head[4], tail[8];
  TSB_RETURN_IF_ERROR(ctx(PRead(fd_, 0, 4, head)));
  TSB_RETURN_IF_ERROR(ctx(PRead(fd_, file_size_ - 8, 8, tail)));
  if (std::memcmp(head, kMagic, 4) != 0) {
    return Status::Corruption(name_ + ": not a Parquet file (no PAR1 magic at the start)");
  }
  if (std::memcmp(tail + 4, "PARE", 4) == 0) {
    return Status::NotSupported(name_ + ": encrypted Parquet footers are not supported");
  }
  if (std::memcmp(tail + 4, kMagic, 4) != 0) {
    return Status::Corruption(name_ +
                              ": not a Parquet file or truncated (no PAR1 magic at the end)");
  }
  uint32_t footer_len;
  std::memcpy(&footer_len, tail, 4);
  if (footer_len == 0) return Status::Corruption(name_ + ": footer length is 0");
  if (footer_len > file_size_ - 12 || footer_len > kMaxFooterBytes) {
    return Status::Corruption(name_ + ": footer length " + std::to_string(footer_len) +
                              " exceeds the file size (" + std::to_string(file_size_) + " bytes)");
  }
  data_end_ = file_size_ - 8 - footer_len;
  std::string footer(footer_len, '\0');
  TSB_RETURN_IF_ERROR(ctx(PRead(fd_, data_end_, footer_len, footer.data())));
  TSB_RETURN_IF_ERROR(ctx(
      ParseFileMetaData(reinterpret_cast<const uint8_t*>(footer.data()), footer.size(), &meta_)));

  // ---- schema: the root's children are the columns; groups below them are nested ----
  const std::vector<SchemaElement>& s = meta_.schema;
  if (s.empty()) return Status::Corruption(name_ + ": footer has an empty schema");
  struct Top {
    size_t element;
    int first_leaf;
    bool nested;
    std::string kind;
  };
  std::vector<Top> tops;
  size_t next = 1;
  int leaves = 0;
  // Walks the subtree at `next`, counting its leaves; false on a malformed tree.
  std::string schema_error;
  auto walk = [&](auto&& self, int depth) -> bool {
    if (depth > kMaxSchemaDepth) return schema_error = "schema nested too deeply", false;
    if (next >= s.size()) return schema_error = "schema ends before its declared children", false;
    const SchemaElement& e = s[next++];
    const int32_t children = e.num_children.value_or(0);
    if (children < 0) return schema_error = "negative num_children", false;
    if (children == 0) {
      if (!e.type) return schema_error = "column \"" + e.name + "\" has no physical type", false;
      ++leaves;
      return true;
    }
    for (int32_t c = 0; c < children; ++c) {
      if (!self(self, depth + 1)) return false;
    }
    return true;
  };
  const int32_t top_level = s[0].num_children.value_or(0);
  if (top_level < 0) return Status::Corruption(name_ + ": bad schema root");
  for (int32_t c = 0; c < top_level; ++c) {
    Top t{next, leaves, false, ""};
    const SchemaElement& e = s[next < s.size() ? next : 0];
    if (!walk(walk, 1)) return Status::Corruption(name_ + ": bad schema: " + schema_error);
    if (e.num_children.value_or(0) > 0 || e.repetition_type == FieldRepetitionType::REPEATED) {
      t.nested = true;
      if (e.converted_type == ConvertedType::LIST || e.logical_type.kind == LogicalTypeKind::LIST) {
        t.kind = "LIST";
      } else if (e.converted_type == ConvertedType::MAP ||
                 e.converted_type == ConvertedType::MAP_KEY_VALUE ||
                 e.logical_type.kind == LogicalTypeKind::MAP) {
        t.kind = "MAP";
      } else if (e.num_children.value_or(0) > 0) {
        t.kind = "STRUCT";
      } else {
        t.kind = "repeated";
      }
    }
    tops.push_back(std::move(t));
  }
  if (next != s.size())
    return Status::Corruption(name_ + ": bad schema: elements outside the root's tree");

  // ---- projection ----
  std::vector<std::pair<size_t, std::optional<Field>>> wanted;  // top index, requested field
  auto find_top = [&](const std::string& name) -> int {
    for (size_t i = 0; i < tops.size(); ++i) {
      if (s[tops[i].element].name == name) return static_cast<int>(i);
    }
    return -1;
  };
  if (options.columns.empty()) {
    for (size_t i = 0; i < tops.size(); ++i) wanted.emplace_back(i, std::nullopt);
  } else {
    for (const Field& f : options.columns) {
      int i = find_top(f.name);
      if (i < 0) {
        std::string names;
        for (const Top& t : tops) names += (names.empty() ? "" : ", ") + s[t.element].name;
        return Status::InvalidArgument(name_ + ": column " + Quote(f.name) +
                                       " is not in the file (its columns: " + names + ")");
      }
      wanted.emplace_back(static_cast<size_t>(i), f);
    }
  }
  auto schema = std::make_shared<Schema>();
  for (auto& [ti, requested] : wanted) {
    const Top& t = tops[ti];
    const SchemaElement& e = s[t.element];
    if (t.nested) {
      return Status::InvalidArgument(
          name_ + ": column " + Quote(e.name) + " is a nested " + t.kind +
          " column; tsbridge reads flat columns only (leave it out of the "
          "job spec's columns)");
    }
    Result<ColumnDescriptor> desc = DescribeColumn(e, t.first_leaf);
    if (!desc.ok()) return ctx(desc.status());
    auto p = std::make_unique<Projected>();
    p->target = requested ? requested->type : desc->type;
    if (!CanConvert(desc->type, p->target)) {
      return Status::InvalidArgument(name_ + ": column " + Quote(e.name) + " holds " +
                                     desc->type.ToString() + " values, which cannot be read as " +
                                     p->target.ToString());
    }
    p->convert = !(p->target == desc->type);
    p->check_utf8 = p->target.id == TypeId::kString && desc->kind == ValueKind::kBytes;
    p->scratch = Column(desc->type);
    schema->Add(Field{e.name, p->target, !desc->required});
    p->reader = std::make_unique<ColumnChunkReader>(std::move(desc).value());
    columns_.push_back(std::move(p));
  }
  schema_ = std::move(schema);
  leaves_ = leaves;
  return Status::OK();
}

Status ParquetFileReader::StartRowGroup() {
  size_t g = next_row_group_++;
  current_row_group_ = static_cast<int>(g);
  const RowGroup& rg = meta_.row_groups[g];
  std::string where = name_ + ": row group " + std::to_string(g);
  if (rg.num_rows < 0) return Status::Corruption(where + ": negative row count");
  if (rg.columns.size() != static_cast<size_t>(leaves_)) {
    return Status::Corruption(where + ": has " + std::to_string(rg.columns.size()) +
                              " column chunks, the schema has " + std::to_string(leaves_) +
                              " columns");
  }
  group_rows_left_ = rg.num_rows;
  for (auto& p : columns_) {
    ColumnChunkReader& r = *p->reader;
    const ColumnDescriptor& d = r.descriptor();
    std::string cwhere = where + ": column " + Quote(d.name);
    const ColumnChunk& cc = rg.columns[static_cast<size_t>(d.leaf_index)];
    if (!cc.file_path.empty()) {
      return Status::NotSupported(cwhere + ": column chunk stored in another file (" +
                                  cc.file_path + ")");
    }
    if (!cc.meta_data) return Status::Corruption(cwhere + ": column chunk without metadata");
    const ColumnMetaData& m = *cc.meta_data;
    if (m.type != d.physical)
      return Status::Corruption(cwhere + ": chunk type differs from the schema");
    int64_t start = m.data_page_offset;
    if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 &&
        *m.dictionary_page_offset < start) {
      start = *m.dictionary_page_offset;
    }
    int64_t size = m.total_compressed_size;
    if (start < 4 || size < 0 || static_cast<uint64_t>(start) > data_end_ ||
        static_cast<uint64_t>(size) > data_end_ - static_cast<uint64_t>(start)) {
      return Status::Corruption(cwhere + ": column chunk [" + std::to_string(start) + ", +" +
                                std::to_string(size) + ") lies outside the file's data (" +
                                std::to_string(data_end_) + " bytes)");
    }
    LargeBuffer* buf = r.chunk_buffer();
    buf->resize(static_cast<size_t>(size));
    Status st = PRead(fd_, static_cast<uint64_t>(start), static_cast<size_t>(size), buf->data());
    if (!st.ok()) return st.WithContext(cwhere);
    if (bytes_read_ != nullptr) bytes_read_->fetch_add(size, std::memory_order_relaxed);
    TSB_RETURN_IF_ERROR(r.Begin(m.codec, rg.num_rows).WithContext(cwhere));
  }
  return Status::OK();
}

Status ParquetFileReader::Next(RowBatch* batch) {
  if (batch->num_columns() != columns_.size()) {
    return Status::Internal(name_ + ": batch has " + std::to_string(batch->num_columns()) +
                            " columns, the reader yields " + std::to_string(columns_.size()));
  }
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (!(batch->column(c).type() == columns_[c]->target)) {
      return Status::Internal(name_ + ": batch column " + std::to_string(c) +
                              " was not made from the reader's schema");
    }
  }
  batch->Reset();
  for (auto& p : columns_) {
    if (p->convert) p->scratch.Clear();
  }
  size_t capacity = batch->capacity() > 0 ? batch->capacity() : RowBatch::kDefaultCapacity;
  size_t filled = 0;
  int64_t first_row = next_row_;
  std::vector<int64_t>& positions = batch->positions();
  while (filled < capacity) {
    if (group_rows_left_ == 0) {
      if (next_row_group_ >= meta_.row_groups.size()) break;
      TSB_RETURN_IF_ERROR(StartRowGroup());
      continue;
    }
    size_t n = std::min(capacity - filled, static_cast<size_t>(group_rows_left_));
    for (size_t c = 0; c < columns_.size(); ++c) {
      Projected& p = *columns_[c];
      Column* out = p.convert ? &p.scratch : &batch->column(c);
      Status st = p.reader->Read(n, out);
      if (!st.ok()) {
        return st.WithContext(name_ + ": row group " + std::to_string(current_row_group_) +
                              ": column " + Quote(p.reader->descriptor().name));
      }
    }
    for (size_t i = 0; i < n; ++i) positions.push_back(next_row_ + static_cast<int64_t>(i) + 1);
    next_row_ += static_cast<int64_t>(n);
    group_rows_left_ -= static_cast<int64_t>(n);
    filled += n;
  }
  return ConvertBatch(batch, filled, first_row);
}

Status ParquetFileReader::ConvertBatch(RowBatch* batch, size_t rows, int64_t first_row) {
  bool work = false;
  for (auto& p : columns_) work |= p->convert || p->check_utf8;
  if (!work) {
    batch->SetNumRows(rows);
    return Status::OK();
  }
  reject_.assign(rows, 0);
  size_t rejected = 0;
  auto reject = [&](size_t i, const Projected& p, const char* code, const std::string& why) {
    if (reject_[i]) return;
    reject_[i] = 1;
    ++rejected;
    RejectedRecord rec;
    rec.position = first_row + static_cast<int64_t>(i) + 1;
    rec.code = code;
    rec.message = "column " + Quote(p.reader->descriptor().name) + ": " + why;
    batch->rejects().push_back(std::move(rec));
  };
  std::string why;
  std::vector<std::pair<size_t, size_t>> unconverted;  // (row, column): the file's value is kept
  for (size_t c = 0; c < columns_.size(); ++c) {
    Projected& p = *columns_[c];
    Column& dst = batch->column(c);
    if (p.convert) {
      dst.Reserve(rows);
      for (size_t i = 0; i < rows; ++i) {
        if (!ConvertValue(p.scratch, i, &dst, &why)) {
          reject(i, p, "TSB_BAD_VALUE", why + " (expected " + p.target.ToString() + ")");
          unconverted.emplace_back(i, c);
        }
      }
    }
    if (p.check_utf8 && !AllAscii(dst.bytes())) {
      // Text columns must hold UTF-8 (core/types.h); the fast path above skips all-ASCII batches.
      for (size_t i = 0; i < rows; ++i) {
        if (!dst.IsNull(i) && !ValidateUtf8(dst.GetBytes(i))) {
          reject(i, p, "TSB_BAD_UTF8",
                 "value is not valid UTF-8 (expected " + p.target.ToString() + ")");
        }
      }
    }
  }
  if (rejected > 0) {
    // The reject file carries the whole row so that, once fixed, it loads again: every value
    // in the requested type's text form, except one that did not convert, which keeps the
    // file's own value (its bytes as they are for text, which the reject file shows as base64
    // when they are not UTF-8).
    std::sort(unconverted.begin(), unconverted.end());
    for (RejectedRecord& rec : batch->rejects()) {
      const size_t i = static_cast<size_t>(rec.position - first_row - 1);
      rec.fields.assign(columns_.size(), std::nullopt);
      for (size_t c = 0; c < columns_.size(); ++c) {
        const bool kept =
            std::binary_search(unconverted.begin(), unconverted.end(), std::make_pair(i, c));
        const Column& col = kept ? columns_[c]->scratch : batch->column(c);
        if (col.IsNull(i)) continue;
        std::string text;
        if (kept && col.type().storage() == Storage::kBytes) {
          text.assign(col.GetBytes(i));
        } else {
          AppendValueText(col, i, &text);
        }
        rec.fields[c] = std::move(text);
      }
    }
    // Drop the rejected rows from every column: rebuild each column without them.
    for (size_t c = 0; c < batch->num_columns(); ++c) {
      Column& col = batch->column(c);
      Column kept(col.type());
      kept.Reserve(rows - rejected);
      for (size_t i = 0; i < rows; ++i) {
        if (!reject_[i]) kept.AppendFrom(col, i);
      }
      col = std::move(kept);
    }
    std::vector<int64_t>& pos = batch->positions();
    size_t w = 0;
    for (size_t i = 0; i < rows; ++i) {
      if (!reject_[i]) pos[w++] = pos[i];
    }
    pos.resize(w);
    std::sort(
        batch->rejects().begin(), batch->rejects().end(),
        [](const RejectedRecord& a, const RejectedRecord& b) { return a.position < b.position; });
  }
  batch->SetNumRows(rows - rejected);
  return Status::OK();
}

}  // namespace tsb::parquet

namespace tsb {

Result<std::unique_ptr<BatchReader>> OpenParquetReader(const ReaderOptions& options) {
  TSB_ASSIGN_OR_RETURN(auto reader, parquet::ParquetFileReader::Open(options));
  return std::unique_ptr<BatchReader>(std::move(reader));
}

}  // namespace tsb
