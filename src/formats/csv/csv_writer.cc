// CSV writer: rows are formatted into one reused buffer that goes to the OutputStream in blocks.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/value_text.h"
#include "formats/csv/csv.h"
#include "formats/text/text_common.h"

namespace tsb {

namespace {

// The bytes that make a field quoted: the delimiter, the quote and the line breaks.
std::array<bool, 256> MakeNeedsQuote(const TextDialect& d) {
  std::array<bool, 256> t{};
  t[static_cast<unsigned char>(d.delimiter)] = true;
  t[static_cast<unsigned char>(d.quote)] = true;
  t['\n'] = true;
  t['\r'] = true;
  return t;
}

// Writes the shortest round-trip text of `d` at `p` as AppendDouble lays it out ("70889.2",
// "100.0"), for 1 <= |d| < 1e15 when some m / 10^k (k <= 8, m <= 2^53) is d: the first such k gives
// the fewest digits, both m and 10^k are exact so one IEEE division decides the round trip exactly,
// and below 2^53 at most three integers can be candidates at a given k, all of them tested; when
// two round-trip (a tie std::to_chars settles by closeness) the general path is taken. Prices and
// measures are mostly of this shape, and std::to_chars was a quarter of a Parquet -> CSV
// conversion. Returns the end of the text (at most 26 bytes), or nullptr (nothing written).
char* WriteShortDecimal(double d, char* p) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  static constexpr uint64_t kIntPow10[] = {1,      10,      100,      1000,     10000,
                                           100000, 1000000, 10000000, 100000000};
  constexpr double kTwo53 = 9007199254740992.0;
  const double a = std::fabs(d);
  if (!(a >= 1.0 && a < 1e15)) return nullptr;  // NaN fails here too
  for (int k = 0; k <= 8; ++k) {
    const double scaled = a * kPow10[k];
    if (!(scaled < kTwo53)) return nullptr;
    // A quick no for this k: if m / 10^k == a then a * 10^k rounds to within m * 2^-51 of m,
    // under 2^-11 for scaled < 2^40; so a scaled further than 2^-10 from its nearest integer
    // (adding and taking away 2^52 rounds it to one, exactly) has no candidate, and the test
    // below would find none. Prices reach their k after two of these instead of two full tests.
    if (scaled < 0x1p40) {
      const double nearest = (scaled + 0x1p52) - 0x1p52;
      if (std::fabs(scaled - nearest) > 0x1p-10) continue;
    }
    const uint64_t c = static_cast<uint64_t>(std::llround(scaled));
    int hits = 0;
    uint64_t m = 0;
    for (uint64_t candidate : {c - 1, c, c + 1}) {
      if (static_cast<double>(candidate) / kPow10[k] == a) {
        ++hits;
        m = candidate;
      }
    }
    if (hits > 1) return nullptr;
    if (hits == 0) continue;
    if (d < 0) *p++ = '-';
    p = std::to_chars(p, p + 20, m / kIntPow10[k]).ptr;
    *p++ = '.';
    if (k == 0) {
      *p++ = '0';
    } else {
      uint64_t frac = m % kIntPow10[k];
      for (int i = k - 1; i >= 0; --i) {
        p[i] = static_cast<char>('0' + frac % 10);
        frac /= 10;
      }
      p += k;
    }
    return p;
  }
  return nullptr;
}

// The longest text core's value forms give a non-string, non-binary value (a timestamp of an
// extreme year with nine fraction digits and "Z" is about 40 bytes; a decimal(38,s) 41).
constexpr size_t kMaxFixedText = 64;

// Each row is written at a raw pointer into a buffer made large enough for the whole row once,
// from an upper bound of its size (every field quoted with every byte escaped), so no value pays
// a growth check: the std::string appends of each value were nearly half the writer's
// instructions.
class CsvWriter : public BatchWriter {
 public:
  CsvWriter(const Schema& schema, const TextDialect& dialect, std::unique_ptr<OutputStream> output)
      : schema_(schema),
        output_(std::move(output)),
        dialect_(dialect),
        delim_(dialect.delimiter),
        needs_quote_(MakeNeedsQuote(dialect)),
        delim_pattern_(0x0101010101010101ull * static_cast<unsigned char>(dialect.delimiter)),
        quote_pattern_(0x0101010101010101ull * static_cast<unsigned char>(dialect.quote)),
        null_text_(dialect_.null_text) {
    Grow(OutputStream::kBlockSize + 64 * 1024);
    // A field's bound: its delimiter, then a value quoted with every byte escaped, or the null
    // text, whichever is longer.
    fixed_bound_ = 1 + std::max(2 * kMaxFixedText + 2, null_text_.size());
    if (!dialect_.header) return;
    size_t bound = 1;
    for (size_t i = 0; i < schema_.size(); ++i) bound += 3 + 2 * schema_.field(i).name.size();
    Reserve(bound);
    char* p = buf_.get() + len_;
    for (size_t i = 0; i < schema_.size(); ++i) {
      if (i > 0) *p++ = delim_;
      const std::string& name = schema_.field(i).name;
      const bool bom =
          i == 0 && name.size() >= 3 && std::memcmp(name.data(), "\xEF\xBB\xBF", 3) == 0;
      // A one-column header whose name is empty would read back as an empty line: quote it.
      p = WriteText(name, bom || (schema_.size() == 1 && name.empty()), p);
    }
    *p++ = '\n';
    len_ = static_cast<size_t>(p - buf_.get());
  }

