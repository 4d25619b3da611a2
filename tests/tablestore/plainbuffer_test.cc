// PlainBuffer codec tests: the wire doc's byte-exact fixtures (B.5 a-g), CRC8 (B.4), filter
// values (A.4/B.2), round trips over edge values, and malformed input (truncation at every byte,
// flipped checksums) that must fail with Corruption and never read out of bounds.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/coding.h"
#include "core/crypto.h"
#include "tablestore/crc8.h"
#include "tablestore/plainbuffer.h"

namespace tsb::ots {
namespace {

std::string Hex(std::string_view hex) {
  auto r = HexDecode(hex);
  REQUIRE(r.ok());
  return *r;
}

// The fixtures of wire doc B.5, verbatim.
const std::string kA =
    "7500000001030402000000706b05060000000301000000610ad4030402000000696405090000000001000000000000"
    "000a0a0906";
const std::string kA50 = kA.substr(0, 100);
const std::string kB =
    kA50 +
    "02030401000000730507000000030200000068690ac1030401000000690509000000002a000000000000000a9403"
    "040100000064050900000001000000000000f83f0aba03040100000062050200000002010a3e0304010000007805"
    "070000000702000000dead0a7a030401000000740506000000030100000076070068e5cf8b0100000a580905";
const std::string kC =
    kA50 +
    "020304010000007005060000000301000000760a6b03040200000064310603070068e5cf8b0100000a4a030402000000"
    "643206010aba0304010000006e050900000000050000000000000006040a00090d0000000000";
const std::string kD = kA50 + "080901";
const std::string kE =
    "7500000001030402000000706b0501000000090a3a030402000000696405010000000a0a68093b0000";
const std::string kG =
    kA50 +
    "020304010000007605090000000007000000000000000af909bb01030402000000706b05060000000301000000620a"
    "dd030402000000696405090000000002000000000000000a3f0984";

constexpr int64_t kTs = 1700000000000;

Cell Pk(std::string_view name, Value v) {
  Cell c;
  c.name = name;
  c.value = v;
  return c;
}

Cell Attr(std::string_view name, Value v, std::optional<int64_t> ts = std::nullopt,
          CellOp op = CellOp::kPut) {
  Cell c;
  c.name = name;
  c.value = v;
  c.timestamp = ts;
  c.op = op;
  return c;
}

Cell Op(std::string_view name, CellOp op, std::optional<int64_t> ts = std::nullopt) {
  Cell c;
  c.name = name;
  c.op = op;
  c.timestamp = ts;
  return c;
}

Row RowA() {
  Row r;
  r.primary_key = {Pk("pk", Value::String("a")), Pk("id", Value::Integer(1))};
  return r;
}

const std::string kDeadBytes("\xde\xad", 2);

Row RowB() {
  Row r = RowA();
  r.attributes = {Attr("s", Value::String("hi")),       Attr("i", Value::Integer(42)),
                  Attr("d", Value::Double(1.5)),        Attr("b", Value::Boolean(true)),
                  Attr("x", Value::Binary(kDeadBytes)), Attr("t", Value::String("v"), kTs)};
  return r;
}

Row RowC() {
  Row r = RowA();
  r.attributes = {Attr("p", Value::String("v")), Op("d1", CellOp::kDeleteOneVersion, kTs),
                  Op("d2", CellOp::kDeleteAllVersions),
                  Attr("n", Value::Integer(5), std::nullopt, CellOp::kIncrement)};
  return r;
}

Row RowD() {
  Row r = RowA();
  r.delete_marker = true;
  return r;
}

Row RowE() {
  Row r;
  r.primary_key = {Pk("pk", Value::InfMin()), Pk("id", Value::InfMax())};
  return r;
}

bool ValueEq(const std::optional<Value>& a, const std::optional<Value>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  if (a->type != b->type) return false;
  switch (a->type) {
    case ValueType::kInteger: return a->i == b->i;
    case ValueType::kDouble: return std::memcmp(&a->d, &b->d, sizeof(double)) == 0;
    case ValueType::kBoolean: return a->b == b->b;
    case ValueType::kString:
    case ValueType::kBinary: return a->bytes == b->bytes;
    default: return true;
  }
}

void CheckCellsEqual(const std::vector<Cell>& got, const std::vector<Cell>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i].name == want[i].name);
    CHECK(ValueEq(got[i].value, want[i].value));
    CHECK(got[i].op == want[i].op);
    CHECK(got[i].timestamp == want[i].timestamp);
  }
}

