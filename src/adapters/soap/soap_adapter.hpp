#pragma once
// Legacy SOAP/XML providers. The standard JSON request (after the service's
// request mapping, if any) becomes the operation element of a SOAP 1.1 or
// 1.2 envelope described by the service's adapter_config.soap
// (soap_binding.hpp); the answer's XML becomes JSON (xml_codec.hpp) and
// goes through the response mapping. A SOAP Fault is Provider.Fault.

#include "lienthong/adapters/adapter.hpp"
#include "lienthong/adapters/adapter_set.hpp"

namespace lienthong::adapters::soap {

class SoapAdapter final : public Adapter {
 public:
  SoapAdapter(net::HttpClient& http, AdapterOptions options) : http_(http), options_(options) {}

  boost::asio::awaitable<Result<net::HttpResponse>> call(const registry::ServiceEntry& service,
                                                         net::HttpRequest request) override;

 private:
  net::HttpClient& http_;
  AdapterOptions options_;
};

}  // namespace lienthong::adapters::soap
