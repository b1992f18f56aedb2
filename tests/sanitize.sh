#!/usr/bin/env bash
# The test suite under AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer:
# a second build, clang with -DGREENGATE_SANITIZE=ON in ${ASAN_BUILD_DIR:-build-asan} (the tree
# tests/fuzz/run.sh builds its targets in too, see tests/sanitizer_tree.sh), then ctest.
# Any report fails the test that triggered it (UB aborts: -fno-sanitize-recover).
#
# Left out under the sanitizers, because they exercise external programs rather than our
# code and are the slowest tests (their greengate side is code the other tests run too): the
# real Alertmanager and Prometheus (AlertmanagerTest.*, PrometheusTest.*), the headless
# Chromium check of the HTML report (GovernanceEndToEndTest.ReportRendersInChromium*), and
# the checks that run no C++ (deploy manifests, promtool and amtool configs).
set -euo pipefail
cd "$(dirname "$0")/.."
# Set before building too: gtest_discover_tests runs the test executables at build time.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# clang, -O1 -g1, the generated code linked from the main tree: tests/sanitizer_tree.sh.
source tests/sanitizer_tree.sh
build_dir=$SANITIZER_TREE
cmake --build "$build_dir" -j "$(nproc)"
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)" --timeout 900 \
  -E '^(AlertmanagerTest\.|PrometheusTest\.|GovernanceEndToEndTest\.ReportRendersInChromium)|^(deploy_manifests|prometheus_.*|alertmanager_config)$'
