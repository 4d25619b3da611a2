#include "core/ddl.h"

#include <cstdlib>
#include <optional>
#include <utility>

#include "core/ascii.h"
#include "core/spec_text.h"
#include "core/value_text.h"

namespace tsb {

namespace {

// The SERDEPROPERTIES keys with a documented meaning (wire doc C.7). Others appear only as
// examples in MaxCompute's documents, so honouring them would be a guess (decisions 6).
constexpr std::string_view kMappingKey = "tablestore.columns.mapping";
constexpr std::string_view kTableKey = "tablestore.table.name";
constexpr std::string_view kRoleKey = "odps.properties.rolearn";

enum class Kind { kWord, kQuotedName, kString, kNumber, kPunct, kEnd };

struct Token {
  Kind kind = Kind::kEnd;
  std::string text;  // a string's or quoted name's value, unescaped
  int line = 1;
  int column = 1;
  // A string literal written on one line without escapes: its value starts one column after the
  // quote and columns inside it can be pointed at.
  bool plain = false;
};

class Lexer {
 public:
  Lexer(std::string_view sql, std::string_view file) : sql_(sql), file_(file) {}

  Status Run(std::vector<Token>* tokens) {
    // A byte order mark, as editors on Windows write one, is not part of the first word.
    if (sql_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;
    size_t depth = 0;
    while (true) {
      SkipSpaceAndComments();
      if (!error_.ok()) return error_;
      Token t;
      t.line = line_;
      t.column = column_;
      if (i_ >= sql_.size()) {
        tokens->push_back(t);
        return Status::OK();
      }
      const char c = sql_[i_];
      if (IsWordStart(c)) {
        t.kind = Kind::kWord;
        while (i_ < sql_.size() && IsWordChar(sql_[i_])) t.text += Advance();
      } else if (c >= '0' && c <= '9') {
        t.kind = Kind::kNumber;
        while (i_ < sql_.size() && sql_[i_] >= '0' && sql_[i_] <= '9') t.text += Advance();
      } else if (c == '`') {
        t.kind = Kind::kQuotedName;
        TSB_RETURN_IF_ERROR(ReadQuotedName(&t));
      } else if (c == '\'' || c == '"') {
        t.kind = Kind::kString;
        TSB_RETURN_IF_ERROR(ReadString(&t));
      } else if (std::string_view("(),;=<>.:+-*/%[]{}").find(c) != std::string_view::npos) {
        t.kind = Kind::kPunct;
        t.text = Advance();
        if (c == '(' || c == '<') {
          if (++depth > kMaxDdlNesting) {
            return ErrorAt(t, "nested deeper than " + std::to_string(kMaxDdlNesting) +
                                  " levels of ( and <; a CREATE EXTERNAL TABLE needs 2");
          }
        } else if ((c == ')' || c == '>') && depth > 0) {
          --depth;
        }
      } else {
        return ErrorAt(t, "unexpected character " + JsonQuoted(std::string(1, c)));
      }
      tokens->push_back(std::move(t));
    }
  }

  Status ErrorAt(const Token& t, const std::string& what) const {
    return Status::InvalidArgument(std::string(file_) + ":" + std::to_string(t.line) + ":" +
                                   std::to_string(t.column) + ": " + what);
  }

 private:
  static bool IsWordStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (static_cast<unsigned char>(c) & 0x80) != 0;
  }
  static bool IsWordChar(char c) { return IsWordStart(c) || (c >= '0' && c <= '9'); }

  // Moves past one byte; columns count characters, so UTF-8 continuation bytes take none.
  char Advance() {
    const char c = sql_[i_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column_;
    }
    return c;
  }

  void SkipSpaceAndComments() {
    while (i_ < sql_.size()) {
      const char c = sql_[i_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
        Advance();
      } else if (c == '-' && i_ + 1 < sql_.size() && sql_[i_ + 1] == '-') {
        while (i_ < sql_.size() && sql_[i_] != '\n') Advance();
      } else if (c == '/' && i_ + 1 < sql_.size() && sql_[i_ + 1] == '*') {
        Token start;
        start.line = line_;
        start.column = column_;
        Advance();
        Advance();
        while (i_ + 1 < sql_.size() && !(sql_[i_] == '*' && sql_[i_ + 1] == '/')) Advance();
        if (i_ + 1 >= sql_.size()) {
          error_ = ErrorAt(start, "comment /* is not closed; expected */");
          return;
        }
        Advance();
        Advance();
      } else {
        return;
      }
    }
  }

