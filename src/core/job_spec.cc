#include "tsbridge/job_spec.h"

#include <cctype>
#include <climits>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "core/ascii.h"
#include "core/value_text.h"

namespace tsb {

namespace {

using Json = nlohmann::json;

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string JsonKind(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::discarded:
      return "nothing";
    default:
      return "a number";
  }
}

Status Expected(std::string_view path, std::string_view what, const Json& got) {
  return Status::InvalidArgument(std::string(path) + ": expected " + std::string(what) + ", got " +
                                 JsonKind(got));
}

// Refuses keys of `obj` outside `allowed`.
Status CheckKeys(const Json& obj, std::string_view path,
                 std::initializer_list<std::string_view> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (auto a : allowed) known = known || it.key() == a;
    if (!known) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      std::string prefix = path.empty() ? "" : std::string(path) + ".";
      return Status::InvalidArgument(prefix + it.key() + ": unknown key; expected one of " + list);
    }
  }
  return Status::OK();
}

// Reads an optional string member; `*present` tells whether it was there.
Status GetString(const Json& obj, std::string_view parent, const char* key, std::string* out,
                 bool* present = nullptr) {
  std::string path = parent.empty() ? key : std::string(parent) + "." + key;
  auto it = obj.find(key);
  if (present) *present = it != obj.end();
  if (it == obj.end()) return Status::OK();
  if (!it->is_string()) return Expected(path, "a string", *it);
  *out = it->get<std::string>();
  if (out->empty()) return Status::InvalidArgument(path + ": must not be empty");
  return Status::OK();
}

Status Required(const Json& obj, std::string_view parent, const char* key) {
  if (obj.contains(key)) return Status::OK();
  std::string path = parent.empty() ? key : std::string(parent) + "." + key;
  return Status::InvalidArgument(path + ": missing");
}

Status CheckUrl(std::string_view path, std::string* url) {
  std::string_view u = *url;
  size_t scheme = u.find("://");
  std::string s = scheme == std::string_view::npos ? "" : AsciiLower(u.substr(0, scheme));
  if ((s != "http" && s != "https") || scheme + 3 >= u.size() || u[scheme + 3] == '/') {
    return Status::InvalidArgument(std::string(path) + ": " + Quote(u) +
                                   " is not an http:// or https:// URL");
  }
  while (!url->empty() && url->back() == '/') url->pop_back();
  return Status::OK();
}

std::string HostOf(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  size_t end = url.find_first_of("/:?#");
  return std::string(url.substr(0, end));
}

Status ParseRoleArn(std::string_view arn, std::string* account, std::string* name) {
  const std::string_view kPrefix = "acs:ram::";
  auto bad = [&] {
    return Status::InvalidArgument("tablestore.role_arn: " + Quote(arn) +
                                   " is not a RAM role ARN; expected "
                                   "acs:ram::<account id>:role/<role name>");
  };
  if (arn.substr(0, kPrefix.size()) != kPrefix) return bad();
  std::string_view rest = arn.substr(kPrefix.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view acct = rest.substr(0, colon);
  for (char c : acct) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return bad();
  }
  std::string_view role = rest.substr(colon + 1);
  if (role.substr(0, 5) != "role/") return bad();
  role.remove_prefix(5);
  if (role.empty() || role.size() > 64) return bad();
  for (char c : role) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) {
      return bad();
    }
  }
  *account = std::string(acct);
  *name = std::string(role);
  return Status::OK();
}

