#pragma once
// REST/JSON providers, with the service's declarative field mapping when it
// has one (lienthong/mapping/field_mapping.hpp): the standard request is
// mapped to the provider's shape on the way out and its answer back on the
// way in. Without a mapping the request and answer pass unchanged.

#include "lienthong/adapters/adapter.hpp"
#include "lienthong/adapters/adapter_set.hpp"

namespace lienthong::adapters::rest {

class RestAdapter final : public Adapter {
 public:
  RestAdapter(net::HttpClient& http, AdapterOptions options) : http_(http), options_(options) {}

  boost::asio::awaitable<Result<net::HttpResponse>> call(const registry::ServiceEntry& service,
                                                         net::HttpRequest request) override;

 private:
  net::HttpClient& http_;
  AdapterOptions options_;
};

}  // namespace lienthong::adapters::rest
