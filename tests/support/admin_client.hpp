#pragma once
// The admin API from a test's point of view: real TLS to the admin listener,
// a bearer token, JSON in and out.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "test_client.hpp"

namespace lienthong::testing {

class AdminClient {
 public:
  AdminClient(std::uint16_t port, std::string token);

  ClientResponse get(const std::string& path);
  ClientResponse post(const std::string& path, const nlohmann::json& body = nullptr);
  ClientResponse patch(const std::string& path, const nlohmann::json& body,
                       const std::optional<std::string>& if_match);
  ClientResponse put(const std::string& path, const nlohmann::json& body,
                     const std::optional<std::string>& if_match = std::nullopt);
  ClientResponse remove(const std::string& path, const std::optional<std::string>& if_match);

  // The body as JSON; throws if it is not JSON.
  static nlohmann::json json_of(const ClientResponse& response);

 private:
  ClientResponse send(const std::string& method, const std::string& path,
                      const nlohmann::json& body, const std::optional<std::string>& if_match);

  TestClient client_;
  std::string token_;
};

// A new admin token straight from the database (as `lienthong token create`).
std::string issue_token(const std::string& database_url, const std::string& role,
                        const std::optional<std::string>& member = std::nullopt);

}  // namespace lienthong::testing
