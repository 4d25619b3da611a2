// Key codec: RocksDB's bytewise order over encoded keys must equal the service's row order
// (wire doc B.7), for every pair of edge values, and keys must decode back exactly.
#include "emulator/key_codec.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "emulator/row_codec.h"
#include "tablestore/crc8.h"
#include "tablestore/plainbuffer.h"

namespace tsb::emulator {
namespace {

using ots::Value;

// Reference comparator for one column: signed integers, unsigned bytewise strings (a shorter
// prefix first), INF_MIN < everything < INF_MAX.
int RefCompare(const Value& a, const Value& b) {
  auto rank = [](const Value& v) {
    return v.type == ots::ValueType::kInfMin ? 0 : (v.type == ots::ValueType::kInfMax ? 2 : 1);
  };
  if (rank(a) != rank(b)) return rank(a) < rank(b) ? -1 : 1;
  if (rank(a) != 1) return 0;
  if (a.type == ots::ValueType::kInteger) return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  size_t n = std::min(a.bytes.size(), b.bytes.size());
  for (size_t i = 0; i < n; ++i) {
    auto x = static_cast<uint8_t>(a.bytes[i]);
    auto y = static_cast<uint8_t>(b.bytes[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.bytes.size() == b.bytes.size()) return 0;
  return a.bytes.size() < b.bytes.size() ? -1 : 1;
}

// Tuple order: column by column; once a column is INF the rest do not matter.
int RefCompareTuple(const std::vector<Value>& a, const std::vector<Value>& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    int c = RefCompare(a[i], b[i]);
    if (c != 0) return c;
    if (a[i].type == ots::ValueType::kInfMin || a[i].type == ots::ValueType::kInfMax) return 0;
  }
  return 0;
}

std::string Encode(uint64_t table, const std::vector<Value>& tuple) {
  std::string key;
  AppendTablePrefix(table, &key);
  for (const Value& v : tuple) {
    REQUIRE(AppendKeyValue(v, &key));
    if (v.type == ots::ValueType::kInfMin || v.type == ots::ValueType::kInfMax) break;
  }
  return key;
}

int Sign(int x) { return x < 0 ? -1 : (x > 0 ? 1 : 0); }

const std::vector<std::string>& EdgeStrings() {
  static const std::vector<std::string> kStrings = {
      std::string(),
      std::string("\0", 1),
      std::string("\0\0", 2),
      std::string("\0\x01", 2),
      std::string("\0\xff", 2),
      std::string("\x01"),
      "a",
      std::string("a\0", 2),
      std::string("a\0b", 3),
      "a\x01",
      "ab",
      "abc",
      "b",
      "\x7f",
      "\x80",
      "\xfe",
      "\xff",
      std::string("\xff\0", 2),
      "\xff\xff",
      "\xe4\xb8\xad",  // U+4E2D
  };
  return kStrings;
}

const std::vector<int64_t>& EdgeInts() {
  static const std::vector<int64_t> kInts = {std::numeric_limits<int64_t>::min(),
                                             std::numeric_limits<int64_t>::min() + 1,
                                             -(int64_t{1} << 32),
                                             -256,
                                             -255,
                                             -1,
                                             0,
                                             1,
                                             255,
                                             256,
                                             int64_t{1} << 32,
                                             std::numeric_limits<int64_t>::max() - 1,
                                             std::numeric_limits<int64_t>::max()};
  return kInts;
}

TEST_CASE("key codec: single INTEGER column orders as signed 64-bit") {
  for (int64_t a : EdgeInts()) {
    for (int64_t b : EdgeInts()) {
      std::string ka = Encode(7, {Value::Integer(a)});
      std::string kb = Encode(7, {Value::Integer(b)});
      CHECK(Sign(ka.compare(kb)) == (a < b ? -1 : (a > b ? 1 : 0)));
    }
  }
}

TEST_CASE("key codec: STRING and BINARY order unsigned bytewise, shorter prefix first") {
  for (auto type : {ots::ValueType::kString, ots::ValueType::kBinary}) {
    for (const std::string& a : EdgeStrings()) {
      for (const std::string& b : EdgeStrings()) {
        Value va = type == ots::ValueType::kString ? Value::String(a) : Value::Binary(a);
        Value vb = type == ots::ValueType::kString ? Value::String(b) : Value::Binary(b);
        INFO("a=" << a.size() << " bytes, b=" << b.size() << " bytes");
        CHECK(Sign(Encode(1, {va}).compare(Encode(1, {vb}))) == RefCompare(va, vb));
      }
    }
  }
}

TEST_CASE("key codec: multi-column tuples and INF bounds match the reference order") {
  // Schema (STRING, INTEGER, BINARY); tuples from edge values plus INF in each position.
  std::vector<Value> strings, ints, bins;
  for (const std::string& s : EdgeStrings()) strings.push_back(Value::String(s));
  for (int64_t i : {std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{0},
                    std::numeric_limits<int64_t>::max()}) {
    ints.push_back(Value::Integer(i));
  }
  for (const char* s : {"", "\x01", "\xff"}) bins.push_back(Value::Binary(s));
  bins.push_back(Value::Binary(std::string_view("\0", 1)));
  std::vector<std::vector<Value>> tuples;
  for (const Value& a : strings) {
    for (const Value& b : ints) {
      for (const Value& c : bins) tuples.push_back({a, b, c});
      tuples.push_back({a, b, Value::InfMin()});
      tuples.push_back({a, b, Value::InfMax()});
    }
    tuples.push_back({a, Value::InfMin(), Value::InfMax()});
    tuples.push_back({a, Value::InfMax(), Value::InfMin()});
  }
  tuples.push_back({Value::InfMin(), Value::InfMax(), Value::InfMax()});
  tuples.push_back({Value::InfMax(), Value::InfMin(), Value::InfMin()});

  std::vector<std::string> keys;
  for (const auto& t : tuples) keys.push_back(Encode(42, t));
  int64_t checked = 0;
  for (size_t i = 0; i < tuples.size(); ++i) {
    for (size_t j = 0; j < tuples.size(); ++j) {
      int want = RefCompareTuple(tuples[i], tuples[j]);
      int got = Sign(keys[i].compare(keys[j]));
      if (want != got) {
        FAIL_CHECK("tuple " << i << " vs " << j << ": want " << want << " got " << got);
      }
      ++checked;
    }
  }
  CHECK(checked > 100000);
}

TEST_CASE("key codec: tables are disjoint and INF keys stay inside their table") {
  std::string lo = Encode(5, {Value::InfMin()});
  std::string hi = Encode(5, {Value::InfMax()});
  std::string t4max = Encode(4, {Value::InfMax()});
  std::string t6min = Encode(6, {Value::InfMin()});
  std::string end5 = TableEndKey(5);
  CHECK(t4max < lo);
  CHECK(hi < end5);
  CHECK(end5 <= t6min);
  CHECK(lo < Encode(5, {Value::String("")}));
  CHECK(Encode(5, {Value::String("\xff\xff\xff")}) < hi);
}

TEST_CASE("key codec: keys decode back to their values") {
  std::string scratch;
  for (const std::string& s : EdgeStrings()) {
    for (int64_t i : EdgeInts()) {
      const std::string doubled = s + s;
      std::vector<Value> tuple = {Value::String(s), Value::Integer(i), Value::Binary(doubled)};
      std::string key = Encode(3, tuple);
      std::vector<ots::Cell> cells(3);
      REQUIRE(DecodeKeyValues(key, cells, &scratch));
      CHECK(cells[0].value->type == ots::ValueType::kString);
      CHECK(cells[0].value->bytes == s);
      CHECK(cells[1].value->i == i);
      CHECK(cells[2].value->type == ots::ValueType::kBinary);
      CHECK(cells[2].value->bytes == doubled);
    }
  }
  std::vector<ots::Cell> cells(2);
  CHECK_FALSE(DecodeKeyValues(Encode(3, {Value::String("x")}), cells, &scratch));  // too short
  std::string bad = Encode(3, {Value::String("x")});
  bad.pop_back();
  std::vector<ots::Cell> one(1);
  CHECK_FALSE(DecodeKeyValues(bad, one, &scratch));
}

TEST_CASE("row codec: round trip and truncation") {
  std::string data;
  StoredRowWriter w(&data);
  w.AppendColumn("a", 2);
  w.AppendVersion(200, Value::Integer(-5));
  w.AppendVersion(100, Value::String(std::string_view("x\0y", 3)));
  w.AppendColumn("b", 3);
  w.AppendVersion(3, Value::Double(1.5));
  w.AppendVersion(2, Value::Boolean(true));
  w.AppendVersion(1, Value::Binary(""));
  StoredRowReader r(data);
  std::string_view name;
  uint32_t count;
  int64_t ts;
  Value v;
  REQUIRE(r.NextColumn(&name, &count));
  CHECK(name == "a");
  CHECK(count == 2);
  REQUIRE(r.NextVersion(&ts, &v));
  CHECK(ts == 200);
  CHECK(v.i == -5);
  // Skip the second version of "a" by moving on.
  REQUIRE(r.NextColumn(&name, &count));
  CHECK(name == "b");
  REQUIRE(r.NextVersion(&ts, &v));
  CHECK(v.d == 1.5);
  REQUIRE(r.NextVersion(&ts, &v));
  CHECK(v.b);
  REQUIRE(r.NextVersion(&ts, &v));
  CHECK(v.type == ots::ValueType::kBinary);
  CHECK(v.bytes.empty());
  CHECK_FALSE(r.NextVersion(&ts, &v));
  CHECK_FALSE(r.NextColumn(&name, &count));
  CHECK(r.ok());

  for (size_t cut = 1; cut < data.size(); ++cut) {
    StoredRowReader t(std::string_view(data).substr(0, cut));
    while (t.NextColumn(&name, &count)) {
      while (t.NextVersion(&ts, &v)) {
      }
    }
    // A cut inside a column must be detected; a cut exactly between columns is a valid row.
    if (cut != 1 && cut != data.size()) {
      bool boundary = false;
      StoredRowReader probe(data);
      // Boundary after column "a": header(1) + 1+1+4 + (10+8) + (10+4+3).
      boundary = cut == 1 + 6 + 18 + 17;
      CHECK(t.ok() == boundary);
    }
  }
}

// Each version keeps PlainBuffer's cell checksum of the column name and its value (wire doc
// B.4), checked here against the codec: a cell encoded by ots::EncodeRow carries
// Crc8U64(that checksum, timestamp) as its own.
TEST_CASE("row codec: each version keeps the checksum of its name and value") {
  const std::string long_value(1000, 's');  // a Value views its bytes: they must outlive it
  const std::vector<std::pair<std::string, Value>> cells = {
      {"a", Value::Integer(-5)},
      {"bb", Value::String(std::string_view("x\0y", 3))},
      {"ccc", Value::Double(1.5)},
      {"d", Value::Boolean(true)},
      {"e", Value::Boolean(false)},
      {"f", Value::Binary("")},
      {std::string(255, 'n'), Value::String(long_value)}};
  std::string data;
  StoredRowWriter w(&data);
  std::string given;
  StoredRowWriter g(&given);
  std::string single;
  StoredRowWriter one(&single);
  std::string in_place(1, kStoredRowVersion);  // written by WriteSingleVersionColumn, crc given
  std::string in_place_computed(1, kStoredRowVersion);
  for (size_t i = 0; i < cells.size(); ++i) {
    const auto& [name, value] = cells[i];
    const auto ts = static_cast<int64_t>(1700000000000 + i);
    ots::Row row;
    row.attributes.push_back({name, value, ots::CellOp::kPut, ts});
    std::string encoded;
    ots::EncodeRow(row, &encoded);
    ots::Row decoded;
    std::vector<uint8_t> crcs;
    REQUIRE(ots::DecodeRowWithValueCrcs(encoded, &decoded, &crcs).ok());
    REQUIRE(crcs.size() == 1);
    // The cell checksum is the byte before the row's 09 crc trailer.
    const auto cell_crc = static_cast<uint8_t>(encoded[encoded.size() - 3]);
    CHECK(ots::Crc8U64(crcs[0], static_cast<uint64_t>(ts)) == cell_crc);
    w.AppendColumn(name, 1);
    w.AppendVersion(ts, value);
    g.AppendColumn(name, 1);
    g.AppendVersion(ts, decoded.attributes[0].value.value(), crcs[0]);
    one.AppendSingleVersionColumn(name, ts, decoded.attributes[0].value.value(), crcs[0]);
    const size_t column_bytes = SingleVersionColumnSize(name, value);
    for (std::string* out : {&in_place, &in_place_computed}) {
      const size_t at = out->size();
      out->resize(at + column_bytes);
      char* end = out == &in_place
                      ? WriteSingleVersionColumn(out->data() + at, name, ts, value, crcs[0])
                      : WriteSingleVersionColumn(out->data() + at, name, ts, value);
      CHECK(end == out->data() + out->size());
    }

    StoredRowReader r(data);
    std::string_view n;
    uint32_t count;
    int64_t got_ts = 0;
    Value v;
    for (size_t k = 0; k <= i; ++k) REQUIRE(r.NextColumn(&n, &count));
    REQUIRE(r.NextVersion(&got_ts, &v));
    CHECK(r.has_value_crc());
    CHECK(r.value_crc() == crcs[0]);
    CHECK(ots::Crc8(ots::Crc8(0, name), r.raw_value()) == crcs[0]);
  }
  // Given or computed, the checksum and so the stored bytes are the same.
  CHECK(given == data);
  CHECK(single == data);
  CHECK(in_place == data);
  CHECK(in_place_computed == data);
  CHECK(data[0] == kStoredRowVersion);
}

// Rows written before versions kept their checksum (format 0x01) are still read.
TEST_CASE("row codec: reads rows of format 0x01 and refuses unknown formats") {
  std::string v1;
  v1.push_back(kStoredRowVersionNoCrc);
  v1 += std::string(
      "\x01"
      "a"
      "\x02\0\0\0",
      6);
  v1 += std::string(
      "\xc8\0\0\0\0\0\0\0"
      "\x00"
      "\xfb\xff\xff\xff\xff\xff\xff\xff",
      17);
  v1 += std::string(
      "\x64\0\0\0\0\0\0\0"
      "\x03"
      "\x02\0\0\0"
      "hi",
      15);
  StoredRowReader r(v1);
  std::string_view name;
  uint32_t count;
  int64_t ts;
  Value v;
  REQUIRE(r.NextColumn(&name, &count));
  CHECK(name == "a");
  CHECK(count == 2);
  CHECK_FALSE(r.has_value_crc());
  REQUIRE(r.NextVersion(&ts, &v));
  CHECK(ts == 200);
  CHECK(v.type == ots::ValueType::kInteger);
  CHECK(v.i == -5);
  CHECK(r.raw_value() == std::string_view("\x00\xfb\xff\xff\xff\xff\xff\xff\xff", 9));
  REQUIRE(r.NextVersion(&ts, &v));
  CHECK(ts == 100);
  CHECK(v.bytes == "hi");
  CHECK_FALSE(r.NextVersion(&ts, &v));
  CHECK_FALSE(r.NextColumn(&name, &count));
  CHECK(r.ok());

  std::string unknown = v1;
  unknown[0] = 0x03;
  StoredRowReader u(unknown);
  CHECK_FALSE(u.NextColumn(&name, &count));
  CHECK_FALSE(u.ok());
}

}  // namespace
std::string ValueHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out += kDigits[static_cast<uint8_t>(c) >> 4];
    out += kDigits[static_cast<uint8_t>(c) & 15];
  }
  return out;
}

