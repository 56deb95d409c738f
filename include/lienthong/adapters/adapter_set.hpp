#pragma once
// The adapters of one I/O thread, by kind, sharing that thread's provider
// connection pool and the node's circuit breakers. Adding an adapter is a
// folder under src/adapters/ and one line in adapter_set.cpp.

#include <map>
#include <memory>

#include "lienthong/adapters/adapter.hpp"
#include "lienthong/adapters/circuit_breaker.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::net {
class HttpClient;
}

namespace lienthong::adapters {

struct AdapterOptions {
  int max_json_depth = 64;  // provider answers nesting deeper are refused before parsing
};

class AdapterSet {
 public:
  AdapterSet(std::unique_ptr<net::HttpClient> http, std::shared_ptr<CircuitBreakers> breakers,
             AdapterOptions options);
  ~AdapterSet();
  AdapterSet(const AdapterSet&) = delete;
  AdapterSet& operator=(const AdapterSet&) = delete;

  // Calls the service through the adapter of its kind, unless the
  // provider's breaker is open (Provider.Unavailable, not called, with the
  // seconds until the provider's next probe as the error's retry-after).
  boost::asio::awaitable<Result<net::HttpResponse>> call(const registry::ServiceEntry& service,
                                                         net::HttpRequest request);

 private:
  std::unique_ptr<net::HttpClient> http_;
  std::shared_ptr<CircuitBreakers> breakers_;
  std::map<registry::AdapterKind, std::unique_ptr<Adapter>> adapters_;
};

}  // namespace lienthong::adapters
