// Page layout written here (parquet-format, "Data Pages"):
//   data page v1    [int32 LE length][definition levels, RLE hybrid]   (OPTIONAL columns only)
//                   values: PLAIN, or [1 byte bit width][indices, RLE hybrid] for RLE_DICTIONARY
//                   the whole body is compressed
//   data page v2    [definition levels, RLE hybrid, uncompressed] [values, compressed]
//   dictionary      the entries PLAIN-encoded, compressed; first page of its chunk
// Each page is preceded by its Thrift PageHeader.
//
// Dictionary decision (DuckDB decides the same way after analysing a whole row group): while a
// chunk is in dictionary mode nothing is paged; its definition levels and dictionary indices are
// kept. When the chunk ends, or the dictionary passes dictionary_page_bytes, the span is paged
// either as RLE_DICTIONARY (when dictionary page + indices are smaller than PLAIN) or as PLAIN
// values looked up from the dictionary, which is then dropped. After an overflow the rest of the
// chunk is PLAIN, paged as it comes.
#include "formats/parquet/column_writer.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>

#include "formats/parquet/compression.h"
#include "formats/parquet/encoders.h"
#include "formats/parquet/thrift_writer.h"

namespace tsb::parquet {

// ---------------------------------------------------------------------------------------------
// ColumnWriter: levels, pages, dictionary decision, compression
// ---------------------------------------------------------------------------------------------

ColumnWriter::ColumnWriter(const Field& field, const WriterOptions& options, SchemaElement schema,
                           bool supports_dictionary)
    : name_(field.name),
      options_(options),
      codec_(ToCodec(options.parquet_compression)),
      optional_(field.nullable || field.type.id == TypeId::kNull),
      all_null_(field.type.id == TypeId::kNull),
      supports_dictionary_(supports_dictionary && options.dictionary),
      schema_(std::move(schema)) {
  schema_.repetition_type =
      optional_ ? FieldRepetitionType::OPTIONAL : FieldRepetitionType::REQUIRED;
  dictionary_mode_ = supports_dictionary_;
}

Status ColumnWriter::Write(const Column& column, size_t begin, size_t end) {
  if (end > column.size() || begin > end) {
    return Status::Internal("column \"" + name_ + "\": rows [" + std::to_string(begin) + ", " +
                            std::to_string(end) + ") out of a column of " +
                            std::to_string(column.size()));
  }
  const uint8_t* valid = column.validity().data();
  if (!optional_) {
    for (size_t i = begin; i < end; ++i) {
      if (valid[i] == 0) {
        return Status::InvalidArgument("column \"" + name_ + "\" is not nullable but row " +
                                       std::to_string(i) + " of the batch is NULL");
      }
    }
  }
  size_t pos = begin;
  while (pos < end) {
    size_t n = std::min(kRowsPerStep, end - pos);
    if (optional_) {
      size_t old = levels_.size();
      levels_.resize(old + n);
      if (all_null_) {
        std::memset(levels_.data() + old, 0, n);
      } else {
        uint8_t* levels = levels_.data() + old;
        for (size_t i = 0; i < n; ++i) levels[i] = valid[pos + i] != 0;
      }
    }
    if (!all_null_) AppendValues(column, pos, pos + n);
    pending_rows_ += n;
    pos += n;
    if (dictionary_mode_) {
      const size_t limit = static_cast<size_t>(options_.dictionary_page_bytes);
      bool give_up = DictionaryBytes() > limit;
      if (!give_up && !dictionary_probed_ &&
          DictionaryBytes() >= limit / kDictionaryProbeFraction) {
        dictionary_probed_ = true;
        const double values_per_row =
            static_cast<double>(indices_.size()) / static_cast<double>(pending_rows_);
        const double projected = values_per_row * static_cast<double>(options_.row_group_rows);
        give_up = DictionaryProjectedToOverflow(indices_.size(), DictionarySize(),
                                                DictionaryBytes(), projected, limit) ||
                  DictionaryProjectedToLose(indices_.size(), DictionarySize(), DictionaryBytes(),
                                            projected);
      }
      if (give_up) {
        // Page what the dictionary covers; the rest of the chunk is PLAIN.
        TSB_RETURN_IF_ERROR(PageDictionarySpan());
        dictionary_mode_ = false;
      }
      continue;
    }
    if (levels_.size() / 8 + PlainBytes() >= static_cast<size_t>(options_.page_bytes)) {
      TSB_RETURN_IF_ERROR(FlushPlainPage());
    }
  }
  return Status::OK();
}

namespace {

// The distinct values `projected_values` draws would meet, by the probe's estimate of the domain
// (DictionaryProjectedToOverflow's comment).
double ProjectedDistinct(size_t values, size_t distinct, double projected_values) {
  const double s = static_cast<double>(values);
  const double d = static_cast<double>(distinct);
  double projected_distinct = projected_values;
  if (distinct < values) {
    // D * (1 - e^(-s/D)) grows with D from 0 towards s: bisect for the D that gives d, on a log
    // scale (D is between d and about s^2 / 2, the estimate for a single repeat).
    auto met = [s](double domain) { return -domain * std::expm1(-s / domain); };
    double lo = d;
    double hi = std::max(d + 1, s * s);
    for (int i = 0; i < 64 && hi / lo > 1.0001; ++i) {
      const double mid = std::sqrt(lo * hi);
      (met(mid) < d ? lo : hi) = mid;
    }
    const double domain = std::sqrt(lo * hi);
    projected_distinct = -domain * std::expm1(-projected_values / domain);
  }
  return projected_distinct;
}

}  // namespace

bool DictionaryProjectedToOverflow(size_t values, size_t distinct, size_t dictionary_bytes,
                                   double projected_values, size_t limit_bytes) {
  if (distinct == 0 || values == 0) return false;
  const double entry_bytes = static_cast<double>(dictionary_bytes) / static_cast<double>(distinct);
  return ProjectedDistinct(values, distinct, projected_values) * entry_bytes >
         static_cast<double>(limit_bytes);
}

bool DictionaryProjectedToLose(size_t values, size_t distinct, size_t dictionary_bytes,
                               double projected_values) {
  if (distinct == 0 || values == 0) return false;
  const double entry_bytes = static_cast<double>(dictionary_bytes) / static_cast<double>(distinct);
  const double projected_distinct = ProjectedDistinct(values, distinct, projected_values);
  const double index_bytes = std::ceil(std::log2(std::max(2.0, projected_distinct))) / 8;
  return projected_distinct * (entry_bytes + index_bytes) >= projected_values * entry_bytes;
}

void PageBuffer::Append(std::string_view header, std::string_view body) {
  const size_t n = header.size() + body.size();
  if (used_ == 0 || blocks_[used_ - 1].capacity() - blocks_[used_ - 1].size() < n) {
    if (used_ == blocks_.size()) blocks_.emplace_back();
    LargeBuffer& block = blocks_[used_++];
    // Blocks grow with the chunk (256 KiB, then as large as what the chunk holds so far, up to
    // kBlockBytes), so a small chunk does not hold megabytes it never uses.
    const size_t want = std::max(n, std::min(kBlockBytes, std::max(kFirstBlockBytes, size_)));
    if (block.capacity() < want) block.resize(want);
    block.clear();
  }
  LargeBuffer& block = blocks_[used_ - 1];
  block.AppendWithin(header);
  block.AppendWithin(body);
  size_ += n;
}

void ColumnWriter::CountPage(const PageHeader& header) {
  header_.clear();
  ThriftCompactWriter w(&header_);
  header.EncodeTo(&w);
  uncompressed_bytes_ += static_cast<int64_t>(header_.size()) + header.uncompressed_page_size;
  compressed_bytes_ += static_cast<int64_t>(header_.size()) + header.compressed_page_size;
}

Status ColumnWriter::AppendPage(const PageHeader& header, std::string_view body,
                                std::string* dest) {
  CountPage(header);
  dest->append(header_);
  dest->append(body.data(), body.size());
  return Status::OK();
}

Status ColumnWriter::AppendPage(const PageHeader& header, std::string_view body, PageBuffer* dest) {
  CountPage(header);
  dest->Append(header_, body);
  return Status::OK();
}

Status ColumnWriter::EmitPage(const uint8_t* levels, size_t rows, PageValues kind,
                              const uint32_t* indices, size_t num_indices, int bit_width) {
  const bool v2 = options_.data_page_v2;
  size_t nulls = 0;
  page_.clear();
  size_t levels_bytes = 0;
  if (optional_) {
    for (size_t i = 0; i < rows; ++i) nulls += levels[i] == 0;
    if (!v2) page_.append(4, '\0');
    RleBpEncode(levels, rows, 1, &page_);
    if (!v2) {
      uint32_t len = static_cast<uint32_t>(page_.size() - 4);
      std::memcpy(page_.data(), &len, 4);
    }
    levels_bytes = page_.size();
  }
  Encoding encoding = Encoding::PLAIN;
  switch (kind) {
    case PageValues::kDictionaryIndices:
      if (num_indices > 0) {
        encoding = Encoding::RLE_DICTIONARY;
        page_.push_back(static_cast<char>(bit_width));
        RleBpEncode(indices, num_indices, bit_width, &page_);
      }
      break;
    case PageValues::kPlainFromDictionary:
      AppendPlainFromDictionary(indices, num_indices, &page_);
      break;
    case PageValues::kPlainBuffered:
      // The values stay in values_ (the codec reads levels and values as one page), which
      // saves copying every PLAIN page once more.
      FinishPlainValues();
      break;
  }
  const bool plain_buffered = kind == PageValues::kPlainBuffered;
  const bool values_apart = plain_buffered && (v2 || codec_ != CompressionCodec::UNCOMPRESSED);
  if (plain_buffered && !values_apart) page_.append(values_.data(), values_.size());
  // The page's bytes after the definition levels.
  const std::string_view values =
      values_apart ? std::string_view(values_) : std::string_view(page_).substr(levels_bytes);
  const size_t page_size = levels_bytes + values.size();
  if (page_size > static_cast<size_t>(INT32_MAX)) {
    return Status::InvalidArgument("column \"" + name_ + "\": a page of " +
                                   std::to_string(page_size) +
                                   " bytes exceeds Parquet's 2 GiB page limit");
  }
  NoteEncoding(encoding);
  ++(encoding == Encoding::PLAIN ? plain_pages_ : dictionary_pages_);

  PageHeader header;
  header.uncompressed_page_size = static_cast<int32_t>(page_size);
  std::string_view body;
  if (!v2) {
    header.type = PageType::DATA_PAGE;
    DataPageHeader& h = header.data_page_header.emplace();
    h.num_values = static_cast<int32_t>(rows);
    h.encoding = encoding;
    if (codec_ == CompressionCodec::UNCOMPRESSED) {
      body = page_;
    } else {
      TSB_RETURN_IF_ERROR(Compress(codec_, std::string_view(page_).substr(0, levels_bytes), values,
                                   &compressed_, &scratch_)
                              .WithContext("column \"" + name_ + "\""));
      body = compressed_;
    }
  } else {
    header.type = PageType::DATA_PAGE_V2;
    DataPageHeaderV2& h = header.data_page_header_v2.emplace();
    h.num_values = static_cast<int32_t>(rows);
    h.num_nulls = static_cast<int32_t>(nulls);
    h.num_rows = static_cast<int32_t>(rows);
    h.encoding = encoding;
    h.definition_levels_byte_length = static_cast<int32_t>(levels_bytes);
    h.repetition_levels_byte_length = 0;
    h.is_compressed = codec_ != CompressionCodec::UNCOMPRESSED;
    if (h.is_compressed) {
      TSB_RETURN_IF_ERROR(
          Compress(codec_, values, &compressed_).WithContext("column \"" + name_ + "\""));
      v2_body_.assign(page_.data(), levels_bytes);
      v2_body_.append(compressed_.data(), compressed_.size());
      body = v2_body_;
    } else {
      if (values_apart) page_.append(values_.data(), values_.size());
      body = page_;
    }
  }
  header.compressed_page_size = static_cast<int32_t>(body.size());
  TSB_RETURN_IF_ERROR(AppendPage(header, body, &data_pages_));
  if (plain_buffered) values_.clear();
  num_values_ += static_cast<int64_t>(rows);
  null_count_ += static_cast<int64_t>(nulls);
  return Status::OK();
}

Status ColumnWriter::FlushPlainPage() {
  if (pending_rows_ == 0) return Status::OK();
  TSB_RETURN_IF_ERROR(
      EmitPage(levels_.data(), pending_rows_, PageValues::kPlainBuffered, nullptr, 0, 0));
  levels_.clear();
  pending_rows_ = 0;
  return Status::OK();
}

Status ColumnWriter::PageDictionarySpan() {
  if (pending_rows_ == 0) return Status::OK();
  const size_t dict_size = DictionarySize();
  const int bit_width = std::max(1, BitWidth(dict_size > 0 ? dict_size - 1 : 0));
  const size_t level_bytes = optional_ ? pending_rows_ / 8 : 0;
  const size_t dict_estimate =
      DictionaryBytes() + indices_.size() * static_cast<size_t>(bit_width) / 8;
  const size_t plain_estimate = PlainBytesFromDictionary(indices_.data(), indices_.size());
  const bool use_dictionary = dict_size > 0 && dict_estimate < plain_estimate;
  const PageValues kind =
      use_dictionary ? PageValues::kDictionaryIndices : PageValues::kPlainFromDictionary;
  // Rows per page from the span's average encoded row size.
  const size_t span_bytes =
      level_bytes + (use_dictionary ? dict_estimate - DictionaryBytes() : plain_estimate);
  const size_t page_bytes = static_cast<size_t>(options_.page_bytes);
  size_t rows_per_page = pending_rows_;
  if (span_bytes > page_bytes) {
    rows_per_page = std::max<size_t>(
        1, static_cast<size_t>(static_cast<double>(pending_rows_) * page_bytes / span_bytes));
  }
  size_t row = 0;
  size_t value = 0;
  while (row < pending_rows_) {
    size_t rows = std::min(rows_per_page, pending_rows_ - row);
    size_t values = rows;
    if (optional_) {
      values = 0;
      for (size_t i = row; i < row + rows; ++i) values += levels_[i];
    }
    TSB_RETURN_IF_ERROR(EmitPage(optional_ ? levels_.data() + row : nullptr, rows, kind,
                                 indices_.data() + value, values, bit_width));
    row += rows;
    value += values;
  }
  if (use_dictionary) {
    dictionary_used_ = true;
  } else {
    ClearDictionary();
  }
  levels_.clear();
  indices_.clear();
  pending_rows_ = 0;
  return Status::OK();
}

Status ColumnWriter::FinishChunk() {
  if (dictionary_mode_) {
    TSB_RETURN_IF_ERROR(PageDictionarySpan());
  } else {
    TSB_RETURN_IF_ERROR(FlushPlainPage());
  }
  dictionary_page_.clear();
  if (dictionary_used_) {
    std::string plain;
    EncodeDictionary(&plain);
    PageHeader header;
    header.type = PageType::DICTIONARY_PAGE;
    header.uncompressed_page_size = static_cast<int32_t>(plain.size());
    DictionaryPageHeader& h = header.dictionary_page_header.emplace();
    h.num_values = static_cast<int32_t>(DictionarySize());
    h.encoding = Encoding::PLAIN;
    std::string_view body = plain;
    if (codec_ != CompressionCodec::UNCOMPRESSED) {
      TSB_RETURN_IF_ERROR(
          Compress(codec_, plain, &compressed_).WithContext("column \"" + name_ + "\""));
      body = compressed_;
    }
    header.compressed_page_size = static_cast<int32_t>(body.size());
    TSB_RETURN_IF_ERROR(AppendPage(header, body, &dictionary_page_));
    NoteEncoding(Encoding::PLAIN);
  }
  return Status::OK();
}

ColumnMetaData ColumnWriter::ChunkMetaData(int64_t chunk_offset) const {
  ColumnMetaData m;
  m.type = *schema_.type;
  for (int e = 0; e < 32; ++e) {
    if (encodings_mask_ & (1u << e)) m.encodings.push_back(static_cast<Encoding>(e));
  }
  if (optional_ && !(encodings_mask_ & (1u << static_cast<int>(Encoding::RLE)))) {
    m.encodings.push_back(Encoding::RLE);  // the definition levels
  }
  m.path_in_schema.push_back(schema_.name);
  m.codec = codec_;
  m.num_values = num_values_;
  m.total_uncompressed_size = uncompressed_bytes_;
  m.total_compressed_size = compressed_bytes_;
  if (!dictionary_page_.empty()) m.dictionary_page_offset = chunk_offset;
  m.data_page_offset = chunk_offset + static_cast<int64_t>(dictionary_page_.size());
  Statistics& stats = m.statistics.emplace();
  stats.null_count = null_count_;
  std::string min, max;
  if (MinMax(&min, &max)) {
    stats.min_value = std::move(min);
    stats.max_value = std::move(max);
  }
  return m;
}

void ColumnWriter::ResetChunk() {
  levels_.clear();
  indices_.clear();
  values_.clear();
  pending_rows_ = 0;
  dictionary_page_.clear();
  data_pages_.Clear();
  num_values_ = 0;
  null_count_ = 0;
  uncompressed_bytes_ = 0;
  compressed_bytes_ = 0;
  encodings_mask_ = 0;
  plain_pages_ = 0;
  dictionary_pages_ = 0;
  dictionary_mode_ = supports_dictionary_;
  dictionary_used_ = false;
  dictionary_probed_ = false;
  ClearDictionary();
  ResetStatistics();
}

namespace {

// ---------------------------------------------------------------------------------------------
// Conversion operators for StandardColumnWriter: the physical value of row i, its bit pattern
// (the dictionary key), and the statistics order.
// ---------------------------------------------------------------------------------------------

template <typename T, typename B>
struct SignedIntOp {
  using Value = T;
  using Bits = B;
  static bool Less(T a, T b) { return a < b; }
  static bool Ignore(T) { return false; }
  static T StatValue(T v, bool /*is_min*/) { return v; }
};

template <typename T, typename B>
struct UnsignedIntOp {
  using Value = T;
  using Bits = B;
  static bool Less(T a, T b) { return static_cast<B>(a) < static_cast<B>(b); }
  static bool Ignore(T) { return false; }
  static T StatValue(T v, bool /*is_min*/) { return v; }
};

template <typename T, typename B>
struct FloatingOp {
  using Value = T;
  using Bits = B;
  static bool Less(T a, T b) { return a < b; }
  static bool Ignore(T v) { return std::isnan(v); }
  // parquet-format: a zero min is written as -0.0, a zero max as +0.0.
  static T StatValue(T v, bool is_min) {
    if (v == 0) return is_min ? -T(0) : T(0);
    return v;
  }
};

struct Int32FromInts : SignedIntOp<int32_t, uint32_t> {
  static int32_t Get(const Column& c, size_t i) { return static_cast<int32_t>(c.ints()[i]); }
};
struct UInt32FromInts : UnsignedIntOp<int32_t, uint32_t> {
  static int32_t Get(const Column& c, size_t i) {
    return static_cast<int32_t>(static_cast<uint32_t>(c.ints()[i]));
  }
};
struct Int64FromInts : SignedIntOp<int64_t, uint64_t> {
  static int64_t Get(const Column& c, size_t i) { return c.ints()[i]; }
};
struct UInt64FromInts : UnsignedIntOp<int64_t, uint64_t> {
  static int64_t Get(const Column& c, size_t i) { return c.ints()[i]; }
};
struct MillisFromSeconds : SignedIntOp<int64_t, uint64_t> {
  // Wraps instead of overflowing beyond +-9.2e15 s (292 million years), far outside any date.
  static int64_t Get(const Column& c, size_t i) {
    return static_cast<int64_t>(static_cast<uint64_t>(c.ints()[i]) * 1000u);
  }
};
struct Int32FromWide : SignedIntOp<int32_t, uint32_t> {
  static int32_t Get(const Column& c, size_t i) { return static_cast<int32_t>(c.wide()[i]); }
};
struct Int64FromWide : SignedIntOp<int64_t, uint64_t> {
  static int64_t Get(const Column& c, size_t i) { return static_cast<int64_t>(c.wide()[i]); }
};
struct FloatFromDoubles : FloatingOp<float, uint32_t> {
  static float Get(const Column& c, size_t i) { return static_cast<float>(c.doubles()[i]); }
};
struct DoubleFromDoubles : FloatingOp<double, uint64_t> {
  static double Get(const Column& c, size_t i) { return c.doubles()[i]; }
};

template <typename T>
std::string PlainBytesOf(T v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof(T));
}

// ---------------------------------------------------------------------------------------------
// INT32, INT64, FLOAT, DOUBLE
// ---------------------------------------------------------------------------------------------

template <typename Op>
class StandardColumnWriter final : public ColumnWriter {
  using T = typename Op::Value;
  using Bits = typename Op::Bits;
  static_assert(sizeof(T) == sizeof(Bits));

