#pragma once
// A hub that takes trusted timestamps (issue 24): the demo's RFC 3161
// authority in-process on loopback (its own CA, as an outside authority
// has), the hub sealing a checkpoint and stamping its checkpoints every
// second.
#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "lienthong/audit/trusted_timestamp.hpp"
#include "lienthong/demo/timestamp_service.hpp"

#include "admin_fixture.hpp"
#include "loopback_server.hpp"

namespace lienthong::testing {

using namespace std::chrono_literals;

inline std::string read_pki(const std::string& name) {
  return read_text(pki_file(name));
}

class TimestampedHubFixture : public AdminFixture {
 protected:
  void SetUp() override {
    auto authority = audit::TimestampAuthority::from_pem(
        read_pki("tsa.crt"), read_pki("tsa.key"), "2.25.243992339543256560495088202782305522059");
    ASSERT_TRUE(authority.has_value()) << authority.error().detail;
    tsa_ = std::make_unique<LoopbackServer>(demo::make_timestamp_service(
        std::make_shared<const audit::TimestampAuthority>(std::move(authority).value()),
        available_));
    AdminFixture::SetUp();
  }
  void TearDown() override {
    HubFixture::TearDown();
    tsa_.reset();
  }
  void configure(Config& config) override {
    config.audit.timestamp_url = tsa_->url() + "/";
    config.audit.timestamp_ca = pki_file(pinned_ca_);
    config.audit.timestamp_seconds = 1;
    config.audit.timestamp_failure_seconds = failure_seconds_;
    config.audit.checkpoint_seconds = 1;
  }

  ClientResponse exchange(const std::string& id) const {
    return client().post("/exchange/v1/messages", envelope(id, kConsumer, kProvider, "echo"));
  }
  // The first answer within `limit` whose status is `status` (or the last one).
  ClientResponse exchange_until(int status, const std::string& id_prefix,
                                std::chrono::seconds limit = 15s) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (int i = 0;; ++i) {
      auto answer = exchange(id_prefix + "-" + std::to_string(i));
      if (answer.status == status || std::chrono::steady_clock::now() >= deadline)
        return answer;
      std::this_thread::sleep_for(200ms);
    }
  }
  std::string tokens_kept() const {
    return database_->scalar("SELECT count(*) FROM audit_timestamps");
  }

  // Waits until a checkpoint of the node has its token.
  bool stamped(std::chrono::seconds limit = 15s) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (database_->scalar("SELECT count(*) FROM audit_timestamps t JOIN audit_checkpoints c ON "
                            "c.id = t.checkpoint_id WHERE c.node = 'test-node'") != "0")
        return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  std::shared_ptr<std::atomic<bool>> available_ = std::make_shared<std::atomic<bool>>(true);
  std::string pinned_ca_ = "tsa-ca.crt";
  int failure_seconds_ = 3'600;
  std::unique_ptr<LoopbackServer> tsa_;
};

}  // namespace lienthong::testing
