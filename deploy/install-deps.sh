#!/usr/bin/env bash
# Installs, from Debian 12's archive, whatever greengate needs to build, test and run that is
# not installed yet. Safe to re-run; does nothing when everything is present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev libsqlite3-dev sqlite3 libeigen3-dev libgtest-dev libgmock-dev
  libcli11-dev nlohmann-json3-dev
  libcurl4-openssl-dev prometheus-cpp-dev prometheus prometheus-alertmanager
  python3 python3-numpy python3-scipy python3-yaml systemd
  libssl-dev chromium  # audit chain SHA-256 (libcrypto); headless check of the HTML report
  python3-grpcio python3-protobuf  # Python client test (tests/clients/python)
  openssl  # the CLI: throwaway TLS certificates in the auth tests
  python3-pandas  # bench/drift: the pandas.read_csv baselines
  python3-sklearn  # bench/replay_real: the digits data set and the classifier
  python3-statsmodels  # tests/core/gain/newcombe_reference.py: reference intervals
  clang libclang-rt-14-dev  # libFuzzer targets (tests/fuzz/run.sh); the main build is gcc
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js client test (tests/clients/node; npm ci from the npm registry): Debian's nodejs and
# npm, unless a Node.js with npm is already installed (e.g. from another source).
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
