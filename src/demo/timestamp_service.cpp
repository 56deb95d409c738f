#include "lienthong/demo/timestamp_service.hpp"

namespace lienthong::demo {
namespace {

class TimestampService final : public net::HttpHandler {
 public:
  TimestampService(std::shared_ptr<const audit::TimestampAuthority> authority,
                   std::shared_ptr<const std::atomic<bool>> available)
      : authority_(std::move(authority)), available_(std::move(available)) {}

  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest request) override {
    co_return answer(request);
  }
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest, Error error) override {
    co_return net::HttpResponse::with_body(error.http_status(), error.detail, "text/plain");
  }

 private:
  net::HttpResponse answer(const net::HttpRequest& request) const {
    if (available_ && !available_->load())
      return net::HttpResponse::with_body(503, "the timestamp authority is stopped\n",
                                          "text/plain");
    if (request.method != "POST")
      return net::HttpResponse::with_body(405, "POST a timestamp query (RFC 3161)\n", "text/plain");
    if (request.header("Content-Type") != "application/timestamp-query")
      return net::HttpResponse::with_body(415, "expected application/timestamp-query\n",
                                          "text/plain");
    // A request that is not one gets a rejection reply, as RFC 3161 says.
    auto reply = authority_->reply(request.body);
    if (!reply.has_value())
      return net::HttpResponse::with_body(500, reply.error().detail + "\n", "text/plain");
    return net::HttpResponse::with_body(200, std::move(reply).value(),
                                        "application/timestamp-reply");
  }

  std::shared_ptr<const audit::TimestampAuthority> authority_;
  std::shared_ptr<const std::atomic<bool>> available_;
};

}  // namespace

std::shared_ptr<net::HttpHandler> make_timestamp_service(
    std::shared_ptr<const audit::TimestampAuthority> authority,
    std::shared_ptr<const std::atomic<bool>> available) {
  return std::make_shared<TimestampService>(std::move(authority), std::move(available));
}

}  // namespace lienthong::demo
