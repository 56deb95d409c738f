// Micro-benchmarks of the exchange's hot pieces, on the same data the
// gateway suite sends (bench/gateway/): envelope parsing, request schema
// validation, the agreement lookup (10 and 12,000 agreements: it must not
// grow), the provider answer's projection and mapping, and the audit
// record's canonical encoding and chain hash; and one hop between hubs'
// signatures: an assertion signed and checked, and Ed25519 itself through
// the hub's library (libsodium) and through OpenSSL 3 (what the hub used
// before), on the same key and message. Run by ./bench/run.sh.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "lienthong/audit/audit_chain.hpp"
#include "lienthong/audit/audit_record.hpp"
#include "lienthong/audit/signing_key.hpp"
#include "lienthong/core/digest.hpp"
#include "lienthong/core/error.hpp"
#include "lienthong/exchange/envelope.hpp"
#include "lienthong/federation/assertion_token.hpp"
#include "lienthong/mapping/field_mapping.hpp"
#include "lienthong/net/http_endpoint.hpp"
#include "lienthong/policy/agreement_check.hpp"
#include "lienthong/policy/response_projection.hpp"
#include "lienthong/registry/snapshot.hpp"
#include "lienthong/schema/json_schema.hpp"

namespace {

using namespace lienthong;
using nlohmann::json;

std::string read_file(const std::filesystem::path& relative) {
  std::ifstream in(std::filesystem::path(LIENTHONG_SOURCE_DIR) / relative);
  if (!in)
    throw std::runtime_error("cannot read " + relative.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const json& bench_registry() {
  static const json registry = json::parse(read_file("bench/gateway/registry.json"));
  return registry;
}

const std::string& citizen_record() {
  static const std::string record = read_file("bench/gateway/citizen-record.json");
  return record;
}

// The provider's answer, as bench/gateway/nginx-provider.conf returns it.
const json& provider_answer() {
  static const json answer = [] {
    const std::string conf = read_file("bench/gateway/nginx-provider.conf");
    const auto start = conf.find("return 200 '") + 12;
    return json::parse(conf.substr(start, conf.find("';", start) - start));
  }();
  return answer;
}

std::string envelope_text() {
  return R"json({"header": {"id": "bench-1-1", "from": "VN/PROV/000.00.00.B02/BENCH-CONSUMER",
    "to": "VN/GOV/000.00.00.B01/BENCH-PROVIDER", "service": "citizen-verify", "version": "v1",
    "purpose": "Xác minh nhân thân khi cấp giấy phép (identity check)", "userId": "can-bo-0042"},
    "body": )json" +
         citizen_record() + "}";
}

void EnvelopeParse(benchmark::State& state) {
  const exchange::EnvelopeParser parser(64);
  const std::string text = envelope_text();
  std::string message_id;
  for (auto _ : state) {
    auto envelope = parser.parse(text, message_id);
    if (!envelope.has_value())
      throw std::runtime_error("the benchmark envelope does not parse");
    benchmark::DoNotOptimize(envelope);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(EnvelopeParse);

void SchemaValidateCitizenRecord(benchmark::State& state) {
  auto schema = schema::JsonSchema::compile(bench_registry()["json_schemas"][0]["document"]);
  const json record = json::parse(citizen_record());
  for (auto _ : state) {
    auto violations = schema.value()->validate(record);
    if (!violations.empty())
      throw std::runtime_error("the benchmark record breaks its schema");
    benchmark::DoNotOptimize(violations);
  }
}
BENCHMARK(SchemaValidateCitizenRecord);

// A snapshot with `consumers` systems, each with an approved agreement for
// one provider's service: the lookup for any of them must cost the same.
struct AgreementWorld {
  explicit AgreementWorld(int consumers) {
    registry::Snapshot::Contents contents;
    registry::SystemEntry provider;
    provider.id = 1;
    provider.system_id = {"VN", "GOV", "000.00.00.B01", "BENCH-PROVIDER"};
    provider.key = provider.system_id.to_string();
    provider.endpoint = net::HttpEndpoint::parse("http://127.0.0.1:9201").value();
    contents.systems.push_back(provider);
    registry::ServiceEntry service;
    service.id = 1;
    service.service_id = {provider.system_id, "citizen-verify", "v1"};
    service.key = service.service_id.to_string();
    service.provider_system_id = provider.id;
    contents.services.push_back(service);
    for (int i = 0; i < consumers; ++i) {
      registry::SystemEntry consumer;
      consumer.id = 100 + i;
      consumer.system_id = {"VN", "ORG", "000.00.00.C" + std::to_string(i), "CLINIC"};
      consumer.key = consumer.system_id.to_string();
      contents.systems.push_back(consumer);
      registry::AgreementEntry agreement;
      agreement.id = 100 + i;
      agreement.consumer_system_id = consumer.id;
      agreement.provider_system_id = provider.id;
      agreement.service_code = "citizen-verify";
      agreement.versions = {"v1"};
      contents.agreements.push_back(agreement);
    }
    snapshot = std::make_unique<registry::Snapshot>(std::move(contents), 1);
  }
  std::unique_ptr<registry::Snapshot> snapshot;
};

void AgreementLookup(benchmark::State& state) {
  const int consumers = static_cast<int>(state.range(0));
  const AgreementWorld world(consumers);
  const auto& snapshot = *world.snapshot;
  const registry::ServiceEntry& service = snapshot.services().front();
  const auto now = std::chrono::system_clock::now();
  std::vector<const registry::SystemEntry*> callers;
  for (int i = 0; i < consumers; i += std::max(1, consumers / 64))
    callers.push_back(snapshot.system("VN/ORG/000.00.00.C" + std::to_string(i) + "/CLINIC"));
  std::size_t next = 0;
  for (auto _ : state) {
    auto agreement =
        policy::find_agreement(snapshot, *callers[next++ % callers.size()], service, "v1", now);
    if (!agreement.has_value())
      throw std::runtime_error("no agreement found");
    benchmark::DoNotOptimize(agreement);
  }
}
BENCHMARK(AgreementLookup)->Arg(10)->Arg(12000);

void ResponseProjection(benchmark::State& state) {
  const auto& fields = bench_registry()["agreements"][0]["response_fields"];
  const std::vector<std::string> allowed(fields.begin(), fields.end());
  // What is timed must be right: the agreed fields kept, the rest cut.
  const json projected = policy::project_response(provider_answer(), allowed);
  if (!projected.contains("idNumber") || projected.contains("internalRecordId") ||
      projected.size() >= provider_answer().size()) {
    state.SkipWithError("the projection does not keep exactly the agreed fields");
    return;
  }
  for (auto _ : state)
    benchmark::DoNotOptimize(policy::project_response(provider_answer(), allowed));
}
BENCHMARK(ResponseProjection);

// The demo business registry's answer mapping (config/demo/registry.json):
// Vietnamese field names and dd/MM/yyyy dates to the standard form.
void MappingApply(benchmark::State& state) {
  const json demo = json::parse(read_file("config/demo/registry.json"));
  auto mapping =
      mapping::FieldMapping::compile(demo["services"][1]["adapter_config"]["mapping"], "response");
  const json answer = json::parse(R"({"maSoThue": "0101234567",
    "tenDoanhNghiep": "Công ty TNHH Thương mại Dịch vụ Hòa Bình", "nguoiDaiDienTheoPhapLuat":
    "Phạm Quốc Bảo", "ngayDangKyLanDau": "15/03/2012", "tinhTrangHoatDong": "DANG_HOAT_DONG",
    "diaChiTruSo": {"diaChi": "Số 8 phố Tràng Tiền, phường Tràng Tiền, quận Hoàn Kiếm",
    "tinhThanh": "Hà Nội"}, "ghiChuNoiBo": "không chia sẻ"})");
  for (auto _ : state) {
    auto mapped = mapping.value().apply(answer, ErrorCode::kProviderMappingFailed);
    if (!mapped.has_value())
      throw std::runtime_error("the benchmark answer does not map");
    benchmark::DoNotOptimize(mapped);
  }
}
BENCHMARK(MappingApply);

void AuditRecordEncodeAndHash(benchmark::State& state) {
  audit::AuditRecord record;
  record.node = "bench-1";
  record.message_id = "b1-hub-32-1-123456";
  record.request_id = "01935f4e-8a1b-7c3d-9e2f-0123456789ab";
  record.consumer = "VN/PROV/000.00.00.B02/BENCH-CONSUMER";
  record.provider = "VN/GOV/000.00.00.B01/BENCH-PROVIDER";
  record.service = "citizen-verify";
  record.service_version = "v1";
  record.method = "POST";
  record.path = "/exchange/v1/messages";
  record.user_id = "can-bo-0042";
  record.purpose = "Xác minh nhân thân khi cấp giấy phép (identity check)";
  record.client_address = "127.0.0.1";
  record.client_fingerprint = std::string(64, 'a');
  record.status = 200;
  record.request_bytes = 1400;
  record.response_bytes = 900;
  record.request_sha256 = std::string(64, 'b');
  record.response_sha256 = std::string(64, 'c');
  record.received_at = std::chrono::system_clock::now();
  record.provider_called_at = record.received_at;
  record.provider_answered_at = record.received_at;
  record.responded_at = record.received_at;
  audit::make_storable(record);
  std::string previous(64, '0');
  std::int64_t seq = 1;
  // What is timed must be right: a SHA-256 in hex, the same for the same
  // record, another for a record changed by one field.
  const std::string first = audit::chain_hash(previous, seq, record);
  audit::AuditRecord changed = record;
  changed.status = 403;
  if (first.size() != 64 || first != audit::chain_hash(previous, seq, record) ||
      first == audit::chain_hash(previous, seq, changed)) {
    state.SkipWithError("chain_hash is not a stable SHA-256 of the record");
    return;
  }
  for (auto _ : state) {
    previous = audit::chain_hash(previous, seq++, record);
    benchmark::DoNotOptimize(previous);
  }
}
BENCHMARK(AuditRecordEncodeAndHash);

// One Ed25519 key for the signature benchmarks, as the hub and as OpenSSL hold it.
struct BenchKey {
  BenchKey() {
    const auto path = std::filesystem::temp_directory_path() /
                      ("lt-micro-key-" + std::to_string(::getpid()) + ".pem");
    hub = std::make_unique<audit::SigningKey>(audit::SigningKey::load_or_create(path.string()));
    FILE* file = std::fopen(path.c_str(), "r");
    openssl = PEM_read_PrivateKey(file, nullptr, nullptr, nullptr);
    std::fclose(file);
    std::filesystem::remove(path);
    verifying = std::make_unique<audit::VerifyingKey>(
        audit::VerifyingKey::from_pem(hub->public_key_pem()).value());
  }
  ~BenchKey() { EVP_PKEY_free(openssl); }
  std::unique_ptr<audit::SigningKey> hub;
  std::unique_ptr<audit::VerifyingKey> verifying;
  EVP_PKEY* openssl = nullptr;
};

BenchKey& bench_key() {
  static BenchKey key;
  return key;
}

federation::AssertionClaims bench_claims(const std::string& body) {
  federation::AssertionClaims claims;
  claims.issuer = "VN-BP";
  claims.audience = "VN";
  claims.token_id = "01935f4e-8a1b-7c3d-9e2f-0123456789ab";
  claims.issued_at =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  claims.expires_at = claims.issued_at + std::chrono::seconds(60);
  claims.consumer = "VN-BP/PROV/000.00.00.B02/BENCH-CONSUMER";
  claims.service = "VN/GOV/000.00.00.B01/BENCH-PROVIDER/citizen-verify/v1";
  claims.purpose = "Xác minh nhân thân khi cấp giấy phép (identity check)";
  claims.user_id = "can-bo-0042";
  claims.message_id = "b1-hub-hop-32-1-123456";
  claims.body_sha256 = sha256_hex(body);
  claims.hops = {"VN-BP"};
  return claims;
}

// What a forwarding hub does per exchange: the assertion, signed.
void AssertionSign(benchmark::State& state) {
  const std::string body = read_file("bench/gateway/citizen-record.json");
  const auto claims = bench_claims(body);
  for (auto _ : state)
    benchmark::DoNotOptimize(federation::sign_assertion(claims, *bench_key().hub));
}
BENCHMARK(AssertionSign);

// What the next hub does per exchange: the assertion checked (signature,
// claims, the body's SHA-256).
void AssertionVerify(benchmark::State& state) {
  const std::string body = read_file("bench/gateway/citizen-record.json");
  const std::string token = federation::sign_assertion(bench_claims(body), *bench_key().hub);
  federation::AssertionExpectation expected;
  expected.issuer = "VN-BP";
  expected.audience = "VN";
  expected.public_key_pem = bench_key().hub->public_key_pem();
  expected.now = std::chrono::system_clock::now();
  expected.body = body;
  if (!federation::verify_assertion(token, expected).claims) {
    state.SkipWithError("the assertion does not verify");
    return;
  }
  for (auto _ : state)
    benchmark::DoNotOptimize(federation::verify_assertion(token, expected));
}
BENCHMARK(AssertionVerify);

constexpr std::string_view kSigned =
    "a JWS signing input of some 700 bytes .........................";

void Ed25519SignHub(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(bench_key().hub->sign(kSigned));
}
BENCHMARK(Ed25519SignHub);

void Ed25519SignOpenSsl(benchmark::State& state) {
  unsigned char signature[64];
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t length = sizeof signature;
    EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, bench_key().openssl);
    EVP_DigestSign(ctx, signature, &length, reinterpret_cast<const unsigned char*>(kSigned.data()),
                   kSigned.size());
    EVP_MD_CTX_free(ctx);
    benchmark::DoNotOptimize(signature);
  }
}
BENCHMARK(Ed25519SignOpenSsl);

void Ed25519VerifyHub(benchmark::State& state) {
  const auto signature = base64_decode(bench_key().hub->sign(kSigned)).value();
  if (!bench_key().verifying->verify(kSigned, signature)) {
    state.SkipWithError("the signature does not verify");
    return;
  }
  for (auto _ : state)
    benchmark::DoNotOptimize(bench_key().verifying->verify(kSigned, signature));
}
BENCHMARK(Ed25519VerifyHub);

void Ed25519VerifyOpenSsl(benchmark::State& state) {
  const auto signature = base64_decode(bench_key().hub->sign(kSigned)).value();
  const auto verify = [&] {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok =
        EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, bench_key().openssl) == 1 &&
        EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                         signature.size(), reinterpret_cast<const unsigned char*>(kSigned.data()),
                         kSigned.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
  };
  if (!verify()) {
    state.SkipWithError("OpenSSL does not verify the hub's signature");
    return;
  }
  for (auto _ : state)
    benchmark::DoNotOptimize(verify());
}
BENCHMARK(Ed25519VerifyOpenSsl);

}  // namespace

BENCHMARK_MAIN();