  // `name`, with `` standing for one backquote.
  Status ReadQuotedName(Token* t) {
    Advance();
    while (true) {
      if (i_ >= sql_.size()) return ErrorAt(*t, "name ` is not closed; expected `");
      const char c = Advance();
      if (c == '`') {
        if (i_ < sql_.size() && sql_[i_] == '`') {
          t->text += Advance();
          continue;
        }
        break;
      }
      t->text += c;
    }
    if (t->text.empty()) return ErrorAt(*t, "empty name ``");
    return Status::OK();
  }

  // 'text' or "text" with MaxCompute's backslash escapes.
  Status ReadString(Token* t) {
    const char quote = Advance();
    t->plain = true;
    while (true) {
      if (i_ >= sql_.size()) {
        return ErrorAt(*t, std::string("string is not closed; expected ") + quote);
      }
      const char c = Advance();
      if (c == quote) return Status::OK();
      if (c == '\n') t->plain = false;
      if (c != '\\') {
        t->text += c;
        continue;
      }
      t->plain = false;
      if (i_ >= sql_.size()) {
        return ErrorAt(*t, std::string("string is not closed; expected ") + quote);
      }
      const char e = Advance();
      switch (e) {
        case 'n':
          t->text += '\n';
          break;
        case 't':
          t->text += '\t';
          break;
        case 'r':
          t->text += '\r';
          break;
        case '0':
          t->text += '\0';
          break;
        default:
          t->text += e;  // \' \" \\ and any other character stand for themselves
      }
    }
  }

  std::string_view sql_;
  std::string_view file_;
  size_t i_ = 0;
  int line_ = 1;
  int column_ = 1;
  Status error_;
};

struct RawColumn {
  std::string name;
  Token name_token;
  DataType type;
};

struct RawProperty {
  std::string value;
  Token key_token;
  Token value_token;
};

// One CREATE EXTERNAL TABLE as written, with where each part is.
struct RawTable {
  std::string name;
  Token create;
  std::vector<RawColumn> columns;
  std::optional<RawProperty> mapping, table, role;
  std::string location;
  Token location_token;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, const Lexer* lexer)
      : tokens_(std::move(tokens)), lexer_(lexer) {}

  Status Run(std::vector<RawTable>* tables) {
    while (true) {
      while (IsPunct(";")) ++pos_;
      const Token& t = Peek();
      if (t.kind == Kind::kEnd) return Status::OK();
      if (IsWord("DROP")) {
        TSB_RETURN_IF_ERROR(Drop());
      } else if (IsWord("SET")) {
        // A session flag (set odps.sql.type.system.odps2=true): no bearing on the mapping.
        while (Peek().kind != Kind::kEnd && !IsPunct(";")) ++pos_;
      } else if (IsWord("CREATE")) {
        RawTable table;
        TSB_RETURN_IF_ERROR(Create(&table));
        tables->push_back(std::move(table));
      } else {
        return Error(t, "expected CREATE EXTERNAL TABLE, DROP TABLE or SET, got " + Describe(t));
      }
      TSB_RETURN_IF_ERROR(EndOfStatement());
    }
  }

