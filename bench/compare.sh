#!/usr/bin/env bash
# bench/compare.sh — one benchmark run of the caac binary (see BENCHMARKS.md).
#
#   bench/compare.sh [--sizes "200 2000 20000"] [--work DIR] [--jsonschema-max N] [--no-jsonschema]
#
# For each size it generates (bench/generate.py, seed 1) a policy repository and
# measures, on the same files:
#   floor        bare YAML parse of every spec with caac's parser and options
#                (benches/parse_floor.rs, serde-saphyr into serde_json::Value, rayon)
#   floor+spans  the same through caac::load::parse_text (value + span map)
#   lint         caac lint policies --tenant tenant.yaml --format json  (stdout to /dev/null)
#   build        caac build policies --tenant tenant.yaml --out <tmp>   (lint + compile + write)
#   jsonschema   check-jsonschema --schemafile schemas/policy.schema.json policies/*.yaml
#                (PyPI, in bench/.venv; only up to --jsonschema-max policies, default all)
#   floor-json   bare serde_json parse of every Graph export (exports/*.json, the
#                same policies as Graph bodies): parse_floor --json
#   json-load    the same files through caac::load::parse_text (the JSON fast
#                path: serde_json, spans built lazily) — parse_floor --json --spans
#   json-yaml    the same files through the YAML parser with spans, the path
#                exports took before (parse_floor --json --spans --via-yaml)
#   lint-json    caac lint exports --tenant tenant.yaml --format json (the
#                Graph-export path), reported against floor-json
# Wall time: hyperfine (mean of several runs) when installed, else one
# /usr/bin/time run. Peak RSS: one `/usr/bin/time -f '%e %M'` run per command.
# Also: one-file `caac lint` wall time including process start (hyperfine,
# many runs) against `caac --version` (process start alone), and peak RSS
# against input size. Every ratio is CPU and wall from the same run.
#
# Prints a markdown report on stdout; raw numbers go to $WORK/results.tsv.
# Builds with `cargo build --release` and `cargo bench --no-run --bench parse_floor`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
sizes="200 2000 20000"
work=""
js_max=20000
js=1
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --jsonschema-max) js_max=$2; shift 2 ;;
    --no-jsonschema) js=0; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
work=${work:-$(mktemp -d "${TMPDIR:-/tmp}/caac-bench.XXXXXX")}
mkdir -p "$work"
log() { echo "compare.sh: $*" >&2; }

# --- build --------------------------------------------------------------------
cd "$repo"
log "building release binary and the parse floor"
cargo build --release --locked --quiet
caac="$repo/target/release/caac"
floor=$(cargo bench --locked --no-run --bench parse_floor --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "parse_floor" and m.get("executable"):
        print(m["executable"])')
[ -x "$floor" ] || { echo "parse_floor was not built" >&2; exit 1; }

# --- tools ----------------------------------------------------------------------
have_hyperfine=0
command -v hyperfine >/dev/null && have_hyperfine=1
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install -y time)" >&2; exit 1; }
if [ "$js" = 1 ]; then
  venv="$here/.venv"
  if [ ! -x "$venv/bin/check-jsonschema" ]; then
    log "creating $venv with check-jsonschema"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet check-jsonschema
  fi
  cjs="$venv/bin/check-jsonschema"
  cjs_version=$("$cjs" --version 2>&1 | sed -n 1p)
fi

results="$work/results.tsv"
: >"$results"

