#!/usr/bin/env bash
# The load figures of docs/performance.md: each configuration run REPEAT times (default 3) against a
# fresh greengate-server, the median of each figure printed at the end.
#
#   ninja -C build load_bench greengate-server
#   bench/load/run.sh build
#
# Environment: REPEAT (3), DURATION_S (10), WARMUP_S (2), CONCURRENCY (64), MODELS (16).
set -euo pipefail

BUILD=${1:-build}
BENCH="$BUILD/bench/load_bench"
SERVER="$BUILD/server/greengate-server"
REPEAT=${REPEAT:-3}
DURATION_S=${DURATION_S:-10}
WARMUP_S=${WARMUP_S:-2}
CONCURRENCY=${CONCURRENCY:-64}
MODELS=${MODELS:-16}
for f in "$BENCH" "$SERVER"; do
  [[ -x "$f" ]] || { echo "missing $f: ninja -C $BUILD load_bench greengate-server" >&2; exit 1; }
done

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "database: $(df -T /tmp | awk 'NR==2 {print $2}') under /tmp"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# run NAME ARGS...: REPEAT runs; keeps the RESULT lines in $OUT/NAME.
OUT=$(mktemp -d /tmp/gg-load-results-XXXXXX)
run() {
  local name=$1
  shift
  for ((i = 1; i <= REPEAT; i++)); do
    "$BENCH" --server_binary="$SERVER" --duration_s="$DURATION_S" --warmup_s="$WARMUP_S" "$@" |
      tee -a "$OUT/$name.log" | grep '^RESULT' >> "$OUT/$name"
  done
}

# median FILE KEY: the median of KEY=value over the RESULT lines in FILE.
median() {
  grep -o " $2=[-0-9.]*" "$1" | cut -d= -f2 | sort -g |
    awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

summary() {
  local name=$1
  printf '%-34s %10s %9s %9s %11s %9s %8s %6s\n' "$name" "$(median "$OUT/$name" decisions_per_s)" \
    "$(median "$OUT/$name" p50_ms)" "$(median "$OUT/$name" p99_ms)" \
    "$(median "$OUT/$name" server_cpu_us)" "$(median "$OUT/$name" parse_us)" \
    "$(median "$OUT/$name" errors)" "$(median "$OUT/$name" load)"
}

run light-1-model --workload=light --models=1 --concurrency="$CONCURRENCY"
run "light-$MODELS-models" --workload=light --models="$MODELS" --concurrency="$CONCURRENCY"
run "heavy-$MODELS-models" --workload=heavy --models="$MODELS" --concurrency=16
# The latency target is at half the closed-loop rate, sent open loop.
HALF=$(median "$OUT/light-$MODELS-models" decisions_per_s | awk '{printf "%d", $1 / 2}')
run "light-$MODELS-models-open-$HALF" --workload=light --models="$MODELS" --rate="$HALF"

echo
echo "medians of $REPEAT runs (logs in $OUT)"
printf '%-34s %10s %9s %9s %11s %9s %8s %6s\n' configuration decisions/s p50_ms p99_ms \
  server_us/dec parse_us errors load
for name in light-1-model "light-$MODELS-models" "heavy-$MODELS-models" \
  "light-$MODELS-models-open-$HALF"; do
  summary "$name"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
