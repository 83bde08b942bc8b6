#!/usr/bin/env bash
# The packaging and CI-file checks of .ci/run (issue 15), each timed:
#   1. wheel     maturin builds the caac wheel, a fresh virtualenv installs it,
#                and the installed `caac` must print its version and lint the
#                starter set clean;
#   2. zizmor    action.yml, .github/workflows/*.yml and examples/ci/*.yml
#                have no high finding;
#   3. yaml      every CI file is valid YAML with the keys its runner needs,
#                and ShellCheck passes on every bash script inside them
#                (tools/ci/check_workflows.py) and on the scripts in tools/;
#                every file that installs a caac release names Cargo.toml's
#                version (tools/ci/check_versions.py);
#   4. action    action.yml's bash steps run as a runner would, on loopback
#                (tools/ci/test_action.py: checksum verification, lint outputs,
#                gate, pull-request comment);
#   5. hadolint  the Dockerfile;
#   6. kusto     every query `caac monitor` writes parses and binds
#                (tools/kusto/run.sh).
# Any failure fails the script (and so CI). The tools come from
# tools/ci/requirements.txt into a virtualenv under a temporary directory,
# removed at exit.
#
# Why the wheel is built with `--profile dev`: .ci/run has already compiled
# the dev binary (`cargo run`), and maturin with the same profile and no extra
# rustc flags reuses it, so the step costs seconds; a release build is 4-6
# minutes on CI's 2 cores. What this step proves is the packaging (the wheel's
# layout, metadata and entry point, and that the installed `caac` runs); the
# release profile itself is built by `cargo build --release` in the release
# workflow, which packs the same way.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step() { printf '== %s\n' "$1"; step_start=$SECONDS; }
done_step() { printf '== %s: ok (%ss)\n' "$1" "$((SECONDS - step_start))"; }

step "tools"
python3 -m venv "$tmp/tools"
"$tmp/tools/bin/python" -m pip install --quiet --disable-pip-version-check \
  --only-binary :all: -r tools/ci/requirements.txt
done_step "tools"

step "wheel"
"$tmp/tools/bin/maturin" build --profile dev --locked --quiet --out "$tmp/wheelhouse" 2>&1 | tail -n 3
wheels=("$tmp"/wheelhouse/caac-*.whl)
if [ "${#wheels[@]}" -ne 1 ] || [ ! -f "${wheels[0]}" ]; then
  echo "error: expected one caac wheel in $tmp/wheelhouse" >&2
  exit 1
fi
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
python3 -m venv "$tmp/user"
"$tmp/user/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "${wheels[0]}"
# The installed command, not the one in target/.
got=$("$tmp/user/bin/caac" --version)
if [ "$got" != "caac $version" ]; then
  echo "error: the wheel's caac --version printed '$got', expected 'caac $version'" >&2
  exit 1
fi
CAAC_TODAY=2026-12-05 "$tmp/user/bin/caac" --color never lint --fail-level warning
"$tmp/user/bin/python" - "${wheels[0]}" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
scripts = [n for n in names if ".data/scripts/" in n]
assert scripts and all(n.endswith("/caac") for n in scripts), names
stray = [n for n in names if ".dist-info/" not in n and ".data/scripts/" not in n]
assert not stray, f"unexpected files in the wheel: {stray}"
for f in ("LICENSE", "THIRD-PARTY-NOTICES.md"):
    assert any(n.endswith(".dist-info/licenses/" + f) for n in names), f"{f} missing from the wheel"
PY
done_step "wheel"

step "zizmor"
# caac's own files, with zizmor's defaults; the examples with their policy
# file (tools/ci/zizmor-examples.yml says why). High findings fail.
"$tmp/tools/bin/zizmor" --offline --no-progress --quiet --color never --no-config --min-severity high \
  action.yml .github/workflows/ci.yml .github/workflows/release.yml
"$tmp/tools/bin/zizmor" --offline --no-progress --quiet --color never --config tools/ci/zizmor-examples.yml --min-severity high \
  examples/ci/github-*.yml
done_step "zizmor"

step "yaml"
args=(--shellcheck "$tmp/tools/bin/shellcheck" --action action.yml)
for f in examples/ci/azure-*.yml; do args+=(--azure "$f"); done
for f in .github/workflows/*.yml; do args+=(--workflow "$f"); done
for f in examples/ci/github-*.yml; do args+=(--example "$f"); done
"$tmp/tools/bin/python" tools/ci/check_workflows.py "${args[@]}"
# The release version is the same everywhere an install names it.
"$tmp/tools/bin/python" tools/ci/check_versions.py
# The shell scripts of this checklist and of the pre-commit hook.
"$tmp/tools/bin/shellcheck" --severity=warning tools/ci/packaging.sh tools/kusto/run.sh tools/pre-commit/cargo-locked.sh
done_step "yaml"

step "action"
"$tmp/tools/bin/python" tools/ci/test_action.py "${CAAC:-$root/target/debug/caac}"
done_step "action"

step "hadolint"
"$tmp/tools/bin/hadolint" Dockerfile
done_step "hadolint"

step "kusto"
# CI machines of this kind come with node and npm; should one lack them, use
# Debian's packages rather than fail on a missing tool.
if [ "${CI:-}" = true ] && ! command -v node >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
CAAC="${CAAC:-$root/target/debug/caac}" tools/kusto/run.sh
done_step "kusto"