# measure NAME SIZE RUNS COMMAND... : mean wall seconds (hyperfine) and peak RSS KiB.
# The command runs in $dir; a non-zero exit is accepted (lint exits 1 on findings)
# but exit 2 (input error) aborts.
measure() {
  local name=$1 size=$2 runs=$3; shift 3
  local cmd="$*"
  local rc=0
  (cd "$dir" && /usr/bin/time -f '%e %M %U %S' -o "$work/time.txt" bash -c "exec $cmd" >/dev/null 2>"$work/stderr.txt") || rc=$?
  if [ "$rc" -ge 2 ]; then
    echo "error: '$cmd' exited $rc" >&2
    tail -20 "$work/stderr.txt" >&2
    exit 1
  fi
  local t1 rss u s
  # GNU time prefixes "Command exited with non-zero status N" on failure: the numbers are the last line.
  read -r t1 rss u s < <(tail -n 1 "$work/time.txt")
  local mean=$t1 sd=0 cpu
  cpu=$(python3 -c "print($u + $s)")
  if [ "$have_hyperfine" = 1 ] && [ "$runs" -gt 1 ]; then
    (cd "$dir" && hyperfine --style none --ignore-failure --warmup 1 --runs "$runs" \
      --export-json "$work/hf.json" "$cmd" >/dev/null 2>&1)
    read -r mean sd cpu < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["mean"], r["stddev"] or 0, r["user"] + r["system"])' "$work/hf.json")
  fi
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$size" "$mean" "$sd" "$rss" "$runs" "$load" "$cpu" >>"$results"
  log "$(printf '%-12s %6s  %8.3fs ±%.3f  cpu %7.3fs  %7d KiB  load %s' "$name" "$size" "$mean" "$sd" "$cpu" "$rss" "$load")"
}

declare -A bytes jbytes
for n in $sizes; do
  dir="$work/n$n"
  if [ ! -f "$dir/.generated" ]; then
    log "generating $n policies in $dir"
    python3 "$here/generate.py" --count "$n" --out "$dir" --seed 1 --caac "$caac" >&2
    touch "$dir/.generated"
  fi
  bytes[$n]=$(find "$dir/policies" -name '*.yaml' -print0 | xargs -0 cat | wc -c)
  case $n in
    200) runs=10 ;;
    2000) runs=5 ;;
    *) runs=3 ;;
  esac
  # The lint/build commands must not fail on input errors (exit 2); lint exits 1
  # on the set-level findings a synthetic set has (CA718 policy-count-limit, …).
  measure floor "$n" "$runs" "$floor policies"
  measure floor+spans "$n" "$runs" "$floor --spans policies"
  measure lint "$n" "$runs" "$caac --color never lint policies --tenant tenant.yaml --config .caac.yaml --format json"
  measure build "$n" "$runs" "$caac --color never build policies --tenant tenant.yaml --config .caac.yaml --out $work/out-$n"
  if [ -d "$dir/exports" ]; then
    jbytes[$n]=$(find "$dir/exports" -name '*.json' -print0 | xargs -0 cat | wc -c)
    measure floor-json "$n" "$runs" "$floor --json exports"
    measure json-load "$n" "$runs" "$floor --json --spans exports"
    measure json-yaml "$n" "$runs" "$floor --json --spans --via-yaml exports"
    measure lint-json "$n" "$runs" "$caac --color never lint exports --tenant tenant.yaml --config .caac.yaml --format json"
  fi
  [ "$(ls "$work/out-$n" | wc -l)" -eq $((n + 1)) ] || { echo "build wrote $(ls "$work/out-$n" | wc -l) files, expected $((n + 1))" >&2; exit 1; }
  if [ "$js" = 1 ] && [ "$n" -le "$js_max" ]; then
    # check-jsonschema is slow: 3 runs at the smallest size, one run above.
    jruns=$(( n <= 200 ? 3 : 1 ))
    measure jsonschema "$n" "$jruns" "$cjs --schemafile $repo/schemas/policy.schema.json policies/*.yaml"
  fi
done

# --- one file, including process start ------------------------------------------
# `sed -n 1p`, not `head -1`: head closing the pipe early kills the writer
# with SIGPIPE, which `set -o pipefail` turns into an exit (status 141).
small=$(echo "$sizes" | tr ' ' '\n' | sort -n | sed -n 1p)
dir="$work/n$small"
one=$(ls "$dir/policies" | sed -n 1p)
one_bytes=$(wc -c <"$dir/policies/$one")
onecmd="$caac --color never lint policies/$one --tenant tenant.yaml --config .caac.yaml --partial"
if [ "$have_hyperfine" = 1 ]; then
  (cd "$dir" && hyperfine --style none --ignore-failure -N --warmup 20 --runs 200 \
    --export-json "$work/hf-one.json" "$onecmd" >/dev/null 2>&1) ||
  (cd "$dir" && hyperfine --style none --ignore-failure --warmup 20 --runs 200 \
    --export-json "$work/hf-one.json" "$onecmd" >/dev/null 2>&1)
  read -r one_mean one_sd one_min one_max < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["mean"], r["stddev"], r["min"], r["max"])' "$work/hf-one.json")
