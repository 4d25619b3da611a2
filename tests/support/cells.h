// Cells for rows the tests write through the client.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "tsbridge/tablestore/row.h"

namespace tsb::testing {

inline ots::Cell MakeCell(std::string_view name, ots::Value value,
                          std::optional<int64_t> timestamp = std::nullopt) {
  ots::Cell c;
  c.name = name;
  c.value = value;
  c.timestamp = timestamp;
  return c;
}

}  // namespace tsb::testing
