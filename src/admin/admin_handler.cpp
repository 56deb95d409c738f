#include "lienthong/admin/admin_handler.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "lienthong/core/message_id.hpp"
#include "lienthong/net/problem.hpp"

namespace lienthong::admin {
namespace asio = boost::asio;

AdminHandler::AdminHandler(std::shared_ptr<AdminApi> api,
                           std::shared_ptr<asio::thread_pool> workers)
    : api_(std::move(api)), workers_(std::move(workers)) {}

asio::awaitable<net::HttpResponse> AdminHandler::handle(net::HttpRequest request) {
  auto api = api_;
  auto work = [api, request = std::move(request)]() -> asio::awaitable<net::HttpResponse> {
    co_return api->handle(request);
  };
  co_return co_await asio::co_spawn(*workers_, std::move(work), asio::use_awaitable);
}

asio::awaitable<net::HttpResponse> AdminHandler::reject(net::HttpRequest request, Error error) {
  auto response = net::problem_response(error, {"", new_uuid_v7(), std::string(request.path())});
  response.close_connection = true;
  co_return response;
}

}  // namespace lienthong::admin