Status ParseTablestore(const Json& j, TablestoreSpec* ts) {
  const std::string p = "tablestore";
  if (!j.is_object()) return Expected(p, "an object", j);
  TSB_RETURN_IF_ERROR(CheckKeys(
      j, p, {"endpoint", "instance", "table", "location", "region", "role_arn", "sts_endpoint"}));
  bool has_endpoint = false, has_instance = false, has_location = false;
  TSB_RETURN_IF_ERROR(GetString(j, p, "endpoint", &ts->endpoint, &has_endpoint));
  TSB_RETURN_IF_ERROR(GetString(j, p, "instance", &ts->instance, &has_instance));
  TSB_RETURN_IF_ERROR(GetString(j, p, "location", &ts->location, &has_location));
  TSB_RETURN_IF_ERROR(GetString(j, p, "table", &ts->table));
  TSB_RETURN_IF_ERROR(GetString(j, p, "region", &ts->region, &ts->region_given));
  TSB_RETURN_IF_ERROR(GetString(j, p, "role_arn", &ts->role_arn));
  TSB_RETURN_IF_ERROR(GetString(j, p, "sts_endpoint", &ts->sts_endpoint));
  if (has_location) {
    if (has_endpoint || has_instance) {
      return Status::InvalidArgument(
          "tablestore.location: give either location or endpoint and instance, not both");
    }
    TSB_RETURN_IF_ERROR(
        ParseLocation(ts->location, "tablestore.location", &ts->endpoint, &ts->instance));
  } else {
    if (!has_endpoint) {
      return Status::InvalidArgument(
          "tablestore.endpoint: missing; give endpoint and instance, or location "
          "(\"tablestore://INSTANCE.REGION.ots-internal.aliyuncs.com\")");
    }
    if (!has_instance) return Status::InvalidArgument("tablestore.instance: missing");
    TSB_RETURN_IF_ERROR(CheckUrl("tablestore.endpoint", &ts->endpoint));
  }
  for (char c : ts->instance) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) {
      return Status::InvalidArgument("tablestore.instance: " + Quote(ts->instance) +
                                     " is not an instance name (letters, digits and -)");
    }
  }
  if (ts->table.empty()) return Status::InvalidArgument("tablestore.table: missing");
  if (!IsValidOtsName(ts->table)) {
    return Status::InvalidArgument("tablestore.table: " + Quote(ts->table) +
                                   " is not a Tablestore table name (1-255 bytes of letters, "
                                   "digits and _, not starting with a digit)");
  }
  if (ts->region_given) {
    for (char c : ts->region) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) {
        return Status::InvalidArgument("tablestore.region: " + Quote(ts->region) +
                                       " is not a region id (such as cn-hangzhou)");
      }
    }
  } else {
    ts->region = RegionFromEndpoint(ts->endpoint);
  }
  if (!ts->role_arn.empty()) {
    TSB_RETURN_IF_ERROR(ParseRoleArn(ts->role_arn, &ts->role_account, &ts->role_name));
  }
  if (!ts->sts_endpoint.empty()) {
    TSB_RETURN_IF_ERROR(CheckUrl("tablestore.sts_endpoint", &ts->sts_endpoint));
  }
  return Status::OK();
}

Status ParseTicksUnit(const Json& j, std::string_view path, TimeUnit* unit) {
  if (!j.is_string()) return Expected(path, "a string", j);
  const std::string s = j.get<std::string>();
  static const std::pair<std::string_view, TimeUnit> kUnits[] = {{"seconds", TimeUnit::kSeconds},
                                                                 {"millis", TimeUnit::kMillis},
                                                                 {"micros", TimeUnit::kMicros},
                                                                 {"nanos", TimeUnit::kNanos}};
  for (const auto& [name, u] : kUnits) {
    if (s == name) {
      *unit = u;
      return Status::OK();
    }
  }
  return Status::InvalidArgument(std::string(path) + ": unknown unit " + Quote(s) +
                                 "; expected one of seconds, millis, micros, nanos");
}

