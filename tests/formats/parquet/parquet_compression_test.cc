#include <doctest/doctest.h>
#include <zlib.h>

#include <cstring>
#include <string>
#include <vector>

#include "formats/parquet/compression.h"

namespace tsb::parquet {
namespace {

const CompressionCodec kCodecs[] = {CompressionCodec::UNCOMPRESSED, CompressionCodec::SNAPPY,
                                    CompressionCodec::GZIP,         CompressionCodec::ZSTD,
                                    CompressionCodec::LZ4_RAW,      CompressionCodec::BROTLI};

std::vector<std::string> Inputs() {
  std::vector<std::string> inputs;
  inputs.emplace_back("");
  inputs.emplace_back("a");
  inputs.emplace_back(std::string("\0\0\0x\0", 5));
  std::string repetitive;
  for (int i = 0; i < 10000; ++i) repetitive += "orders-" + std::to_string(i % 17) + ";";
  inputs.push_back(repetitive);
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 70000; ++i) {
    x = x * 1103515245u + 12345u;
    noise.push_back(static_cast<char>(x >> 24));
  }
  inputs.push_back(noise);
  return inputs;
}

TEST_CASE("parquet compression: every codec round-trips") {
  for (CompressionCodec codec : kCodecs) {
    for (const std::string& in : Inputs()) {
      CAPTURE(CodecName(codec));
      CAPTURE(in.size());
      std::string compressed, back;
      REQUIRE(Compress(codec, in, &compressed).ok());
      Status s = Decompress(codec, compressed, in.size(), &back);
      REQUIRE_MESSAGE(s.ok(), s.ToString());
      CHECK(back == in);
    }
  }
}

TEST_CASE("parquet compression: every codec decompresses into one reused LargeBuffer") {
  // The reader's page buffer: refilled page after page, larger (past the 2 MiB at which it is
  // mapped) and smaller again, each page written over the last without a zero fill.
  std::vector<std::string> inputs = Inputs();
  std::string big;
  for (int i = 0; big.size() < (size_t{3} << 20); ++i) big += std::to_string(i * 2654435761u) + ",";
  inputs.insert(inputs.begin() + 3, big);
  inputs.push_back("short again");
  for (CompressionCodec codec : kCodecs) {
    CAPTURE(CodecName(codec));
    LargeBuffer page;
    for (const std::string& in : inputs) {
      CAPTURE(in.size());
      std::string compressed;
      REQUIRE(Compress(codec, in, &compressed).ok());
      Status s = Decompress(codec, compressed, in.size(), &page);
      REQUIRE_MESSAGE(s.ok(), s.ToString());
      CHECK(std::string_view(page) == in);
    }
    CHECK(page.capacity() >= big.size());
  }
}

TEST_CASE("parquet compression: wrong size and corrupt input are Corruption") {
  std::string in;
  for (int i = 0; i < 5000; ++i) in += "value " + std::to_string(i) + "\n";
  for (CompressionCodec codec : kCodecs) {
    CAPTURE(CodecName(codec));
    std::string compressed, back;
    REQUIRE(Compress(codec, in, &compressed).ok());
    // The page header claims one byte fewer / more than the stream holds.
    Status s = Decompress(codec, compressed, in.size() - 1, &back);
    CHECK(s.code() == StatusCode::kCorruption);
    CHECK(s.message().find(CodecName(codec)) != std::string::npos);
    s = Decompress(codec, compressed, in.size() + 1, &back);
    CHECK(s.code() == StatusCode::kCorruption);
    if (codec == CompressionCodec::UNCOMPRESSED) continue;
    // Truncated stream.
    s = Decompress(codec, std::string_view(compressed).substr(0, compressed.size() / 2), in.size(),
                   &back);
    CHECK(s.code() == StatusCode::kCorruption);
    // Garbage.
    std::string garbage(compressed.size(), '\xA5');
    s = Decompress(codec, garbage, in.size(), &back);
    CHECK(s.code() == StatusCode::kCorruption);
  }
  std::string back;
  Status s = Decompress(CompressionCodec::ZSTD, "x", kMaxDecompressedBytes + 1, &back);
  CHECK(s.code() == StatusCode::kCorruption);
  CHECK(Compress(CompressionCodec::LZO, "x", &back).code() == StatusCode::kNotSupported);
  CHECK(Decompress(CompressionCodec::LZ4, "x", 1, &back).code() == StatusCode::kNotSupported);
}

std::string ZlibWrap(const std::string& in, int window_bits) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST_CASE("parquet compression: GZIP accepts concatenated members and zlib streams") {
  std::string a = "first member, ", b = "second member";
  std::string two = ZlibWrap(a, 15 + 16) + ZlibWrap(b, 15 + 16);
  std::string back;
  Status s = Decompress(CompressionCodec::GZIP, two, a.size() + b.size(), &back);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(back == a + b);
  s = Decompress(CompressionCodec::GZIP, ZlibWrap(a, 15), a.size(), &back);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(back == a);
}

}  // namespace
}  // namespace tsb::parquet