 public:
  StandardColumnWriter(const Field& field, const WriterOptions& options, SchemaElement schema)
      : ColumnWriter(field, options, std::move(schema), /*supports_dictionary=*/true) {}

 protected:
  void AppendValues(const Column& column, size_t begin, size_t end) override {
    const uint8_t* valid = column.validity().data();
    if (dictionary_mode_) {
      for (size_t i = begin; i < end; ++i) {
        if (!valid[i]) continue;
        T v = Op::Get(column, i);
        bool inserted;
        uint32_t index = dictionary_.Insert(std::bit_cast<Bits>(v), &inserted);
        if (inserted) Update(v);
        indices_.push_back(index);
      }
      return;
    }
    char* out = values_.Extend((end - begin) * sizeof(T));
    for (size_t i = begin; i < end; ++i) {
      if (!valid[i]) continue;
      T v = Op::Get(column, i);
      Update(v);
      std::memcpy(out, &v, sizeof(T));
      out += sizeof(T);
    }
    values_.set_size(static_cast<size_t>(out - values_.data()));
  }
  size_t DictionarySize() const override { return dictionary_.size(); }
  size_t DictionaryBytes() const override { return dictionary_.bytes(); }
  void EncodeDictionary(std::string* out) const override { dictionary_.EncodePlain(out); }
  size_t PlainBytesFromDictionary(const uint32_t* /*indices*/, size_t count) const override {
    return count * sizeof(T);
  }
  void AppendPlainFromDictionary(const uint32_t* indices, size_t count,
                                 std::string* out) const override {
    size_t old = out->size();
    out->resize(old + count * sizeof(T));
    char* dst = out->data() + old;
    const Bits* entries = dictionary_.values().data();
    for (size_t i = 0; i < count; ++i)
      std::memcpy(dst + i * sizeof(T), &entries[indices[i]], sizeof(T));
  }
  void ClearDictionary() override { dictionary_.Clear(); }
  void ResetStatistics() override { has_stats_ = false; }
  bool MinMax(std::string* min, std::string* max) const override {
    if (!has_stats_) return false;
    *min = PlainBytesOf(Op::StatValue(min_, true));
    *max = PlainBytesOf(Op::StatValue(max_, false));
    return true;
  }