Status ParseColumns(const Json& j, std::vector<Field>* columns) {
  if (!j.is_array()) return Expected("columns", "an array", j);
  if (j.empty()) return Status::InvalidArgument("columns: must not be empty");
  // Lower-cased name -> index: a spec of 100,000 columns is checked in linear time.
  std::unordered_map<std::string, size_t> seen;
  seen.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string p = "columns[" + std::to_string(i) + "]";
    const Json& c = j[i];
    if (!c.is_object()) return Expected(p, "an object", c);
    TSB_RETURN_IF_ERROR(CheckKeys(c, p, {"name", "type", "ticks_unit"}));
    Field f;
    TSB_RETURN_IF_ERROR(Required(c, p, "name"));
    TSB_RETURN_IF_ERROR(GetString(c, p, "name", &f.name));
    if (f.name.size() > 255 || !ValidateUtf8(f.name)) {
      return Status::InvalidArgument(p + ".name: must be 1-255 bytes of UTF-8");
    }
    if (auto [it, added] = seen.emplace(AsciiLower(f.name), i); !added) {
      return Status::InvalidArgument(p + ".name: duplicate column name " + Quote(f.name) +
                                     " (also columns[" + std::to_string(it->second) +
                                     "]; names are case-insensitive)");
    }
    TSB_RETURN_IF_ERROR(Required(c, p, "type"));
    std::string type_text;
    TSB_RETURN_IF_ERROR(GetString(c, p, "type", &type_text));
    auto type = DataType::ParseSpecType(type_text);
    if (!type.ok()) return type.status().WithContext(p + ".type");
    f.type = *type;
    if (auto it = c.find("ticks_unit"); it != c.end()) {
      if (f.type.id != TypeId::kDateTime && f.type.id != TypeId::kTimestamp) {
        return Status::InvalidArgument(p + ".ticks_unit: only datetime and timestamp columns " +
                                       "take a ticks_unit; this one is " + f.type.ToString());
      }
      TSB_RETURN_IF_ERROR(ParseTicksUnit(*it, p + ".ticks_unit", &f.type.unit));
    }
    columns->push_back(std::move(f));
  }
  return Status::OK();
}

Status ParseFileFormat(const Json& j, FileSpec* file) {
  TSB_RETURN_IF_ERROR(Required(j, "file", "path"));
  TSB_RETURN_IF_ERROR(GetString(j, "file", "path", &file->path));
  std::string given;
  TSB_RETURN_IF_ERROR(GetString(j, "file", "format", &given, &file->format_given));
  std::string ext_format, ext_compression;
  bool known = FormatFromExtension(file->path, &ext_format, &ext_compression);
  if (file->format_given) {
    given = AsciiLower(given);
    if (given != "parquet" && given != "csv" && given != "jsonl") {
      return Status::InvalidArgument("file.format: unknown format " + Quote(given) +
                                     "; expected one of parquet, csv, jsonl");
    }
    file->format = given;
    if (known) file->compression = ext_compression;
    if (given == "parquet" && !file->compression.empty()) {
      return Status::InvalidArgument("file.format: a Parquet file is not compressed as a whole (" +
                                     Quote(file->path) + "); Parquet compresses its pages");
    }
    return Status::OK();
  }
  if (!known) {
    return Status::InvalidArgument(
        "file.format: cannot tell the format of " + Quote(file->path) +
        " from its extension (.parquet, .csv, .tsv, .jsonl, the text ones optionally .gz "
        "or .zst); give file.format: parquet, csv or jsonl");
  }
  file->format = ext_format;
  file->compression = ext_compression;
  return Status::OK();
}

// The Parquet output settings: page codec and row group size. A text file's compression is its
// extension's (.gz, .zst), so these keys are refused for text rather than silently unused.
Status ParseParquetSettings(const Json& j, FileSpec* file) {
  bool given = false;
  TSB_RETURN_IF_ERROR(GetString(j, "file", "compression", &file->parquet_codec, &given));
  if (given) {
    if (file->format != "parquet") {
      return Status::InvalidArgument("file.compression: sets the Parquet page codec; a " +
                                     file->format +
                                     " file is compressed by its extension (.gz, .zst) instead");
    }
    file->parquet_codec = AsciiLower(file->parquet_codec);
    bool known = false;
    std::string list;
    for (std::string_view name : kParquetCodecNames) {
      known = known || file->parquet_codec == name;
      list += (list.empty() ? "" : ", ") + std::string(name);
    }
    if (!known) {
      return Status::InvalidArgument("file.compression: unknown Parquet codec " +
                                     Quote(file->parquet_codec) + "; expected one of " + list);
    }
  }
  if (auto it = j.find("row_group_rows"); it != j.end()) {
    if (file->format != "parquet") {
      return Status::InvalidArgument(
          "file.row_group_rows: only Parquet files have row groups; "
          "this one is " +
          file->format);
    }
    const bool in_range = it->is_number_unsigned()
                              ? it->get<uint64_t>() >= 1 && it->get<uint64_t>() <= INT32_MAX
                              : it->is_number_integer() && it->get<int64_t>() >= 1;
    if (!in_range) {
      return Status::InvalidArgument(
          "file.row_group_rows: expected a number of rows from 1 to 2147483647, got " +
          (it->is_number() ? it->dump() : JsonKind(*it)));
    }
    file->row_group_rows = it->get<int64_t>();
  }
  return Status::OK();
}