  Status Error(const Token& t, const std::string& what) const { return lexer_->ErrorAt(t, what); }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  bool IsWord(std::string_view word, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == Kind::kWord && EqualsIgnoreCase(t.text, word);
  }
  bool IsPunct(std::string_view p) const { return Peek().kind == Kind::kPunct && Peek().text == p; }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Kind::kEnd:
        return "the end of the file";
      case Kind::kString:
        return "the string " + JsonQuoted(t.text);
      case Kind::kQuotedName:
        return "`" + t.text + "`";
      default:
        return JsonQuoted(t.text);
    }
  }

  Status ExpectWord(std::string_view word, std::string_view context = "") {
    if (!IsWord(word)) {
      return Error(Peek(), "expected " + std::string(word) + std::string(context) + ", got " +
                               Describe(Peek()));
    }
    ++pos_;
    return Status::OK();
  }
  Status ExpectPunct(std::string_view p, std::string_view context = "") {
    if (!IsPunct(p)) {
      return Error(Peek(), "expected " + std::string(p) + std::string(context) + ", got " +
                               Describe(Peek()));
    }
    ++pos_;
    return Status::OK();
  }
  Status ExpectString(std::string_view what, Token* out) {
    if (Peek().kind != Kind::kString) {
      return Error(Peek(), "expected " + std::string(what) + " as a 'quoted string', got " +
                               Describe(Peek()));
    }
    *out = tokens_[pos_++];
    return Status::OK();
  }

  // name, `name`, or project.name.
  Status Name(std::string_view what, std::string* name, Token* first = nullptr) {
    while (true) {
      const Token& t = Peek();
      if (t.kind != Kind::kWord && t.kind != Kind::kQuotedName) {
        return Error(t, "expected " + std::string(what) + ", got " + Describe(t));
      }
      if (first != nullptr && name->empty()) *first = t;
      *name += t.text;
      ++pos_;
      if (!IsPunct(".")) return Status::OK();
      *name += '.';
      ++pos_;
    }
  }

  Status EndOfStatement() {
    if (Peek().kind == Kind::kEnd || IsPunct(";")) return Status::OK();
    return Error(Peek(), "expected ; at the end of the statement, got " + Describe(Peek()));
  }

  Status Drop() {
    ++pos_;
    TSB_RETURN_IF_ERROR(ExpectWord("TABLE", " after DROP"));
    if (IsWord("IF")) {
      ++pos_;
      TSB_RETURN_IF_ERROR(ExpectWord("EXISTS", " after DROP TABLE IF"));
    }
    std::string name;
    return Name("a table name", &name);
  }

  Status Create(RawTable* table) {
    table->create = Peek();
    ++pos_;
    if (IsWord("TABLE")) {
      return Error(Peek(),
                   "expected EXTERNAL: CREATE TABLE makes a MaxCompute internal table; a "
                   "table over Tablestore is CREATE EXTERNAL TABLE ... STORED BY '" +
                       std::string(kTablestoreStorageHandler) + "'");
    }
    TSB_RETURN_IF_ERROR(ExpectWord("EXTERNAL", " after CREATE"));
    TSB_RETURN_IF_ERROR(ExpectWord("TABLE", " after CREATE EXTERNAL"));
    if (IsWord("IF")) {
      ++pos_;
      TSB_RETURN_IF_ERROR(ExpectWord("NOT", " after IF"));
      TSB_RETURN_IF_ERROR(ExpectWord("EXISTS", " after IF NOT"));
    }
    TSB_RETURN_IF_ERROR(Name("the table's name", &table->name));
    TSB_RETURN_IF_ERROR(ExpectPunct("(", " before the columns"));
    while (true) {
      RawColumn column;
      TSB_RETURN_IF_ERROR(Column(&column));
      table->columns.push_back(std::move(column));
      if (IsPunct(")")) break;
      TSB_RETURN_IF_ERROR(ExpectPunct(",", " or ) after a column"));
    }
    ++pos_;
    TSB_RETURN_IF_ERROR(SkipComment());
    if (IsWord("PARTITIONED")) {
      return Error(Peek(),
                   "PARTITIONED BY is not supported: a table over Tablestore has no "
                   "partitions; expected STORED BY");
    }
    TSB_RETURN_IF_ERROR(ExpectWord("STORED", " after the columns"));
    TSB_RETURN_IF_ERROR(ExpectWord("BY", " after STORED"));
    Token handler;
    TSB_RETURN_IF_ERROR(ExpectString("the storage handler", &handler));
    if (handler.text != kTablestoreStorageHandler) {
      return Error(handler, "storage handler " + JsonQuoted(handler.text) + ": expected '" +
                                std::string(kTablestoreStorageHandler) +
                                "' (tsbridge reads external tables over Tablestore)");
    }
    if (IsWord("WITH")) {
      ++pos_;
      TSB_RETURN_IF_ERROR(ExpectWord("SERDEPROPERTIES", " after WITH"));
      TSB_RETURN_IF_ERROR(Properties(table));
    }
    TSB_RETURN_IF_ERROR(ExpectWord("LOCATION",
                                   " ('tablestore://INSTANCE.REGION."
                                   "ots-internal.aliyuncs.com')"));
    TSB_RETURN_IF_ERROR(ExpectString("the location", &table->location_token));
    table->location = table->location_token.text;
    if (table->location.empty()) {
      return Error(table->location_token,
                   "LOCATION is empty; expected "
                   "'tablestore://INSTANCE.REGION.ots-internal.aliyuncs.com'");
    }
    if (IsWord("LIFECYCLE") || IsWord("TBLPROPERTIES") || IsWord("USING")) {
      return Error(Peek(), Peek().text +
                               " is not supported for a table over Tablestore; "
                               "expected ; after LOCATION");
    }
    return Status::OK();
  }

  Status SkipComment() {
    if (!IsWord("COMMENT")) return Status::OK();
    ++pos_;
    Token text;
    return ExpectString("the comment", &text);
  }

  Status Column(RawColumn* column) {
    TSB_RETURN_IF_ERROR(Name("a column name", &column->name, &column->name_token));
    const Token type_token = Peek();
    if (type_token.kind != Kind::kWord) {
      return Error(type_token, "column " + JsonQuoted(column->name) + ": expected a type, got " +
                                   Describe(type_token));
    }
    ++pos_;
    // The type's arguments: decimal(10,2), varchar(20), array<map<string,bigint>>. The lexer has
    // bounded their depth; a flat scan finds their end without recursion.
    std::string text = type_token.text;
    bool complex = false;
    if (IsPunct("(") || IsPunct("<")) {
      complex = IsPunct("<");
      size_t depth = 0;
      do {
        const Token& t = Peek();
        if (t.kind == Kind::kEnd) {
          return Error(type_token, "column " + JsonQuoted(column->name) + ": type " +
                                       JsonQuoted(text) + " is not closed");
        }
        if (t.text == "(" || t.text == "<") ++depth;
        if (t.text == ")" || t.text == ">") --depth;
        text += t.text;
        ++pos_;
      } while (depth > 0);
    }
    const std::string lower = AsciiLower(type_token.text);
    auto type = DataType::ParseSpecType(text);
    if (complex || lower == "array" || lower == "map" || lower == "struct") {
      type = Status::InvalidArgument(
          "type " + JsonQuoted(text) +
          " is not supported: a Tablestore column holds one scalar value; expected one of "
          "bigint, int, smallint, tinyint, double, float, boolean, string, binary, "
          "decimal(p,s), date, datetime, timestamp");
    } else if (lower == "varchar" || lower == "char") {
      type =
          Status::InvalidArgument("type " + JsonQuoted(text) + " is not supported; write string");
    } else if (lower == "decimal" && text == type_token.text) {
      type = Status::InvalidArgument(
          "type \"decimal\" needs its precision and scale; expected decimal(p,s)");
    }
    if (!type.ok()) {
      return Error(type_token,
                   "column " + JsonQuoted(column->name) + ": " + type.status().message());
    }
    column->type = *type;
    if (IsWord("NOT") && IsWord("NULL", 1)) {
      return Error(Peek(), "column " + JsonQuoted(column->name) +
                               ": NOT NULL is not supported; expected COMMENT, , or )");
    }
    return SkipComment();
  }

  Status Properties(RawTable* table) {
    TSB_RETURN_IF_ERROR(ExpectPunct("(", " after SERDEPROPERTIES"));
    while (!IsPunct(")")) {
      RawProperty p;
      TSB_RETURN_IF_ERROR(ExpectString("a property name", &p.key_token));
      TSB_RETURN_IF_ERROR(ExpectPunct("=", " after the property name"));
      TSB_RETURN_IF_ERROR(ExpectString("the property's value", &p.value_token));
      p.value = p.value_token.text;
      const std::string& key = p.key_token.text;
      std::optional<RawProperty>* slot = key == kMappingKey ? &table->mapping
                                         : key == kTableKey ? &table->table
                                         : key == kRoleKey  ? &table->role
                                                            : nullptr;
      if (slot == nullptr) {
        return Error(p.key_token, "unknown SERDEPROPERTIES key " + JsonQuoted(key) +
                                      "; expected one of '" + std::string(kMappingKey) + "', '" +
                                      std::string(kTableKey) + "', '" + std::string(kRoleKey) +
                                      "' (other keys have no documented meaning, so tsbridge "
                                      "cannot honour them)");
      }
      if (slot->has_value()) {
        return Error(p.key_token, JsonQuoted(key) + " is given twice (also line " +
                                      std::to_string((*slot)->key_token.line) + ")");
      }
      *slot = std::move(p);
      if (IsPunct(")")) break;
      TSB_RETURN_IF_ERROR(ExpectPunct(",", " or ) after a property"));
    }
    ++pos_;
    return Status::OK();
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  const Lexer* lexer_;
};

