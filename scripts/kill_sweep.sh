#!/usr/bin/env bash
# kill_sweep.sh ATOLL ITERATIONS FILES WORK_DIR [LAKE_URI [CATALOG]]
#
# The exactly-once sweep of `atoll ingest`: FILES mixed files (CSV, gzip CSV, NDJSON and
# Parquet, a few of them broken) are dropped into the lake a few at a time; after each
# drop `atoll ingest` is started and killed with SIGKILL at a random moment, ITERATIONS
# times. A final ingest then runs to completion, and the lake must hold every row of every
# good file exactly once, every broken file must be in _rejected/, and load/ and prepare/
# must be empty. Each row carries (file_no, row_no), so duplicates and losses show.
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
export ATOLL_ALLOW_CATALOG="$CATALOG"  # settings naming a catalog outside the lake need it
log() { echo "[sweep] $*" >&2; }

rm -rf "$WORK"
mkdir -p "$WORK/input"
"$ATOLL" init "$LAKE" --catalog "$CATALOG" > /dev/null

# The input files, generated once: file i has (i % 7 + 1) * 10 rows; every 50th is broken.
log "generating $FILES files"
ROWS=0
BROKEN=0
gen_sql=""
for i in $(seq 1 "$FILES"); do
  n=$(( (i % 7 + 1) * 10 ))
  table=$([ $((i % 2)) = 0 ] && echo orders || echo events)
  if [ $((i % 50)) = 25 ]; then
    # Broken: a Parquet file cut short, or a CSV with a binary body.
    if [ $((i % 100)) = 25 ]; then
      printf 'PAR1 this is not a parquet file' > "$WORK/input/$i.load.$table.parquet"
    else
      printf 'file_no,row_no\n1,\x00\xff\xfe\n' > "$WORK/input/$i.prepare.$table.csv"
      printf '\x00\x00' >> "$WORK/input/$i.prepare.$table.csv"
    fi
    BROKEN=$((BROKEN + 1))
    continue
  fi
  ROWS=$((ROWS + n))
  case $((i % 4)) in
    0) gen_sql+="COPY (SELECT $i AS file_no, range AS row_no, 'p' || range AS payload FROM range($n))
         TO '$WORK/input/$i.load.$table.parquet' (FORMAT parquet);" ;;
    1) { echo "file_no,row_no,payload"; for r in $(seq 0 $((n - 1))); do echo "$i,$r,c$r"; done; } \
         > "$WORK/input/$i.prepare.$table.csv" ;;
    2) { echo "file_no,row_no,payload"; for r in $(seq 0 $((n - 1))); do echo "$i,$r,g$r"; done; } \
         | gzip > "$WORK/input/$i.prepare.$table.csv.gz" ;;
    3) for r in $(seq 0 $((n - 1))); do echo "{\"file_no\": $i, \"row_no\": $r, \"payload\": \"j$r\"}"; done \
         > "$WORK/input/$i.prepare.$table.ndjson" ;;
  esac
done
if [ -n "$gen_sql" ]; then "$ATOLL" query "$WORK" "$gen_sql SELECT 1" --format csv > /dev/null; fi
log "$ROWS rows in $((FILES - BROKEN)) good files, $BROKEN broken"

# Drops the next files (name: <i>.<zone>.<table>.<ext>) into the lake.
mapfile -t PENDING < <(ls "$WORK/input" | sort -n)
NEXT=0
drop() {
  local count=$1 f i zone table ext
  while [ "$count" -gt 0 ] && [ "$NEXT" -lt "${#PENDING[@]}" ]; do
    f=${PENDING[$NEXT]}
    IFS=. read -r i zone table ext <<< "$f"
    ext=${f#*.*.*.}
    "$ATOLL" cp "$WORK/input/$f" "$LAKE/$zone/sweep/$table/file-$i.$ext" > /dev/null
    NEXT=$((NEXT + 1))
    count=$((count - 1))
  done
}

per_drop=$(( (FILES + ITERATIONS - 1) / ITERATIONS ))
kills=0
for it in $(seq 1 "$ITERATIONS"); do
  drop "$per_drop"
  "$ATOLL" ingest "$LAKE" > "$WORK/last.out" 2> "$WORK/last.err" &
  pid=$!
  # A random moment within the first ~1.5 s (an ingest pass here takes about that long).
  sleep "0.$(printf '%03d' $((RANDOM % 1000)))"
  [ $((RANDOM % 2)) = 0 ] && sleep "0.$(printf '%03d' $((RANDOM % 500)))"
  if kill -9 "$pid" 2> /dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2> /dev/null || true
done
drop "${#PENDING[@]}"
log "$ITERATIONS iterations, $kills ingests killed mid-run; final ingest"
"$ATOLL" ingest "$LAKE" > "$WORK/final.out" 2> "$WORK/final.err" || {
  cat "$WORK/final.out" "$WORK/final.err" >&2; log "FAIL: the final ingest failed"; exit 1; }
# A second pass finishes anything a lease of the last killed run still held.
"$ATOLL" ingest "$LAKE" > /dev/null

fail() { log "FAIL: $*"; exit 1; }
q() { "$ATOLL" query "$LAKE" "$1" --format csv | tail -n +2; }
total=$(q "SELECT (SELECT count(*) FROM stg.sweep.orders) + (SELECT count(*) FROM stg.sweep.events)")
[ "$total" = "$ROWS" ] || fail "the tables hold $total rows, the good files $ROWS"
dups=$(q "SELECT count(*) FROM (SELECT file_no, row_no FROM stg.sweep.orders UNION ALL
            SELECT file_no, row_no FROM stg.sweep.events) GROUP BY file_no, row_no HAVING count(*) > 1")
[ -z "$dups" ] || fail "some rows are there twice"
files=$(q "SELECT count(DISTINCT file_no) FROM (SELECT file_no FROM stg.sweep.orders UNION ALL
            SELECT file_no FROM stg.sweep.events)")
[ "$files" = "$((FILES - BROKEN))" ] || fail "$files files in the tables, expected $((FILES - BROKEN))"
left=$("$ATOLL" ls --recursive "$LAKE/load/" 2> /dev/null | grep -v '/_' | grep -c . || true)
[ "$left" = 0 ] || fail "$left files left in load/"
left=$("$ATOLL" ls --recursive "$LAKE/prepare/" 2> /dev/null | grep -c . || true)
[ "$left" = 0 ] || fail "$left files left in prepare/"
rejected=$("$ATOLL" ls --recursive "$LAKE/_rejected/" 2> /dev/null | grep -v '\.error\.json' | grep -c . || true)
[ "$rejected" = "$BROKEN" ] || fail "$rejected files in _rejected/, expected $BROKEN"
log "PASS: $ROWS rows from $((FILES - BROKEN)) files exactly once, $BROKEN rejected, $kills kills"
