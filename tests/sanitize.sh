#!/usr/bin/env bash
# The test suite under AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer:
# a second build with -DGREENGATE_SANITIZE=ON in ${ASAN_BUILD_DIR:-build-asan}, then ctest.
# Any report fails the test that triggered it (UB aborts: -fno-sanitize-recover).
#
# Left out under the sanitizers, because they exercise external programs rather than our
# code and are the slowest tests (their greengate side is code the other tests run too): the
# real Alertmanager and Prometheus (AlertmanagerTest.*, PrometheusTest.*), the headless
# Chromium check of the HTML report (GovernanceEndToEndTest.ReportRendersInChromium*), and
# the checks that run no C++ (deploy manifests, promtool and amtool configs).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${ASAN_BUILD_DIR:-build-asan}
# Set before building too: gtest_discover_tests runs the test executables at build time.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# -O1 -g1: a sanitized build compiles about twice as slowly; line tables are all reports need.
# The generated protobuf/gRPC code is not instrumented: when the main tree (${BUILD_DIR:-build},
# built first by tests/run.sh) is configured, its copy is brought up to date and linked rather
# than compiled again here (proto/CMakeLists.txt).
main_dir=${BUILD_DIR:-build}
case $main_dir in /*) ;; *) main_dir=$PWD/$main_dir ;; esac
proto_from=""
if [ -e "$main_dir/build.ninja" ]; then
  cmake --build "$main_dir" -j "$(nproc)" --target greengate_proto greengate_health_proto >/dev/null
  proto_from=$main_dir
fi
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGREENGATE_SANITIZE=ON \
  -DGREENGATE_BUILD_TESTS=ON -DGREENGATE_PROTO_FROM="$proto_from" \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)" --timeout 900 \
  -E '^(AlertmanagerTest\.|PrometheusTest\.|GovernanceEndToEndTest\.ReportRendersInChromium)|^(deploy_manifests|prometheus_.*|alertmanager_config)$'
