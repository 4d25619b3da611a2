#include "formats/parquet/compression.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <snappy-sinksource.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>

namespace tsb::parquet {
namespace {

// zstd level 3 is zstd's own default and DuckDB's; brotli quality 5 trades a little size for a
// compressor that is ~20x faster than the library default (11).
constexpr int kZstdLevel = 3;
constexpr int kBrotliQuality = 5;
constexpr int kGzipLevel = 6;  // zlib's default

// Two byte ranges read as one, for snappy's streaming compressor (which produces exactly what
// RawCompress produces for the concatenation).
class TwoPieceSource final : public snappy::Source {
 public:
  TwoPieceSource(std::string_view first, std::string_view second)
      : first_(first), second_(second) {}
  size_t Available() const override { return first_.size() + second_.size(); }
  const char* Peek(size_t* len) override {
    if (!first_.empty()) {
      *len = first_.size();
      return first_.data();
    }
    *len = second_.size();
    return second_.data();
  }
  void Skip(size_t n) override {
    const size_t from_first = std::min(n, first_.size());
    first_.remove_prefix(from_first);
    second_.remove_prefix(n - from_first);
  }

 private:
  std::string_view first_;
  std::string_view second_;
};

Status CorruptionError(CompressionCodec codec, std::string_view what) {
  return Status::Corruption(std::string(CodecName(codec)) + " page: " + std::string(what));
}

Status SizeMismatch(CompressionCodec codec, size_t got, size_t want) {
  return CorruptionError(codec, "decompressed to " + std::to_string(got) +
                                    " bytes, page header says " + std::to_string(want));
}

// Sizes a compression's output to the codec's bound before it writes there and shrinks it to what
// was produced. A std::string zero-fills what it grows by, and the bound exceeds the last page's
// compressed size, so with a string each page paid a memset over most of its size; a LargeBuffer
// grows geometrically and leaves new bytes as they are.
void SizeForOutput(std::string* out, size_t n) { out->resize(n); }
void SizeForOutput(LargeBuffer* out, size_t n) {
  out->ReserveDiscarding(n);
  out->resize(n);
}

template <typename Buffer>
Status GzipCompress(std::string_view in, Buffer* out) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  // windowBits 15 + 16 selects the gzip wrapper.
  if (deflateInit2(&zs, kGzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("GZIP: deflateInit2 failed");
  }
  uLong bound = deflateBound(&zs, static_cast<uLong>(in.size()));
  SizeForOutput(out, bound);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  int rc = deflate(&zs, Z_FINISH);
  size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END)
    return Status::Internal("GZIP: deflate did not finish (" + std::to_string(rc) + ")");
  out->resize(produced);
  return Status::OK();
}

// Sizes a decompression's output, whose old bytes are overwritten: a LargeBuffer grows
// geometrically and without copying them. Its data() is never null, even for an empty page, as
// zlib refuses a null output.
void SizeFor(std::string* out, size_t n) { out->resize(n); }
void SizeFor(LargeBuffer* out, size_t n) {
  out->ReserveDiscarding(std::max<size_t>(n, 1));
  out->resize(n);
}

template <typename Buffer>
Status GzipDecompress(std::string_view in, size_t uncompressed_size, Buffer* out) {
  const CompressionCodec codec = CompressionCodec::GZIP;
  SizeFor(out, uncompressed_size);
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  // windowBits 15 + 32: detect gzip or zlib headers automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("GZIP: inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  Status status;
  while (true) {
    int rc = inflate(&zs, Z_FINISH);
    if (rc == Z_STREAM_END) {
      // Another member may follow (concatenated gzip); trailing zero padding is tolerated.
      bool only_padding = true;
      for (uInt i = 0; i < zs.avail_in; ++i) {
        if (zs.next_in[i] != 0) {
          only_padding = false;
          break;
        }
      }
      if (zs.avail_in == 0 || only_padding) break;
      if (inflateReset(&zs) != Z_OK) {
        status = Status::Internal("GZIP: inflateReset failed");
        break;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) {
      status = CorruptionError(codec, "decompresses to more than the page header's " +
                                          std::to_string(uncompressed_size) + " bytes");
    } else if (rc == Z_BUF_ERROR) {
      status = CorruptionError(codec, "truncated stream");
    } else {
      status =
          CorruptionError(codec, std::string("bad stream: ") + (zs.msg ? zs.msg : "inflate error"));
    }
    break;
  }
  // total_out restarts at each member (inflateReset); the output position is authoritative.
  size_t produced = static_cast<size_t>(reinterpret_cast<char*>(zs.next_out) - out->data());
  inflateEnd(&zs);
  TSB_RETURN_IF_ERROR(status);
  if (produced != uncompressed_size) return SizeMismatch(codec, produced, uncompressed_size);
  return Status::OK();
}

}  // namespace

std::string_view CodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::UNCOMPRESSED:
      return "UNCOMPRESSED";
    case CompressionCodec::SNAPPY:
      return "SNAPPY";
    case CompressionCodec::GZIP:
      return "GZIP";
    case CompressionCodec::LZO:
      return "LZO";
    case CompressionCodec::BROTLI:
      return "BROTLI";
    case CompressionCodec::LZ4:
      return "LZ4";
    case CompressionCodec::ZSTD:
      return "ZSTD";
    case CompressionCodec::LZ4_RAW:
      return "LZ4_RAW";
  }
  return "codec(unknown)";
}