void CheckRowsEqual(const Row& got, const Row& want) {
  CheckCellsEqual(got.primary_key, want.primary_key);
  CheckCellsEqual(got.attributes, want.attributes);
  CHECK(got.delete_marker == want.delete_marker);
}

std::string Encode(const Row& r) {
  std::string out;
  EncodeRow(r, &out);
  CHECK(out.size() == EncodedSize(r));
  return out;
}

TEST_CASE("crc8: check value and table entries (wire doc B.4)") {
  CHECK(Crc8(0, "123456789") == 0xF4);
  CHECK(kCrc8Table[0] == 0x00);
  CHECK(kCrc8Table[1] == 0x07);
  CHECK(kCrc8Table[0x80] == 0x89);
  for (int crc = 0; crc < 256; ++crc) {
    for (int b = 0; b < 256; ++b) {
      char byte = static_cast<char>(b);
      REQUIRE(Crc8Byte(static_cast<uint8_t>(crc), static_cast<uint8_t>(b)) ==
              Crc8Bitwise(static_cast<uint8_t>(crc), std::string_view(&byte, 1)));
    }
  }
  // The sliced path (8 bytes per step) agrees with the definition at every length and offset.
  std::string text;
  for (int i = 0; i < 300; ++i) text.push_back(static_cast<char>(i * 131 + 7));
  for (size_t len = 0; len <= 64; ++len) {
    for (size_t off = 0; off < 8; ++off) {
      std::string_view part(text.data() + off, len);
      REQUIRE(Crc8(0x5a, part) == Crc8Bitwise(0x5a, part));
    }
  }
  CHECK(Crc8(0, text) == Crc8Bitwise(0, text));
  // Integers fold in one sliced step, least-significant byte first (their wire order).
  for (size_t off = 0; off + 8 <= 64; ++off) {
    uint64_t v64;
    uint32_t v32;
    std::memcpy(&v64, text.data() + off, 8);
    std::memcpy(&v32, text.data() + off, 4);
    const auto seed = static_cast<uint8_t>(off * 37);
    REQUIRE(Crc8U64(seed, v64) == Crc8Bitwise(seed, std::string_view(text.data() + off, 8)));
    REQUIRE(Crc8U32(seed, v32) == Crc8Bitwise(seed, std::string_view(text.data() + off, 4)));
    for (int reg = 0; reg < 256; ++reg) {
      const auto r = static_cast<uint8_t>(reg);
      REQUIRE((Crc8Shift8(r) ^ Crc8U64(0, v64)) ==
              Crc8Bitwise(r, std::string_view(text.data() + off, 8)));
    }
  }
  // Intermediate values of fixture (a)'s first cell and its row checksum.
  uint8_t crc = 0;
  const uint8_t want[] = {0x57, 0xb4, 0x0c, 0x23, 0xe9, 0x91, 0xfe, 0xd4};
  std::string fed = Hex("706b030100000061");
  for (size_t i = 0; i < fed.size(); ++i) {
    crc = Crc8Byte(crc, static_cast<uint8_t>(fed[i]));
    CHECK(crc == want[i]);
  }
  CHECK(Crc8Byte(0, 0xd4) == 0x22);
  CHECK(Crc8Byte(0x22, 0x0a) == 0xd8);
  CHECK(Crc8Byte(0xd8, 0x00) == 0x06);
}

