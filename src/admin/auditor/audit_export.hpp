#pragma once
// Streams audit records as NDJSON or CSV without holding the result in
// memory: a server-side cursor on its own connection, fetched a page at a
// time as the client takes the previous one. The database work runs on the
// admin worker pool, never on the I/O thread.

#include <memory>
#include <string>

#include "lienthong/audit/body_keys.hpp"
#include "lienthong/net/http_handler.hpp"

namespace boost::asio {
class thread_pool;
}

namespace lienthong::admin {

enum class ExportFormat { kNdjson, kCsv };

// `select_sql` selects one column, the record's JSON document, in the order
// to export. Sealed bodies are opened with `body_wrapper` (body_opening.hpp).
std::shared_ptr<net::BodyStream> make_audit_export(
    std::string database_url, std::string select_sql, ExportFormat format,
    std::shared_ptr<boost::asio::thread_pool> workers,
    std::shared_ptr<const audit::KeyWrapper> body_wrapper);

// The CSV columns, in order (the header line).
const std::vector<std::string>& audit_csv_columns();

}  // namespace lienthong::admin
