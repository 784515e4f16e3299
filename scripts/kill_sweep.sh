#!/usr/bin/env bash
# kill_sweep.sh ATOLL ITERATIONS FILES WORK_DIR [LAKE_URI [CATALOG]]
#
# The exactly-once sweep of `atoll ingest`: FILES mixed files (CSV, gzip CSV, NDJSON and
# Parquet, a few of them broken) are dropped into the lake a few at a time; after each
# drop `atoll ingest` is started and killed with SIGKILL at a random moment, ITERATIONS
# times. A final ingest then runs to completion, and the lake must hold every row of every
# good file exactly once, every broken file must be in _rejected/, and load/ and prepare/
# must be empty (scripts/sweep_lib.sh).
#
# LAKE_URI defaults to WORK_DIR/lake (a local directory); for S3 give s3://bucket[/prefix]
# (AWS_* variables as for every atoll command) and a CATALOG (e.g. sqlite:///abs/cat.db)
# when the server does not honour conditional writes.
# Exit status 0 when every check holds; the first failed check is printed.
set -euo pipefail
ATOLL=${1:?usage: kill_sweep.sh ATOLL ITERATIONS FILES WORK_DIR [LAKE_URI [CATALOG]]}
ITERATIONS=${2:?}
FILES=${3:?}
WORK=${4:?}
LAKE=${5:-$WORK/lake}
CATALOG=${6:-in-bucket}
SWEEP_NAME=sweep
source "$(dirname "$0")/sweep_lib.sh"

sweep_init_lake
sweep_generate "$FILES"

per_drop=$(( (FILES + ITERATIONS - 1) / ITERATIONS ))
kills=0
for it in $(seq 1 "$ITERATIONS"); do
  sweep_drop "$per_drop"
  "$ATOLL" ingest "$LAKE" > "$WORK/last.out" 2> "$WORK/last.err" &
  pid=$!
  # A random moment within the first ~1.5 s (an ingest pass here takes about that long).
  sleep "0.$(printf '%03d' $((RANDOM % 1000)))"
  [ $((RANDOM % 2)) = 0 ] && sleep "0.$(printf '%03d' $((RANDOM % 500)))"
  if kill -9 "$pid" 2> /dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2> /dev/null || true
done
sweep_drop_all
log "$ITERATIONS iterations, $kills ingests killed mid-run; final ingest"
sweep_final_ingest

sweep_check
log "PASS: $ROWS rows from $((FILES - BROKEN)) files exactly once, $BROKEN rejected, $kills kills"
