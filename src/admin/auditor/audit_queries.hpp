#pragma once
// The auditor API's reads (/audit/v1/...): "who obtained which data from
// whom, when, for what purpose", scoped to what the token may see. Runs in
// the admin API's transaction.

#include <cstdint>
#include <memory>

#include <nlohmann/json.hpp>

#include "lienthong/admin/actor.hpp"
#include "lienthong/audit/trusted_timestamp.hpp"
#include "lienthong/core/result.hpp"

#include "registry/resource_store.hpp"

namespace pqxx {
class dbtransaction;
}

namespace lienthong::admin {

class AuditQueries {
 public:
  // Client.Forbidden unless the actor is an auditor or the hub admin; an
  // auditor token naming a member sees only exchanges where that member's
  // systems are consumer or provider.
  static Result<AuditQueries> open(pqxx::dbtransaction& tx, const Actor& actor);

  // GET /audit/v1/exchanges: from and to required; consumer, provider,
  // service, user_id, purpose, message_id, error_code, status, outcome
  // (accepted|refused); keyset pages by id ({"items", "next_after"}).
  Result<nlohmann::json> list(const Query& query);
  // GET /audit/v1/exchanges/{id}; Client.NotFound outside the actor's scope.
  Result<nlohmann::json> get(std::int64_t id);
  // GET /audit/v1/stats?from=&to=&bucket=day|hour (+ the list's party
  // filters): per consumer -> provider pair and bucket, exchanges, refusals,
  // error rate and total latency percentiles (p50, p95, p99, ms).
  Result<nlohmann::json> stats(const Query& query);
  // GET /audit/v1/export?format=ndjson|csv (+ the list's filters): the
  // query that selects the records' documents in id order, for streaming.
  Result<std::string> export_query(const Query& query);
  // GET /audit/v1/connectivity?days=30 (1..366): the registry as a graph
  // (members, systems, agreements as edges) with each pair's exchanges in
  // the window, and the headline: the share of registered (active) systems
  // that took part in at least one successful exchange in it. An auditor
  // scoped to a member gets the same headline, but sees only the agreements
  // and traffic its member's systems are party to, and those systems.
  Result<nlohmann::json> connectivity(const Query& query);
  // The whole UTC days connectivity(query) covers, summed into
  // audit_traffic_days where not done yet: on the primary, before the read.
  static Status roll_up_traffic(pqxx::dbtransaction& primary, const Query& query);
  // GET /audit/v1/verify?from=&to=&node=&trust=KEY_ID,...: held to the
  // checkpoints in `witness_dir` too when it is not empty ("witness" in the
  // answer: the directory, files and heads read), and every checkpoint's
  // trusted timestamp checked against `timestamp_trust` when set. A
  // member's auditor gets every chain's result, with the details of
  // problems in other members' records left out. POST, with a heads
  // document (heads_document.hpp) the caller kept from an earlier
  // verification: whole chains held to those heads too ("expected_heads").
  Result<nlohmann::json> verify(const Query& query, const std::string& witness_dir,
                                std::shared_ptr<const audit::TsaTrust> timestamp_trust,
                                const nlohmann::json* expected = nullptr);

 private:
  AuditQueries(pqxx::dbtransaction& tx, std::string scope, std::string member_prefix = {});
  // The WHERE condition for a time range and filters (scope included);
  // `extra` names further parameters the caller reads itself.
  Result<std::string> conditions(const Query& query, const std::vector<std::string>& extra);
  // A member-scoped auditor's verify report: problems outside its member's
  // records keep their chain, kind and seq, not their detail or record id.
  void scope_problems(nlohmann::json& report);
  pqxx::dbtransaction& tx_;
  std::string scope_;  // SQL condition on api_audit_records; "true" for the whole log
  // "INSTANCE/CLASS/MEMBER/" of an auditor scoped to one member; empty otherwise.
  std::string member_prefix_;
};

}  // namespace lienthong::admin