// The CSV dialect keys: read as written, checked here so that a bad one is a spec error with its
// JSON path; the file target applies them.
Status ParseDialect(const Json& j, FileSpec* file) {
  DialectSettings& d = file->dialect;
  const struct {
    const char* key;
    std::optional<std::string>* out;
  } kStrings[] = {{"delimiter", &d.delimiter},
                  {"quote", &d.quote},
                  {"escape", &d.escape},
                  {"null", &d.null_text},
                  {"encoding", &d.encoding}};
  for (const auto& k : kStrings) {
    auto it = j.find(k.key);
    if (it == j.end()) continue;
    if (!it->is_string()) return Expected(std::string("file.") + k.key, "a string", *it);
    *k.out = it->get<std::string>();
  }
  if (auto it = j.find("header"); it != j.end()) {
    if (!it->is_boolean()) return Expected("file.header", "true or false", *it);
    d.header = it->get<bool>();
  }
  if (!d.any()) return Status::OK();
  if (file->format != "csv") {
    const char* key = d.delimiter   ? "delimiter"
                      : d.quote     ? "quote"
                      : d.escape    ? "escape"
                      : d.null_text ? "null"
                      : d.encoding  ? "encoding"
                                    : "header";
    return Status::InvalidArgument(std::string("file.") + key +
                                   ": only CSV files have a dialect; this one is " + file->format);
  }
  TextDialect scratch;
  return ApplyDialectSettings(d, "file.", &scratch);
}

Status ParseFile(const Json& j, FileSpec* file) {
  if (!j.is_object()) return Expected("file", "an object", j);
  TSB_RETURN_IF_ERROR(CheckKeys(j, "file",
                                {"path", "format", "compression", "row_group_rows", "delimiter",
                                 "header", "quote", "escape", "null", "encoding"}));
  TSB_RETURN_IF_ERROR(ParseFileFormat(j, file));
  TSB_RETURN_IF_ERROR(ParseParquetSettings(j, file));
  return ParseDialect(j, file);
}

// One byte of a dialect: "\t" and "tab" are a tab, as users type it in a shell or JSON.
Status DialectByte(const std::string& text, std::string_view prefix, const char* key, char* out) {
  const std::string name = std::string(prefix) + key;
  if (text == "\\t" || AsciiLower(text) == "tab") {
    *out = '\t';
  } else if (text.size() == 1) {
    *out = text[0];
  } else {
    return Status::InvalidArgument(name + ": expected one character (one byte; \"\\t\" or " +
                                   "\"tab\" for a tab), got " + Quote(text));
  }
  if (*out == '\n' || *out == '\r') {
    return Status::InvalidArgument(name + ": a line break cannot be a " + key);
  }
  return Status::OK();
}

Result<JobSpec> ParseRoot(const Json& root, const JobSpecOptions& options) {
  if (!root.is_object()) return Expected("spec", "a JSON object", root);
  TSB_RETURN_IF_ERROR(CheckKeys(root, "", {"tablestore", "columns", "mapping", "file"}));
  JobSpec spec;
  TSB_RETURN_IF_ERROR(Required(root, "", "tablestore"));
  TSB_RETURN_IF_ERROR(ParseTablestore(root["tablestore"], &spec.tablestore));
  TSB_RETURN_IF_ERROR(Required(root, "", "columns"));
  TSB_RETURN_IF_ERROR(ParseColumns(root["columns"], &spec.columns));
  TSB_RETURN_IF_ERROR(Required(root, "", "mapping"));
  TSB_RETURN_IF_ERROR(GetString(root, "", "mapping", &spec.mapping_text));
  TSB_ASSIGN_OR_RETURN(spec.mapping, ColumnMapping::Parse(spec.mapping_text, spec.columns));
  if (root.contains("file")) {
    FileSpec file;
    TSB_RETURN_IF_ERROR(ParseFile(root["file"], &file));
    spec.file = std::move(file);
  } else if (options.require_file) {
    return Status::InvalidArgument("file: missing");
  }
  return spec;
}

