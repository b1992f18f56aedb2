#!/usr/bin/env bash
# bench/drift/csv_scale.sh: `greengate profile` (a reference: two passes) against
# pandas.read_csv + numpy histograms on the same CSV, at two sizes, to show throughput and
# that greengate's peak memory does not grow with the rows.
# Usage: bench/drift/csv_scale.sh [BUILD_DIR]   (needs greengate built there, /usr/bin/python3
# with numpy and pandas). Environment: ROWS_LARGE (1150000, ~1 GB of CSV: 100 numeric + 10
# categorical columns), ROWS_SMALL (ROWS_LARGE / 4), THREADS (0 = all hardware threads),
# TMPDIR (where the CSVs are written; they are deleted at exit).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
py=/usr/bin/python3
bench_py=$root/bench/drift/bench.py
gg=$build/client/greengate
large=${ROWS_LARGE:-1150000}
small=${ROWS_SMALL:-$((large / 4))}
threads=${THREADS:-0}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run CMD...: runs CMD under /usr/bin/time; sets WALL_S, CPU_S, RSS_MB and OUT.
run() {
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" ||
    { cat "$work/err"; exit 1; }
  OUT=$(cat "$work/out")
  read -r WALL_S user sys rss_kb <"$work/time"
  CPU_S=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  RSS_MB=$((rss_kb / 1024))
}
rate() { awk -v r="$1" -v s="$2" 'BEGIN { printf "%.0f", r / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

echo "csv_scale on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for rows in "$small" "$large"; do
  csv=$work/data.csv
  $py "$bench_py" gencsv "$csv" "$rows"
  mb=$(($(stat -c %s "$csv") / 1000000))
  echo "== $rows rows x 110 columns, $mb MB"
  run "$gg" profile --csv "$csv" --threads "$threads" --out "$work/ref.json"
  gg_wall=$WALL_S gg_cpu=$CPU_S gg_rss=$RSS_MB
  echo "  greengate profile (reference, 2 passes): ${gg_wall} s wall, ${gg_cpu} s CPU," \
       "$(rate "$rows" "$gg_wall") rows/s, peak RSS ${gg_rss} MB"
  run "$py" "$bench_py" readcsv "$csv"
  echo "  pandas.read_csv + numpy histograms: ${WALL_S} s wall, ${CPU_S} s CPU," \
       "$(rate "$rows" "$WALL_S") rows/s, peak RSS ${RSS_MB} MB ($OUT)"
  echo "  ratios: rows/s $(ratio "$WALL_S" "$gg_wall")x, CPU $(ratio "$CPU_S" "$gg_cpu")x," \
       "memory $(ratio "$RSS_MB" "$gg_rss")x"
  rm -f "$csv" "$work/ref.json"
done
