#include "lienthong/exchange/exchange_handler.hpp"

#include <boost/beast/core/string.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "lienthong/adapters/adapter_set.hpp"
#include "lienthong/adapters/standard_request.hpp"
#include "lienthong/audit/audit_sink.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/message_id.hpp"
#include "lienthong/core/timestamp.hpp"
#include "lienthong/exchange/envelope.hpp"
#include "lienthong/net/http_client.hpp"
#include "lienthong/net/problem.hpp"
#include "lienthong/observability/log_context.hpp"
#include "lienthong/policy/agreement_check.hpp"
#include "lienthong/policy/answer_shaping.hpp"
#include "lienthong/policy/authenticator.hpp"
#include "lienthong/policy/concurrency_limiter.hpp"
#include "lienthong/policy/json_limits.hpp"
#include "lienthong/policy/rate_limiter.hpp"
#include "lienthong/registry/snapshot_store.hpp"
#include "lienthong/schema/json_schema.hpp"

#include "exchange_state.hpp"
#include "xroad_rest.hpp"

namespace lienthong::embedded {
std::vector<std::pair<std::string_view, std::string_view>> exchange_openapi();
}  // namespace lienthong::embedded

namespace lienthong::exchange {
namespace asio = boost::asio;
using net::HttpRequest;
using net::HttpResponse;
using net::problem_response;
using net::ProblemContext;

namespace {

constexpr std::string_view kMessagesPath = "/exchange/v1/messages";
constexpr std::string_view kCatalogPath = "/exchange/v1/catalog";
constexpr std::string_view kOpenApiPath = "/exchange/v1/openapi.json";

// The exchange listener's endpoints.
enum class Endpoint { kXRoad, kMessages, kMessageStatus, kCatalog, kDescription, kOpenApi, kNone };

Endpoint endpoint_of(std::string_view path) {
  if (path.starts_with(xroad::kPrefix))
    return Endpoint::kXRoad;
  if (path == kMessagesPath)
    return Endpoint::kMessages;
  if (path.starts_with(kMessagesPath) && path[kMessagesPath.size()] == '/')
    return Endpoint::kMessageStatus;
  if (path == kCatalogPath)
    return Endpoint::kCatalog;
  if (path == kOpenApiPath)
    return Endpoint::kOpenApi;
  if (path.starts_with(kServicesPrefix) && path.ends_with(kOpenApiSuffix))
    return Endpoint::kDescription;
  return Endpoint::kNone;
}

// The one method an endpoint answers; empty for X-Road REST, which passes any on.
std::string_view allowed_method(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kXRoad:
    case Endpoint::kNone:
      return {};
    case Endpoint::kMessages:
      return "POST";
    default:
      return "GET";
  }
}

}  // namespace

HttpResponse json_response(int status, std::string body, const std::string& request_id) {
  auto response = HttpResponse::with_body(status, std::move(body));
  response.headers.push_back({"X-Request-Id", request_id});
  return response;
}

ExchangeHandler::ExchangeHandler(ExchangeDependencies dependencies,
                                 std::unique_ptr<adapters::AdapterSet> adapters)
    : deps_(std::move(dependencies)), adapters_(std::move(adapters)) {}

ExchangeHandler::~ExchangeHandler() = default;

asio::awaitable<HttpResponse> ExchangeHandler::handle(HttpRequest request) {
  Exchange exchange(std::move(request), deps_.snapshots->current());
  exchange.record.request_id = new_uuid_v7();
  exchange.trace =
      observability::TraceContext::continue_from(exchange.request.header("traceparent"));
  const Endpoint endpoint = endpoint_of(exchange.request.path());
  if (endpoint == Endpoint::kNone) {
    co_return co_await finish(
        exchange, make_error(ErrorCode::kClientNotFound, "no exchange endpoint at this path"));
  }
  const std::string_view allowed = allowed_method(endpoint);
  if (!allowed.empty() && exchange.request.method != allowed) {
    auto outcome =
        co_await finish(exchange, make_error(ErrorCode::kClientMethodNotAllowed,
                                             "use " + std::string(allowed) + " at this endpoint"));
    outcome.headers.push_back({"Allow", std::string(allowed)});
    co_return outcome;
  }
  Result<HttpResponse> outcome = make_error(ErrorCode::kServerInternal, "unrouted");
  switch (endpoint) {
    case Endpoint::kXRoad:
      exchange.xroad = true;
      outcome = co_await rest_message(exchange);
      break;
    case Endpoint::kMessages:
      outcome = co_await exchange_message(exchange);
      break;
    case Endpoint::kMessageStatus:
      outcome = co_await message_status(exchange);
      break;
    case Endpoint::kCatalog:
      outcome = catalog(exchange);
      break;
    case Endpoint::kDescription:
      outcome = service_description(exchange);
      break;
    case Endpoint::kOpenApi:
      // The API's own description (docs/openapi/exchange-v1.json) needs no
      // credential: it says nothing about any member.
      outcome = json_response(200, std::string(embedded::exchange_openapi().front().second),
                              exchange.record.request_id);
      break;
    case Endpoint::kNone:
      break;
  }
  co_return co_await finish(exchange, std::move(outcome));
}

