// The parts of store.h that do not depend on the storage engine: errors, limits, sizes, OwnedRow.
#include "emulator/store.h"

#include <cstring>
#include <string>

#include "tsbridge/tablestore/limits.h"

namespace tsb::emulator {

int HttpStatusForOtsCode(std::string_view code) {
  if (code == "OTSObjectNotExist" || code == "OTSTableNotReady") return 404;
  if (code == "OTSObjectAlreadyExist" || code == "OTSRowOperationConflict") return 409;
  if (code == "OTSAuthFailed" || code == "OTSNoPermissionAccess" ||
      code == "OTSConditionCheckFail" || code == "OTSQuotaExhausted" ||
      code == "OTSNotEnoughCapacityUnit" || code == "OTSCapacityUnitExhausted" ||
      code == "OTSTooFrequentReservedThroughputAdjustment") {
    return 403;
  }
  if (code == "OTSRequestBodyTooLarge") return 413;
  if (code == "OTSRequestTimeout") return 408;
  if (code == "OTSMethodNotAllowed") return 405;
  if (code == "OTSFlowControl") return 429;
  if (code == "OTSInternalServerError") return 500;
  if (code == "OTSServerBusy" || code == "OTSPartitionUnavailable" || code == "OTSTimeout" ||
      code == "OTSServerUnavailable") {
    return 503;
  }
  return 400;  // OTSParameterInvalid, OTSInvalidPK, OTSOutOfRowSizeLimit, ...
}

Status OtsError(std::string_view ots_code, std::string message) {
  return Status::FromService(std::string(ots_code), std::move(message),
                             HttpStatusForOtsCode(ots_code), "");
}

int64_t CapacityUnitsFor(int64_t bytes) {
  if (bytes <= 0) return 0;
  return (bytes + ots::kCapacityUnitBytes - 1) / ots::kCapacityUnitBytes;
}

Status CheckBatchWriteLimits(int64_t row_count, int64_t encoded_bytes) {
  if (row_count == 0)
    return OtsError("OTSParameterInvalid", "No row is specified in BatchWriteRow.");
  if (row_count > ots::kBatchWriteMaxRows) {
    return OtsError("OTSParameterInvalid", "Rows count exceeds the upper limit: " +
                                               std::to_string(ots::kBatchWriteMaxRows) + ".");
  }
  if (encoded_bytes > ots::kBatchWriteMaxBytes) {
    return OtsError("OTSParameterInvalid",
                    "The total data size of BatchWriteRow request exceeds the limit, limit size: " +
                        std::to_string(ots::kBatchWriteMaxBytes) +
                        ", data size:" + std::to_string(encoded_bytes) + ".");
  }
  return Status::OK();
}

Status CheckBatchGetLimits(int64_t row_count) {
  if (row_count == 0) return OtsError("OTSParameterInvalid", "No row is specified in BatchGetRow.");
  if (row_count > ots::kBatchGetMaxRows) {
    return OtsError("OTSParameterInvalid", "Rows count exceeds the upper limit: " +
                                               std::to_string(ots::kBatchGetMaxRows) + ".");
  }
  return Status::OK();
}

namespace {
// Bytes of one cell as plainbuffer.cc writes it (wire doc B.1/B.2).
int64_t CellSize(const ots::Cell& cell) {
  int64_t n = 1 + 1 + 4 + static_cast<int64_t>(cell.name.size()) + 2;  // CELL, NAME, CHECKSUM
  if (cell.value) {
    n += 1 + 4 + 1;  // VALUE tag, prefix, type byte
    switch (cell.value->type) {
      case ots::ValueType::kInteger:
      case ots::ValueType::kDouble:
        n += 8;
        break;
      case ots::ValueType::kBoolean:
        n += 1;
        break;
      case ots::ValueType::kString:
      case ots::ValueType::kBinary:
        n += 4 + static_cast<int64_t>(cell.value->bytes.size());
        break;
      default:
        break;
    }
  }
  if (cell.op != ots::CellOp::kPut) n += 2;
  if (cell.timestamp) n += 9;
  return n;
}
}  // namespace

int64_t PlainBufferRowSize(const ots::Row& row) {
  int64_t n = 1 + 2;  // TAG_ROW_PK, row checksum
  for (const ots::Cell& c : row.primary_key) n += CellSize(c);
  if (!row.attributes.empty()) {
    n += 1;
    for (const ots::Cell& c : row.attributes) n += CellSize(c);
  }
  if (row.delete_marker) n += 1;
  return n;
}

void OwnedRow::Assign(const ots::Row& row) {
  size_t total = 0;
  auto count = [&total](const std::vector<ots::Cell>& cells) {
    for (const ots::Cell& c : cells) {
      total += c.name.size();
      if (c.value) total += c.value->bytes.size();
    }
  };
  count(row.primary_key);
  count(row.attributes);
  arena_.reset(new char[total == 0 ? 1 : total]);
  char* p = arena_.get();
  auto copy = [&p](std::string_view s) {
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    std::string_view out(p, s.size());
    p += s.size();
    return out;
  };
  auto copy_cells = [&copy](const std::vector<ots::Cell>& in, std::vector<ots::Cell>* out) {
    out->clear();
    out->reserve(in.size());
    for (const ots::Cell& c : in) {
      ots::Cell cell = c;
      cell.name = copy(c.name);
      if (cell.value) cell.value->bytes = copy(c.value->bytes);
      out->push_back(cell);
    }
  };
  copy_cells(row.primary_key, &row_.primary_key);
  copy_cells(row.attributes, &row_.attributes);
  row_.delete_marker = row.delete_marker;
}

Status Store::PutRow(std::string_view instance, std::string_view table, const ots::Row& row,
                     const Condition& condition, RowWriteResult* result) {
  return WriteRow(instance, table, RowWrite{WriteType::kPut, &row, condition, {}}, result);
}

Status Store::UpdateRow(std::string_view instance, std::string_view table, const ots::Row& row,
                        const Condition& condition, RowWriteResult* result) {
  return WriteRow(instance, table, RowWrite{WriteType::kUpdate, &row, condition, {}}, result);
}

Status Store::DeleteRow(std::string_view instance, std::string_view table, const ots::Row& row,
                        const Condition& condition, RowWriteResult* result) {
  return WriteRow(instance, table, RowWrite{WriteType::kDelete, &row, condition, {}}, result);
}

}  // namespace tsb::emulator
