// The auditor API: every filter, keyset pages that neither skip nor repeat a
// record while others are being written, member scoping, and verification.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "lienthong/core/digest.hpp"

#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

using nlohmann::json;

// One chain of a verify report, by name.
json chain_of(const json& report, const std::string& node) {
  for (const auto& chain : report.at("chains")) {
    if (chain.at("node") == node)
      return chain;
  }
  ADD_FAILURE() << "no chain " << node << " in " << report.dump(2);
  return json::object();
}

class AuditApi : public AdminFixture {
 protected:
  // A small, known traffic mix:
  //   a-1..a-3  TEST-CONSUMER -> echo            200
  //   b-1       TEST-CONSUMER -> missing         404 (the provider's own answer)
  //   c-1       TEST-OTHER    -> echo            403 Client.AgreementExpired
  //   d-1       TEST-CONSUMER -> dead (TEST-DEAD) 502 Provider.Unreachable
  void SetUp() override {
    AdminFixture::SetUp();
    auto consumer = client();
    for (const char* id : {"a-1", "a-2", "a-3"})
      send(consumer, id, kConsumer, kProvider, "echo", 200);
    send(consumer, "b-1", kConsumer, kProvider, "missing", 404);
    auto other = client("TEST-OTHER");
    send(other, "c-1", kOther, kProvider, "echo", 403);
    send(consumer, "d-1", kConsumer, kDeadProvider, "dead", 502);
    auditor_ = token("auditor");
  }

  static void send(TestClient& client, const std::string& id, const std::string& from,
                   const std::string& to, const std::string& service, int status) {
    ASSERT_EQ(client.post("/exchange/v1/messages", envelope(id, from, to, service)).status, status)
        << id;
  }

  // The message ids a query finds, following every page.
  std::set<std::string> message_ids(const std::string& token, const std::string& filters) {
    std::set<std::string> found;
    auto auditor = admin(token);
    std::string after;
    for (int page = 0; page < 100; ++page) {
      const auto response = auditor.get(
          "/audit/v1/exchanges?from=2000-01-01&to=2100-01-01&limit=2" + filters + after);
      EXPECT_EQ(response.status, 200) << response.body;
      const auto body = AdminClient::json_of(response);
      for (const auto& item : body["items"])
        found.insert(item["message_id"].is_null() ? "" : item["message_id"].get<std::string>());
      if (body["next_after"].is_null())
        return found;
      after = "&after=" + std::to_string(body["next_after"].get<std::int64_t>());
    }
    ADD_FAILURE() << "more than 100 pages";
    return found;
  }

  std::string auditor_;
};

TEST_F(AuditApi, EveryFilterNarrowsTheLog) {
  using Ids = std::set<std::string>;
  EXPECT_EQ(message_ids(auditor_, ""), (Ids{"a-1", "a-2", "a-3", "b-1", "c-1", "d-1"}));
  EXPECT_EQ(message_ids(auditor_, std::string("&consumer=") + kOther), (Ids{"c-1"}));
  EXPECT_EQ(message_ids(auditor_, std::string("&provider=") + kDeadProvider), (Ids{"d-1"}));
  EXPECT_EQ(message_ids(auditor_, "&service=missing"), (Ids{"b-1"}));
  EXPECT_EQ(message_ids(auditor_, "&user_id=tester-1").size(), 6u);
  EXPECT_EQ(message_ids(auditor_, "&user_id=nobody").size(), 0u);
  EXPECT_EQ(message_ids(auditor_, "&purpose=integration%20test").size(), 6u);
  EXPECT_EQ(message_ids(auditor_, "&message_id=a-2"), (Ids{"a-2"}));
  EXPECT_EQ(message_ids(auditor_, "&status=404"), (Ids{"b-1"}));
  EXPECT_EQ(message_ids(auditor_, "&error_code=Client.AgreementExpired"), (Ids{"c-1"}));
  EXPECT_EQ(message_ids(auditor_, "&outcome=refused"), (Ids{"c-1", "d-1"}));
  EXPECT_EQ(message_ids(auditor_, "&outcome=accepted"), (Ids{"a-1", "a-2", "a-3", "b-1"}));

  // A time range is required, and a range in the past finds nothing.
  auto auditor = admin(auditor_);
  EXPECT_TRUE(AdminClient::json_of(
                  auditor.get("/audit/v1/exchanges?from=2001-01-01&to=2001-01-02"))["items"]
                  .empty());
  const auto no_range = auditor.get("/audit/v1/exchanges");
  EXPECT_EQ(no_range.status, 400);
  std::set<std::string> pointers;
  const auto problem = AdminClient::json_of(no_range);
  for (const auto& error : problem["errors"])
    pointers.insert(error["pointer"].get<std::string>());
  EXPECT_EQ(pointers, (std::set<std::string>{"from", "to"}));
  EXPECT_EQ(auditor.get("/audit/v1/exchanges?from=yesterday&to=2100-01-01").status, 400);
  EXPECT_EQ(auditor.get("/audit/v1/exchanges?from=2000-01-01&to=2100-01-01&colour=red").status,
            400);
}

