#!/usr/bin/env bash
# ctest node_client_flow: installs the pinned npm packages (package-lock.json) when
# node_modules is missing or was installed from another lock, then runs flow.test.js with
# node's test runner against the binaries in BUILD_DIR.
# Usage: tests/clients/node/run.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export GG_SOURCE_DIR=$(cd "$1" && pwd) GG_BUILD_DIR=$(cd "$2" && pwd)
cd "$here"

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.greengate-lock.sha256
# One install at a time (ctest -j, or two build directories sharing this checkout).
exec 9>"$here/.npm-install.lock"
flock 9
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ] || [ ! -d node_modules/@grpc/grpc-js ]; then
  for attempt in 1 2 3; do
    if npm ci --no-audit --no-fund --ignore-scripts --loglevel=error; then
      echo "$lock_hash" >"$stamp"
      break
    fi
    [ "$attempt" -lt 3 ] || { echo "npm ci failed 3 times" >&2; exit 1; }
    sleep $((attempt * 5))
  done
fi
flock -u 9

exec node --test flow.test.js
