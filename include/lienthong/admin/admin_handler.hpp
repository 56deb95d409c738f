#pragma once
// Serves the AdminApi on a listener: each request's blocking database work
// runs on a small worker pool, so I/O threads (and health probes) never wait
// for PostgreSQL.

#include <memory>

#include "lienthong/admin/admin_api.hpp"
#include "lienthong/net/http_handler.hpp"

namespace boost::asio {
class thread_pool;
}

namespace lienthong::admin {

class AdminHandler : public net::HttpHandler {
 public:
  AdminHandler(std::shared_ptr<AdminApi> api, std::shared_ptr<boost::asio::thread_pool> workers);

  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest request) override;
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest request, Error error) override;

 private:
  std::shared_ptr<AdminApi> api_;
  std::shared_ptr<boost::asio::thread_pool> workers_;
};

}  // namespace lienthong::admin
