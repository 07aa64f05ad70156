#!/usr/bin/env bash
# Installs what building and testing need on Debian, only when missing: hiredis and OpenSSL headers, the openssl tool,
# redis-server, redis-tools.
set -euo pipefail
need=()
pkg-config --exists hiredis 2>/dev/null || need+=(libhiredis-dev)
pkg-config --exists openssl 2>/dev/null || need+=(libssl-dev)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-cli >/dev/null 2>&1 && command -v redis-benchmark >/dev/null 2>&1 || need+=(redis-tools)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# The ring's compatibility tests write with the real redis-shard package.
if ! python3 -c "import redis_shard, redis" >/dev/null 2>&1; then
  python3 -m pip install -q --root-user-action=ignore "redis-shard==0.3.7" redis >/dev/null 2>&1 \
    || python3 -m pip install -q "redis-shard==0.3.7" redis >/dev/null
fi
command -v swift >/dev/null 2>&1 || { echo "swift is not on PATH (Swift 6.1 or newer is needed)" >&2; exit 1; }
