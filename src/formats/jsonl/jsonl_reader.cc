// JSON Lines reader: lines are cut in an InputWindow and parsed in place by LineParser, a
// hand-written parser for one JSON object whose member values are kept as spans (numbers as
// their text, strings decoded only when they contain escapes).
#include <cstring>
#include <optional>

#include "core/crypto.h"
#include "core/value_text.h"
#include "formats/jsonl/jsonl.h"
#include "formats/text/text_common.h"

namespace tsb {

namespace {

enum class Kind : uint8_t { kMissing, kNull, kBool, kNumber, kString, kNested };

struct Value {
  Kind kind = Kind::kMissing;
  bool boolean = false;
  bool in_arena = false;  // text lives in the parser's arena, else in the line
  bool integral = false;  // numbers: no fraction, no exponent
  size_t off = 0;
  size_t len = 0;
};

constexpr int kMaxDepth = 64;

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class LineParser {
 public:
  // Parses `line` as one JSON object and calls on_member(key, value) for each member. Views of
  // keys are valid during the call; value texts through Text() until the next Parse().
  template <typename F>
  bool Parse(std::string_view line, F&& on_member) {
    line_ = line;
    arena_.clear();
    error_.clear();
    const char* p = line.data();
    const char* e = p + line.size();
    SkipWs(&p, e);
    if (p == e || *p != '{') return Fail(p, "expected '{' at the start of the line");
    ++p;
    SkipWs(&p, e);
    if (p < e && *p == '}') {
      ++p;
    } else {
      for (;;) {
        SkipWs(&p, e);
        if (p == e || *p != '"') return Fail(p, "expected a member name in quotes");
        Value key;
        if (!ParseString(&p, e, &key)) return false;
        std::string_view key_text = Text(key);
        if (key.in_arena) {  // the value may grow the arena: keep the key apart
          key_buf_.assign(key_text);
          arena_.resize(key.off);
          key_text = key_buf_;
        }
        SkipWs(&p, e);
        if (p == e || *p != ':') return Fail(p, "expected ':' after a member name");
        ++p;
        SkipWs(&p, e);
        Value v;
        if (!ParseValue(&p, e, &v, 0)) return false;
        on_member(key_text, v);
        SkipWs(&p, e);
        if (p < e && *p == ',') {
          ++p;
          continue;
        }
        if (p < e && *p == '}') {
          ++p;
          break;
        }
        return Fail(p, "expected ',' or '}' after a member value");
      }
    }
    SkipWs(&p, e);
    if (p != e) return Fail(p, "text after the end of the object");
    return true;
  }

  std::string_view Text(const Value& v) const {
    return v.in_arena ? std::string_view(arena_).substr(v.off, v.len) : line_.substr(v.off, v.len);
  }
  const std::string& error() const { return error_; }

  // Decodes {"base64": "..."} (nothing else) from a nested value's text.
  bool ParseBase64Object(std::string_view text, std::string* bytes) {
    LineParser inner;
    std::optional<std::string> b64;
    int members = 0;
    if (!inner.Parse(text, [&](std::string_view key, const Value& v) {
          ++members;
          if (key == "base64" && v.kind == Kind::kString) b64 = std::string(inner.Text(v));
        })) {
      return false;
    }
    if (members != 1 || !b64) return false;
    Result<std::string> decoded = Base64Decode(*b64);
    if (!decoded.ok()) return false;
    *bytes = std::move(decoded).value();
    return true;
  }

 private:
  static void SkipWs(const char** p, const char* e) {
    while (*p < e && IsWs(**p)) ++*p;
  }

  bool Fail(const char* p, std::string_view what) {
    error_ = "column " + std::to_string(p - line_.data() + 1) + ": " + std::string(what);
    return false;
  }

  bool ParseValue(const char** pp, const char* e, Value* v, int depth) {
    const char* p = *pp;
    if (p == e) return Fail(p, "expected a value");
    switch (*p) {
      case '"':
        v->kind = Kind::kString;
        return ParseString(pp, e, v);
      case '{':
      case '[': {
        if (depth >= kMaxDepth) return Fail(p, "nested too deeply");
        const char* begin = p;
        if (!SkipNested(pp, e, depth)) return false;
        v->kind = Kind::kNested;
        v->off = static_cast<size_t>(begin - line_.data());
        v->len = static_cast<size_t>(*pp - begin);
        return true;
      }
      case 't':
        if (e - p >= 4 && std::memcmp(p, "true", 4) == 0) {
          v->kind = Kind::kBool;
          v->boolean = true;
          *pp = p + 4;
          return true;
        }
        return Fail(p, "invalid literal");
      case 'f':
        if (e - p >= 5 && std::memcmp(p, "false", 5) == 0) {
          v->kind = Kind::kBool;
          v->boolean = false;
          *pp = p + 5;
          return true;
        }
        return Fail(p, "invalid literal");
      case 'n':
        if (e - p >= 4 && std::memcmp(p, "null", 4) == 0) {
          v->kind = Kind::kNull;
          *pp = p + 4;
          return true;
        }
        return Fail(p, "invalid literal");
      default:
        return ParseNumber(pp, e, v);
    }
  }

  bool ParseNumber(const char** pp, const char* e, Value* v) {
    const char* begin = *pp;
    const char* p = begin;
    auto digit = [&](const char* q) { return q < e && *q >= '0' && *q <= '9'; };
    if (p < e && *p == '-') ++p;
    if (!digit(p)) return Fail(p, "invalid value");
    if (*p == '0') {
      ++p;
    } else {
      while (digit(p)) ++p;
    }
    bool integral = true;
    if (p < e && *p == '.') {
      ++p;
      if (!digit(p)) return Fail(p, "expected a digit after the decimal point");
      while (digit(p)) ++p;
      integral = false;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
      ++p;
      if (p < e && (*p == '+' || *p == '-')) ++p;
      if (!digit(p)) return Fail(p, "expected a digit in the exponent");
      while (digit(p)) ++p;
      integral = false;
    }
    v->kind = Kind::kNumber;
    v->integral = integral;
    v->in_arena = false;
    v->off = static_cast<size_t>(begin - line_.data());
    v->len = static_cast<size_t>(p - begin);
    *pp = p;
    return true;
  }

  // *pp at the opening quote. The text stays a view of the line unless it has escapes.
  bool ParseString(const char** pp, const char* e, Value* v) {
    const char* p = *pp + 1;
    const char* begin = p;
    while (p < e && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
    if (p < e && *p == '"') {
      v->in_arena = false;
      v->off = static_cast<size_t>(begin - line_.data());
      v->len = static_cast<size_t>(p - begin);
      *pp = p + 1;
      return true;
    }
    const size_t arena_begin = arena_.size();
    arena_.append(begin, p);
    for (;;) {
      if (p == e) return Fail(p, "unterminated string");
      unsigned char c = static_cast<unsigned char>(*p);
      if (c == '"') break;
      if (c < 0x20) return Fail(p, "control character in a string (must be escaped)");
      if (c != '\\') {
        const char* run = p;
        while (p < e && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
        arena_.append(run, p);
        continue;
      }
      if (p + 1 == e) return Fail(p, "unterminated string");
      char esc = p[1];
      p += 2;
      switch (esc) {
        case '"':
          arena_.push_back('"');
          break;
        case '\\':
          arena_.push_back('\\');
          break;
        case '/':
          arena_.push_back('/');
          break;
        case 'b':
          arena_.push_back('\b');
          break;
        case 'f':
          arena_.push_back('\f');
          break;
        case 'n':
          arena_.push_back('\n');
          break;
        case 'r':
          arena_.push_back('\r');
          break;
        case 't':
          arena_.push_back('\t');
          break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(p, e, &cp)) return Fail(p, "invalid \\u escape");
          p += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (e - p < 6 || p[0] != '\\' || p[1] != 'u' || !Hex4(p + 2, e, &lo) || lo < 0xDC00 ||
                lo > 0xDFFF) {
              return Fail(p, "unpaired UTF-16 surrogate in a \\u escape");
            }
            p += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Fail(p, "unpaired UTF-16 surrogate in a \\u escape");
          }
          AppendUtf8(cp, &arena_);
          break;
        }
        default:
          return Fail(p - 1, "invalid escape");
      }
    }
    v->in_arena = true;
    v->off = arena_begin;
    v->len = arena_.size() - arena_begin;
    *pp = p + 1;
    return true;
  }

