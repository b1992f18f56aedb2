#!/usr/bin/env bash
# Configures and builds greengate into ${BUILD_DIR:-build} (RelWithDebInfo — optimised, with symbols — unless BUILD_TYPE says
# otherwise). Installs missing packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
