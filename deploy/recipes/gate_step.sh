#!/usr/bin/env bash
# A CI or cron step that retrains only when greengate approves, then reports the outcome.
#
# Usage: gate_step.sh --train 'COMMAND' [--emissions FILE] [--accuracy-file FILE]
#                     -- SHOULD_RETRAIN_FLAGS...
#
#   --train          run (with bash -c) on APPROVE, with GREENGATE_DECISION=decisions/ID in
#                    its environment; it trains under CodeCarbon, which writes --emissions,
#                    and writes the new model's accuracy (0..1) to --accuracy-file
#   --emissions      CodeCarbon's emissions.csv (default: ./emissions.csv)
#   --accuracy-file  default: ./accuracy.txt
#   after --         `greengate should-retrain` flags (--model, --profile, the job...)
#
# The CLI's exit code carries the verdict: 0 APPROVE, 10 REJECT, 11 DEFER; anything else is
# an error (1, or 2 for bad flags). REJECT and DEFER end this step successfully without
# training (DEFER prints when a retry is worthwhile); an error fails it, so a pipeline never
# retrains on an unknown answer. Prints "verdict=..." and "decision=..." lines (append them
# to $GITHUB_OUTPUT or similar to branch later steps).
# Environment: GREENGATE_SERVER (host:port), GREENGATE_CLI (default: greengate on PATH).
set -euo pipefail

gg=${GREENGATE_CLI:-greengate}
train="" emissions=emissions.csv accuracy_file=accuracy.txt
while [ $# -gt 0 ]; do
  case $1 in
    --train) train=$2; shift 2 ;;
    --emissions) emissions=$2; shift 2 ;;
    --accuracy-file) accuracy_file=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "gate_step.sh: unknown flag $1 (should-retrain flags go after --)" >&2; exit 2 ;;
  esac
done
[ -n "$train" ] || { echo "gate_step.sh: --train COMMAND is required" >&2; exit 2; }

decision_json=$(mktemp)
trap 'rm -f "$decision_json"' EXIT
set +e
"$gg" --json should-retrain "$@" >"$decision_json"
code=$?
set -e
# The decision's own name is the only "decisions/..." value in its JSON.
decision=$(grep -o '"decisions/[^"]*"' "$decision_json" | head -n1 | tr -d '"' || true)
reason=$(sed -n 's/^ *"reason": "\(.*\)",$/\1/p' "$decision_json" | head -n1)

case $code in
  0)
    echo "verdict=APPROVE"
    echo "decision=$decision"
    echo "greengate approved: $reason" >&2
    GREENGATE_DECISION=$decision bash -c "$train"
    if [ ! -s "$accuracy_file" ]; then
      echo "gate_step.sh: training wrote no $accuracy_file" >&2
      exit 1
    fi
    "$gg" report-outcome --decision "$decision" --codecarbon "$emissions" \
      --accuracy-after "$(tr -d '[:space:]' <"$accuracy_file")" >&2
    ;;
  10)
    echo "verdict=REJECT"
    echo "decision=$decision"
    echo "greengate rejected retraining: $reason" >&2
    ;;
  11)
    retry=$(sed -n 's/^ *"retry_after": "\(.*\)",*$/\1/p' "$decision_json" | head -n1)
    echo "verdict=DEFER"
    echo "decision=$decision"
    echo "greengate deferred retraining: $reason${retry:+ (retry after $retry)}" >&2
    ;;
  *)
    echo "gate_step.sh: greengate failed (exit $code); not retraining" >&2
    exit "$code"
    ;;
esac
