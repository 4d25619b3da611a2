// The common BatchWriteRow request read by hand: every row a PUT, UPDATE or DELETE with a
// row_change and a condition of row_existence alone, no return_content, no transaction. That is
// every row of an export or a load; the parse hands out views into the body instead of
// protobuf's copy of each row_change into an arena string (about 1,700 instructions a row with
// the parse itself and the arena's cleanup, bench/profile-notes.md "Emulator: round 3").
// Anything else (another field, a column_condition, a value out of its enum, a missing or
// repeated field, a malformed body) is not taken: the handler then parses the body with protobuf,
// which also reports what is wrong with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tsb::emulator {

struct SimpleBatchWriteRow {
  int32_t type = 0;  // pb::OperationType
  std::string_view row_change;
  int32_t row_existence = 0;  // pb::RowExistenceExpectation
};

struct SimpleBatchWriteTable {
  std::string_view table_name;
  size_t first_row = 0;  // into the rows vector
  size_t row_count = 0;
};

// False when the body is not of the common form above (*tables and *rows then hold anything).
bool ParseSimpleBatchWriteRow(std::string_view body, std::vector<SimpleBatchWriteTable>* tables,
                              std::vector<SimpleBatchWriteRow>* rows);

}  // namespace tsb::emulator
