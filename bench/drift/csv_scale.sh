#!/usr/bin/env bash
# bench/drift/csv_scale.sh: `greengate profile` (a reference: two passes) against
# pandas.read_csv + numpy histograms on the same CSV, at two sizes, to show throughput and
# that greengate's peak memory does not grow with the rows.
# Usage: bench/drift/csv_scale.sh [BUILD_DIR]   (needs greengate built there, /usr/bin/python3
# with numpy and pandas). Environment: ROWS_LARGE (1150000, ~1 GB of CSV: 100 numeric + 10
# categorical columns), ROWS_SMALL (ROWS_LARGE / 4), THREADS (0 = all hardware threads),
# REPEATS (3: each tool runs this many times, alternating, and the median run is reported),
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
repeats=${REPEATS:-3}

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
# median FILE: the median line of FILE's "wall cpu rss" lines, by wall time.
median() { sort -n "$1" | sed -n "$(( ($(wc -l <"$1") + 1) / 2 ))p"; }

echo "csv_scale on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
     "median of $repeats runs each"
for rows in "$small" "$large"; do
  csv=$work/data.csv
  $py "$bench_py" gencsv "$csv" "$rows"
  # Written back before timing: otherwise the first reader shares the CPU with the flush.
  sync "$csv"
  mb=$(($(stat -c %s "$csv") / 1000000))
  echo "== $rows rows x 110 columns, $mb MB"
  : >"$work/gg" && : >"$work/pd"
  for _ in $(seq "$repeats"); do
    run "$gg" profile --csv "$csv" --threads "$threads" --out "$work/ref.json"
    echo "$WALL_S $CPU_S $RSS_MB" >>"$work/gg"
    run "$py" "$bench_py" readcsv "$csv"
    echo "$WALL_S $CPU_S $RSS_MB" >>"$work/pd"
    pd_out=$OUT
  done
  read -r gg_wall gg_cpu gg_rss < <(median "$work/gg")
  read -r pd_wall pd_cpu pd_rss < <(median "$work/pd")
  echo "  greengate profile (reference, 2 passes): ${gg_wall} s wall, ${gg_cpu} s CPU," \
       "$(rate "$rows" "$gg_wall") rows/s, peak RSS ${gg_rss} MB (walls: $(cut -d' ' -f1 "$work/gg" | xargs))"
  echo "  pandas.read_csv + numpy histograms: ${pd_wall} s wall, ${pd_cpu} s CPU," \
       "$(rate "$rows" "$pd_wall") rows/s, peak RSS ${pd_rss} MB (walls: $(cut -d' ' -f1 "$work/pd" | xargs); $pd_out)"
  echo "  ratios: rows/s $(ratio "$pd_wall" "$gg_wall")x, CPU $(ratio "$pd_cpu" "$gg_cpu")x," \
       "memory $(ratio "$pd_rss" "$gg_rss")x"
  rm -f "$csv" "$work/ref.json"
done
