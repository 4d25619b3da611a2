// A job spec written back as JSON in the shape a user writes it (README, "The job spec"): the
// keys in the README's order, one column a line, only the keys that were given or differ from
// their defaults. ParseJobSpec of the text gives the same spec; `spec from-ddl`, `spec init` and
// the round-trip tests compare specs through it.
#pragma once

#include <string>

#include "tsbridge/job_spec.h"

namespace tsb {

// The spec as JSON, ending with a newline. `tablestore.location` is written when the spec had
// one (else endpoint and instance); `region` only when it was given; `ticks_unit` only when it is
// not millis; `file.format` only when it was given.
std::string FormatJobSpec(const JobSpec& spec);

// A column type as the spec spells it ("bigint", "decimal(10,2)", "timestamp"); the unit of a
// datetime or timestamp is the column's `ticks_unit`, not part of the name.
std::string SpecTypeName(const DataType& type);

}  // namespace tsb