TEST_CASE("encode: fixtures (a) (b) (d) byte-exact") {
  CHECK(HexEncode(Encode(RowA())) == kA);
  CHECK(HexEncode(Encode(RowB())) == kB);
  CHECK(HexEncode(Encode(RowD())) == kD);
  CHECK(Encode(RowB()).size() == 186);
  std::string pk;
  Row a = RowA();
  EncodePrimaryKey(a.primary_key, &pk);
  CHECK(HexEncode(pk) == kA);
}

TEST_CASE("encode: fixtures (c) (e) match the SDK up to its zero padding") {
  // The SDK pads (c) with 5 zeros and (e) with 2 (wire doc B.6); we emit none.
  std::string c = Encode(RowC());
  CHECK(c.size() == 131);
  CHECK(HexEncode(c) == kC.substr(0, 2 * 131));
  CHECK(kC.substr(2 * 131) == "0000000000");
  std::string e = Encode(RowE());
  CHECK(e.size() == 39);
  CHECK(HexEncode(e) == kE.substr(0, 2 * 39));
}

TEST_CASE("encode: delete-one-version checksum folds the op after the timestamp") {
  Row r;
  r.attributes = {Op("d1", CellOp::kDeleteOneVersion, kTs)};
  std::string out = Encode(r);
  // 75000000 01 02 | 03 04 02000000 6431 06 03 07 <8> 0a crc | 09 crc
  size_t cell_crc_at = 4 + 1 + 1 + 1 + 5 + 2 + 2 + 9 + 1;
  CHECK(static_cast<uint8_t>(out[cell_crc_at]) == 0x4A);
  uint8_t without_op = Crc8U64(Crc8(0, "d1"), static_cast<uint64_t>(kTs));
  CHECK(without_op == 0xAE);
}

TEST_CASE("encode: AUTO_INCREMENT primary key cell") {
  Row r;
  r.primary_key = {Pk("id", Value::AutoIncrement())};
  std::string out = Encode(r);
  CHECK(HexEncode(out).find("0402000000696405010000000b0a6f") != std::string::npos);
  Row back;
  REQUIRE(DecodeRow(out, &back).ok());
  CheckRowsEqual(back, r);
}

TEST_CASE("decode: single-row fixtures, padded forms included") {
  struct Case {
    const char* name;
    const std::string* hex;
    Row (*make)();
  } cases[] = {{"a", &kA, RowA}, {"b", &kB, RowB}, {"c", &kC, RowC},
               {"d", &kD, RowD}, {"e", &kE, RowE}};
  for (const Case& tc : cases) {
    CAPTURE(tc.name);
    std::string bytes = Hex(*tc.hex);
    Row row;
    Status st = DecodeRow(bytes, &row);
    REQUIRE_MESSAGE(st.ok(), st.ToString());
    CheckRowsEqual(row, tc.make());
  }
}

TEST_CASE("decode: views point into the input buffer") {
  std::string bytes = Hex(kB);
  Row row;
  REQUIRE(DecodeRow(bytes, &row).ok());
  const char* lo = bytes.data();
  const char* hi = bytes.data() + bytes.size();
  for (const Cell& c : row.attributes) {
    CHECK(c.name.data() >= lo);
    CHECK(c.name.data() < hi);
  }
  CHECK(row.attributes[0].value->bytes.data() >= lo);
}

TEST_CASE("decode: multi-row buffer (g), empty and header-only buffers") {
  std::string bytes = Hex(kG);
  REQUIRE(bytes.size() == 124);
  std::vector<Row> rows;
  Status st = DecodeRows(bytes, &rows);
  REQUIRE_MESSAGE(st.ok(), st.ToString());
  REQUIRE(rows.size() == 2);
  Row want1 = RowA();
  want1.attributes = {Attr("v", Value::Integer(7))};
  Row want2;
  want2.primary_key = {Pk("pk", Value::String("b")), Pk("id", Value::Integer(2))};
  CheckRowsEqual(rows[0], want1);
  CheckRowsEqual(rows[1], want2);

  CHECK(DecodeRows("", &rows).ok());
  CHECK(rows.empty());
  CHECK(DecodeRows(Hex("75000000"), &rows).ok());
  CHECK(rows.empty());

  // Writing the same rows gives the same bytes.
  std::string out;
  RowWriter w(&out);
  w.AddRow(want1);
  w.BeginRow();
  w.AddPrimaryKeyCell("pk", Value::String("b"));
  w.AddPrimaryKeyCell("id", Value::Integer(2));
  w.EndRow();
  CHECK(w.rows() == 2);
  CHECK(w.bytes() == 124);
  CHECK(HexEncode(out) == kG);
}