TEST_F(AuditApi, ARecordShowsWhoObtainedWhatFromWhomWhenAndWhy) {
  auto auditor = admin(auditor_);
  const auto page = AdminClient::json_of(
      auditor.get("/audit/v1/exchanges?from=2000-01-01&to=2100-01-01&message_id=a-1"));
  ASSERT_EQ(page["items"].size(), 1u);
  const auto id = page["items"][0]["id"].get<std::int64_t>();
  const auto record =
      AdminClient::json_of(auditor.get("/audit/v1/exchanges/" + std::to_string(id)));
  EXPECT_EQ(record["consumer"], kConsumer);
  EXPECT_EQ(record["provider"], kProvider);
  EXPECT_EQ(record["service"], "echo");
  EXPECT_EQ(record["service_version"], "v1");
  EXPECT_EQ(record["user_id"], "tester-1");
  EXPECT_EQ(record["purpose"], "integration test");
  EXPECT_EQ(record["status"], 200);
  EXPECT_EQ(record["request_sha256"].get<std::string>().size(), 64u);
  EXPECT_FALSE(record["received_at"].is_null());
  EXPECT_FALSE(record["provider_called_at"].is_null());
  EXPECT_GE(record["seq"].get<int>(), 1);
  EXPECT_EQ(auditor.get("/audit/v1/exchanges/999999").status, 404);
  EXPECT_EQ(auditor.get("/audit/v1/exchanges/abc").status, 404);
  EXPECT_EQ(auditor.post("/audit/v1/exchanges", json::object()).status, 405);
}

TEST_F(AuditApi, AMemberScopedAuditorSeesOnlyItsMembersExchanges) {
  using Ids = std::set<std::string>;
  // The provider ministry's auditor: its system provided a-*, b-1, c-1; d-1 went to TEST-DEAD.
  const auto ministry = token("auditor", kProviderMember);
  EXPECT_EQ(message_ids(ministry, ""), (Ids{"a-1", "a-2", "a-3", "b-1", "c-1"}));
  // The consumer province's auditor: its systems sent everything.
  EXPECT_EQ(message_ids(token("auditor", kConsumerMember), "").size(), 6u);

  const auto dead_id = database_->scalar("SELECT id FROM audit_records WHERE message_id = 'd-1'");
  EXPECT_EQ(admin(ministry).get("/audit/v1/exchanges/" + dead_id).status, 404)
      << "another member's record must look like no record at all";
  EXPECT_EQ(admin(token("member-admin", kProviderMember))
                .get("/audit/v1/exchanges?from=2000-01-01&to=2100-01-01")
                .status,
            403);
}

