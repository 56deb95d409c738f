#include "lienthong/exchange/exchange_handler.hpp"

#include <array>

#include <spdlog/spdlog.h>

#include "lienthong/adapters/adapter_set.hpp"
#include "lienthong/audit/audit_sink.hpp"
#include "lienthong/core/message_id.hpp"
#include "lienthong/federation/hop_headers.hpp"
#include "lienthong/federation/peer_clients.hpp"
#include "lienthong/net/problem.hpp"
#include "lienthong/observability/log_context.hpp"
#include "lienthong/pipeline/stages.hpp"
#include "lienthong/registry/snapshot_store.hpp"

#include "exchange_context.hpp"
#include "xroad/xroad_rest.hpp"

namespace lienthong::exchange {
namespace asio = boost::asio;
using net::HttpRequest;
using net::HttpResponse;
using net::problem_response;
using net::ProblemContext;

namespace {

constexpr std::string_view kMessagesPath = "/exchange/v1/messages";
constexpr std::string_view kPeerMessages = "/federation/v1/messages/";

// One endpoint of the exchange listener: which paths it answers, with which
// method (empty: X-Road REST passes any method on to the provider), and how
// its refusals are written.
struct Route {
  bool (*matches)(std::string_view path);
  std::string_view method;
  ErrorStyle errors;
  Outcome (*endpoint)(ExchangeContext&, const NodeParts&);
};

const std::array kRoutes{
    Route{[](std::string_view path) { return path.starts_with(xroad::kPrefix); }, "",
          ErrorStyle::kXRoad, rest_message},
    Route{[](std::string_view path) { return path == kMessagesPath; }, "POST", ErrorStyle::kProblem,
          envelope_message},
    Route{[](std::string_view path) {
            return path.size() > kMessagesPath.size() && path.starts_with(kMessagesPath) &&
                   path[kMessagesPath.size()] == '/';
          },
          "GET", ErrorStyle::kProblem, message_status},
    Route{[](std::string_view path) { return path == "/exchange/v1/catalog"; }, "GET",
          ErrorStyle::kProblem, catalog},
    Route{[](std::string_view path) { return path == "/exchange/v1/openapi.json"; }, "GET",
          ErrorStyle::kProblem, exchange_openapi},
    Route{[](std::string_view path) {
            return path.starts_with(kServicesPrefix) && path.ends_with(kOpenApiSuffix);
          },
          "GET", ErrorStyle::kProblem, service_description},
    Route{[](std::string_view path) { return path == "/federation/v1/catalogue"; }, "GET",
          ErrorStyle::kProblem, peer_catalogue},
    Route{[](std::string_view path) { return path == "/federation/v1/messages"; }, "POST",
          ErrorStyle::kProblem, peer_message},
    Route{[](std::string_view path) { return path.starts_with("/federation/v1/r1/"); }, "",
          ErrorStyle::kXRoad, peer_rest_message},
    Route{[](std::string_view path) {
            return path.size() > kPeerMessages.size() && path.starts_with(kPeerMessages);
          },
          "GET", ErrorStyle::kProblem, peer_message_status},
};

const Route* route_of(std::string_view path) {
  for (const auto& route : kRoutes) {
    if (route.matches(path))
      return &route;
  }
  return nullptr;
}

asio::awaitable<HttpResponse> finish(ExchangeContext& exchange, const NodeParts& node,
                                     Result<HttpResponse> outcome);

}  // namespace

HttpResponse json_response(int status, std::string body, const std::string& request_id) {
  auto response = HttpResponse::with_body(status, std::move(body));
  response.headers.push_back({"X-Request-Id", request_id});
  return response;
}

Result<const registry::SystemEntry*> identify_caller(ExchangeContext& exchange,
                                                     const NodeParts& node) {
  auto caller = pipeline::identify(exchange.snapshot.get(), exchange.request);
  if (!caller.has_value())
    return caller;
  exchange.record.consumer = caller.value()->key;
  auto slot = pipeline::hold_slot(*node.deps.concurrency, *caller.value());
  if (!slot.has_value())
    return std::move(slot).error();
  exchange.slot.emplace(std::move(slot).value());
  return caller;
}

ExchangeHandler::ExchangeHandler(ExchangeDependencies dependencies,
                                 std::unique_ptr<adapters::AdapterSet> adapters,
                                 std::unique_ptr<federation::PeerClients> peers)
    : deps_(std::move(dependencies)), adapters_(std::move(adapters)), peers_(std::move(peers)) {}

ExchangeHandler::~ExchangeHandler() = default;

asio::awaitable<HttpResponse> ExchangeHandler::handle(HttpRequest request) {
  const NodeParts node{deps_, *adapters_, peers_.get()};
  ExchangeContext exchange(std::move(request), deps_.snapshots->current());
  exchange.record.request_id = new_uuid_v7();
  exchange.trace =
      observability::TraceContext::continue_from(exchange.request.header("traceparent"));
  const Route* route = route_of(exchange.request.path());
  if (route == nullptr) {
    co_return co_await finish(
        exchange, node,
        make_error(ErrorCode::kClientNotFound, "no exchange endpoint at this path"));
  }
  exchange.errors = route->errors;
  if (!route->method.empty() && exchange.request.method != route->method) {
    auto refused =
        co_await finish(exchange, node,
                        make_error(ErrorCode::kClientMethodNotAllowed,
                                   "use " + std::string(route->method) + " at this endpoint"));
    refused.headers.push_back({"Allow", std::string(route->method)});
    co_return refused;
  }
  auto outcome = co_await route->endpoint(exchange, node);
  co_return co_await finish(exchange, node, std::move(outcome));
}

asio::awaitable<HttpResponse> ExchangeHandler::reject(HttpRequest request, Error error) {
  const NodeParts node{deps_, *adapters_, peers_.get()};
  ExchangeContext exchange(std::move(request), deps_.snapshots->current());
  exchange.record.request_id = new_uuid_v7();
  auto response = co_await finish(exchange, node, std::move(error));
  response.close_connection = true;
  co_return response;
}

namespace {

// Turns the outcome into the response, records it, and answers only once the
// audit record is committed: if it cannot be, the caller gets a 503 instead
// of the data (fail closed).
asio::awaitable<HttpResponse> finish(ExchangeContext& exchange, const NodeParts& node,
                                     Result<HttpResponse> outcome) {
  audit::AuditRecord& record = exchange.record;
  const HttpRequest& request = exchange.request;
  const ProblemContext problem_context{exchange.message_id, record.request_id,
                                       std::string(request.path())};
  HttpResponse response = outcome.has_value() ? std::move(outcome).value()
                          : exchange.errors == ErrorStyle::kXRoad
                              ? xroad::error_response(outcome.error(), record.request_id)
                              : problem_response(outcome.error(), problem_context);
  if (!outcome.has_value() && outcome.error().retry_after_seconds &&
      (response.status == 429 || response.status == 503)) {
    response.headers.push_back(
        {"Retry-After", std::to_string(*outcome.error().retry_after_seconds)});
  }
  if (response.status == 401 && response.header("WWW-Authenticate").empty()) {
    // RFC 9110 §11.6.1: a 401 names how to authenticate; here a client
    // certificate (no HTTP scheme exists for it) or an API key.
    response.headers.push_back({"WWW-Authenticate", "ApiKey realm=\"lienthong-exchange\""});
  }
  if (exchange.errors == ErrorStyle::kXRoad && !outcome.has_value() &&
      response.header("X-Road-Id").empty()) {
    // X-Road clients correlate errors by their X-Road-Id, when they sent a usable one.
    const auto given = request.header("X-Road-Id");
    const std::string id = !exchange.message_id.empty() ? exchange.message_id
                           : is_valid_message_id(given) ? std::string(given)
                                                        : std::string();
    if (!id.empty())
      response.headers.push_back({"X-Road-Id", id});
  }

  record.node = node.deps.node_name;
  record.message_id = exchange.message_id;
  record.method = request.method.empty() ? "-" : request.method;
  record.path = request.path().empty() ? "-" : std::string(request.path());
  record.client_address = request.peer.address;
  record.client_fingerprint = request.peer.certificate_sha256;
  record.status = response.status;
  // An answer relayed from a peer hub keeps the refusal's code the endpoint noted.
  if (!outcome.has_value())
    record.error_code = std::string(outcome.error().code_name());
  record.request_bytes = static_cast<std::int64_t>(request.body.size());
  record.response_bytes = static_cast<std::int64_t>(response.body.size());
  pipeline::keep_bodies(record, exchange.audit_bodies, request.body, response.body);
  record.received_at = request.received_at;
  record.responded_at = std::chrono::system_clock::now();

  const int status = record.status;
  const std::string error_code = record.error_code;
  auto committed = co_await node.deps.audit->commit(std::move(record));
  const observability::LogScope log_scope(problem_context.request_id, exchange.trace.trace_id);
  if (!committed.has_value()) {
    node.deps.logger->error(
        "request {} answered 503: audit record not committed (would have been {})",
        problem_context.request_id, status);
    auto refused = problem_response(committed.error(), problem_context);
    // The log may be back in a moment; the caller may try again then.
    refused.headers.push_back({"Retry-After", "1"});
    co_return refused;
  }
  node.deps.logger->debug("request {} {} {} -> {} {}", problem_context.request_id, request.method,
                          problem_context.instance, status, error_code);
  if (exchange.receipt_for_peer)
    response.headers.push_back(
        {std::string(federation::kRecordHashHeader), std::move(committed).value().record_hash});
  co_return response;
}

}  // namespace
}  // namespace lienthong::exchange
