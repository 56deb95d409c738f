#pragma once
// Hub configuration: one TOML file (`--config`), every key overridable from the
// environment as LIENTHONG_<SECTION>_<KEY> (e.g. database.url ->
// LIENTHONG_DATABASE_URL). Unknown keys and bad values are rejected at start
// with a ConfigError naming the setting; the hub never starts half-configured.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace lienthong {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ListenAddress {
  std::string host;  // literal IP address (v4 or v6, without brackets)
  std::uint16_t port = 0;

  // Parses "127.0.0.1:8443" or "[::1]:8443"; throws ConfigError on bad input.
  static ListenAddress parse(const std::string& text, const std::string& setting);
  std::string to_string() const;
};

struct Config {
  struct Node {
    std::string name = "hub-1";  // written into every audit record
    // When set, the node writes the ports it listens on here once it does
    // ("exchange PORT" and "admin PORT" lines), for supervisors and tests
    // that let the system choose the ports (listen on port 0).
    std::string ports_file;
  } node;
  struct Database {
    std::string url;  // libpq connection URI, e.g. postgresql://user:pw@127.0.0.1:5432/db
  } database;
  struct Exchange {
    ListenAddress listen{"127.0.0.1", 8443};
    int threads = 0;  // I/O threads; 0 means one per core
  } exchange;
  struct Admin {
    ListenAddress listen{"127.0.0.1", 8444};  // admin API, health probes (TLS, bearer tokens)
    int workers = 4;                          // threads that run admin requests' database work
    // Bearer token Prometheus sends for GET /metrics; empty: /metrics needs none.
    std::string metrics_token;
    std::string console_dir = "console";  // the web console's static files; empty: no console
  } admin;
  struct Registry {
    int reconnect_ms = 1'000;  // retry interval while PostgreSQL is unreachable
  } registry;
  struct Tls {
    std::string certificate = "var/pki/hub.crt";
    std::string private_key = "var/pki/hub.key";
    std::string client_ca = "var/pki/ca.crt";  // CA that signs member systems' certificates
  } tls;
  struct Limits {
    int header_bytes = 16 * 1024;
    int body_bytes = 1024 * 1024;
    int json_depth = 64;
    int handshake_timeout_ms = 10'000;
    int read_timeout_ms = 15'000;           // whole request, from its first byte
    int idle_timeout_ms = 60'000;           // keep-alive connection with no request in flight
    int max_connections = 10'000;           // per listener
    int max_concurrent_per_system = 1'024;  // requests of one calling system in flight, per node
    int shutdown_grace_ms = 30'000;         // on SIGTERM, how long requests in flight get to finish
    int shutdown_notice_ms = 0;  // on SIGTERM, serving on while a load balancer takes the node out
    int sync_ms =
        100;  // agreements' rate limits and quotas: how often a busy node reports and asks
  } limits;
  struct Provider {
    int connect_timeout_ms = 3'000;
    int max_idle_per_host = 256;  // fewer than the calls in flight: connect and close per call
    std::string ca_file;          // extra CA for HTTPS providers; empty means system trust only
    // The hub's own certificate for providers that require mTLS; none when empty.
    std::string client_certificate;
    std::string client_key;
    // Seals the credentials providers registered (HTTP Basic, WS-Security,
    // SOAP headers): 64 hex digits, created when missing. Every node of a
    // cluster needs the same file.
    std::string credentials_key = "var/pki/provider-credentials.key";
    // During a key change only: the key being replaced, which still opens
    // what it sealed until `lienthong provider-credentials reseal` has run.
    std::string previous_credentials_key;
    int breaker_failures = 5;  // consecutive failures that open a provider's breaker; 0: off
    int breaker_cooldown_ms = 30'000;
    int retries = 1;  // extra attempts where safe: not connected yet, or an idempotent method
  } provider;
  // Asynchronous (store-and-forward) delivery; see lienthong/delivery/.
  struct Async {
    int workers = 1;  // delivery threads on this node; 0: this node only queues
    int batch = 256;  // deliveries a thread keeps in flight (bench: 32 let the backlog grow)
    int max_attempts = 8;
    int backoff_initial_ms = 1'000;
    int backoff_max_ms = 300'000;
    int lease_ms =
        120'000;          // a claimed message returns to the queue after this; > service timeouts
    int poll_ms = 1'000;  // idle workers look for due retries this often (new messages wake them)
  } async;
  struct Audit {
    int queue_capacity = 65'536;
    int batch_max = 512;
    int commit_timeout_ms = 5'000;  // an exchange waits this long for its record, then 503
    std::string signing_key = "var/pki/audit-signing.key";  // Ed25519 PEM, created when missing
    int checkpoint_records = 1'000;                 // sign the chain's head at least this often...
    int checkpoint_seconds = 10;                    // ...and this often while records arrive
    int partitions_ahead = 2;                       // monthly partitions kept ready ahead of time
    std::string archive_dir = "var/audit-archive";  // where `audit archive` writes months
    std::string read_url;  // the auditor API's reads (a replica's URL); empty: database.url
    // Another volume or host where each node appends the checkpoints it
    // signs (audit_witness.hpp); empty: none. Checkpoints waiting longer
    // than the grace to be published take the node out of service.
    std::string witness_dir;
    int witness_grace_seconds = 14'400;
    // RFC 3161 trusted timestamps of the checkpoints (evidence/timestamper.hpp);
    // off while timestamp_url is empty. The authority's CA certificate(s),
    // pinned: its tokens are checked against these only.
    std::string timestamp_url;
    std::string timestamp_ca;
    int timestamp_seconds = 60;  // the newest checkpoint is stamped this often
    // Failing this long without a token takes the node out of service
    // (X-Road's timestamping failure period: 4 hours).
    int timestamp_failure_seconds = 14'400;
    // Seals the bodies services keep (audit_bodies = full) at rest
    // (audit/body_keys.hpp): a file of 64 hex digits, created when missing,
    // or a key in a PKCS#11 token ("pkcs11:token=...;object=...?module-path=
    // ...&pin-source=..."). Every node of a cluster needs the same key.
    // Empty: bodies are kept in the clear.
    std::string body_key = "var/pki/audit-bodies.key";
    // During a key change only: the key being replaced, which still unwraps
    // what it wrapped until `lienthong audit rewrap-body-keys` has run.
    std::string previous_body_key;
  } audit;
  // Hub-to-hub exchange (docs/federation.md); off while `instance` is empty.
  struct Federation {
    std::string instance;  // this hub's instance, e.g. "VN"; its members' ids start with it
    // Ed25519 PEM that signs the catalogues this hub issues to its peers,
    // created when missing; every node of a hub needs the same file.
    std::string signing_key = "var/pki/catalogue-signing.key";
    // The certificate (with clientAuth) this hub presents to peer hubs;
    // peers register its SHA-256.
    std::string client_certificate;
    std::string client_key;
    int catalogue_seconds = 600;  // how long a catalogue we issue is valid (X-Road: 10 minutes)
    int pull_seconds = 60;        // how often each node pulls its peers' catalogues
    int max_clock_skew_seconds = 300;  // a peer's clock may be this far ahead of ours
    int forward_timeout_ms = 30'000;   // an exchange passed on to a peer hub, answer included
    // Exchanges one peer hub has in flight on a node (its systems' calls
    // and what it passes through us together); more get 429.
    int max_concurrent_per_peer = 4'096;
  } federation;
  struct Log {
    std::string level = "info";
    std::string format = "text";  // text, or json: one object per line with request and trace ids
  } log;
};

// Builds a Config from defaults, then the TOML file (if `path` is non-empty),
// then the environment `env` (name -> value; pass the process environment).
// Throws ConfigError naming the offending setting.
Config load_config(const std::string& path, const std::map<std::string, std::string>& env);

// The process environment as a map, for load_config.
std::map<std::string, std::string> process_environment();

// Every setting key ("section.key") with its environment variable name, for --help output.
std::vector<std::pair<std::string, std::string>> describe_settings();

// The keys of the settings whose values differ, e.g. {"log.level", "tls.certificate"}.
std::vector<std::string> changed_settings(const Config& before, const Config& after);

}  // namespace lienthong