// A SAX pass that refuses nesting deeper than kMaxSpecNesting before the document is built, and
// names the JSON path where it went too deep. nlohmann's parser and destructor do not recurse,
// but the spec has no use for depth, and every recursive reader of user input is bounded
// (decisions 11).
class NestingCheck : public nlohmann::json_sax<Json> {
 public:
  // The error for too deep a document; OK when the document is within the limit or is not JSON
  // (the DOM parse then reports the syntax error).
  Status status() const { return status_; }

  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override { return Value(); }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override { return Open(false); }
  bool key(string_t& k) override {
    frames_.back().key = k;
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(true); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  struct Frame {
    bool array = false;
    size_t index = 0;  // arrays: the element being read
    std::string key;   // objects: the member being read
  };

  bool Value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
    return true;
  }
  bool Open(bool array) {
    if (frames_.size() >= kMaxSpecNesting) {
      status_ = Status::InvalidArgument(Path() + ": nested deeper than " +
                                        std::to_string(kMaxSpecNesting) +
                                        " levels of arrays and objects; a job spec needs 3");
      return false;
    }
    frames_.push_back(Frame{array, 0, {}});
    return true;
  }
  bool Close() {
    frames_.pop_back();
    return Value();
  }
  // "columns[2].type", the element being read. A message stays short whatever the input: the
  // middle of a long path is elided and so is the end of a long key.
  std::string Path() const {
    constexpr size_t kEnds = 8;
    constexpr size_t kKeyBytes = 64;
    std::vector<std::string> parts;
    for (const Frame& f : frames_) {
      if (f.array) {
        parts.push_back("[" + std::to_string(f.index) + "]");
      } else {
        std::string key = f.key;
        if (key.size() > kKeyBytes) {
          size_t cut = kKeyBytes;
          while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) --cut;
          key = key.substr(0, cut) + "...";
        }
        parts.push_back((parts.empty() ? "" : ".") + key);
      }
    }
    if (parts.empty()) return "spec";
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (parts.size() > 2 * kEnds + 1 && i == kEnds) {
        out += " ... ";
        i = parts.size() - kEnds - 1;
        continue;
      }
      out += parts[i];
    }
    return out;
  }

  std::vector<Frame> frames_;
  Status status_;
};

}  // namespace

int JobSpec::FindColumn(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Status ParseLocation(std::string_view location, std::string_view json_path, std::string* endpoint,
                     std::string* instance) {
  const std::string_view kScheme = "tablestore://";
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(std::string(json_path) + ": " + Quote(location) + " " +
                                   std::string(why) +
                                   "; expected tablestore://INSTANCE.REGION.ots-internal."
                                   "aliyuncs.com");
  };
  // User information may be a secret typed into the wrong place: refuse it without quoting it.
  if (location.find('@') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(json_path) +
                                   ": a location with user information (ID:SECRET@) is refused; "
                                   "credentials come from the environment or the credentials "
                                   "file, never from the location");
  }
  if (AsciiLower(location.substr(0, kScheme.size())) != kScheme)
    return bad("is not a tablestore:// location");
  std::string_view host = location.substr(kScheme.size());
  while (!host.empty() && host.back() == '/') host.remove_suffix(1);
  if (host.empty()) return bad("has no host");
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == ':')) {
      return bad("has a bad host");
    }
  }
  size_t dot = host.find('.');
  if (dot == std::string_view::npos || dot == 0) return bad("has no INSTANCE. in its host");
  *instance = std::string(host.substr(0, dot));
  *endpoint = "https://" + std::string(host);
  return Status::OK();
}

std::string RegionFromEndpoint(std::string_view endpoint) {
  std::string host = AsciiLower(HostOf(endpoint));
  for (std::string_view suffix : {".ots.aliyuncs.com", ".ots-internal.aliyuncs.com"}) {
    if (EndsWith(host, suffix)) {
      std::string_view rest = std::string_view(host).substr(0, host.size() - suffix.size());
      size_t dot = rest.find('.');
      if (dot == std::string_view::npos || dot == 0) return "";
      std::string_view region = rest.substr(dot + 1);
      if (region.empty() || region.find('.') != std::string_view::npos) return "";
      return std::string(region);
    }
  }
  return "";
}