  Status Write(const RowBatch& batch) override {
    if (closed_) return Status::Internal(output_->name() + ": write after close");
    const size_t rows = batch.num_rows();
    const size_t cols = batch.num_columns();
    if (cols != schema_.size()) {
      return Status::Internal(output_->name() + ": batch has " + std::to_string(cols) +
                              " columns, the writer " + std::to_string(schema_.size()));
    }
    // The row's bound: a constant for the columns of bounded text, plus the variable ones.
    size_t fixed = 1;  // the line feed
    variable_.clear();
    for (size_t c = 0; c < cols; ++c) {
      const TypeId id = batch.column(c).type().id;
      if (id == TypeId::kString || id == TypeId::kBinary) {
        variable_.push_back(&batch.column(c));
      } else {
        fixed += fixed_bound_;
      }
    }
    for (size_t r = 0; r < rows; ++r) {
      size_t bound = fixed;
      for (const Column* column : variable_) {
        const uint64_t* offsets = column->offsets().data();
        size_t n = offsets[r + 1] - offsets[r];
        if (column->type().id == TypeId::kBinary) n = (n + 2) / 3 * 4;
        bound += 1 + std::max(2 * n + 2, null_text_.size());
      }
      Reserve(bound);
      char* p = buf_.get() + len_;
      for (size_t c = 0; c < cols; ++c) {
        if (c > 0) *p++ = delim_;
        p = WriteField(batch.column(c), r, p);
      }
      // One NULL column: an empty line would be skipped by readers of multi-column files but is
      // a NULL here; keep it as is (our reader reads it back as NULL).
      *p++ = '\n';
      len_ = static_cast<size_t>(p - buf_.get());
      if (len_ >= OutputStream::kBlockSize) TSB_RETURN_IF_ERROR(Flush());
    }
    return Status::OK();
  }

  Status Close() override {
    if (closed_) return Status::OK();
    closed_ = true;
    TSB_RETURN_IF_ERROR(Flush());
    return output_->Close();
  }

  Status Flush() override {
    Status st = output_->Write(std::string_view(buf_.get(), len_));
    len_ = 0;
    return st;
  }

 private:
  // Makes room for `n` more bytes. The buffer goes out once it holds a block (so the stream
  // takes it whole, without copying it), and the slack past the block holds most rows; a row
  // bound beyond it grows the buffer.
  void Reserve(size_t n) {
    if (cap_ - len_ < n) Grow(std::max(len_ + n, cap_ * 2));
  }

  void Grow(size_t cap) {
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (len_ > 0) std::memcpy(bigger.get(), buf_.get(), len_);
    buf_ = std::move(bigger);
    cap_ = cap;
  }

  // Writes the value at `row` of `column` (room reserved by the caller) and returns its end.
  char* WriteField(const Column& column, size_t row, char* p) {
    if (column.IsNull(row)) {
      std::memcpy(p, null_text_.data(), null_text_.size());
      return p + null_text_.size();
    }
    const DataType& type = column.type();
    if (type.id == TypeId::kString) return WriteText(column.GetBytes(row), false, p);
    char* const start = p;
    if (type.is_integer() && !type.is_unsigned) {
      p = std::to_chars(p, p + 20, column.GetInt(row)).ptr;
    } else if (type.id != TypeId::kDouble ||
               (p = WriteShortDecimal(column.GetDouble(row), start)) == nullptr) {
      scratch_.clear();
      AppendValueText(column, row, &scratch_);
      std::memcpy(start, scratch_.data(), scratch_.size());
      p = start + scratch_.size();
    }
    // An empty BINARY value's base64 text is empty, and a bare empty field is NULL: quoted, it
    // reads back as the empty value it is. So is a value whose text is the null text (a boolean
    // under --null true).
    const std::string_view text(start, static_cast<size_t>(p - start));
    if (text.empty() || (!null_text_.empty() && text == null_text_)) {
      scratch_.assign(text);
      return WriteText(scratch_, true, start);
    }
    return p;
  }