TEST_F(AuditApi, PagesNeitherSkipNorRepeatWhileRecordsAreWritten) {
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    auto consumer = client();
    for (int i = 0; i < 2000 && !stop; ++i) {
      consumer.post("/exchange/v1/messages",
                    envelope("w-" + std::to_string(i), kConsumer, kProvider, "echo"));
    }
  });
  const auto written = [&] {
    return std::stoi(database_->scalar("SELECT count(*) FROM audit_records"));
  };
  // Paging starts once writing is under way, and must overlap it (below).
  const int before_writing = written();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (written() < before_writing + 5 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const int at_first_page = written();
  std::vector<std::int64_t> seen;
  auto auditor = admin(auditor_);
  std::string after;
  for (int page = 0; page < 400; ++page) {
    const auto body = AdminClient::json_of(
        auditor.get("/audit/v1/exchanges?from=2000-01-01&to=2100-01-01&limit=3" + after));
    for (const auto& item : body["items"])
      seen.push_back(item["id"].get<std::int64_t>());
    if (body["next_after"].is_null())
      break;
    after = "&after=" + std::to_string(body["next_after"].get<std::int64_t>());
  }
  const int at_last_page = written();
  stop = true;
  writer.join();
  ASSERT_GE(at_first_page, before_writing + 5) << "the writer did not start";
  ASSERT_GT(at_last_page, at_first_page) << "nothing was written while paging: proves nothing";
  ASSERT_FALSE(seen.empty());
  const std::set<std::int64_t> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "a record was repeated";
  // Every record up to the last one seen was seen: none skipped.
  const auto committed_up_to_last = std::stoul(database_->scalar(
      "SELECT count(*) FROM audit_records WHERE id <= " + std::to_string(*unique.rbegin())));
  EXPECT_EQ(unique.size(), committed_up_to_last) << "a record was skipped";
}

TEST_F(AuditApi, VerifyReportsAnIntactLog) {
  auto auditor = admin(auditor_);
  const auto response = auditor.get("/audit/v1/verify");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto report = AdminClient::json_of(response);
  EXPECT_TRUE(report["ok"].get<bool>()) << report.dump(2);
  EXPECT_EQ(chain_of(report, "test-node")["records_checked"], 6);
  // The admin changes (the tokens this test issued) are a chain of their own.
  EXPECT_EQ(chain_of(report, "admin-changes")["records_checked"].dump(),
            database_->scalar("SELECT count(*) FROM admin_changes"));
  EXPECT_EQ(auditor.get("/audit/v1/verify?from=nonsense").status, 400);
  EXPECT_TRUE(report["witness"].is_null()) << "no witness directory configured";
}