Status ApplyDialectSettings(const DialectSettings& s, std::string_view prefix, TextDialect* d) {
  if (s.encoding) {
    const std::string e = AsciiLower(*s.encoding);
    if (e != "utf-8" && e != "utf8") {
      return Status::InvalidArgument(
          std::string(prefix) + "encoding: only UTF-8 is read and written, got " +
          Quote(*s.encoding) + "; convert the file first (iconv -f " + *s.encoding + " -t UTF-8)");
    }
  }
  if (s.delimiter)
    TSB_RETURN_IF_ERROR(DialectByte(*s.delimiter, prefix, "delimiter", &d->delimiter));
  if (s.quote) {
    // A new quote with no escape given keeps RFC 4180's doubling, of the new quote.
    const bool doubling = d->escape == d->quote;
    TSB_RETURN_IF_ERROR(DialectByte(*s.quote, prefix, "quote", &d->quote));
    if (doubling) d->escape = d->quote;
  }
  if (s.escape) TSB_RETURN_IF_ERROR(DialectByte(*s.escape, prefix, "escape", &d->escape));
  if (s.header) d->header = *s.header;
  if (s.null_text) {
    if (s.null_text->find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument(std::string(prefix) + "null: must not hold a line break");
    }
    d->null_text = *s.null_text;
  }
  if (d->delimiter == d->quote) {
    return Status::InvalidArgument(std::string(prefix) + (s.quote ? "quote" : "delimiter") +
                                   ": the delimiter and the quote must differ (both " +
                                   Quote(std::string(1, d->delimiter)) + ")");
  }
  if (d->escape == d->delimiter) {
    return Status::InvalidArgument(std::string(prefix) +
                                   "escape: the escape and the delimiter must differ (both " +
                                   Quote(std::string(1, d->delimiter)) + ")");
  }
  if (d->null_text.find(d->delimiter) != std::string::npos) {
    return Status::InvalidArgument(std::string(prefix) + "null: " + Quote(d->null_text) +
                                   " holds the delimiter");
  }
  return Status::OK();
}

bool FormatFromExtension(std::string_view path, std::string* format, std::string* compression) {
  std::string p = AsciiLower(path);
  static const struct {
    std::string_view ext, format, compression;
  } kExts[] = {{".parquet", "parquet", ""},     {".csv", "csv", ""},
               {".csv.gz", "csv", "gzip"},      {".csv.zst", "csv", "zstd"},
               {".jsonl", "jsonl", ""},         {".jsonl.gz", "jsonl", "gzip"},
               {".jsonl.zst", "jsonl", "zstd"}, {".tsv", "csv", ""},
               {".tsv.gz", "csv", "gzip"},      {".tsv.zst", "csv", "zstd"}};
  for (const auto& e : kExts) {
    if (EndsWith(p, e.ext) && p.size() > e.ext.size()) {
      *format = std::string(e.format);
      *compression = std::string(e.compression);
      return true;
    }
  }
  return false;
}

Result<JobSpec> ParseJobSpec(std::string_view json_text, const JobSpecOptions& options) {
  Json root;
  try {
    NestingCheck nesting;
    Json::sax_parse(json_text, &nesting);
    TSB_RETURN_IF_ERROR(nesting.status());
    root = Json::parse(json_text);
  } catch (const Json::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> after "] ".
    size_t cut = what.find("] ");
    return Status::InvalidArgument("spec: JSON syntax error: " +
                                   (cut == std::string::npos ? what : what.substr(cut + 2)));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("spec: ") + e.what());
  }
  try {
    return ParseRoot(root, options);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("spec: ") + e.what());
  }
}

Result<JobSpec> LoadJobSpec(const std::string& path, const JobSpecOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the spec file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError(path + ": cannot read the spec file");
  auto spec = ParseJobSpec(text.str(), options);
  if (!spec.ok()) return spec.status().WithContext(path);
  return spec;
}

}  // namespace tsb
