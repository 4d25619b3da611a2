// Column writers: turn one RowBatch column into the pages of a Parquet column chunk.
//
// Shape (after DuckDB's Parquet writer): ColumnWriter owns what every column shares (definition
// levels, page cutting, dictionary fallback, compression, page headers, chunk sizes); one
// template, StandardColumnWriter<Op>, serves every fixed-width physical type through a stateless
// conversion operator (Op: how to get the physical value from the Column, how it sorts); byte
// arrays, booleans and FIXED_LEN_BYTE_ARRAY decimals have their own classes. One factory switch,
// ColumnWriter::Make, maps tsb DataTypes to writers and Parquet schema elements (decisions.md 8):
//
//   tsb type                 physical              annotations (converted / logical)
//   boolean                  BOOLEAN               -
//   tinyint/smallint/int     INT32                 INT_8/16/32 / INTEGER(8/16/32, signed)
//   bigint                   INT64                 INT_64 / INTEGER(64, signed)
//   (unsigned ints keep UINT_* / INTEGER(n, unsigned) and unsigned statistics)
//   float / double           FLOAT / DOUBLE        -
//   string                   BYTE_ARRAY            UTF8 / STRING
//   binary                   BYTE_ARRAY            -
//   decimal(p,s)             INT32 p<=9, INT64 p<=18, FIXED_LEN_BYTE_ARRAY (minimal bytes) p<=38
//                                                  DECIMAL(p,s) / DECIMAL(p,s)
//   date                     INT32                 DATE / DATE
//   datetime, timestamp      INT64                 TIMESTAMP_MILLIS (seconds x1000, millis) /
//                                                  TIMESTAMP_MICROS / (nanos: logical only)
//                                                  TIMESTAMP(isAdjustedToUTC = type.utc, unit)
//   null                     INT32                 - / UNKNOWN (every value NULL)
// A nullable Field is OPTIONAL (definition levels, RLE/bit-packed hybrid, bit width 1); a
// non-nullable one is REQUIRED, and a NULL in it is InvalidArgument.
//
// Encoding: with WriterOptions::dictionary, every type but BOOLEAN and FIXED_LEN_BYTE_ARRAY starts
// each chunk building a dictionary and keeping only indices. At the end of the chunk, or when the
// dictionary passes dictionary_page_bytes, the rows so far are paged as RLE_DICTIONARY (one PLAIN
// dictionary page at the chunk's start) if that is smaller than PLAIN, else as PLAIN; after an
// overflow the rest of the chunk is PLAIN. PLAIN pages are closed when their size reaches
// page_bytes (checked every kRowsPerStep rows); dictionary spans are cut into pages of about
// page_bytes.
//
// Statistics: null_count always; min/max in the physical type's order for the logical type
// (signed for ints, decimals, dates, timestamps; unsigned for UINT_*; IEEE order ignoring NaN for
// floats, with -0.0/+0.0 per parquet-format; byte-wise unsigned for byte arrays). Byte-array
// min/max longer than kMaxStatBytes are left out rather than truncated.
//
// Memory: a writer holds its chunk's encoded (compressed) pages until the file writer takes them
// at the end of the row group (in PageBuffer blocks: at most about twice the bytes they hold, of
// which only what is written becomes resident, see large_buffer.h); in dictionary mode 4
// bytes per value and 1 per row of indices and levels plus the dictionary (<= about
// dictionary_page_bytes), else one page of PLAIN values. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/format.h"
#include "formats/parquet/large_buffer.h"
#include "formats/parquet/metadata.h"
#include "formats/parquet/parquet_types.h"
#include "tsbridge/row_batch.h"
#include "tsbridge/status.h"
#include "tsbridge/types.h"

namespace tsb::parquet {

// A chunk's encoded pages, in blocks of a few MiB (large_buffer.h) kept from chunk to chunk. One
// growing string copied the chunk at every doubling and faulted in fresh memory for each copy: a
// seventh of a CSV -> Parquet conversion went there.
class PageBuffer {
 public:
  static constexpr size_t kFirstBlockBytes = size_t{256} << 10;
  static constexpr size_t kBlockBytes = size_t{4} << 20;

