#!/usr/bin/env bash
# Checks that every tracked C++ file (*.cc, *.h) is formatted as .clang-format says: runs
# `clang-format --dry-run --Werror` (Debian 12's clang-format 14; other versions format some
# constructs differently) and lists the files it would change. Exits 1 when any would change;
# with --report-only it lists them and exits 0. tests/run.sh calls it without the flag, so an
# unformatted file fails CI.
# To fix a file: clang-format-14 -i FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
report_only=0
case ${1:-} in
  "") ;;
  --report-only) report_only=1 ;;
  *) echo "usage: $0 [--report-only]" >&2; exit 2 ;;
esac
clang_format=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$clang_format" ]; then
  echo "format: clang-format not found (Debian package clang-format)" >&2
  exit 1
fi
mapfile -d '' files < <(git ls-files -z -- '*.cc' '*.h')
# One process for all files; every file it would change gets "FILE:LINE:COL: error: ...".
unformatted=$("$clang_format" --dry-run --Werror "${files[@]}" 2>&1 |
  sed -nE 's/^([^ :]+):[0-9]+:[0-9]+: error: .*/\1/p' | sort -u || true)
if [ -z "$unformatted" ]; then
  echo "format: ${#files[@]} C++ files formatted as .clang-format says"
  exit 0
fi
count=$(printf '%s\n' "$unformatted" | wc -l)
echo "format: $count of ${#files[@]} C++ files differ from .clang-format ($clang_format -i FILE):"
printf '  %s\n' $unformatted
if [ "$report_only" = 1 ]; then
  echo "format: reported only (--report-only)"
  exit 0
fi
exit 1