asio::awaitable<HttpResponse> ExchangeHandler::reject(HttpRequest request, Error error) {
  Exchange exchange(std::move(request), deps_.snapshots->current());
  exchange.record.request_id = new_uuid_v7();
  auto response = co_await finish(exchange, std::move(error));
  response.close_connection = true;
  co_return response;
}

// Who is calling, for every exchange endpoint: the registry must be loaded
// (without it nobody can be authenticated), the credential valid, and the
// system within its limit of requests in flight on this node.
Result<const registry::SystemEntry*> ExchangeHandler::identify(Exchange& exchange) {
  if (!exchange.snapshot)
    return make_error(ErrorCode::kServerRegistryUnavailable, "the registry is not loaded yet");
  auto caller = policy::authenticate(*exchange.snapshot, exchange.request);
  if (!caller.has_value())
    return caller;
  exchange.record.consumer = caller.value()->key;
  exchange.slot = deps_.concurrency->acquire(caller.value()->id);
  if (!exchange.slot) {
    exchange.retry_after_seconds = 1;
    return make_error(ErrorCode::kClientConcurrencyLimit,
                      "this system already has the maximum number of requests in progress");
  }
  return caller;
}

// The exchange pipeline, in order. Each stage either passes or ends the
// exchange with an Error; finish() turns either outcome into the response
// and its audit record.
asio::awaitable<Result<HttpResponse>> ExchangeHandler::exchange_message(Exchange& exchange) {
  const HttpRequest& request = exchange.request;
  audit::AuditRecord& record = exchange.record;

  // 1-2. Registry loaded, caller authenticated, within its concurrency limit.
  auto caller = identify(exchange);
  if (!caller.has_value())
    co_return std::move(caller).error();
  const registry::Snapshot& snapshot = *exchange.snapshot;

  // 3. Read the envelope: JSON, bounded depth, valid against envelope.schema.json.
  if (!net::is_utf8_json_media_type(request.header("Content-Type"))) {
    co_return make_error(ErrorCode::kClientUnsupportedMediaType,
                         "send the envelope as Content-Type: application/json, in UTF-8");
  }
  auto parsed = deps_.envelopes->parse(request.body, exchange.message_id);
  if (!parsed.has_value())
    co_return std::move(parsed).error();
  const Envelope& envelope = parsed.value();
  record.provider = envelope.header.to;
  record.service = envelope.header.service;
  record.service_version = envelope.header.version;
  record.user_id = envelope.header.user_id;
  record.purpose = envelope.header.purpose;

  // 4. A system may only send as itself.
  if (envelope.header.from != record.consumer) {
    co_return make_error(ErrorCode::kClientSenderMismatch,
                         "header.from is " + envelope.header.from +
                             " but the caller is authenticated as " + record.consumer);
  }

  // 5. Resolve the service in the registry snapshot.
  const registry::ServiceEntry* service = snapshot.service(envelope.header.service_key());
  if (service == nullptr || !service->provider->endpoint) {
    co_return make_error(ErrorCode::kClientUnknownService,
                         "no active service " + envelope.header.service_key());
  }

  // 6. Agreement, purpose, body limit, request schema and rate limits.
  exchange.audit_bodies = service->audit_bodies;
  auto agreement = authorize(exchange, *caller.value(), *service, envelope.header.version,
                             envelope.header.purpose, std::nullopt,
                             JsonBody{.parsed = &envelope.payload, .text = {}});
  if (!agreement.has_value())
    co_return std::move(agreement).error();

  // 7. Asynchronous: queue it (202) and let a delivery worker call the
  // provider. A preference the provider has not allowed (allow_async) is
  // ignored, as RFC 7240 lets a server do: the call is then synchronous.
  if (service->adapter == registry::AdapterKind::kAsync ||
      (service->allow_async && prefers_async(request.header("Prefer"))))
    co_return co_await queue_message(exchange, *caller.value(), *service, envelope);

  // 8. Call the provider.
  auto call = adapters::standard_request(*service,
                                         {envelope.header.id, record.request_id, record.consumer,
                                          envelope.header.user_id, envelope.header.purpose},
                                         envelope.body);
  auto answer = co_await call_provider(exchange, *service, std::move(call));
  if (!answer.has_value())
    co_return std::move(answer).error();
  const HttpResponse& reply = answer.value();

  // 9. Check the provider's answer: never pass on a server error or non-JSON.
  if (reply.status >= 500) {
    co_return make_error(ErrorCode::kProviderError,
                         "the provider answered HTTP " + std::to_string(reply.status));
  }
  if (policy::exceeds_json_depth(reply.body, deps_.max_json_depth)) {
    co_return make_error(ErrorCode::kProviderBadResponse, "the provider's JSON nests too deep");
  }
  auto body = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    co_return make_error(ErrorCode::kProviderBadResponse, "the provider's answer is not JSON");
  }

  // 10. Response schema and data minimisation.
  if (reply.status < 300) {
    auto shaped = policy::shape_answer(*service, *agreement.value(), body);
    if (!shaped.has_value())
      co_return std::move(shaped).error();
    body = std::move(shaped).value();
  }

  // 11. Wrap the answer in a response envelope addressed back to the caller.
  record.correlation_id = envelope.header.id;
  nlohmann::json response{{"header",
                           {{"id", new_uuid_v7()},
                            {"correlationId", envelope.header.id},
                            {"from", service->provider->key},
                            {"to", record.consumer},
                            {"service", envelope.header.service},
                            {"version", envelope.header.version},
                            {"status", reply.status},
                            {"timestamp", to_rfc3339(std::chrono::system_clock::now())}}},
                          {"body", std::move(body)}};
  co_return json_response(reply.status,
                          response.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                          record.request_id);
}

