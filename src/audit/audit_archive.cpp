#include "lienthong/audit/audit_archive.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <unistd.h>

#include <pqxx/pqxx>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/timestamp.hpp"

#include "archive_format.hpp"
#include "record_rows.hpp"

namespace lienthong::audit {
namespace {

using namespace archive_format;
using nlohmann::json;

constexpr int kPageRows = 5'000;

// The file being written, as FINAL.partial until published under its name,
// so a crash never leaves a file that looks complete; hashed as written.
// Removed unless kept.
class ArchiveFile {
 public:
  explicit ArchiveFile(std::filesystem::path final_path)
      : final_(std::move(final_path)), partial_(final_.string() + ".partial") {
    if (std::filesystem::exists(final_))
      refuse(final_.string() + " exists already; nothing was archived");
    const int fd = ::open(partial_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
      refuse("cannot create " + partial_.string() + ": " + std::strerror(errno));
    file_ = ::fdopen(fd, "w");
  }
  ~ArchiveFile() {
    if (file_ != nullptr)
      std::fclose(file_);
    if (!kept_) {
      std::error_code ignored;
      std::filesystem::remove(partial_, ignored);
      if (published_)
        std::filesystem::remove(final_, ignored);
    }
  }
  ArchiveFile(const ArchiveFile&) = delete;
  ArchiveFile& operator=(const ArchiveFile&) = delete;

  const std::filesystem::path& written() const { return published_ ? final_ : partial_; }

  void line(const json& value) {
    std::string text = value.dump();
    text += '\n';
    hash_.update(text);
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size())
      refuse("cannot write " + partial_.string() + ": " + std::strerror(errno));
  }

  // Flushes to disk and closes; returns the file's SHA-256.
  std::string close() {
    const bool written = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    std::fclose(file_);
    file_ = nullptr;
    if (!written)
      refuse("cannot write " + partial_.string() + ": " + std::strerror(errno));
    return hash_.final_hex();
  }

  // Gives the file its name, durably (the directory entry too).
  void publish() {
    std::filesystem::rename(partial_, final_);
    published_ = true;
    const int directory = ::open(final_.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory >= 0) {
      ::fsync(directory);
      ::close(directory);
    }
  }

  void keep() { kept_ = true; }

 private:
  std::filesystem::path final_;
  std::filesystem::path partial_;
  std::FILE* file_ = nullptr;
  Sha256Stream hash_;
  bool published_ = false;
  bool kept_ = false;
};

class MonthArchiver {
 public:
  MonthArchiver(pqxx::transaction_base& tx, const ArchiveOptions& options)
      : tx_(tx), options_(options) {
    const std::string month = month_text(options.month);
    partition_ = "audit_records_" + month.substr(0, 4) + "_" + month.substr(5, 2);
  }

  const std::string& partition() const { return partition_; }

  std::vector<Stretch> plan() {
    const std::string month = month_text(options_.month);
    if (options_.month >= utc_month(std::chrono::system_clock::now()))
      refuse("the month " + month + " is not over yet");
    if (tx_.exec_params1("SELECT to_regclass($1) IS NULL", partition_)[0].as<bool>())
      refuse("there is no audit partition for " + month +
             " (already archived, or before the audit log was partitioned)");
    if (tx_.exec_params1("SELECT EXISTS (SELECT 1 FROM audit_records WHERE committed_at < $1)",
                         to_rfc3339(month_start(options_.month)))[0]
            .as<bool>())
      refuse("records from before " + month +
             " are still in the database: archive the oldest month first");
    std::vector<Stretch> stretches;
    for (const auto& row : tx_.exec("SELECT node, min(seq), max(seq), count(*) FROM " + partition_ +
                                    " WHERE seq IS NOT NULL GROUP BY node ORDER BY node")) {
      Stretch s{row[0].as<std::string>(),
                row[1].as<std::int64_t>(),
                row[2].as<std::int64_t>(),
                row[3].as<std::int64_t>(),
                {},
                {}};
      if (s.records != s.last_seq - s.first_seq + 1)
        refuse("node " + s.node + "'s records in " + month +
               " are not one stretch of its chain (its clock went back across the month's "
               "end?); verify the chain and archive by hand");
      s.previous_hash = previous_hash(s);
      s.last_hash = tx_.exec_params1("SELECT record_hash FROM " + partition_ +
                                         " WHERE node = $1 AND seq = $2",
                                     s.node, s.last_seq)[0]
                        .as<std::string>();
      if (!tx_.exec_params1(
                  "SELECT EXISTS (SELECT 1 FROM audit_checkpoints WHERE node = $1 AND seq = $2)",
                  s.node, s.last_seq)[0]
               .as<bool>())
        refuse("node " + s.node + "'s last record of " + month +
               " is not sealed by a checkpoint yet: its writer seals it when it next writes or "
               "idles (start the node if it is down), then archive again");
      stretches.push_back(std::move(s));
    }
    unchained_ = tx_.exec1("SELECT count(*) FROM " + partition_ + " WHERE seq IS NULL")[0]
                     .as<std::int64_t>();
    return stretches;
  }

