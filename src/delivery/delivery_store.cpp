#include "delivery_store.hpp"

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "lienthong/core/digest.hpp"
#include "lienthong/core/utf8.hpp"
#include "lienthong/delivery/delivery_admin.hpp"

namespace lienthong::delivery {

std::string_view to_string(DeliveryState state) {
  switch (state) {
    case DeliveryState::kQueued:
      return "queued";
    case DeliveryState::kDelivering:
      return "delivering";
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kFailed:
      return "failed";
    case DeliveryState::kDead:
      return "dead";
  }
  return "queued";
}

std::optional<DeliveryState> parse_state(std::string_view text) {
  for (const auto state :
       {DeliveryState::kQueued, DeliveryState::kDelivering, DeliveryState::kDelivered,
        DeliveryState::kFailed, DeliveryState::kDead}) {
    if (to_string(state) == text)
      return state;
  }
  return std::nullopt;
}

}  // namespace lienthong::delivery

namespace lienthong::delivery {
namespace {

using std::chrono::microseconds;

// Columns of a DeliveryStatus, in from_row's order.
constexpr const char* kStatusColumns =
    "d.id, d.message_id, d.consumer, d.service, d.state, d.attempts, d.max_attempts, "
    "(extract(epoch FROM d.created_at) * 1000000)::bigint, "
    "CASE WHEN d.state IN ('queued', 'failed') "
    "THEN (extract(epoch FROM d.next_attempt_at) * 1000000)::bigint END, "
    "(extract(epoch FROM d.delivered_at) * 1000000)::bigint, "
    "d.last_error_code, d.last_error, d.response_status, d.response_body";

// Members see the messages their systems sent or were sent.
constexpr const char* kMemberFilter =
    "($1::bigint IS NULL OR EXISTS (SELECT 1 FROM systems s WHERE s.member_id = $1 AND "
    "s.id IN (d.consumer_system_id, d.provider_system_id)))";

TimePoint time_of(const pqxx::field& micros) {
  return TimePoint(
      std::chrono::duration_cast<TimePoint::duration>(microseconds(micros.as<std::int64_t>())));
}

DeliveryStatus from_row(const pqxx::row& row) {
  DeliveryStatus status;
  status.id = row[0].as<std::int64_t>();
  status.message_id = row[1].as<std::string>();
  status.consumer = row[2].as<std::string>();
  status.service = row[3].as<std::string>();
  status.state = parse_state(row[4].as<std::string>()).value_or(DeliveryState::kQueued);
  status.attempts = row[5].as<int>();
  status.max_attempts = row[6].as<int>();
  status.created_at = time_of(row[7]);
  if (!row[8].is_null())
    status.next_attempt_at = time_of(row[8]);
  if (!row[9].is_null())
    status.delivered_at = time_of(row[9]);
  status.last_error_code = row[10].is_null() ? "" : row[10].as<std::string>();
  status.last_error = row[11].is_null() ? "" : row[11].as<std::string>();
  if (!row[12].is_null())
    status.response_status = row[12].as<int>();
  status.response_body = row[13].is_null() ? "" : row[13].as<std::string>();
  return status;
}

nlohmann::json json_text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

std::optional<std::string> state_text(std::optional<DeliveryState> state) {
  if (!state)
    return std::nullopt;
  return std::string(to_string(*state));
}

}  // namespace
}  // namespace lienthong::delivery

