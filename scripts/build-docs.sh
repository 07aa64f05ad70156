#!/usr/bin/env bash
# Builds the DocC catalog of every public module (every trait on, so the adapters have their symbols) into
# .build/docs/MODULE.doccarchive. DocC runs with --warnings-as-errors, so any DocC warning fails the build.
set -uo pipefail
cd "$(dirname "$0")/.."
swift=${SWIFT:-swift}
modules=(KV KVCore KVMemory KVRedisConfiguration KVRedis KVRing KVCluster KVSentinel KVHealthMonitor KVConformance KVSoak
         KVFileConfiguration KVHummingbird KVVapor KVSwiftConfiguration)
mkdir -p .build/docs
log=.build/docs/build.log
: > "$log"
failed=()
for module in "${modules[@]}"; do
    if "$swift" package --enable-all-traits --allow-writing-to-directory .build/docs \
        generate-documentation --target "$module" --output-path ".build/docs/$module.doccarchive" \
        --warnings-as-errors >> "$log" 2>&1; then
        echo "build-docs: $module"
    else
        failed+=("$module")
    fi
done
# SwiftPM's note about a file in a dependency's sources (swift-distributed-tracing) is not DocC's and not ours.
problems=$(grep -E "(warning|error):" "$log" | grep -v "file(s) which are unhandled" | sort -u)
if [[ ${#failed[@]} -gt 0 || -n "$problems" ]]; then
    echo "build-docs: FAILED: ${failed[*]:-}" >&2
    echo "$problems" >&2
    exit 1
fi
echo "build-docs: ${#modules[@]} catalogs in .build/docs, no DocC warnings"
