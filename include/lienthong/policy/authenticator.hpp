#pragma once
// Who is calling: maps the connection's verified credentials to a registered,
// active system. The first stage of every exchange.

#include "lienthong/core/result.hpp"
#include "lienthong/net/http_message.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::policy {

// Client.Unauthenticated when the caller presented no verified certificate
// or one that no active system holds.
Result<const registry::SystemEntry*> authenticate(const registry::Snapshot& snapshot,
                                                  const net::HttpRequest& request);

}  // namespace lienthong::policy
