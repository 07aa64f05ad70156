#!/usr/bin/env bash
# Runs a command with the test Redis servers up (their addresses exported as KV_TEST_* variables),
# and always stops them afterwards.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/test-servers.sh" up || { "$here/test-servers.sh" down; exit 1; }
trap '"$here/test-servers.sh" down' EXIT INT TERM
set -a
# shellcheck disable=SC1091
source "$here/../.kv-test-servers/env"
set +a
"$@"
