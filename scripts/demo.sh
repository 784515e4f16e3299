#!/usr/bin/env bash
# demo.sh ATOLL_BINARY - the ingest demo on a local-directory lake: generate a small shop
# dataset (orders as CSV, customers as NDJSON, web events as Parquet), drop it into the
# lake, ingest it into Iceberg tables and query them, then serve them as an Iceberg REST
# catalog to a JavaScript client. Everything lives under .state/demo
# (recreated on each run). Exits non-zero on any failure, including a wrong count.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ATOLL=$(cd "$(dirname "${1:?usage: demo.sh ATOLL_BINARY}")" && pwd)/$(basename "$1")
DEMO=$ROOT/.state/demo
[ -x "$ATOLL" ] || { echo "demo: $ATOLL is not an executable" >&2; exit 1; }

section() { printf '\n== %s ==\n' "$*"; }
run() { printf '$ atoll %s\n' "$*"; "$ATOLL" "$@"; }
# expect LABEL SQL VALUE: the query's single value must be VALUE.
expect() {
  local got
  got=$("$ATOLL" query lake "$2" --format csv | tail -n +2)
  if [ "$got" != "$3" ]; then
    echo "demo: $1: expected $3, got '$got'" >&2
    exit 1
  fi
  echo "ok: $1 = $got"
}

rm -rf "$DEMO"
mkdir -p "$DEMO/input"
cd "$DEMO"

section "A lake in ./lake"
run init lake

section "Generating a small shop dataset in ./input"
# Orders: two CSV exports of 300 and 200 rows.
for part in 1 2; do
  start=$(( part == 1 ? 1 : 301 )); end=$(( part == 1 ? 300 : 500 ))
  {
    echo "order_id,customer_id,amount,ordered_at"
    for i in $(seq "$start" "$end"); do
      printf '%d,%d,%d.%02d,2024-05-%02d %02d:%02d:00\n' "$i" $((i % 50 + 1)) $((i * 7 % 400)) $((i % 100)) \
        $((i % 28 + 1)) $((i % 24)) $((i % 60))
    done
  } > "input/orders-part$part.csv"
done
# Customers: 50 NDJSON documents with a nested address.
for i in $(seq 1 50); do
  country=$([ $((i % 3)) = 0 ] && echo PT || { [ $((i % 3)) = 1 ] && echo NL || echo DE; })
  printf '{"customer_id": %d, "name": "customer %d", "address": {"city": "city %d", "country": "%s"}}\n' \
    "$i" "$i" $((i % 7)) "$country"
done > input/customers.ndjson
# Web events: 2,000 rows of Parquet, written by atoll's embedded DuckDB.
"$ATOLL" query lake "COPY (SELECT range AS event_id, range % 50 + 1 AS customer_id,
    ['view', 'cart', 'buy'][range % 3 + 1] AS kind,
    TIMESTAMP '2024-05-01' + INTERVAL (range * 17) MINUTE AS at
  FROM range(2000)) TO 'input/events.parquet' (FORMAT parquet)" --format csv > /dev/null
ls -l input | tail -n +2 | awk '{ printf "  %-22s %8d bytes\n", $9, $5 }'

section "Dropping the files into the lake (any tool would do: cp, aws s3 cp, an export job)"
run cp input/orders-part1.csv lake/prepare/shop/orders/orders-part1.csv
run cp input/orders-part2.csv lake/prepare/shop/orders/orders-part2.csv
run cp input/customers.ndjson lake/prepare/shop/customers/customers.ndjson
run cp input/events.parquet lake/load/web/events/events.parquet
run cp input/events.parquet lake/load/web/events/zz-truncated.parquet
truncate -s 100 lake/load/web/events/zz-truncated.parquet

section "Ingesting: prepare/ (CSV straight in; NDJSON via load/) and load/ -> Iceberg tables in stg/"
# Exit status 3: the run finished, but the truncated file went to _rejected/.
status=0
run ingest lake || status=$?
[ "$status" = 3 ] || { echo "demo: ingest exited with $status, expected 3 (one file rejected)" >&2; exit 1; }

section "The lake's tables"
run tables lake

section "Queries (tables are named <zone>.<db>.<table>)"
run query lake "SELECT count(*) AS orders, round(sum(amount), 2) AS revenue FROM stg.shop.orders"
run query lake "SELECT c.address.country AS country, count(*) AS orders, round(sum(o.amount), 2) AS revenue
  FROM stg.shop.orders o JOIN stg.shop.customers c USING (customer_id)
  GROUP BY 1 ORDER BY revenue DESC"
run query lake "SELECT kind, count(*) AS events FROM stg.web.events GROUP BY kind ORDER BY kind"

section "Checking the counts"
expect "orders" "SELECT count(*) FROM stg.shop.orders" 500
expect "distinct order ids" "SELECT count(DISTINCT order_id) FROM stg.shop.orders" 500
expect "customers" "SELECT count(*) FROM stg.shop.customers" 50
expect "events" "SELECT count(*) FROM stg.web.events" 2000
expect "orders without a customer" \
  "SELECT count(*) FROM stg.shop.orders o ANTI JOIN stg.shop.customers c USING (customer_id)" 0