// An auditor keeps the heads of a verification (the console: in the
// auditor's browser) and has the next one held to them.
TEST_F(AuditApi, VerifyHoldsWholeChainsToTheHeadsTheCallerKept) {
  auto auditor = admin(auditor_);
  const auto first = AdminClient::json_of(auditor.get("/audit/v1/verify"));
  ASSERT_TRUE(first["ok"].get<bool>()) << first.dump(2);
  json heads = json::array();
  for (const auto& chain : first["chains"]) {
    if (chain["to_seq"].get<int>() > 0)
      heads.push_back(
          {{"node", chain["node"]}, {"seq", chain["to_seq"]}, {"record_hash", chain["to_hash"]}});
  }
  ASSERT_EQ(heads.size(), 2u) << "test-node and admin-changes";
  const json kept{{"format", "lienthong-audit-heads/1"}, {"heads", heads}};
  const auto held = auditor.post("/audit/v1/verify", kept);
  ASSERT_EQ(held.status, 200) << held.body;
  EXPECT_TRUE(AdminClient::json_of(held)["ok"].get<bool>()) << held.body;
  EXPECT_EQ(AdminClient::json_of(held)["expected_heads"], 2);

  // A head further than the chain now reaches: records were removed.
  json further = kept;
  for (auto& head : further["heads"]) {
    if (head["node"] == "test-node")
      head["seq"] = 99;
  }
  const auto cut = AdminClient::json_of(auditor.post("/audit/v1/verify", further));
  EXPECT_FALSE(cut["ok"].get<bool>());
  EXPECT_EQ(chain_of(cut, "test-node")["problem"]["kind"], "truncated") << cut.dump(2);
  EXPECT_NE(chain_of(cut, "test-node")["problem"]["detail"].get<std::string>().find(
                "record 99 was verified before"),
            std::string::npos)
      << cut.dump(2);

  // Not a heads document, or a range: 400, naming what is wrong.
  const auto bad = auditor.post("/audit/v1/verify", json{{"heads", heads}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("lienthong-audit-heads/1"), std::string::npos) << bad.body;
  EXPECT_EQ(auditor.post("/audit/v1/verify?from=2026-01-01", kept).status, 400);
  // A member administrator may not verify the log, by any method.
  EXPECT_EQ(admin(token("member-admin", kProviderMember)).post("/audit/v1/verify", kept).status,
            403);
}

// A node with a witness directory holds GET /audit/v1/verify to it.
class AuditApiWithWitness : public AuditApi {
 protected:
  void configure(Config& config) override {
    std::filesystem::create_directories(witness_dir());
    config.audit.witness_dir = witness_dir().string();
  }
  void TearDown() override {
    const auto witness = witness_dir();
    AuditApi::TearDown();
    std::filesystem::remove_all(witness);
  }
  std::filesystem::path witness_dir() const {
    return std::filesystem::temp_directory_path() / ("lt-api-witness-" + database_->name());
  }
};

TEST_F(AuditApiWithWitness, VerifyHoldsTheLogToTheWitnessedCheckpoints) {
  auto auditor = admin(auditor_);
  const auto intact = AdminClient::json_of(auditor.get("/audit/v1/verify"));
  EXPECT_TRUE(intact["ok"].get<bool>()) << intact.dump(2);
  EXPECT_EQ(intact["witness"]["directory"], witness_dir().string());
  EXPECT_EQ(intact["witness"]["files"], 3)
      << "the node's chain's, the admin-change chain's and the read chain's";
  EXPECT_GE(intact["witness"]["heads"].get<int>(), 3) << "at least the three genesis checkpoints";
  EXPECT_TRUE(intact["witness"]["checked"].get<bool>());

  // A head the database cannot reproduce: record 99 of this node, witnessed.
  {
    std::ofstream(witness_dir() / "test-node.witness.jsonl", std::ios::app)
        << R"({"chain":"test-node","seq":99,"record_hash":")" << std::string(64, 'd') << "\"}\n";
  }
  const auto cut = AdminClient::json_of(auditor.get("/audit/v1/verify"));
  EXPECT_FALSE(cut["ok"].get<bool>());
  EXPECT_EQ(chain_of(cut, "test-node")["problem"]["kind"], "truncated") << cut.dump(2);
  // A range is not held to the witness, and says so.
  const auto ranged = AdminClient::json_of(auditor.get("/audit/v1/verify?from=2000-01-01"));
  EXPECT_TRUE(ranged["ok"].get<bool>()) << ranged.dump(2);
  EXPECT_FALSE(ranged["witness"]["checked"].get<bool>());
}

TEST_F(AuditApi, StatsCountExchangesRefusalsAndLatencyPerPair) {
  auto auditor = admin(auditor_);
  const auto response = auditor.get("/audit/v1/stats?from=2000-01-01&to=2100-01-01&bucket=hour");
  ASSERT_EQ(response.status, 200) << response.body;
  std::map<std::string, json> by_pair;
  const auto body = AdminClient::json_of(response);
  for (const auto& item : body["items"]) {
    by_pair[item["consumer"].get<std::string>() + " -> " + item["provider"].get<std::string>()] =
        item;
  }
  const auto& main = by_pair.at(std::string(kConsumer) + " -> " + kProvider);
  EXPECT_EQ(main["exchanges"], 4);  // a-1..a-3, b-1
  EXPECT_EQ(main["refused"], 0);
  EXPECT_GT(main["latency_ms"]["p50"].get<double>(), 0.0);
  EXPECT_GE(main["latency_ms"]["p99"].get<double>(), main["latency_ms"]["p50"].get<double>());
  const auto& dead = by_pair.at(std::string(kConsumer) + " -> " + kDeadProvider);
  EXPECT_EQ(dead["refused"], 1);
  EXPECT_EQ(dead["error_rate"], 1.0);
  EXPECT_EQ(by_pair.at(std::string(kOther) + " -> " + kProvider)["refused"], 1);

  // The provider ministry's auditor does not see the dead provider's pair.
  const auto scoped =
      AdminClient::json_of(admin(token("auditor", kProviderMember))
                               .get("/audit/v1/stats?from=2000-01-01&to=2100-01-01"));
  ASSERT_FALSE(scoped["items"].empty()) << "the provider's auditor sees its own pairs";
  for (const auto& item : scoped["items"])
    EXPECT_EQ(item["provider"], kProvider);
  EXPECT_EQ(auditor.get("/audit/v1/stats?from=2000-01-01&to=2100-01-01&bucket=week").status, 400);
}