else
  one_mean=NA one_sd=NA one_min=NA one_max=NA
fi
ver_mean=NA
if [ "$have_hyperfine" = 1 ]; then
  (cd "$dir" && hyperfine --style none -N --warmup 20 --runs 200 \
    --export-json "$work/hf-ver.json" "$caac --version" >/dev/null 2>&1) &&
  read -r ver_mean < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["mean"])' "$work/hf-ver.json")
fi
(cd "$dir" && /usr/bin/time -f '%e %M' -o "$work/time.txt" $onecmd >/dev/null 2>&1) || true
read -r _ one_rss < <(tail -n 1 "$work/time.txt")

# --- report -----------------------------------------------------------------------
export SIZES="$sizes" WORK="$work" ONE="$one" ONE_BYTES="$one_bytes" ONE_MEAN="$one_mean" \
  ONE_SD="$one_sd" ONE_MIN="$one_min" ONE_MAX="$one_max" ONE_RSS="$one_rss" \
  VER_MEAN="$ver_mean" HAVE_HF="$have_hyperfine" CJS_VERSION="${cjs_version:-not run}" JS_MAX="$js_max" JS="$js"
for n in $sizes; do export "BYTES_$n=${bytes[$n]}" "JBYTES_$n=${jbytes[$n]:-0}"; done
python3 - "$results" <<'PY'
import os, sys
rows = {}
for line in open(sys.argv[1]):
    name, size, mean, sd, rss, runs, load, cpu = line.rstrip("\n").split("\t")
    rows[(name, int(size))] = (float(mean), float(sd), int(rss), int(runs), float(load), float(cpu))
sizes = [int(s) for s in os.environ["SIZES"].split()]
one_rss = int(os.environ["ONE_RSS"])

def t(name, n):
    r = rows.get((name, n))
    return "—" if r is None else (f"{r[0]*1000:.0f} ms" if r[0] < 10 else f"{r[0]:.1f} s")

def ratio(a, b, n):
    ra, rb = rows.get((a, n)), rows.get((b, n))
    return "—" if not ra or not rb else f"{ra[0]/rb[0]:.2f}×"

def both(n):
    l, b, f = rows.get(("lint", n)), rows.get(("build", n)), rows.get(("floor", n))
    return "—" if not (l and b and f) else f"{(l[0]+b[0])/f[0]:.2f}×"