Result<RawTable> ChooseTable(std::vector<RawTable> tables, std::string_view file,
                             const DdlToSpecOptions& options) {
  if (tables.empty()) {
    return Status::InvalidArgument(
        std::string(file) + ": no CREATE EXTERNAL TABLE statement; expected one STORED BY '" +
        std::string(kTablestoreStorageHandler) + "'");
  }
  auto list = [&] {
    std::string text;
    for (const RawTable& t : tables) {
      text += (text.empty() ? "" : ", ") + t.name + " (line " + std::to_string(t.create.line) +
              (t.table ? ", Tablestore table " + t.table->value : std::string()) + ")";
    }
    return text;
  };
  if (options.table.empty()) {
    if (tables.size() == 1) return std::move(tables[0]);
    return Status::InvalidArgument(std::string(file) + ": " + std::to_string(tables.size()) +
                                   " CREATE EXTERNAL TABLE statements: " + list() +
                                   "; choose one with --table NAME");
  }
  // The external table's name first, then the Tablestore table's.
  for (bool by_tablestore : {false, true}) {
    int found = -1;
    for (size_t i = 0; i < tables.size(); ++i) {
      const std::string& name = by_tablestore
                                    ? (tables[i].table ? tables[i].table->value : std::string())
                                    : tables[i].name;
      if (!EqualsIgnoreCase(name, options.table)) continue;
      if (found >= 0) {
        return Status::InvalidArgument(std::string(file) + ": --table " + options.table +
                                       " names more than one of " + list());
      }
      found = static_cast<int>(i);
    }
    if (found >= 0) return std::move(tables[found]);
  }
  return Status::InvalidArgument(std::string(file) + ": --table " + options.table +
                                 ": no such CREATE EXTERNAL TABLE; expected one of " + list());
}