TEST_F(AuditApi, BodiesAreKeptOnlyWhereTheServiceAsksAndTheChainCoversThem) {
  auto hub = hub_admin();
  const auto echo_id = std::to_string(id_of("services", "service_code = 'echo'"));
  const auto current = hub.get("/admin/v1/services/" + echo_id);
  const auto full = hub.patch("/admin/v1/services/" + echo_id, {{"audit_bodies", "full"}},
                              current.header("etag"));
  ASSERT_EQ(full.status, 200) << full.body;
  EXPECT_EQ(AdminClient::json_of(full)["audit_bodies"], "full");
  ASSERT_TRUE(hub_->reload_registry().has_value());

  auto consumer = client();
  const auto sent = envelope("body-1", kConsumer, kProvider, "echo");
  ASSERT_EQ(consumer.post("/exchange/v1/messages", sent).status, 200);
  auto auditor = admin(auditor_);
  const auto page = AdminClient::json_of(
      auditor.get("/audit/v1/exchanges?from=2000-01-01&to=2100-01-01&message_id=body-1"));
  ASSERT_EQ(page["items"].size(), 1u);
  // Given as sent; kept sealed (body_encryption_test.cpp has the rest).
  const auto kept = page["items"][0]["request_body_base64"].get<std::string>();
  EXPECT_EQ(base64_decode(kept), sent);
  EXPECT_EQ(database_->scalar("SELECT position(convert_to('body-1', 'UTF8') IN request_body) FROM "
                              "audit_records WHERE message_id = 'body-1'"),
            "0");
  EXPECT_TRUE(page["items"][0]["response_body_base64"].is_string());
  // The default keeps hashes only.
  EXPECT_TRUE(AdminClient::json_of(auditor.get(
      "/audit/v1/exchanges?from=2000-01-01&to=2100-01-01&message_id=a-1"))["items"][0]
                                                                          ["request_body_base64"]
                                                                              .is_null());

  const auto none =
      hub.patch("/admin/v1/services/" + echo_id, {{"audit_bodies", "none"}}, full.header("etag"));
  ASSERT_EQ(none.status, 200) << none.body;
  ASSERT_TRUE(hub_->reload_registry().has_value());
  ASSERT_EQ(consumer.post("/exchange/v1/messages", envelope("body-2", kConsumer, kProvider, "echo"))
                .status,
            200);
  EXPECT_EQ(
      database_->scalar("SELECT request_sha256 || '|' || coalesce(request_body::text, 'null') FROM "
                        "audit_records WHERE message_id = 'body-2'"),
      "|null");
  EXPECT_TRUE(AdminClient::json_of(auditor.get("/audit/v1/verify"))["ok"].get<bool>());

  // A kept body is covered by the chain through its SHA-256 (one passed
  // off as kept in the clear, to escape its key's check, too).
  database_->execute(
      "ALTER TABLE audit_records DISABLE TRIGGER USER;"
      "UPDATE audit_records SET request_body = 'forged'::bytea, bodies_key = NULL "
      "WHERE message_id = 'body-1';"
      "ALTER TABLE audit_records ENABLE TRIGGER USER");
  const auto report = AdminClient::json_of(auditor.get("/audit/v1/verify"));
  EXPECT_FALSE(report["ok"].get<bool>());
  EXPECT_EQ(chain_of(report, "test-node")["problem"]["kind"], "altered");
  EXPECT_EQ(chain_of(report, "test-node")["problem"]["record_id"].dump(),
            database_->scalar("SELECT id FROM audit_records WHERE message_id = 'body-1'"));

  // Scoped like the rest of the auditor API: the consumer's auditor is told
  // which of its records broke; another member's auditor that the chain
  // breaks there, not which record or why.
  const json broken = chain_of(report, "test-node")["problem"];
  const auto own =
      AdminClient::json_of(admin(token("auditor", kConsumerMember)).get("/audit/v1/verify"));
  EXPECT_EQ(chain_of(own, "test-node")["problem"], broken) << own.dump(2);
  const auto other =
      AdminClient::json_of(admin(token("auditor", "VN/GOV/TEST.02")).get("/audit/v1/verify"));
  EXPECT_FALSE(other.value("ok", true)) << other.dump(2);
  const json hidden = chain_of(other, "test-node")["problem"];
  ASSERT_TRUE(hidden.is_object()) << other.dump(2);
  EXPECT_EQ(hidden["kind"], "altered");
  EXPECT_EQ(hidden["seq"], broken["seq"]);
  EXPECT_TRUE(hidden["record_id"].is_null()) << other.dump(2);
  EXPECT_NE(hidden["detail"], broken["detail"]) << other.dump(2);
}

