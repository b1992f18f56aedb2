#!/usr/bin/env bash
# bench/drift: scipy/numpy and greengate on identical data in one run, with ratios.
# Usage: bench/drift/run.sh [BUILD_DIR]   (default: build; needs drift_bench, greengate and
# greengate-server built there, and /usr/bin/python3 with numpy and scipy; pandas optional).
# Environment: ROWS (100000), KS_FEATURES (5), HIST_FEATURES (100), MMD_ROWS (2000),
# MMD_DIMS (100), PERMS (100), THREADS (2), E2E_ROWS (100000), SKIP_MMD and SKIP_E2E (unset),
# ONLY_E2E (unset: set, only the end-to-end section runs), PROFILE_EXT (pb: binary profile
# files; json for JSON ones).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
py=/usr/bin/python3
bench_py=$root/bench/drift/bench.py
drift_bench=$build/bench/drift_bench
gg=$build/client/greengate
server=$build/server/greengate-server
rows=${ROWS:-100000}
ks_features=${KS_FEATURES:-5}
hist_features=${HIST_FEATURES:-100}
mmd_rows=${MMD_ROWS:-2000}
mmd_dims=${MMD_DIMS:-100}
perms=${PERMS:-100}
threads=${THREADS:-2}
e2e_rows=${E2E_ROWS:-100000}
ext=${PROFILE_EXT:-pb}

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# run LABEL CMD...: runs CMD under /usr/bin/time; sets OUT (stdout) and RSS_MB (peak RSS).
run() {
  local label=$1
  shift
  /usr/bin/time -f "%U %S %M" -o "$work/rss" "$@" >"$work/out"
  OUT=$(cat "$work/out")
  RSS_MB=$(tail -n 1 "$work/rss" | awk '{printf "%.0f", $3 / 1024}')
  CPU_MS=$(tail -n 1 "$work/rss" | awk '{printf "%.0f", ($1 + $2) * 1000}')
  echo "  $label: $OUT (process CPU ${CPU_MS} ms, peak RSS ${RSS_MB} MB)"
}
kv() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

echo "bench/drift on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); rows=$rows"
echo "generating data in $work ..."
$py "$bench_py" gen "$work" "$ks_features" "$hist_features" "$rows" "$mmd_rows" "$mmd_dims"

if [[ -z ${ONLY_E2E:-} ]]; then
echo
echo "== KS, $rows vs $rows per feature ($ks_features features); times are thread CPU time"
run scipy $py "$bench_py" ks "$work" "$ks_features" "$rows"
py_ks=$(kv "$OUT" ks_ms_per_feature)
py_sort=$(kv "$OUT" sort_ms_per_feature)
run greengate "$drift_bench" ks "$work/ks_ref.f64" "$work/ks_cur.f64" "$ks_features" "$rows"
gg_ks=$(kv "$OUT" ks_ms_per_feature)
gg_sort=$(kv "$OUT" sort_ms_per_feature)
echo "  scipy ks_2samp ${py_ks} ms/feature; greengate KS ${gg_ks} ms/feature:" \
     "$(ratio "$py_ks" "$gg_ks")x faster; one std::sort of the new sample ${gg_sort} ms" \
     "(KS = $(ratio "$gg_ks" "$gg_sort")x a sort; numpy.sort ${py_sort} ms)"

echo
echo "== KS and Wasserstein from two profiles, $hist_features features x $rows rows a side," \
     "per feature: on the reference's 1,000-bin grid (all rows) against the same profiles'" \
     "2,000-value samples; the p-value on the true sizes against scipy's kstwo.sf"
run scipy $py "$bench_py" kstwo "$hist_features" "$rows"
py_kstwo=$(kv "$OUT" kstwo_ms_per_feature)
run greengate "$drift_bench" profile-tests "$hist_features" "$rows"
echo "  KS: grid $(kv "$OUT" grid_ks_ms) ms, sample $(kv "$OUT" sample_ks_ms) ms" \
     "(grid $(kv "$OUT" ks_ratio)x the sample's speed); Wasserstein: grid $(kv "$OUT" grid_w1_ms) ms," \
     "sample $(kv "$OUT" sample_w1_ms) ms ($(kv "$OUT" w1_ratio)x); the p-value alone:" \
     "scipy ${py_kstwo} ms, greengate $(kv "$OUT" kstwo_ms): $(ratio "$py_kstwo" "$(kv "$OUT" kstwo_ms)")x faster"

