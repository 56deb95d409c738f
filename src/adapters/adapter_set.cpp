#include "lienthong/adapters/adapter_set.hpp"

#include "lienthong/net/http_client.hpp"

#include "rest/rest_adapter.hpp"
#include "soap/soap_adapter.hpp"

namespace lienthong::adapters {

namespace {

// What tells the breaker the provider is failing: it could not be reached,
// did not answer in time, answered garbage or a server error. A Fault, a
// 4xx or a mapping failure is the provider working as designed.
bool provider_failed(const Result<net::HttpResponse>& answer) {
  if (answer.has_value())
    return answer.value().status >= 500;
  switch (answer.error().code) {
    case ErrorCode::kProviderUnreachable:
    case ErrorCode::kProviderTimeout:
    case ErrorCode::kProviderBadResponse:
    case ErrorCode::kProviderError:
      return true;
    default:
      return false;
  }
}

}  // namespace

AdapterSet::AdapterSet(std::unique_ptr<net::HttpClient> http,
                       std::shared_ptr<CircuitBreakers> breakers, AdapterOptions options)
    : http_(std::move(http)), breakers_(std::move(breakers)) {
  // One line per adapter.
  adapters_.emplace(registry::AdapterKind::kRest,
                    std::make_unique<rest::RestAdapter>(*http_, options));
  adapters_.emplace(registry::AdapterKind::kSoap,
                    std::make_unique<soap::SoapAdapter>(*http_, options));
}

AdapterSet::~AdapterSet() = default;

boost::asio::awaitable<Result<net::HttpResponse>> AdapterSet::call(
    const registry::ServiceEntry& service, net::HttpRequest request) {
  // An async service is a REST provider that the delivery queue calls later.
  const auto kind = service.adapter == registry::AdapterKind::kAsync ? registry::AdapterKind::kRest
                                                                     : service.adapter;
  const auto adapter = adapters_.find(kind);
  if (adapter == adapters_.end()) {
    co_return make_error(ErrorCode::kProviderUnreachable,
                         "this hub version has no adapter for the service's registered kind");
  }
  const std::string& provider = service.provider->key;
  if (!breakers_->admit(provider)) {
    const int wait = breakers_->seconds_until_probe(provider);
    Error paused = make_error(ErrorCode::kProviderUnavailable,
                              provider + " failed repeatedly; calls are paused for " +
                                  std::to_string(wait) + " s before it is tried again");
    paused.retry_after_seconds = wait;
    co_return paused;
  }
  auto answer = co_await adapter->second->call(service, std::move(request));
  // Refused before any byte was sent (a mapping that failed, a request the
  // client would not write, an internal error): says nothing of the provider.
  if (!answer.has_value() && (answer.error().code == ErrorCode::kClientMappingFailed ||
                              answer.error().code == ErrorCode::kClientBadRequest ||
                              answer.error().code == ErrorCode::kServerInternal ||
                              answer.error().code == ErrorCode::kServerCredentialsUnavailable)) {
    breakers_->release(provider);
  } else {
    breakers_->record(provider, !provider_failed(answer));
  }
  co_return answer;
}

}  // namespace lienthong::adapters