namespace lienthong::delivery::store {

Result<DeliveryStatus> enqueue(pqxx::transaction_base& tx, const QueuedMessage& message,
                               int max_attempts) {
  return enqueue_many(tx, {&message}, max_attempts).front();
}

std::vector<Result<DeliveryStatus>> enqueue_many(pqxx::transaction_base& tx,
                                                 const std::vector<const QueuedMessage*>& messages,
                                                 int max_attempts) {
  using Key = std::pair<std::int64_t, std::string>;  // the sender and its message id
  struct Stored {
    DeliveryStatus status;
    std::string sha256;
  };
  std::vector<std::string> digests;
  digests.reserve(messages.size());
  std::map<Key, std::size_t> first;  // each id's first message in the batch
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const QueuedMessage& message = *messages[i];
    digests.push_back(sha256_hex(message.body));
    if (!first.emplace(Key{message.consumer_system_id, message.message_id}, i).second)
      continue;
    rows.push_back({{"n", i},
                    {"message_id", message.message_id},
                    {"consumer_system_id", message.consumer_system_id},
                    {"consumer", message.consumer},
                    // 0: another instance's service, passed on to a peer hub
                    {"provider_system_id", message.provider_system_id == 0
                                               ? nlohmann::json(nullptr)
                                               : nlohmann::json(message.provider_system_id)},
                    {"service", message.service},
                    {"request_id", message.request_id},
                    {"user_id", json_text_or_null(message.user_id)},
                    {"purpose", json_text_or_null(message.purpose)},
                    {"request_body", message.body},
                    {"request_sha256", digests.back()}});
  }
  // The batch travels as one JSON parameter (escaped by the JSON library,
  // unpacked by PostgreSQL): one statement and one round trip for all rows.
  constexpr const char* kRecordColumns =
      "n bigint, message_id text, consumer_system_id bigint, consumer text, "
      "provider_system_id bigint, service text, request_id text, user_id text, purpose text, "
      "request_body text, request_sha256 text";
  std::map<Key, Stored> stored;
  const auto keep = [&stored](const pqxx::row& row) {
    stored.insert_or_assign(Key{row[14].as<std::int64_t>(), row[1].as<std::string>()},
                            Stored{from_row(row), row[15].as<std::string>()});
  };
  const auto inserted = tx.exec_params(
      std::string("INSERT INTO deliveries AS d (message_id, consumer_system_id, consumer, "
                  "provider_system_id, service, request_id, user_id, purpose, request_body, "
                  "request_sha256, max_attempts) "
                  "SELECT m.message_id, m.consumer_system_id, m.consumer, m.provider_system_id, "
                  "m.service, m.request_id, m.user_id, m.purpose, m.request_body, "
                  "m.request_sha256, $2 FROM json_to_recordset($1::json) AS m(") +
          kRecordColumns +
          ") ORDER BY m.n "
          "ON CONFLICT (consumer_system_id, message_id) DO NOTHING RETURNING " +
          kStatusColumns + ", d.consumer_system_id, d.request_sha256",
      rows.dump(), max_attempts);
  for (const auto& row : inserted)
    keep(row);
  if (stored.size() < first.size()) {  // resubmissions: the messages queued before
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& [key, index] : first) {
      if (!stored.contains(key))
        keys.push_back({{"consumer_system_id", key.first}, {"message_id", key.second}});
    }
    const auto existing = tx.exec_params(
        std::string("SELECT ") + kStatusColumns +
            ", d.consumer_system_id, d.request_sha256 FROM deliveries d "
            "JOIN json_to_recordset($1::json) AS k(consumer_system_id bigint, message_id text) "
            "ON d.consumer_system_id = k.consumer_system_id AND d.message_id = k.message_id",
        keys.dump());
    for (const auto& row : existing)
      keep(row);
  }
  std::vector<Result<DeliveryStatus>> results;
  results.reserve(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const QueuedMessage& message = *messages[i];
    const auto found = stored.find(Key{message.consumer_system_id, message.message_id});
    if (found == stored.end()) {  // inserted by a transaction that then rolled back; rare
      results.emplace_back(
          make_error(ErrorCode::kClientConflict, "retry: the message id was in use a moment ago"));
    } else if (found->second.status.service != message.service ||
               found->second.sha256 != digests[i]) {
      results.emplace_back(
          make_error(ErrorCode::kClientConflict,
                     "message id " + message.message_id +
                         " was already used for a different message; use a new id"));
    } else {
      results.emplace_back(found->second.status);
    }
  }
  return results;
}

Result<DeliveryStatus> find(pqxx::transaction_base& tx, std::int64_t consumer_system_id,
                            const std::string& message_id) {
  const auto rows = tx.exec_params(std::string("SELECT ") + kStatusColumns +
                                       " FROM deliveries d WHERE d.consumer_system_id = $1 "
                                       "AND d.message_id = $2",
                                   consumer_system_id, message_id);
  if (rows.empty())
    return make_error(ErrorCode::kClientNotFound, "you sent no asynchronous message " + message_id);
  return from_row(rows[0]);
}

std::vector<Claimed> claim(pqxx::transaction_base& tx, const std::string& node, int limit,
                           std::chrono::milliseconds lease) {
  const auto rows = tx.exec_params(
      // Due rows, and claims whose lease ran out (their node died mid-delivery).
      // SKIP LOCKED: nodes claiming at once take different rows, nobody waits.
      "WITH due AS (SELECT id FROM deliveries "
      "  WHERE (state IN ('queued', 'failed') AND next_attempt_at <= now()) "
      "     OR (state = 'delivering' AND lease_until < now()) "
      "  ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) "
      "UPDATE deliveries d SET state = 'delivering', attempts = d.attempts + 1, "
      "lease_until = now() + $3 * interval '1 millisecond', claimed_by = $1, updated_at = now() "
      "FROM due WHERE d.id = due.id "
      "RETURNING d.id, d.message_id, d.consumer, d.service, d.request_id, d.user_id, d.purpose, "
      "d.request_body, d.attempts, d.max_attempts, d.provider_system_id IS NULL",
      node, limit, static_cast<std::int64_t>(lease.count()));
  std::vector<Claimed> claimed;
  claimed.reserve(rows.size());
  for (const auto& row : rows) {
    Claimed c;
    c.id = row[0].as<std::int64_t>();
    c.message_id = row[1].as<std::string>();
    c.consumer = row[2].as<std::string>();
    c.service = row[3].as<std::string>();
    c.request_id = row[4].as<std::string>();
    c.user_id = row[5].is_null() ? "" : row[5].as<std::string>();
    c.purpose = row[6].is_null() ? "" : row[6].as<std::string>();
    c.body = row[7].as<std::string>();
    c.attempts = row[8].as<int>();
    c.max_attempts = row[9].as<int>();
    c.to_peer = row[10].as<bool>();
    claimed.push_back(std::move(c));
  }
  return claimed;
}