  static bool Hex4(const char* p, const char* e, uint32_t* out) {
    if (e - p < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = HexValue(p[i]);
      if (h < 0) return false;
      v = v * 16 + static_cast<uint32_t>(h);
    }
    *out = v;
    return true;
  }

  // Validates and skips an object or array; *pp at '{' or '['.
  bool SkipNested(const char** pp, const char* e, int depth) {
    const char* p = *pp;
    const char close = *p == '{' ? '}' : ']';
    const bool object = *p == '{';
    ++p;
    SkipWs(&p, e);
    if (p < e && *p == close) {
      *pp = p + 1;
      return true;
    }
    const size_t arena_mark = arena_.size();
    for (;;) {
      SkipWs(&p, e);
      if (object) {
        if (p == e || *p != '"') return Fail(p, "expected a member name in quotes");
        Value key;
        if (!ParseString(&p, e, &key)) return false;
        SkipWs(&p, e);
        if (p == e || *p != ':') return Fail(p, "expected ':' after a member name");
        ++p;
        SkipWs(&p, e);
      }
      Value v;
      if (!ParseValue(&p, e, &v, depth + 1)) return false;
      arena_.resize(arena_mark);  // nested strings are not needed decoded
      SkipWs(&p, e);
      if (p < e && *p == ',') {
        ++p;
        continue;
      }
      if (p < e && *p == close) {
        *pp = p + 1;
        return true;
      }
      return Fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
  }

  std::string_view line_;
  std::string arena_;
  std::string key_buf_;
  std::string error_;
};

// Inferred type of a key over the sampled lines.
enum class Inferred { kNone, kBool, kInt, kDouble, kString };

Inferred Merge(Inferred a, Inferred b) {
  if (a == Inferred::kNone) return b;
  if (b == Inferred::kNone || a == b) return a;
  if ((a == Inferred::kInt && b == Inferred::kDouble) ||
      (a == Inferred::kDouble && b == Inferred::kInt)) {
    return Inferred::kDouble;
  }
  return Inferred::kString;
}

class JsonlReader : public BatchReader {
 public:
  static constexpr size_t kInferLines = 1000;