TEST_CASE("writer: streaming cells equals EncodeRow") {
  std::string streamed;
  RowWriter w(&streamed);
  Row b = RowB();
  w.BeginRow();
  for (const Cell& c : b.primary_key) w.AddPrimaryKeyCell(c.name, *c.value);
  for (const Cell& c : b.attributes) w.AddAttributeCell(c.name, *c.value, c.timestamp);
  w.EndRow();
  CHECK(HexEncode(streamed) == kB);

  std::string ops;
  RowWriter w2(&ops);
  w2.BeginRow();
  w2.AddPrimaryKeyCell("pk", Value::String("a"));
  w2.AddPrimaryKeyCell("id", Value::Integer(1));
  w2.EndRow(/*delete_marker=*/true);
  CHECK(HexEncode(ops) == kD);

  std::string c;
  RowWriter w3(&c);
  Row rc = RowC();
  w3.BeginRow();
  for (const Cell& cell : rc.primary_key) w3.AddPrimaryKeyCell(cell.name, *cell.value);
  for (const Cell& cell : rc.attributes) w3.AddCell(cell);
  w3.EndRow();
  CHECK(HexEncode(c) == kC.substr(0, 2 * 131));
}

TEST_CASE("decode: reader reuse across rows keeps working") {
  std::string bytes = Hex(kG);
  RowReader reader(bytes);
  Row row;
  int n = 0;
  while (reader.Next(&row)) ++n;
  CHECK(reader.status().ok());
  CHECK(n == 2);
  CHECK(reader.offset() == bytes.size());
}

TEST_CASE("filter values (wire doc A.4 / B.2)") {
  struct Case {
    Value v;
    const char* hex;
  };
  const std::string dead = Hex("dead");
  const Case cases[] = {
      {Value::Integer(1), "000100000000000000"},
      {Value::String("a"), "030100000061"},
      {Value::Double(1.5), "01000000000000f83f"},
      {Value::Boolean(true), "0201"},
      {Value::Binary(dead), "0702000000dead"},
      {Value::String("abc"), "0303000000616263"},
      {Value::Integer(42), "002a00000000000000"},
      {Value::Boolean(false), "0200"},
  };
  for (const Case& tc : cases) {
    CAPTURE(tc.hex);
    std::string out;
    EncodeColumnValue(tc.v, &out);
    CHECK(HexEncode(out) == tc.hex);
    CHECK(out.size() == EncodedColumnValueSize(tc.v));
    Value back;
    REQUIRE(DecodeColumnValue(out, &back).ok());
    CHECK(ValueEq(back, tc.v));
  }
  Value v;
  CHECK(DecodeColumnValue(Hex("0001"), &v).code() == StatusCode::kCorruption);
  CHECK(DecodeColumnValue(Hex("0201ff"), &v).code() == StatusCode::kCorruption);
  CHECK(DecodeColumnValue("", &v).code() == StatusCode::kCorruption);
  CHECK(DecodeColumnValue(Hex("0305000000616263"), &v).code() == StatusCode::kCorruption);
  CHECK(DecodeColumnValue(Hex("42"), &v).code() == StatusCode::kCorruption);
}

