#include "lienthong/admin/admin_handler.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "lienthong/core/message_id.hpp"
#include "lienthong/net/problem.hpp"

namespace lienthong::admin {
namespace asio = boost::asio;
namespace {

// Every answer of the admin listener (API, auditor API, console files) is
// for a browser as much as for a script: HTTPS only from now on, no MIME
// sniffing, no Referer carrying a URL with a token or a record id elsewhere.
void add_browser_protection(net::HttpResponse& response) {
  for (const auto& [name, value] : {std::pair{"Strict-Transport-Security", "max-age=31536000"},
                                    std::pair{"X-Content-Type-Options", "nosniff"},
                                    std::pair{"Referrer-Policy", "no-referrer"}}) {
    if (response.header(name).empty())
      response.headers.push_back({name, value});
  }
}

}  // namespace

AdminHandler::AdminHandler(std::shared_ptr<AdminApi> api,
                           std::shared_ptr<asio::thread_pool> workers)
    : api_(std::move(api)), workers_(std::move(workers)) {}

asio::awaitable<net::HttpResponse> AdminHandler::handle(net::HttpRequest request) {
  auto api = api_;
  auto work = [api, request = std::move(request)]() -> asio::awaitable<net::HttpResponse> {
    co_return api->handle(request);
  };
  auto response = co_await asio::co_spawn(*workers_, std::move(work), asio::use_awaitable);
  add_browser_protection(response);
  co_return response;
}

asio::awaitable<net::HttpResponse> AdminHandler::reject(net::HttpRequest request, Error error) {
  auto response = net::problem_response(error, {"", new_uuid_v7(), std::string(request.path())});
  response.close_connection = true;
  add_browser_protection(response);
  co_return response;
}

}  // namespace lienthong::admin
