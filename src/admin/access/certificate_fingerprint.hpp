#pragma once
// The identity the hub gives a client certificate: SHA-256 of its DER form,
// lower-case hex, the same value the TLS listener computes per connection.

#include <string>
#include <string_view>

#include "lienthong/core/result.hpp"

namespace lienthong::admin {

// Client.InvalidInput-style error detail when `pem` is not one PEM certificate.
Result<std::string> certificate_fingerprint(std::string_view pem);

}  // namespace lienthong::admin
