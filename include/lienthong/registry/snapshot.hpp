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

#include <nlohmann/json_fwd.hpp>

#include "lienthong/core/identifiers.hpp"
#include "lienthong/net/http_endpoint.hpp"

namespace lienthong::mapping {
class FieldMapping;
}
namespace lienthong::schema {
class JsonSchema;
}

namespace lienthong::registry {

struct ProviderAuth;

struct SystemEntry {
  std::int64_t id = 0;
  SystemId system_id;
  std::string key;  // system_id.to_string(), the form used on the wire
  std::string name;
  bool active = true;
  std::optional<net::HttpEndpoint> endpoint;  // set when the system provides services
  // What the provider wants besides TLS (provider_auth.hpp); null when nothing.
  std::shared_ptr<const ProviderAuth> provider_auth;
};

// What the audit log keeps of a service's message bodies (services.audit_bodies).
enum class AuditBodies { kNone, kHash, kFull };

// How the hub speaks to a service's provider (services.adapter_kind).
enum class AdapterKind { kRest, kSoap, kAsync };

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
  std::optional<std::size_t> max_body_bytes;  // the hub-wide limit applies when absent
  bool require_purpose = true;
  AuditBodies audit_bodies = AuditBodies::kHash;
  // Compiled once per snapshot; null when the service registers none.
  std::shared_ptr<const schema::JsonSchema> request_schema;
  std::shared_ptr<const schema::JsonSchema> response_schema;
  AdapterKind adapter = AdapterKind::kRest;
  // The provider accepts queued (asynchronous) delivery; only then is a
  // consumer's Prefer: respond-async honoured. Async services always are.
  bool allow_async = false;
  // adapter_config.mapping compiled once per snapshot; null when the
  // provider speaks the standard form in that direction.
  std::shared_ptr<const mapping::FieldMapping> request_mapping;
  std::shared_ptr<const mapping::FieldMapping> response_mapping;
  // The whole services.adapter_config, for the adapter's own section (e.g.
  // "soap"); null when the service registers none.
  std::shared_ptr<const nlohmann::json> adapter_config;
};

// A way a system proves who it is: a client certificate's SHA-256 or the
// SHA-256 of an API key, valid until `expires_at` (checked per request).
struct CredentialEntry {
  enum class Kind { kCertificate, kApiKey };
  Kind kind = Kind::kCertificate;
  std::string sha256;
  std::int64_t system_id = 0;
  std::optional<std::chrono::system_clock::time_point> expires_at;
};

// What a credential lookup finds.
struct CredentialMatch {
  const SystemEntry* system = nullptr;
  std::optional<std::chrono::system_clock::time_point> expires_at;
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
  std::vector<std::string> response_fields;  // JSON pointers the consumer may receive; empty: all
  std::vector<std::string> allowed_methods;  // for REST calls; empty: any
  std::vector<std::string> path_patterns;    // for REST calls; empty: any path
  std::optional<int> rate_limit_per_minute;
  std::optional<int> daily_quota;
  // Why the consumer may call at all, as approved; an X-Road REST call that
  // states no purpose of its own is recorded under this one.
  std::string purpose;

  bool covers_version(std::string_view version) const;
  bool valid_at(Clock::time_point when) const;
};

// A peer hub (docs/federation.md): how to reach it, how it proves who it
// is, and the catalogue of our services it may see.
struct PeerEntry {
  std::int64_t id = 0;
  std::string instance;  // e.g. "VN-HN"
  std::string name;
  net::HttpEndpoint endpoint;  // its exchange listener (https)
  std::string tls_ca_pem;      // CA of its server certificate
  std::string client_fingerprint;
  std::string catalogue_key_pem;
  // Our published services as catalogue entries (id, version, name,
  // schemas...), built by the loader: what sign_catalogue puts in "services".
  std::shared_ptr<const nlohmann::json> published;
  // Every key published to it as registered (PROVIDER/SERVICE), those of
  // other instances included: services of a third hub this hub passes on
  // (transit, docs/federation.md).
  std::vector<std::string> published_keys;
  // Our outbound rules for it: who may reach what through it (consumer "*",
  // a member or a system key; service "*" or a PROVIDER/SERVICE key).
  struct OutboundRule {
    std::string consumer;
    std::string service;
  };
  std::vector<OutboundRule> outbound_rules;

  // Whether a rule lets `consumer` (a system key) reach `service`
  // (PROVIDER/SERVICE) through this peer.
  bool lets_out(std::string_view consumer, std::string_view service) const;
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
    std::vector<CredentialEntry> credentials;
    std::vector<AgreementEntry> agreements;
    std::vector<PeerEntry> peers;  // active ones
    // The registry's change count when it was read (registry_changes): the
    // version of the catalogues this snapshot issues.
    std::int64_t registry_changes = 0;
  };

  Snapshot(Contents contents, std::uint64_t version);
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // The system holding an unrevoked certificate / API key with this SHA-256
  // (system null when none); the caller checks `expires_at`.
  CredentialMatch certificate(std::string_view sha256_hex) const;
  CredentialMatch api_key(std::string_view key_sha256_hex) const;
  const SystemEntry* system(std::string_view system_key) const;
  // `key` is the service identifier "PROVIDER/SERVICE/VERSION".
  const ServiceEntry* service(std::string_view service_key) const;

  // The active versions of a provider's service, "PROVIDER/SERVICE" (no version).
  std::vector<const ServiceEntry*> service_versions(std::string_view provider_and_code) const;

  // The approved agreements between `consumer` and the provider's service
  // `service.service_id.service_code`, any version or validity window.
  std::vector<const AgreementEntry*> agreements(const SystemEntry& consumer,
                                                const ServiceEntry& service) const;

  // The active peer hub whose client certificate has this SHA-256, or null.
  const PeerEntry* peer_by_certificate(std::string_view sha256_hex) const;
  // The active peer hub of `instance` (e.g. "VN"), or null.
  const PeerEntry* peer_by_instance(std::string_view instance) const;
  const std::vector<PeerEntry>& peers() const { return peers_; }
  std::int64_t registry_changes() const { return registry_changes_; }

  const std::vector<ServiceEntry>& services() const { return services_; }
  const std::vector<AgreementEntry>& agreements() const { return agreements_; }

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
  std::vector<PeerEntry> peers_;
  std::int64_t registry_changes_ = 0;
  // "consumer id:provider id:service code" -> agreements
  std::unordered_map<std::string, std::vector<const AgreementEntry*>, TransparentHash,
                     std::equal_to<>>
      agreements_by_pair_;
  Index<SystemEntry> systems_by_key_;
  std::unordered_map<std::string, CredentialMatch, TransparentHash, std::equal_to<>> certificates_;
  std::unordered_map<std::string, CredentialMatch, TransparentHash, std::equal_to<>> api_keys_;
  Index<ServiceEntry> services_by_key_;
  std::unordered_map<std::string, std::vector<const ServiceEntry*>, TransparentHash,
                     std::equal_to<>>
      services_by_code_;
  std::uint64_t version_;
  std::chrono::system_clock::time_point built_at_;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace lienthong::registry
