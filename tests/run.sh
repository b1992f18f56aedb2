#!/usr/bin/env bash
# The test command: installs what is missing, builds with -Wall -Wextra, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD_DIR=${BUILD_DIR:-build} BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
bash deploy/build.sh
cd "$BUILD_DIR"
ctest --output-on-failure -j "$(nproc)" --timeout 600
