#!/usr/bin/env bash
# concurrency_sweep.sh ATOLL ROUNDS FILES WORK_DIR [LAKE_URI [CATALOG]]
#
# Concurrent writers and readers on one lake: FILES mixed files (sweep_lib.sh) are dropped
# in ROUNDS rounds while four `atoll ingest` loops, one `atoll maintain` loop and one
# query loop run at the same time (maintain expires snapshots older than 10 s and
# rewrites manifests; orphans keep their default age margin). Then a final ingest, and the exactly-once checks: every good
# row once, every broken file in _rejected/, prepare/ and load/ empty. A query or a
# maintain run that fails while the writers run fails the sweep.
set -euo pipefail
ATOLL=${1:?usage: concurrency_sweep.sh ATOLL ROUNDS FILES WORK_DIR [LAKE_URI [CATALOG]]}
ROUNDS=${2:?}
FILES=${3:?}
WORK=${4:?}
LAKE=${5:-$WORK/lake}
CATALOG=${6:-in-bucket}
SWEEP_NAME=concurrency
source "$(dirname "$0")/sweep_lib.sh"

sweep_init_lake
sweep_generate "$FILES"
# Both tables exist before the readers start.
sweep_drop 2
"$ATOLL" ingest "$LAKE" > /dev/null 2>&1 || true

STOP=$WORK/stop
PIDS=()
ingest_loop() {
  local n=0
  while [ ! -e "$STOP" ]; do
    sweep_ingest "$LAKE" >> "$WORK/ingest-$1.log" 2>&1 || echo "exit $?" >> "$WORK/ingest-$1.log"
    n=$((n + 1))
  done
  echo "$n" > "$WORK/ingest-$1.count"
}
maintain_loop() {
  local n=0
  while [ ! -e "$STOP" ]; do
    "$ATOLL" maintain "$LAKE" --expire-older-than 10s --rewrite-manifests >> "$WORK/maintain.log" 2>&1 || echo "exit $?" >> "$WORK/maintain.log"
    n=$((n + 1))
    sleep 0.3
  done
  echo "$n" > "$WORK/maintain.count"
}
query_loop() {
  local n=0 bad=0
  while [ ! -e "$STOP" ]; do
    if ! "$ATOLL" query "$LAKE" --format csv \
        "SELECT (SELECT count(*) FROM stg.sweep.orders) + (SELECT count(*) FROM stg.sweep.events)" \
        >> "$WORK/query.log" 2>&1; then
      bad=$((bad + 1))
    fi
    n=$((n + 1))
  done
  echo "$n $bad" > "$WORK/query.count"
}
for w in 1 2 3 4; do ingest_loop "$w" & PIDS+=($!); done
maintain_loop & PIDS+=($!)
query_loop & PIDS+=($!)

per_round=$(( (FILES + ROUNDS - 1) / ROUNDS ))
for r in $(seq 1 "$ROUNDS"); do
  sweep_drop "$per_round"
  sleep "0.$(printf '%03d' $((RANDOM % 1000)))"
done
sweep_drop_all
sleep 2
touch "$STOP"
wait "${PIDS[@]}"

read -r queries bad_queries < "$WORK/query.count"
ingests=$(( $(cat "$WORK"/ingest-*.count | paste -sd+) ))
log "$ROUNDS rounds: $ingests ingest runs in 4 loops, $(cat "$WORK/maintain.count") maintain runs, $queries queries; final ingest"
sweep_final_ingest
maintain_failed=$(grep -c '^exit' "$WORK/maintain.log" || true)
[ "$maintain_failed" = 0 ] || { grep -i error "$WORK/maintain.log" | head -5 >&2; fail "$maintain_failed maintain runs failed while the writers ran"; }
[ "$bad_queries" = 0 ] || { grep -i error "$WORK/query.log" | head -5 >&2; fail "$bad_queries of $queries queries failed while the writers ran"; }
sweep_check
log "PASS: $ROWS rows from $((FILES - BROKEN)) files exactly once, $BROKEN rejected; $ingests concurrent ingests, $queries queries without error"