  // Writes the file, checking every chain as its records go out.
  void write(ArchiveFile& file, const std::vector<Stretch>& stretches) {
    json header{{"type", "archive"},
                {"format", kFormat},
                {"month", month_text(options_.month)},
                {"created_at", to_rfc3339(std::chrono::system_clock::now())},
                {"chains", json::array()},
                {"unchained_records", unchained_}};
    for (const auto& s : stretches)
      header["chains"].push_back(stretch_json(s));
    file.line(header);
    std::vector<ChainCheck> checks;
    for (const auto& s : stretches) {
      // The node's keys, and its checkpoints from the anchor to the seal.
      auto keys = load_signing_keys(tx_, s.node);
      for (const auto& [key_id, pem] : keys)
        file.line({{"type", "key"}, {"node", s.node}, {"key_id", key_id}, {"public_key", pem}});
      checks.emplace_back(s.node, load_checkpoints(tx_, s.node, s.first_seq - 1, s.last_seq),
                          std::move(keys), options_.trusted_key_ids);
      for (const auto& [seq, checkpoint] : checks.back().checkpoints())
        file.line(checkpoint_line(s.node, checkpoint));
      // Their trusted timestamps, so the file dates its checkpoints alone.
      for (const auto& kept : load_timestamps(tx_, s.node, s.first_seq - 1, s.last_seq))
        file.line(timestamp_line(s.node, kept));
    }
    for (std::size_t i = 0; i < stretches.size(); ++i)
      write_chain(file, checks[i], stretches[i]);
    write_unchained(file);
  }

 private:
  std::string previous_hash(const Stretch& s) {
    if (s.first_seq == 1)
      return std::string(kGenesisHash);
    const auto row =
        tx_.exec_params("SELECT last_hash FROM audit_archives WHERE node = $1 AND last_seq = $2",
                        s.node, s.first_seq - 1);
    if (row.empty())
      refuse("node " + s.node + "'s record " + std::to_string(s.first_seq - 1) +
             ", before this month's first, is neither in an archive nor in an older month");
    return row[0][0].as<std::string>();
  }

  std::string select_rows(const std::string& where) const {
    return "SELECT " + record_columns() + ", " + micros_column("committed_at") +
           ", request_body, response_body FROM " + partition_ + " WHERE " + where + " LIMIT " +
           std::to_string(kPageRows);
  }

  static AuditRecord full_record(const pqxx::row& row) {
    AuditRecord r = record_from_row(row);
    const auto body = [](const pqxx::field& field) -> std::optional<std::string> {
      if (field.is_null())
        return std::nullopt;
      const pqxx::binarystring bytes(field);
      return bytes.str();
    };
    r.request_body = body(row[kRecordColumnCount + 1]);
    r.response_body = body(row[kRecordColumnCount + 2]);
    return r;
  }

