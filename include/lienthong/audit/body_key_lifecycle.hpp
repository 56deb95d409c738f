#pragma once
// Crypto-shredding for retention (body_keys.hpp): destroying a month's
// wrapped data keys makes that month's kept bodies unreadable for good,
// wherever they are (database, archive files, backups taken since), while
// the chains, which cover only the bodies' SHA-256, still verify.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lienthong/audit/body_keys.hpp"
#include "lienthong/core/result.hpp"

namespace pqxx {
class connection_base;
}

namespace lienthong::audit {

struct BodyKeyRow {
  std::int64_t id = 0;
  std::string member;
  std::string month;  // "2026-11"
  std::string kek_id;
  std::string created_at;
  std::optional<std::string> shredded_at;
  std::string shredded_by;
};

// Every data key, oldest month first.
std::vector<BodyKeyRow> list_body_keys(pqxx::connection_base& connection);

// Shreds the data keys of `month` (of one member, or of all), each recorded
// as an admin change by `actor` in the same transaction. Client.Conflict for
// a month that has not ended by `now` (the writer still seals under its
// keys); Client.NotFound when there is nothing left to shred. Then rewrites
// the table (VACUUM FULL), so the destroyed keys leave its files too.
// Returns the keys shredded.
Result<std::vector<BodyKeyRow>> shred_body_keys(pqxx::connection_base& connection,
                                                std::chrono::year_month month,
                                                const std::optional<std::string>& member,
                                                const std::string& actor,
                                                std::chrono::system_clock::time_point now);

// Moves every data key `from` wrapped (and not shredded) to `to`: unwrapped
// by one, wrapped by the other, each an admin change by `actor`, all in one
// transaction; then rewrites the table, so the old wrappings leave its files.
// Returns the keys moved (none: nothing was left under `from`). Throws when
// a key does not unwrap (its row was altered): nothing is changed then.
std::vector<BodyKeyRow> rewrap_body_keys(pqxx::connection_base& connection, const KeyWrapper& from,
                                         const KeyWrapper& to, const std::string& actor);

}  // namespace lienthong::audit
