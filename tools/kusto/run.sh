#!/usr/bin/env bash
# The Kusto check of `caac monitor` and `caac replay --kql` (run by .ci/run):
# writes the monitoring queries for the starter policy set, twice (as not
# deployed, and with a policy id so the audit-log query is written too), the
# replay queries for the replay fixtures (head alone; head against the base
# with the members file; the token-protection set) and for the starter set,
# installs Microsoft's Kusto
# language service at the version package-lock.json pins (`npm ci`), and
# parses and binds every query against the Azure Monitor table schemas in
# tables.json (check.js). Exit 0 no error, 1 a query has an error.
#
# Without `node` this prints one "skipped" line and exits 0, except under CI
# (CI=true), where a missing node is an error: .ci/run installs it first.
# CAAC: the caac binary to run (default: `cargo run --locked --quiet --`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "error: kusto check: node and npm are required under CI (install Debian's nodejs and npm)" >&2
    exit 1
  fi
  echo "skipped: kusto check (node or npm not found)"
  exit 0
fi
if [ -n "${CAAC:-}" ]; then caac=("$CAAC"); else caac=(cargo run --locked --quiet --manifest-path "$root/Cargo.toml" --); fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
cd "$root"
# The starter set as it is: no policy is deployed, queries match by name.
CAAC_TODAY=2026-12-05 "${caac[@]}" monitor --quiet -o "$work/by-name" policies
# The same set with one policy id, as after `caac apply`: adds the query on
# the audit log's state history (AuditLogs).
mkdir "$work/with-id"
cp policies/*.yaml "$work/with-id/"
sed -i.bak 's/^displayName: CA001-/id: 11111111-2222-4333-8444-555555555555\ndisplayName: CA001-/' "$work/with-id/CA001-"*.yaml
rm -f "$work/with-id/"*.bak
grep -q '^id: ' "$work/with-id/CA001-"*.yaml
CAAC_TODAY=2026-12-05 "${caac[@]}" monitor --quiet -o "$work/by-id" "$work/with-id"
grep -q AuditLogs "$work/by-id/CA001-"*.kql
# `caac replay --kql`: one query per policy set (docs/replay.md).
mkdir "$work/replay"
fixtures="$root/tests/fixtures/signins"
(cd "$fixtures" && "${caac[@]}" replay ./policies --tenant tenant.yaml --kql -o "$work/replay/fixtures-head.kql")
(cd "$fixtures" && "${caac[@]}" replay ./policies --tenant tenant.yaml --kql --base base --members members.json --kql-window 7d -o "$work/replay/fixtures-base-members.kql")
(cd "$fixtures" && "${caac[@]}" replay ./tp-policies --tenant tenant.yaml --kql -o "$work/replay/fixtures-token-protection.kql")
(cd "$fixtures/kql" && "${caac[@]}" replay ./policies --tenant tenant.yaml --kql -o "$work/replay/every-condition.kql")
CAAC_TODAY=2026-12-05 "${caac[@]}" replay policies --kql -o "$work/replay/starter.kql"
grep -q 'AADNonInteractiveUserSignInLogs' "$work/replay/starter.kql"
node "$here/check.js" "$work/by-name" "$work/by-id" "$work/replay"
