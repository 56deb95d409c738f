#pragma once
// When a failed delivery is tried again, and whether it is at all.

#include <chrono>
#include <random>

#include "lienthong/core/error.hpp"

namespace lienthong::delivery {

// Failures the provider (or the hub) may get over: worth another attempt
// later. Anything else (no agreement, an unmappable request, an answer
// against the schema) makes the message dead at once: retrying cannot help.
bool retriable(ErrorCode code);

// The wait before attempt `attempts` + 1: `initial` doubled per attempt
// made, capped at `max`, then a random 50-100 % of that (jitter), so that
// messages that failed together do not all return together.
std::chrono::milliseconds backoff(int attempts, std::chrono::milliseconds initial,
                                  std::chrono::milliseconds max, std::minstd_rand& random);

}  // namespace lienthong::delivery