// The walk that LoadBase (merges) and LoadColumns (read-modify-write) share: every column and
// version in stored order, with the kept checksum in format 0x02 and -1 in format 0x01.
TEST_CASE("row codec: WalkStoredRow hands over every version of both formats") {
  std::string v2;
  StoredRowWriter w(&v2);
  w.AppendColumn("a", 2);
  w.AppendVersion(200, Value::Integer(-5));
  w.AppendVersion(100, Value::String("hi"));
  w.AppendColumn("b", 1);
  w.AppendVersion(7, Value::Boolean(true));
  // The same row in format 0x01: no checksum byte after each timestamp.
  std::string v1;
  v1.push_back(kStoredRowVersionNoCrc);
  v1 += std::string(
      "\x01"
      "a"
      "\x02\0\0\0",
      6);
  v1 += std::string(
      "\xc8\0\0\0\0\0\0\0"
      "\x00"
      "\xfb\xff\xff\xff\xff\xff\xff\xff",
      17);
  v1 += std::string(
      "\x64\0\0\0\0\0\0\0"
      "\x03"
      "\x02\0\0\0"
      "hi",
      15);
  v1 += std::string(
      "\x01"
      "b"
      "\x01\0\0\0",
      6);
  v1 += std::string(
      "\x07\0\0\0\0\0\0\0"
      "\x02"
      "\x01",
      10);

  auto walk = [](std::string_view stored, std::string* log) {
    std::string_view column;
    return WalkStoredRow(
        stored,
        [&](std::string_view name, uint32_t count) {
          column = name;
          *log += std::string(name) + "#" + std::to_string(count) + ":";
        },
        [&](const StoredVersion& v) {
          *log += std::to_string(v.timestamp) + "=" + ValueHex(v.raw_value);
          if (v.crc >= 0) {
            CHECK(v.crc == ots::Crc8(ots::Crc8(0, column), v.raw_value));
            *log += "+crc";
          }
          *log += v.value.type == ots::ValueType::kString ? "/" + std::string(v.value.bytes) : "";
          *log += ";";
        });
  };
  std::string got2, got1;
  REQUIRE(walk(v2, &got2));
  REQUIRE(walk(v1, &got1));
  CHECK(got2 == "a#2:200=00fbffffffffffffff+crc;100=03020000006869+crc/hi;b#1:7=0201+crc;");
  CHECK(got1 == "a#2:200=00fbffffffffffffff;100=03020000006869/hi;b#1:7=0201;");

  // A row cut inside a version is refused, whichever format.
  std::string ignored;
  CHECK_FALSE(walk(std::string_view(v2).substr(0, v2.size() - 1), &ignored));
  CHECK_FALSE(walk(std::string_view(v1).substr(0, v1.size() - 1), &ignored));
}

