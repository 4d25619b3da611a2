// The service's limits (wire doc B.7, C.1), in one place: the client cuts its requests by them and
// the emulator enforces them with the service's codes and messages.
#pragma once

#include <cstdint>

namespace tsb::ots {

inline constexpr int kMaxPrimaryKeyColumns = 4;
inline constexpr int64_t kMaxPrimaryKeyValueBytes = 1024;        // STRING / BINARY key cell
inline constexpr int64_t kMaxAttributeValueBytes = 2 * 1024 * 1024;  // STRING / BINARY, per version
inline constexpr int kMaxColumnNameBytes = 255;
inline constexpr int kMaxAttributesPerWrite = 1024;
inline constexpr int kMaxColumnsToGet = 128;

inline constexpr int kBatchWriteMaxRows = 200;
// "4 MB" = 4 MiB, counted as the sum of the encoded PlainBuffer rows of one request (decisions 8).
inline constexpr int64_t kBatchWriteMaxBytes = 4 * 1024 * 1024;
inline constexpr int64_t kSingleRowWriteMaxBytes = 4 * 1024 * 1024;
inline constexpr int kBatchGetMaxRows = 100;
inline constexpr int kGetRangeMaxRows = 5000;
inline constexpr int64_t kGetRangeMaxBytes = 4 * 1024 * 1024;

// ComputeSplitPointsBySize: split_size is in units of 100 MiB unless split_size_unit_in_byte is set.
inline constexpr int64_t kDefaultSplitUnitBytes = 100LL * 1024 * 1024;

// x-ots-date may differ from the server's clock by this much (wire doc C.1).
inline constexpr int64_t kMaxDateSkewSeconds = 15 * 60;

// Capacity units are charged per started 4 KB (wire doc A.5).
inline constexpr int64_t kCapacityUnitBytes = 4096;

}  // namespace tsb::ots
