// Page compression for Parquet: one switch each way over parquet-format's CompressionCodec.
//
// Used by the column writer (Compress, per data and dictionary page) and the column reader
// (Decompress, per page). Codecs and their framing:
//   UNCOMPRESSED  the bytes as they are
//   SNAPPY        raw snappy block (no framing format)
//   GZIP          gzip members (RFC 1952); Decompress also accepts several concatenated members
//                 and zlib (RFC 1950) streams, which some writers produce under this codec
//   ZSTD          one or more zstd frames
//   LZ4_RAW       one raw LZ4 block (no frame, no size prefix)
//   BROTLI        a brotli stream
// LZO and the Hadoop-framed LZ4 codec are NotSupported.
//
// Decompress trusts nothing: the result must be exactly `uncompressed_size` bytes (the page
// header's figure) and at most kMaxDecompressedBytes, or it fails with Corruption naming the codec.
// Both functions are thread-safe and reuse `out`'s capacity.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "formats/format.h"
#include "formats/parquet/large_buffer.h"
#include "formats/parquet/parquet_types.h"
#include "tsbridge/status.h"

namespace tsb::parquet {

// Largest page Decompress will allocate for: a Parquet page size is an i32, and no writer we know
// goes near 1 GiB per page; anything above is a corrupt header.
inline constexpr size_t kMaxDecompressedBytes = size_t{1} << 30;

// Replaces *out with `in` compressed by `codec`.
// The writer's page buffer is a LargeBuffer: the codec's bound is reserved without a zero fill.
Status Compress(CompressionCodec codec, std::string_view in, std::string* out);
Status Compress(CompressionCodec codec, std::string_view in, LargeBuffer* out);

// Replaces *out with `first` followed by `second`, compressed by `codec`: what Compress gives
// for their concatenation, without concatenating them first where the codec can read pieces.
Status Compress(CompressionCodec codec, std::string_view first, std::string_view second,
                std::string* out, std::string* scratch);
Status Compress(CompressionCodec codec, std::string_view first, std::string_view second,
                LargeBuffer* out, std::string* scratch);

// Replaces *out with the `uncompressed_size` bytes that `in` decompresses to. The reader's page
// buffer is a LargeBuffer: the page is written over it, so its old bytes need no copy when it
// grows and its new ones no zero fill.
Status Decompress(CompressionCodec codec, std::string_view in, size_t uncompressed_size,
                  std::string* out);
Status Decompress(CompressionCodec codec, std::string_view in, size_t uncompressed_size,
                  LargeBuffer* out);

// The codec's parquet-format name ("SNAPPY"), for messages.
std::string_view CodecName(CompressionCodec codec);

// The on-disk codec for the writer option.
CompressionCodec ToCodec(ParquetCompression compression);

}  // namespace tsb::parquet
