#!/usr/bin/env bash
# The main job: greengate-server on its embedded SQLite database, and a demo pipeline that
# calls it through the `greengate` CLI the way an Airflow or CI step would: register a churn
# model, set its reference from the bundled training data, then ask ShouldRetrain for an
# undrifted and a drifted batch of new data and print both decisions. It installs only the
# build and runtime packages and builds only the two binaries (tests/run.sh builds the rest).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_TESTS=OFF bash deploy/build.sh >/dev/null

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

build/server/greengate-server --listen=127.0.0.1:0 --db="$work/greengate.db" \
  --port_file="$work/port" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "server did not start:"; cat "$work/server.log"; exit 1; }
export GREENGATE_SERVER="127.0.0.1:$(cat "$work/port")"
echo "greengate-server listening on $GREENGATE_SERVER (database $work/greengate.db)"

gg=build/client/greengate
data=deploy/demo/data
step() { echo; echo "\$ greengate $*"; "$gg" "$@"; }

step register --model churn --version 2026-11-01 --display-name "Customer churn" \
  --task binary-classification
step profile --csv "$data/reference.csv" --out "$work/reference.json"
step set-reference --model churn --profile "$work/reference.json" --accuracy 0.912 \
  --evaluation-rows 4000
step set-policy --model churn --min-gain 0.01 --min-gain-points-per-kwh 0.1 \
  --cooldown-hours 24 --energy-budget-kwh 200
for batch in undrifted drifted; do
  step profile --model churn --csv "$data/$batch.csv" --out "$work/$batch.json"
done

plan=(--accelerator nvidia-a100-40gb --accelerators 1 --cpu-cores 8 --memory-gb 64 --hours 3
      --region FR --provider gcp)
ask() {  # batch, labeled rows, labeled correct
  echo
  echo "=== ShouldRetrain on the $1 batch"
  set +e
  step should-retrain --model churn --profile "$work/$1.json" --labeled-rows "$2" \
    --labeled-correct "$3" "${plan[@]}"
  local code=$?
  set -e
  case $code in
    0) echo "-> exit 0: the pipeline would retrain now" ;;
    10) echo "-> exit 10: the pipeline skips retraining (rejected)" ;;
    11) echo "-> exit 11: the pipeline retries later (deferred)" ;;
    *) echo "-> exit $code: error"; exit "$code" ;;
  esac
}
ask undrifted 1200 1090
ask drifted 1200 1008

step decisions --model churn
