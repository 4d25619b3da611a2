// Parquet's entry in the format registry, and its writer settings.
#include <cstdint>

#include "core/ascii.h"
#include "formats/parquet/parquet.h"
#include "tsbridge/job_spec.h"

namespace tsb {

namespace {

// DuckDB's default row group (122,880 rows): what dataset readers expect, and the bound on what
// the writer buffers.
constexpr int64_t kDefaultRowGroupRows = 122880;

Result<ParquetCompression> ParseCodec(const std::string& given, const std::string& where) {
  const std::string name = AsciiLower(given);
  if (name.empty() || name == "snappy") return ParquetCompression::kSnappy;
  if (name == "zstd") return ParquetCompression::kZstd;
  if (name == "gzip") return ParquetCompression::kGzip;
  if (name == "lz4_raw") return ParquetCompression::kLz4Raw;
  if (name == "brotli") return ParquetCompression::kBrotli;
  if (name == "none") return ParquetCompression::kUncompressed;
  std::string list;
  for (std::string_view n : kParquetCodecNames) list += (list.empty() ? "" : ", ") + std::string(n);
  return Status::InvalidArgument(where + ": unknown Parquet codec \"" + name +
                                 "\"; expected one of " + list);
}

Status ApplySettings(const WriterSettings& settings, WriterOptions* writer) {
  TSB_ASSIGN_OR_RETURN(writer->parquet_compression,
                       ParseCodec(settings.codec, settings.codec_where));
  writer->row_group_rows =
      settings.row_group_rows > 0 ? settings.row_group_rows : kDefaultRowGroupRows;
  return Status::OK();
}

}  // namespace

const FormatDescriptor kParquetFormat = {
    .name = "parquet",
    .title = "Parquet",
    .aliases = {},
    .extensions = {".parquet", ""},
    .compressible = false,
    .why_not_compressible = "compresses its pages inside and is never compressed as a whole",
    .streams = false,
    .why_not_streamed = "is read from its footer backwards",
    .slicing = Slicing::kRowRanges,
    .header_lines = 0,
    .cr_ends_line = false,
    // A rejected row has no text of its own to keep; its values go out typed, as JSON.
    .rejects = RejectFormat::kJsonl,
    .raw_records = false,
    .typed_values = true,
    .columns_per_record = false,
    .mixed_values = MixedValues::kColumns,
    .apply_settings = ApplySettings,
    .open_stream_reader = nullptr,
    .open_stream_writer = nullptr,
    .open_file_reader = OpenParquetReader,
    .open_file_writer = OpenParquetWriter,
    .reject_field_names = nullptr,
    .open_resumable_file_writer = OpenResumableParquetWriter,
};

}  // namespace tsb