 private:
  void Update(T v) {
    if (Op::Ignore(v)) return;
    if (!has_stats_) {
      min_ = max_ = v;
      has_stats_ = true;
      return;
    }
    if (Op::Less(v, min_)) min_ = v;
    if (Op::Less(max_, v)) max_ = v;
  }

  FixedDictionary<Bits> dictionary_;
  bool has_stats_ = false;
  T min_{};
  T max_{};
};

// ---------------------------------------------------------------------------------------------
// BYTE_ARRAY (string, binary)
// ---------------------------------------------------------------------------------------------

class ByteArrayColumnWriter final : public ColumnWriter {
 public:
  ByteArrayColumnWriter(const Field& field, const WriterOptions& options, SchemaElement schema)
      : ColumnWriter(field, options, std::move(schema), /*supports_dictionary=*/true) {}

 protected:
  void AppendValues(const Column& column, size_t begin, size_t end) override {
    const uint8_t* valid = column.validity().data();
    const uint64_t* offsets = column.offsets().data();
    const char* bytes = column.bytes().data();
    if (dictionary_mode_) {
      for (size_t i = begin; i < end; ++i) {
        if (!valid[i]) continue;
        std::string_view v(bytes + offsets[i], offsets[i + 1] - offsets[i]);
        bool inserted;
        uint32_t index = dictionary_.Insert(v, &inserted);
        if (inserted) Update(v);
        indices_.push_back(index);
      }
      return;
    }
    char* out = values_.Extend((end - begin) * 4 + (offsets[end] - offsets[begin]));
    for (size_t i = begin; i < end; ++i) {
      if (!valid[i]) continue;
      uint32_t size = static_cast<uint32_t>(offsets[i + 1] - offsets[i]);
      std::string_view v(bytes + offsets[i], size);
      Update(v);
      std::memcpy(out, &size, 4);
      std::memcpy(out + 4, v.data(), size);
      out += 4 + size;
    }
    values_.set_size(static_cast<size_t>(out - values_.data()));
  }
  size_t DictionarySize() const override { return dictionary_.size(); }
  size_t DictionaryBytes() const override { return dictionary_.bytes(); }
  void EncodeDictionary(std::string* out) const override { out->append(dictionary_.plain()); }
  size_t PlainBytesFromDictionary(const uint32_t* indices, size_t count) const override {
    size_t bytes = 4 * count;
    for (size_t i = 0; i < count; ++i) bytes += dictionary_.entry_size(indices[i]);
    return bytes;
  }
  void AppendPlainFromDictionary(const uint32_t* indices, size_t count,
                                 std::string* out) const override {
    for (size_t i = 0; i < count; ++i) {
      std::string_view with_length = dictionary_.entry_with_length(indices[i]);
      out->append(with_length.data(), with_length.size());
    }
  }
  void ClearDictionary() override { dictionary_.Clear(); }
  void ResetStatistics() override {
    has_stats_ = false;
    min_.clear();
    max_.clear();
  }
  bool MinMax(std::string* min, std::string* max) const override {
    if (!has_stats_ || min_.size() > kMaxStatBytes || max_.size() > kMaxStatBytes) return false;
    *min = min_;
    *max = max_;
    return true;
  }

