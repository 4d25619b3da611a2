// CSV's entry in the format registry.
#include "formats/csv/csv.h"

namespace tsb {

const FormatDescriptor kCsvFormat = {
    .name = "csv",
    .title = "CSV",
    .aliases = {},
    .extensions = {".csv", ".tsv"},
    .compressible = true,
    .why_not_compressible = "",
    .streams = true,
    .why_not_streamed = "",
    .slicing = Slicing::kLines,
    .header_lines = 1,
    .cr_ends_line = true,
    // A rejected line goes back in CSV, so that it can be fixed and exported again as it is.
    .rejects = RejectFormat::kCsv,
    .raw_records = true,
    .typed_values = false,
    .columns_per_record = false,
    // Every CSV value is text, so one string column holding the set value's text form is what a
    // column of that value's own type would have written.
    .mixed_values = MixedValues::kText,
    .apply_settings = nullptr,
    .open_stream_reader = OpenCsvReader,
    .open_stream_writer = OpenCsvWriter,
    .open_file_reader = nullptr,
    .open_file_writer = nullptr,
    .reject_field_names = CsvHeader,
    .takes_dialect = true,
    .tab_extension = ".tsv",
    .open_dialect_writer = OpenCsvDialectWriter,
};

}  // namespace tsb
