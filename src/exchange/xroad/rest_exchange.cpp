// The X-Road Message Protocol for REST (r1) on the exchange listener: an
// X-Road REST client talks to Lienthong as to its security server.
#include <boost/beast/core/string.hpp>

#include "lienthong/core/json_text.hpp"
#include "lienthong/core/message_id.hpp"
#include "lienthong/core/utf8.hpp"
#include "lienthong/net/header_text.hpp"
#include "lienthong/pipeline/stages.hpp"
#include "lienthong/policy/rate_limiter.hpp"

#include "../exchange_context.hpp"
#include "../federation/peer_route.hpp"
#include "xroad_metaservices.hpp"
#include "xroad_rest.hpp"

namespace lienthong::exchange {
using net::HttpRequest;
using net::HttpResponse;

namespace {

// The provider's call: the caller's own headers pass unchanged, the hub's are set.
HttpRequest provider_call(const ExchangeContext& exchange, const registry::ServiceEntry& service,
                          const xroad::RestTarget& target, std::string_view purpose) {
  const HttpRequest& request = exchange.request;
  const audit::AuditRecord& record = exchange.record;
  HttpRequest call;
  call.method = request.method;
  call.target = service.provider->endpoint->base_path + service.provider_path + target.path;
  if (!target.query.empty())
    call.target += "?" + target.query;
  for (const auto& header : request.headers) {
    if (!xroad::is_filtered_header(header.name) &&
        !boost::beast::iequals(header.name, "X-Road-Id") &&
        !boost::beast::iequals(header.name, "X-Road-Client"))
      call.headers.push_back(header);
  }
  call.headers.push_back({"X-Road-Id", exchange.message_id});
  call.headers.push_back({"X-Road-Client", record.consumer});
  call.headers.push_back({"X-Road-Service", record.provider + "/" + record.service});
  call.headers.push_back({"X-Lienthong-Request-Id", record.request_id});
  if (!purpose.empty())
    call.headers.push_back({"X-Lienthong-Purpose", net::encode_header_text(purpose)});
  call.body = request.body;
  return call;
}

// The provider's answer goes back as it is (X-Road category 1), except that a
// successful JSON answer is held to the response schema and cut down to the
// agreement's fields.
Result<HttpResponse> answer(const ExchangeContext& exchange, const registry::ServiceEntry& service,
                            const registry::AgreementEntry& agreement, HttpResponse reply,
                            int max_json_depth) {
  const bool shape = reply.status < 300 && net::is_json_media_type(reply.header("Content-Type")) &&
                     (service.response_schema || !agreement.response_fields.empty());
  if (shape) {
    auto body = parse_json_text(reply.body, max_json_depth, ErrorCode::kProviderBadResponse,
                                "the provider's answer");
    if (!body.has_value())
      return std::move(body).error();
    auto shaped = pipeline::shape_answer(reply.status, service, agreement, std::move(body).value());
    if (!shaped.has_value())
      return std::move(shaped).error();
    reply.body = to_json_text(shaped.value());
  }
  const audit::AuditRecord& record = exchange.record;
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
  response.headers.push_back({"X-Road-Service", record.provider + "/" + record.service});
  response.headers.push_back({"X-Road-Request-Id", record.request_id});
  response.headers.push_back({"X-Road-Request-Hash", xroad::request_hash(exchange.request)});
  return response;
}

// The request says what the peer vouched for: no other message, service,
// version, operation, purpose or user can ride on its assertion.
Result<bool> matches_assertion(const ExchangeContext& exchange, std::string_view named_version,
                               const std::string& operation, const PeerCrossing& crossing) {
  const auto& claims = crossing.claims;
  const audit::AuditRecord& record = exchange.record;
  const std::string service =
      record.provider + "/" + record.service + "/" + std::string(named_version);
  if (exchange.message_id != claims.message_id || service != claims.service ||
      operation != claims.operation || record.purpose != claims.purpose ||
      record.user_id != claims.user_id) {
    return make_error(ErrorCode::kClientUnauthenticated,
                      "the request (X-Road-Id, service, X-Lienthong-Service-Version, method and "
                      "path, purpose, X-Road-UserId) is not what " +
                          crossing.peer.instance + " vouched for in its assertion");
  }
  return true;
}

}  // namespace

Outcome rest_message(ExchangeContext& exchange, const NodeParts& node) {
  auto caller = identify_caller(exchange, node);
  if (!caller.has_value())
    co_return std::move(caller).error();
  co_return co_await rest_exchange(exchange, node, caller.value(), nullptr);
}

Outcome rest_exchange(ExchangeContext& exchange, const NodeParts& node,
                      const registry::SystemEntry* local_caller, const PeerCrossing* crossing) {
  const HttpRequest& request = exchange.request;
  audit::AuditRecord& record = exchange.record;
  const registry::Snapshot& snapshot = *exchange.snapshot;

  // The message id: X-Road-Id when given, else a new one (a peer always
  // gives the one it vouched for).
  const auto given_id = request.header("X-Road-Id");
  if (!given_id.empty() && !is_valid_message_id(given_id))
    co_return make_error(ErrorCode::kClientBadRequest, "X-Road-Id is not a usable message id");
  exchange.message_id = given_id.empty() ? new_uuid_v7() : std::string(given_id);

  // Target and client: /r1/PROVIDER/SERVICE[/path], X-Road-Client is the caller.
  const std::string_view r1_target =
      crossing ? std::string_view(request.target).substr(kPeerRestPrefix.size())
               : std::string_view(request.target);
  auto target = xroad::parse_target(r1_target);
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
    if (local_caller == nullptr)
      co_return make_error(ErrorCode::kClientUnknownService,
                           "metaservices describe the hub they are asked at, not through a peer");
    co_return xroad::metaservice(exchange, *local_caller, record.service, target.value().query);
  }
  record.user_id = std::string(request.header("X-Road-UserId"));
  // Text outside ASCII may come in RFC 8187 form (UTF-8''...); recorded as text.
  record.purpose = net::decode_header_text(request.header("X-Lienthong-Purpose"));
  // X-Road's own header for why a call is made is the case it serves.
  if (const auto issue = request.header("X-Road-Issue"); record.purpose.empty() && !issue.empty())
    record.purpose = "X-Road-Issue: " + std::string(issue);
  for (const auto* value : {&record.user_id, &record.purpose}) {
    if (find_control_character(*value)) {
      co_return make_error(ErrorCode::kClientBadRequest,
                           "X-Road-UserId and X-Lienthong-Purpose may not hold control characters");
    }
  }
  const auto named_version = request.header("X-Lienthong-Service-Version");
  const std::string operation = request.method + " " + target.value().path +
                                (target.value().query.empty() ? "" : "?" + target.value().query);
  if (crossing != nullptr) {
    if (auto vouched = matches_assertion(exchange, named_version, operation, *crossing);
        !vouched.has_value())
      co_return std::move(vouched).error();
  }

