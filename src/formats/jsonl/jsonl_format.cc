// JSON Lines' entry in the format registry.
#include "formats/jsonl/jsonl.h"

namespace tsb {

const FormatDescriptor kJsonlFormat = {
    .name = "jsonl",
    .title = "JSON Lines",
    .aliases = {"ndjson", "json-lines"},
    .extensions = {".jsonl", ".ndjson"},
    .compressible = true,
    .why_not_compressible = "",
    .streams = true,
    .why_not_streamed = "",
    .slicing = Slicing::kLines,
    .header_lines = 0,
    .cr_ends_line = false,  // lines end with LF (a CR before it is dropped); a lone CR is data
    .rejects = RejectFormat::kJsonl,
    .raw_records = true,
    .typed_values = false,
    // Each line names its own keys; the reader infers them from the first lines.
    .columns_per_record = true,
    .mixed_values = MixedValues::kJson,
    .apply_settings = nullptr,
    .open_stream_reader = OpenJsonlReader,
    .open_stream_writer = OpenJsonlWriter,
    .open_file_reader = nullptr,
    .open_file_writer = nullptr,
    .reject_field_names = nullptr,
};

}  // namespace tsb