expect "files left in load/ and prepare/ (the folders stay, kept by a hidden .atoll-keep)" \
  "SELECT count(*) FROM (SELECT file FROM glob('lake/load/**') UNION ALL SELECT file FROM glob('lake/prepare/**')) WHERE file NOT LIKE '%/.atoll-keep'" 0
[ -f lake/_rejected/load/web/events/zz-truncated.parquet.error.json ] || {
  echo "demo: the truncated file was not rejected" >&2; exit 1; }
echo "ok: the truncated file is in _rejected/ with its reason:"
sed 's/^/    /' lake/_rejected/load/web/events/zz-truncated.parquet.error.json

section "The lake's tamper-evident trail (every commit recorded; key kept outside the lake)"
run trail keygen trail-key.pem
ATOLL_TRAIL_KEY=$DEMO/trail-key.pem run trail checkpoint lake
ATOLL_TRAIL_KEY=$DEMO/trail-key.pem run trail verify lake
run query lake "SELECT operation, count(*) AS records FROM trail.atoll.audit GROUP BY 1 ORDER BY 1"
expect "ingest batches in the trail" \
  "SELECT count(*) FROM trail.atoll.audit WHERE operation = 'ingest_batch'" 3

section "The lake records itself: statistics, log events and saved queries, as tables"
run stats lake
run stats lake shop.orders --columns
expect "rows in the statistics of stg.shop.orders" \
  "SELECT record_count FROM stats.atoll.tables WHERE table_name = 'stg.shop.orders'
   QUALIFY row_number() OVER (ORDER BY committed_at DESC) = 1" 500
run query lake "SELECT level, coalesce(table_name, '(run)') AS table_name, message FROM log.atoll.events ORDER BY time"
expect "rejects in the log" \
  "SELECT json_extract_string(fields, '$.source') FROM log.atoll.events WHERE level = 'warn'" \
  load/web/events/zz-truncated.parquet
printf '$ atoll query lake "SELECT kind, count(*) ..." --save\n'
"$ATOLL" query lake "SELECT kind, count(*) AS events FROM stg.web.events GROUP BY kind ORDER BY kind" \
  --save 2> saved.txt
cat saved.txt
QUERY_ID=$(awk '/saved query/ { print $4 }' saved.txt)
ls "lake/queries/$QUERY_ID"
run query lake --show "$QUERY_ID" --format csv
expect "rows of the saved result" "SELECT count(*) FROM 'lake/queries/$QUERY_ID/result.parquet'" 3

section "Ingesting again is a no-op"
run ingest lake
expect "statistics rows after the no-op" "SELECT count(*) FROM stats.atoll.tables" 3

section "The lake as an Iceberg REST catalog (atoll serve)"
printf '$ atoll token create lake --name demo --scope read\n'
TOKEN=$("$ATOLL" token create lake --name demo --scope read 2>/dev/null)
printf '$ atoll serve lake --listen 127.0.0.1:0 &\n'
"$ATOLL" serve lake --listen 127.0.0.1:0 2> serve.log &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q "listening on" serve.log && break; sleep 0.1; done
URI=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' serve.log)
echo "serving $URI"
MODULES=$ROOT/.deps/node/node_modules
if command -v node > /dev/null && [ -f "$MODULES/iceberg-js/dist/index.mjs" ]; then
  echo "iceberg-js (a JavaScript REST client) lists and loads the tables:"
  URI=$URI TOKEN=$TOKEN MODULES=$MODULES node --input-type=module -e '
    const { IcebergRestCatalog } = await import(process.env.MODULES + "/iceberg-js/dist/index.mjs")
    const c = new IcebergRestCatalog({ baseUrl: process.env.URI, auth: { type: "bearer", token: process.env.TOKEN } })
    for (const { namespace } of (await c.listNamespaces({ parent: { namespace: ["stg"] } })).namespaces) {
      for (const id of (await c.listTables({ namespace })).identifiers) {
        const md = await c.loadTable(id)
        const snap = md.snapshots.find(s => s["snapshot-id"] === md["current-snapshot-id"])
        console.log(`  ${id.namespace.join(".")}.${id.name}: ${md.schemas.at(-1).fields.length} columns, ${snap?.summary["total-records"] ?? 0} rows, ${md.snapshots.length} snapshots`)
      }
    }
    await c.createNamespace({ namespace: ["stg", "x"] }).catch(e => console.log(`  a read token may not create a namespace: ${e.status} ${e.icebergType}`))'
else
  echo "(node or iceberg-js missing: curl instead)"
  curl -s -H "Authorization: Bearer $TOKEN" "$URI/v1/namespaces?parent=stg"; echo
fi
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; trap - EXIT
tail -1 serve.log

section "Done: the lake is $DEMO/lake"
