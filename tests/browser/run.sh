#!/usr/bin/env bash
# Real-browser test of the hepnb widgets: starts JupyterLab on 127.0.0.1, runs demo.ipynb in headless Chromium
# (playwright-core), drags the AMS cut slider and checks the AMS readout changes; writes a screenshot.
# Usage: bash tests/browser/run.sh          (from anywhere; SCREENSHOT=/path.png to choose where the screenshot goes)
# Installs what it needs: Debian's chromium (apt-get; needs root or sudo) and playwright-core into tests/browser/node_modules.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
SCREENSHOT="${SCREENSHOT:-$HERE/screenshot.png}"
START=$(date +%s)

. "$HERE/lib.sh"
ensure_browser "$HERE"

WORK="$(mktemp -d)"
cp "$HERE/demo.ipynb" "$WORK/"          # run a copy: the committed notebook stays clean
mkdir -p "$WORK/settings/@jupyterlab/apputils-extension"
echo '{"fetchNews": "false", "checkForUpdates": false}' > "$WORK/settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
PORT="$(free_port "$VENV/bin/python")"
TOKEN="$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(16))')"
export JUPYTERLAB_SETTINGS_DIR="$WORK/settings" JUPYTERLAB_WORKSPACES_DIR="$WORK/workspaces" OMP_NUM_THREADS=1
ROOTFLAG=""; [ "$(id -u)" -eq 0 ] && ROOTFLAG="--allow-root"
"$VENV/bin/jupyter" lab $ROOTFLAG --no-browser --ip=127.0.0.1 --port="$PORT" --IdentityProvider.token="$TOKEN" \
  --ServerApp.root_dir="$WORK" > "$WORK/lab.log" 2>&1 &
LAB=$!
cleanup() { kill "$LAB" 2>/dev/null || true; wait "$LAB" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
wait_until_up "http://127.0.0.1:$PORT/api/status?token=$TOKEN" "$LAB" "$WORK/lab.log" 120 0.5
RC=0
node "$HERE/browser_test.mjs" "http://127.0.0.1:$PORT/lab/tree/demo.ipynb?token=$TOKEN" "$SCREENSHOT" || RC=$?
[ "$RC" -ne 0 ] && { echo "--- JupyterLab log ---"; tail -40 "$WORK/lab.log"; }
echo "browser test took $(( $(date +%s) - START )) s (rc=$RC)"
exit "$RC"
