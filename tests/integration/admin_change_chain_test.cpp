// Admin changes are part of the tamper-evident audit log: PostgreSQL links
// each one into the admin-change chain in the transaction that makes it,
// audit writers sign the chain's head, and the verifier locates a changed,
// deleted or cut-off admin change.
#include <pqxx/pqxx>

#include "lienthong/audit/audit_verifier.hpp"

#include "admin_fixture.hpp"

namespace lienthong::testing {
namespace {

class AdminChangeChain : public AdminFixture {
 protected:
  // Four admin changes (the fixture's token and three more, one of them
  // made through the admin API), then the hub stops, which seals the chain.
  void SetUp() override {
    AdminFixture::SetUp();
    token("auditor");
    token("hub-admin");
    auto admin = hub_admin();
    const auto created = admin.post("/admin/v1/admin-tokens",
                                    {{"role", "auditor"}, {"label", "made through the API"}});
    ASSERT_EQ(created.status, 201) << created.body;
    hub_.reset();
    ASSERT_EQ(database_->scalar("SELECT count(*) FROM admin_changes"), "4");
  }

  audit::ChainReport admin_chain() const {
    pqxx::connection connection(database_->url());
    pqxx::read_transaction tx(connection);
    const auto report = audit::verify_audit_log(tx, {});
    for (const auto& chain : report.chains) {
      if (chain.node == "admin-changes")
        return chain;
    }
    ADD_FAILURE() << "no admin-change chain in " << audit::report_json(report).dump(2);
    return {};
  }

  void tamper(const std::string& sql) const {
    database_->execute("ALTER TABLE admin_changes DISABLE TRIGGER USER;" + sql +
                       ";ALTER TABLE admin_changes ENABLE TRIGGER USER");
  }
};

TEST_F(AdminChangeChain, EveryChangeIsLinkedAndTheHeadIsSigned) {
  const auto chain = admin_chain();
  EXPECT_FALSE(chain.problem.has_value()) << chain.problem->detail;
  EXPECT_EQ(chain.records_checked, 4);
  EXPECT_EQ(chain.checkpoints_checked, 2);  // the genesis, and the head when the writer stopped
  EXPECT_EQ(chain.unsealed_records, 0) << "the stopping writer seals the admin chain's head";
  EXPECT_EQ(database_->scalar("SELECT string_agg(seq::text, ',' ORDER BY id) FROM admin_changes"),
            "1,2,3,4");
  // The chain's key is the node's, registered for both chains.
  EXPECT_EQ(database_->scalar("SELECT count(DISTINCT key_id) FROM audit_signing_keys"), "1");
  // A change cannot be edited in place.
  EXPECT_THROW(database_->execute("UPDATE admin_changes SET actor = 'someone' WHERE seq = 2"),
               std::exception);
  EXPECT_THROW(database_->execute("TRUNCATE admin_changes"), std::exception);
}

// Tampering as someone with full database access would, past the triggers.
struct Tampering {
  const char* name;
  const char* sql;
  const char* kind;  // what the verifier must report...
  std::int64_t seq;  // ...and where
};

class AdminChangeTampering : public AdminChangeChain,
                             public ::testing::WithParamInterface<Tampering> {};

TEST_P(AdminChangeTampering, IsLocated) {
  tamper(GetParam().sql);
  const auto chain = admin_chain();
  ASSERT_TRUE(chain.problem.has_value());
  EXPECT_EQ(chain.problem->kind, GetParam().kind);
  EXPECT_EQ(chain.problem->seq, GetParam().seq);
}

INSTANTIATE_TEST_SUITE_P(
    AdminChangeChain, AdminChangeTampering,
    ::testing::Values(
        Tampering{"AChangedEntry",
                  "UPDATE admin_changes SET after = jsonb_set(after, '{role}', '\"hub-admin\"') "
                  "WHERE seq = 2",
                  "altered", 2},
        Tampering{"ADeletedEntry", "DELETE FROM admin_changes WHERE seq = 3", "missing", 3},
        // Caught only because a writer signed the head while it was there.
        Tampering{"ACutOffTail", "DELETE FROM admin_changes WHERE seq = 4", "truncated", 4}),
    [](const ::testing::TestParamInfo<Tampering>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace lienthong::testing
