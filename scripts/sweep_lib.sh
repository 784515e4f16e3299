# sweep_lib.sh - shared by the ingest sweeps (kill_sweep.sh, concurrency_sweep.sh,
# fault_sweep.sh, disk_full_sweep.sh); source it after setting ATOLL, WORK, LAKE, CATALOG.
#
# sweep_generate FILES   writes FILES mixed files into $WORK/input (CSV, gzip CSV, NDJSON
#                        and Parquet, every 50th broken) and sets ROWS, BROKEN, FILES
# sweep_drop COUNT       copies the next COUNT files into the lake (prepare/ or load/)
# sweep_drop_all         copies every file not yet dropped
# sweep_ingest ARGS...   atoll ingest; exit status 3 (finished, files rejected) is success
# sweep_final_ingest     the final ingest (must succeed) and a second pass
# sweep_check            the exactly-once checks: every good row once, every broken file in
#                        _rejected/, prepare/ and load/ empty; prints PASS or exits 1
# Each row carries (file_no, row_no), so duplicates and losses show.

log() { echo "[${SWEEP_NAME:-sweep}] $*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

# atoll ingest ARGS...: exit status 3 (the run finished but rejected files: the sweep's
# broken ones, which sweep_check looks for in _rejected/) counts as success.
sweep_ingest() {
  local rc=0
  "$ATOLL" ingest "$@" || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 3 ]
}

sweep_init_lake() {
  # A SQL catalog outside the lake is the operator's choice here (docs/lake.md).
  if [ "$CATALOG" != in-bucket ]; then export ATOLL_ALLOW_CATALOG=$CATALOG; fi
  rm -rf "$WORK"
  mkdir -p "$WORK/input"
  "$ATOLL" init "$LAKE" --catalog "$CATALOG" > /dev/null
}

# The input files, generated once: file i has (i % 7 + 1) * 10 rows; every 50th is broken.
sweep_generate() {
  FILES=$1
  ROWS=0
  BROKEN=0
  local gen_sql="" i n table
  log "generating $FILES files"
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
  mapfile -t PENDING < <(ls "$WORK/input" | sort -n)
  NEXT=0
}

# Drops the next files (name: <i>.<zone>.<table>.<ext>) into the lake.
sweep_drop() {
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
sweep_drop_all() { sweep_drop "${#PENDING[@]}"; }

# The final ingest (must succeed), then a second pass that finishes anything a lease of
# the last interrupted run still held.
sweep_final_ingest() {
  sweep_ingest "$LAKE" > "$WORK/final.out" 2> "$WORK/final.err" || {
    cat "$WORK/final.out" "$WORK/final.err" >&2; fail "the final ingest failed"; }
  sweep_ingest "$LAKE" > /dev/null
}

sweep_check() {
  local total dups files left rejected
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
}
