#pragma once
// An immutable, in-memory copy of the registry. The exchange path reads only
// this, never PostgreSQL; a new snapshot replaces the old one whole.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lienthong/core/identifiers.hpp"
#include "lienthong/net/http_client.hpp"

namespace lienthong::registry {

struct SystemEntry {
  std::int64_t id = 0;
  SystemId system_id;
  std::string key;  // system_id.to_string(), the form used on the wire
  std::string name;
  bool active = true;
  std::optional<net::HttpEndpoint> endpoint;  // set when the system provides services
};

struct ServiceEntry {
  std::int64_t id = 0;
  ServiceId service_id;
  std::string key;  // service_id.to_string()
  std::string name;
  std::int64_t provider_system_id = 0;
  const SystemEntry* provider = nullptr;  // resolved from provider_system_id by the Snapshot
  std::string provider_path;
  std::chrono::milliseconds timeout{30'000};
  bool active = true;
};

// An approved agreement: `consumer_system_id` may call the provider's service
// `service_code` in the listed versions (all when empty) within its validity
// window. Suspended, revoked, rejected and requested agreements are never in
// a snapshot.
struct AgreementEntry {
  using Clock = std::chrono::system_clock;

  std::int64_t id = 0;
  std::int64_t consumer_system_id = 0;
  std::int64_t provider_system_id = 0;
  std::string service_code;
  std::vector<std::string> versions;
  Clock::time_point valid_from{};
  std::optional<Clock::time_point> valid_until;

  bool covers_version(std::string_view version) const;
  bool valid_at(Clock::time_point when) const;
};

// Hashing that lets std::string keys be looked up by std::string_view
// without building a temporary string per request.
struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class Snapshot {
 public:
  struct Contents {
    std::vector<SystemEntry> systems;
    std::vector<ServiceEntry> services;  // `provider` is resolved by the constructor
    std::vector<std::pair<std::string, std::int64_t>> fingerprints;  // sha256 hex -> system id
    std::vector<AgreementEntry> agreements;
  };

  Snapshot(Contents contents, std::uint64_t version);
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // The system holding an unrevoked certificate with this SHA-256, if any.
  const SystemEntry* system_by_certificate(std::string_view sha256_hex) const;
  const SystemEntry* system(std::string_view system_key) const;
  // `key` is the service identifier "PROVIDER/SERVICE/VERSION".
  const ServiceEntry* service(std::string_view service_key) const;

  // The approved agreements between `consumer` and the provider's service
  // `service.service_id.service_code`, any version or validity window.
  std::vector<const AgreementEntry*> agreements(const SystemEntry& consumer,
                                                const ServiceEntry& service) const;

  std::uint64_t version() const { return version_; }
  std::chrono::system_clock::time_point built_at() const { return built_at_; }
  std::size_t system_count() const { return systems_.size(); }
  std::size_t service_count() const { return services_.size(); }
  std::size_t agreement_count() const { return agreements_.size(); }

 private:
  template <class T>
  using Index = std::unordered_map<std::string, const T*, TransparentHash, std::equal_to<>>;

  std::vector<SystemEntry> systems_;
  std::vector<ServiceEntry> services_;
  std::vector<AgreementEntry> agreements_;
  // "consumer id:provider id:service code" -> agreements
  std::unordered_map<std::string, std::vector<const AgreementEntry*>, TransparentHash,
                     std::equal_to<>>
      agreements_by_pair_;
  Index<SystemEntry> systems_by_key_;
  Index<SystemEntry> systems_by_fingerprint_;
  Index<ServiceEntry> services_by_key_;
  std::uint64_t version_;
  std::chrono::system_clock::time_point built_at_;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace lienthong::registry