 private:
  // std::string_view compares like memcmp: byte-wise unsigned, as parquet-format orders BYTE_ARRAY.
  // Most values differ from the min and the max in their first byte, which decides the order
  // without a call to memcmp (two per value of a PLAIN text column).
  static bool Less(std::string_view a, std::string_view b) {
    if (!a.empty() && !b.empty() && a[0] != b[0]) {
      return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]);
    }
    return a < b;
  }
  void Update(std::string_view v) {
    if (!has_stats_) {
      min_.assign(v);
      max_.assign(v);
      has_stats_ = true;
      return;
    }
    if (Less(v, min_)) min_.assign(v);
    if (Less(max_, v)) max_.assign(v);
  }

  ByteArrayDictionary dictionary_;
  bool has_stats_ = false;
  std::string min_;
  std::string max_;
};

// ---------------------------------------------------------------------------------------------
// BOOLEAN: PLAIN, one bit per value LSB-first
// ---------------------------------------------------------------------------------------------

class BooleanColumnWriter final : public ColumnWriter {
 public:
  BooleanColumnWriter(const Field& field, const WriterOptions& options, SchemaElement schema)
      : ColumnWriter(field, options, std::move(schema), /*supports_dictionary=*/false) {}

 protected:
  void AppendValues(const Column& column, size_t begin, size_t end) override {
    const uint8_t* valid = column.validity().data();
    const int64_t* ints = column.ints().data();
    for (size_t i = begin; i < end; ++i) {
      if (!valid[i]) continue;
      uint8_t b = ints[i] != 0;
      bits_.push_back(b);
      seen_[b] = true;
    }
  }
  size_t PlainBytes() const override { return bits_.size() / 8; }
  void FinishPlainValues() override {
    packed_.clear();
    BitPack(bits_.data(), bits_.size(), 1, &packed_);
    values_.append(packed_);
    bits_.clear();
  }
  void ResetStatistics() override {
    bits_.clear();
    seen_[0] = seen_[1] = false;
  }
  bool MinMax(std::string* min, std::string* max) const override {
    if (!seen_[0] && !seen_[1]) return false;
    *min = std::string(1, seen_[0] ? '\0' : '\1');
    *max = std::string(1, seen_[1] ? '\1' : '\0');
    return true;
  }