// "mapping: entry 3 (for ...): ..." -> 3; 0 when the message names no entry.
size_t MappingEntry(const std::string& message) {
  const std::string_view kPrefix = "mapping: entry ";
  if (message.compare(0, kPrefix.size(), kPrefix) != 0) return 0;
  return std::strtoul(message.c_str() + kPrefix.size(), nullptr, 10);
}

// Where entry `entry` (1-based) of a plain mapping literal starts, for a message that names it.
Token EntryToken(const Token& literal, size_t entry) {
  Token t = literal;
  if (!literal.plain || entry == 0) return t;
  size_t offset = 0;
  for (size_t k = 1; k < entry; ++k) {
    offset = literal.text.find(',', offset);
    if (offset == std::string::npos) return t;
    ++offset;
  }
  while (offset < literal.text.size() && literal.text[offset] == ' ') ++offset;
  int column = literal.column + 1;
  for (size_t i = 0; i < offset; ++i) {
    if ((static_cast<unsigned char>(literal.text[i]) & 0xC0) != 0x80) ++column;
  }
  t.column = column;
  return t;
}

// The spec's JSON for a table, then the spec parser's checks, each error moved back to the place
// in the DDL it comes from.
Result<JobSpec> ToSpec(const RawTable& table, const Parser& parser,
                       const DdlToSpecOptions& options) {
  auto missing = [&](std::string_view key, std::string_view what) {
    return parser.Error(table.create, "table " + table.name + ": no '" + std::string(key) +
                                          "' in WITH SERDEPROPERTIES; expected " +
                                          std::string(what));
  };
  if (!table.mapping) {
    return missing(kMappingKey, "the Tablestore column of each column (':pk1,:pk2,attr')");
  }
  if (!table.table) return missing(kTableKey, "the Tablestore table's name");
  // One entry per column, trimmed: the canonical text a user writes in a spec.
  std::vector<std::string> entries;
  for (size_t begin = 0;;) {
    const size_t comma = table.mapping->value.find(',', begin);
    std::string e = table.mapping->value.substr(begin, comma - begin);
    const size_t first = e.find_first_not_of(" \t\r\n");
    const size_t last = e.find_last_not_of(" \t\r\n");
    entries.push_back(first == std::string::npos ? "" : e.substr(first, last - first + 1));
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  if (entries.size() != table.columns.size()) {
    return parser.Error(table.mapping->value_token,
                        "'" + std::string(kMappingKey) + "' names " +
                            std::to_string(entries.size()) + " Tablestore columns for " +
                            std::to_string(table.columns.size()) +
                            " columns; expected one per column, in the columns' order");
  }
  std::string mapping;
  for (const std::string& e : entries) mapping += (mapping.empty() ? "" : ",") + e;

  JobSpec spec;
  spec.tablestore.location = table.location;
  spec.tablestore.table = table.table->value;
  if (table.role && !options.without_role) spec.tablestore.role_arn = table.role->value;
  for (const RawColumn& c : table.columns) spec.columns.push_back(Field{c.name, c.type, true});
  spec.mapping_text = mapping;
  auto parsed = ParseJobSpec(FormatJobSpec(spec));
  if (parsed.ok()) return parsed;

  const std::string& message = parsed.status().message();
  auto moved = [&](const Token& at, std::string_view path, std::string_view what) {
    std::string rest = message.substr(std::min(message.size(), path.size()));
    return parser.Error(at, std::string(what) + rest);
  };
  if (message.rfind("tablestore.location", 0) == 0) {
    return moved(table.location_token, "tablestore.location", "LOCATION");
  }
  if (message.rfind("tablestore.table", 0) == 0) {
    return moved(table.table->value_token, "tablestore.table", "'" + std::string(kTableKey) + "'");
  }
  if (message.rfind("tablestore.role_arn", 0) == 0 && table.role) {
    return parser.Error(table.role->value_token,
                        "'" + std::string(kRoleKey) + "'" +
                            message.substr(std::string_view("tablestore.role_arn").size()) +
                            "; write your account ID in place of a placeholder, or give "
                            "--without-role to run with your own credentials instead");
  }
  if (message.rfind("mapping", 0) == 0) {
    return parser.Error(EntryToken(table.mapping->value_token, MappingEntry(message)),
                        "'" + std::string(kMappingKey) + "'" + message.substr(7));
  }
  if (message.rfind("columns[", 0) == 0) {
    const size_t i = std::strtoul(message.c_str() + 8, nullptr, 10);
    if (i < table.columns.size()) {
      const size_t colon = message.find(": ");
      std::string what = colon == std::string::npos ? message : message.substr(colon + 2);
      // "(also columns[0]; ...)" names the other column by its JSON path; here it has a line.
      const size_t also = what.find("also columns[");
      if (also != std::string::npos) {
        const size_t other = std::strtoul(what.c_str() + also + 13, nullptr, 10);
        const size_t end = what.find(']', also);
        if (other < table.columns.size() && end != std::string::npos) {
          what.replace(also, end + 1 - also,
                       "also line " + std::to_string(table.columns[other].name_token.line));
        }
      }
      return parser.Error(table.columns[i].name_token,
                          "column " + JsonQuoted(table.columns[i].name) + ": " + what);
    }
  }
  return parser.Error(table.create, message);
}

// A name MaxCompute takes bare: letters, digits and _, not a keyword of this statement.
bool IsBareName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    const bool word =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!word) return false;
  }
  // The words of this statement and the type names: a column named so is written backquoted.
  static constexpr std::string_view kKeywords =
      " add all and as by comment create date drop exists external from if in location not null"
      " or select set stored table timestamp where with serdeproperties partitioned lifecycle"
      " datetime string boolean binary decimal double float bigint int smallint tinyint ";
  return kKeywords.find(" " + AsciiLower(name) + " ") == std::string_view::npos;
}

