#!/usr/bin/env bash
# What open consoles cost, side by side in one run on the local broker (Docs/benchmarks.md
# has the results):
#
#   Deploy/bench/console-bench.sh [BATCHES] [ROUNDS] [CONSOLES]     # defaults: 100000 2 5
#
# Each round runs the same BATCHES-batch experiment (one 5-word document per batch, builtin
# analyser, two analysers) twice on a fresh orchestrator store: once with no console, once
# with CONSOLES consoles, each with the experiment's page open (console_viewer.py: the page,
# its event stream, and the grid reloaded after events at most every 2 s, as the page's
# script does). Reported per run: the orchestrator's CPU time (utime + stime from /proc)
# from submit to report, per task; with consoles, also their peak resident memory. After
# the last round, the render time of the finished experiment's page (grid included) and of
# the grid alone, 20 requests each through one console, median and 95th percentile.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"

batches="${1:-100000}"
rounds="${2:-2}"
consoles="${3:-5}"
work=".build-bench"
mkdir -p "$work"
results="$work/console-results.txt"
: >"$results"

./Deploy/local/start-broker.sh >/dev/null
echo "bench: building this tree (release)"
swift build -c release >/dev/null
bin="$(swift build -c release --show-bin-path)"
corpus="$work/console-corpus-$batches"
[ -d "$corpus" ] || "$bin/tributary" generate-corpus "$corpus" --documents "$batches" --words 5 --batch-size 1 --seed 11 >/dev/null
tick=$(getconf CLK_TCK)
cpu() { awk -v t="$tick" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }

wait_ready() {  # count
    local deadline=$((SECONDS + 60))
    until [ "$(grep -l -E 'agent ready|orchestrator ready|console ready' "$dir"/*.log 2>/dev/null | wc -l)" -ge "$1" ]; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "bench: services did not start; see $dir" >&2; exit 1; }
        sleep 0.1
    done
}

run() {  # round, consoles
    ns="bench-$RANDOM$RANDOM"
    dir="$work/run-$ns"
    mkdir -p "$dir/store"
    # The synthesis input of 100,000 batches is larger than a broker message may be: by reference.
    store=(--document-store "$dir/store")
    pids=()
    "$bin/orchestrator" --namespace "$ns" "${store[@]}" --database "$dir/orchestrator.sqlite" >"$dir/orchestrator.log" 2>&1 &
    orchestrator=$!
    "$bin/pre-test-agent" --namespace "$ns" "${store[@]}" >"$dir/pre-test.log" 2>&1 & pids+=($!)
    "$bin/analyse-batch-agent" --namespace "$ns" --concurrency 16 --worker-id a1 "${store[@]}" >"$dir/a1.log" 2>&1 & pids+=($!)
    "$bin/analyse-batch-agent" --namespace "$ns" --concurrency 16 --worker-id a2 "${store[@]}" >"$dir/a2.log" 2>&1 & pids+=($!)
    "$bin/corpus-synthesis-agent" --namespace "$ns" "${store[@]}" >"$dir/synthesis.log" 2>&1 & pids+=($!)
    bases=()
    consoles_pids=()
    for index in $(seq 1 "$2"); do
        port=$((20000 + RANDOM % 20000))
        "$bin/tributary-console" --namespace "$ns" --no-auth --http-port "$port" >"$dir/console-$index.log" 2>&1 & consoles_pids+=($!)
        bases+=("http://127.0.0.1:$port")
    done
    wait_ready $((5 + $2))
    id="console-bench-$ns"
    viewer=""
    if [ "$2" -gt 0 ]; then
        python3 Deploy/bench/console_viewer.py "$id" "${bases[@]}" >"$dir/viewer.log" 2>&1 &
        viewer=$!
        sleep 1  # the streams open before the experiment exists; nothing depends on it
    fi
    before=$(cpu "$orchestrator")
    start=$(date +%s.%N)
    "$bin/tributary" submit "$corpus" --namespace "$ns" "${store[@]}" --experiment-id "$id" --max-documents $((batches + 1)) --wait --quiet --timeout 1800 \
        >>"$dir/submit.log" 2>&1 </dev/null || { echo "bench: the experiment did not complete; see $dir" >&2; exit 1; }
    end=$(date +%s.%N)
    after=$(cpu "$orchestrator")
    peak=0
    for pid in "${consoles_pids[@]}"; do
        rss=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
        [ "$rss" -gt "$peak" ] && peak=$rss
    done
    if [ -n "$viewer" ]; then kill -TERM "$viewer"; wait "$viewer" 2>/dev/null || true; fi
    awk -v r="$1" -v c="$2" -v b="$batches" -v s="$start" -v e="$end" -v x="$before" -v y="$after" -v p="$peak" 'BEGIN {
        printf "round %d, %d consoles: %d batches in %.1f s, orchestrator CPU %.2f s, %.1f µs per task", r, c, b, e - s, y - x, (y - x) * 1e6 / b
        if (c > 0) printf ", console peak RSS %.1f MiB", p / 1024
        printf "\n" }' | tee -a "$results"
    [ -n "$viewer" ] && sed 's/^/  viewer: /' "$dir/viewer.log" | tee -a "$results"
    if [ "$2" -gt 0 ] && [ "$1" -eq "$rounds" ]; then render "${bases[0]}"; fi
    kill -TERM "$orchestrator" "${pids[@]}" "${consoles_pids[@]}" 2>/dev/null || true
    for pid in "$orchestrator" "${pids[@]}" "${consoles_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    "$bin/tributary" topology --namespace "$ns" --delete >/dev/null
}

render() {  # base
    for path in "/experiments/$id" "/experiments/$id/grid"; do
        for _ in $(seq 1 20); do curl -s -o /dev/null -w '%{time_total}\n' "$1$path"; done | sort -n |
            awk -v p="$path" -v b="$batches" '{ t[NR] = $1 } END {
                printf "render %s (%d batches): median %.1f ms, p95 %.1f ms over %d requests\n", p, b, t[int((NR + 1) / 2)] * 1000, t[int(NR * 0.95 + 0.5)] * 1000, NR }' |
            sed "s|$id|{id}|" | tee -a "$results"
    done
}

for round in $(seq 1 "$rounds"); do
    run "$round" 0
    run "$round" "$consoles"
done
echo "bench: results in $results"
