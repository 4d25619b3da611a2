// JSON Lines reader and writer: one flat JSON object per line.
//
// Reader: lines end with LF (a CR before it is dropped); blank lines are skipped. Each line is
// parsed by a hand-written RFC 8259 parser for one object (escapes and \u surrogate pairs decoded,
// numbers kept as their text so 64-bit integers stay exact). Keys are matched to
// ReaderOptions::columns by exact name; a missing key or null is NULL, other keys are ignored (a
// repeated key: the last wins). Conversion by the column's type:
//   integers  a number without fraction/exponent, or a string of digits
//   double/float  a number, or a string "NaN", "Infinity", "-Infinity" (any value_text form)
//   boolean   true / false (or the strings / numbers value_text accepts)
//   string    a string; a number or true/false keeps its JSON text; an object {"base64": "..."}
//             is decoded (the bytes must be UTF-8); another object or array keeps its JSON text
//   binary    a base64 string, or {"base64": "..."}
//   decimal, date, datetime, timestamp  a string (or a number for decimals) in the value_text forms
// With no columns requested, the schema is inferred from the first lines (up to 1000 or the first
// MiB): keys in order of first appearance; bigint when every value is an integral number that
// fits, double when numbers are mixed or fractional, boolean, else string (and string for keys
// that were only null). Keys first seen later are ignored.
// Rejects (RowBatch::rejects(), position = physical line, 1-based):
//   TSB_BAD_JSON   the line is not one JSON object (raw = the line)
//   TSB_BAD_VALUE  a value that does not convert to its column's type
//   TSB_BAD_UTF8   a string value that is not valid UTF-8
// For TSB_BAD_VALUE / TSB_BAD_UTF8, `fields` holds the schema columns' values as read (strings
// decoded, other values as JSON text, missing/null as nullopt).
//
// Writer: keys in schema order, no spaces, LF after each object. 64-bit integers as exact JSON
// numbers; doubles/floats as shortest numbers ("3.0", "1e+21"), NaN/Infinity/-Infinity as strings;
// binary as a base64 string; decimal, date, datetime/timestamp as strings in the value_text forms;
// a string value that is not valid UTF-8 as {"base64": "..."}.
#pragma once

#include <memory>

#include "tsbridge/status.h"
#include "core/text_io.h"
#include "formats/format.h"

namespace tsb {

Result<std::unique_ptr<BatchReader>> OpenJsonlReader(const ReaderOptions& options,
                                                     std::unique_ptr<InputStream> input);
Result<std::unique_ptr<BatchWriter>> OpenJsonlWriter(const Schema& schema,
                                                     std::unique_ptr<OutputStream> output);

// Its entry in the format registry (registry.cc).
extern const FormatDescriptor kJsonlFormat;

}  // namespace tsb
