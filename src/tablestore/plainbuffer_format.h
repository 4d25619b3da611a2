// PlainBuffer's tag bytes and header (wire doc B.1), shared by the encoder and the decoder.
//
// These values are on the wire: never renumber. Value type bytes live in row.h (ValueType) and
// cell op bytes in row.h (CellOp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tsb::ots::pb_format {

// Every PlainBuffer field starts with this u32, little-endian.
inline constexpr uint32_t kHeader = 0x75;
inline constexpr size_t kHeaderSize = 4;

inline constexpr uint8_t kTagRowPk = 0x01;
inline constexpr uint8_t kTagRowData = 0x02;
inline constexpr uint8_t kTagCell = 0x03;
inline constexpr uint8_t kTagCellName = 0x04;
inline constexpr uint8_t kTagCellValue = 0x05;
inline constexpr uint8_t kTagCellType = 0x06;
inline constexpr uint8_t kTagCellTimestamp = 0x07;
inline constexpr uint8_t kTagDeleteRowMarker = 0x08;
inline constexpr uint8_t kTagRowChecksum = 0x09;
inline constexpr uint8_t kTagCellChecksum = 0x0A;
// Java stream records only: u32 length, then sub-blocks (0x0C..0x0F). Not part of any checksum.
inline constexpr uint8_t kTagExtension = 0x0B;

// What the delete marker contributes to the row checksum (0x00 when absent).
inline constexpr uint8_t kRowChecksumDeleteByte = 0x01;
inline constexpr uint8_t kRowChecksumNoDeleteByte = 0x00;

}  // namespace tsb::ots::pb_format