print(f"Work dir: `{os.environ['WORK']}`; wall = {'hyperfine mean' if os.environ['HAVE_HF']=='1' else 'one /usr/bin/time run'}; RSS = peak resident set (`/usr/bin/time -f '%e %M'`).\n")
print("| policies | input | floor (bare parse) | floor + spans | caac lint | caac build | check-jsonschema | build ÷ floor | lint ÷ floor | (lint + build) ÷ floor | check-jsonschema ÷ lint |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in sizes:
    kb = int(os.environ[f"BYTES_{n}"]) / 1024
    inp = f"{kb:.0f} KiB" if kb < 1024 else f"{kb/1024:.1f} MiB"
    print(f"| {n:,} | {inp} | {t('floor',n)} | {t('floor+spans',n)} | {t('lint',n)} | {t('build',n)} | {t('jsonschema',n)} "
          f"| {ratio('build','floor',n)} | {ratio('lint','floor',n)} | {both(n)} | {ratio('jsonschema','lint',n)} |")
print()
print("CPU time (user + system, all threads; less sensitive to other load than wall time):\n")
print("| policies | floor | floor + spans | caac lint | caac build | check-jsonschema | build ÷ floor | lint ÷ floor | check-jsonschema ÷ lint |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
def c(name, n):
    r = rows.get((name, n))
    return "—" if r is None else (f"{r[5]*1000:.0f} ms" if r[5] < 10 else f"{r[5]:.1f} s")
def cr(a, b, n):
    ra, rb = rows.get((a, n)), rows.get((b, n))
    return "—" if not ra or not rb else f"{ra[5]/rb[5]:.2f}×"
for n in sizes:
    print(f"| {n:,} | {c('floor',n)} | {c('floor+spans',n)} | {c('lint',n)} | {c('build',n)} | {c('jsonschema',n)} | {cr('build','floor',n)} | {cr('lint','floor',n)} | {cr('jsonschema','lint',n)} |")
if any(k[0] == "lint-json" for k in rows):
    print("\nGraph exports (`exports/*.json`, the same policies as Graph bodies): `caac lint exports` against a bare serde_json parse of the same files, wall and CPU:\n")
    print("| policies | input | serde_json floor, wall / CPU | caac load (JSON path), wall / CPU | YAML-parser load (old path), wall / CPU | caac lint exports, wall / CPU | lint ÷ floor, wall | lint ÷ floor, CPU |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        if ("lint-json", n) not in rows:
            continue
        kb = int(os.environ[f"JBYTES_{n}"]) / 1024
        inp = f"{kb:.0f} KiB" if kb < 1024 else f"{kb/1024:.1f} MiB"
        print(f"| {n:,} | {inp} | {t('floor-json',n)} / {c('floor-json',n)} | {t('json-load',n)} / {c('json-load',n)} "
              f"| {t('json-yaml',n)} / {c('json-yaml',n)} | {t('lint-json',n)} / {c('lint-json',n)} "
              f"| {ratio('lint-json','floor-json',n)} | {cr('lint-json','floor-json',n)} |")
loads = [r[4] for r in rows.values()]
print(f"\n1-minute load average when each measurement ended: {min(loads):.1f}–{max(loads):.1f} (2 cores: above 2 means other work competed).")
print("Runs per mean: " + ", ".join(f"{k[0]}@{k[1]}={v[3]}" for k, v in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0]))) + ".")
print()
print("Peak RSS (MiB) and RSS ÷ input; *net* subtracts the one-file lint RSS (process baseline):\n")
print("| policies | input | floor | lint | build | build RSS ÷ input | build net ÷ input | check-jsonschema |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in sizes:
    b = int(os.environ[f"BYTES_{n}"])
    def m(name):
        r = rows.get((name, n))
        return "—" if r is None else f"{r[2]/1024:.1f}"
    br = rows.get(("build", n))
    raw = f"{br[2]*1024/b:.1f}×" if br else "—"
    net = f"{(br[2]-one_rss)*1024/b:.1f}×" if br else "—"
    print(f"| {n:,} | {b/1024/1024:.2f} MiB | {m('floor')} | {m('lint')} | {m('build')} | {raw} | {net} | {m('jsonschema')} |")
print()
om = os.environ["ONE_MEAN"]
if om != "NA":
    print(f"One-file lint (`{os.environ['ONE']}`, {os.environ['ONE_BYTES']} bytes, with tenant and config; hyperfine -N, 200 runs): "
          f"mean {float(om)*1000:.2f} ms ± {float(os.environ['ONE_SD'])*1000:.2f}, min {float(os.environ['ONE_MIN'])*1000:.2f} ms, "
          f"max {float(os.environ['ONE_MAX'])*1000:.2f} ms; peak RSS {one_rss/1024:.1f} MiB.")
    vm = os.environ["VER_MEAN"]
    if vm != "NA":
        print(f"`caac --version` (process start alone; hyperfine -N, 200 runs): mean {float(vm)*1000:.2f} ms; "
              f"one-file lint ÷ `--version`: {float(om)/float(vm):.2f}×.")
if os.environ["JS"] == "1":
    print(f"\ncheck-jsonschema: {os.environ['CJS_VERSION']}; run for sizes ≤ {int(os.environ['JS_MAX']):,}.")
PY
