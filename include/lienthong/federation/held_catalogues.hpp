#pragma once
// The peers' catalogues this node holds and may use now: the last valid one
// of each peer, until it expires. The node's own puller keeps it (every
// node pulls every peer, and loads what the database holds when it starts),
// so the exchange path reads it from memory and never waits for a pull.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace lienthong::schema {
class JsonSchema;
}

namespace lienthong::federation {

struct HeldCatalogue {
  std::string instance;  // the peer's
  std::int64_t version = 0;
  std::chrono::system_clock::time_point expires_at{};
  nlohmann::json services = nlohmann::json::array();

  // The entry of `provider`/`service` at `version` ("VN/GOV/.../DANCU",
  // "citizen-lookup", "v1"), or null when the catalogue lists none. An empty
  // `version` finds the only version listed (null when there are several).
  const nlohmann::json* find(std::string_view provider, std::string_view service,
                             std::string_view version) const;
  // Whether that entry says the service takes queued delivery: "async"
  // true, and nothing else a peer may have written there.
  bool takes_async(std::string_view provider, std::string_view service,
                   std::string_view version) const;
  // That entry's request schema, compiled when the catalogue was held; null
  // when it has none, or none this hub could compile (the provider's hub
  // checks it anyway: this check only refuses early, before the hop).
  const schema::JsonSchema* request_schema(std::string_view provider, std::string_view service,
                                           std::string_view version) const;

  // "PROVIDER/SERVICE/VERSION" -> its compiled request schema (HeldCatalogues::hold).
  std::unordered_map<std::string, std::shared_ptr<const schema::JsonSchema>> request_schemas;
};

class HeldCatalogues {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // Compiles the entries' request schemas, then holds `catalogue`.
  void hold(std::int64_t peer_id, HeldCatalogue catalogue);
  // The catalogue of `peer_id` while it is valid at `now`; null otherwise.
  std::shared_ptr<const HeldCatalogue> valid(std::int64_t peer_id, TimePoint now) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, std::shared_ptr<const HeldCatalogue>> held_;
};

}  // namespace lienthong::federation
