#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz in the sanitizer tree (clang, ASan + UBSan +
# libFuzzer's coverage: tests/sanitizer_tree.sh, ${ASAN_BUILD_DIR:-build-asan}) and runs each
# for ${FUZZ_SECONDS:-30} seconds, ${FUZZ_JOBS:-nproc} targets at a time, starting from its
# committed seed corpus (tests/fuzz/corpus/<target>/, which also holds every input that once
# crashed, as a regression test). New inputs go to the build directory, never the repo. Prints the inputs each target ran; exits non-zero, with the input
# saved under <build>/fuzz-artifacts/, on a crash, sanitizer report, leak or timeout.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-30}
# The sanitizer tree (tests/sanitizer_tree.sh): after tests/sanitize.sh it is built already.
source tests/sanitizer_tree.sh
build_dir=$SANITIZER_TREE
cmake --build "$build_dir" -j "$(nproc)" --target fuzzers

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
mkdir -p "$build_dir/fuzz-artifacts"

# One target: runs it and leaves its outcome in <log>.ok or <log>.failed.
fuzz_one() {
  local bin=$1 name seeds work log
  name=$(basename "$bin")
  seeds=tests/fuzz/corpus/${name%_fuzzer}
  work=$build_dir/fuzz-corpus/$name
  log=$build_dir/fuzz-artifacts/$name.log
  mkdir -p "$work"
  rm -f "$log.ok" "$log.failed"
  # -timeout: seconds one input may take; -rss_limit_mb: memory of the whole process.
  if "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
       -artifact_prefix="$build_dir/fuzz-artifacts/$name-" "$work" "$seeds" >"$log" 2>&1; then
    touch "$log.ok"
  else
    touch "$log.failed"
  fi
}

# Each target is single-threaded: run ${FUZZ_JOBS:-nproc} of them at a time, so each still
# gets a core for its full ${seconds} s while the whole step takes less wall time.
jobs=${FUZZ_JOBS:-$(nproc)}
bins=("$build_dir"/tests/fuzz/*_fuzzer)
for bin in "${bins[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  fuzz_one "$bin" &
done
wait

status=0
for bin in "${bins[@]}"; do
  name=$(basename "$bin")
  log=$build_dir/fuzz-artifacts/$name.log
  if [ -e "$log.ok" ]; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz: $name: ${runs:-?} inputs in ${seconds} s, no crash"
  else
    echo "fuzz: $name FAILED (log $log):" >&2
    grep -v '^#[0-9]' "$log" | tail -n 60 >&2
    status=1
  fi
done
exit $status
