#pragma once
// How the hub reaches a provider through the provider's own interface. The
// exchange pipeline hands an adapter the standard request (method, path,
// headers, JSON body) for a service and gets back the standard answer; what
// travels to the provider in between is the adapter's business. An adapter
// knows nothing of the others; AdapterSet picks one by the service's
// registered kind.

#include <boost/asio/awaitable.hpp>

#include "lienthong/core/result.hpp"
#include "lienthong/net/http_message.hpp"

namespace lienthong::registry {
struct ServiceEntry;
}

namespace lienthong::adapters {

class Adapter {
 public:
  virtual ~Adapter() = default;
  // The service's provider system is resolved (service.provider->endpoint
  // is set). Errors are Provider.* (the provider or its answer) or
  // Client.MappingFailed (the standard request cannot take the provider's form).
  virtual boost::asio::awaitable<Result<net::HttpResponse>> call(
      const registry::ServiceEntry& service, net::HttpRequest request) = 0;
};

}  // namespace lienthong::adapters
