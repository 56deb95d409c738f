// The demo's commands: the provider systems, the datasets they serve, and the
// clinic network generator.
#include "demo_commands.hpp"

#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lienthong/demo/clinic_network.hpp"
#include "lienthong/demo/datasets.hpp"

#include "commands.hpp"

namespace lienthong::cli {
namespace {

struct DemoState {
  CLI::App* provider = nullptr;
  std::vector<std::string> systems;
  std::string log_level = "info";
  demo::DemoOptions provider_options;

  CLI::App* data = nullptr;
  std::string dataset;
  std::uint32_t first = 0;
  std::uint32_t count = 10;
  demo::DatasetOptions data_options;

  CLI::App* clinics = nullptr;
  demo::ClinicNetworkOptions clinic_options;

  CLI::App* tsa = nullptr;
  DemoTsaOptions tsa_options;
};

// One JSON record per line: the whole dataset with --count 1000000.
int write_dataset(const DemoState& state) {
  const demo::Citizens citizens(state.data_options);
  const demo::Enterprises enterprises(state.data_options);
  const std::uint64_t end = std::uint64_t{state.first} + state.count;
  const bool claims = state.dataset == "claims";
  if (!claims && end > state.data_options.size)
    throw std::invalid_argument("--from + --count goes past the dataset's " +
                                std::to_string(state.data_options.size) + " records");
  for (std::uint64_t i = state.first; i < end; ++i) {
    const auto index = static_cast<std::uint32_t>(i);
    nlohmann::json record;
    if (state.dataset == "citizens")
      record = citizens.record(index);
    else if (state.dataset == "enterprises")
      record = enterprises.registry_record(index);
    else if (state.dataset == "taxpayers")
      record = enterprises.tax_record(index);
    else
      record =
          demo::health_insurance_claim(citizens, demo::clinic_facility_code(index % 12'000), i);
    std::cout << record.dump() << '\n';
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

}  // namespace

std::function<std::optional<int>()> add_demo_commands(CLI::App& app) {
  auto state = std::make_shared<DemoState>();

  state->provider = app.add_subcommand("provider", "Run the demo provider systems (plain HTTP)");
  state->provider
      ->add_option("--serve", state->systems,
                   "NAME=HOST:PORT (population, business, tax, land, claims)")
      ->required();
  state->provider->add_option("--log-level", state->log_level, "trace, debug, info, warn, error");
  state->provider->add_option("--seed", state->provider_options.data.seed, "dataset seed (2026)");
  state->provider->add_option("--dataset-size", state->provider_options.data.size,
                              "citizens and enterprises (1000000)");
  state->provider->add_option("--claims-journal", state->provider_options.claims_journal,
                              "file where the claims system keeps accepted claims across restarts");

  state->tsa = app.add_subcommand(
      "tsa", "Run the demo's RFC 3161 time-stamping authority (plain HTTP; not for production)");
  state->tsa->add_option("--listen", state->tsa_options.listen, "HOST:PORT (127.0.0.1:8318)");
  state->tsa
      ->add_option("--certificate", state->tsa_options.certificate,
                   "its certificate (PEM, timeStamping; scripts/pki.sh --tsa)")
      ->required();
  state->tsa->add_option("--key", state->tsa_options.key, "its private key (PEM)")->required();
  state->tsa->add_option("--policy", state->tsa_options.policy, "the policy OID of its tokens");
  state->tsa->add_option("--log-level", state->tsa_options.log_level,
                         "trace, debug, info, warn, error");

  state->data = app.add_subcommand(
      "data", "Print records of the demo's synthetic datasets, one JSON object per line");
  state->data->add_option("dataset", state->dataset, "citizens, enterprises, taxpayers or claims")
      ->required()
      ->check(CLI::IsMember({"citizens", "enterprises", "taxpayers", "claims"}));
  state->data->add_option("--from", state->first, "first record's index (0)");
  state->data->add_option("--count", state->count, "how many records (10)");
  state->data->add_option("--seed", state->data_options.seed, "dataset seed (2026)");

  state->clinics = app.add_subcommand(
      "clinics", "Write a registry file of N clinics with certificates and claim agreements");
  auto& clinic = state->clinic_options;
  state->clinics->add_option("--count", clinic.count, "clinics (12000)");
  state->clinics->add_option("--out", clinic.directory, "directory for registry.json and pki/")
      ->required();
  state->clinics->add_option("--ca-cert", clinic.ca_certificate, "issuing CA certificate (PEM)")
      ->required();
  state->clinics->add_option("--ca-key", clinic.ca_key, "issuing CA key (PEM)")->required();
  state->clinics->add_option("--provider", clinic.provider, "the claims system's identifier");

  return [state]() -> std::optional<int> {
    if (*state->provider)
      return run_demo_provider(state->systems, state->log_level, state->provider_options);
    if (*state->tsa)
      return run_demo_tsa(state->tsa_options);
    if (*state->data)
      return write_dataset(*state);
    if (*state->clinics) {
      demo::write_clinic_network(state->clinic_options);
      std::cerr << "wrote " << state->clinic_options.count << " clinics to "
                << (state->clinic_options.directory / "registry.json").string() << "\n";
      return 0;
    }
    return std::nullopt;
  };
}

}  // namespace lienthong::cli