  // Whether `v` holds a byte of needs_quote_. Eight bytes per step (the classic "has a zero byte"
  // test on the bytes XORed with each special byte): text fields are most of a CSV's bytes, and
  // a byte-at-a-time table lookup was a fifth of the writer's own time.
  bool HasQuotable(std::string_view v) const {
    const char* p = v.data();
    size_t n = v.size();
#ifdef __SSE2__
    // Sixteen bytes per step where SSE2 is there (every x86-64).
    const __m128i delim = _mm_set1_epi8(delim_);
    const __m128i quote = _mm_set1_epi8(dialect_.quote);
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    for (; n >= 16; p += 16, n -= 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const __m128i hit =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, delim), _mm_cmpeq_epi8(x, quote)),
                       _mm_or_si128(_mm_cmpeq_epi8(x, lf), _mm_cmpeq_epi8(x, cr)));
      if (_mm_movemask_epi8(hit) != 0) return true;
    }
#endif
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    constexpr uint64_t kHighs = 0x8080808080808080ull;
    auto has_byte = [](uint64_t x, uint64_t pattern) {
      const uint64_t y = x ^ pattern;
      return ((y - kOnes) & ~y & kHighs) != 0;
    };
    for (; n >= 8; p += 8, n -= 8) {
      uint64_t x;
      std::memcpy(&x, p, 8);
      if (has_byte(x, delim_pattern_) || has_byte(x, quote_pattern_) || has_byte(x, kOnes * '\n') ||
          has_byte(x, kOnes * '\r')) {
        return true;
      }
    }
    for (; n > 0; ++p, --n) {
      if (needs_quote_[static_cast<unsigned char>(*p)]) return true;
    }
    return false;
  }

  // Writes the field at `p` (room for 2 * size + 2 bytes), quoted when it holds a byte of
  // needs_quote_, is empty (the empty string, not NULL) or is the null text; returns its end.
  char* WriteText(std::string_view v, bool force_quotes, char* p) const {
    bool quote = force_quotes || v.empty();
    if (!quote) quote = HasQuotable(v) || (!null_text_.empty() && v == null_text_);
    if (!quote) {
      std::memcpy(p, v.data(), v.size());
      return p + v.size();
    }
    const char q = dialect_.quote;
    const char e = dialect_.escape;
    *p++ = q;
    if (e == q) {
      const char* b = v.data();
      const char* end = b + v.size();
      while (b < end) {
        const char* at = static_cast<const char*>(std::memchr(b, q, static_cast<size_t>(end - b)));
        if (at == nullptr) at = end;
        std::memcpy(p, b, static_cast<size_t>(at - b));
        p += at - b;
        if (at == end) break;
        *p++ = q;
        *p++ = q;
        b = at + 1;
      }
    } else {
      for (char c : v) {
        if (c == q || c == e) *p++ = e;
        *p++ = c;
      }
    }
    *p++ = q;
    return p;
  }

  Schema schema_;
  std::unique_ptr<OutputStream> output_;
  const TextDialect dialect_;
  const char delim_;
  const std::array<bool, 256> needs_quote_;
  const uint64_t delim_pattern_;  // the delimiter in every byte
  const uint64_t quote_pattern_;
  const std::string_view null_text_;     // dialect_'s
  size_t fixed_bound_ = 0;               // a field of a column other than string and binary
  std::vector<const Column*> variable_;  // the batch's string and binary columns
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t len_ = 0;
  std::string scratch_;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<BatchWriter>> OpenCsvWriter(const Schema& schema,
                                                   std::unique_ptr<OutputStream> output) {
  return std::unique_ptr<BatchWriter>(new CsvWriter(schema, TextDialect{}, std::move(output)));
}

Result<std::unique_ptr<BatchWriter>> OpenCsvDialectWriter(const Schema& schema,
                                                          const TextDialect& dialect,
                                                          std::unique_ptr<OutputStream> output) {
  return std::unique_ptr<BatchWriter>(new CsvWriter(schema, dialect, std::move(output)));
}

}  // namespace tsb