// The appender grows its string ahead of the rows and cuts it back when it goes out of scope;
// what is left must be, after what the string held before, exactly ots::RowWriter's rows (its
// 4-byte header aside), across growths, with a discarded row gone.
TEST_CASE("row codec: PlainBufferRowAppender writes RowWriter's bytes across growths") {
  const std::string long_value(5000, 'v');  // a row larger than the first growth
  std::string expected;
  ots::RowWriter writer(&expected);
  std::string got = "prefix";
  {
    PlainBufferRowAppender appender(&got);
    for (int64_t i = 0; i < 300; ++i) {
      const std::string text = "row" + std::to_string(i);
      const Value pk_int = Value::Integer(i * 1000003 - 7);
      const Value pk_str = Value::String(text);
      const Value attr =
          i % 50 == 0 ? Value::String(long_value) : Value::Double(static_cast<double>(i) / 3);
      const int64_t ts = 1'700'000'000'000 + i;

      appender.BeginRow();
      appender.AddPrimaryKeyCell("id", pk_int);
      appender.AddPrimaryKeyCell("name", pk_str);
      std::string raw;
      AppendStoredVersion(&raw, ts, attr);  // ts, then the value as stored
      appender.AddAttributeCell("a", std::string_view(raw).substr(8), ts);
      appender.EndRow();
      if (i % 7 == 3) {  // as a page that is full: the row is taken back out
        appender.DiscardRow();
        continue;
      }
      writer.BeginRow();
      writer.AddPrimaryKeyCell("id", pk_int);
      writer.AddPrimaryKeyCell("name", pk_str);
      writer.AddAttributeCell("a", attr, ts);
      writer.EndRow();
    }
  }
  REQUIRE(got.starts_with("prefix"));
  CHECK(got.substr(6) == expected.substr(4));
}

