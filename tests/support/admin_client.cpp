#include "admin_client.hpp"

#include <stdexcept>

#include "lienthong/admin/admin_tokens.hpp"

namespace lienthong::testing {

AdminClient::AdminClient(std::uint16_t port, std::string token)
    : client_(port, std::nullopt), token_(std::move(token)) {}

ClientResponse AdminClient::get(const std::string& path) {
  return client_.request("GET", path, "", "", {{"Authorization", "Bearer " + token_}});
}

ClientResponse AdminClient::post(const std::string& path, const nlohmann::json& body) {
  return client_.request("POST", path, body.is_null() ? "" : body.dump(),
                         body.is_null() ? "" : "application/json",
                         {{"Authorization", "Bearer " + token_}});
}

ClientResponse AdminClient::send(const std::string& method, const std::string& path,
                                 const nlohmann::json& body,
                                 const std::optional<std::string>& if_match) {
  std::map<std::string, std::string> headers{{"Authorization", "Bearer " + token_}};
  if (if_match)
    headers["If-Match"] = *if_match;
  return client_.request(method, path, body.is_null() ? "" : body.dump(),
                         body.is_null() ? "" : "application/json", headers);
}

ClientResponse AdminClient::patch(const std::string& path, const nlohmann::json& body,
                                  const std::optional<std::string>& if_match) {
  return send("PATCH", path, body, if_match);
}

ClientResponse AdminClient::put(const std::string& path, const nlohmann::json& body,
                                const std::optional<std::string>& if_match) {
  return send("PUT", path, body, if_match);
}

ClientResponse AdminClient::remove(const std::string& path,
                                   const std::optional<std::string>& if_match) {
  return send("DELETE", path, nullptr, if_match);
}

nlohmann::json AdminClient::json_of(const ClientResponse& response) {
  return nlohmann::json::parse(response.body);
}

std::string issue_token(const std::string& database_url, const std::string& role,
                        const std::optional<std::string>& member) {
  auto token = admin::issue_admin_token(database_url, {role, member, "test " + role, std::nullopt},
                                        "test fixture");
  if (!token.has_value())
    throw std::runtime_error("cannot issue token: " + token.error().detail);
  return token.value();
}

}  // namespace lienthong::testing