TEST_F(AuditApi, ExportsStreamNdjsonAndCsvPageByPage) {
  // Enough rows for several pieces of the stream (1,000 rows each).
  database_->execute(
      "INSERT INTO audit_records (node, request_id, method, path, status, request_bytes, "
      "response_bytes, request_sha256, response_sha256, received_at, responded_at) "
      "SELECT 'bulk', 'bulk-' || g, 'POST', '/exchange/v1/messages', 200, 0, 0, '', '', now(), "
      "now() FROM generate_series(1, 2500) g");
  auto auditor = admin(auditor_);
  const auto ndjson = auditor.get("/audit/v1/export?from=2000-01-01&to=2100-01-01");
  ASSERT_EQ(ndjson.status, 200) << ndjson.body.substr(0, 300);
  EXPECT_EQ(ndjson.header("content-type"), "application/x-ndjson");
  EXPECT_EQ(ndjson.header("transfer-encoding"), "chunked");
  std::size_t lines = 0;
  std::int64_t last_id = 0;
  for (std::size_t start = 0; start < ndjson.body.size();) {
    const auto end = ndjson.body.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "the last line is not terminated";
    const auto record = json::parse(ndjson.body.substr(start, end - start));
    EXPECT_GT(record["id"].get<std::int64_t>(), last_id) << "not in id order";
    last_id = record["id"].get<std::int64_t>();
    ++lines;
    start = end + 1;
  }
  EXPECT_EQ(lines, 2506u);

  const auto csv = auditor.get(
      std::string("/audit/v1/export?format=csv&from=2000-01-01&to=2100-01-01&consumer=") + kOther);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  const auto header_end = csv.body.find("\r\n");
  EXPECT_TRUE(csv.body.starts_with("id,node,seq,message_id,request_id,"));
  EXPECT_TRUE(csv.body.substr(0, header_end)
                  .ends_with(",record_hash,upstream_instance,downstream_instance,"
                             "downstream_request_id,downstream_record_hash"))
      << "the hops of a federated exchange: " << csv.body.substr(0, header_end);
  const auto row = csv.body.substr(header_end + 2);
  EXPECT_NE(row.find(",c-1,"), std::string::npos) << row;
  EXPECT_NE(row.find(",Client.AgreementExpired,"), std::string::npos) << row;
  EXPECT_EQ(std::count(row.begin(), row.end(), '\n'), 1) << "one record";

  // A member-scoped auditor's export is scoped like its queries.
  const auto scoped = admin(token("auditor", kProviderMember))
                          .get("/audit/v1/export?from=2000-01-01&to=2100-01-01");
  EXPECT_EQ(std::count(scoped.body.begin(), scoped.body.end(), '\n'), 5);
  EXPECT_EQ(auditor.get("/audit/v1/export?format=xml&from=2000-01-01&to=2100-01-01").status, 400);
  EXPECT_EQ(auditor.get("/audit/v1/export").status, 400);
}

}  // namespace
}  // namespace lienthong::testing