// The general walk a read had before AddStoredAttributes: StoredRowReader and AddAttributeCell
// per version, the window applied as ReadAttributes does. The oracle for the one-walk copy.
bool AppendAttributesByReader(PlainBufferRowAppender* appender, std::string_view stored,
                              const VersionWindow& window, int64_t* cu) {
  StoredRowReader reader(stored);
  std::string_view name;
  uint32_t count;
  while (reader.NextColumn(&name, &count)) {
    int32_t taken = 0;
    int64_t ts;
    Value v;
    while (taken < window.max_versions && reader.NextVersion(&ts, &v)) {
      if (ts >= window.max_ts) continue;
      if (ts < window.min_ts) break;
      if (reader.has_value_crc()) {
        appender->AddAttributeCell(name, reader.raw_value(), ts, reader.value_crc());
      } else {
        appender->AddAttributeCell(name, reader.raw_value(), ts);
      }
      *cu += static_cast<int64_t>(name.size()) + ValueDataSize(v) + 8;
      ++taken;
    }
  }
  return reader.ok();
}

// Random rows in both stored formats (format 0x01 is format 0x02 without the checksum byte),
// every value type, several versions, read through random windows, and every truncation of each
// row: the one-walk copy must write the general walk's bytes and sizes, and refuse exactly the
// rows it refuses.
TEST_CASE("row codec: AddStoredAttributes copies what the reader and AddAttributeCell copy") {
  std::mt19937_64 rng(7);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  for (int round = 0; round < 400; ++round) {
    std::string v2;
    std::string v1(1, kStoredRowVersionNoCrc);
    StoredRowWriter writer(&v2);
    const int columns = pick(5);
    for (int c = 0; c < columns; ++c) {
      const std::string name = std::string(1, static_cast<char>('a' + c)) +
                               std::string(static_cast<size_t>(pick(3) * 60), 'n');
      const auto versions = static_cast<uint32_t>(1 + pick(4));
      writer.AppendColumn(name, versions);
      v1.push_back(static_cast<char>(name.size()));
      v1 += name;
      v1.append(reinterpret_cast<const char*>(&versions), 4);
      int64_t ts = 1000;
      const std::string text(static_cast<size_t>(pick(40)), static_cast<char>(pick(256)));
      for (uint32_t i = 0; i < versions; ++i) {
        ts -= 1 + pick(300);
        Value value;
        switch (pick(5)) {
          case 0:
            value = Value::Integer(static_cast<int64_t>(rng()));
            break;
          case 1:
            value = Value::Double(static_cast<double>(rng() % 1000) / 8);
            break;
          case 2:
            value = Value::Boolean(pick(2) == 0);
            break;
          case 3:
            value = Value::String(text);
            break;
          default:
            value = Value::Binary(text);
            break;
        }
        writer.AppendVersion(ts, value);
        AppendStoredVersion(&v1, ts, value);
      }
    }
    VersionWindow window;
    window.max_versions = 1 + pick(4);
    if (pick(2) == 0) window.min_ts = 1000 - pick(900);
    if (pick(2) == 0) window.max_ts = 1000 - pick(600);
    std::string whole_row_bytes[2];
    int format = 0;
    for (const std::string& full : {v2, v1}) {
      for (size_t cut = full.size(); cut >= 1; --cut) {
        const std::string_view stored = std::string_view(full).substr(0, cut);
        std::string want;
        std::string got;
        int64_t want_cu = 0;
        int64_t got_cu = 0;
        bool want_ok;
        bool got_ok;
        {
          PlainBufferRowAppender appender(&want);
          appender.BeginRow();
          appender.AddPrimaryKeyCell("id", Value::Integer(round));
          want_ok = AppendAttributesByReader(&appender, stored, window, &want_cu);
          appender.EndRow();
        }
        {
          PlainBufferRowAppender appender(&got);
          appender.BeginRow();
          appender.AddPrimaryKeyCell("id", Value::Integer(round));
          got_ok = appender.AddStoredAttributes(stored, window, 8, &got_cu);
          appender.EndRow();
        }
        REQUIRE(got_ok == want_ok);
        if (!want_ok) continue;
        REQUIRE(got == want);
        REQUIRE(got_cu == want_cu);
        if (cut == full.size()) {
          whole_row_bytes[format] = got;
          // And the bytes are PlainBuffer's, checksums included.
          std::vector<ots::Row> rows;
          REQUIRE(ots::DecodeRows(std::string("\x75\0\0\0", 4) + got, &rows).ok());
        }
        if (round % 8 != 0) break;  // the truncations of one row in eight
      }
      ++format;
    }
    // The two formats hold the same cells.
    CHECK(whole_row_bytes[1] == whole_row_bytes[0]);
  }
}

