#!/usr/bin/env bash
# Installs, from Debian 12's archive, whatever greengate needs that is not installed yet. Safe
# to re-run; does nothing when everything is present.
#
#   bash deploy/install-deps.sh build   what greengate-server and the `greengate` CLI need to
#                                       build and run (deploy/demo.sh)
#   bash deploy/install-deps.sh [test]  that plus everything the test suite, the sanitizer and
#                                       fuzz builds, the format check and the benchmarks use
#                                       (tests/run.sh, the Dockerfile's build stage)
set -euo pipefail
set_name=${1:-test}
case $set_name in
  build | test) ;;
  *) echo "usage: $0 [build|test]" >&2; exit 2 ;;
esac

# Build and runtime: the compiler and build tools, and the libraries the two binaries link.
packages=(
  build-essential cmake ninja-build pkg-config ccache
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev libsqlite3-dev libeigen3-dev
  libcli11-dev nlohmann-json3-dev
  libcurl4-openssl-dev prometheus-cpp-dev
  libssl-dev  # audit chain SHA-256 (libcrypto)
)

# Tests only.
test_packages=(
  libgtest-dev libgmock-dev sqlite3
  prometheus prometheus-alertmanager  # the real Prometheus and Alertmanager; promtool, amtool
  python3 python3-numpy python3-scipy python3-yaml systemd
  chromium  # headless check of the HTML report
  python3-grpcio python3-protobuf  # Python client test (tests/clients/python)
  openssl  # the CLI: throwaway TLS certificates in the auth tests
  python3-pandas  # bench/drift: the pandas.read_csv baselines
  # The greengate Python package (client/python): its extension module, installing it into a
  # venv offline, its tests (Dask on a LocalCluster) and bench/python.
  python3-dev pybind11-dev python3-venv python3-pip python3-setuptools python3-pytest
  python3-dask python3-distributed
  python3-sklearn  # bench/replay_real: the digits data set and the classifier
  python3-statsmodels  # tests/core/gain/newcombe_reference.py: reference intervals
  clang libclang-rt-14-dev  # libFuzzer targets (tests/fuzz/run.sh); the main build is gcc
  clang-format  # tests/format_check.sh
)

wanted=("${packages[@]}")
if [ "$set_name" = test ]; then wanted+=("${test_packages[@]}"); fi
missing=()
for p in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js client test (tests/clients/node; npm ci from the npm registry): Debian's nodejs and
# npm, unless a Node.js with npm is already installed (e.g. from another source).
if [ "$set_name" = test ] && ! command -v npm >/dev/null 2>&1; then
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
