#!/usr/bin/env bash
# kafka.sh start|stop STATE_DIR - a Kafka protocol endpoint on 127.0.0.1 for atoll stream's
# tests: librdkafka's mock cluster (3 brokers) in the project's own program
# tests/servers/kafka_mock_server (a build product: found in $ATOLL_BUILD_DIR, default
# build/, which scripts/test.sh sets to the build it tests; `make test` builds it first).
#
#   start  stops an earlier instance in STATE_DIR, starts the server, waits until it has
#          written its bootstrap servers, and prints to stdout, for eval:
#            ATOLL_TEST_KAFKA_BROKERS   host:port,... of the brokers
#            ATOLL_TEST_KAFKA_CONTROL   its control folder (fault injection: a command per
#                                       *.cmd file, see kafka_mock_server.cc)
#            ATOLL_TEST_KAFKA_SERVER    the server program (tests start private clusters
#                                       with it, e.g. to take brokers down)
#          Progress and errors go to stderr; exit status is non-zero on failure.
#   stop   stops what start recorded in STATE_DIR/run (SIGTERM, SIGKILL after 5 s). Idempotent.
#
# Ports: the mock brokers listen on free ports the kernel picks. Topics are created by the
# tests (control command `topic NAME PARTITIONS`, or by producing: auto-creation).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SERVER_TAG=kafka
# shellcheck source=lib.bash
. "$HERE/lib.bash"

ROOT=$(cd "$HERE/../.." && pwd)
BUILD_DIR=${ATOLL_BUILD_DIR:-$ROOT/build}
SERVER=$BUILD_DIR/tests/servers/kafka_mock_server

cmd=${1:-}
STATE=$(state_dir "${2:-}")
RUN=$STATE/run LOG=$STATE/log CONTROL=$STATE/control READY=$STATE/ready

stop_all() { [ -d "$RUN" ] && stop_recorded "$RUN" kafka; return 0; }

start_all() {
  local t0; t0=$(now_ms)
  [ -x "$SERVER" ] || die "$SERVER is missing: build it (cmake --build BUILD --target kafka_mock_server) or set ATOLL_BUILD_DIR"
  stop_all
  READY_OK=0
  trap '[ "$READY_OK" = 1 ] || stop_all' EXIT
  trap 'exit 1' INT TERM
  rm -rf "$LOG" "$CONTROL" "$READY"
  mkdir -p "$RUN" "$LOG" "$CONTROL"
  spawn "$RUN" "$LOG/kafka.log" kafka "$SERVER" --brokers 3 --ready-file "$READY" \
    --control "$CONTROL"
  wait_until 30 kafka "$RUN" "$LOG/kafka.log" test -s "$READY"
  READY_OK=1
  local brokers; brokers=$(sed -n 's/^BROKERS=//p' "$READY")
  cat <<OUT
ATOLL_TEST_KAFKA_BROKERS=$brokers
ATOLL_TEST_KAFKA_CONTROL=$CONTROL
ATOLL_TEST_KAFKA_SERVER=$SERVER
OUT
  local ms=$(( $(now_ms) - t0 ))
  log "ready at $brokers in $((ms / 1000)).$(printf %03d $((ms % 1000))) s (state and log in $STATE)"
}

case $cmd in
  start) start_all ;;
  stop) stop_all ;;
  *) die "usage: $(basename "$0") start|stop STATE_DIR" ;;
esac
