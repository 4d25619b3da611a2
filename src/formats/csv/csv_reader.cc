// CSV reader: a byte-level state machine over an InputWindow.
//
// Each record is split in place: the scanner records where every field starts and ends in the
// window (no copy), and only the selected fields are converted, straight into their Column. A
// record that does not fit in the window is rescanned from its start after Fill(), so the
// scanner keeps no state between calls; Fill() doubles the window when needed, which keeps the
// rescans linear overall.
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <unordered_map>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/value_text.h"
#include "formats/csv/csv.h"
#include "formats/text/text_common.h"

namespace tsb {

namespace {

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;

// The high bit of each byte of `x` that equals the byte in every lane of `pattern`; exact for the
// lowest such byte (borrows only run upwards), which is the one wanted.
inline uint64_t ByteMatches(uint64_t x, uint64_t pattern) {
  const uint64_t y = x ^ pattern;
  return (y - kOnes) & ~y & kHighs;
}

// The value of the `n` (1 to 8) bytes at p when all of them are ASCII digits, read as one word:
// p[0, 8) must be readable. The digits are moved to the top of the word with '0's in front, then
// combined pairwise (10 * a + b, then 100 * ab + cd, then 10^4 * abcd + efgh) in three
// multiplications instead of one per digit. Numeric CSV fields (keys, prices) are mostly this
// short.
inline bool EightDigits(const char* p, size_t n, uint64_t* out) {
  constexpr uint64_t kZeros = 0x3030303030303030ull;
  constexpr uint64_t kHighNibbles = 0xF0F0F0F0F0F0F0F0ull;
  uint64_t x;
  std::memcpy(&x, p, 8);
  if (n < 8) x = (x << (8 * (8 - n))) | (kZeros >> (8 * n));
  // Every byte in '0'..'9': high nibble 3, and no carry into it when 6 is added.
  if ((x & kHighNibbles) != kZeros || ((x + 0x0606060606060606ull) & kHighNibbles) != kZeros) {
    return false;
  }
  x -= kZeros;
  x = x * 10 + (x >> 8);  // bytes 0, 2, 4, 6: two-digit values
  x = (((x & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
       (((x >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >>
      32;
  *out = x;
  return true;
}

// A double for `text` when it is plain decimal ("-?[0-9]+(.[0-9]+)?") with at most 19 digits
// whose value is below 2^53, with at most 22 decimals: then both m and 10^k are exact doubles and
// one IEEE division rounds m / 10^k correctly, the same double std::from_chars finds (Clinger's
// fast path). Anything else (exponents, specials, long mantissas) returns false and takes the
// general parser. Most numeric CSV columns are prices and measures of this shape, and from_chars
// was a fifth of the reader's time.
// `readable`: the bytes that may be read from text.data() (at least text.size()); with 8 past
// each part, an integer part and decimals of up to 8 digits each are read as words.
inline bool FastDecimalDouble(std::string_view text, size_t readable, double* out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  static constexpr uint64_t kPow10Int[] = {1,      10,      100,      1000,     10000,
                                           100000, 1000000, 10000000, 100000000};
  const char* p = text.data();
  const char* const end = p + text.size();
  const bool neg = p < end && *p == '-';
  p += neg;
  const size_t rest = static_cast<size_t>(end - p);
  if (rest > 0 && readable >= static_cast<size_t>(neg) + 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    const uint64_t dots = ByteMatches(word, kOnes * '.');
    // The first '.' of the word (8: none); one past the text's end is another field's.
    const size_t first_dot = dots != 0 ? static_cast<size_t>(__builtin_ctzll(dots) >> 3) : 8;
    const bool has_dot = dots != 0 && first_dot < rest;
    if (has_dot || rest <= 8) {
      const size_t whole = has_dot ? first_dot : rest;
      const size_t decimals = has_dot ? rest - first_dot - 1 : 0;
      const size_t frac_at = static_cast<size_t>(neg) + whole + 1;
      if (whole >= 1 && whole <= 8 && decimals <= 8 && (!has_dot || decimals >= 1) &&
          (!has_dot || readable >= frac_at + 8)) {
        uint64_t int_part, frac_part = 0;
        if (!EightDigits(p, whole, &int_part)) return false;
        if (has_dot && !EightDigits(p + whole + 1, decimals, &frac_part)) return false;
        const uint64_t m = int_part * kPow10Int[decimals] + frac_part;
        if (m > (uint64_t{1} << 53)) return false;
        const double v = static_cast<double>(m) / kPow10[decimals];
        *out = neg ? -v : v;
        return true;
      }
    }
  }
  uint64_t m = 0;
  int digits = 0;
  const char* const int_begin = p;
  while (p < end && static_cast<unsigned char>(*p - '0') < 10) {
    m = m * 10 + static_cast<unsigned>(*p - '0');
    ++p;
    ++digits;
    if (digits > 19) return false;
  }
  if (p == int_begin) return false;
  int decimals = 0;
  if (p < end && *p == '.') {
    ++p;
    const char* const frac_begin = p;
    while (p < end && static_cast<unsigned char>(*p - '0') < 10) {
      m = m * 10 + static_cast<unsigned>(*p - '0');
      ++p;
      if (++digits > 19) return false;
    }
    decimals = static_cast<int>(p - frac_begin);
    if (decimals == 0 || decimals > 22) return false;
  }
  if (p != end || m > (uint64_t{1} << 53)) return false;
  const double v = static_cast<double>(m) / kPow10[decimals];
  *out = neg ? -v : v;
  return true;
}

// A plain decimal integer, "-"? then 1 to 18 digits (so it cannot overflow), into *out: what
// ParseValueInto's from_chars makes of it, leading zeros included. Anything else (a sign "+",
// 19 digits, spaces) returns false and takes the general parser with its range checks.
// `readable` as for FastDecimalDouble: up to 8 digits are read as one word.
inline bool FastDecimalInt64(std::string_view text, size_t readable, int64_t* out) {
  const char* p = text.data();
  const char* const end = p + text.size();
  const bool neg = p < end && *p == '-';
  p += neg;
  const size_t digits = static_cast<size_t>(end - p);
  if (digits == 0 || digits > 18) return false;
  if (digits <= 8 && readable >= static_cast<size_t>(neg) + 8) {
    uint64_t u;
    if (!EightDigits(p, digits, &u)) return false;
    *out = neg ? -static_cast<int64_t>(u) : static_cast<int64_t>(u);
    return true;
  }
  int64_t v = 0;
  for (; p < end; ++p) {
    const unsigned d = static_cast<unsigned char>(*p - '0');
    if (d >= 10) return false;
    v = v * 10 + static_cast<int64_t>(d);
  }
  *out = neg ? -v : v;
  return true;
}

// Whether every byte of `text` is ASCII (then it is valid UTF-8), eight bytes per step. The last
// bytes are read as one word that overlaps the ones before (a byte loop over them cost as much as
// the rest of a short field).
inline bool AllAscii(std::string_view text) {
  const char* p = text.data();
  const size_t size = text.size();
  uint64_t acc = 0;
  if (size >= 8) {
    size_t n = size;
    for (; n >= 8; p += 8, n -= 8) {
      uint64_t x;
      std::memcpy(&x, p, 8);
      acc |= x;
    }
    uint64_t last;
    std::memcpy(&last, text.data() + size - 8, 8);
    acc |= last;
  } else if (size >= 4) {
    uint32_t first, last;
    std::memcpy(&first, p, 4);
    std::memcpy(&last, p + size - 4, 4);
    acc = first | last;
  } else {
    for (size_t i = 0; i < size; ++i) acc |= static_cast<unsigned char>(p[i]);
  }
  return (acc & kHighs) == 0;
}

// The bytes that end an unquoted field: the delimiter and the line breaks.
std::array<bool, 256> MakeUnquotedStop(char delimiter) {
  std::array<bool, 256> t{};
  t[static_cast<unsigned char>(delimiter)] = true;
  t['\n'] = true;
  t['\r'] = true;
  return t;
}

class CsvReader : public BatchReader {
 public:
  CsvReader(std::string path, const TextDialect& dialect, std::unique_ptr<InputStream> input,
            size_t window_bytes)
      : path_(std::move(path)),
        window_(std::move(input), window_bytes),
        dialect_(dialect),
        delim_(dialect.delimiter),
        quote_(dialect.quote),
        esc_(dialect.escape),
        stop_(MakeUnquotedStop(dialect.delimiter)),
        delim_pattern_(kOnes * static_cast<unsigned char>(dialect.delimiter)) {}

  Status Init(const std::vector<Field>& columns);
  const Schema& schema() const override { return schema_; }
  Status Next(RowBatch* batch) override;
  const std::vector<std::string>& header() const { return header_; }

 private:
  enum class Scan { kRecord, kNeedMore, kEnd };
  struct FieldRef {
    size_t begin;  // offsets in the window, without the quotes
    size_t end;
    bool quoted;
    bool escaped;  // contains doubled quotes (escaped bytes)
  };

  // kEscape: an escape byte other than the quote; the default dialect scans without its test.
  template <bool kEscape>
  Scan ScanRecord();
  bool IsNull(const FieldRef& f) const {
    if (f.quoted || f.end - f.begin != dialect_.null_text.size()) return false;
    return dialect_.null_text.empty() ||
           std::memcmp(window_.data() + f.begin, dialect_.null_text.data(), f.end - f.begin) == 0;
  }
  // The first delimiter or line break in [p, end), or end; sixteen bytes per step where there is
  // SSE2 (every x86-64), else eight.
  const char* SkipUnquoted(const char* p, const char* end) const {
#ifdef __SSE2__
    const __m128i delim = _mm_set1_epi8(delim_);
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    for (; end - p >= 16; p += 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(x, delim),
                                       _mm_or_si128(_mm_cmpeq_epi8(x, lf), _mm_cmpeq_epi8(x, cr)));
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
      if (mask != 0) return p + __builtin_ctz(mask);
    }
#endif
    for (; end - p >= 8; p += 8) {
      uint64_t x;
      std::memcpy(&x, p, 8);
      const uint64_t hits = ByteMatches(x, delim_pattern_) | ByteMatches(x, kOnes * '\n') |
                            ByteMatches(x, kOnes * '\r');
      if (hits != 0) return p + (__builtin_ctzll(hits) >> 3);
    }
    while (p < end && !stop_[static_cast<unsigned char>(*p)]) ++p;
    return p;
  }
  // One field's value into its column; false when it does not parse (the outcome in *r).
  // `readable`: the bytes that may be read from text.data(), past the field's end included.
  bool AppendField(std::string_view text, size_t readable, const DataType& type, Column* column,
                   ParseOutcome* r);
  std::string SniffHint(const std::vector<Field>& columns) const;
  Status InitHeaderless(const std::vector<Field>& columns);
  // Scans the next record, filling the window as needed; false at the end of the input.
  Result<bool> NextRecord();
  std::string_view FieldText(const FieldRef& f) {
    if (!f.escaped) return std::string_view(window_.data() + f.begin, f.end - f.begin);
    return UnescapedText(f);
  }
  std::string_view UnescapedText(const FieldRef& f);
  void Reject(RowBatch* batch, std::string code, std::string message, bool raw);

  std::string path_;
  InputWindow window_;
  const TextDialect dialect_;
  const char delim_, quote_, esc_;
  const std::array<bool, 256> stop_;
  const uint64_t delim_pattern_;  // the delimiter in every byte
  std::string header_line_;       // the header's text, for SniffHint
  Schema schema_;
  std::vector<std::string> header_;
  std::vector<size_t> selected_;  // file column of each schema column
  int64_t line_ = 1;              // physical line where the next record starts

  // The current record.
  std::vector<FieldRef> fields_;
  size_t rec_begin_ = 0;
  size_t rec_end_ = 0;  // end of the record's text, before its line break
  size_t next_ = 0;     // start of the next record
  int64_t breaks_ = 0;  // line breaks in the record, its own included
  bool bad_quote_ = false;
  bool unterminated_ = false;
  std::string scratch_;
};

template <bool kEscape>
CsvReader::Scan CsvReader::ScanRecord() {
  const char* base = window_.data();
  const char* p = base + window_.pos();
  const char* const end = base + window_.len();
  const bool eof = window_.eof();
  if (p == end) return eof ? Scan::kEnd : Scan::kNeedMore;
  fields_.clear();
  bad_quote_ = false;
  unterminated_ = false;
  rec_begin_ = window_.pos();
  int64_t breaks = 0;

  // Called with p at a line break (CR or LF); ends the record.
  auto at_break = [&]() -> Scan {
    rec_end_ = static_cast<size_t>(p - base);
    if (*p == '\r') {
      if (p + 1 == end && !eof) return Scan::kNeedMore;
      p += (p + 1 < end && p[1] == '\n') ? 2 : 1;
    } else {
      ++p;
    }
    breaks_ = breaks + 1;
    next_ = static_cast<size_t>(p - base);
    return Scan::kRecord;
  };
  auto at_eof = [&]() -> Scan {
    rec_end_ = next_ = static_cast<size_t>(p - base);
    breaks_ = breaks;
    return Scan::kRecord;
  };

  for (;;) {
    FieldRef f;
    if (p < end && *p == quote_) {
      f.quoted = true;
      f.escaped = false;
      ++p;
      f.begin = static_cast<size_t>(p - base);
      for (;;) {
        while (p < end && *p != quote_ && (!kEscape || *p != esc_)) {
          if (*p == '\n' || (*p == '\r' && !(p + 1 < end && p[1] == '\n'))) ++breaks;
          ++p;
        }
        if (kEscape && p < end && *p == esc_) {
          // The escaped byte is data, whatever it is (a quote, the escape, a line break).
          if (p + 1 == end) {
            if (!eof) return Scan::kNeedMore;
            ++p;
            continue;  // a lone escape at the very end: the quote is never closed
          }
          if (p[1] == '\n' || (p[1] == '\r' && !(p + 2 < end && p[2] == '\n'))) ++breaks;
          f.escaped = true;
          p += 2;
          continue;
        }
        if (p == end) {
          if (!eof) return Scan::kNeedMore;
          unterminated_ = true;
          f.end = static_cast<size_t>(p - base);
          fields_.push_back(f);
          return at_eof();
        }
        if (p + 1 == end && !eof) return Scan::kNeedMore;
        if (!kEscape && p + 1 < end && p[1] == quote_) {
          f.escaped = true;
          p += 2;
          continue;
        }
        f.end = static_cast<size_t>(p - base);
        ++p;
        break;
      }
      fields_.push_back(f);
      if (p == end) return at_eof();  // eof is known here
      if (*p == delim_) {
        ++p;
        continue;
      }
      if (*p == '\n' || *p == '\r') return at_break();
      // Text after the closing quote: skip to the end of the record, still honouring quotes.
      bad_quote_ = true;
      bool in_quotes = false;
      while (p < end) {
        char c = *p;
        if (kEscape && in_quotes && c == esc_ && p + 1 < end) {
          p += 2;
          continue;
        }
        if (c == quote_) {
          in_quotes = !in_quotes;
        } else if (c == '\n' || c == '\r') {
          if (!in_quotes) break;
          if (c == '\n' || !(p + 1 < end && p[1] == '\n')) ++breaks;
        }
        ++p;
      }
      if (p == end) {
        if (!eof) return Scan::kNeedMore;
        return at_eof();
      }
      return at_break();
    }
    f.quoted = false;
    f.escaped = false;
    f.begin = static_cast<size_t>(p - base);
    p = SkipUnquoted(p, end);
    f.end = static_cast<size_t>(p - base);
    fields_.push_back(f);
    if (p == end) {
      if (!eof) return Scan::kNeedMore;
      return at_eof();
    }
    if (*p == delim_) {
      ++p;
      continue;
    }
    return at_break();
  }
}

Result<bool> CsvReader::NextRecord() {
  for (;;) {
    Scan s = esc_ == quote_ ? ScanRecord<false>() : ScanRecord<true>();
    if (s == Scan::kRecord) return true;
    if (s == Scan::kEnd) return false;
    TSB_RETURN_IF_ERROR(window_.Fill().WithContext("line " + std::to_string(line_)));
  }
}

std::string_view CsvReader::UnescapedText(const FieldRef& f) {
  const char* b = window_.data() + f.begin;
  const char* e = window_.data() + f.end;
  scratch_.clear();
  if (esc_ != quote_) {
    while (b < e) {
      const char* q = static_cast<const char*>(std::memchr(b, esc_, static_cast<size_t>(e - b)));
      if (q == nullptr || q + 1 == e) {
        scratch_.append(b, e);
        break;
      }
      scratch_.append(b, q);  // drop the escape, keep the byte it escapes
      scratch_.push_back(q[1]);
      b = q + 2;
    }
    return scratch_;
  }
  while (b < e) {
    const char* q = static_cast<const char*>(std::memchr(b, quote_, static_cast<size_t>(e - b)));
    if (q == nullptr) {
      scratch_.append(b, e);
      break;
    }
    scratch_.append(b, q + 1);  // keep one quote, skip its double
    b = q + 2;
  }
  return scratch_;
}

void CsvReader::Reject(RowBatch* batch, std::string code, std::string message, bool raw) {
  RejectedRecord r;
  r.position = line_;
  if (raw) {
    r.raw.assign(window_.data() + rec_begin_, rec_end_ - rec_begin_);
  } else {
    r.fields.reserve(fields_.size());
    for (const FieldRef& f : fields_) {
      if (IsNull(f)) {
        r.fields.emplace_back(std::nullopt);
      } else {
        r.fields.emplace_back(std::string(FieldText(f)));
      }
    }
  }
  r.code = std::move(code);
  r.message = std::move(message);
  batch->rejects().push_back(std::move(r));
}

// When the header, split at another common delimiter, names every wanted column, the file is
// most likely in that dialect: say so instead of leaving the user to guess.
std::string CsvReader::SniffHint(const std::vector<Field>& columns) const {
  for (char d : {';', '\t', '|', ','}) {
    if (d == delim_ || header_line_.find(d) == std::string::npos) continue;
    std::vector<std::string_view> names;
    std::string_view rest = header_line_;
    for (;;) {
      const size_t at = rest.find(d);
      std::string_view name = rest.substr(0, at);
      if (name.size() >= 2 && name.front() == quote_ && name.back() == quote_) {
        name = name.substr(1, name.size() - 2);
      }
      names.push_back(name);
      if (at == std::string_view::npos) break;
      rest.remove_prefix(at + 1);
    }
    bool all = true;
    for (const Field& want : columns) {
      bool found = false;
      for (std::string_view n : names) found = found || n == want.name;
      all = all && found;
    }
    if (!all) continue;
    const std::string shown = d == '\t' ? "\\t" : std::string(1, d);
    const std::string word = d == '\t' ? "tab" : "`" + shown + "`";
    return "; the header looks " + word + "-separated: give --delimiter '" + shown +
           "' or file.delimiter";
  }
  return "";
}

Status CsvReader::Init(const std::vector<Field>& columns) {
  // The BOM is only recognised at the very start of the input.
  while (window_.len() < 3 && !window_.eof()) TSB_RETURN_IF_ERROR(window_.Fill());
  if (window_.len() >= 3 && std::memcmp(window_.data(), "\xEF\xBB\xBF", 3) == 0) {
    window_.set_pos(3);
  }
  if (!dialect_.header) return InitHeaderless(columns);
  TSB_ASSIGN_OR_RETURN(bool has_header, NextRecord());
  if (has_header) {
    header_line_.assign(window_.data() + rec_begin_, rec_end_ - rec_begin_);
    if (bad_quote_ || unterminated_) {
      return Status::InvalidArgument(path_ + ": line 1: malformed quoting in the header row" +
                                     SniffHint(columns));
    }
    for (const FieldRef& f : fields_) header_.emplace_back(FieldText(f));
    line_ += breaks_;
    window_.set_pos(next_);
  }
  if (columns.empty()) {
    for (size_t i = 0; i < header_.size(); ++i) {
      schema_.Add(Field{header_[i], DataType::Of(TypeId::kString), true});
      selected_.push_back(i);
    }
    return Status::OK();
  }
  // Header name -> first position: a wide header is matched in linear time.
  std::unordered_map<std::string_view, size_t> positions;
  positions.reserve(header_.size());
  for (size_t i = 0; i < header_.size(); ++i) positions.emplace(header_[i], i);
  for (const Field& want : columns) {
    auto found = positions.find(want.name);
    size_t i = found == positions.end() ? header_.size() : found->second;
    if (i == header_.size()) {
      std::string names;
      for (const std::string& h : header_) names += (names.empty() ? "" : ", ") + h;
      return Status::InvalidArgument(
          path_ + ": column \"" + want.name + "\" is not in the CSV header (" +
          (names.empty() ? std::string("no columns") : names) + ")" + SniffHint(columns));
    }
    selected_.push_back(i);
    schema_.Add(want);
  }
  return Status::OK();
}

// Without a header the names are the dialect's (the spec's columns, in the file's order), else
// DuckDB's column0, column1, ... for as many fields as the first record has.
Status CsvReader::InitHeaderless(const std::vector<Field>& columns) {
  header_ = dialect_.columns;
  if (header_.empty()) {
    TSB_ASSIGN_OR_RETURN(bool any, NextRecord());
    const size_t n = any ? fields_.size() : 0;
    for (size_t i = 0; i < n; ++i) header_.push_back("column" + std::to_string(i));
  }
  std::unordered_map<std::string_view, size_t> positions;
  for (size_t i = 0; i < header_.size(); ++i) positions.emplace(header_[i], i);
  if (columns.empty()) {
    for (size_t i = 0; i < header_.size(); ++i) {
      schema_.Add(Field{header_[i], DataType::Of(TypeId::kString), true});
      selected_.push_back(i);
    }
    return Status::OK();
  }
  for (const Field& want : columns) {
    auto found = positions.find(want.name);
    if (found == positions.end()) {
      return Status::InvalidArgument(path_ + ": column \"" + want.name +
                                     "\" is not among the columns of this header-less file");
    }
    selected_.push_back(found->second);
    schema_.Add(want);
  }
  return Status::OK();
}

// The common types take a shortcut; every other case, and every value the shortcut does not
// take, goes through ParseValueInto, so what is accepted and how it converts do not change.
inline bool CsvReader::AppendField(std::string_view text, size_t readable, const DataType& type,
                                   Column* column, ParseOutcome* r) {
  if (type.id == TypeId::kString && AllAscii(text)) {
    column->AppendBytes(text);
    return true;
  }
  if (type.id == TypeId::kInt64 && !type.is_unsigned) {
    int64_t v;
    if (FastDecimalInt64(text, readable, &v)) {
      column->AppendInt(v);
      return true;
    }
  }
  if (type.id == TypeId::kDouble) {
    double d;
    if (FastDecimalDouble(text, readable, &d)) {
      column->AppendDouble(d);
      return true;
    }
  }
  *r = ParseValueInto(text, type, column);
  return *r == ParseOutcome::kOk;
}

Status CsvReader::Next(RowBatch* batch) {
  batch->Reset();
  const size_t num_columns = header_.size();
  const size_t limit = batch->capacity() == 0 ? 1 : batch->capacity();
  while (batch->num_rows() + batch->rejects().size() < limit) {
    TSB_ASSIGN_OR_RETURN(bool more, NextRecord());
    if (!more) break;
    if (bad_quote_ || unterminated_) {
      Reject(batch, "TSB_BAD_QUOTE",
             unterminated_ ? "unterminated quoted field: the quote is never closed before the "
                             "end of the input"
                           : "text after the closing quote of a quoted field",
             true);
    } else if (fields_.size() != num_columns) {
      if (fields_.size() == 1 && !fields_[0].quoted && fields_[0].begin == fields_[0].end &&
          num_columns > 1) {
        // An empty line: not a record.
      } else {
        Reject(batch, "TSB_FIELD_COUNT",
               "expected " + std::to_string(num_columns) + " fields, found " +
                   std::to_string(fields_.size()),
               true);
      }
    } else {
      const size_t row = batch->num_rows();
      bool ok = true;
      for (size_t c = 0; c < selected_.size(); ++c) {
        const FieldRef& f = fields_[selected_[c]];
        Column* column = &batch->column(c);
        if (IsNull(f)) {
          column->AppendNull();
          continue;
        }
        std::string_view text = FieldText(f);
        // An unescaped field lies in the window, whose whole buffer may be read.
        const size_t readable = f.escaped ? text.size() : window_.capacity() - f.begin;
        const DataType& type = schema_.field(c).type;
        ParseOutcome r;
        if (!AppendField(text, readable, type, column, &r)) {
          for (size_t k = 0; k < c; ++k) TruncateColumn(&batch->column(k), row);
          const std::string message =
              "column \"" + schema_.field(c).name + "\": " + DescribeBadValue(r, type, text);
          Reject(batch, r == ParseOutcome::kBadUtf8 ? "TSB_BAD_UTF8" : "TSB_BAD_VALUE", message,
                 false);
          ok = false;
          break;
        }
      }
      if (ok) {
        batch->CommitRow();
        batch->positions().push_back(line_);
      }
    }
    line_ += breaks_;
    window_.set_pos(next_);
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<BatchReader>> OpenCsvReader(const ReaderOptions& options,
                                                   std::unique_ptr<InputStream> input) {
  auto reader = std::make_unique<CsvReader>(options.path, options.dialect, std::move(input),
                                            options.window_bytes);
  TSB_RETURN_IF_ERROR(reader->Init(options.columns));
  return std::unique_ptr<BatchReader>(std::move(reader));
}

const std::vector<std::string>& CsvHeader(const BatchReader& csv_reader) {
  return static_cast<const CsvReader&>(csv_reader).header();
}

}  // namespace tsb
