#!/usr/bin/env bash
# disk_full_sweep.sh ATOLL ROUNDS FILES WORK_DIR
#
# `atoll ingest` on a disk that fills up. The lake lives on a tmpfs of 64 MiB mounted at
# WORK_DIR/disk (needs root; without it the sweep says so and exits 77, "skipped"), and
# in every one of ROUNDS rounds the next files (sweep_lib.sh) are dropped, a ballast file
# leaves a random 0-512 KiB free, and `atoll ingest` runs; half of the rounds also put
# the ingest's scratch folder (TMPDIR) on the full disk. An ingest may fail, but then it
# must say which table failed and that the disk is full, and the lake's tables must stay
# readable. After the last round the ballast goes, a final ingest runs, and the
# exactly-once checks must hold: nothing was lost or half-committed.
set -euo pipefail
ATOLL=${1:?usage: disk_full_sweep.sh ATOLL ROUNDS FILES WORK_DIR}
ROUNDS=${2:?}
FILES=${3:?}
WORK=${4:?}
SWEEP_NAME=disk-full
DISK=$WORK/disk
LAKE=$DISK/lake
CATALOG=in-bucket
source "$(dirname "$0")/sweep_lib.sh"

if mountpoint -q "$DISK" 2> /dev/null; then umount "$DISK"; fi
rm -rf "$WORK"
mkdir -p "$WORK/input" "$DISK"
if ! mount -t tmpfs -o size=64m tmpfs "$DISK" 2> "$WORK/mount.err"; then
  log "SKIP: cannot mount a tmpfs here ($(cat "$WORK/mount.err")); the sweep needs root"
  exit 77
fi
trap 'umount "$DISK" 2> /dev/null || true' EXIT
"$ATOLL" init "$LAKE" > /dev/null
sweep_generate "$FILES"

free_kib() { df --output=avail -k "$DISK" | tail -1 | tr -d ' '; }
per_round=$(( (FILES + ROUNDS - 1) / ROUNDS ))
failed=0
for r in $(seq 1 "$ROUNDS"); do
  sweep_drop "$per_round"
  leave=$((RANDOM % 512))
  fill=$(( $(free_kib) - leave ))
  [ "$fill" -gt 0 ] && { fallocate -l "${fill}k" "$DISK/ballast" 2> /dev/null ||
                         dd if=/dev/zero of="$DISK/ballast" bs=1k count="$fill" status=none 2> /dev/null || true; }
  tmp=$WORK/scratch
  [ $((r % 2)) = 0 ] && tmp=$DISK/scratch
  mkdir -p "$tmp"
  if ! TMPDIR=$tmp sweep_ingest "$LAKE" > "$WORK/round.out" 2> "$WORK/round.err"; then
    failed=$((failed + 1))
    if grep -qi "no space\|disk full\|ENOSPC" "$WORK/round.err"; then
      grep -Eq "sweep\.(orders|events)|(stg|trail|stats|log)\.atoll\.[a-z]+|the audit table" "$WORK/round.err" ||
        { cat "$WORK/round.err" >&2; fail "round $r: a disk-full error that names no table"; }
    fi
    cp "$WORK/round.err" "$WORK/failed-round-$r.err"
  fi
  rm -f "$DISK/ballast"
  rm -rf "$DISK/scratch"
  # The tables stay readable after a failed run.
  for t in orders events; do
    if "$ATOLL" ls "$LAKE/stg/sweep/$t/metadata/" > /dev/null 2>&1; then
      "$ATOLL" query "$LAKE" "SELECT count(*) FROM stg.sweep.$t" --format csv > /dev/null 2> "$WORK/q.err" ||
        { cat "$WORK/q.err" >&2; fail "round $r: stg.sweep.$t cannot be read after the run"; }
    fi
  done
done
sweep_drop_all
log "$ROUNDS ingests on a full disk, $failed failed; final ingest with room"
sweep_final_ingest
sweep_check
log "PASS: $ROWS rows from $((FILES - BROKEN)) files exactly once, $BROKEN rejected; $failed of $ROUNDS ingests failed on the full disk"
