#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "lienthong/net/http_client.hpp"

namespace lienthong::net {

Result<HttpResponse> send_blocking(std::shared_ptr<boost::asio::ssl::context> tls,
                                   ClientOptions options, const HttpEndpoint& endpoint,
                                   HttpRequest request, std::chrono::milliseconds timeout) {
  namespace asio = boost::asio;
  asio::io_context context;
  HttpClient client(context, std::move(tls), options);
  std::optional<Result<HttpResponse>> outcome;
  auto send = [&]() -> asio::awaitable<void> {
    outcome.emplace(co_await client.send(endpoint, std::move(request), timeout));
  };
  asio::co_spawn(context, send(), [&](std::exception_ptr failure) {
    if (failure)
      outcome.emplace(make_error(ErrorCode::kServerInternal, "the request failed"));
  });
  context.run();
  if (!outcome)
    return make_error(ErrorCode::kServerInternal, "the request did not finish");
  return std::move(*outcome);
}

}  // namespace lienthong::net