  // Appends a page: its header, then its body (kept together in one block).
  void Append(std::string_view header, std::string_view body);
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Empties the buffer, keeping its blocks.
  void Clear() {
    used_ = 0;
    size_ = 0;
  }
  // The bytes in order, block by block.
  std::vector<std::string_view> Blocks() const {
    return std::vector<std::string_view>(blocks_.begin(), blocks_.begin() + used_);
  }

 private:
  std::vector<LargeBuffer> blocks_;
  size_t used_ = 0;  // blocks_[0, used_) hold the pages
  size_t size_ = 0;
};

// A page's PLAIN values. std::string::resize() zero-filled each step's worth of values right before
// they were written over (a memset of every PLAIN byte); this buffer grows without initialising,
// keeping its bytes, and its capacity stays from page to page.
class ValueBuffer {
 public:
  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  operator std::string_view() const { return std::string_view(data_.get(), size_); }
  void clear() { size_ = 0; }
  // Room for `n` more bytes at data() + size(), uninitialised; set_size() then says how many of
  // them were written.
  char* Extend(size_t n) {
    if (capacity_ - size_ < n) Grow(size_ + n);
    return data_.get() + size_;
  }
  void set_size(size_t n) { size_ = n; }
  void append(std::string_view bytes) {
    if (!bytes.empty()) std::memcpy(Extend(bytes.size()), bytes.data(), bytes.size());
    size_ += bytes.size();
  }

