#!/usr/bin/env bash
# snapshot_acceptance.sh ATOLL WORK [FILES [TARGET_MIB [KILLS]]] - the snapshot pipeline's
# acceptance run at full size (`make snapshot-acceptance`; with KILLS, `make snapshot-sweep`):
#   1. generates an export of FILES files (default 2000) of mixed sizes, half CSV.gz and
#      half Parquet, about 2 GB in all, under WORK/export (one DuckDB COPY per format);
#   2. with KILLS > 0 (default 0): KILLS times, starts `atoll snapshot run` and kill -9s,
#      after a random 0.2 to MAX_DELAY seconds (environment, default 60), either one of its
#      workers or the run itself (whose workers die with it);
#   3. `atoll snapshot run` into the lake WORK/lake, partitioned by region, with
#      --target-file-size TARGET_MIB MiB (default 64) and 2 workers, to the end;
#   4. checks that total and per-partition row counts equal the export's, that no id is
#      loaded twice, that validation passed, that the table's data folder holds exactly
#      the committed files (none left by killed workers), and that at least 90% of the
#      output files (the last of each partition excepted) are within ±20% of the target.
# Prints the figures; exits non-zero when a check fails. WORK is recreated.
set -euo pipefail
USAGE="usage: snapshot_acceptance.sh ATOLL WORK [FILES [TARGET_MIB [KILLS]]]"
ATOLL=${1:?$USAGE}
WORK=${2:?$USAGE}
FILES=${3:-2000}
TARGET_MIB=${4:-64}
KILLS=${5:-0}
MAX_DELAY=${MAX_DELAY:-60}
log() { echo "[snapshot-acceptance] $*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK/export"
"$ATOLL" init "$WORK/lake" >/dev/null
q() { "$ATOLL" query "$WORK/lake" "$1" --format csv | tail -n +2; }

# Rows per file vary from 1x to 16x a base (mixed sizes); ids are unique across the export.
HALF=$((FILES / 2))
# One COPY per 50 files: DuckDB's partitioned write keeps at most 100 files open and
# rotates to new files beyond that, which would split the export into many small files.
gen() {  # gen FORMAT_OPTIONS FIRST_FILE DIR
  local first
  for ((first = $2; first < $2 + HALF; first += 50)); do
    local last=$((first + 50 < $2 + HALF ? first + 50 : $2 + HALF))
    q "COPY (SELECT f AS file_no, f * 100000000 + i AS id, 'r' || (hash(f * 7 + i) % 8) AS region,
               i * 0.25 AS amount, 'customer ' || (i % 5000) AS name,
               TIMESTAMP '2021-01-01' + INTERVAL (i) SECOND AS created_at
             FROM range($first, $last) t(f), LATERAL range(0, 8500 * (1 + (f * 7919) % 16)) u(i))
           TO '$WORK/export/$3' ($1, PARTITION_BY (file_no), OVERWRITE_OR_IGNORE true)" >/dev/null
  done
}
log "generating $FILES files"
gen "FORMAT csv, COMPRESSION gzip, HEADER true" 0 csv
gen "FORMAT parquet" "$HALF" parquet
BYTES=$(du -sb "$WORK/export" | cut -f1)
NFILES=$(find "$WORK/export" -type f | wc -l)
log "export: $NFILES files, $((BYTES / 1024 / 1024)) MiB"

SRC_COUNTS=$(q "SELECT region, count(*) FROM (
    SELECT region FROM read_csv('$WORK/export/csv/*/*.csv.gz', header = true)
    UNION ALL SELECT region FROM read_parquet('$WORK/export/parquet/*/*.parquet'))
  GROUP BY ALL ORDER BY 1")

RUN=("$ATOLL" snapshot run --lake "$WORK/lake" --db big --table t
     --snapshot 2021-01-01T00:00:00Z --source "$WORK/export" --partition region --parallel 2
     --target-file-size "$((TARGET_MIB * 1024 * 1024))")