 private:
  std::vector<uint8_t> bits_;
  std::string packed_;
  bool seen_[2] = {false, false};
};

// ---------------------------------------------------------------------------------------------
// FIXED_LEN_BYTE_ARRAY decimals: big-endian two's complement in the fewest bytes for p digits
// ---------------------------------------------------------------------------------------------

class FixedDecimalColumnWriter final : public ColumnWriter {
 public:
  FixedDecimalColumnWriter(const Field& field, const WriterOptions& options, SchemaElement schema,
                           int byte_width)
      : ColumnWriter(field, options, std::move(schema), /*supports_dictionary=*/false),
        byte_width_(byte_width) {}

 protected:
  void AppendValues(const Column& column, size_t begin, size_t end) override {
    const uint8_t* valid = column.validity().data();
    const __int128* wide = column.wide().data();
    for (size_t i = begin; i < end; ++i) {
      if (!valid[i]) continue;
      __int128 v = wide[i];
      Update(v);
      char* out = values_.Extend(static_cast<size_t>(byte_width_));
      unsigned __int128 u = static_cast<unsigned __int128>(v);
      for (int b = byte_width_ - 1; b >= 0; --b) *out++ = static_cast<char>(u >> (8 * b));
      values_.set_size(values_.size() + static_cast<size_t>(byte_width_));
    }
  }
  void ResetStatistics() override { has_stats_ = false; }
  bool MinMax(std::string* min, std::string* max) const override {
    if (!has_stats_) return false;
    min->clear();
    max->clear();
    AppendBigEndian(min_, min);
    AppendBigEndian(max_, max);
    return true;
  }