  void write_chain(ArchiveFile& file, ChainCheck& check, const Stretch& s) {
    anchor(check, s);
    for (;;) {
      const auto rows =
          tx_.exec_params(select_rows("node = $1 AND seq > $2 ORDER BY seq"), s.node, check.seq());
      for (const auto& row : rows) {
        const auto id = row[0].as<std::int64_t>();
        const auto seq = row[1].as<std::int64_t>();
        const auto hash = row[2].as<std::string>();
        const AuditRecord record = full_record(row);
        if (!check.add(id, seq, hash, record, row[kBodiesMatchColumn].as<bool>()))
          break;
        file.line(record_line(id, seq, hash,
                              from_micros(row[kRecordColumnCount].as<std::int64_t>()), record));
      }
      if (check.failed() || rows.size() < static_cast<std::size_t>(kPageRows))
        break;
    }
    const ChainReport report = conclude(check, s);
    if (report.problem)
      refuse("node " + s.node +
             "'s chain does not verify, nothing was archived: " + report.problem->detail);
  }

  void write_unchained(ArchiveFile& file) {
    std::int64_t after = 0;
    for (;;) {
      const auto rows = tx_.exec_params(select_rows("seq IS NULL AND id > $1 ORDER BY id"), after);
      for (const auto& row : rows) {
        after = row[0].as<std::int64_t>();
        file.line(record_line(after, std::nullopt, std::string(),
                              from_micros(row[kRecordColumnCount].as<std::int64_t>()),
                              full_record(row)));
      }
      if (rows.size() < static_cast<std::size_t>(kPageRows))
        return;
    }
  }

  pqxx::transaction_base& tx_;
  const ArchiveOptions& options_;
  std::string partition_;
  std::int64_t unchained_ = 0;
};

}  // namespace

ArchiveResult archive_month(const ArchiveOptions& options) {
  pqxx::connection connection(options.database_url);
  // One snapshot for the checks, the file and the drop.
  pqxx::transaction<pqxx::repeatable_read> tx(connection);
  MonthArchiver archiver(tx, options);
  const auto stretches = archiver.plan();

  ArchiveResult result;
  result.file = options.directory / ("audit-" + month_text(options.month) + ".ndjson");
  std::filesystem::create_directories(options.directory);
  ArchiveFile file(result.file);
  archiver.write(file, stretches);
  result.file_sha256 = file.close();

  result.verified =
      verify_archive_file(file.written(), options.trusted_key_ids, {}, options.timestamp_trust);
  if (!result.verified.ok())
    refuse("the archive file did not verify when read back; nothing was dropped");
  // The file's own trusted timestamp, before anything is dropped: a month
  // that cannot be sealed stays in the database.
  if (options.seal_file)
    result.seal_token = options.seal_file(result.file_sha256);
  const std::optional<std::string> seal_hex =
      result.seal_token.empty() ? std::nullopt : std::optional(to_hex(result.seal_token));
  for (const auto& s : stretches) {
    result.records += s.records;
    tx.exec_params(
        "INSERT INTO audit_archives (month, node, first_seq, last_seq, previous_hash, last_hash, "
        "file_name, file_sha256, seal_token) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
        "decode($9, 'hex'))",
        month_text(options.month) + "-01", s.node, s.first_seq, s.last_seq, s.previous_hash,
        s.last_hash, result.file.filename().string(), result.file_sha256, seal_hex);
  }
  result.records += result.verified.unchained_records;
  // The connectivity index reads past days from their roll-up: make it before
  // the month's records leave the database.
  tx.exec_params(
      "SELECT lt_roll_up_traffic_days($1::date, ($1::date + interval '1 month' - interval '1 "
      "day')::date)",
      month_text(options.month) + "-01");
  tx.exec("DROP TABLE " + archiver.partition());
  // Named before the commit: once the partition is gone, the file must be there.
  file.publish();
  tx.commit();
  file.keep();
  if (!result.seal_token.empty()) {
    // Beside the file, as `openssl ts -verify -data FILE -in FILE.tsr -token_in` reads it
    // (also kept in audit_archives.seal_token).
    result.seal_file = result.file;
    result.seal_file += ".tsr";
    std::ofstream out(result.seal_file, std::ios::binary | std::ios::trunc);
    out << result.seal_token;
    if (!out.flush())
      refuse("the month was archived, but its seal token could not be written to " +
             result.seal_file.string() + "; it is kept in audit_archives.seal_token");
  }
  return result;
}

}  // namespace lienthong::audit