 private:
  void Grow(size_t need) {
    const size_t capacity = std::max(need, 2 * capacity_);
    std::unique_ptr<char[]> grown(new char[capacity]);  // default-initialised: no zero fill
    if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
    data_ = std::move(grown);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Whether a chunk's dictionary is projected to pass `limit_bytes`, from a probe of its first
// values: `values` non-NULL values held `distinct` distinct ones taking `dictionary_bytes`, and
// the chunk is projected to hold `projected_values`. The probe's distinct count gives the number
// of equally likely values D that `values` random draws would meet that often
// (distinct = D * (1 - e^(-values / D))); the projection is what `projected_values` draws from D
// would meet, at the probe's mean entry size. A probe without a repeat projects every value
// distinct. Skewed data repeats more than uniform draws, which lowers D: such a column keeps
// trying its dictionary, as it did before the probe. Values that only start repeating after the
// probe are the case it gets wrong (they go PLAIN where the dictionary would have fit).
bool DictionaryProjectedToOverflow(size_t values, size_t distinct, size_t dictionary_bytes,
                                   double projected_values, size_t limit_bytes);

// Whether, by the same projection, the chunk's dictionary cannot come out smaller than its PLAIN
// values: the dictionary page (the projected distinct values at the probe's mean entry size)
// plus the least its indices take (each distinct value's first appearance costs an index of
// the dictionary's bit width, whatever runs follow) is at least the projected values' PLAIN size
// at that mean entry size. Unique keys and prices in a chunk that fits the limit (an import's
// 122,880-row groups) were hashed value by value only to be written PLAIN at the chunk's end.
bool DictionaryProjectedToLose(size_t values, size_t distinct, size_t dictionary_bytes,
                               double projected_values);

class ColumnWriter {
 public:
  static constexpr size_t kRowsPerStep = 1024;
  static constexpr size_t kMaxStatBytes = 4096;
  // A chunk's dictionary is probed once, when it first holds this fraction of
  // dictionary_page_bytes: a column projected to overflow it, or to lose to PLAIN, goes PLAIN at
  // once instead of hashing values until it does (a 1M-row chunk of unique int64s hashed 131,072
  // of them). An eighth is
  // 16,384 int64s, enough repeats to tell a domain that fits from one that does not within a few
  // percent for uniformly drawn values.
  static constexpr size_t kDictionaryProbeFraction = 8;

  // The writer for `field`, or InvalidArgument for a type Parquet cannot hold (e.g. decimal(0,0)).
  static Result<std::unique_ptr<ColumnWriter>> Make(const Field& field,
                                                    const WriterOptions& options);

  virtual ~ColumnWriter() = default;
  ColumnWriter(const ColumnWriter&) = delete;
  ColumnWriter& operator=(const ColumnWriter&) = delete;

  const SchemaElement& schema_element() const { return schema_; }

  // Appends rows [begin, end) of `column` (whose type is the field's) to the current chunk.
  Status Write(const Column& column, size_t begin, size_t end);

  // Closes the last page and builds the dictionary page. Then dictionary_page() + data_pages()
  // are the chunk's bytes, in that order.
  Status FinishChunk();
  const std::string& dictionary_page() const { return dictionary_page_; }
  const PageBuffer& data_pages() const { return data_pages_; }
  // The chunk's metadata, for a chunk written at file offset `chunk_offset`.
  ColumnMetaData ChunkMetaData(int64_t chunk_offset) const;

  // Forgets the chunk (keeping buffer capacity) to start the next row group.
  void ResetChunk();

  // Data pages of the current chunk written with `encoding` (PLAIN or RLE_DICTIONARY).
  int DataPagesForTest(Encoding encoding) const {
    return encoding == Encoding::PLAIN ? plain_pages_ : dictionary_pages_;
  }

 protected:
  ColumnWriter(const Field& field, const WriterOptions& options, SchemaElement schema,
               bool supports_dictionary);

  // Appends the non-NULL values of rows [begin, end): dictionary indices to indices_ when
  // dictionary_mode_, else PLAIN bytes to values_. Updates the statistics.
  virtual void AppendValues(const Column& column, size_t begin, size_t end) = 0;
  // Estimated size of the PLAIN values of the current page.
  virtual size_t PlainBytes() const { return values_.size(); }
  // Completes values_ before the page is written (BOOLEAN packs its bits here).
  virtual void FinishPlainValues() {}
  virtual size_t DictionarySize() const { return 0; }
  virtual size_t DictionaryBytes() const { return 0; }
  virtual void EncodeDictionary(std::string* /*out*/) const {}
  // Size and bytes of the PLAIN encoding of dictionary entries `indices[0, count)`.
  virtual size_t PlainBytesFromDictionary(const uint32_t* /*indices*/, size_t /*count*/) const {
    return 0;
  }
  virtual void AppendPlainFromDictionary(const uint32_t* /*indices*/, size_t /*count*/,
                                         std::string* /*out*/) const {}
  virtual void ClearDictionary() {}
  // Clears the statistics.
  virtual void ResetStatistics() = 0;
  // Min/max in PLAIN encoding; false when there are none (all NULL, all NaN, too long).
  virtual bool MinMax(std::string* min, std::string* max) const = 0;

  bool dictionary_mode_ = false;
  std::vector<uint32_t> indices_;  // dictionary mode: every value of the pending span
  ValueBuffer values_;             // PLAIN mode: the current page's values

 private:
  enum class PageValues { kDictionaryIndices, kPlainFromDictionary, kPlainBuffered };
  // Encodes, compresses and appends one data page of `rows` rows.
  Status EmitPage(const uint8_t* levels, size_t rows, PageValues kind, const uint32_t* indices,
                  size_t num_indices, int bit_width);
  Status FlushPlainPage();
  // Pages the pending dictionary-mode rows, as RLE_DICTIONARY or PLAIN, whichever is smaller.
  Status PageDictionarySpan();
  Status AppendPage(const PageHeader& header, std::string_view body, std::string* dest);
  Status AppendPage(const PageHeader& header, std::string_view body, PageBuffer* dest);
  void CountPage(const PageHeader& header);
  void NoteEncoding(Encoding e) { encodings_mask_ |= 1u << static_cast<int>(e); }

  const std::string name_;
  const WriterOptions options_;
  const CompressionCodec codec_;
  const bool optional_;
  const bool all_null_;  // the Null type: no values at all
  const bool supports_dictionary_;
  SchemaElement schema_;

  // Rows not yet paged: the current PLAIN page, or the whole dictionary-mode span.
  std::vector<uint8_t> levels_;  // definition levels, one byte per row (OPTIONAL only)
  size_t pending_rows_ = 0;
  bool dictionary_used_ = false;  // some pages index the dictionary: write its page
  bool dictionary_probed_ = false;
  // Reused scratch.
  std::string page_;
  LargeBuffer compressed_;
  std::string scratch_;
  std::string v2_body_;  // data page v2: the levels, then the compressed values
  std::string header_;

  // Current chunk.
  std::string dictionary_page_;
  PageBuffer data_pages_;
  int64_t num_values_ = 0;
  int64_t null_count_ = 0;
  int64_t uncompressed_bytes_ = 0;
  int64_t compressed_bytes_ = 0;
  uint32_t encodings_mask_ = 0;
  int plain_pages_ = 0;
  int dictionary_pages_ = 0;
};

}  // namespace tsb::parquet