CompressionCodec ToCodec(ParquetCompression compression) {
  switch (compression) {
    case ParquetCompression::kUncompressed:
      return CompressionCodec::UNCOMPRESSED;
    case ParquetCompression::kSnappy:
      return CompressionCodec::SNAPPY;
    case ParquetCompression::kGzip:
      return CompressionCodec::GZIP;
    case ParquetCompression::kZstd:
      return CompressionCodec::ZSTD;
    case ParquetCompression::kLz4Raw:
      return CompressionCodec::LZ4_RAW;
    case ParquetCompression::kBrotli:
      return CompressionCodec::BROTLI;
  }
  return CompressionCodec::UNCOMPRESSED;
}

namespace {

template <typename Buffer>
Status CompressInto(CompressionCodec codec, std::string_view in, Buffer* out) {
  switch (codec) {
    case CompressionCodec::UNCOMPRESSED:
      SizeForOutput(out, in.size());
      if (!in.empty()) std::memcpy(out->data(), in.data(), in.size());
      return Status::OK();
    case CompressionCodec::SNAPPY: {
      SizeForOutput(out, snappy::MaxCompressedLength(in.size()));
      size_t produced = 0;
      snappy::RawCompress(in.data(), in.size(), out->data(), &produced);
      out->resize(produced);
      return Status::OK();
    }
    case CompressionCodec::GZIP:
      return GzipCompress(in, out);
    case CompressionCodec::ZSTD: {
      SizeForOutput(out, ZSTD_compressBound(in.size()));
      size_t rc = ZSTD_compress(out->data(), out->size(), in.data(), in.size(), kZstdLevel);
      if (ZSTD_isError(rc)) return Status::Internal(std::string("ZSTD: ") + ZSTD_getErrorName(rc));
      out->resize(rc);
      return Status::OK();
    }
    case CompressionCodec::LZ4_RAW: {
      if (in.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
        return Status::InvalidArgument("LZ4_RAW: page of " + std::to_string(in.size()) +
                                       " bytes exceeds LZ4's input limit");
      }
      int bound = LZ4_compressBound(static_cast<int>(in.size()));
      SizeForOutput(out, static_cast<size_t>(bound));
      int rc = LZ4_compress_default(in.data(), out->data(), static_cast<int>(in.size()), bound);
      if (rc <= 0 && !in.empty()) return Status::Internal("LZ4_RAW: compression failed");
      out->resize(static_cast<size_t>(rc));
      return Status::OK();
    }
    case CompressionCodec::BROTLI: {
      size_t produced = BrotliEncoderMaxCompressedSize(in.size());
      if (produced == 0) produced = in.size() + 1024;  // 0 means "too large to bound"
      SizeForOutput(out, produced);
      if (!BrotliEncoderCompress(kBrotliQuality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC,
                                 in.size(), reinterpret_cast<const uint8_t*>(in.data()), &produced,
                                 reinterpret_cast<uint8_t*>(out->data()))) {
        return Status::Internal("BROTLI: compression failed");
      }
      out->resize(produced);
      return Status::OK();
    }
    case CompressionCodec::LZO:
    case CompressionCodec::LZ4:
      break;
  }
  return Status::NotSupported("compression codec " + std::string(CodecName(codec)) +
                              " is not supported");
}

template <typename Buffer>
Status CompressPieces(CompressionCodec codec, std::string_view first, std::string_view second,
                      Buffer* out, std::string* scratch) {
  if (first.empty()) return CompressInto(codec, second, out);
  if (codec == CompressionCodec::SNAPPY) {
    SizeForOutput(out, snappy::MaxCompressedLength(first.size() + second.size()));
    TwoPieceSource source(first, second);
    snappy::UncheckedByteArraySink sink(out->data());
    out->resize(snappy::Compress(&source, &sink));
    return Status::OK();
  }
  scratch->assign(first.data(), first.size());
  scratch->append(second.data(), second.size());
  return CompressInto(codec, *scratch, out);
}

template <typename Buffer>
Status DecompressInto(CompressionCodec codec, std::string_view in, size_t uncompressed_size,
                      Buffer* out) {
  if (uncompressed_size > kMaxDecompressedBytes) {
    return CorruptionError(codec, "page header claims " + std::to_string(uncompressed_size) +
                                      " uncompressed bytes (limit " +
                                      std::to_string(kMaxDecompressedBytes) + ")");
  }
  switch (codec) {
    case CompressionCodec::UNCOMPRESSED:
      if (in.size() != uncompressed_size) return SizeMismatch(codec, in.size(), uncompressed_size);
      SizeFor(out, in.size());
      if (!in.empty()) std::memcpy(out->data(), in.data(), in.size());
      return Status::OK();
    case CompressionCodec::SNAPPY: {
      size_t length = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &length)) {
        return CorruptionError(codec, "bad length preamble");
      }
      if (length != uncompressed_size) return SizeMismatch(codec, length, uncompressed_size);
      SizeFor(out, length);
      if (!snappy::RawUncompress(in.data(), in.size(), out->data())) {
        return CorruptionError(codec, "bad compressed data");
      }
      return Status::OK();
    }
    case CompressionCodec::GZIP:
      return GzipDecompress(in, uncompressed_size, out);
    case CompressionCodec::ZSTD: {
      SizeFor(out, uncompressed_size);
      size_t rc = ZSTD_decompress(out->data(), out->size(), in.data(), in.size());
      if (ZSTD_isError(rc)) {
        if (ZSTD_getErrorCode(rc) == ZSTD_error_dstSize_tooSmall) {
          return CorruptionError(codec, "decompresses to more than the page header's " +
                                            std::to_string(uncompressed_size) + " bytes");
        }
        return CorruptionError(codec, ZSTD_getErrorName(rc));
      }
      if (rc != uncompressed_size) return SizeMismatch(codec, rc, uncompressed_size);
      return Status::OK();
    }
    case CompressionCodec::LZ4_RAW: {
      if (in.size() > static_cast<size_t>(INT_MAX)) return CorruptionError(codec, "page too large");
      SizeFor(out, uncompressed_size);
      int rc = LZ4_decompress_safe(in.data(), out->data(), static_cast<int>(in.size()),
                                   static_cast<int>(uncompressed_size));
      if (rc < 0) return CorruptionError(codec, "bad block (or larger than the page header says)");
      if (static_cast<size_t>(rc) != uncompressed_size) {
        return SizeMismatch(codec, static_cast<size_t>(rc), uncompressed_size);
      }
      return Status::OK();
    }
    case CompressionCodec::BROTLI: {
      SizeFor(out, uncompressed_size);
      size_t produced = uncompressed_size;
      BrotliDecoderResult rc =
          BrotliDecoderDecompress(in.size(), reinterpret_cast<const uint8_t*>(in.data()), &produced,
                                  reinterpret_cast<uint8_t*>(out->data()));
      if (rc != BROTLI_DECODER_RESULT_SUCCESS) {
        return CorruptionError(codec, rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT
                                          ? "decompresses to more than the page header's " +
                                                std::to_string(uncompressed_size) + " bytes"
                                          : std::string("bad or truncated stream"));
      }
      if (produced != uncompressed_size) return SizeMismatch(codec, produced, uncompressed_size);
      return Status::OK();
    }
    case CompressionCodec::LZO:
    case CompressionCodec::LZ4:
      break;
  }
  return Status::NotSupported("compression codec " + std::string(CodecName(codec)) +
                              " is not supported");
}

}  // namespace

Status Compress(CompressionCodec codec, std::string_view in, std::string* out) {
  return CompressInto(codec, in, out);
}
Status Compress(CompressionCodec codec, std::string_view in, LargeBuffer* out) {
  return CompressInto(codec, in, out);
}
Status Compress(CompressionCodec codec, std::string_view first, std::string_view second,
                std::string* out, std::string* scratch) {
  return CompressPieces(codec, first, second, out, scratch);
}
Status Compress(CompressionCodec codec, std::string_view first, std::string_view second,
                LargeBuffer* out, std::string* scratch) {
  return CompressPieces(codec, first, second, out, scratch);
}

Status Decompress(CompressionCodec codec, std::string_view in, size_t uncompressed_size,
                  std::string* out) {
  return DecompressInto(codec, in, uncompressed_size, out);
}

Status Decompress(CompressionCodec codec, std::string_view in, size_t uncompressed_size,
                  LargeBuffer* out) {
  return DecompressInto(codec, in, uncompressed_size, out);
}

}  // namespace tsb::parquet
