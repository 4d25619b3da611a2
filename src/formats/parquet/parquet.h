// Entry points of the Parquet module, called by the format registry (registry.cc).
#pragma once

#include <memory>

#include "formats/format.h"
#include "tsbridge/status.h"
#include "tsbridge/types.h"

namespace tsb {

Result<std::unique_ptr<BatchReader>> OpenParquetReader(const ReaderOptions& options);
Result<std::unique_ptr<BatchWriter>> OpenParquetWriter(const Schema& schema,
                                                       const WriterOptions& options);
Result<std::unique_ptr<ResumableWriter>> OpenResumableParquetWriter(const Schema& schema,
                                                                    const WriterOptions& options,
                                                                    const DurablePoint* at);

// Its entry in the format registry (registry.cc).
extern const FormatDescriptor kParquetFormat;

}  // namespace tsb