TEST_CASE("round trip: edge values") {
  const std::string nul("a\0b", 3);
  const std::string utf8 = "\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80";  // 中文 😀
  const std::string big(70000, 'x');
  const double nan_bits = BitsToDouble(0x7ff8000000000123ULL);
  std::vector<Value> values = {
      Value::Integer(0),
      Value::Integer(-1),
      Value::Integer(std::numeric_limits<int64_t>::min()),
      Value::Integer(std::numeric_limits<int64_t>::max()),
      Value::Double(0.0),
      Value::Double(-0.0),
      Value::Double(nan_bits),
      Value::Double(std::numeric_limits<double>::infinity()),
      Value::Double(-std::numeric_limits<double>::denorm_min()),
      Value::Boolean(false),
      Value::Boolean(true),
      Value::String(""),
      Value::Binary(""),
      Value::String(nul),
      Value::Binary(nul),
      Value::String(utf8),
      Value::Binary(big),
  };
  Row r;
  r.primary_key = {Pk("k", Value::String(utf8)), Pk("k2", Value::Binary(nul))};
  std::deque<std::string> names;  // stable addresses: cells view them
  for (size_t i = 0; i < values.size(); ++i) {
    names.push_back("c" + std::to_string(i));
    std::optional<int64_t> ts;
    if (i % 3 == 0) ts = static_cast<int64_t>(i) * 1000;
    if (i == 1) ts = std::numeric_limits<int64_t>::max();
    r.attributes.push_back(Attr(names.back(), values[i], ts));
  }
  std::string out = Encode(r);
  Row back;
  Status st = DecodeRow(out, &back);
  REQUIRE_MESSAGE(st.ok(), st.ToString());
  CheckRowsEqual(back, r);
  // -0.0 keeps its sign bit on the wire.
  CHECK(HexEncode(out).find("01" "0000000000000080") != std::string::npos);

  // A row with no key cells and no attributes still round-trips.
  Row empty;
  std::string e = Encode(empty);
  CHECK(HexEncode(e) == "75000000010900");  // crc8(00) == 00
  REQUIRE(DecodeRow(e, &back).ok());
  CheckRowsEqual(back, empty);
}

TEST_CASE("malformed: truncation at every offset of (b) is Corruption") {
  std::string bytes = Hex(kB);
  Row row;
  for (size_t n = 0; n < bytes.size(); ++n) {
    CAPTURE(n);
    // A fresh heap copy of exactly n bytes so that ASan catches any over-read.
    std::unique_ptr<char[]> copy(new char[n == 0 ? 1 : n]);
    std::memcpy(copy.get(), bytes.data(), n);
    Status st = DecodeRow(std::string_view(copy.get(), n), &row);
    CHECK(st.code() == StatusCode::kCorruption);
    std::vector<Row> rows;
    // 4 bytes = a header-only buffer: zero rows, valid.
    if (n > 0 && n != 4) CHECK(DecodeRows(std::string_view(copy.get(), n), &rows).code() ==
                     StatusCode::kCorruption);
  }
}

TEST_CASE("malformed: flipped checksums and bytes") {
  std::string bytes = Hex(kB);
  Row row;
  // Cell checksum of "s" at offset 71, row checksum at 185.
  {
    std::string bad = bytes;
    bad[71] ^= 0x01;
    Status st = DecodeRow(bad, &row);
    CHECK(st.code() == StatusCode::kCorruption);
    CHECK(st.message().find("cell checksum mismatch") != std::string::npos);
    CHECK(st.message().find("offset 71") != std::string::npos);
    CHECK(st.message().find("\"s\"") != std::string::npos);
  }
  {
    std::string bad = bytes;
    bad[185] ^= 0x40;
    Status st = DecodeRow(bad, &row);
    CHECK(st.code() == StatusCode::kCorruption);
    CHECK(st.message().find("row checksum mismatch: stored 0x45, computed 0x05") !=
          std::string::npos);
  }
  {
    std::string bad = bytes;
    bad[0] = 0x76;
    Status st = DecodeRow(bad, &row);
    CHECK(st.code() == StatusCode::kCorruption);
    CHECK(st.message().find("invalid header") != std::string::npos);
  }
  {
    // Trailing non-zero junk after a single row.
    std::string bad = bytes + std::string("\0\x01", 2);
    Status st = DecodeRow(bad, &row);
    CHECK(st.code() == StatusCode::kCorruption);
    CHECK(st.message().find("offset 187") != std::string::npos);
  }
  {
    // Multi-row buffers tolerate no trailing bytes.
    std::vector<Row> rows;
    CHECK(DecodeRows(bytes + std::string(2, '\0'), &rows).code() == StatusCode::kCorruption);
  }
  // CRC8 detects every single-bit error in checksummed bytes, and tags and lengths are checked
  // structurally, so every flip fails, except inside the BOOLEAN byte at offset 131: like the
  // SDKs, any non-zero byte reads as true and is checksummed as 0x01 (wire doc B.6).
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      if (i == 131 && bit != 0) continue;
      std::string bad = bytes;
      bad[i] ^= static_cast<char>(1 << bit);
      Status st = DecodeRow(bad, &row);
      CAPTURE(i);
      CAPTURE(bit);
      CHECK(!st.ok());
    }
  }
  // Huge lengths must not be trusted.
  std::string huge = Hex("75000000010304ffffffff");
  CHECK(DecodeRow(huge, &row).code() == StatusCode::kCorruption);
  std::string huge_value = Hex("7500000001030401000000610520000000" "03ffffff7f");
  CHECK(DecodeRow(huge_value, &row).code() == StatusCode::kCorruption);
}

