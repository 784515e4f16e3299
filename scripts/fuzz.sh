#!/usr/bin/env bash
# scripts/fuzz.sh <target> [seconds] [extra libFuzzer flags...]
#
# Builds a libFuzzer target with clang (-fsanitize=fuzzer,address,undefined) into
# build-fuzz/ (separate from the CMake build dirs) and runs it for `seconds` (default
# 60) on a corpus in build-fuzz/<target>_corpus seeded from ../shared/testdata. Crash
# reproducers land in build-fuzz/<target>_artifacts/. Exit status is libFuzzer's
# (non-zero when it found a crash, leak or timeout).
#
# Targets: orc (fuzz/orc_fuzz.cc: arbitrary bytes as an ORC file), jinja
# (fuzz/jinja_fuzz.cc: arbitrary bytes as a Jinja template, seeded from tests/jinja/corpus).
set -euo pipefail

target=${1:?usage: scripts/fuzz.sh <target> [seconds] [libFuzzer flags...]}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build-fuzz
testdata=${ATOLL_TESTDATA:-$root/../shared/testdata}
mkdir -p "$out"

case $target in
  orc)
    sources=("$root"/src/atoll/formats/orc/*.cc
             "$root/src/atoll/common/status.cc" "$root/fuzz/orc_fuzz.cc")
    libs=(-lz -lzstd -lsnappy -llz4 -llzo2)
    seeds=("$testdata"/orc/*.orc "$testdata"/iceberg/impala/iceberg_v2_no_deletes_orc/data/*.orc)
    ;;
  jinja)
    sources=("$root"/src/atoll/jinja/*.cc "$root/src/atoll/common/status.cc" "$root/fuzz/jinja_fuzz.cc")
    libs=()
    seeds=("$root"/tests/jinja/corpus/*.j2 "$root"/tests/jinja/corpus/_lib/*.sql)
    ;;
  *) echo "unknown fuzz target '$target' (known: orc, jinja)" >&2; exit 2 ;;
esac

binary=$out/${target}_fuzz
newest_source=$(ls -t "${sources[@]}" "$root"/src/atoll/formats/orc/*.h "$root"/src/atoll/jinja/*.h | head -1)
if [[ ! -x $binary || $newest_source -nt $binary ]]; then
  echo "building $binary"
  clang++ -std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -I"$root/src" -I/usr/include/lzo "${sources[@]}" ${libs[@]+"${libs[@]}"} -o "$binary"
fi

corpus=$out/${target}_corpus
artifacts=$out/${target}_artifacts
mkdir -p "$corpus" "$artifacts"
for s in "${seeds[@]}"; do
  [[ -s $s ]] && cp -n "$s" "$corpus/" 2>/dev/null || true
done

exec "$binary" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -max_len=262144 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "$@"
