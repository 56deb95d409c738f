// Kept bodies encrypted at rest (issue 24, audit/body_keys.hpp): a dump of
// the database holds no body a citizen sent, auditors get them as sent
// through the API, a body moved to another record does not open, and a
// shredded month's bodies are gone for good while the log still verifies.
#include <filesystem>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_writer.hpp"
#include "lienthong/audit/body_keys.hpp"
#include "lienthong/core/digest.hpp"

#include "admin_fixture.hpp"
#include "hub_process.hpp"
#include "softhsm_token.hpp"
#include "writer_records.hpp"

namespace lienthong::testing {
namespace {

using namespace std::chrono;
using nlohmann::json;

// A citizen's data as a ministry would send it, easy to look for.
std::string citizen_body(const std::string& tag) {
  return R"({"idNumber":"CITIZEN-)" + tag + R"(","name":"Nguyen Van A"})";
}

class BodyEncryption : public AdminFixture {
 protected:
  void SetUp() override {
    AdminFixture::SetUp();
    auto hub = hub_admin();
    const auto echo = std::to_string(id_of("services", "service_code = 'echo'"));
    const auto current = hub.get("/admin/v1/services/" + echo);
    ASSERT_EQ(
        hub.patch("/admin/v1/services/" + echo, {{"audit_bodies", "full"}}, current.header("etag"))
            .status,
        200);
    ASSERT_TRUE(hub_->reload_registry().has_value());
    directory_ = std::filesystem::temp_directory_path() / ("lt-bodies-" + database_->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override {
    std::filesystem::remove_all(directory_);
    AdminFixture::TearDown();
  }

  // Sends `body` to echo (which keeps bodies) as message `id`.
  void exchange(const std::string& id, const std::string& body) {
    ASSERT_EQ(client()
                  .post("/exchange/v1/messages", envelope(id, kConsumer, kProvider, "echo", body))
                  .status,
              200);
  }

  // `count` records of TEST-CONSUMER -> TEST-PROVIDER written in `month` by
  // a second node's writer sealing with the hub's own key-encryption key.
  void write_month(year_month month, int count) {
    audit::WriterOptions options;
    options.database_url = database_->url();
    options.node = "past-node";
    options.signing_key_path = (directory_ / "signing.key").string();
    options.body_wrapper = audit::load_key_wrapper(pki_file("audit-bodies.key"));
    const auto at = audit::month_start(month) + days(9) + hours(12);
    options.clock = [at] { return at; };
    std::vector<audit::AuditRecord> records;
    for (int n = 1; n <= count; ++n) {
      audit::AuditRecord r;
      r.message_id = "past-" + std::to_string(n);
      r.request_id = "past-request-" + std::to_string(n);
      r.consumer = kConsumer;
      r.provider = kProvider;
      r.service = "echo";
      r.method = "POST";
      r.path = "/exchange/v1/messages";
      r.status = 200;
      r.request_body = citizen_body("PAST-" + std::to_string(n));
      r.response_body = "{\"ok\":true}";
      r.request_sha256 = sha256_hex(*r.request_body);
      r.response_sha256 = sha256_hex(*r.response_body);
      r.received_at = at;
      r.responded_at = at + milliseconds(2);
      records.push_back(std::move(r));
    }
    ASSERT_EQ(commit_records(options, std::move(records)), count);
  }

  json record_of(const std::string& message_id) {
    const auto page = AdminClient::json_of(
        admin(token("auditor"))
            .get("/audit/v1/exchanges?from=2000-01-01&to=2100-01-01&message_id=" + message_id));
    EXPECT_EQ(page["items"].size(), 1u) << page.dump();
    return page["items"].empty() ? json() : page["items"][0];
  }

  std::filesystem::path directory_;
};

TEST_F(BodyEncryption, ADatabaseDumpHoldsNoKeptBodyAndAuditorsGetThemAsSent) {
  avoid_utc_midnight();
  const std::string sent = citizen_body("0042");
  exchange("kept-1", sent);
  const auto record = record_of("kept-1");
  ASSERT_FALSE(record.empty());
  const std::string request_sha256 = record["request_sha256"];

  // pg_dump of the whole database: the record is there (its hash), its
  // body is not, in the clear, in bytea's hex or in base64.
  const auto dump = run_command("pg_dump --data-only '" + database_->url() + "'").output;
  ASSERT_NE(dump.find(request_sha256), std::string::npos) << "the dump holds no audit record";
  EXPECT_EQ(dump.find("CITIZEN-0042"), std::string::npos);
  EXPECT_EQ(dump.find(to_hex("CITIZEN-0042")), std::string::npos);
  EXPECT_EQ(dump.find(base64_encode(sent)), std::string::npos);
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM body_keys WHERE member = 'VN/GOV/TEST.01' AND "
                              "wrapped_key IS NOT NULL"),
            "1");