  JsonlReader(std::string path, std::unique_ptr<InputStream> input, size_t window_bytes)
      : path_(std::move(path)), window_(std::move(input), window_bytes) {}

  Status Init(const std::vector<Field>& columns);
  const Schema& schema() const override { return schema_; }
  Status Next(RowBatch* batch) override;

 private:
  // Finds the next line in the window: [*begin, *end) without its LF (and CR); false at the end.
  Result<bool> NextLine(size_t* begin, size_t* end, size_t* next);
  int Lookup(std::string_view key);
  ParseOutcome Convert(const Value& v, const DataType& type, Column* column);
  Status InferSchema();

  std::string path_;
  InputWindow window_;
  Schema schema_;
  std::vector<std::string_view> names_;  // views of schema_ names
  size_t hint_ = 0;
  int64_t line_ = 1;
  LineParser parser_;
  std::vector<Value> slots_;
  std::string scratch_;
};

Result<bool> JsonlReader::NextLine(size_t* begin, size_t* end, size_t* next) {
  size_t scanned = 0;  // bytes after pos() already known to hold no LF
  for (;;) {
    const char* base = window_.data();
    const size_t pos = window_.pos();
    const size_t len = window_.len();
    if (pos == len && window_.eof()) return false;
    const void* nl = std::memchr(base + pos + scanned, '\n', len - pos - scanned);
    if (nl != nullptr || window_.eof()) {
      size_t e = nl ? static_cast<size_t>(static_cast<const char*>(nl) - base) : len;
      *next = nl ? e + 1 : e;
      if (e > pos && base[e - 1] == '\r') --e;
      *begin = pos;
      *end = e;
      return true;
    }
    scanned = len - pos;
    TSB_RETURN_IF_ERROR(window_.Fill().WithContext("line " + std::to_string(line_)));
  }
}

int JsonlReader::Lookup(std::string_view key) {
  const size_t n = names_.size();
  if (hint_ < n && names_[hint_] == key) return static_cast<int>(hint_++);
  for (size_t i = 0; i < n; ++i) {
    if (names_[i] == key) {
      hint_ = i + 1;
      return static_cast<int>(i);
    }
  }
  return -1;
}

ParseOutcome JsonlReader::Convert(const Value& v, const DataType& type, Column* column) {
  const std::string_view text = parser_.Text(v);
  switch (v.kind) {
    case Kind::kMissing:
    case Kind::kNull:
      column->AppendNull();
      return ParseOutcome::kOk;
    case Kind::kString:
      return ParseValueInto(text, type, column);
    case Kind::kNumber:
      if (type.id == TypeId::kString) {
        column->AppendBytes(text);
        return ParseOutcome::kOk;
      }
      if (type.id == TypeId::kBinary || type.id == TypeId::kDate || type.id == TypeId::kDateTime ||
          type.id == TypeId::kTimestamp) {
        return ParseOutcome::kBadValue;
      }
      return ParseValueInto(text, type, column);
    case Kind::kBool:
      if (type.id == TypeId::kBoolean) {
        column->AppendBool(v.boolean);
        return ParseOutcome::kOk;
      }
      if (type.id == TypeId::kString) {
        column->AppendBytes(v.boolean ? "true" : "false");
        return ParseOutcome::kOk;
      }
      return ParseOutcome::kBadValue;
    case Kind::kNested: {
      if (type.id != TypeId::kBinary && type.id != TypeId::kString) return ParseOutcome::kBadValue;
      if (parser_.ParseBase64Object(text, &scratch_)) {
        if (type.id == TypeId::kString && !ValidateUtf8(scratch_)) return ParseOutcome::kBadUtf8;
        column->AppendBytes(scratch_);
        return ParseOutcome::kOk;
      }
      if (type.id == TypeId::kBinary) return ParseOutcome::kBadValue;
      return ParseValueInto(text, type, column);  // JSON text of the nested value
    }
  }
  return ParseOutcome::kBadValue;
}

Status JsonlReader::InferSchema() {
  // Sample the lines of the first block without consuming them.
  while (window_.len() < InputStream::kBlockSize && !window_.eof()) {
    TSB_RETURN_IF_ERROR(window_.Fill());
  }
  std::vector<std::string> keys;
  std::vector<Inferred> types;
  const char* base = window_.data();
  size_t pos = window_.pos();
  const size_t len = window_.len();
  size_t lines = 0;
  while (pos < len && lines < kInferLines) {
    const void* nl = std::memchr(base + pos, '\n', len - pos);
    if (nl == nullptr && !window_.eof()) break;
    size_t e = nl ? static_cast<size_t>(static_cast<const char*>(nl) - base) : len;
    std::string_view line(base + pos, e - pos);
    pos = nl ? e + 1 : e;
    ++lines;
    parser_.Parse(line, [&](std::string_view key, const Value& v) {
      Inferred t = Inferred::kNone;
      switch (v.kind) {
        case Kind::kMissing:
        case Kind::kNull:
          t = Inferred::kNone;
          break;
        case Kind::kBool:
          t = Inferred::kBool;
          break;
        case Kind::kNumber: {
          int64_t i;
          t = (v.integral && ParseInt64(parser_.Text(v), &i)) ? Inferred::kInt : Inferred::kDouble;
          break;
        }
        case Kind::kString:
        case Kind::kNested:
          t = Inferred::kString;
          break;
      }
      size_t k = 0;
      while (k < keys.size() && keys[k] != key) ++k;
      if (k == keys.size()) {
        keys.emplace_back(key);
        types.push_back(t);
      } else {
        types[k] = Merge(types[k], t);
      }
    });
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    TypeId id = TypeId::kString;
    switch (types[k]) {
      case Inferred::kBool:
        id = TypeId::kBoolean;
        break;
      case Inferred::kInt:
        id = TypeId::kInt64;
        break;
      case Inferred::kDouble:
        id = TypeId::kDouble;
        break;
      default:
        id = TypeId::kString;
        break;
    }
    schema_.Add(Field{keys[k], DataType::Of(id), true});
  }
  return Status::OK();
}

Status JsonlReader::Init(const std::vector<Field>& columns) {
  if (columns.empty()) {
    TSB_RETURN_IF_ERROR(InferSchema());
  } else {
    for (const Field& f : columns) schema_.Add(f);
  }
  for (const Field& f : schema_.fields()) names_.push_back(f.name);
  slots_.resize(schema_.size());
  return Status::OK();
}

Status JsonlReader::Next(RowBatch* batch) {
  batch->Reset();
  const size_t limit = batch->capacity() == 0 ? 1 : batch->capacity();
  const size_t ncols = schema_.size();
  while (batch->num_rows() + batch->rejects().size() < limit) {
    size_t begin, end, next;
    TSB_ASSIGN_OR_RETURN(bool more, NextLine(&begin, &end, &next));
    if (!more) break;
    const std::string_view line(window_.data() + begin, end - begin);
    const int64_t line_no = line_++;
    size_t k = 0;
    while (k < line.size() && IsWs(line[k])) ++k;
    if (k == line.size()) {
      window_.set_pos(next);
      continue;
    }
    for (Value& s : slots_) s = Value();
    const bool parsed = parser_.Parse(line, [&](std::string_view key, const Value& v) {
      int i = Lookup(key);
      if (i >= 0) slots_[static_cast<size_t>(i)] = v;
    });
    if (!parsed) {
      RejectedRecord r;
      r.position = line_no;
      r.raw.assign(line);
      r.code = "TSB_BAD_JSON";
      r.message = "not a JSON object: " + parser_.error();
      batch->rejects().push_back(std::move(r));
      window_.set_pos(next);
      continue;
    }
    const size_t row = batch->num_rows();
    bool ok = true;
    for (size_t c = 0; c < ncols; ++c) {
      const DataType& type = schema_.field(c).type;
      ParseOutcome outcome = Convert(slots_[c], type, &batch->column(c));
      if (outcome == ParseOutcome::kOk) continue;
      for (size_t k2 = 0; k2 < c; ++k2) TruncateColumn(&batch->column(k2), row);
      RejectedRecord r;
      r.position = line_no;
      for (const Value& s : slots_) {
        if (s.kind == Kind::kMissing || s.kind == Kind::kNull) {
          r.fields.emplace_back(std::nullopt);
        } else if (s.kind == Kind::kBool) {
          r.fields.emplace_back(s.boolean ? "true" : "false");
        } else {
          r.fields.emplace_back(std::string(parser_.Text(s)));
        }
      }
      r.code = outcome == ParseOutcome::kBadUtf8 ? "TSB_BAD_UTF8" : "TSB_BAD_VALUE";
      const Value& bad = slots_[c];
      std::string_view shown =
          bad.kind == Kind::kBool ? (bad.boolean ? "true" : "false") : parser_.Text(bad);
      r.message =
          "column \"" + schema_.field(c).name + "\": " + DescribeBadValue(outcome, type, shown);
      batch->rejects().push_back(std::move(r));
      ok = false;
      break;
    }
    if (ok) {
      batch->CommitRow();
      batch->positions().push_back(line_no);
    }
    window_.set_pos(next);
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<BatchReader>> OpenJsonlReader(const ReaderOptions& options,
                                                     std::unique_ptr<InputStream> input) {
  auto reader = std::make_unique<JsonlReader>(options.path, std::move(input), options.window_bytes);
  TSB_RETURN_IF_ERROR(reader->Init(options.columns));
  return std::unique_ptr<BatchReader>(std::move(reader));
}

}  // namespace tsb
