#pragma once
// Private to demo/: a provider endpoint that answers POST <path> {"<field>": "..."}
// by looking the value up. Shared by every demo system.

#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

#include "lienthong/net/http_handler.hpp"

namespace lienthong::demo::detail {

class LookupHandler final : public net::HttpHandler {
 public:
  // `lookup` returns the record, or nullopt when the key is well-formed but unknown;
  // `valid` says whether a key is well-formed at all.
  LookupHandler(std::string path, std::string field, std::function<bool(std::string_view)> valid,
                std::function<std::optional<nlohmann::json>(const std::string&)> lookup);

  boost::asio::awaitable<net::HttpResponse> handle(net::HttpRequest request) override;
  boost::asio::awaitable<net::HttpResponse> reject(net::HttpRequest request, Error error) override;

 private:
  net::HttpResponse answer(const net::HttpRequest& request) const;

  std::string path_;
  std::string field_;
  std::function<bool(std::string_view)> valid_;
  std::function<std::optional<nlohmann::json>(const std::string&)> lookup_;
};

}  // namespace lienthong::demo::detail
