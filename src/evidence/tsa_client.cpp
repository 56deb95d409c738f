#include "tsa_client.hpp"

#include <boost/asio/ssl/context.hpp>

#include "lienthong/net/http_client.hpp"

namespace lienthong::evidence {

Result<std::string> ask_timestamp_authority(const std::string& url, const std::string& request_der,
                                            std::chrono::milliseconds timeout) {
  namespace asio = boost::asio;
  auto endpoint = net::HttpEndpoint::parse(url);
  if (!endpoint.has_value())
    return std::move(endpoint).error();
  std::shared_ptr<asio::ssl::context> tls;
  if (endpoint.value().tls) {
    tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    tls->set_default_verify_paths();
    tls->set_verify_mode(asio::ssl::verify_peer);
  }
  net::ClientOptions options;
  options.connect_timeout = timeout;
  options.max_idle_per_endpoint = 0;
  options.max_response_bytes = 1024 * 1024;  // a token with its chain is a few kB
  options.retries = 0;
  net::HttpRequest request;
  request.method = "POST";
  request.target = endpoint.value().base_path.empty() ? "/" : endpoint.value().base_path;
  request.headers = {{"Content-Type", "application/timestamp-query"},
                     {"Accept", "application/timestamp-reply"}};
  request.body = request_der;
  auto outcome =
      net::send_blocking(std::move(tls), options, endpoint.value(), std::move(request), timeout);
  if (!outcome.has_value())
    return std::move(outcome).error();
  net::HttpResponse answer = std::move(outcome).value();
  if (answer.status != 200)
    return make_error(ErrorCode::kProviderBadResponse,
                      "the timestamp authority answered " + std::to_string(answer.status));
  return std::move(answer.body);
}

}  // namespace lienthong::evidence
