// MD5 of many messages at once.
//
// One MD5 is a chain of dependent steps, about 4.5 cycles a byte however it is written, so the
// service's x-ots-contentmd5 of every BatchWriteRow body was a quarter of export's client CPU.
// Independent messages can share a vector register instead: with AVX2, eight messages advance in
// the instructions one takes, sixteen with AVX-512. Export hashes the bodies of several requests
// this way on its reading thread (table_batch_writer.cc).
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>

namespace tsb {

using Md5Digest = std::array<unsigned char, 16>;

// digests[i] = MD5(messages[i]) for every i (digests.size() >= messages.size()): the bytes Md5()
// of crypto.h returns. Thread-safe.
void Md5Many(std::span<const std::string_view> messages, std::span<Md5Digest> digests);

// How many messages this CPU hashes side by side: 16 (AVX-512F), 8 (AVX2) or 1.
int Md5Lanes();

// Tests only: use `lanes` (1, 8 or 16; 0 = the CPU's best) where the CPU has it. Returns the width
// now in use. Not thread-safe against concurrent Md5Many calls.
int SetMd5LanesForTesting(int lanes);

}  // namespace tsb
