// The MaxCompute DDL parser (core/ddl, `tsbridge spec from-ddl`). Beyond "no crash": a statement
// that converts to a spec and back to DDL (`spec to-ddl`) must convert again, to the same DDL.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/ddl.h"

using namespace tsb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  auto table = JobSpecFromDdl(sql, "fuzz.sql");
  if (!table.ok()) return 0;
  SpecToDdlOptions options;
  options.name = table->name;
  auto ddl = DdlFromJobSpec(table->spec, options);
  if (!ddl.ok()) return 0;
  auto again = JobSpecFromDdl(*ddl, "to-ddl.sql");
  if (!again.ok()) {
    std::fprintf(stderr, "to-ddl wrote DDL that from-ddl refuses:\n%s\n%s\n", ddl->c_str(),
                 again.status().ToString().c_str());
    std::abort();
  }
  auto twice = DdlFromJobSpec(again->spec, options);
  if (!twice.ok() || *twice != *ddl) {
    std::fprintf(stderr, "to-ddl is not stable:\n%s\n---\n%s\n", ddl->c_str(),
                 twice.ok() ? twice->c_str() : twice.status().ToString().c_str());
    std::abort();
  }
  return 0;
}
