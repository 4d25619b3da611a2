// The --where parser (core/predicate) and the scan planner behind it. Input: byte 0 picks the
// column set (the guide's orders, or one column of each type); the rest is the expression.
// Beyond "no crash": a predicate that parses must print (ToString) as text that parses again to
// the same text, since --explain and the summary show that text as what was applied.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/predicate.h"
#include "core/scan_plan.h"
#include "tsbridge/mapping.h"

using namespace tsb;

namespace {

struct Table {
  std::vector<Field> columns;
  ColumnMapping mapping;
};

Table MakeTable(std::vector<Field> columns, const char* mapping) {
  auto m = ColumnMapping::Parse(mapping, columns);
  if (!m.ok()) std::abort();
  return Table{std::move(columns), std::move(*m)};
}

const Table& Orders() {
  static const Table t = MakeTable({{"odps_orderkey", DataType::Of(TypeId::kInt64)},
                                    {"odps_orderdate", DataType::Of(TypeId::kString)},
                                    {"odps_custkey", DataType::Of(TypeId::kInt64)},
                                    {"odps_orderstatus", DataType::Of(TypeId::kString)},
                                    {"odps_totalprice", DataType::Of(TypeId::kDouble)}},
                                   ":o_orderkey,:o_orderdate,o_custkey,o_orderstatus,o_totalprice");
  return t;
}

const Table& AllTypes() {
  static const Table t = MakeTable({{"s", DataType::Of(TypeId::kString)},
                                    {"i", DataType::Of(TypeId::kInt64)},
                                    {"t", DataType::Of(TypeId::kInt8)},
                                    {"d", DataType::Of(TypeId::kDouble)},
                                    {"b", DataType::Of(TypeId::kBoolean)},
                                    {"m", DataType::Decimal(10, 2)},
                                    {"day", DataType::Of(TypeId::kDate)},
                                    {"ts", DataType::Timestamp(TimeUnit::kSeconds)},
                                    {"dt", DataType::Of(TypeId::kDateTime)},
                                    {"bin", DataType::Of(TypeId::kBinary)},
                                    {"Mixed Case", DataType::Of(TypeId::kInt64)}},
                                   ":s,:i,t,d,b,m,day,ts,dt,bin,mixed_case");
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Table& table = data[0] % 2 == 0 ? Orders() : AllTypes();
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto p = Predicate::Parse(text, table.columns);
  if (!p.ok()) return 0;
  std::string printed = p->ToString();
  auto again = Predicate::Parse(printed, table.columns);
  if (!again.ok()) {
    std::fprintf(stderr, "ToString gave text that does not parse:\n  %s\n  %s\n", printed.c_str(),
                 again.status().ToString().c_str());
    std::abort();
  }
  if (again->ToString() != printed) {
    std::fprintf(stderr, "ToString is not stable:\n  %s\n  %s\n", printed.c_str(),
                 again->ToString().c_str());
    std::abort();
  }
  auto plan = PlanScan(&*p, table.columns, table.mapping);
  if (plan.ok()) (void)plan->Explain();
  return 0;
}
