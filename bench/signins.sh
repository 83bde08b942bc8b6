#!/usr/bin/env bash
# bench/signins.sh — sign-in log throughput and replay cost (BENCHMARKS.md,
# "Sign-in log throughput and replay memory").
#
#   bench/signins.sh [RECORDS] [RSS_RECORDS]      (defaults 10000000 and 1000000)
#
# Builds (release) the caac binary, the `signins` bench program and the
# `signins_gen` example, then, for both dialects (Graph pages `graph`, Log
# Analytics CSV `csv`) of a generated log of RECORDS records (seed 1, made on
# the fly, never written to disk):
#   gen          the generator alone (every other row includes it)
#   floor        serde_json into IgnoredAny (graph) / the csv crate's ByteRecord (csv)
#   floor-lines  graph only: lines into a reused buffer, serde_json::from_slice into IgnoredAny
#   read         caac::signins::read::read_from
#   map          read + Record::from_fields + Record::sign_in
#   replay       signins_gen | caac replay --signins /dev/stdin (starter policies/, human output)
# and peak RSS of `caac replay -f json -o FILE` at RSS_RECORDS and 10× fewer
# records (memory must not grow with records).
# CPU seconds (user + system, /usr/bin/time) are the measure: this machine is
# shared, so wall time is reported beside them but not used for rates.
# Prints a markdown table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
M=${2:-1000000}
nice -n 10 cargo build --release --locked --bin caac --bench signins --example signins_gen >&2
BENCH=$(ls -t target/release/deps/signins-* | grep -v '\.d$' | head -1)
GEN=target/release/examples/signins_gen
CAAC=target/release/caac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "| stage | dialect | records | MB | CPU s | wall s | MB/s (CPU) | records/s (CPU) | peak RSS MB |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
row() { # stage dialect records bytes timefile
    read -r user sys wall rss < "$5"
    awk -v s="$1" -v d="$2" -v n="$3" -v b="$4" -v u="$user" -v y="$sys" -v w="$wall" -v r="$rss" 'BEGIN {
        c = u + y; printf "| %s | %s | %d | %.0f | %.1f | %.1f | %.1f | %.0f | %.0f |\n", s, d, n, b / 1e6, c, w, b / 1e6 / c, n / c, r / 1024 }'
}
for d in graph csv; do
    bytes=$("$GEN" "$d" 100000 | wc -c)
    bytes=$(( bytes * N / 100000 ))
    for s in gen floor floor-lines read map; do
        [ "$s" = floor-lines ] && [ "$d" = csv ] && continue
        nice -n 10 /usr/bin/time -o "$T/t" -f '%U %S %e %M' "$BENCH" "$s" "$d" "$N" > "$T/out"
        row "$s" "$d" "$N" "$(cut -f3 "$T/out")" "$T/t"
    done
    nice -n 10 /usr/bin/time -o "$T/t" -f '%U %S %e %M' bash -c "'$GEN' $d $N | '$CAAC' replay --signins /dev/stdin > '$T/replay.txt' || [ \$? = 1 ]"
    row "replay (gen + caac)" "$d" "$N" "$bytes" "$T/t"
done
echo
echo "| caac replay -f json -o FILE | records | peak RSS MB | output MB |"
echo "|---|---:|---:|---:|"
for n in $(( M / 10 )) "$M"; do
    nice -n 10 /usr/bin/time -o "$T/t" -f '%U %S %e %M' bash -c "'$GEN' graph $n | '$CAAC' replay --signins /dev/stdin -f json -o '$T/report.json' || [ \$? = 1 ]"
    read -r _ _ _ rss < "$T/t"
    echo "| graph | $n | $(( rss / 1024 )) | $(( $(stat -c %s "$T/report.json") / 1000000 )) |"
    rm -f "$T/report.json"
done
