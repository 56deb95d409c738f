#include "lienthong/core/id_randomness.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include <openssl/rand.h>

namespace lienthong {
namespace {

// 32 UUIDs' worth of random bits per RAND_bytes call.
constexpr std::size_t kBlock = 512;

struct Block {
  std::array<unsigned char, kBlock> bytes{};
  std::size_t used = kBlock;  // empty until first drawn

  void refill() {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
      throw std::runtime_error("RAND_bytes failed");
    used = 0;
  }
};

}  // namespace

void id_random_bytes(unsigned char* out, std::size_t size) {
  thread_local Block block;
  while (size > 0) {
    if (block.used == block.bytes.size())
      block.refill();
    const std::size_t take = std::min(size, block.bytes.size() - block.used);
    std::copy_n(block.bytes.data() + block.used, take, out);
    // Each byte is handed out once.
    std::fill_n(block.bytes.data() + block.used, take, 0);
    block.used += take;
    out += take;
    size -= take;
  }
}

}  // namespace lienthong
