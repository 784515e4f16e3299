#!/usr/bin/env bash
# swift.sh start|stop STATE_DIR - a single-node OpenStack Swift with the S3 API (s3api +
# tempauth) on 127.0.0.1, for atoll's integration tests and benchmarks.
#
#   start  stops an earlier instance in STATE_DIR, wipes its objects, writes the config,
#          rings and data under STATE_DIR (nothing in /etc/swift), starts memcached and
#          the account, container, object and proxy servers, waits until a request
#          through the proxy succeeds, and prints to stdout, for eval:
#            ATOLL_TEST_SWIFT_ENDPOINT ATOLL_TEST_SWIFT_ACCESS_KEY
#            ATOLL_TEST_SWIFT_SECRET_KEY ATOLL_TEST_SWIFT_REGION
#          Progress and errors go to stderr; exit status is non-zero on failure, and
#          whatever was started is stopped again.
#   stop   stops what start recorded in STATE_DIR/run (SIGTERM, SIGKILL after 5 s),
#          only processes it started (PID and start time must match). Idempotent.
#
# Ports: proxy 18480, storage servers 18410-18413 (object, container, account,
# memcached). When one of them is busy the next block is tried (proxy 18481 with
# 18414-18417, ...; ten blocks), so that several test runs can share a machine; the
# printed endpoint names the proxy port chosen. ATOLL_SWIFT_PORT and
# ATOLL_SWIFT_BASE_PORT fix the ports instead (start fails if they are busy).
# ATOLL_SWIFT_WORKERS, ATOLL_SWIFT_OBJECT_WORKERS: worker processes of the proxy and of
# the object server (default 2 each; 0 = one in-process server). See docs/testing.md.
# ATOLL_SWIFT_LOG_LEVEL: the servers' log level (default INFO; logs in STATE_DIR/log).
# Needs the packages that scripts/setup.sh installs (swift-*, python3-swift, memcached, curl).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SERVER_TAG=swift
# shellcheck source=lib.bash
. "$HERE/lib.bash"

PY=/usr/bin/python3   # Debian's Python, which has python3-swift (not a pyenv/venv python3)
SERVERS="proxy-server object-server container-server account-server memcached"
ACCOUNT=test USER_NAME=tester SECRET=testing REGION=us-east-1

cmd=${1:-}
STATE=$(state_dir "${2:-}")
ETC=$STATE/etc RUN=$STATE/run LOG=$STATE/log DATA=$STATE/data

stop_all() {
  local s
  [ -d "$RUN" ] || return 0
  for s in $SERVERS; do stop_recorded "$RUN" "$s"; done   # proxy first: no new requests
}

# Picks PROXY_PORT and OBJ_PORT..MC_PORT, all free.
choose_ports() {
  local k fixed=0 proxy base p busy
  [ -n "${ATOLL_SWIFT_PORT:-}${ATOLL_SWIFT_BASE_PORT:-}" ] && fixed=1
  for k in $(seq 0 9); do
    proxy=${ATOLL_SWIFT_PORT:-$((18480 + k))}
    base=${ATOLL_SWIFT_BASE_PORT:-$((18410 + 4 * k))}
    busy=""
    for p in "$proxy" "$base" $((base + 1)) $((base + 2)) $((base + 3)); do
      port_in_use "$p" && busy="$busy $p"
    done
    if [ -z "$busy" ]; then
      PROXY_PORT=$proxy OBJ_PORT=$base CONT_PORT=$((base + 1))
      ACCT_PORT=$((base + 2)) MC_PORT=$((base + 3))
      [ "$k" = 0 ] || log "default ports busy, using proxy port $proxy and $base-$((base + 3))"
      return 0
    fi
    [ "$fixed" = 1 ] && die "port(s)$busy on 127.0.0.1 already in use (ATOLL_SWIFT_PORT / ATOLL_SWIFT_BASE_PORT)"
  done
  die "no free ports: tried proxy 18480-18489 with storage ports 18410-18449"
}

# The [DEFAULT] section every server shares. $1 = port, $2 = workers.
server_defaults() {
  cat <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $1
workers = $2
user = $(id -un)
swift_dir = $ETC
devices = $DATA
mount_check = false
disable_fallocate = true
fallocate_reserve = 0
recon_cache_path = $STATE/cache
log_level = ${ATOLL_SWIFT_LOG_LEVEL:-INFO}
# Logs reach stderr (STATE/log/*.log); the syslog copy goes to the UDP discard port.
log_udp_host = 127.0.0.1
log_udp_port = 9
EOF
}

# storage_conf NAME PORT WORKERS: account, container or object server config.
storage_conf() {
  server_defaults "$2" "$3"
  cat <<EOF

[pipeline:main]
pipeline = healthcheck $1-server

[app:$1-server]
use = egg:swift#$1

[filter:healthcheck]
use = egg:swift#healthcheck
EOF
}