 private:
  void AppendBigEndian(__int128 v, std::string* out) const {
    unsigned __int128 u = static_cast<unsigned __int128>(v);
    for (int b = byte_width_ - 1; b >= 0; --b) out->push_back(static_cast<char>(u >> (8 * b)));
  }
  void Update(__int128 v) {
    if (!has_stats_) {
      min_ = max_ = v;
      has_stats_ = true;
      return;
    }
    if (v < min_) min_ = v;
    if (v > max_) max_ = v;
  }

  const int byte_width_;
  bool has_stats_ = false;
  __int128 min_ = 0;
  __int128 max_ = 0;
};

// Bytes of the smallest two's complement integer that holds every p-digit number.
int DecimalByteWidth(int precision) {
  for (int bytes = 1; bytes <= 16; ++bytes) {
    // Largest positive value in `bytes`: 2^(8*bytes-1) - 1; compare with 10^p - 1.
    long double max_positive = std::ldexp(1.0L, 8 * bytes - 1) - 1;
    if (max_positive >= std::pow(10.0L, precision) - 1) return bytes;
  }
  return 16;
}

LogicalType IntLogical(int bits, bool is_signed) {
  LogicalType l;
  l.kind = LogicalTypeKind::INTEGER;
  l.bit_width = static_cast<int8_t>(bits);
  l.is_signed = is_signed;
  return l;
}

}  // namespace