  // Through the API, as sent (the envelope that carried it): a page, one
  // record, an export.
  const auto opened = base64_decode(record["request_body_base64"].get<std::string>());
  ASSERT_TRUE(opened.has_value());
  EXPECT_NE(opened->find(sent), std::string::npos) << *opened;
  EXPECT_EQ(sha256_hex(*opened), request_sha256);
  EXPECT_TRUE(record["bodies_key"].is_number_integer());
  auto auditor = admin(token("auditor"));
  const auto id = std::to_string(record["id"].get<std::int64_t>());
  const auto one = AdminClient::json_of(auditor.get("/audit/v1/exchanges/" + id));
  EXPECT_EQ(base64_decode(one["request_body_base64"].get<std::string>()), opened);
  const auto exported = auditor.get("/audit/v1/export?from=2000-01-01&to=2100-01-01");
  ASSERT_EQ(exported.status, 200);
  EXPECT_NE(exported.body.find(base64_encode(*opened)), std::string::npos) << exported.body;
  EXPECT_TRUE(AdminClient::json_of(auditor.get("/audit/v1/verify"))["ok"].get<bool>());
}

TEST_F(BodyEncryption, ABodyMovedToAnotherRecordDoesNotOpen) {
  exchange("moved-from", citizen_body("FROM"));
  exchange("moved-to", citizen_body("TO"));
  // Someone with the database, not the key, moves one sealed body onto
  // another record (passing the record's hash along would change nothing:
  // the body is bound to its record by the cipher).
  database_->execute(
      "ALTER TABLE audit_records DISABLE TRIGGER USER;"
      "UPDATE audit_records SET request_body = (SELECT request_body FROM audit_records WHERE "
      "message_id = 'moved-from') WHERE message_id = 'moved-to';"
      "ALTER TABLE audit_records ENABLE TRIGGER USER");
  const auto id = database_->scalar("SELECT id FROM audit_records WHERE message_id = 'moved-to'");
  const auto answer = admin(token("auditor")).get("/audit/v1/exchanges/" + id);
  EXPECT_EQ(answer.status, 500) << answer.body;
  EXPECT_EQ(answer.body.find("CITIZEN-FROM"), std::string::npos) << answer.body;
  EXPECT_EQ(answer.header("content-type"), "application/problem+json");
  // The untouched one still opens.
  const auto untouched =
      base64_decode(record_of("moved-from")["request_body_base64"].get<std::string>());
  ASSERT_TRUE(untouched.has_value());
  EXPECT_NE(untouched->find(citizen_body("FROM")), std::string::npos);
}

TEST_F(BodyEncryption, AShreddedMonthIsUnreadableForGoodAndTheLogStillVerifies) {
  const auto now = (avoid_utc_midnight(), audit::utc_month(system_clock::now()));
  const auto past = now - months{2};
  write_month(past, 3);
  ASSERT_EQ(base64_decode(record_of("past-2")["request_body_base64"].get<std::string>()),
            citizen_body("PAST-2"));
  const auto month = audit::month_text(past);

  // The month that is still being written cannot be shredded.
  const auto early =
      run_lienthong("audit shred-bodies --month " + audit::month_text(now), database_->url());
  EXPECT_EQ(early.exit_code, 1) << early.output;
  EXPECT_NE(early.output.find("has not ended"), std::string::npos) << early.output;

  const auto shred = run_lienthong("audit shred-bodies --month " + month, database_->url());
  ASSERT_EQ(shred.exit_code, 0) << shred.output;
  EXPECT_NE(shred.output.find("VN/GOV/TEST.01 for " + month), std::string::npos) << shred.output;
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM body_keys WHERE month = '" + month +
                              "-01' AND wrapped_key IS NULL AND shredded_by LIKE 'cli audit "
                              "shred-bodies%'"),
            "1");
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM admin_changes WHERE action = 'shred' AND "
                              "entity = 'body-key' AND cardinality(member_ids) = 1"),
            "1");
  // Nothing left to shred; a key cannot be brought back or its row removed.
  EXPECT_EQ(run_lienthong("audit shred-bodies --month " + month, database_->url()).exit_code, 1);
  EXPECT_THROW(database_->execute("UPDATE body_keys SET wrapped_key = '\\x00', shredded_at = "
                                  "NULL, shredded_by = NULL"),
               std::exception);
  EXPECT_THROW(database_->execute("DELETE FROM body_keys"), std::exception);

  const auto record = record_of("past-2");
  EXPECT_TRUE(record["request_body_base64"].is_null()) << record.dump();
  EXPECT_TRUE(record["response_body_base64"].is_null()) << record.dump();
  EXPECT_EQ(record["bodies_shredded"], true);
  EXPECT_EQ(record["request_sha256"], sha256_hex(citizen_body("PAST-2")));
  EXPECT_TRUE(
      AdminClient::json_of(admin(token("auditor")).get("/audit/v1/verify"))["ok"].get<bool>());
  const auto verified = run_lienthong("audit verify", database_->url());
  EXPECT_EQ(verified.exit_code, 0) << verified.output;

  // Archived, the month's file holds the sealed bodies and their key's id
  // only, and verifies offline.
  const auto archived = run_lienthong(
      "audit archive --month " + month + " --dir " + directory_.string(), database_->url());
  ASSERT_EQ(archived.exit_code, 0) << archived.output;
  const auto file = directory_ / ("audit-" + month + ".ndjson");
  const auto text = read_text(file);
  EXPECT_NE(text.find("\"bodies_key\""), std::string::npos);
  EXPECT_EQ(text.find(base64_encode(citizen_body("PAST-2"))), std::string::npos);
  EXPECT_EQ(text.find("CITIZEN-PAST-2"), std::string::npos);
  const auto offline = run_lienthong("audit verify-archive " + file.string(), database_->url());
  EXPECT_EQ(offline.exit_code, 0) << offline.output;
}

