// The job spec: the JSON document shared by import, export, describe and auth.
//
//   { "tablestore": { "endpoint": "http://127.0.0.1:8800", "instance": "demo",
//                     "table": "ots_tpch_orders", "region": "cn-hangzhou",
//                     "role_arn": "acs:ram::1234567890123456:role/aliyunodpsdefaultrole",
//                     "sts_endpoint": "http://127.0.0.1:8800" },
//     "columns": [ {"name": "odps_orderkey", "type": "bigint"},
//                  {"name": "ts", "type": "timestamp", "ticks_unit": "micros"}, ... ],
//     "mapping": ":o_orderkey, ts, ...",
//     "file": {"path": "orders.parquet", "format": "parquet"} }
//
// `tablestore.location` ("tablestore://INSTANCE.REGION.ots-internal.aliyuncs.com") may replace
// endpoint + instance (endpoint https://HOST, instance = the first label of HOST). Region comes
// from `tablestore.region`, else from an endpoint host INSTANCE.REGION.ots[-internal].aliyuncs.com,
// else stays empty. Unknown keys are errors. `file.format` defaults from the path's extension
// (.parquet, .csv, .csv.gz, .csv.zst, .jsonl, .jsonl.gz, .jsonl.zst). Everything is checked here,
// before any request; errors are InvalidArgument whose message starts with the JSON path
// ("columns[2].type: unknown type \"bigin\"; expected one of ...").
//
// Overrides from the command line (--endpoint, TSBRIDGE_ENDPOINT, --output) are the caller's:
// the struct is plain data.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tsbridge/mapping.h"
#include "tsbridge/status.h"
#include "tsbridge/types.h"

namespace tsb {

// Deepest nesting of JSON arrays and objects a spec may have (the root object is level 1);
// deeper is refused with the JSON path where it went too deep (decisions 11).
inline constexpr size_t kMaxSpecNesting = 256;

struct TablestoreSpec {
  std::string endpoint;  // "http://127.0.0.1:8800", no trailing '/'
  std::string instance;
  std::string table;
  std::string location;       // as written, empty when endpoint + instance were given
  std::string region;         // given or derived from the endpoint host; empty = unknown
  bool region_given = false;  // true when `tablestore.region` was in the spec
  std::string role_arn;       // validated (acs:ram::<digits>:role/<name>); empty = none
  std::string role_account;   // the <digits> of role_arn
  std::string role_name;      // the <name> of role_arn
  std::string sts_endpoint;   // empty = none
};

// The dialect of a delimited text file (CSV, TSV). The defaults are RFC 4180's.
struct TextDialect {
  char delimiter = ',';
  bool header = true;  // false: the file's columns are the spec's, in the spec's order
  char quote = '"';
  // Inside a quoted field, the byte before a quote (or itself) that makes it data. Equal to
  // `quote`: a quote is doubled (RFC 4180).
  char escape = '"';
  std::string null_text;  // an unquoted field of exactly this text is NULL ("" by default)
  // Without a header: the names of the file's columns, in order (the spec's columns).
  std::vector<std::string> columns;

  bool rfc4180() const {
    return delimiter == ',' && quote == '"' && escape == '"' && null_text.empty();
  }
};

// Dialect options as written in the spec's `file` object or on the command line; unset = not
// given. Checked and applied by ApplyDialectSettings.
struct DialectSettings {
  std::optional<std::string> delimiter, quote, escape, null_text, encoding;
  std::optional<bool> header;
  bool any() const {
    return delimiter || quote || escape || null_text || encoding || header.has_value();
  }
};

// Checks `settings` and applies the given ones to `dialect`. `prefix` names them in errors:
// "file." (JSON paths: "file.delimiter: ...") or "--" (flags: "--delimiter: ..."). A delimiter,
// quote or escape is one byte; "\t" and "tab" mean a tab. The encoding must be UTF-8.
Status ApplyDialectSettings(const DialectSettings& settings, std::string_view prefix,
                            TextDialect* dialect);

struct FileSpec {
  std::string path;
  std::string format;         // "parquet", "csv" or "jsonl"
  std::string compression;    // "", "gzip" (.gz) or "zstd" (.zst); text formats only
  bool format_given = false;  // `file.format` was written (else taken from the extension)
  // Parquet output settings (import): `file.compression`, the page codec (one of
  // kParquetCodecNames; empty = snappy), and `file.row_group_rows` (0 = 122,880, DuckDB's).
  std::string parquet_codec;
  int64_t row_group_rows = 0;
  // CSV: file.delimiter, header, quote, escape, null, encoding (checked; refused for the other
  // formats).
  DialectSettings dialect;
};

// The Parquet page codecs that `file.compression` and `import --compression` name.
inline constexpr std::string_view kParquetCodecNames[] = {"snappy",  "zstd",   "gzip",
                                                          "lz4_raw", "brotli", "none"};

struct JobSpec {
  TablestoreSpec tablestore;
  // The spec's columns with their types (ticks_unit in DataType::unit; millis by default).
  std::vector<Field> columns;
  std::string mapping_text;
  ColumnMapping mapping;
  std::optional<FileSpec> file;  // absent when the spec has no "file"

  // The columns as a Schema (the schema of the batches that import writes and export reads).
  Schema schema() const { return Schema(columns); }
  // Index of the spec column named `name` (exact), or -1.
  int FindColumn(std::string_view name) const;
};

struct JobSpecOptions {
  // Whether "file" must be present (import and export with no --output / --input).
  bool require_file = false;
};

// Parses a spec from JSON text. JSON syntax errors read "spec: JSON syntax error at byte N: ...".
Result<JobSpec> ParseJobSpec(std::string_view json_text, const JobSpecOptions& options = {});
// Reads and parses a spec file; errors are prefixed with the path.
Result<JobSpec> LoadJobSpec(const std::string& path, const JobSpecOptions& options = {});

// Parses a "tablestore://HOST" location into endpoint "https://HOST" and the instance (the first
// label of HOST). `json_path` prefixes errors.
Status ParseLocation(std::string_view location, std::string_view json_path, std::string* endpoint,
                     std::string* instance);
// REGION from an endpoint whose host is INSTANCE.REGION.ots.aliyuncs.com or
// INSTANCE.REGION.ots-internal.aliyuncs.com; empty otherwise.
std::string RegionFromEndpoint(std::string_view endpoint);
// Format ("parquet", "csv", "jsonl") and compression ("", "gzip", "zstd") from a path's
// extension (case-insensitive); false when the extension says nothing.
bool FormatFromExtension(std::string_view path, std::string* format, std::string* compression);

}  // namespace tsb