if [ "$KILLS" -gt 0 ]; then
  log "$KILLS rounds of kill -9 (after 0.2 to $MAX_DELAY s)"
  WORKERS_KILLED=0 RUNS_KILLED=0
  for ((k = 1; k <= KILLS; k++)); do
    "${RUN[@]}" > "$WORK/run.json" 2>> "$WORK/run.log" &
    PID=$!  # the run itself (a simple command is exec'd), its workers are its children
    DELAY_MS=$((200 + (RANDOM * 32768 + RANDOM) % (MAX_DELAY * 1000)))
    sleep "$((DELAY_MS / 1000)).$(printf '%03d' $((DELAY_MS % 1000)))"
    if kill -0 "$PID" 2>/dev/null; then
      mapfile -t CHILDREN < <(pgrep -P "$PID" || true)
      if [ "${#CHILDREN[@]}" -gt 0 ] && [ $((RANDOM % 3)) -ne 0 ]; then
        kill -9 "${CHILDREN[RANDOM % ${#CHILDREN[@]}]}" 2>/dev/null && WORKERS_KILLED=$((WORKERS_KILLED + 1))
      else
        kill -9 "$PID" 2>/dev/null && RUNS_KILLED=$((RUNS_KILLED + 1))
      fi
    fi
    wait "$PID" || true
  done 2>/dev/null  # bash's "Killed" notices
  log "killed $WORKERS_KILLED workers and $RUNS_KILLED runs; $("$ATOLL" snapshot status \
    "$WORK/lake/staging/big/t/snapshot=2021-01-01T00:00:00Z" 2>/dev/null | tr -d ' \n' | cut -c1-200)"
fi

log "running the pipeline"
START=$(date +%s)
"${RUN[@]}" > "$WORK/run.json" 2>> "$WORK/run.log" || { tail -20 "$WORK/run.log" >&2; fail "the run failed"; }
END=$(date +%s)
log "run: $((END - START)) s"

grep -q '"validation_ok": true' "$WORK/run.json" || fail "validation failed: $(cat "$WORK/run.json")"
FINAL_FILES=$(sed -n 's/.*"final_files": \([0-9]*\).*/\1/p' "$WORK/run.json")
DATA_FILES=$(find "$WORK/lake/stg/big/t/data" -name '*.parquet' | wc -l)
[ "$FINAL_FILES" = "$DATA_FILES" ] || fail "$DATA_FILES files in the table's data folder, $FINAL_FILES committed"

TABLE_COUNTS=$(q "SELECT region, count(*) FROM stg.big.t GROUP BY ALL ORDER BY 1")
[ "$SRC_COUNTS" = "$TABLE_COUNTS" ] || fail "per-partition counts differ: source [$SRC_COUNTS] table [$TABLE_COUNTS]"
DUPS=$(q "SELECT count(*) - count(DISTINCT id) FROM stg.big.t")
[ "$DUPS" = "0" ] || fail "$DUPS duplicated ids"
TOTAL=$(q "SELECT count(*) FROM stg.big.t")
log "rows: $TOTAL, per partition equal to the source's, no duplicates"

# File sizes per partition folder: the smallest file of each partition stands for its last
# one (the remainder) and is excepted.
size_check() {
  local total=0 within=0 lo hi
  lo=$((TARGET_MIB * 1024 * 1024 * 8 / 10))
  hi=$((TARGET_MIB * 1024 * 1024 * 12 / 10))
  for dir in "$WORK"/lake/stg/big/t/data/*/; do
    sizes=$(find "$dir" -name '*.parquet' -printf '%s\n' | sort -n | tail -n +2)
    for s in $sizes; do
      total=$((total + 1))
      if [ "$s" -ge "$lo" ] && [ "$s" -le "$hi" ]; then within=$((within + 1)); fi
    done
  done
  echo "$within $total"
}
for dir in "$WORK"/lake/stg/big/t/data/*/; do
  log "$(basename "$dir"): $(find "$dir" -name '*.parquet' -printf '%s\n' | sort -n |
    awk '{printf "%.1f ", $1 / 1048576}')MiB"
done
read -r WITHIN COUNTED < <(size_check)
log "output files within ±20% of $TARGET_MIB MiB: $WITHIN of $COUNTED (the smallest of each partition excepted)"
[ "$COUNTED" -eq 0 ] || [ $((WITHIN * 10)) -ge $((COUNTED * 9)) ] || fail "fewer than 90% of the files are within ±20%"
log "PASS"
