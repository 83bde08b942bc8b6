#!/bin/sh
# Render `caac report --format html` to a PNG with headless Chromium, to look
# at the page the way a reader will (Debian: `apt-get install chromium`).
#
#   tools/render-report.sh [OUT.png] [caac report options…]
#
# Defaults: the starter set in ./policies, written to target/report.png
# (1280 px wide). Uses the binary the README builds (`cargo build --release`:
# target/release/caac), or CAAC=/path/to/caac.
# CI does not run this; tests/cli/summary.rs runs it only when chromium is installed.
set -eu
out=${1:-target/report.png}
[ $# -gt 0 ] && shift
caac=${CAAC:-target/release/caac}
if [ ! -x "$caac" ]; then
    echo "render-report: $caac not found: run \`cargo build --release\` first, or set CAAC=/path/to/caac" >&2
    exit 3
fi
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$chromium" ]; then
    echo "render-report: chromium is not installed (apt-get install chromium)" >&2
    exit 3
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$caac" --color never report --format html --out "$tmp/report.html" "$@"
# --no-sandbox: containers and CI runners usually run as root.
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1280,${HEIGHT:-2400} --screenshot="$tmp/report.png" \
    "file://$tmp/report.html" >/dev/null 2>&1
mv "$tmp/report.png" "$out"
echo "render-report: wrote $out"
