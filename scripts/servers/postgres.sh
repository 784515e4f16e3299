#!/usr/bin/env bash
# postgres.sh start|stop STATE_DIR - a throw-away PostgreSQL 15 (Debian's postgresql-15)
# on 127.0.0.1, for the tests of atoll's PostgreSQL catalog.
#
#   start  stops an earlier instance in STATE_DIR, wipes its data, creates a cluster in
#          STATE_DIR/data with initdb (superuser "atoll", trust authentication, which is
#          acceptable only because the server listens on 127.0.0.1 alone and has no Unix
#          socket), starts it, creates the database "atoll", waits until it answers, and
#          prints to stdout, for eval:
#            ATOLL_TEST_POSTGRES_URI   postgresql://atoll@127.0.0.1:PORT/atoll
#            ATOLL_TEST_POSTGRES_HOST ATOLL_TEST_POSTGRES_PORT
#            ATOLL_TEST_POSTGRES_USER ATOLL_TEST_POSTGRES_DB
#          Progress and errors go to stderr; exit status is non-zero on failure, and
#          whatever was started is stopped again.
#   stop   asks the server recorded in STATE_DIR/run for a fast shutdown (SIGINT), then
#          SIGTERM/SIGKILL to its process group after 5 s; only the process it started
#          (PID and start time must match). Idempotent.
#
# PostgreSQL refuses to run as root. Run as root (as in CI), the cluster belongs to the
# system user "postgres" (created by the postgresql-common package), or to "nobody" when
# that does not exist, and the server runs as that user (setpriv, no fork); STATE_DIR's
# parents must then be searchable by it. Run as a normal user, everything runs as that user.
#
# Port: 18500, or the next free one up to 18509 (the printed URI names it);
# ATOLL_POSTGRES_PORT fixes it instead (start fails if it is busy).
# Needs the package postgresql-15 (scripts/setup.sh installs it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SERVER_TAG=postgres
# shellcheck source=lib.bash
. "$HERE/lib.bash"

PG_BIN=${ATOLL_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
DB_USER=atoll DB_NAME=atoll

cmd=${1:-}
STATE=$(state_dir "${2:-}")
RUN=$STATE/run LOG=$STATE/log DATA=$STATE/data

# as_owner CMD...: runs CMD as the cluster's owner (see above).
OWNER="" AS_OWNER=()
if [ "$(id -u)" = 0 ]; then
  if getent passwd postgres >/dev/null; then OWNER=postgres; else OWNER=nobody; fi
  AS_OWNER=(setpriv --reuid="$OWNER" --regid="$(id -g "$OWNER")" --init-groups --)
fi
as_owner() { "${AS_OWNER[@]}" "$@"; }

stop_all() {
  local pid i
  [ -d "$RUN" ] || return 0
  if pid=$(recorded_pid "$RUN" postgres); then
    kill -INT "$pid" 2>/dev/null || true   # fast shutdown: ends sessions, checkpoints
    for i in $(seq 50); do
      alive "$pid" || break
      sleep 0.1
    done
  fi
  stop_recorded "$RUN" postgres   # whatever is left of the group; removes the PID file
}

choose_port() {
  local p
  if [ -n "${ATOLL_POSTGRES_PORT:-}" ]; then
    port_in_use "$ATOLL_POSTGRES_PORT" && die "port $ATOLL_POSTGRES_PORT on 127.0.0.1 already in use (ATOLL_POSTGRES_PORT)"
    PORT=$ATOLL_POSTGRES_PORT
    return 0
  fi
  for p in $(seq 18500 18509); do
    if ! port_in_use "$p"; then
      PORT=$p
      [ "$p" = 18500 ] || log "port 18500 busy, using $p"
      return 0
    fi
  done
  die "no free port in 18500-18509 on 127.0.0.1"
}

answers() { as_owner "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U "$DB_USER" -d postgres; }

start_all() {
  local t0; t0=$(now_ms)
  [ -x "$PG_BIN/postgres" ] || die "PostgreSQL 15 is not installed ($PG_BIN/postgres missing): run scripts/setup.sh"
  stop_all
  choose_port
  READY=0
  trap '[ "$READY" = 1 ] || stop_all' EXIT   # a failed start leaves nothing running
  trap 'exit 1' INT TERM
  rm -rf "$DATA" "$LOG"
  mkdir -p "$DATA" "$RUN" "$LOG"
  if [ -n "$OWNER" ]; then
    chown "$OWNER:" "$DATA" "$LOG"
    as_owner test -x "$DATA" -a -w "$LOG" || die "user $OWNER cannot reach $STATE (a parent directory is not searchable)"
  fi
  chmod 700 "$DATA"
  as_owner "$PG_BIN/initdb" -D "$DATA" -U "$DB_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync >"$LOG/initdb.log" 2>&1 || { tail -n 20 "$LOG/initdb.log" >&2; die "initdb failed (log: $LOG/initdb.log)"; }
  # Loopback TCP only; no Unix socket (nothing in /var/run/postgresql). fsync off: the
  # data is thrown away after the run.
  spawn "$RUN" "$LOG/postgres.log" postgres "${AS_OWNER[@]}" "$PG_BIN/postgres" -D "$DATA" \
    -c listen_addresses=127.0.0.1 -c port="$PORT" -c unix_socket_directories= \
    -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off
  wait_until 30 postgres "$RUN" "$LOG/postgres.log" answers
  as_owner "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U "$DB_USER" -d postgres \
    -c "CREATE DATABASE $DB_NAME" >/dev/null 2>>"$LOG/postgres.log" || die "could not create database $DB_NAME"
  READY=1
  cat <<EOF
ATOLL_TEST_POSTGRES_URI=postgresql://$DB_USER@127.0.0.1:$PORT/$DB_NAME
ATOLL_TEST_POSTGRES_HOST=127.0.0.1
ATOLL_TEST_POSTGRES_PORT=$PORT
ATOLL_TEST_POSTGRES_USER=$DB_USER
ATOLL_TEST_POSTGRES_DB=$DB_NAME
EOF
  local ms=$(( $(now_ms) - t0 ))
  log "ready at 127.0.0.1:$PORT in $((ms / 1000)).$(printf %03d $((ms % 1000))) s (state and log in $STATE)"
}

case $cmd in
  start) start_all ;;
  stop) stop_all ;;
  *) die "usage: $(basename "$0") start|stop STATE_DIR" ;;
esac
