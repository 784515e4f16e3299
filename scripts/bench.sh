#!/usr/bin/env bash
# bench.sh [BUILD_DIR] [ARGS...] - runs atoll's benchmarks against a loopback server.
# Starts OpenStack Swift and s3rver (scripts/servers/) with its state in
# .state/bench/<build dir name>, runs every benchmark program the build made in
# BUILD_DIR/bench (*_bench; `make bench` builds them), passing ARGS to each (e.g.
# --repeat 3), and stops the server whatever happens. Exit status: non-zero when the
# server could not start or a benchmark failed. docs/benchmarks.md records the figures.
# Some need no server (iceberg_bench, ingest_bench, snapshot_bench: local directories;
# snapshot_bench runs the build's atoll binary for its worker processes).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
shift || true
STATE=$ROOT/.state/bench/$(basename "$BUILD")
log() { echo "[bench] $*" >&2; }

benches=$(find "$BUILD/bench" -maxdepth 1 -type f -name '*_bench' -perm -u+x 2>/dev/null | sort)
[ -n "$benches" ] || { log "no benchmark programs in $BUILD/bench: build with -DATOLL_BUILD_BENCH=ON"; exit 1; }

BENCH_PID=""
stop_all() {
  set +e  # stop everything even if one step fails
  if [ -n "$BENCH_PID" ]; then  # interrupted: stop the benchmark and the awscli it runs
    kill -TERM -- "-$BENCH_PID" 2>/dev/null
    wait "$BENCH_PID" 2>/dev/null
  fi
  for srv in swift s3rver; do "$ROOT/scripts/servers/$srv.sh" stop "$STATE/$srv" >/dev/null 2>&1; done
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for srv in swift s3rver; do
  log "starting $srv"
  env_lines=$(ATOLL_SWIFT_LOG_LEVEL=${ATOLL_SWIFT_LOG_LEVEL:-WARNING} \
              "$ROOT/scripts/servers/$srv.sh" start "$STATE/$srv") || { log "could not start $srv"; exit 1; }
  eval "$env_lines"
  export $(echo "$env_lines" | cut -d= -f1)
done
export ATOLL_REQUIRE_SERVERS=1

for b in $benches; do
  # storage_bench compares clients on each loopback server in turn; others run once.
  servers=("")
  [ "$(basename "$b")" = storage_bench ] && servers=(swift s3rver)
  for srv in "${servers[@]}"; do
    args=("$@"); [ -n "$srv" ] && args=(--server "$srv" "$@")
    log "running $(basename "$b") ${args[*]}"
    # In the background, in its own process group, so that a signal to this script is
    # handled at once (the trap stops the benchmark and its awscli, then the servers).
    setsid "$b" "${args[@]}" &
    BENCH_PID=$!
    wait "$BENCH_PID"
    BENCH_PID=""
  done
done
