// A hand-written parser of BatchWriteRowResponse (wire doc A.3): export reads one per 200 rows,
// and protobuf's generic parse of its per-row results (a message, an Error and a
// ConsumedCapacity per row, each allocated) was about 8% of export's client CPU. It accepts what
// protobuf's parser accepts for this message (unknown fields skipped; last value wins for
// singular fields, nested messages merge) and checks the same required fields; only groups, a
// proto1 relic no Tablestore message uses, are refused.
#pragma once

#include <deque>
#include <string>
#include <string_view>

#include "tsbridge/status.h"
#include "tsbridge/tablestore/client.h"

namespace tsb::ots {

// Fills result->tables, consumed and failed_rows from `body`. Return-content rows are copied into
// `storage` (the result's), which the decoded rows view. `what` prefixes row decoding errors.
Status ParseBatchWriteAnswer(std::string_view body, std::string_view what, BatchResult* result,
                             std::deque<std::string>* storage);

}  // namespace tsb::ots
