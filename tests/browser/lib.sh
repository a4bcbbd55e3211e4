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
