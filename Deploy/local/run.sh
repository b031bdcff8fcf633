#!/usr/bin/env bash
# The main job: runs the sample experiment end to end through the real executables on a
# local broker (orchestrator, one pre-test agent, two analysis agents, one synthesis agent),
# then stops them gracefully. Usage: Deploy/local/run.sh [experiment-folder]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"

experiment="${1:-Deploy/sample/hope-and-fear}"
out="out/run-$(date +%Y%m%d-%H%M%S)"
namespace="${TRIBUTARY_NAMESPACE:-tributary}"

./Deploy/local/start-broker.sh
echo "build: swift build -c release (the first build takes a few minutes)"
swift build -c release
bin="$(swift build -c release --show-bin-path)"
mkdir -p "$out"

pids=()
stop_services() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_services EXIT

start() {
    local name="$1"; shift
    "$bin/$name" --namespace "$namespace" "$@" >"$out/$name${suffix:-}.log" 2>&1 &
    pids+=($!)
}
start orchestrator --database "$out/orchestrator.sqlite"
start pre-test-agent
suffix=-1 start analyse-batch-agent --worker-id analyser-1
suffix=-2 start analyse-batch-agent --worker-id analyser-2
start corpus-synthesis-agent

echo "run: submitting $experiment"
status=0
"$bin/tributary" submit "$experiment" --namespace "$namespace" --wait --timeout 300 --out "$out" || status=$?
stop_services
trap - EXIT
echo "run: service logs and the SQLite database are in $out/"
[ "$status" -eq 0 ] && echo "run: report: $out/report.md (data: $out/report.json, $out/scores.csv)"
exit "$status"
