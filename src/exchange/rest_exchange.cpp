// The X-Road Message Protocol for REST (r1) on the exchange listener: an
// X-Road REST client talks to Lienthong as to its security server.
#include <boost/beast/core/string.hpp>
#include <nlohmann/json.hpp>

#include "lienthong/core/message_id.hpp"
#include "lienthong/core/utf8.hpp"
#include "lienthong/exchange/service_description.hpp"
#include "lienthong/net/http_client.hpp"
#include "lienthong/policy/answer_shaping.hpp"
#include "lienthong/policy/json_limits.hpp"

#include "exchange_state.hpp"
#include "xroad_metaservices.hpp"
#include "xroad_rest.hpp"

namespace lienthong::exchange {
namespace asio = boost::asio;
using net::HttpRequest;
using net::HttpResponse;

asio::awaitable<Result<HttpResponse>> ExchangeHandler::rest_message(Exchange& exchange) {
  const HttpRequest& request = exchange.request;
  audit::AuditRecord& record = exchange.record;

  // 1-2. Registry loaded, caller authenticated, within its concurrency limit (as for envelopes).
  auto caller = identify(exchange);
  if (!caller.has_value())
    co_return std::move(caller).error();
  const registry::Snapshot& snapshot = *exchange.snapshot;

  // 3. The message id: X-Road-Id when given, else a new one.
  const auto given_id = request.header("X-Road-Id");
  if (!given_id.empty() && !is_valid_message_id(given_id))
    co_return make_error(ErrorCode::kClientBadRequest, "X-Road-Id is not a usable message id");
  exchange.message_id = given_id.empty() ? new_uuid_v7() : std::string(given_id);

  // 4. Target and client: /r1/PROVIDER/SERVICE[/path], X-Road-Client is the caller.
  auto target = xroad::parse_target(request.target);
  if (!target.has_value())
    co_return std::move(target).error();
  record.provider = target.value().provider.to_string();
  record.service = target.value().service_code;
  auto client = xroad::parse_client(request.header("X-Road-Client"));
  if (!client.has_value())
    co_return std::move(client).error();
  if (client.value().to_string() != record.consumer) {
    co_return make_error(ErrorCode::kClientSenderMismatch,
                         "X-Road-Client is " + client.value().to_string() +
                             " but the caller is authenticated as " + record.consumer);
  }
  if (is_reserved_service_code(record.service)) {
    const auto* provider = snapshot.system(record.provider);
    if (provider == nullptr)
      co_return make_error(ErrorCode::kClientUnknownService, "no system " + record.provider);
    co_return xroad_metaservice(exchange, *caller.value(), *provider, record.service,
                                target.value().query);
  }
  record.user_id = std::string(request.header("X-Road-UserId"));
  record.purpose = std::string(request.header("X-Lienthong-Purpose"));
  // X-Road's own header for why a call is made is the case it serves.
  if (const auto issue = request.header("X-Road-Issue"); record.purpose.empty() && !issue.empty())
    record.purpose = "X-Road-Issue: " + std::string(issue);
  for (const auto* value : {&record.user_id, &record.purpose}) {
    if (find_control_character(*value)) {
      co_return make_error(ErrorCode::kClientBadRequest,
                           "X-Road-UserId and X-Lienthong-Purpose may not hold control characters");
    }
  }

  // 5. The service: the version named by X-Lienthong-Service-Version, or the
  //    only active one.
  const auto versions = snapshot.service_versions(record.provider + "/" + record.service);
  const auto wanted = request.header("X-Lienthong-Service-Version");
  const registry::ServiceEntry* service = nullptr;
  for (const auto* candidate : versions) {
    if (wanted.empty() ? versions.size() == 1 : candidate->service_id.version == wanted)
      service = candidate;
  }
  if (service == nullptr || !service->provider->endpoint) {
    co_return make_error(ErrorCode::kClientUnknownService,
                         versions.size() > 1 && wanted.empty()
                             ? "several versions of " + record.provider + "/" + record.service +
                                   " are active; name one in X-Lienthong-Service-Version"
                             : "no active service " + record.provider + "/" + record.service);
  }
  record.service_version = service->service_id.version;
  exchange.audit_bodies = service->audit_bodies;

  // 6. Agreement (with method and path), purpose, limits, request schema.
  //    JSON in another charset would pass unvalidated: refused instead.
  const auto content_type = request.header("Content-Type");
  if (net::is_json_media_type(content_type) && !net::is_utf8_json_media_type(content_type)) {
    co_return make_error(ErrorCode::kClientUnsupportedMediaType,
                         "JSON must be sent in UTF-8 (charset=utf-8 or no charset)");
  }
  const std::string_view path = target.value().path;
  auto agreement =
      authorize(exchange, *caller.value(), *service, record.service_version, record.purpose,
                policy::Operation{request.method, path},
                JsonBody{.parsed = nullptr,
                         .text = net::is_json_media_type(request.header("Content-Type"))
                                     ? std::string_view(request.body)
                                     : std::string_view()});
  if (!agreement.has_value())
    co_return std::move(agreement).error();

  // 7. Forward: user headers pass unchanged, the hub's own are set.
  HttpRequest call;
  call.method = request.method;
  call.target =
      service->provider->endpoint->base_path + service->provider_path + target.value().path;
  if (!target.value().query.empty())
    call.target += "?" + target.value().query;
  for (const auto& header : request.headers) {
    if (!xroad::is_filtered_header(header.name) &&
        !boost::beast::iequals(header.name, "X-Road-Id") &&
        !boost::beast::iequals(header.name, "X-Road-Client"))
      call.headers.push_back(header);
  }
  const std::string service_id = record.provider + "/" + record.service;
  call.headers.push_back({"X-Road-Id", exchange.message_id});
  call.headers.push_back({"X-Road-Client", record.consumer});
  call.headers.push_back({"X-Road-Service", service_id});
  call.headers.push_back({"X-Lienthong-Request-Id", record.request_id});
  if (!record.purpose.empty())
    call.headers.push_back({"X-Lienthong-Purpose", record.purpose});
  call.body = request.body;
  auto answer = co_await call_provider(exchange, *service, std::move(call));
  if (!answer.has_value())
    co_return std::move(answer).error();
  HttpResponse reply = std::move(answer).value();

  // 8. The provider's answer goes back as it is (X-Road category 1), except
  //    that a successful JSON answer is held to the response schema and cut
  //    down to the agreement's fields.
  const bool shape = reply.status < 300 && net::is_json_media_type(reply.header("Content-Type")) &&
                     (service->response_schema || !agreement.value()->response_fields.empty());
  if (shape) {
    if (policy::exceeds_json_depth(reply.body, deps_.max_json_depth))
      co_return make_error(ErrorCode::kProviderBadResponse, "the provider's JSON nests too deep");
    auto body = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded())
      co_return make_error(ErrorCode::kProviderBadResponse, "the provider's answer is not JSON");
    auto shaped = policy::shape_answer(*service, *agreement.value(), body);
    if (!shaped.has_value())
      co_return std::move(shaped).error();
    reply.body = shaped.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  HttpResponse response;
  response.status = reply.status;
  response.body = std::move(reply.body);
  for (auto& header : reply.headers) {
    if (!xroad::is_filtered_header(header.name) && !header.name.starts_with("X-Road-") &&
        !header.name.starts_with("x-road-"))
      response.headers.push_back(std::move(header));
  }
  response.headers.push_back({"X-Road-Id", exchange.message_id});
  response.headers.push_back({"X-Road-Client", record.consumer});
  response.headers.push_back({"X-Road-Service", service_id});
  response.headers.push_back({"X-Road-Request-Id", record.request_id});
  response.headers.push_back({"X-Road-Request-Hash", xroad::request_hash(request)});
  co_return response;
}

// listMethods, allowedMethods and getOpenAPI for `provider`, answered by the
// hub from the snapshot. Only GET, as in X-Road.
Result<HttpResponse> ExchangeHandler::xroad_metaservice(Exchange& exchange,
                                                        const registry::SystemEntry& caller,
                                                        const registry::SystemEntry& provider,
                                                        std::string_view service_code,
                                                        std::string_view query) {
  const registry::Snapshot& snapshot = *exchange.snapshot;
  if (exchange.request.method != "GET")
    return make_error(ErrorCode::kClientMethodNotAllowed, "metaservices answer GET only");
  HttpResponse response;
  if (service_code == "listMethods" || service_code == "allowedMethods") {
    const auto* only_for = service_code == "allowedMethods" ? &caller : nullptr;
    response = HttpResponse::with_body(
        200, xroad::methods_json(snapshot, provider, only_for, exchange.request.received_at));
  } else if (service_code == "getOpenAPI") {
    const auto code = xroad::query_parameter(query, "serviceCode");
    if (code.empty())
      return make_error(ErrorCode::kClientBadRequest, "getOpenAPI needs ?serviceCode=CODE");
    const auto version = xroad::query_parameter(query, "serviceVersion");
    const auto versions = snapshot.service_versions(provider.key + "/" + code);
    const registry::ServiceEntry* service = nullptr;
    for (const auto* candidate : versions) {
      if (version.empty() ? versions.size() == 1 : candidate->service_id.version == version)
        service = candidate;
    }
    if (service == nullptr) {
      return make_error(ErrorCode::kClientUnknownService,
                        versions.size() > 1 && version.empty()
                            ? "several versions are active; add &serviceVersion=VERSION"
                            : "no active service " + provider.key + "/" + code);
    }
    auto agreement = policy::find_agreement(snapshot, caller, *service, service->service_id.version,
                                            exchange.request.received_at);
    response = HttpResponse::with_body(
        200, service_openapi_json(*service, agreement.has_value() ? agreement.value() : nullptr));
  } else {
    return make_error(
        ErrorCode::kClientUnknownService,
        "the X-Road metaservice " + std::string(service_code) + " is not offered by this hub");
  }
  response.headers.push_back({"X-Road-Id", exchange.message_id});
  response.headers.push_back({"X-Road-Client", exchange.record.consumer});
  response.headers.push_back({"X-Road-Service", provider.key + "/" + std::string(service_code)});
  response.headers.push_back({"X-Road-Request-Id", exchange.record.request_id});
  return response;
}

}  // namespace lienthong::exchange