std::vector<std::int64_t> complete(pqxx::transaction_base& tx, const std::string& node,
                                   const std::vector<Completion>& ended) {
  // Texts that are not UTF-8 (or hold NUL) would fail the whole statement,
  // and with it every outcome in it: they are stored with U+FFFD instead.
  const auto text = [](std::string value) {
    replace_invalid_utf8(value);
    return json_text_or_null(value);
  };
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [id, outcome] : ended) {
    nlohmann::json next = nullptr;
    if (outcome.next_attempt_at) {
      next = std::chrono::duration_cast<microseconds>(outcome.next_attempt_at->time_since_epoch())
                 .count();
    }
    const bool delivered = outcome.state == DeliveryState::kDelivered;
    rows.push_back(
        {{"id", id},
         {"state", to_string(outcome.state)},
         {"next_micros", next},
         {"error_code", text(outcome.error_code)},
         {"error", text(outcome.error)},
         {"response_status", outcome.response_status ? nlohmann::json(*outcome.response_status)
                                                     : nlohmann::json(nullptr)},
         {"response_body",
          delivered ? nlohmann::json(text(outcome.response_body)) : nlohmann::json(nullptr)}});
  }
  // One statement for all of them (the outcomes travel as one JSON parameter).
  const auto updated = tx.exec_params(
      "UPDATE deliveries d SET state = o.state, lease_until = NULL, updated_at = now(), "
      "next_attempt_at = coalesce(to_timestamp(o.next_micros::double precision / 1000000), "
      "d.next_attempt_at), last_error_code = o.error_code, last_error = o.error, "
      "response_status = o.response_status, response_body = o.response_body, "
      "delivered_at = CASE WHEN o.state = 'delivered' THEN now() END "
      "FROM json_to_recordset($2::json) AS o(id bigint, state text, next_micros bigint, "
      "error_code text, error text, response_status integer, response_body text) "
      "WHERE d.id = o.id AND d.claimed_by = $1 AND d.state = 'delivering' RETURNING d.id",
      node, rows.dump());
  std::set<std::int64_t> recorded;
  for (const auto& row : updated)
    recorded.insert(row[0].as<std::int64_t>());
  std::vector<std::int64_t> lost;
  for (const auto& [id, outcome] : ended) {
    if (!recorded.contains(id))
      lost.push_back(id);
  }
  return lost;
}

}  // namespace lienthong::delivery::store

namespace lienthong::delivery {

std::vector<DeliveryStatus> list_messages(pqxx::transaction_base& tx,
                                          std::optional<DeliveryState> state,
                                          std::optional<std::int64_t> member_id,
                                          std::optional<std::int64_t> after, int limit) {
  const auto rows = tx.exec_params(
      std::string("SELECT ") + kStatusColumns + " FROM deliveries d WHERE " + kMemberFilter +
          " AND ($2::text IS NULL OR d.state = $2) AND ($3::bigint IS NULL OR d.id > $3) "
          "ORDER BY d.id LIMIT $4",
      member_id, state_text(state), after, limit);
  std::vector<DeliveryStatus> page;
  for (const auto& row : rows)
    page.push_back(from_row(row));
  return page;
}

Result<DeliveryStatus> get_message(pqxx::transaction_base& tx, std::int64_t id,
                                   std::optional<std::int64_t> member_id) {
  const auto rows =
      tx.exec_params(std::string("SELECT ") + kStatusColumns + " FROM deliveries d WHERE " +
                         kMemberFilter + " AND d.id = $2",
                     member_id, id);
  if (rows.empty())
    return make_error(ErrorCode::kClientNotFound, "no delivery " + std::to_string(id));
  return from_row(rows[0]);
}

Result<DeliveryStatus> requeue_message(pqxx::transaction_base& tx, std::int64_t id,
                                       std::optional<std::int64_t> member_id) {
  auto current = get_message(tx, id, member_id);
  if (!current.has_value())
    return current;
  if (current.value().state != DeliveryState::kDead &&
      current.value().state != DeliveryState::kFailed) {
    return make_error(ErrorCode::kClientConflict,
                      "only dead or failed messages are requeued; this one is " +
                          std::string(to_string(current.value().state)));
  }
  const auto rows = tx.exec_params(
      std::string(
          "UPDATE deliveries d SET state = 'queued', attempts = 0, next_attempt_at = now(), "
          "updated_at = now() WHERE d.id = $1 AND d.state IN ('dead', 'failed') "
          "RETURNING ") +
          kStatusColumns,
      id);
  if (rows.empty())
    return make_error(ErrorCode::kClientConflict, "the message changed meanwhile; try again");
  return from_row(rows[0]);
}

}  // namespace lienthong::delivery
