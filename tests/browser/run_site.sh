#!/usr/bin/env bash
# Real-browser test of the course website: serves the built site (_docs/, from `make docs`) on 127.0.0.1 and runs
# site_test.mjs in headless Chromium (playwright-core): every page, console errors, images, math, navigation, links.
# Usage: bash tests/browser/run_site.sh      (SITE=folder to test another build; SCREENSHOT=/path.png for chapter 1's page)
# Installs what it needs, as run.sh does: Debian's chromium (apt-get; root or sudo) and playwright-core (npm).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
SITE="$(cd "${SITE:-$ROOT/_docs}" && pwd)"
SCREENSHOT="${SCREENSHOT:-$HERE/site-screenshot.png}"
START=$(date +%s)
[ -f "$SITE/index.html" ] || { echo "no site in $SITE: run 'make docs' first"; exit 1; }

. "$HERE/lib.sh"
ensure_browser "$HERE"

PY="$VENV/bin/python"; [ -x "$PY" ] || PY=python3
PORT="$(free_port "$PY")"
LOG="$(mktemp)"
"$PY" -m http.server "$PORT" --bind 127.0.0.1 --directory "$SITE" > "$LOG" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -f "$LOG"; }
trap cleanup EXIT
wait_until_up "http://127.0.0.1:$PORT/index.html" "$SERVER" "$LOG" 60 0.25
RC=0
node "$HERE/site_test.mjs" "http://127.0.0.1:$PORT" "$SITE" "$SCREENSHOT" || RC=$?
echo "site test took $(( $(date +%s) - START )) s (rc=$RC)"
exit "$RC"