std::string DdlName(std::string_view name) {
  if (IsBareName(name)) return std::string(name);
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string DdlString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "'";
}

}  // namespace

Result<DdlTable> JobSpecFromDdl(std::string_view sql, std::string_view file,
                                const DdlToSpecOptions& options) {
  Lexer lexer(sql, file);
  std::vector<Token> tokens;
  TSB_RETURN_IF_ERROR(lexer.Run(&tokens));
  Parser parser(std::move(tokens), &lexer);
  std::vector<RawTable> tables;
  TSB_RETURN_IF_ERROR(parser.Run(&tables));
  TSB_ASSIGN_OR_RETURN(RawTable table, ChooseTable(std::move(tables), file, options));
  DdlTable out;
  out.name = table.name;
  out.line = table.create.line;
  TSB_ASSIGN_OR_RETURN(out.spec, ToSpec(table, parser, options));
  return out;
}

Result<std::string> DdlFromJobSpec(const JobSpec& spec, const SpecToDdlOptions& options) {
  const TablestoreSpec& ts = spec.tablestore;
  std::string location = options.location;
  if (location.empty()) location = ts.location;
  if (location.empty()) {
    // MaxCompute names the instance by the first label of a tablestore:// host, so only a
    // Tablestore host says where the spec's instance is.
    const std::string region = RegionFromEndpoint(ts.endpoint);
    const size_t scheme = ts.endpoint.find("://");
    const std::string host =
        scheme == std::string::npos ? ts.endpoint : ts.endpoint.substr(scheme + 3);
    if (region.empty() || host.rfind(ts.instance + ".", 0) != 0) {
      return Status::InvalidArgument(
          "tablestore.endpoint: " + JsonQuoted(ts.endpoint) +
          " is not a Tablestore host (INSTANCE.REGION.ots-internal.aliyuncs.com), so MaxCompute "
          "has no LOCATION for it; give tablestore.location in the spec or --location");
    }
    location = "tablestore://" + host;
  } else {
    std::string endpoint, instance;
    TSB_RETURN_IF_ERROR(ParseLocation(location, "location", &endpoint, &instance));
  }
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    const DataType& type = spec.columns[i].type;
    const bool timed = type.id == TypeId::kDateTime || type.id == TypeId::kTimestamp;
    if (timed && type.unit != TimeUnit::kMillis) {
      return Status::InvalidArgument(
          "columns[" + std::to_string(i) +
          "].ticks_unit: MaxCompute DDL has no place for a ticks_unit (the handler's timestamp "
          "unit key is undocumented); only millis, the default, converts");
    }
  }
  const std::string name = options.name.empty() ? ts.table + "_external" : options.name;
  std::string out = "CREATE EXTERNAL TABLE IF NOT EXISTS " + DdlName(name) + "\n(\n";
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    out += DdlName(spec.columns[i].name) + " " + SpecTypeName(spec.columns[i].type);
    out += i + 1 < spec.columns.size() ? ",\n" : "\n";
  }
  out += ")\nSTORED BY '" + std::string(kTablestoreStorageHandler) + "'\n";
  out += "WITH SERDEPROPERTIES (\n";
  out += DdlString(kMappingKey) + "=" + DdlString(spec.mapping.ToString()) + ",\n";
  out += DdlString(kTableKey) + "=" + DdlString(ts.table);
  if (!ts.role_arn.empty()) out += ",\n" + DdlString(kRoleKey) + "=" + DdlString(ts.role_arn);
  out += "\n)\nLOCATION " + DdlString(location) + ";\n";
  return out;
}

}  // namespace tsb
