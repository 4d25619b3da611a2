// CSV (RFC 4180) reader and writer.
//
// Dialect (TextDialect, ReaderOptions / WriterOptions::dialect): by default delimiter ',', quote
// '"', a quote inside a quoted field doubled, a header row
// naming the columns, records ended by LF, CRLF or a lone CR (the last one may have none), a UTF-8
// BOM at the very start skipped. Leading and trailing spaces are data. An unquoted empty field is
// NULL; a quoted empty field ("") is the empty string. A quote inside an unquoted field is taken
// literally (as DuckDB does). A record consisting of an empty line is skipped when the header has
// more than one column (for one column it is a NULL).
//
// Reader: ReaderOptions::columns selects and converts columns by header name (each must be in the
// header: InvalidArgument otherwise); the others are split but never converted. With no columns,
// every header column is read as a string. Values are parsed in the text forms of
// core/value_text.h. A record that cannot become a row is not fatal: it goes to
// RowBatch::rejects() with the physical line where it starts (header = line 1) and
//   TSB_FIELD_COUNT  more or fewer fields than the header (raw = the record's text)
//   TSB_BAD_QUOTE    text after a closing quote, or a quote never closed before the end of
//                    the input (raw = the record's text, to the end of the input)
//   TSB_BAD_VALUE    a selected field that does not parse as its column's type
//   TSB_BAD_UTF8     a string field that is not valid UTF-8
// For TSB_BAD_VALUE / TSB_BAD_UTF8, `fields` holds every field of the record in header order
// (CsvHeader() names them), NULL as nullopt. RowBatch::positions() holds each row's line.
// Memory: one input buffer of 1 MiB that grows only to hold the longest record.
//
// Other dialects: any one-byte delimiter and quote. An escape other than the quote makes the
// next byte data inside a quoted field (`\"`, `\\`); outside quotes it is data itself (as
// DuckDB reads it). With a null text (`\N`), an unquoted field of exactly that text is NULL, and
// an unquoted empty field is the empty string; a quoted one is always its text. Without a header,
// the file's columns are ReaderOptions::dialect.columns in order (the spec's), or, with none,
// column0, column1, ... as DuckDB names them; every record then counts, and the first is line 1.
// When the header lacks a wanted column but splitting it at ';', '\t', '|' or ',' instead would
// find them all, the error says so ("the header looks ';'-separated: give --delimiter ';' ...").
//
// Writer: a header row (unless header is false), then one line per row ended by LF. A field is
// quoted when it contains
// ',', '"', CR or LF, when it is the empty string (written ""), and a header name starting with a
// BOM; NULL is an empty unquoted field (the null text, unquoted; a value equal to it is quoted).
// With an escape other than the quote, quotes and escapes inside quoted fields are preceded by
// it. Values in the text forms of core/value_text.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/text_io.h"
#include "formats/format.h"
#include "tsbridge/status.h"

namespace tsb {

// `input` is positioned at the start of the file; `options.path` names it in messages.
Result<std::unique_ptr<BatchReader>> OpenCsvReader(const ReaderOptions& options,
                                                   std::unique_ptr<InputStream> input);
// The header names of a reader made by OpenCsvReader (the names of RejectedRecord::fields).
const std::vector<std::string>& CsvHeader(const BatchReader& csv_reader);

Result<std::unique_ptr<BatchWriter>> OpenCsvWriter(const Schema& schema,
                                                   std::unique_ptr<OutputStream> output);
Result<std::unique_ptr<BatchWriter>> OpenCsvDialectWriter(const Schema& schema,
                                                          const TextDialect& dialect,
                                                          std::unique_ptr<OutputStream> output);

// Its entry in the format registry (registry.cc).
extern const FormatDescriptor kCsvFormat;

}  // namespace tsb
