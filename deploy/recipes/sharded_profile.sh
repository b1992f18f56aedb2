#!/usr/bin/env bash
# Profiles a large CSV as N shards in parallel, then merges the shard profiles into the
# profile of the whole file (`greengate profile --model` per shard, `greengate profile merge`).
#
# Usage: sharded_profile.sh --model ID --csv FILE --out FILE [--shards N] [--jobs J] [--seed S]
#
# Current profiles only (--model): every shard is counted on the model's reference bin edges,
# so counts, missing values, bin counts, min and max of the merge equal a single pass exactly,
# means and m2 to rounding, and the merged reservoir is a uniform sample of the whole file
# (shard i uses seed S+i). A reference profile needs quantile edges of the whole data and is
# not made this way. The file is split on line boundaries: it must not have quoted fields
# with line breaks. Environment: GREENGATE_SERVER, GREENGATE_CLI (default: greengate).
set -euo pipefail

gg=${GREENGATE_CLI:-greengate}
model="" csv="" out="" shards=4 jobs=$(nproc) seed=1
while [ $# -gt 0 ]; do
  case $1 in
    --model) model=$2; shift 2 ;;
    --csv) csv=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "sharded_profile.sh: unknown flag $1" >&2; exit 2 ;;
  esac
done
if [ -z "$model" ] || [ -z "$csv" ] || [ -z "$out" ] || ! [ "$shards" -ge 2 ] 2>/dev/null; then
  echo "usage: sharded_profile.sh --model ID --csv FILE --out FILE [--shards N>=2] [--jobs J]" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
header=$(head -n1 "$csv")
# N line-aligned chunks of the data rows (GNU split -n l/N), each given the header.
tail -n +2 "$csv" >"$work/rows"
split -n "l/$shards" -d -a 4 "$work/rows" "$work/rows-"
rm "$work/rows"
i=0
for rows in "$work"/rows-*; do
  { printf '%s\n' "$header"; cat "$rows"; } >"$work/shard-$i.csv"
  rm "$rows"
  i=$((i + 1))
done

# Profile the shards, at most $jobs at a time; any failure fails the script.
profile_shard='"$1" profile --model "$2" --csv "$3/shard-$4.csv" --seed "$(($5 + $4))" \
  --out "$3/shard-$4.json" >/dev/null'
seq 0 $((i - 1)) | xargs -P "$jobs" -I{} sh -c "$profile_shard" sh "$gg" "$model" "$work" {} "$seed"
shard_profiles=()
for ((k = 0; k < i; k++)); do shard_profiles+=("$work/shard-$k.json"); done
"$gg" profile merge "${shard_profiles[@]}" --seed "$seed" --out "$out"