// The key-encryption key generated inside a PKCS#11 token (SoftHSM2), which
// wraps the data keys itself: the key never exists outside it.
class BodyEncryptionInAToken : public BodyEncryption {
 protected:
  void configure(Config& config) override {
    if (!token_) {
      token_ = std::make_unique<SoftHsmToken>("lienthong-test");
      const auto generated =
          run_lienthong("hsm generate-body-key '" + token_->uri("audit-bodies") + "'", "");
      ASSERT_EQ(generated.exit_code, 0) << generated.output;
    }
    config.audit.body_key = uri_ ? *uri_ : token_->uri("audit-bodies");
    config.audit.previous_body_key = previous_.value_or("");
  }
  void restart(std::optional<std::string> uri, std::optional<std::string> previous) {
    hub_.reset();
    uri_ = std::move(uri);
    previous_ = std::move(previous);
    start_hub();
  }
  std::string kek_of_the_month() const {
    return database_->scalar("SELECT string_agg(kek_id, ',') FROM body_keys");
  }
  std::unique_ptr<SoftHsmToken> token_;
  std::optional<std::string> uri_;
  std::optional<std::string> previous_;
};

TEST_F(BodyEncryptionInAToken, WrapsTheDataKeysAndTheHubRefusesAKeyTheTokenDoesNotHold) {
  exchange("token-1", citizen_body("TOKEN"));
  EXPECT_EQ(database_->scalar("SELECT kek_id FROM body_keys"),
            "pkcs11:lienthong-test/audit-bodies");
  const auto dump = run_command("pg_dump --data-only '" + database_->url() + "'").output;
  ASSERT_NE(dump.find("pkcs11:lienthong-test/audit-bodies"), std::string::npos);
  EXPECT_EQ(dump.find(to_hex("CITIZEN-TOKEN")), std::string::npos);
  const auto opened = base64_decode(record_of("token-1")["request_body_base64"].get<std::string>());
  ASSERT_TRUE(opened.has_value());
  EXPECT_NE(opened->find(citizen_body("TOKEN")), std::string::npos);

  // Generating it again changes nothing; a node configured with a key the
  // token does not hold does not start.
  EXPECT_EQ(
      run_lienthong("hsm generate-body-key '" + token_->uri("audit-bodies") + "'", "").exit_code,
      1);
  hub_.reset();
  uri_ = token_->uri("no-such-key");
  EXPECT_THROW(start_hub(), std::exception);

  // A node holding another key-encryption key (a file) says so instead of
  // serving what it cannot open.
  uri_ = pki_file("audit-bodies.key");
  start_hub();
  const auto id = database_->scalar("SELECT id FROM audit_records WHERE message_id = 'token-1'");
  const auto answer = admin(token("auditor")).get("/audit/v1/exchanges/" + id);
  EXPECT_EQ(answer.status, 500) << answer.body;
}

