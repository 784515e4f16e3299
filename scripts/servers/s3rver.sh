#!/usr/bin/env bash
# s3rver.sh start|stop STATE_DIR - the s3rver test server (npm, run by Node) on 127.0.0.1,
# a second, sloppier S3 peer for atoll's integration tests (it does not verify
# signatures and ignores conditional writes; see docs/testing.md).
#
#   start  stops an earlier instance in STATE_DIR, wipes its data, starts s3rver with
#          its objects in STATE_DIR/data, waits until it answers, and prints to stdout,
#          for eval:
#            ATOLL_TEST_S3RVER_ENDPOINT ATOLL_TEST_S3RVER_ACCESS_KEY
#            ATOLL_TEST_S3RVER_SECRET_KEY ATOLL_TEST_S3RVER_REGION
#          Progress and errors go to stderr; exit status is non-zero on failure, and
#          whatever was started is stopped again.
#   stop   stops what start recorded in STATE_DIR/run (SIGTERM, SIGKILL after 5 s),
#          only the process it started (PID and start time must match). Idempotent.
#
# Port: 18490, or the next free one up to 18499 (the printed endpoint names it);
# ATOLL_S3RVER_PORT fixes it instead (start fails if it is busy).
# Needs node and the npm test tools that scripts/setup.sh installs in .deps/node.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SERVER_TAG=s3rver
# shellcheck source=lib.bash
. "$HERE/lib.bash"

S3RVER_JS=$(cd "$HERE/../.." && pwd)/.deps/node/node_modules/s3rver/bin/s3rver.js

cmd=${1:-}
STATE=$(state_dir "${2:-}")
RUN=$STATE/run LOG=$STATE/log DATA=$STATE/data

stop_all() { [ -d "$RUN" ] && stop_recorded "$RUN" s3rver; return 0; }

choose_port() {
  local p
  if [ -n "${ATOLL_S3RVER_PORT:-}" ]; then
    port_in_use "$ATOLL_S3RVER_PORT" && die "port $ATOLL_S3RVER_PORT on 127.0.0.1 already in use (ATOLL_S3RVER_PORT)"
    PORT=$ATOLL_S3RVER_PORT
    return 0
  fi
  for p in $(seq 18490 18499); do
    if ! port_in_use "$p"; then
      PORT=$p
      [ "$p" = 18490 ] || log "port 18490 busy, using $p"
      return 0
    fi
  done
  die "no free port in 18490-18499 on 127.0.0.1"
}

answers() { [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = 200 ]; }

start_all() {
  local t0; t0=$(now_ms)
  command -v node >/dev/null || die "node is not installed: run scripts/setup.sh"
  [ -f "$S3RVER_JS" ] || die "s3rver is not installed ($S3RVER_JS missing): run scripts/setup.sh"
  command -v curl >/dev/null || die "curl is not installed: run scripts/setup.sh"
  stop_all
  choose_port
  READY=0
  trap '[ "$READY" = 1 ] || stop_all' EXIT   # a failed start leaves nothing running
  trap 'exit 1' INT TERM
  rm -rf "$DATA" "$LOG"
  mkdir -p "$DATA" "$RUN" "$LOG"
  # Node 20 needs the legacy OpenSSL provider, or s3rver's ListObjectsV2 paging fails.
  spawn "$RUN" "$LOG/s3rver.log" s3rver node --openssl-legacy-provider "$S3RVER_JS" \
    -d "$DATA" -a 127.0.0.1 -p "$PORT" --silent
  wait_until 30 s3rver "$RUN" "$LOG/s3rver.log" answers
  READY=1
  cat <<EOF
ATOLL_TEST_S3RVER_ENDPOINT=http://127.0.0.1:$PORT
ATOLL_TEST_S3RVER_ACCESS_KEY=S3RVER
ATOLL_TEST_S3RVER_SECRET_KEY=S3RVER
ATOLL_TEST_S3RVER_REGION=us-east-1
EOF
  local ms=$(( $(now_ms) - t0 ))
  log "ready at http://127.0.0.1:$PORT in $((ms / 1000)).$(printf %03d $((ms % 1000))) s (state and log in $STATE)"
}

case $cmd in
  start) start_all ;;
  stop) stop_all ;;
  *) die "usage: $(basename "$0") start|stop STATE_DIR" ;;
esac
