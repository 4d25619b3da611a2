// CSV writer: rows are formatted into one reused buffer that goes to the OutputStream in blocks.
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

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

// Appends the shortest round-trip text of `d` as AppendDouble lays it out ("70889.2", "100.0"),
// for 1 <= |d| < 1e15 when some m / 10^k (k <= 8, m <= 2^53) is d: the first such k gives the
// fewest digits, both m and 10^k are exact so one IEEE division decides the round trip exactly,
// and below 2^53 at most three integers can be candidates at a given k, all of them tested; when
// two round-trip (a tie std::to_chars settles by closeness) the general path is taken. Prices and
// measures are mostly of this shape, and std::to_chars was a quarter of a Parquet -> CSV
// conversion. False (nothing appended) otherwise.
bool AppendShortDecimal(double d, std::string* out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  static constexpr uint64_t kIntPow10[] = {1,      10,      100,      1000,     10000,
                                           100000, 1000000, 10000000, 100000000};
  constexpr double kTwo53 = 9007199254740992.0;
  const double a = std::fabs(d);
  if (!(a >= 1.0 && a < 1e15)) return false;  // NaN fails here too
  for (int k = 0; k <= 8; ++k) {
    const double scaled = a * kPow10[k];
    if (!(scaled < kTwo53)) return false;
    const uint64_t c = static_cast<uint64_t>(std::llround(scaled));
    int hits = 0;
    uint64_t m = 0;
    for (uint64_t candidate : {c - 1, c, c + 1}) {
      if (static_cast<double>(candidate) / kPow10[k] == a) {
        ++hits;
        m = candidate;
      }
    }
    if (hits > 1) return false;
    if (hits == 0) continue;
    char buf[32];
    char* p = buf;
    if (d < 0) *p++ = '-';
    p = std::to_chars(p, buf + sizeof(buf), m / kIntPow10[k]).ptr;
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
    out->append(buf, p);
    return true;
  }
  return false;
}

class CsvWriter : public BatchWriter {
 public:
  CsvWriter(const Schema& schema, const TextDialect& dialect, std::unique_ptr<OutputStream> output)
      : schema_(schema),
        output_(std::move(output)),
        dialect_(dialect),
        delim_(dialect.delimiter),
        needs_quote_(MakeNeedsQuote(dialect)),
        delim_pattern_(0x0101010101010101ull * static_cast<unsigned char>(dialect.delimiter)),
        quote_pattern_(0x0101010101010101ull * static_cast<unsigned char>(dialect.quote)) {
    buf_.reserve(OutputStream::kBlockSize + 64 * 1024);
    if (!dialect_.header) return;
    for (size_t i = 0; i < schema_.size(); ++i) {
      if (i > 0) buf_.push_back(delim_);
      const std::string& name = schema_.field(i).name;
      const bool bom =
          i == 0 && name.size() >= 3 && std::memcmp(name.data(), "\xEF\xBB\xBF", 3) == 0;
      // A one-column header whose name is empty would read back as an empty line: quote it.
      AppendText(name, bom || (schema_.size() == 1 && name.empty()));
    }
    buf_.push_back('\n');
  }

  Status Write(const RowBatch& batch) override {
    if (closed_) return Status::Internal(output_->name() + ": write after close");
    const size_t rows = batch.num_rows();
    const size_t cols = batch.num_columns();
    if (cols != schema_.size()) {
      return Status::Internal(output_->name() + ": batch has " + std::to_string(cols) +
                              " columns, the writer " + std::to_string(schema_.size()));
    }
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < cols; ++c) {
        if (c > 0) buf_.push_back(delim_);
        const Column& column = batch.column(c);
        if (column.IsNull(r)) {
          buf_.append(dialect_.null_text);
          continue;
        }
        if (column.type().id == TypeId::kString) {
          AppendText(column.GetBytes(r), false);
        } else {
          const size_t before = buf_.size();
          if (column.type().id != TypeId::kDouble ||
              !AppendShortDecimal(column.GetDouble(r), &buf_)) {
            AppendValueText(column, r, &buf_);
          }
          // An empty BINARY value's base64 text is empty, and a bare empty field is NULL:
          // quoted, it reads back as the empty value it is. So is a value whose text is the
          // null text (a boolean under --null true).
          if (buf_.size() == before ||
              (!dialect_.null_text.empty() &&
               std::string_view(buf_).substr(before) == dialect_.null_text)) {
            const std::string text = buf_.substr(before);
            buf_.resize(before);
            AppendText(text, true);
          }
        }
      }
      // One NULL column: an empty line would be skipped by readers of multi-column files but is
      // a NULL here; keep it as is (our reader reads it back as NULL).
      buf_.push_back('\n');
      if (buf_.size() >= OutputStream::kBlockSize) TSB_RETURN_IF_ERROR(Flush());
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
    Status st = output_->Write(buf_);
    buf_.clear();
    return st;
  }

 private:
  // Whether `v` holds a byte of needs_quote_. Eight bytes per step (the classic "has a zero byte"
  // test on the bytes XORed with each special byte): text fields are most of a CSV's bytes, and
  // a byte-at-a-time table lookup was a fifth of the writer's own time.
  bool HasQuotable(std::string_view v) const {
    const char* p = v.data();
    size_t n = v.size();
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

  // The field, quoted when it holds a byte of needs_quote_, is empty (the empty string, not
  // NULL) or is the null text.
  void AppendText(std::string_view v, bool force_quotes) {
    bool quote = force_quotes || v.empty();
    if (!quote) {
      quote = HasQuotable(v) || (!dialect_.null_text.empty() && v == dialect_.null_text);
    }
    if (!quote) {
      buf_.append(v);
      return;
    }
    const char q = dialect_.quote;
    const char e = dialect_.escape;
    buf_.push_back(q);
    if (e == q) {
      const char* b = v.data();
      const char* end = b + v.size();
      while (b < end) {
        const char* at = static_cast<const char*>(std::memchr(b, q, static_cast<size_t>(end - b)));
        if (at == nullptr) {
          buf_.append(b, end);
          break;
        }
        buf_.append(b, at + 1);
        buf_.push_back(q);
        b = at + 1;
      }
    } else {
      for (char c : v) {
        if (c == q || c == e) buf_.push_back(e);
        buf_.push_back(c);
      }
    }
    buf_.push_back(q);
  }

  Schema schema_;
  std::unique_ptr<OutputStream> output_;
  const TextDialect dialect_;
  const char delim_;
  const std::array<bool, 256> needs_quote_;
  const uint64_t delim_pattern_;  // the delimiter in every byte
  const uint64_t quote_pattern_;
  std::string buf_;
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
