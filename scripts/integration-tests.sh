#!/usr/bin/env bash
# The integration tests, under scripts/with-test-servers.sh: this package's own, one at a time (fault tests pause
# and kill servers and measure gaps), then the frameworks' own driver tests on memory:// and Redis. Fails if any
# part fails, after running every part.
set -uo pipefail
swift="${1:-swift}"
here="$(cd "$(dirname "$0")" && pwd)"
status=0
"$swift" test --skip-build --no-parallel --enable-all-traits --skip 'UnitTests\.' --skip 'KVUpstreamTests\.' || status=1
"$here/upstream-tests.sh" run "$swift" || status=1
exit $status