// Sends the call to the service's provider, recording when it went and came
// back; a caller refused by the provider's open breaker learns when to retry.
asio::awaitable<Result<HttpResponse>> ExchangeHandler::call_provider(
    Exchange& exchange, const registry::ServiceEntry& service, HttpRequest call) {
  // The provider joins the trace as the hub's child, whatever the caller sent.
  std::erase_if(call.headers, [](const net::Header& header) {
    return boost::beast::iequals(header.name, "traceparent");
  });
  call.headers.push_back({"traceparent", exchange.trace.traceparent()});
  exchange.record.provider_called_at = std::chrono::system_clock::now();
  auto answer = co_await adapters_->call(service, std::move(call));
  exchange.record.provider_answered_at = std::chrono::system_clock::now();
  if (!answer.has_value() && answer.error().code == ErrorCode::kProviderUnavailable)
    exchange.retry_after_seconds = adapters_->seconds_until_probe(service);
  co_return answer;
}

// The body against the service's request schema. Text is parsed here, once,
// after a depth check: validation recurses, so depth is bounded first.
std::vector<schema::SchemaViolation> ExchangeHandler::validate_request(
    const schema::JsonSchema& schema, const JsonBody& body) const {
  if (body.parsed != nullptr)
    return schema.validate(*body.parsed);
  if (body.text.empty())
    return {{"", "the body is not JSON"}};
  if (policy::exceeds_json_depth(body.text, deps_.max_json_depth))
    return {{"", "the body nests deeper than " + std::to_string(deps_.max_json_depth) + " levels"}};
  const auto document = nlohmann::json::parse(body.text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded())
    return {{"", "the body is not JSON"}};
  return schema.validate(document);
}

