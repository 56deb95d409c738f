#include "lienthong/registry/snapshot.hpp"

#include <algorithm>
#include <unordered_map>

namespace lienthong::registry {
namespace {

std::string agreement_key(std::int64_t consumer, std::int64_t provider,
                          std::string_view service_code) {
  std::string key = std::to_string(consumer);
  key += ':';
  key += std::to_string(provider);
  key += ':';
  key += service_code;
  return key;
}

}  // namespace

bool PeerEntry::lets_out(std::string_view consumer, std::string_view service) const {
  for (const auto& rule : outbound_rules) {
    // A member's rule covers its systems: its key and a slash begin theirs.
    const bool caller =
        rule.consumer == "*" || rule.consumer == consumer ||
        (consumer.size() > rule.consumer.size() && consumer.starts_with(rule.consumer) &&
         consumer[rule.consumer.size()] == '/');
    if (caller && (rule.service == "*" || rule.service == service))
      return true;
  }
  return false;
}

bool AgreementEntry::covers_version(std::string_view version) const {
  return versions.empty() || std::find(versions.begin(), versions.end(), version) != versions.end();
}

bool AgreementEntry::valid_at(Clock::time_point when) const {
  return when >= valid_from && (!valid_until || when < *valid_until);
}

Snapshot::Snapshot(Contents contents, std::uint64_t version)
    : systems_(std::move(contents.systems)),
      services_(std::move(contents.services)),
      agreements_(std::move(contents.agreements)),
      peers_(std::move(contents.peers)),
      registry_changes_(contents.registry_changes),
      version_(version),
      built_at_(std::chrono::system_clock::now()) {
  std::unordered_map<std::int64_t, const SystemEntry*> by_id;
  by_id.reserve(systems_.size());
  systems_by_key_.reserve(systems_.size());
  for (const auto& system : systems_) {
    by_id.emplace(system.id, &system);
    systems_by_key_.emplace(system.key, &system);
  }
  for (const auto& credential : contents.credentials) {
    const auto it = by_id.find(credential.system_id);
    if (it == by_id.end())
      continue;  // the system is disabled
    auto& index =
        credential.kind == CredentialEntry::Kind::kCertificate ? certificates_ : api_keys_;
    index.emplace(credential.sha256, CredentialMatch{it->second, credential.expires_at});
  }
  services_by_key_.reserve(services_.size());
  for (auto& service : services_) {
    const auto it = by_id.find(service.provider_system_id);
    if (it == by_id.end())
      continue;  // cannot happen with the foreign key; never index a dangling one
    service.provider = it->second;
    services_by_key_.emplace(service.key, &service);
    services_by_code_[service.provider->key + "/" + service.service_id.service_code].push_back(
        &service);
  }
  for (const auto& agreement : agreements_) {
    agreements_by_pair_[agreement_key(agreement.consumer_system_id, agreement.provider_system_id,
                                      agreement.service_code)]
        .push_back(&agreement);
  }
}

std::vector<const ServiceEntry*> Snapshot::service_versions(
    std::string_view provider_and_code) const {
  const auto it = services_by_code_.find(provider_and_code);
  return it == services_by_code_.end() ? std::vector<const ServiceEntry*>{} : it->second;
}

std::vector<const AgreementEntry*> Snapshot::agreements(const SystemEntry& consumer,
                                                        const ServiceEntry& service) const {
  const auto it = agreements_by_pair_.find(
      agreement_key(consumer.id, service.provider_system_id, service.service_id.service_code));
  return it == agreements_by_pair_.end() ? std::vector<const AgreementEntry*>{} : it->second;
}

CredentialMatch Snapshot::certificate(std::string_view sha256_hex) const {
  const auto it = certificates_.find(sha256_hex);
  return it == certificates_.end() ? CredentialMatch{} : it->second;
}

CredentialMatch Snapshot::api_key(std::string_view key_sha256_hex) const {
  const auto it = api_keys_.find(key_sha256_hex);
  return it == api_keys_.end() ? CredentialMatch{} : it->second;
}

const PeerEntry* Snapshot::peer_by_certificate(std::string_view sha256_hex) const {
  // A handful of peers per hub: a scan, on a path taken once a minute per peer.
  for (const auto& peer : peers_) {
    if (peer.client_fingerprint == sha256_hex)
      return &peer;
  }
  return nullptr;
}

const PeerEntry* Snapshot::peer_by_instance(std::string_view instance) const {
  for (const auto& peer : peers_) {
    if (peer.instance == instance)
      return &peer;
  }
  return nullptr;
}

const SystemEntry* Snapshot::system(std::string_view system_key) const {
  const auto it = systems_by_key_.find(system_key);
  return it == systems_by_key_.end() ? nullptr : it->second;
}

const ServiceEntry* Snapshot::service(std::string_view service_key) const {
  const auto it = services_by_key_.find(service_key);
  return it == services_by_key_.end() ? nullptr : it->second;
}

}  // namespace lienthong::registry
