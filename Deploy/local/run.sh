#!/usr/bin/env bash
# The main job: runs the sample experiment end to end through the real executables on a
# local broker (orchestrator, one pre-test agent, two analysis agents, one synthesis agent),
# then stops them gracefully. Usage: Deploy/local/run.sh [--llm] [experiment-folder]
#
# --llm scores the documents with a real language model instead of the phrase matcher:
# Deploy/local/start-llm.sh starts Gemma 3 270M on loopback (installing it the first time),
# the analysers get --llm-base-url, and the experiment gets `analyser: {kind: llm, …}`
# (a copy of the folder, so the sample itself stays as it is).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"

llm=no
if [ "${1:-}" = --llm ]; then llm=yes; shift; fi
experiment="${1:-Deploy/sample/hope-and-fear}"
out="out/run-$(date +%Y%m%d-%H%M%S)"
namespace="${TRIBUTARY_NAMESPACE:-tributary}"

./Deploy/local/start-broker.sh
analyser_options=()
submit_timeout=300
if [ "$llm" = yes ]; then
    ./Deploy/local/start-llm.sh
    analyser_options=(--llm-base-url "http://127.0.0.1:${TRIBUTARY_LLM_PORT:-8085}/v1" --llm-schema-format json-object)
    mkdir -p "$out"
    cp -R "$experiment" "$out/experiment"
    cat >>"$out/experiment/experiment.yaml" <<YAML

analyser:
  kind: llm
  model: ${TRIBUTARY_LLM_MODEL:-gemma-3-270m}
  temperature: 0
  seed: 7
  max_output_tokens: 300
YAML
    experiment="$out/experiment"
    # One small model on 2 cores answers a document in 2 to 3 s, one at a time.
    submit_timeout=900
fi
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
start pre-test-agent "${analyser_options[@]}"
suffix=-1 start analyse-batch-agent --worker-id analyser-1 "${analyser_options[@]}"
suffix=-2 start analyse-batch-agent --worker-id analyser-2 "${analyser_options[@]}"
start corpus-synthesis-agent

echo "run: submitting $experiment"
status=0
"$bin/tributary" submit "$experiment" --namespace "$namespace" --wait --timeout "$submit_timeout" --out "$out" || status=$?
stop_services
trap - EXIT
echo "run: service logs and the SQLite database are in $out/"
[ "$status" -eq 0 ] && echo "run: report: $out/report.md, with charts $out/report.html (data: $out/report.json, $out/scores.csv)"
exit "$status"
