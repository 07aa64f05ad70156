#!/usr/bin/env bash
# Builds `kv` with every trait off (no Redis, no configuration files, no tracing) in a scratch folder of its
# own, and checks what that build promises: it succeeds, the binary does not link libhiredis or libssl, it
# runs the memory store, and a Redis URL is a clear configuration error (exit 2), not a crash. Then with one
# store family's trait alone (RedisServer): the other families' URLs name the trait they need.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-minimal
swift=${SWIFT:-swift}

start=$(date +%s)
"$swift" build --disable-default-traits --product kv --scratch-path "$scratch"
echo "check-minimal-build: built kv with no traits in $(( $(date +%s) - start )) s"
kv="$scratch/debug/kv"

libraries=$(ldd "$kv")
if grep -Eq 'libhiredis|libssl|libcrypto' <<<"$libraries"; then
    echo "check-minimal-build: FAILED: kv built without the Redis trait links:" >&2
    grep -E 'libhiredis|libssl|libcrypto' <<<"$libraries" >&2
    exit 1
fi
echo "check-minimal-build: ldd: no libhiredis, libssl or libcrypto"

"$kv" demo >/dev/null
# Runs kv's `get k` on the store URL $1, keeping what it printed in $message and its exit code in $status.
get_from() {
    set +e
    message=$("$kv" get k --store "$1" 2>&1)
    status=$?
    set -e
}

get_from redis://127.0.0.1:1
if [[ $status -ne 2 || "$message" != *"Redis trait"* ]]; then
    echo "check-minimal-build: FAILED: a redis:// URL without the Redis trait gave exit $status: $message" >&2
    exit 1
fi
echo "check-minimal-build: memory demo ran; redis:// is a configuration error (exit 2): $message"

# One store family: `--traits RedisServer` builds the engine and the redis, rediss and unix stores, not the ring,
# cluster or sentinel stores, and names the trait a URL of those needs.
start=$(date +%s)
"$swift" build --traits RedisServer --product kv --scratch-path "$scratch"
echo "check-minimal-build: built kv with the RedisServer trait alone in $(( $(date +%s) - start )) s"
if ! ldd "$kv" | grep -q libhiredis; then
    echo "check-minimal-build: FAILED: kv built with the RedisServer trait does not link libhiredis" >&2
    exit 1
fi
get_from redis://127.0.0.1:1
if [[ $status -ne 3 || "$message" == *"trait"* ]]; then
    echo "check-minimal-build: FAILED: with RedisServer, redis:// on a closed port gave exit $status: $message" >&2
    exit 1
fi
for family in ring:RedisRing cluster:RedisCluster sentinel:RedisSentinel; do
    scheme=${family%%:*}
    get_from "$scheme://127.0.0.1:1"
    if [[ $status -ne 2 || "$message" != *"${family#*:} trait"* ]]; then
        echo "check-minimal-build: FAILED: $scheme:// with RedisServer alone gave exit $status: $message" >&2
        exit 1
    fi
done
echo "check-minimal-build: RedisServer alone: redis:// connects (exit 3 on a closed port); ring, cluster and sentinel name their traits (exit 2)"