echo
echo "== Wasserstein + PSI + JS, $hist_features features x $rows rows"
run scipy/numpy $py "$bench_py" hist "$work" "$hist_features" "$rows" 10
py_hist=$(kv "$OUT" hist_total_ms)
run greengate "$drift_bench" hist "$work/hist_ref.f64" "$work/hist_cur.f64" "$hist_features" "$rows" 10
gg_hist=$(kv "$OUT" hist_total_ms)
echo "  scipy/numpy ${py_hist} ms; greengate ${gg_hist} ms: $(ratio "$py_hist" "$gg_hist")x faster"

if [[ -z ${SKIP_MMD:-} ]]; then
echo
echo "== MMD, $mmd_rows vs $mmd_rows rows x $mmd_dims dims, $perms permutations"
run numpy-alibi $py "$bench_py" mmd "$work" "$mmd_rows" "$mmd_dims" "$perms"
py_mmd=$(kv "$OUT" mmd_ms)
py_mmd_cpu=$(kv "$OUT" mmd_cpu_ms)
py_mmd_rss=$RSS_MB
run greengate "$drift_bench" mmd "$work/mmd_ref.f64" "$work/mmd_cur.f64" "$mmd_rows" "$mmd_dims" "$perms" "$threads"
gg_mmd=$(kv "$OUT" mmd_ms)
gg_mmd_cpu=$(kv "$OUT" mmd_cpu_ms)
gg_mmd_rss=$RSS_MB
echo "  numpy (alibi's algorithm) ${py_mmd} ms wall / ${py_mmd_cpu} ms CPU, ${py_mmd_rss} MB;" \
     "greengate ${gg_mmd} ms wall / ${gg_mmd_cpu} ms CPU, ${gg_mmd_rss} MB:" \
     "$(ratio "$py_mmd" "$gg_mmd")x faster (wall), $(ratio "$py_mmd_cpu" "$gg_mmd_cpu")x less CPU," \
     "$(ratio "$py_mmd_rss" "$gg_mmd_rss")x less memory"
fi

fi  # ONLY_E2E

if [[ -n ${SKIP_E2E:-} ]]; then exit 0; fi
echo
echo "== End to end: $e2e_rows rows x (100 numeric + 10 categorical), reference vs current CSV" \
     "(profiles as .$ext files)"
$py "$bench_py" csv "$work" "$e2e_rows"
ls -l "$work"/reference.csv "$work"/current.csv | awk '{ printf "  %s %.0f MB\n", $9, $5 / 1e6 }'
run numpy/scipy $py "$bench_py" e2e "$work"
py_e2e=$(kv "$OUT" e2e_ms)
py_e2e_cpu=$CPU_MS
py_e2e_rss=$RSS_MB

"$server" --listen=127.0.0.1:0 --db="$work/gg.db" --port_file="$work/port" --metrics_listen= \
  2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.1; done
export GREENGATE_SERVER="127.0.0.1:$(cat "$work/port")"
"$gg" register --model bench --version v1 --task binary-classification >/dev/null
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1000 / hz }' "/proc/$server_pid/stat"; }
server_cpu0=$(server_cpu)
cli_cpu=0
# Wall time is the sum of the steps' own times, each taken around its command alone: the
# script's bookkeeping between steps (a dozen small processes) is not greengate's time.
wall_ms=0
max_rss=0
step() {
  local label=$1
  shift
  local t0=${EPOCHREALTIME/./}  # microseconds, without starting a process
  set +e
  /usr/bin/time -f "%U %S %M" -o "$work/rss" "$@" >"$work/out" 2>&1
  local code=$?
  set -e
  local ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
  wall_ms=$((wall_ms + ms))
  if [[ $code -ne 0 && $code -ne 10 && $code -ne 11 ]]; then cat "$work/out"; exit 1; fi
  local rss cpu
  rss=$(tail -n 1 "$work/rss" | awk '{print $3}')
  cpu=$(tail -n 1 "$work/rss" | awk '{printf "%.0f", ($1 + $2) * 1000}')
  ((rss > max_rss)) && max_rss=$rss
  cli_cpu=$((cli_cpu + cpu))
  echo "  greengate $label: ${ms} ms wall, ${cpu} ms CPU, exit $code, peak RSS $((rss / 1024)) MB"
}
step "profile (reference)" "$gg" profile --csv "$work/reference.csv" --out "$work/ref.$ext"
step set-reference "$gg" set-reference --model bench --profile "$work/ref.$ext" --accuracy 0.9 \
  --evaluation-rows 1000
