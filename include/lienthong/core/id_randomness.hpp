#pragma once
// Random bits for identifiers the hub makes on every exchange (message and
// request ids, trace and span ids): OpenSSL's CSPRNG, drawn in blocks per
// thread. Each RAND_bytes call costs a system call (the DRBG checks the
// process id for a fork) and an exchange makes several ids; one block
// serves many. The hub does not fork, so no two processes share a block.
// Not for keys, nonces or secrets: those call RAND_bytes themselves and
// leave nothing behind.

#include <cstddef>

namespace lienthong {

// Fills `out` with `size` random bytes. Throws std::runtime_error when the
// CSPRNG fails.
void id_random_bytes(unsigned char* out, std::size_t size);

}  // namespace lienthong