  // Another instance's service: passed on to the next hub (from a peer: transit).
  auto route = peer_route(snapshot, node, record.consumer, record.provider, record.service,
                          named_version, crossing, request.received_at);
  if (!route.has_value())
    co_return std::move(route).error();
  if (route.value() != nullptr) {
    const RestHop hop{*route.value(), r1_target, std::string(named_version), operation};
    co_return co_await forward_rest(exchange, node, hop, crossing);
  }

  // Ours: for a caller a peer vouched for, our agreement with it decides.
  auto identified = caller_of(exchange, node, local_caller, crossing);
  if (!identified.has_value())
    co_return std::move(identified).error();
  const registry::SystemEntry* caller = identified.value();

  // The version named by X-Lienthong-Service-Version, or the only active one.
  auto service =
      pipeline::resolve_service_version(snapshot, record.provider + "/" + record.service,
                                        named_version, "name one in X-Lienthong-Service-Version");
  if (!service.has_value())
    co_return std::move(service).error();
  record.service_version = service.value()->service_id.version;
  exchange.audit_bodies = service.value()->audit_bodies;
  if (crossing != nullptr && !published_to(*service.value(), crossing->peer)) {
    co_return make_error(
        ErrorCode::kClientUnknownService,
        "no service " + service.value()->key + " is published to " + crossing->peer.instance);
  }

  // JSON in another charset would pass unvalidated: refused instead.
  const auto content_type = request.header("Content-Type");
  const bool json_body = net::is_json_media_type(content_type);
  if (json_body && !net::is_utf8_json_media_type(content_type)) {
    co_return make_error(ErrorCode::kClientUnsupportedMediaType,
                         "JSON must be sent in UTF-8 (charset=utf-8 or no charset)");
  }
  auto authorization = pipeline::authorize(
      snapshot,
      {.caller = caller,
       .service = service.value(),
       .version = record.service_version,
       .purpose = record.purpose,
       .purpose_field = "the X-Lienthong-Purpose header",
       .may_use_agreement_purpose = true,
       .operation = policy::Operation{request.method, target.value().path},
       .body_bytes = request.body.size(),
       .parsed_body = nullptr,
       .json_text = json_body ? std::string_view(request.body) : std::string_view(),
       .body_pointer = "",
       .at = request.received_at},
      node.deps.max_json_depth);
  if (!authorization.has_value())
    co_return std::move(authorization).error();
  record.purpose = authorization.value().purpose;
  const registry::AgreementEntry& agreement = *authorization.value().agreement;
  if (auto admitted = co_await node.deps.limits->admit(agreement, request.received_at);
      !admitted.has_value())
    co_return std::move(admitted).error();

  auto reply = co_await pipeline::call_provider(
      node.adapters, *node.deps.audit, *service.value(),
      provider_call(exchange, *service.value(), target.value(), record.purpose),
      exchange.trace.traceparent(), record);
  if (!reply.has_value())
    co_return std::move(reply).error();
  co_return answer(exchange, *service.value(), agreement, std::move(reply).value(),
                   node.deps.max_json_depth);
}

}  // namespace lienthong::exchange
