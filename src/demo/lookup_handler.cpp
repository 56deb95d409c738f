#include "lookup_handler.hpp"

namespace lienthong::demo::detail {

LookupHandler::LookupHandler(
    std::string path, std::string field, std::function<bool(std::string_view)> valid,
    std::function<std::optional<nlohmann::json>(const std::string&)> lookup)
    : path_(std::move(path)),
      field_(std::move(field)),
      valid_(std::move(valid)),
      lookup_(std::move(lookup)) {}

boost::asio::awaitable<net::HttpResponse> LookupHandler::handle(net::HttpRequest request) {
  co_return answer(request);
}

boost::asio::awaitable<net::HttpResponse> LookupHandler::reject(net::HttpRequest, Error error) {
  co_return net::HttpResponse::with_body(error.http_status(),
                                         nlohmann::json{{"error", error.detail}}.dump());
}

net::HttpResponse LookupHandler::answer(const net::HttpRequest& request) const {
  if (request.path() != path_)
    return net::HttpResponse::with_body(404, R"({"error":"no such endpoint"})");
  if (request.method != "POST")
    return net::HttpResponse::with_body(405, R"({"error":"use POST"})");
  const auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains(field_) || !body[field_].is_string()) {
    return net::HttpResponse::with_body(
        400, nlohmann::json{{"error", "expected {\"" + field_ + "\": \"...\"}"}}.dump());
  }
  const auto key = body[field_].get<std::string>();
  if (!valid_(key)) {
    return net::HttpResponse::with_body(400,
                                        nlohmann::json{{"error", field_ + " is malformed"}}.dump());
  }
  auto record = lookup_(key);
  if (!record)
    return net::HttpResponse::with_body(404,
                                        nlohmann::json{{"error", "no record for " + key}}.dump());
  return net::HttpResponse::with_body(200, record->dump());
}

}  // namespace lienthong::demo::detail
