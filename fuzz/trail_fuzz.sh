#!/bin/sh
# Builds the trail parser fuzzer with clang's libFuzzer (plus ASan/UBSan) and runs it for
# $1 seconds (default 60) on a corpus seeded with valid records, segments and checkpoints.
# Usage: fuzz/trail_fuzz.sh [seconds] [build dir]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
secs=${1:-60}
out=${2:-$root/build-trail-fuzz}
mkdir -p "$out/corpus"
src="$root/src/atoll/trail"
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -I"$root/src" \
  "$here/trail_fuzz.cc" "$src/hash.cc" "$src/record.cc" "$src/segment.cc" "$src/checkpoint.cc" \
  "$root/src/atoll/common/status.cc" "$root/src/atoll/common/clock.cc" -lcrypto -o "$out/trail_fuzz"
clang++ -std=c++20 -O1 -I"$root/src" "$here/trail_fuzz_seeds.cc" "$src/hash.cc" "$src/record.cc" \
  "$src/segment.cc" "$src/checkpoint.cc" "$root/src/atoll/common/status.cc" "$root/src/atoll/common/clock.cc" -lcrypto -o "$out/trail_fuzz_seeds"
"$out/trail_fuzz_seeds" "$out/corpus"
"$out/trail_fuzz" -max_total_time="$secs" -max_len=4096 "$out/corpus"
