#!/usr/bin/env bash
# Configures and builds greengate into ${BUILD_DIR:-build} (RelWithDebInfo — optimised, with
# symbols — unless BUILD_TYPE says otherwise), after installing the missing packages.
# BUILD_TESTS=OFF (deploy/demo.sh) installs only the build and runtime packages and builds only
# greengate-server and the `greengate` CLI; by default (ON) everything, tests included, is.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
build_tests=${BUILD_TESTS:-ON}
case $build_tests in
  ON) bash deploy/install-deps.sh test; targets=(all) ;;
  OFF) bash deploy/install-deps.sh build; targets=(greengate-server greengate) ;;
  *) echo "BUILD_TESTS must be ON or OFF, not '$build_tests'" >&2; exit 2 ;;
esac
# A tree already configured with its tests (a developer's) keeps them, so the demo does not
# take a test suite away from ctest; it still builds only the two binaries.
configure_tests=$build_tests
if grep -qx 'GREENGATE_BUILD_TESTS:BOOL=ON' "$build_dir/CMakeCache.txt" 2>/dev/null; then
  configure_tests=ON
fi
# DEBUG_FLAGS, when set, replaces RelWithDebInfo's "-O2 -g -DNDEBUG" (tests/run.sh: line tables
# only, which compile in about two thirds of the time of full debug information).
flags=()
if [ -n "${DEBUG_FLAGS:-}" ]; then flags+=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$DEBUG_FLAGS"); fi
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DGREENGATE_BUILD_TESTS="$configure_tests" "${flags[@]}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]}"
