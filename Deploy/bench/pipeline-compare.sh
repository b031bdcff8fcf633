#!/usr/bin/env bash
# Side-by-side cost of a failure-free experiment: this tree against a baseline revision.
#
#   Deploy/bench/pipeline-compare.sh [BASELINE_REV] [BATCHES] [ROUNDS]
#
# Builds both in release mode (the baseline in a git worktree under .build-bench/), then, on
# the local broker, alternates runs of the same experiment on each: BATCHES one-document
# batches, 2 analysers at concurrency 64, --durability full. Per run it measures the wall
# time of `tributary submit --wait` (submit to completed) and the orchestrator's CPU time
# over that span. Prints medians and the ratio current/baseline; on a noisy 2-core machine
# only the ratio of runs taken side by side means anything.
#
# METRICS=1 adds a third variant, "metrics": the current tree with every service's HTTP
# endpoint on, so metrics are recorded into Prometheus (checked after each run: the
# orchestrator's counter must have seen every task). Its ratio to "current", the same
# binaries with the endpoint off, is the cost of metrics.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"

baseline="${1:-4e9781d}"
batches="${2:-3000}"
rounds="${3:-3}"
work=".build-bench"
mkdir -p "$work"

./Deploy/local/start-broker.sh >/dev/null

echo "bench: building current tree (release)"
swift build -c release >/dev/null
current_bin="$(swift build -c release --show-bin-path)"

echo "bench: building baseline $baseline (release)"
if [ ! -d "$work/baseline" ]; then git worktree add --detach "$work/baseline" "$baseline" >/dev/null; fi
git -C "$work/baseline" checkout --detach --quiet "$baseline"
(cd "$work/baseline" && swift build -c release >/dev/null)
baseline_bin="$(cd "$work/baseline" && swift build -c release --show-bin-path)"

"$current_bin/tributary" generate-corpus "$work/corpus" --documents "$batches" --words 20 --batch-size 1 --seed 7 >/dev/null

clock_ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

http_port_base=19180
run_once() {  # variant bin
    local variant="$1" bin="$2" ns="bench-$1-$RANDOM$RANDOM" dir pids=() http=0
    [ "$variant" = metrics ] && http=1
    dir="$work/run-$ns"
    mkdir -p "$dir"
    endpoint() {  # the HTTP options of service number $1, when measuring with metrics on
        [ "$http" = 1 ] && echo "--http-port $((http_port_base + $1)) --http-host 127.0.0.1"
    }
    # shellcheck disable=SC2046 # endpoint's words are separate options
    "$bin/orchestrator" --namespace "$ns" --database "$dir/orchestrator.sqlite" --durability full $(endpoint 0) >"$dir/orchestrator.log" 2>&1 &
    local orchestrator=$!
    pids+=("$orchestrator")
    # shellcheck disable=SC2046
    "$bin/pre-test-agent" --namespace "$ns" $(endpoint 1) >"$dir/pre-test.log" 2>&1 & pids+=($!)
    # shellcheck disable=SC2046
    "$bin/analyse-batch-agent" --namespace "$ns" --concurrency 64 --worker-id a1 $(endpoint 2) >"$dir/a1.log" 2>&1 & pids+=($!)
    # shellcheck disable=SC2046
    "$bin/analyse-batch-agent" --namespace "$ns" --concurrency 64 --worker-id a2 $(endpoint 3) >"$dir/a2.log" 2>&1 & pids+=($!)
    # shellcheck disable=SC2046
    "$bin/corpus-synthesis-agent" --namespace "$ns" $(endpoint 4) >"$dir/synthesis.log" 2>&1 & pids+=($!)
    # Ready when every service has logged that it is (bounded).
    local deadline=$((SECONDS + 60))
    until [ "$(grep -l -E 'agent ready|orchestrator ready' "$dir"/*.log 2>/dev/null | wc -l)" -ge 5 ]; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "bench: services did not start" >&2; exit 1; }
        sleep 0.1
    done
    local before start end after
    before=$(cpu_ticks "$orchestrator")
    start=$(date +%s.%N)
    "$bin/tributary" submit "$work/corpus" --namespace "$ns" --wait --timeout 600 --out "$dir/report" >"$dir/submit.log" 2>&1
    end=$(date +%s.%N)
    after=$(cpu_ticks "$orchestrator")
    if [ "$http" = 1 ]; then
        # The metrics must have seen the run, or this measured nothing.
        local published
        published=$(curl -fsS "http://127.0.0.1:$http_port_base/metrics" | awk -F' ' '/^tributary_tasks_published_total\{type="analyse_batch"\}/ { print $2 }')
        [ "$published" = "$batches" ] || { echo "bench: metrics counted ${published:-nothing} analyse_batch tasks, not $batches" >&2; exit 1; }
    fi
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    # Every namespace left behind is a set of quorum queues the broker keeps running.
    "$current_bin/tributary" topology --namespace "$ns" --delete >/dev/null
    python3 - "$variant" "$start" "$end" "$before" "$after" "$clock_ticks" "$batches" <<'PY'
import sys
variant, start, end, before, after, hz, n = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
wall = end - start
cpu = (after - before) / hz
print(f"{variant} {wall:.3f} {n / wall:.0f} {cpu * 1e6 / n:.0f}")
PY
    rm -rf "$dir"
}

results="$work/results.txt"
: >"$results"
variants=(current baseline)
[ "${METRICS:-0}" = 1 ] && variants+=(metrics)
for round in $(seq 1 "$rounds"); do
    # Rotate which goes first: the first run after a pause meets a colder broker.
    shift_by=$(( (round - 1) % ${#variants[@]} ))
    order="${variants[*]:$shift_by} ${variants[*]:0:$shift_by}"
    for variant in $order; do
        bin="$current_bin"; [ "$variant" = baseline ] && bin="$baseline_bin"
        line=$(run_once "$variant" "$bin")
        echo "round $round: $line (variant wall_s tasks_per_s orchestrator_cpu_us_per_task)"
        echo "$line" >>"$results"
    done
done

python3 - "$results" "$baseline" "$batches" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
by = {}
for v, wall, rate, cpu in rows:
    by.setdefault(v, []).append((float(wall), float(rate), float(cpu)))
med = {v: tuple(statistics.median(x[i] for x in xs) for i in range(3)) for v, xs in by.items()}
print(f"\n{sys.argv[3]} one-document batches, medians of {len(by['current'])} runs each (baseline {sys.argv[2]}):")
print("| variant | submit → completed | tasks/s | orchestrator CPU per task |")
print("|---|---|---|---|")
for v in ("baseline", "current", "metrics"):
    if v not in med: continue
    w, r, c = med[v]
    print(f"| {v} | {w:.2f} s | {r:.0f} | {c:.0f} µs |")
print(f"ratio current/baseline: wall {med['current'][0] / med['baseline'][0]:.2f}, orchestrator CPU per task {med['current'][2] / med['baseline'][2]:.2f}")
if "metrics" in med:
    print(f"ratio metrics/current (the cost of metrics): wall {med['metrics'][0] / med['current'][0]:.2f}, orchestrator CPU per task {med['metrics'][2] / med['current'][2]:.2f}")
PY