TEST_CASE("EncodedSize is exact for every shape") {
  for (Row (*make)() : {RowA, RowB, RowC, RowD, RowE}) {
    Row r = make();
    std::string out = "prefix";
    EncodeRow(r, &out);
    CHECK(out.size() == 6 + EncodedSize(r));
    CHECK(EncodedSize(r) == EncodedRowSize(r) + 4);
  }
}

}  // namespace
}  // namespace tsb::ots

namespace tsb::ots {
namespace {

TEST_CASE("malformed: random mutations never crash or over-read") {
  // A deterministic xorshift so failures reproduce; run under ASan in CI.
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  auto next = [&state]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const std::string seeds[] = {Hex(kB), Hex(kC), Hex(kE), Hex(kG)};
  Row row;
  std::vector<Row> rows;
  int decoded = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string buf = seeds[iter % 4];
    int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = next() % buf.size();
      switch (next() % 4) {
        case 0: buf[at] = static_cast<char>(next()); break;
        case 1: buf.resize(at); break;
        case 2: buf.insert(at, 1, static_cast<char>(next())); break;
        default: buf[at] = static_cast<char>(0xff); break;
      }
      if (buf.empty()) buf.push_back('\x75');
    }
    std::unique_ptr<char[]> copy(new char[buf.size()]);
    std::memcpy(copy.get(), buf.data(), buf.size());
    std::string_view view(copy.get(), buf.size());
    Status a = DecodeRow(view, &row);
    Status b = DecodeRows(view, &rows);
    if (a.ok() || b.ok()) ++decoded;
    if (!a.ok()) REQUIRE(a.code() == StatusCode::kCorruption);
    if (!b.ok()) REQUIRE(b.code() == StatusCode::kCorruption);
  }
  // Most mutations must be caught; a few survive (truncation to a whole row, BOOLEAN bytes).
  CHECK(decoded < 2000);
}

}  // namespace
}  // namespace tsb::ots

