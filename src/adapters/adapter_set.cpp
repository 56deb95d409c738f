#include "lienthong/adapters/adapter_set.hpp"

#include "lienthong/net/http_client.hpp"

#include "rest/rest_adapter.hpp"

namespace lienthong::adapters {

AdapterSet::AdapterSet(std::unique_ptr<net::HttpClient> http, AdapterOptions options)
    : http_(std::move(http)) {
  // One line per adapter.
  adapters_.emplace(registry::AdapterKind::kRest,
                    std::make_unique<rest::RestAdapter>(*http_, options));
}

AdapterSet::~AdapterSet() = default;

boost::asio::awaitable<Result<net::HttpResponse>> AdapterSet::call(
    const registry::ServiceEntry& service, net::HttpRequest request) {
  const auto adapter = adapters_.find(service.adapter);
  if (adapter == adapters_.end()) {
    co_return make_error(ErrorCode::kProviderUnreachable,
                         "this hub version has no adapter for the service's registered kind");
  }
  co_return co_await adapter->second->call(service, std::move(request));
}

}  // namespace lienthong::adapters
