// The bitwise CRC-8 definition (wire doc B.4), used only to cross-check kCrc8Table in tests.
#include "tablestore/crc8.h"

namespace tsb::ots {

uint8_t Crc8Bitwise(uint8_t crc, std::string_view data) {
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x80) ? static_cast<uint8_t>((crc << 1) ^ 0x07) : static_cast<uint8_t>(crc << 1);
    }
  }
  return crc;
}

}  // namespace tsb::ots
