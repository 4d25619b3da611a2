// The BatchWriteRow answer written by hand: byte for byte what protobuf serializes for the
// BatchWriteRowResponse with the same fields (tests/emulator/batch_write_answer_test.cc holds it
// to that), without building a message of 200 rows and two nested messages per row first.
// protobuf's generated code spent ~550 instructions a row on it (bench/profile-notes.md,
// "Emulator: round 3"). Rows that return a row (return_content) are not written here: the
// handler builds those answers with protobuf.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tsb::emulator {

struct BatchWriteAnswerRow {
  bool is_ok = false;
  std::string_view error_code;     // with error_message: the row's Error, when error_code is set
  std::string_view error_message;  // (an Error always carries its message, as the handler's)
  bool has_consumed = false;
  int32_t read_cu = 0;
  int32_t write_cu = 0;
};

struct BatchWriteAnswerTable {
  std::string_view table_name;
  std::span<const BatchWriteAnswerRow> rows;
};

// Appends the serialized BatchWriteRowResponse to *out.
void AppendBatchWriteAnswer(std::span<const BatchWriteAnswerTable> tables, std::string* out);

}  // namespace tsb::emulator
