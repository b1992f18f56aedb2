#!/usr/bin/env bash
# The test command: installs what is missing, builds with -Wall -Wextra, checks the C++
# formatting (tests/format_check.sh), runs every test; then the test suite again under ASan +
# UBSan (tests/sanitize.sh) and each libFuzzer target for a bounded time (tests/fuzz/run.sh),
# both in one clang tree, build-asan (tests/sanitizer_tree.sh). GG_SANITIZE=0 or GG_FUZZ=0
# skips those two steps on a developer's machine; CI runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD_DIR=${BUILD_DIR:-build} BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo}
# Optimised as deployed, with line tables rather than full debug information: all a test
# failure's backtrace needs, and a third less compile time on a cold machine.
export DEBUG_FLAGS=${DEBUG_FLAGS:--O2 -g1 -DNDEBUG}
bash deploy/build.sh
# Any C++ file that differs from .clang-format fails CI (tests/format_check.sh says how to fix it).
bash tests/format_check.sh
(cd "$BUILD_DIR" && ctest --output-on-failure -j "$(nproc)" --timeout 600)
if [ "${GG_SANITIZE:-1}" != 0 ]; then bash tests/sanitize.sh; fi
if [ "${GG_FUZZ:-1}" != 0 ]; then bash tests/fuzz/run.sh; fi
