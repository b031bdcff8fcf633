#!/usr/bin/env bash
# The result cache's saving, side by side in one run on the local broker (Docs/benchmarks.md
# has the results):
#
#   Deploy/bench/cache-bench.sh [DOCUMENTS] [ROUNDS] [CHANGED_PERCENT]     # defaults: 5000 3 1
#
# Each round starts an empty orchestrator store and runs a DOCUMENTS-document llm experiment
# (20 words each, 10 per batch, the default pilot) against the scripted OpenAI-compatible
# server answering at once: the cold run. The orchestrator is then restarted on the same
# store, and the same corpus with CHANGED_PERCENT of its texts edited is submitted: the warm
# run. Reported per run: wall time from submit to report, calls the server answered, and the
# orchestrator's peak resident memory (VmHWM; a fresh process per run, so each peak is that
# run's, planning included). Ratios are warm over cold within the round.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"

documents="${1:-5000}"
rounds="${2:-3}"
changed_percent="${3:-1}"
work=".build-bench"
mkdir -p "$work"
results="$work/cache-results.txt"
: >"$results"

./Deploy/local/start-broker.sh >/dev/null
echo "bench: building this tree (release)"
swift build -c release >/dev/null
bin="$(swift build -c release --show-bin-path)"

cold="$work/cache-corpus-$documents"
warm="$work/cache-corpus-$documents-edited"
rm -rf "$cold" "$warm"
"$bin/tributary" generate-corpus "$cold" --documents "$documents" --words 20 --batch-size 10 --seed 7 >/dev/null
printf '\nanalyser:\n  kind: llm\n  model: m\n  max_output_tokens: 100\n' >>"$cold/experiment.yaml"
cp -r "$cold" "$warm"
changed=$((documents * changed_percent / 100))
# Every (documents / changed)-th text gets one more word: spread over the batches, as edits are.
step=$((documents / (changed > 0 ? changed : 1)))
for index in $(seq 0 "$step" $((documents - 1)) | head -n "$changed"); do
    printf ' edited' >>"$warm/corpus/texts/$(printf 'doc-%06d.txt' "$index")"
done

port_file="$work/cache-scripted-$RANDOM.port"
python3 Tests/Tools/scripted_llm_server.py --port-file "$port_file" --stats-file "$port_file.stats" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
deadline=$((SECONDS + 20))
until [ -s "$port_file" ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "bench: the scripted server did not start" >&2; exit 1; }
    sleep 0.1
done
llm=(--llm-base-url "http://127.0.0.1:$(cat "$port_file")/v1")
answered() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["answered"])' "$port_file.stats" 2>/dev/null || echo 0; }

wait_ready() {  # count
    local deadline=$((SECONDS + 60))
    until [ "$(grep -l -E 'agent ready|orchestrator ready' "$dir"/*.log 2>/dev/null | wc -l)" -ge "$1" ]; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "bench: services did not start; see $dir" >&2; exit 1; }
        sleep 0.1
    done
}
start_orchestrator() {  # log name
    "$bin/orchestrator" --namespace "$ns" --database "$dir/orchestrator.sqlite" --durability full >"$dir/$1.log" 2>&1 &
    orchestrator=$!
}

for round in $(seq 1 "$rounds"); do
    ns="bench-$RANDOM$RANDOM"
    dir="$work/run-$ns"
    mkdir -p "$dir"
    agents=()
    start_orchestrator orchestrator-cold
    "$bin/pre-test-agent" --namespace "$ns" "${llm[@]}" >"$dir/pre-test.log" 2>&1 & agents+=($!)
    "$bin/analyse-batch-agent" --namespace "$ns" --concurrency 32 --worker-id a1 "${llm[@]}" >"$dir/a1.log" 2>&1 & agents+=($!)
    "$bin/analyse-batch-agent" --namespace "$ns" --concurrency 32 --worker-id a2 "${llm[@]}" >"$dir/a2.log" 2>&1 & agents+=($!)
    "$bin/corpus-synthesis-agent" --namespace "$ns" >"$dir/synthesis.log" 2>&1 & agents+=($!)
    wait_ready 5
    for run in cold warm; do
        folder="$cold"
        if [ "$run" = warm ]; then
            folder="$warm"
            kill -TERM "$orchestrator"; wait "$orchestrator" 2>/dev/null || true
            start_orchestrator orchestrator-warm
            wait_ready 6
        fi
        calls_before=$(answered)
        start=$(date +%s.%N)
        "$bin/tributary" submit "$folder" --namespace "$ns" --wait --quiet --timeout 900 --out "$dir/$run" >>"$dir/submit.log" 2>&1 </dev/null ||
            { echo "bench: the $run experiment did not complete; see $dir" >&2; exit 1; }
        end=$(date +%s.%N)
        calls=$(( $(answered) - calls_before ))
        peak=$(awk '/VmHWM/ { print $2 }' "/proc/$orchestrator/status")
        echo "$run $start $end $calls $peak" >>"$dir/runs.txt"
    done
    kill -TERM "$orchestrator" "${agents[@]}" 2>/dev/null || true
    for pid in "$orchestrator" "${agents[@]}"; do wait "$pid" 2>/dev/null || true; done
    "$bin/tributary" topology --namespace "$ns" --delete >/dev/null
    awk -v r="$round" -v n="$documents" -v c="$changed" '
        { wall[$1] = $3 - $2; calls[$1] = $4; peak[$1] = $5 }
        END {
            printf "round %d, %d documents, %d edited: cold %.2f s, %d calls, peak %.1f MiB; warm %.2f s, %d calls, peak %.1f MiB; wall %.3f, calls %.4f, memory %.2f (warm/cold)\n",
                r, n, c, wall["cold"], calls["cold"], peak["cold"] / 1024, wall["warm"], calls["warm"], peak["warm"] / 1024,
                wall["warm"] / wall["cold"], calls["warm"] / calls["cold"], peak["warm"] / peak["cold"]
        }' "$dir/runs.txt" | tee -a "$results"
done
echo "bench: results in $results"
