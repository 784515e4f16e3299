#!/usr/bin/env bash
# test.sh BUILD_DIR - runs every test of atoll against real components.
# Starts the test servers on 127.0.0.1 (OpenStack Swift with s3api, s3rver), exports their
# endpoints for the tests, runs CTest (unit, integration and the shortened slow sweeps)
# and stops the servers by PID whatever happens. State lives in .state/test (ignored).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
STATE=$ROOT/.state/test
mkdir -p "$STATE"
log() { echo "[test] $*" >&2; }

stop_servers() {
  for s in "$ROOT"/scripts/servers/*.sh; do
    [ -e "$s" ] && "$s" stop "$STATE/$(basename "$s" .sh)" >/dev/null 2>&1 || true
  done
}
trap stop_servers EXIT

# Each scripts/servers/<name>.sh start DIR prints KEY=VALUE lines to eval.
for s in "$ROOT"/scripts/servers/*.sh; do
  [ -e "$s" ] || continue
  name=$(basename "$s" .sh)
  log "starting $name"
  env_lines=$("$s" start "$STATE/$name") || { log "could not start $name"; exit 1; }
  eval "$env_lines"
  export $(echo "$env_lines" | cut -d= -f1)
done
export ATOLL_REQUIRE_SERVERS=1
export ATOLL_SOURCE_DIR=$ROOT
cd "$BUILD"
ctest --output-on-failure -j "$(nproc)" --timeout 900
