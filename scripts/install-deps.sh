#!/usr/bin/env bash
# Installs the Debian 12 packages Lienthong needs to build, test and run the
# demo. Does nothing when all are present. Needs root (or sudo) to install.
#   scripts/install-deps.sh          build, test (console e2e included), demo
#   scripts/install-deps.sh --bench  also what bench/run.sh drives (nginx, wrk, gnuplot)
#   scripts/install-deps.sh --build  only what building needs (docker/Dockerfile)
#   scripts/install-deps.sh --cluster  also what scripts/cluster.sh runs (etcd, Patroni, HAProxy)
set -euo pipefail

packages=(
  # toolchain
  g++ cmake make pkg-config ccache git clang-format lld
  # libraries
  libboost1.81-all-dev libssl-dev nlohmann-json3-dev libpqxx-dev
  libspdlog-dev libcli11-dev libtomlplusplus-dev libpugixml-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev libjemalloc-dev libre2-dev libsimdjson-dev
  libsodium-dev libp11-kit-dev
  # the libFuzzer targets (scripts/fuzz.sh): clang with its fuzzer runtime
  clang-14 libclang-rt-14-dev
)
if [ "${1:-}" != "--build" ]; then packages+=(
  # runtime tools: private PostgreSQL, dev PKI, demo client (curl, jq)
  postgresql-15 postgresql-client-15 openssl curl ca-certificates util-linux passwd jq
  # the web console's end-to-end test: Debian's Chromium, driven by Playwright;
  # promtool (in prometheus) checks /metrics and the sample alert rules
  chromium python3 prometheus
  # an independent SOAP stack for the SOAP adapter's tests (tests/soap/)
  python3-spyne python3-zeep
  # a PKCS#11 token for the tests of keys kept in an HSM (body keys, node keys)
  softhsm2
); fi
# Node.js for Playwright: Debian's, unless the machine already has one
# (e.g. NodeSource's, which Debian's nodejs package would conflict with).
if [ "${1:-}" != "--build" ] && { ! command -v node >/dev/null || ! command -v npm >/dev/null; }; then
  packages+=(nodejs npm)
fi
if [ "${1:-}" = "--bench" ]; then
  # the baseline (nginx as a TLS reverse proxy), the load generator, and
  # gnuplot for the cost-curve figure (bench/run.sh --curves), valgrind for
  # its instruction counts (--instructions)
  packages+=(nginx-light wrk gnuplot-nox valgrind)
fi
if [ "${1:-}" = "--cluster" ]; then
  # the site of docs/scaling.md on one machine: etcd for Patroni (which
  # talks to it through python3-etcd), Patroni, HAProxy in front of the nodes
  packages+=(etcd-server patroni python3-etcd haproxy)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
