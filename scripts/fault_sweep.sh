#!/usr/bin/env bash
# fault_sweep.sh ATOLL ROUNDS FILES WORK_DIR S3_LAKE_URI CATALOG [RESET_PERCENT]
#
# `atoll ingest` against an S3 server whose connections break: every request goes through
# scripts/fault_proxy.py, which resets RESET_PERCENT % (default 10) of the connections,
# before the request reached the server or after the server acted on it. FILES mixed files
# (sweep_lib.sh) are dropped in ROUNDS rounds, each followed by an ingest through the proxy
# (which may fail: that is the point); then a final ingest straight to the server, and the
# exactly-once checks. AWS_ENDPOINT_URL and the other AWS_* variables name the real server.
set -euo pipefail
ATOLL=${1:?usage: fault_sweep.sh ATOLL ROUNDS FILES WORK_DIR S3_LAKE_URI CATALOG [RESET_PERCENT]}
ROUNDS=${2:?}
FILES=${3:?}
WORK=${4:?}
LAKE=${5:?}
CATALOG=${6:?}
PERCENT=${7:-10}
SWEEP_NAME=faults
source "$(dirname "$0")/sweep_lib.sh"
: "${AWS_ENDPOINT_URL:?the endpoint of the S3 server}"

sweep_init_lake
sweep_generate "$FILES"

# The proxy on a free port.
upstream=${AWS_ENDPOINT_URL#http://}
upstream=${upstream%%/*}
PROXY_PID=""
trap '[ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2> /dev/null; true' EXIT
for port in $(seq 18700 18799); do
  /usr/bin/python3 "$(dirname "$0")/fault_proxy.py" "$port" "$upstream" "$PERCENT" "$RANDOM" \
    > "$WORK/proxy.out" 2> "$WORK/proxy.err" &
  PROXY_PID=$!
  for _ in $(seq 1 50); do grep -q listening "$WORK/proxy.out" 2> /dev/null && break; sleep 0.1; done
  grep -q listening "$WORK/proxy.out" && break
  wait "$PROXY_PID" 2> /dev/null || true
  PROXY_PID=""
done
[ -n "$PROXY_PID" ] || fail "could not start the fault proxy"

per_round=$(( (FILES + ROUNDS - 1) / ROUNDS ))
failed=0
for r in $(seq 1 "$ROUNDS"); do
  sweep_drop "$per_round"
  if ! AWS_ENDPOINT_URL="http://127.0.0.1:$port" sweep_ingest "$LAKE" \
      > "$WORK/round.out" 2> "$WORK/round.err"; then
    failed=$((failed + 1))
    cat "$WORK/round.err" >> "$WORK/failed-rounds.log"
  fi
done
sweep_drop_all
resets=$(grep -c '^reset' "$WORK/proxy.out" || true)
log "$ROUNDS ingests through the proxy ($resets connections reset), $failed failed; final ingest"
sweep_final_ingest
sweep_check
log "PASS: $ROWS rows from $((FILES - BROKEN)) files exactly once, $BROKEN rejected; $resets connections reset, $failed of $ROUNDS ingests failed"
