#!/usr/bin/env bash
# Starts or stops the Redis servers used by the tests, on free loopback ports.
#   scripts/test-servers.sh up     start them, wait (bounded) until each answers, write .kv-test-servers/env
#   scripts/test-servers.sh down   stop every server started here
# The env file is sourced by scripts/with-test-servers.sh and exports:
#   KV_TEST_REDIS        redis://127.0.0.1:P          one plain server
#   KV_TEST_REDIS_AUTH   redis://kvuser:kvpass@127.0.0.1:P   a server with requirepass and an ACL user
#   KV_TEST_RING         ring://shard1=127.0.0.1:P1,shard2=...,shard3=...   three independent shards
#   KV_TEST_CLUSTER      cluster://127.0.0.1:C1,...   a Redis Cluster of 3 masters and 3 replicas
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.kv-test-servers"

free_port() {  # a loopback port that is free, and whose +10000 bus port is free too
  python3 - <<'PY'
import socket, random
for _ in range(200):
    p = random.randint(10000, 22000)  # it and its bus port (+10000) below the ephemeral range (32768-60999)
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

wait_cluster() {  # ports...: every node cluster_state:ok and every replica linked, within 30 s
  for _ in $(seq 1 300); do
    local ready=1
    for port in "$@"; do
      redis-cli -p "$port" cluster info 2>/dev/null | grep -q "cluster_state:ok" || { ready=0; break; }
      local replication; replication=$(redis-cli -p "$port" info replication 2>/dev/null)
      if echo "$replication" | grep -q "role:slave" && ! echo "$replication" | grep -q "master_link_status:up"; then ready=0; break; fi
    done
    [ "$ready" = 1 ] && return 0
    sleep 0.1
  done
  echo "the test cluster did not become ready within 30 s" >&2
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
  local cluster_ports=()
  for i in 1 2 3 4 5 6; do
    local p; p=$(free_port)
    start_server "cluster$i" "$p" --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout 1000 --repl-diskless-sync-delay 0
    cluster_ports+=("$p")
  done
  for p in "${cluster_ports[@]}"; do wait_ready "$p"; done
  local addresses=()
  for p in "${cluster_ports[@]}"; do addresses+=("127.0.0.1:$p"); done
  redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$dir/cluster-create.log" 2>&1
  wait_cluster "${cluster_ports[@]}"
  {
    echo "KV_TEST_CLUSTER=cluster://$(IFS=,; echo "${addresses[*]}")"
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
