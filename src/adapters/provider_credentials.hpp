#pragma once
// What every adapter does with a provider's registration before sending:
// refuse when this node cannot open it, add HTTP Basic when it has one.

#include <vector>

#include "lienthong/core/result.hpp"
#include "lienthong/net/http_message.hpp"

namespace lienthong::registry {
struct SystemEntry;
}

namespace lienthong::adapters {

// Server.CredentialsUnavailable (503) when the provider registered
// credentials this node cannot open: the call is not sent without them.
// Another node, or this one once it holds the right key, can make it, so
// asynchronous deliveries retry it.
Status credentials_ready(const registry::SystemEntry& provider);

// Authorization: Basic for a provider that registered http_basic (RFC 7617,
// UTF-8); replaces any Authorization already in `headers`.
void add_http_basic(const registry::SystemEntry& provider, std::vector<net::Header>& headers);

}  // namespace lienthong::adapters
