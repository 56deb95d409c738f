#pragma once
// X-Road's REST metaservices (Service Metadata Protocol for REST), answered
// by the hub itself from the registry snapshot instead of by the provider:
//   GET /r1/PROVIDER/listMethods     every active service of PROVIDER
//   GET /r1/PROVIDER/allowedMethods  those the caller's agreements allow now
//   GET /r1/PROVIDER/getOpenAPI?serviceCode=CODE

#include <chrono>
#include <string>
#include <string_view>

#include "lienthong/core/result.hpp"
#include "lienthong/net/http_message.hpp"
#include "lienthong/registry/snapshot.hpp"

namespace lienthong::exchange {
struct ExchangeContext;
}

namespace lienthong::exchange::xroad {

// {"service": [{"xroad_instance", "member_class", "member_code", "subsystem_code",
//   "service_code", "service_version", "object_type": "SERVICE", "service_type": "REST",
//   "endpoint_list": [{"method", "path"}]}]}. With `caller` null every active
// service of `provider` is listed with "*" / "**" endpoints (listMethods);
// otherwise only those an agreement of `caller` allows at `now`, with the
// agreement's methods and path patterns (allowedMethods).
std::string methods_json(const registry::Snapshot& snapshot, const registry::SystemEntry& provider,
                         const registry::SystemEntry* caller,
                         std::chrono::system_clock::time_point now);

// The value of `name` in a query string ("a=1&b=2"), percent-decoded; empty when absent.
std::string query_parameter(std::string_view query, std::string_view name);

// The metaservice `service_code` of the provider the request names
// (metaservice_endpoint.cpp): the answer, or Client.UnknownService for a code
// this hub does not offer, Client.MethodNotAllowed for anything but GET.
Result<net::HttpResponse> metaservice(const ExchangeContext& exchange,
                                      const registry::SystemEntry& caller,
                                      std::string_view service_code, std::string_view query);

}  // namespace lienthong::exchange::xroad