namespace tsb::ots {
namespace {

// DecodeRowWithValueCrcs takes well-formed rows on a fast path and leaves the rest to the general
// decoder; both must agree on every input: the same status (message included), the same cells
// viewing the same bytes, the same checksums.
void CheckSameAsGeneralDecoder(std::string_view data) {
  Row fast_row, general_row;
  std::vector<uint8_t> fast_crcs, general_crcs;
  size_t encoded_size = 0;
  Status fast = DecodeRowWithValueCrcs(data, &fast_row, &fast_crcs, &encoded_size);
  Status general = internal::DecodeRowWithValueCrcsGeneral(data, &general_row, &general_crcs);
  REQUIRE(fast.ok() == general.ok());
  REQUIRE(fast.ToString() == general.ToString());
  if (!fast.ok()) return;
  CheckRowsEqual(fast_row, general_row);
  for (size_t i = 0; i < fast_row.attributes.size(); ++i) {
    CHECK(fast_row.attributes[i].name.data() == general_row.attributes[i].name.data());
  }
  CHECK(fast_crcs == general_crcs);
  CHECK(encoded_size == EncodedSize(general_row));
}

// Seeds for the comparison: every cell shape the encoder writes, and the forms only a reader
// meets (a BOOLEAN byte other than 00/01, an extension, zero padding, a row without TAG_ROW_PK).
std::vector<std::string> FastPathSeeds() {
  std::vector<std::string> seeds;
  for (Row (*make)() : {RowA, RowB, RowC, RowD, RowE}) seeds.push_back(Encode(make()));
  seeds.push_back(Hex(kC));  // the SDK's padded form
  seeds.push_back(Hex(kE));
  Row flag;
  flag.primary_key = {Pk("k", Value::Integer(7))};
  Value null;
  null.type = ValueType::kNull;
  flag.attributes = {Attr("b", Value::Boolean(true), kTs), Attr("n", null)};
  std::string boolean = Encode(flag);
  // The boolean's byte is checksummed as 01 whatever it holds, so 02 keeps the row valid.
  const size_t at = boolean.find(std::string("\x05\x02\x00\x00\x00\x02\x01", 7));
  REQUIRE(at != std::string::npos);
  boolean[at + 6] = '\x02';
  seeds.push_back(boolean);
  std::string extension = Encode(RowB());
  extension.insert(extension.size() - 2, std::string("\x0b\x02\x00\x00\x00\x0c\x00", 7));
  seeds.push_back(extension);
  std::string no_pk_tag = Encode(RowB());
  REQUIRE(no_pk_tag[4] == '\x01');
  const size_t data_tag = no_pk_tag.find('\x02', 5);
  no_pk_tag.erase(4, data_tag - 4);  // the PK cells go with their tag; the row checksum then
  seeds.push_back(no_pk_tag);        // fails, which both must say the same way
  // Valid rows in forms the encoder does not write, so their size is not the bytes read: no
  // TAG_ROW_PK before attributes, and a TAG_ROW_DATA with no cell after it.
  Row keyless = RowB();
  keyless.primary_key.clear();
  std::string bare_data = Encode(keyless);
  REQUIRE(bare_data[4] == '\x01');
  bare_data.erase(4, 1);
  seeds.push_back(bare_data);
  std::string empty_data = Encode(RowA());
  empty_data.insert(empty_data.size() - 2, 1, '\x02');
  seeds.push_back(empty_data);
  return seeds;
}

TEST_CASE("decode: the fast path agrees with the general decoder on every seed and mutation") {
  const std::vector<std::string> seeds = FastPathSeeds();
  int accepted = 0;
  for (const std::string& seed : seeds) {
    CAPTURE(HexEncode(seed));
    Row row;
    if (DecodeRow(seed, &row).ok()) ++accepted;
    CheckSameAsGeneralDecoder(seed);
    CheckSameAsGeneralDecoder(seed + std::string(3, '\0'));
    CheckSameAsGeneralDecoder(seed + std::string("\0\0\x01", 3));
    for (size_t n = 0; n < seed.size(); ++n) CheckSameAsGeneralDecoder(seed.substr(0, n));
    // Lengths, prefixes and tags are not checksummed: every byte takes every edge value.
    for (size_t i = 0; i < seed.size(); ++i) {
      for (int delta : {1, -1, 0x80}) {
        std::string edited = seed;
        edited[i] = static_cast<char>(static_cast<uint8_t>(edited[i]) + delta);
        CheckSameAsGeneralDecoder(edited);
      }
      for (char byte : {'\0', '\x01', '\x05', '\x09', '\x0a', '\xff'}) {
        std::string edited = seed;
        edited[i] = byte;
        CheckSameAsGeneralDecoder(edited);
      }
    }
  }
  // All but the row without its key cells (whose row checksum no longer holds) decode.
  CHECK(accepted == static_cast<int>(seeds.size()) - 1);
}

}  // namespace
}  // namespace tsb::ots
