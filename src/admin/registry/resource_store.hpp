#pragma once
// The generic registry operations behind the admin API and `registry apply`:
// list, get, create, update and lifecycle actions for any ResourceSpec, with
// authorization by the actor's role and member, optimistic concurrency on
// the row revision, and an admin_changes entry (before/after) written in the
// same transaction as every change. The caller owns the transaction.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lienthong/admin/actor.hpp"
#include "lienthong/core/result.hpp"

#include "registry/resource_spec.hpp"

namespace pqxx {
class dbtransaction;
}

namespace lienthong::admin {

// One entity as the API shows it, with its revision (the ETag).
struct Entity {
  nlohmann::json doc;
  std::int64_t revision = 0;
};

struct Created {
  Entity entity;
  nlohmann::json reveal;  // secrets shown once (API key, admin token); null when none
};

using Query = std::map<std::string, std::string>;

class ResourceStore {
 public:
  ResourceStore(pqxx::dbtransaction& tx, Actor actor);

  // {"items": [...], "next_after": id or null}; `query` holds limit, after and filters.
  Result<nlohmann::json> list(const ResourceSpec& spec, const Query& query);
  Result<Entity> get(const ResourceSpec& spec, std::int64_t id);
  Result<Created> create(const ResourceSpec& spec, const nlohmann::json& body);
  Result<Entity> update(const ResourceSpec& spec, std::int64_t id, const nlohmann::json& body,
                        std::optional<std::int64_t> if_match);
  Result<Entity> act(const ResourceSpec& spec, const ActionSpec& action, std::int64_t id,
                     const std::string& reason, std::optional<std::int64_t> if_match);

  // The admin-change log and an agreement's transitions (read-only).
  Result<nlohmann::json> list_changes(const Query& query);
  Result<Entity> get_change(std::int64_t id);
  Result<nlohmann::json> agreement_events(std::int64_t agreement_id);

  const Actor& actor() const { return actor_; }
  pqxx::dbtransaction& transaction() { return tx_; }

 private:
  // A row as loaded for a check: its entity and who may see or change it.
  struct Row {
    Entity entity;
    std::optional<std::int64_t> owner;
    std::optional<std::int64_t> provider;
    std::string status;
  };
  Result<Row> load(const ResourceSpec& spec, std::int64_t id);
  bool may_write(const Row& row, Side side) const;
  void record_change(const ResourceSpec& spec, const std::string& action, std::int64_t id,
                     const Row* before, const Row& after);

  pqxx::dbtransaction& tx_;
  Actor actor_;
};

}  // namespace lienthong::admin
