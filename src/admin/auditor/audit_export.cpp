#include "auditor/audit_export.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "auditor/body_opening.hpp"

namespace lienthong::admin {
namespace asio = boost::asio;
namespace {

constexpr int kRowsPerPiece = 1'000;
// How jsonb writes a record whose bodies (if any) are kept in the clear: it
// goes out as stored. (Quotes inside a string value are escaped, so no
// field's value can imitate it.)
constexpr std::string_view kClearBodies = "\"bodies_key\": null";

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
void append_csv_field(std::string& out, const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) {
    out += value;
    return;
  }
  out += '"';
  for (const char c : value) {
    if (c == '"')
      out += '"';
    out += c;
  }
  out += '"';
}

std::string csv_line(const nlohmann::json& record) {
  std::string line;
  bool first = true;
  for (const auto& column : audit_csv_columns()) {
    if (!first)
      line += ',';
    first = false;
    const auto it = record.find(column);
    if (it == record.end() || it->is_null())
      continue;
    append_csv_field(line, it->is_string() ? it->get<std::string>() : it->dump());
  }
  return line + "\r\n";
}

class AuditExport : public net::BodyStream, public std::enable_shared_from_this<AuditExport> {
 public:
  AuditExport(std::string database_url, std::string select_sql, ExportFormat format,
              std::shared_ptr<asio::thread_pool> workers,
              std::shared_ptr<const audit::KeyWrapper> body_wrapper)
      : database_url_(std::move(database_url)),
        select_sql_(std::move(select_sql)),
        format_(format),
        workers_(std::move(workers)),
        body_wrapper_(std::move(body_wrapper)) {}

  // An export the client abandoned still holds its transaction; rolling it
  // back talks to PostgreSQL, which belongs on the worker pool, not on the
  // I/O thread that drops the last reference.
  ~AuditExport() override {
    opener_.reset();
    if (tx_) {
      asio::post(*workers_, [connection = std::move(connection_), tx = std::move(tx_)]() mutable {
        tx.reset();
        connection.reset();
      });
    }
  }
  AuditExport(const AuditExport&) = delete;
  AuditExport& operator=(const AuditExport&) = delete;

  asio::awaitable<std::string> next() override {
    // A named function object moved into co_spawn, as in AdminHandler: GCC 12
    // destroyed a lambda temporary written inside the co_await expression
    // while its coroutine still ran.
    auto work = [self = shared_from_this()]() -> asio::awaitable<std::string> {
      co_return self->pull();
    };
    std::string piece = co_await asio::co_spawn(*workers_, std::move(work), asio::use_awaitable);
    co_return piece;
  }

 private:
  // The next piece; runs on a worker thread (one at a time for this export).
  std::string pull() {
    if (done_)
      return {};
    std::string piece;
    if (!tx_) {
      connection_ = std::make_unique<pqxx::connection>(database_url_);
      // One snapshot for the whole export, however long it takes to read.
      tx_ = std::make_unique<pqxx::work>(*connection_);
      tx_->exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      tx_->exec("DECLARE audit_export NO SCROLL CURSOR FOR " + select_sql_);
      opener_ = std::make_unique<audit::BodyOpener>(body_wrapper_, *tx_);
      if (format_ == ExportFormat::kCsv) {
        for (const auto& column : audit_csv_columns())
          piece += (piece.empty() ? "" : ",") + column;
        piece += "\r\n";
      }
    }
    const auto rows = tx_->exec("FETCH " + std::to_string(kRowsPerPiece) + " FROM audit_export");
    for (const auto& row : rows) {
      const auto text = row[0].as<std::string>();
      if (format_ == ExportFormat::kNdjson && text.find(kClearBodies) != std::string::npos) {
        piece += text + "\n";
      } else if (format_ == ExportFormat::kNdjson) {
        auto record = nlohmann::json::parse(text);
        open_record_bodies(*opener_, record);
        piece += record.dump() + "\n";
      } else
        piece += csv_line(nlohmann::json::parse(text));
    }
    if (rows.size() < static_cast<std::size_t>(kRowsPerPiece)) {
      done_ = true;
      opener_.reset();
      tx_->commit();
      tx_.reset();
      connection_.reset();
    }
    return piece;
  }

  std::string database_url_;
  std::string select_sql_;
  ExportFormat format_;
  std::shared_ptr<asio::thread_pool> workers_;
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<pqxx::work> tx_;
  std::shared_ptr<const audit::KeyWrapper> body_wrapper_;
  std::unique_ptr<audit::BodyOpener> opener_;  // on tx_, while it lives
  bool done_ = false;
};

}  // namespace

const std::vector<std::string>& audit_csv_columns() {
  static const std::vector<std::string> columns{
      "id", "node", "seq", "message_id", "request_id", "correlation_id", "consumer", "provider",
      "service", "service_version", "method", "path", "user_id", "purpose", "status", "error_code",
      "request_bytes", "response_bytes", "request_sha256", "response_sha256", "received_at",
      "provider_called_at", "provider_answered_at", "responded_at", "record_hash",
      // Federation: the hubs on either side and
      // the next hub's receipt (not the assertions).
      "upstream_instance", "downstream_instance", "downstream_request_id",
      "downstream_record_hash"};
  return columns;
}

std::shared_ptr<net::BodyStream> make_audit_export(
    std::string database_url, std::string select_sql, ExportFormat format,
    std::shared_ptr<asio::thread_pool> workers,
    std::shared_ptr<const audit::KeyWrapper> body_wrapper) {
  return std::make_shared<AuditExport>(std::move(database_url), std::move(select_sql), format,
                                       std::move(workers), std::move(body_wrapper));
}

}  // namespace lienthong::admin
