#!/usr/bin/env bash
# Configures the one sanitizer tree (${ASAN_BUILD_DIR:-build-asan}) that tests/sanitize.sh and
# tests/fuzz/run.sh build in: clang with AddressSanitizer + UndefinedBehaviorSanitizer at
# -O1 -g1, every library with libFuzzer's coverage feedback, the test suite and the libFuzzer
# targets. One tree instead of two: each of our sources is compiled once for both checks (clang
# also compiles sanitized code about a third faster than gcc). The generated protobuf/gRPC code
# is not instrumented: when the main tree (${BUILD_DIR:-build}) is configured, its copy is
# brought up to date and linked rather than compiled again (proto/CMakeLists.txt).
# Sourced: sets SANITIZER_TREE to the tree's directory.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SANITIZER_TREE=${ASAN_BUILD_DIR:-build-asan}
cxx=$(command -v clang++-14 || command -v clang++ || true)
if [ -z "$cxx" ]; then
  echo "sanitizer tree: clang++ not found (Debian packages clang, libclang-rt-14-dev)" >&2
  exit 1
fi
main_dir=${BUILD_DIR:-build}
case $main_dir in /*) ;; *) main_dir=$PWD/$main_dir ;; esac
proto_from=""
if [ -e "$main_dir/build.ninja" ]; then
  cmake --build "$main_dir" -j "$(nproc)" --target greengate_proto greengate_health_proto >/dev/null
  proto_from=$main_dir
fi
cmake -S . -B "$SANITIZER_TREE" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$cxx" -DGREENGATE_SANITIZE=ON -DGREENGATE_FUZZ=ON \
  -DGREENGATE_BUILD_TESTS=ON -DGREENGATE_PROTO_FROM="$proto_from" \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" >/dev/null
