# shared by the browser tests: wait until a local server answers, or fail with its log
# usage: wait_until_up URL PID LOG TRIES INTERVAL
wait_until_up() {
  local url="$1" pid="$2" log="$3" tries="$4" interval="$5"
  for _ in $(seq "$tries"); do
    curl -sf "$url" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "the server did not start:"; cat "$log"; exit 1; }
    sleep "$interval"
  done
}

# Debian's chromium (apt-get; root or sudo) and playwright-core (npm, into DIR/node_modules), if missing
# usage: ensure_browser DIR
ensure_browser() {
  local dir="$1"
  if ! command -v chromium >/dev/null 2>&1; then
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
  if [ ! -d "$dir/node_modules/playwright-core" ]; then
    (cd "$dir" && npm install --no-package-lock --no-audit --no-fund --loglevel=error)
  fi
}

# a free TCP port on 127.0.0.1; usage: free_port PYTHON
free_port() { "$1" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
