#!/usr/bin/env bash
# Starts or stops the Redis servers used by the tests, on free loopback ports.
#   scripts/test-servers.sh up     start them, wait (bounded) until each answers, write .kv-test-servers/env
#   scripts/test-servers.sh down   stop every server started here
# The env file is sourced by scripts/with-test-servers.sh and exports:
#   KV_TEST_REDIS        redis://127.0.0.1:P          one plain server
#   KV_TEST_REDIS_AUTH   redis://kvuser:kvpass@127.0.0.1:P   a server with requirepass and an ACL user
#   KV_TEST_RING         ring://shard1=127.0.0.1:P1,shard2=...,shard3=...   three independent shards
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
  local single auth s1 s2 s3
  single=$(free_port); start_server single "$single"
  auth=$(free_port); start_server auth "$auth" --requirepass kvadmin
  s1=$(free_port); start_server shard1 "$s1"
  s2=$(free_port); start_server shard2 "$s2"
  s3=$(free_port); start_server shard3 "$s3"
  for port in "$single" "$s1" "$s2" "$s3"; do wait_ready "$port"; done
  wait_ready "$auth" -a kvadmin --no-auth-warning
  redis-cli -h 127.0.0.1 -p "$auth" -a kvadmin --no-auth-warning ACL SETUSER kvuser on '>kvpass' '~*' '+@all' >/dev/null
  {
    echo "KV_TEST_REDIS=redis://127.0.0.1:$single"
    echo "KV_TEST_REDIS_AUTH=redis://kvuser:kvpass@127.0.0.1:$auth"
    echo "KV_TEST_RING=ring://shard1=127.0.0.1:$s1,shard2=127.0.0.1:$s2,shard3=127.0.0.1:$s3"
  } > "$dir/env"
  echo "test servers up: $(tr '\n' ' ' < "$dir/env")"
}

down() {
  [ -d "$dir" ] || return 0
  local pids=()
  for pidfile in "$dir"/*/redis.pid; do
    [ -f "$pidfile" ] && pids+=("$(cat "$pidfile")")
  done
  for pid in "${pids[@]}"; do kill -CONT "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
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
