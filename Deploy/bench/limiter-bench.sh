#!/usr/bin/env bash
# The rate limiter's cost and its use of a budget, side by side in one run on the local broker
# (Docs/benchmarks.md has the results):
#
#   Deploy/bench/limiter-bench.sh [BATCHES] [ROUNDS] [TPM_SECONDS]     # defaults: 2000 3 60
#
# 1. ROUNDS alternating runs of a BATCHES-batch llm experiment (one 20-word document per
#    batch, no pilot, 2 analysers at concurrency 32) against the scripted OpenAI-compatible
#    server answering at once: with the limiter off (the model is not in the model table) and
#    on (in the table with limits far above what the run reaches, so every batch is admitted
#    through the buckets and none waits). Reported: the orchestrator's CPU per task.
# 2. Token-budget utilisation at a fast rate: the server meters tokens_per_minute = 60,000
#    as a provider does (a bucket of 60,000 refilled continuously, 429 past it), the table
#    says the same, and an experiment large enough to last TPM_SECONDS runs through it.
#    Reported: tokens answered / tokens the budget allowed over the run, and the 429s.
#
# PROFILE=1 samples the orchestrator with `perf record -e cpu-clock -g` in each round (the
# reports are left in .build-bench/run-*/perf.data); TPM_SECONDS=0 skips part 2.
set -euo pipefail
cd "$(dirname "$0")/../.."
. Deploy/bench/lib.sh
export PATH="/opt/swift/usr/bin:$PATH"

batches="${1:-2000}"
rounds="${2:-3}"
tpm_seconds="${3:-60}"
work=".build-bench"
mkdir -p "$work"
results="$work/limiter-results.txt"
: >"$results"

./Deploy/local/start-broker.sh >/dev/null
echo "bench: building this tree (release)"
swift build -c release >/dev/null
bin="$(swift build -c release --show-bin-path)"
clock_ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# An llm copy of a generated corpus: model m, no pilot (the pilot is a pre-test cost).
llm_corpus() {  # documents -> folder
    local folder="$work/llm-corpus-$1"
    if [ ! -d "$folder" ]; then
        "$bin/tributary" generate-corpus "$folder" --documents "$1" --words 20 --batch-size 1 --seed 7 >/dev/null
        printf '\nanalyser:\n  kind: llm\n  model: m\n  max_output_tokens: 100\n  pilot_documents: 0\n' >>"$folder/experiment.yaml"
    fi
    echo "$folder"
}

server_pid=""
server_port=""
start_server() {  # scripted server arguments
    local port_file="$work/scripted-$RANDOM.port"
    python3 Tests/Tools/scripted_llm_server.py --port-file "$port_file" --stats-file "$port_file.stats" "$@" >/dev/null 2>&1 &
    server_pid=$!
    local deadline=$((SECONDS + 20))
    until [ -s "$port_file" ]; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "bench: the scripted server did not start" >&2; exit 1; }
        sleep 0.1
    done
    server_port=$(cat "$port_file")
    server_stats="$port_file.stats"
}
stop_server() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }

start_pipeline() {  # models-file
    ns="bench-$RANDOM$RANDOM"
    dir="$work/run-$ns"
    pids=()
    mkdir -p "$dir"
    local llm=(--llm-base-url "http://127.0.0.1:$server_port/v1")
    TRIBUTARY_MODELS_FILE="$1" "$bin/orchestrator" --namespace "$ns" --database "$dir/orchestrator.sqlite" --durability full >"$dir/orchestrator.log" 2>&1 &
    orchestrator=$!
    pids+=("$orchestrator")
    "$bin/pre-test-agent" --namespace "$ns" "${llm[@]}" >"$dir/pre-test.log" 2>&1 & pids+=($!)
    "$bin/analyse-batch-agent" --namespace "$ns" --concurrency 32 --worker-id a1 "${llm[@]}" >"$dir/a1.log" 2>&1 & pids+=($!)
    "$bin/analyse-batch-agent" --namespace "$ns" --concurrency 32 --worker-id a2 "${llm[@]}" >"$dir/a2.log" 2>&1 & pids+=($!)
    "$bin/corpus-synthesis-agent" --namespace "$ns" >"$dir/synthesis.log" 2>&1 & pids+=($!)
    wait_for_services "$dir" 5
}

stop_pipeline() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    "$bin/tributary" topology --namespace "$ns" --delete >/dev/null
}

submit() {  # folder
    "$bin/tributary" submit "$1" --namespace "$ns" --wait --quiet --timeout 900 >>"$dir/submit.log" 2>&1 </dev/null ||
        { echo "bench: the experiment did not complete; see $dir" >&2; exit 1; }
}

off_table="$work/models-off.yaml"
on_table="$work/models-on.yaml"
printf 'other:\n  requests_per_minute: 60\n' >"$off_table"
printf 'm:\n  requests_per_minute: 10000000\n  tokens_per_minute: 1000000000\n  input_price_per_million: 0.10\n  output_price_per_million: 0.40\n' >"$on_table"

corpus=$(llm_corpus "$batches")
start_server
echo "bench: limiter off and on, $rounds rounds of $batches llm batches"
for round in $(seq 1 "$rounds"); do
    for variant in off on; do
        table="$off_table"
        [ "$variant" = on ] && table="$on_table"
        start_pipeline "$table"
        profiler=""
        if [ "${PROFILE:-0}" = 1 ]; then
            perf record -e cpu-clock -F 999 -g -p "$orchestrator" -o "$dir/perf.data" >/dev/null 2>&1 &
            profiler=$!
        fi
        before=$(cpu_ticks "$orchestrator")
        start=$(date +%s.%N)
        submit "$corpus"
        end=$(date +%s.%N)
        after=$(cpu_ticks "$orchestrator")
        if [ -n "$profiler" ]; then kill -INT "$profiler"; wait "$profiler" || true; echo "bench: profile of limiter $variant in $dir/perf.data"; fi
        stop_pipeline
        awk -v v="$variant" -v r="$round" -v n="$batches" -v t0="$start" -v t1="$end" -v c=$((after - before)) -v hz="$clock_ticks" \
            'BEGIN { printf "limiter %s round %d: %.2f s, %.0f tasks/s, orchestrator %.1f µs CPU per task\n", v, r, t1 - t0, n / (t1 - t0), c / hz / n * 1e6 }' |
            tee -a "$results"
    done
done
stop_server
if [ "$tpm_seconds" = 0 ]; then echo "bench: results in $results"; exit 0; fi

echo "bench: token-budget utilisation at 60,000 tokens per minute for about $tpm_seconds s"
tpm=60000
# A call of this corpus is about 200 tokens (the prompt and a short answer): enough calls
# to keep the bucket empty for the whole run.
calls=$((tpm * tpm_seconds / 60 / 200 + tpm / 200))
start_server --tpm "$tpm"
printf 'm:\n  tokens_per_minute: %d\n' "$tpm" >"$work/models-tpm.yaml"
start_pipeline "$work/models-tpm.yaml"
submit "$(llm_corpus "$calls")"
stop_pipeline
stop_server
python3 - "$server_stats" "$tpm" <<'PY' | tee -a "$results"
import json, sys
stats = json.load(open(sys.argv[1]))
tpm = float(sys.argv[2])
span = stats["last_at"] - stats["first_at"]
allowed = tpm + tpm / 60 * span
print(f"token budget: {stats['answered']} calls, {stats['tokens_answered']} tokens in {span:.1f} s; "
      f"{stats['tokens_answered'] / allowed:.1%} of the {allowed:.0f} allowed; {stats['rate_limited']} answered 429")
PY
echo "bench: results in $results"