TEST_F(BodyEncryptionInAToken, AKeyChangeMovesTheDataKeysFromAFileIntoTheToken) {
  const auto file_key = (directory_ / "old-bodies.key").string();
  const auto token_key = token_->uri("audit-bodies");
  restart(file_key, std::nullopt);
  exchange("moving-1", citizen_body("MOVING-1"));
  ASSERT_EQ(kek_of_the_month().rfind("file:", 0), 0u) << kek_of_the_month();
  const auto opened = [&](const std::string& message_id) {
    const auto body =
        base64_decode(record_of(message_id)["request_body_base64"].get<std::string>());
    return body.value_or("").find("CITIZEN-MOVING-" + message_id.substr(message_id.size() - 1)) !=
           std::string::npos;
  };

  // Every node gets the new key, with the old one as previous_body_key:
  // the month's data key (wrapped by the file) still seals and opens.
  restart(token_key, file_key);
  exchange("moving-2", citizen_body("MOVING-2"));
  EXPECT_TRUE(opened("moving-1"));
  EXPECT_TRUE(opened("moving-2"));

  const std::string keys = "LIENTHONG_AUDIT_BODY_KEY='" + token_key +
                           "' LIENTHONG_AUDIT_PREVIOUS_BODY_KEY='" + file_key + "'";
  const auto moved = run_lienthong("audit rewrap-body-keys", database_->url(), keys);
  ASSERT_EQ(moved.exit_code, 0) << moved.output;
  EXPECT_NE(moved.output.find("1 key(s) moved"), std::string::npos) << moved.output;
  EXPECT_EQ(kek_of_the_month(), "pkcs11:lienthong-test/audit-bodies");
  EXPECT_EQ(database_->scalar("SELECT count(*) FROM admin_changes WHERE action = 'rewrap' AND "
                              "entity = 'body-key'"),
            "1");
  EXPECT_NE(
      run_lienthong("audit rewrap-body-keys", database_->url(), keys).output.find("0 key(s) moved"),
      std::string::npos);

  // The file key is retired: the token alone opens every body.
  restart(token_key, std::nullopt);
  EXPECT_TRUE(opened("moving-1"));
  EXPECT_TRUE(opened("moving-2"));
  // Rewrapping is the only change besides shredding: a key's month is not.
  EXPECT_THROW(database_->execute("UPDATE body_keys SET month = month - interval '1 month'"),
               std::exception);
}

}  // namespace
}  // namespace lienthong::testing
