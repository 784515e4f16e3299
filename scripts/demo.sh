#!/usr/bin/env bash
# demo.sh ATOLL_BINARY - a short, real demonstration of atoll on a local-directory bucket.
# Everything lives under .state/demo (recreated on each run). Exits non-zero on any failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ATOLL=$(cd "$(dirname "${1:?usage: demo.sh ATOLL_BINARY}")" && pwd)/$(basename "$1")
DEMO=$ROOT/.state/demo
[ -x "$ATOLL" ] || { echo "demo: $ATOLL is not an executable" >&2; exit 1; }

section() { printf '\n== %s ==\n' "$*"; }
run() { printf '$ atoll %s\n' "$*"; "$ATOLL" "$@"; }

rm -rf "$DEMO"
mkdir -p "$DEMO/input/orders" "$DEMO/input/customers"
cd "$DEMO"

section "atoll version"
run version

section "Generating sample files in $DEMO/input"
{
  echo "order_id,customer_id,amount,ordered_at"
  for i in $(seq 1 500); do
    printf '%d,%d,%d.%02d,2024-05-%02d\n' "$i" $((i % 37)) $((i * 7 % 400)) $((i % 100)) $((i % 28 + 1))
  done
} > input/orders/orders-2024-05.csv
for i in $(seq 1 50); do
  printf '{"customer_id": %d, "name": "customer %d", "country": "%s"}\n' "$i" "$i" \
    "$( [ $((i % 2)) = 0 ] && echo PT || echo NL )"
done > input/customers/customers.ndjson
head -c $((24 * 1024 * 1024)) /dev/urandom > input/orders/archive.bin
find input -type f -printf '  %p (%s bytes)\n' | sort

section "Copying them into the bucket ./bucket (prepare/shop/)"
run cp -r input bucket/prepare/shop/

section "Listing the bucket"
run ls bucket/prepare/shop/
run ls --recursive bucket

section "One object as JSON"
run ls --json bucket/prepare/shop/orders/orders-2024-05.csv

section "Copying an object back out and checking its bytes"
run cp bucket/prepare/shop/orders/archive.bin roundtrip.bin
cmp input/orders/archive.bin roundtrip.bin
echo "roundtrip.bin is identical to input/orders/archive.bin"

section "A missing location is an error (exit status 1)"
set +e
"$ATOLL" ls bucket/prepare/nowhere
status=$?
set -e
echo "exit status: $status"
[ "$status" = 1 ]

section "Done: the bucket is $DEMO/bucket"