// Row keys written by AppendKeyValue: the key's cells come out as DecodeKeyValues and
// AddPrimaryKeyCell write them, or, for a value holding a 0x00 byte or bytes that do not parse,
// not at all (the caller then decodes the key in full).
TEST_CASE("row codec: AddPrimaryKeyFromRowKey writes the decoded key's cells") {
  std::mt19937_64 rng(11);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  const std::string names[] = {"k0", "second", std::string(100, 'k'), "x"};
  for (int round = 0; round < 2000; ++round) {
    const auto width = static_cast<size_t>(1 + pick(4));
    std::vector<KeyColumnName> columns;
    std::vector<ots::Cell> cells(width);
    std::vector<std::string> texts(width);
    std::string key;
    AppendTablePrefix(static_cast<uint64_t>(round), &key);
    bool has_zero = false;
    for (size_t i = 0; i < width; ++i) {
      columns.push_back({names[i], ots::Crc8(0, names[i])});
      cells[i].name = names[i];
      Value v;
      const int type = pick(3);
      if (type == 0) {
        v = Value::Integer(pick(2) == 0 ? static_cast<int64_t>(rng()) : pick(5) - 2);
      } else {
        texts[i].resize(static_cast<size_t>(pick(12)));
        for (char& c : texts[i]) c = static_cast<char>(pick(10) == 0 ? 0 : pick(256));
        has_zero |= texts[i].find('\0') != std::string::npos;
        v = type == 1 ? Value::String(texts[i]) : Value::Binary(texts[i]);
      }
      REQUIRE(AppendKeyValue(v, &key));
    }
    const bool cut = pick(10) == 0;
    if (cut)
      key.resize(key.size() - 1 - static_cast<size_t>(pick(static_cast<int>(key.size()) - 9)));

    std::string want;
    std::string got;
    std::string scratch;
    const bool decodes = DecodeKeyValues(key, cells, &scratch);
    int64_t got_cu = 0;
    bool fast;
    {
      PlainBufferRowAppender appender(&got);
      appender.BeginRow();
      fast = appender.AddPrimaryKeyFromRowKey(key, columns, &got_cu);
      appender.EndRow();
    }
    if (!decodes || has_zero) {
      CHECK_FALSE(fast);
      CHECK(got_cu == 0);
      continue;
    }
    REQUIRE(fast);
    int64_t want_cu = 0;
    {
      PlainBufferRowAppender appender(&want);
      appender.BeginRow();
      for (const ots::Cell& c : cells) {
        appender.AddPrimaryKeyCell(c.name, *c.value);
        want_cu += static_cast<int64_t>(c.name.size()) + ValueDataSize(*c.value);
      }
      appender.EndRow();
    }
    CHECK(got == want);
    CHECK(got_cu == want_cu);
  }
}

}  // namespace tsb::emulator