ref_steps_wall=$wall_ms
ref_steps_cli_cpu=$cli_cpu
ref_steps_server_cpu=$(($(server_cpu) - server_cpu0))
step "profile (current)" "$gg" profile --model bench --csv "$work/current.csv" --out "$work/cur.$ext"
step should-retrain "$gg" should-retrain --model bench --profile "$work/cur.$ext" \
  --accelerator nvidia-a100-40gb --accelerators 1 --cpu-cores 8 --memory-gb 64 --hours 1 \
  --region FR --provider gcp --json
gg_e2e=$wall_ms
gg_e2e_cpu=$((cli_cpu + $(server_cpu) - server_cpu0))
server_rss=$(awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status")
drifted=$("$py" -c "import json,sys; d=json.load(open('$work/out')); print(d.get('drift', {}).get('drifted_features', 0))" 2>/dev/null || echo "?")
gg_rss=$(( (max_rss > server_rss ? max_rss : server_rss) / 1024 ))
echo "  numpy/scipy ${py_e2e} ms wall (${py_e2e_cpu} ms CPU), ${py_e2e_rss} MB; greengate" \
     "${gg_e2e} ms wall (${gg_e2e_cpu} ms CPU: CLI + server) for profile of both CSVs +" \
     "SetReference + ShouldRetrain, peak ${gg_rss} MB (largest process; server ${server_rss} kB)," \
     "drifted features ${drifted}"
echo "  ratios: wall $(ratio "$py_e2e" "$gg_e2e")x, CPU $(ratio "$py_e2e_cpu" "$gg_e2e_cpu")x," \
     "memory $(ratio "$py_e2e_rss" "$gg_rss")x"

# The same decision in one step: should-retrain --csv profiles the current CSV itself (no
# profile file, one process instead of two). The reference steps are those measured above.
ref_steps_ms=$ref_steps_wall
ref_steps_cpu=$ref_steps_cli_cpu
server_before=$(server_cpu)
cli_cpu=0
wall_ms=0
step "should-retrain --csv" "$gg" should-retrain --model bench --csv "$work/current.csv" \
  --accelerator nvidia-a100-40gb --accelerators 1 --cpu-cores 8 --memory-gb 64 --hours 1 \
  --region FR --provider gcp --json
one_ms=$wall_ms
one_cpu=$((cli_cpu + $(server_cpu) - server_before))
flow3_ms=$((ref_steps_ms + one_ms))
flow3_cpu=$((ref_steps_cpu + ref_steps_server_cpu + one_cpu))
echo "  with should-retrain --csv instead of profile --model + should-retrain --profile:" \
     "${flow3_ms} ms wall, ${flow3_cpu} ms CPU (the reference steps above + ${one_ms} ms wall," \
     "${one_cpu} ms CPU); ratios: wall $(ratio "$py_e2e" "$flow3_ms")x, CPU" \
     "$(ratio "$py_e2e_cpu" "$flow3_cpu")x"

# Two steps: set-reference --csv profiles the reference CSV itself too (a second model, so the
# first one's reference and decisions stay as they are).
"$gg" register --model bench2 --version v1 --task binary-classification >/dev/null
server_before=$(server_cpu)
cli_cpu=0
wall_ms=0
step "set-reference --csv" "$gg" set-reference --model bench2 --csv "$work/reference.csv" \
  --accuracy 0.9 --evaluation-rows 1000
step "should-retrain --csv" "$gg" should-retrain --model bench2 --csv "$work/current.csv" \
  --accelerator nvidia-a100-40gb --accelerators 1 --cpu-cores 8 --memory-gb 64 --hours 1 \
  --region FR --provider gcp --json
flow2_ms=$wall_ms
flow2_cpu=$((cli_cpu + $(server_cpu) - server_before))
echo "  in two steps (set-reference --csv, should-retrain --csv): ${flow2_ms} ms wall," \
     "${flow2_cpu} ms CPU; ratios: wall $(ratio "$py_e2e" "$flow2_ms")x, CPU" \
     "$(ratio "$py_e2e_cpu" "$flow2_cpu")x"
