#pragma once
// Who is calling: maps the connection's verified credentials to a registered,
// active system. The first stage of every exchange.

#include "lienthong/core/result.hpp"
#include "lienthong/net/http_message.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::policy {

// By `Authorization: ApiKey <key>` when present, else by the verified client
// certificate. Client.Unauthenticated when neither is there, or the credential
// is unknown, revoked, expired, or belongs to a disabled system.
Result<const registry::SystemEntry*> authenticate(const registry::Snapshot& snapshot,
                                                  const net::HttpRequest& request);

}  // namespace lienthong::policy