Result<std::unique_ptr<ColumnWriter>> ColumnWriter::Make(const Field& field,
                                                         const WriterOptions& options) {
  const DataType& t = field.type;
  SchemaElement s;
  s.name = field.name;
  std::unique_ptr<ColumnWriter> writer;
  switch (t.id) {
    case TypeId::kNull:
      s.type = Type::INT32;
      s.logical_type.kind = LogicalTypeKind::UNKNOWN;
      writer = std::make_unique<StandardColumnWriter<Int32FromInts>>(field, options, s);
      break;
    case TypeId::kBoolean:
      s.type = Type::BOOLEAN;
      writer = std::make_unique<BooleanColumnWriter>(field, options, s);
      break;
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32: {
      int bits = t.id == TypeId::kInt8 ? 8 : t.id == TypeId::kInt16 ? 16 : 32;
      s.type = Type::INT32;
      s.logical_type = IntLogical(bits, !t.is_unsigned);
      if (t.is_unsigned) {
        s.converted_type = bits == 8    ? ConvertedType::UINT_8
                           : bits == 16 ? ConvertedType::UINT_16
                                        : ConvertedType::UINT_32;
        writer = std::make_unique<StandardColumnWriter<UInt32FromInts>>(field, options, s);
      } else {
        s.converted_type = bits == 8    ? ConvertedType::INT_8
                           : bits == 16 ? ConvertedType::INT_16
                                        : ConvertedType::INT_32;
        writer = std::make_unique<StandardColumnWriter<Int32FromInts>>(field, options, s);
      }
      break;
    }
    case TypeId::kInt64:
      s.type = Type::INT64;
      s.logical_type = IntLogical(64, !t.is_unsigned);
      if (t.is_unsigned) {
        s.converted_type = ConvertedType::UINT_64;
        writer = std::make_unique<StandardColumnWriter<UInt64FromInts>>(field, options, s);
      } else {
        s.converted_type = ConvertedType::INT_64;
        writer = std::make_unique<StandardColumnWriter<Int64FromInts>>(field, options, s);
      }
      break;
    case TypeId::kFloat:
      s.type = Type::FLOAT;
      writer = std::make_unique<StandardColumnWriter<FloatFromDoubles>>(field, options, s);
      break;
    case TypeId::kDouble:
      s.type = Type::DOUBLE;
      writer = std::make_unique<StandardColumnWriter<DoubleFromDoubles>>(field, options, s);
      break;
    case TypeId::kString:
      s.type = Type::BYTE_ARRAY;
      s.converted_type = ConvertedType::UTF8;
      s.logical_type.kind = LogicalTypeKind::STRING;
      writer = std::make_unique<ByteArrayColumnWriter>(field, options, s);
      break;
    case TypeId::kBinary:
      s.type = Type::BYTE_ARRAY;
      writer = std::make_unique<ByteArrayColumnWriter>(field, options, s);
      break;
    case TypeId::kDecimal: {
      if (t.precision < 1 || t.precision > 38 || t.scale > t.precision) {
        return Status::InvalidArgument(
            "column \"" + field.name + "\": " + t.ToString() +
            " cannot be written to Parquet (precision 1..38, scale <= precision)");
      }
      s.converted_type = ConvertedType::DECIMAL;
      s.scale = t.scale;
      s.precision = t.precision;
      s.logical_type.kind = LogicalTypeKind::DECIMAL;
      s.logical_type.decimal_scale = t.scale;
      s.logical_type.decimal_precision = t.precision;
      if (t.precision <= 9) {
        s.type = Type::INT32;
        writer = std::make_unique<StandardColumnWriter<Int32FromWide>>(field, options, s);
      } else if (t.precision <= 18) {
        s.type = Type::INT64;
        writer = std::make_unique<StandardColumnWriter<Int64FromWide>>(field, options, s);
      } else {
        int width = DecimalByteWidth(t.precision);
        s.type = Type::FIXED_LEN_BYTE_ARRAY;
        s.type_length = width;
        writer = std::make_unique<FixedDecimalColumnWriter>(field, options, s, width);
      }
      break;
    }
    case TypeId::kDate:
      s.type = Type::INT32;
      s.converted_type = ConvertedType::DATE;
      s.logical_type.kind = LogicalTypeKind::DATE;
      writer = std::make_unique<StandardColumnWriter<Int32FromInts>>(field, options, s);
      break;
    case TypeId::kDateTime:
    case TypeId::kTimestamp: {
      s.type = Type::INT64;
      s.logical_type.kind = LogicalTypeKind::TIMESTAMP;
      s.logical_type.adjusted_to_utc = t.id == TypeId::kDateTime ? true : t.utc;
      switch (t.unit) {
        case TimeUnit::kSeconds:
        case TimeUnit::kMillis:
          s.logical_type.unit = LogicalTimeUnit::kMillis;
          if (s.logical_type.adjusted_to_utc) s.converted_type = ConvertedType::TIMESTAMP_MILLIS;
          break;
        case TimeUnit::kMicros:
          s.logical_type.unit = LogicalTimeUnit::kMicros;
          if (s.logical_type.adjusted_to_utc) s.converted_type = ConvertedType::TIMESTAMP_MICROS;
          break;
        case TimeUnit::kNanos:
          s.logical_type.unit = LogicalTimeUnit::kNanos;
          break;
      }
      if (t.unit == TimeUnit::kSeconds) {
        writer = std::make_unique<StandardColumnWriter<MillisFromSeconds>>(field, options, s);
      } else {
        writer = std::make_unique<StandardColumnWriter<Int64FromInts>>(field, options, s);
      }
      break;
    }
  }
  if (!writer) {
    return Status::NotSupported("column \"" + field.name + "\": type " + t.ToString() +
                                " has no Parquet mapping");
  }
  return writer;
}

}  // namespace tsb::parquet
