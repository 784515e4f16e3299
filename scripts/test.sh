#!/usr/bin/env bash
# test.sh BUILD_DIR - runs every test of atoll against real components.
# Starts the test servers on 127.0.0.1 (OpenStack Swift with s3api, s3rver, PostgreSQL for
# the SQL catalog: every scripts/servers/*.sh), exports their
# endpoints for the tests, runs CTest (unit, integration and the shortened slow sweeps)
# and stops the servers by PID whatever happens (failure, Ctrl-C, SIGTERM). State lives
# in .state/test/<build dir name> (ignored), so runs for different build directories can
# go on at the same time (the server scripts pick free ports and print them).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
STATE=$ROOT/.state/test/$(basename "$BUILD")
mkdir -p "$STATE"
log() { echo "[test] $*" >&2; }

CTEST_PID=""
stop_servers() {
  set +e  # stop everything even if one step fails
  if [ -n "$CTEST_PID" ]; then  # interrupted: stop CTest and the tests it runs
    kill -TERM -- "-$CTEST_PID" 2>/dev/null
    wait "$CTEST_PID" 2>/dev/null
  fi
  for s in "$ROOT"/scripts/servers/*.sh; do
    [ -e "$s" ] && "$s" stop "$STATE/$(basename "$s" .sh)" >/dev/null 2>&1 || true
  done
}
trap stop_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Each scripts/servers/<name>.sh start DIR prints KEY=VALUE lines to eval. Servers that
# are programs of the project (kafka.sh) take them from the build being tested.
export ATOLL_BUILD_DIR=$BUILD
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
# In the background, in its own process group, so that a signal to this script is
# handled at once (the trap stops CTest and its tests, then the servers) rather than
# after CTest has finished.
setsid ctest --output-on-failure -j "$(nproc)" --timeout 900 &
CTEST_PID=$!
wait "$CTEST_PID"
CTEST_PID=

# Short runs of the fuzz targets (make fuzz runs them longer): crashes, leaks and
# sanitizer reports fail the run.
log "fuzzing each parser for ${ATOLL_FUZZ_SECONDS:-20} s (make fuzz: longer)"
"$ROOT/scripts/fuzz.sh" orc "${ATOLL_FUZZ_SECONDS:-20}" > "$STATE/fuzz-orc.log" 2>&1 ||
  { tail -40 "$STATE/fuzz-orc.log" >&2; log "the ORC fuzzer found a problem"; exit 1; }
"$ROOT/scripts/fuzz.sh" jinja "${ATOLL_FUZZ_SECONDS:-20}" > "$STATE/fuzz-jinja.log" 2>&1 ||
  { tail -40 "$STATE/fuzz-jinja.log" >&2; log "the Jinja fuzzer found a problem"; exit 1; }
"$ROOT/fuzz/trail_fuzz.sh" "${ATOLL_FUZZ_SECONDS:-20}" > "$STATE/fuzz-trail.log" 2>&1 ||
  { tail -40 "$STATE/fuzz-trail.log" >&2; log "the trail fuzzer found a problem"; exit 1; }
log "fuzzing: no crash"
