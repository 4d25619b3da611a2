// Test-side builder of tiny Parquet files, byte by byte from parquet.thrift and the compact
// protocol, so that parquet_reader_test.cc can make exactly the (damaged) files it needs: one
// flat column, one row group, one data page v1, no compression.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace tsb::testing {

class CompactWriter {
 public:
  std::string& out() { return out_; }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void ZigZag(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void Field(int16_t id, uint8_t type) {
    int16_t delta = id - last_;
    if (delta > 0 && delta <= 15) {
      out_.push_back(static_cast<char>((delta << 4) | type));
    } else {
      out_.push_back(static_cast<char>(type));
      ZigZag(id);
    }
    last_ = id;
  }
  void I32(int16_t id, int32_t v) { Field(id, 5), ZigZag(v); }
  void I64(int16_t id, int64_t v) { Field(id, 6), ZigZag(v); }
  void Bin(int16_t id, std::string_view s) {
    Field(id, 8);
    Varint(s.size());
    out_.append(s);
  }
  void BeginStruct(int16_t id) {
    Field(id, 12);
    stack_.push_back(last_);
    last_ = 0;
  }
  void BeginListElemStruct() {
    stack_.push_back(last_);
    last_ = 0;
  }
  void EndStruct() {
    out_.push_back(0);
    last_ = stack_.back();
    stack_.pop_back();
  }
  void List(int16_t id, uint8_t elem_type, uint32_t n) {
    Field(id, 9);
    if (n < 15) {
      out_.push_back(static_cast<char>((n << 4) | elem_type));
    } else {
      out_.push_back(static_cast<char>(0xf0 | elem_type));
      Varint(n);
    }
  }

 private:
  std::string out_;
  int16_t last_ = 0;
  std::vector<int16_t> stack_;
};

struct TinyColumn {
  int32_t physical = 2;     // INT64
  int32_t repetition = 0;   // REQUIRED
  int32_t type_length = 0;  // FLBA
  int32_t converted = -1;   // none
  int32_t num_values = 0;
  int32_t encoding = 0;  // PLAIN
  std::string page;      // page payload (levels + values), uncompressed
  // Damage knobs
  int32_t page_size_delta = 0;  // added to the page header's compressed size
};

inline std::string PageHeaderBytes(const TinyColumn& c) {
  CompactWriter w;
  w.I32(1, 0);  // DATA_PAGE
  w.I32(2, static_cast<int32_t>(c.page.size()));
  w.I32(3, static_cast<int32_t>(c.page.size()) + c.page_size_delta);
  w.BeginStruct(5);
  w.I32(1, c.num_values);
  w.I32(2, c.encoding);
  w.I32(3, 3);
  w.I32(4, 3);
  w.EndStruct();
  w.out().push_back(0);
  return w.out();
}

// A whole file: "PAR1", page header, page, footer, footer length, "PAR1".
inline std::string TinyParquetFile(const TinyColumn& c, std::string* header_out = nullptr) {
  std::string file = "PAR1";
  std::string header = PageHeaderBytes(c);
  if (header_out) *header_out = header;
  int64_t chunk_offset = static_cast<int64_t>(file.size());
  file += header;
  file += c.page;
  int64_t chunk_size = static_cast<int64_t>(header.size() + c.page.size());
  CompactWriter w;
  w.I32(1, 1);
  w.List(2, 12, 2);
  w.BeginListElemStruct();
  w.Bin(4, "schema");
  w.I32(5, 1);
  w.EndStruct();
  w.BeginListElemStruct();
  w.I32(1, c.physical);
  if (c.type_length) w.I32(2, c.type_length);
  w.I32(3, c.repetition);
  w.Bin(4, "v");
  if (c.converted >= 0) w.I32(6, c.converted);
  w.EndStruct();
  w.I64(3, c.num_values);
  w.List(4, 12, 1);
  w.BeginListElemStruct();
  w.List(1, 12, 1);
  w.BeginListElemStruct();
  w.I64(2, chunk_offset);
  w.BeginStruct(3);
  w.I32(1, c.physical);
  w.List(2, 5, 1);
  w.ZigZag(c.encoding);
  w.List(3, 8, 1);
  w.Varint(1);
  w.out().push_back('v');
  w.I32(4, 0);
  w.I64(5, c.num_values);
  w.I64(6, chunk_size);
  w.I64(7, chunk_size);
  w.I64(9, chunk_offset);
  w.EndStruct();
  w.EndStruct();  // ColumnChunk
  w.I64(2, chunk_size);
  w.I64(3, c.num_values);
  w.EndStruct();         // RowGroup
  w.out().push_back(0);  // FileMetaData stop
  file += w.out();
  uint32_t len = static_cast<uint32_t>(w.out().size());
  char lenb[4];
  std::memcpy(lenb, &len, 4);
  file.append(lenb, 4);
  file += "PAR1";
  return file;
}

}  // namespace tsb::testing