proxy_conf() {
  server_defaults "$PROXY_PORT" "${ATOLL_SWIFT_WORKERS:-2}"
  cat <<EOF

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo versioned_writes proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
node_timeout = 30
conn_timeout = 2

[filter:s3api]
use = egg:swift#s3api
location = $REGION
s3_acl = false
dns_compliant_bucket_names = true
max_multi_delete_objects = 1000
allow_multipart_uploads = true

[filter:tempauth]
use = egg:swift#tempauth
user_${ACCOUNT}_${USER_NAME} = $SECRET .admin

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MC_PORT

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
[filter:versioned_writes]
use = egg:swift#versioned_writes
EOF
}

write_config() {
  rm -rf "$ETC" "$DATA" "$LOG" "$STATE/cache"
  mkdir -p "$ETC" "$DATA/d1" "$RUN" "$LOG" "$STATE/cache"
  cat > "$ETC/swift.conf" <<EOF
[swift-hash]
swift_hash_path_prefix = atoll-test
swift_hash_path_suffix = atoll-test

[storage-policy:0]
name = Policy-0
default = yes
EOF
  storage_conf account "$ACCT_PORT" 0 > "$ETC/account-server.conf"
  storage_conf container "$CONT_PORT" 0 > "$ETC/container-server.conf"
  storage_conf object "$OBJ_PORT" "${ATOLL_SWIFT_OBJECT_WORKERS:-2}" > "$ETC/object-server.conf"
  proxy_conf > "$ETC/proxy-server.conf"
  "$PY" "$HERE/swift_launch.py" rings "$ETC" "$ACCT_PORT" "$CONT_PORT" "$OBJ_PORT" \
    >"$LOG/rings.log" 2>&1 || { cat "$LOG/rings.log" >&2; die "building the rings failed"; }
}

healthy() { [ "$(curl -s -m 2 "http://127.0.0.1:$1/healthcheck")" = OK ]; }

# A request through the whole proxy pipeline: a tempauth token, then create and delete
# a container (which also creates the account).
probe() {
  local base=http://127.0.0.1:$PROXY_PORT token code
  token=$(curl -s -m 5 -o /dev/null -D - -H "X-Auth-User: $ACCOUNT:$USER_NAME" \
            -H "X-Auth-Key: $SECRET" "$base/auth/v1.0" |
          tr -d '\r' | sed -n 's/^[Xx]-[Aa]uth-[Tt]oken: //p')
  [ -n "$token" ] || die "tempauth issued no token (log: $LOG/proxy-server.log)"
  code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X PUT -H "X-Auth-Token: $token" \
           "$base/v1/AUTH_$ACCOUNT/atoll-probe")
  case $code in 201|202) ;; *) die "creating a probe container returned HTTP $code (log: $LOG/proxy-server.log)" ;; esac
  curl -s -m 10 -o /dev/null -X DELETE -H "X-Auth-Token: $token" "$base/v1/AUTH_$ACCOUNT/atoll-probe"
}

start_all() {
  local t0; t0=$(now_ms)
  [ -x "$PY" ] && "$PY" -c 'import swift' 2>/dev/null ||
    die "python3-swift is not installed for $PY: run scripts/setup.sh"
  command -v memcached >/dev/null || die "memcached is not installed: run scripts/setup.sh"
  command -v curl >/dev/null || die "curl is not installed: run scripts/setup.sh"
  stop_all
  choose_ports
  READY=0
  trap '[ "$READY" = 1 ] || stop_all' EXIT   # a failed start leaves nothing running
  trap 'exit 1' INT TERM
  write_config
  spawn "$RUN" "$LOG/memcached.log" memcached memcached -l 127.0.0.1 -p "$MC_PORT" -U 0 -m 64 -c 1024 -u "$(id -un)"
  local s
  for s in account container object proxy; do
    spawn "$RUN" "$LOG/$s-server.log" "$s-server" \
      "$PY" "$HERE/swift_launch.py" serve "$ETC" "$s-server" "$ETC/$s-server.conf"
  done
  wait_until 30 memcached "$RUN" "$LOG/memcached.log" port_in_use "$MC_PORT"
  wait_until 30 account-server "$RUN" "$LOG/account-server.log" healthy "$ACCT_PORT"
  wait_until 30 container-server "$RUN" "$LOG/container-server.log" healthy "$CONT_PORT"
  wait_until 30 object-server "$RUN" "$LOG/object-server.log" healthy "$OBJ_PORT"
  wait_until 30 proxy-server "$RUN" "$LOG/proxy-server.log" healthy "$PROXY_PORT"
  probe
  READY=1
  cat <<EOF
ATOLL_TEST_SWIFT_ENDPOINT=http://127.0.0.1:$PROXY_PORT
ATOLL_TEST_SWIFT_ACCESS_KEY=$ACCOUNT:$USER_NAME
ATOLL_TEST_SWIFT_SECRET_KEY=$SECRET
ATOLL_TEST_SWIFT_REGION=$REGION
EOF
  local ms=$(( $(now_ms) - t0 ))
  log "ready at http://127.0.0.1:$PROXY_PORT in $((ms / 1000)).$(printf %03d $((ms % 1000))) s (state and logs in $STATE)"
}

case $cmd in
  start) start_all ;;
  stop) stop_all ;;
  *) die "usage: $(basename "$0") start|stop STATE_DIR" ;;
esac