// The checks both protocols share once caller and service are known, in
// order: the service's body limit, an agreement for this call, a purpose
// where required, the request schema, and the agreement's rate limit and quota.
Result<const registry::AgreementEntry*> ExchangeHandler::authorize(
    Exchange& exchange, const registry::SystemEntry& caller, const registry::ServiceEntry& service,
    std::string_view version, std::string_view purpose,
    const std::optional<policy::Operation>& operation, const JsonBody& body) {
  const HttpRequest& request = exchange.request;
  if (service.max_body_bytes && request.body.size() > *service.max_body_bytes) {
    return make_error(
        ErrorCode::kClientPayloadTooLarge,
        "this service accepts at most " + std::to_string(*service.max_body_bytes) + " bytes");
  }
  auto agreement = policy::find_agreement(*exchange.snapshot, caller, service, version,
                                          request.received_at, operation);
  if (!agreement.has_value())
    return agreement;
  if (service.require_purpose && purpose.empty()) {
    // A stock X-Road client has no header for a purpose: its call is made,
    // and recorded, under the purpose its agreement was approved for.
    if (operation && !agreement.value()->purpose.empty()) {
      exchange.record.purpose = "agreement: " + agreement.value()->purpose;
    } else {
      return make_error(ErrorCode::kClientPurposeRequired,
                        operation ? "state why the data is needed in the X-Lienthong-Purpose header"
                                  : "state why the data is needed in header.purpose");
    }
  }
  if (service.request_schema) {
    auto violations = validate_request(*service.request_schema, body);
    if (!violations.empty()) {
      Error error =
          make_error(ErrorCode::kClientSchemaViolation,
                     std::to_string(violations.size()) + " problem(s) with the body; see errors");
      const std::string prefix = operation ? "" : "/body";
      for (const auto& violation : violations)
        error.fields.push_back({prefix + violation.pointer, violation.reason});
      return error;
    }
  }
  if (auto refused = deps_.limits->admit(*agreement.value(), request.received_at)) {
    exchange.retry_after_seconds = refused->retry_after_seconds;
    return std::move(refused->error);
  }
  return agreement;
}

// Turns the outcome into the response, records it, and answers only once the
// audit record is committed: if it cannot be, the caller gets a 503 instead
// of the data (fail closed).
asio::awaitable<HttpResponse> ExchangeHandler::finish(Exchange& exchange,
                                                      Result<HttpResponse> outcome) {
  audit::AuditRecord& record = exchange.record;
  const HttpRequest& request = exchange.request;
  const ProblemContext problem_context{exchange.message_id, record.request_id,
                                       std::string(request.path())};
  HttpResponse response = outcome.has_value() ? std::move(outcome).value()
                          : exchange.xroad
                              ? xroad::error_response(outcome.error(), record.request_id)
                              : problem_response(outcome.error(), problem_context);
  if (exchange.retry_after_seconds && (response.status == 429 || response.status == 503))
    response.headers.push_back({"Retry-After", std::to_string(*exchange.retry_after_seconds)});
  if (response.status == 401 && response.header("WWW-Authenticate").empty()) {
    // RFC 9110 §11.6.1: a 401 names how to authenticate; here a client
    // certificate (no HTTP scheme exists for it) or an API key.
    response.headers.push_back({"WWW-Authenticate", "ApiKey realm=\"lienthong-exchange\""});
  }
  if (exchange.xroad && !outcome.has_value() && response.header("X-Road-Id").empty()) {
    // X-Road clients correlate errors by their X-Road-Id, when they sent a usable one.
    const auto given = request.header("X-Road-Id");
    const std::string id = !exchange.message_id.empty() ? exchange.message_id
                           : is_valid_message_id(given) ? std::string(given)
                                                        : std::string();
    if (!id.empty())
      response.headers.push_back({"X-Road-Id", id});
  }

  record.node = deps_.node_name;
  record.message_id = exchange.message_id;
  record.method = request.method.empty() ? "-" : request.method;
  record.path = request.path().empty() ? "-" : std::string(request.path());
  record.client_address = request.peer.address;
  record.client_fingerprint = request.peer.certificate_sha256;
  record.status = response.status;
  record.error_code = outcome.has_value() ? "" : std::string(outcome.error().code_name());
  record.request_bytes = static_cast<std::int64_t>(request.body.size());
  record.response_bytes = static_cast<std::int64_t>(response.body.size());
  if (exchange.audit_bodies != registry::AuditBodies::kNone) {
    record.request_sha256 = sha256_hex(request.body);
    record.response_sha256 = sha256_hex(response.body);
  }
  if (exchange.audit_bodies == registry::AuditBodies::kFull) {
    record.request_body = request.body;
    record.response_body = response.body;
  }
  record.received_at = request.received_at;
  record.responded_at = std::chrono::system_clock::now();

  const int status = record.status;
  const std::string error_code = record.error_code;
  auto committed = co_await deps_.audit->commit(std::move(record));
  const observability::LogScope log_scope(problem_context.request_id, exchange.trace.trace_id);
  if (!committed.has_value()) {
    deps_.logger->error("request {} answered 503: audit record not committed (would have been {})",
                        problem_context.request_id, status);
    co_return problem_response(committed.error(), problem_context);
  }
  deps_.logger->debug("request {} {} {} -> {} {}", problem_context.request_id, request.method,
                      problem_context.instance, status, error_code);
  co_return response;
}

}  // namespace lienthong::exchange
