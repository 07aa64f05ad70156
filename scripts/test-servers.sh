#!/usr/bin/env bash
# Starts or stops the Redis servers used by the tests, on free loopback ports.
#   scripts/test-servers.sh up     start them, wait (bounded) until each answers, write .kv-test-servers/env
#   scripts/test-servers.sh down   stop every server started here
# The env file exports KV_TEST_REDIS (one server) and is sourced by scripts/with-test-servers.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.kv-test-servers"

free_port() {  # a loopback port that is free, and whose +10000 bus port is free too
  python3 - <<'PY'
import socket, random
for _ in range(200):
    p = random.randint(20000, 50000)
    ok = True
    for q in (p, p + 10000):
        s = socket.socket()
        try: s.bind(("127.0.0.1", q))
        except OSError: ok = False
        finally: s.close()
    if ok:
        print(p); break
PY
}

wait_ready() {  # port [auth args...]
  local port=$1; shift
  for _ in $(seq 1 100); do
    if redis-cli -h 127.0.0.1 -p "$port" "$@" ping 2>/dev/null | grep -q PONG; then return 0; fi
    sleep 0.1
  done
  echo "redis on port $port did not become ready within 10 s" >&2
  return 1
}

start_server() {  # name port [extra args...]
  local name=$1 port=$2; shift 2
  mkdir -p "$dir/$name"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$dir/$name" --logfile "$dir/$name/redis.log" --pidfile "$dir/$name/redis.pid" "$@"
  echo "$port" > "$dir/$name/port"
}

up() {
  down >/dev/null 2>&1 || true
  mkdir -p "$dir"
  local single; single=$(free_port)
  start_server single "$single"
  wait_ready "$single"
  {
    echo "KV_TEST_REDIS=redis://127.0.0.1:$single"
    echo "KV_TEST_REDIS_PORT=$single"
  } > "$dir/env"
  echo "test servers up: $(tr '\n' ' ' < "$dir/env")"
}

down() {
  [ -d "$dir" ] || return 0
  for pidfile in "$dir"/*/redis.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -CONT "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
  done
  for pidfile in "$dir"/*/redis.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
  echo "test servers down"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
