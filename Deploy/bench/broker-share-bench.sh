#!/usr/bin/env bash
# The broker's CPU per task in the pipeline, against the raw hop's, in one sitting (issue 22):
# rounds of a BATCHES-batch experiment (one 20-word document per batch, 2 analysers) at each
# analyser concurrency in CONCURRENCIES, in an order that rotates every round, then the raw
# hop plain at the same prefetch values (amqp-bench --request-reply --factors).
#
#   Deploy/bench/broker-share-bench.sh [BATCHES] [ROUNDS]      # defaults: 20000 2
#
# Environment: CONCURRENCIES (default "64 256"); MAX_IN_FLIGHT sets the experiment's
# max_in_flight (default: the corpus's, 1000), to compare a paced fan-out with one published
# all at once. Needs release builds (swift build -c release) and the local broker (Deploy/local/start-broker.sh). The broker's CPU is beam.smp's user +
# system time from /proc over submit -> completed, divided by the batches. The broker's cost
# per message depends on its load (the same hop paced to a tenth of its rate costs it several
# times more per message; Docs/benchmarks.md), so a hop at full speed and a pipeline at a
# fraction of it are not alike. RATE (tasks/s) also runs the raw hop paced to that rate, the
# pipeline's, for a hop at the same load.
set -euo pipefail
cd "$(dirname "$0")/../.."
. Deploy/bench/lib.sh
batches="${1:-20000}"
rounds="${2:-2}"
read -r -a concurrencies <<<"${CONCURRENCIES:-64 256}"
bin="$(swift build -c release --show-bin-path)"
# AMQP_URL (read by every command and amqp-bench) names another broker, BROKER_PID its beam.smp.
broker="${BROKER_PID:-$(pgrep -o beam.smp)}" || { echo "bench: no broker running (Deploy/local/start-broker.sh)" >&2; exit 1; }
hz=$(getconf CLK_TCK)
work=.build/bench-broker-share
mkdir -p "$work"
corpus="$work/corpus-$batches"
[ -d "$corpus" ] || "$bin/tributary" generate-corpus "$corpus" --documents "$batches" --words 20 --batch-size 1 --seed 7 >/dev/null
if [ -n "${MAX_IN_FLIGHT:-}" ]; then
    paced="$work/corpus-$batches-in-flight-$MAX_IN_FLIGHT"
    if [ ! -d "$paced" ]; then
        cp -r "$corpus" "$paced"
        sed -i '/^max_in_flight:/d' "$paced/experiment.yaml"
        echo "max_in_flight: $MAX_IN_FLIGHT" >>"$paced/experiment.yaml"
    fi
    corpus="$paced"
fi
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

run() {  # concurrency -> "concurrency wall_s broker_us_per_task"
    local concurrency="$1" ns="bench-share-$RANDOM" dir pids=() before after start end
    dir=$(mktemp -d)
    "$bin/orchestrator" --namespace "$ns" --database "$dir/o.sqlite" --durability full >"$dir/orchestrator.log" 2>&1 & pids+=($!)
    "$bin/pre-test-agent" --namespace "$ns" >"$dir/pre-test.log" 2>&1 & pids+=($!)
    for worker in a1 a2; do
        "$bin/analyse-batch-agent" --namespace "$ns" --concurrency "$concurrency" --worker-id "$worker" >"$dir/$worker.log" 2>&1 & pids+=($!)
    done
    "$bin/corpus-synthesis-agent" --namespace "$ns" >"$dir/synthesis.log" 2>&1 & pids+=($!)
    wait_for_services "$dir" 5
    before=$(ticks "$broker")
    start=$(date +%s.%N)
    "$bin/tributary" submit "$corpus" --namespace "$ns" --wait --quiet --timeout 900 >"$dir/submit.log" 2>&1 </dev/null
    end=$(date +%s.%N)
    after=$(ticks "$broker")
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    "$bin/tributary" topology --namespace "$ns" --delete >/dev/null
    rm -rf "$dir"
    awk -v c="$concurrency" -v s="$start" -v e="$end" -v b="$before" -v a="$after" -v hz="$hz" -v n="$batches" \
        'BEGIN { printf "%s %.2f %.0f\n", c, e - s, (a - b) / hz * 1e6 / n }'
}

results="$work/results"
: >"$results"
for round in $(seq 1 "$rounds"); do
    shift_by=$(((round - 1) % ${#concurrencies[@]}))
    for concurrency in "${concurrencies[@]:$shift_by}" "${concurrencies[@]:0:$shift_by}"; do
        line=$(run "$concurrency")
        echo "round $round: concurrency $line   (concurrency wall_s broker_us_per_task)"
        echo "pipeline $line" >>"$results"
    done
done
hop() {  # label [amqp-bench options]
    local label="$1"
    shift
    echo "hop $label $("$bin/amqp-bench" --request-reply --factors --broker-pid "$broker" --rounds 2 "$@" |
        awk -F'|' '/^\| (plain|all)/ { gsub(/[^0-9]/, "", $5); printf "%s ", $5 }')" >>"$results"
}
for concurrency in "${concurrencies[@]}"; do hop "$concurrency" --messages 30000 --prefetch "$concurrency" --window "$concurrency"; done
[ -z "${RATE:-}" ] || hop "paced-$RATE" --messages 20000 --prefetch 256 --window 256 --rate "$RATE"
python3 - "$results" "$batches" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
hop = {r[1]: (float(r[2]), float(r[3])) for r in rows if r[0] == "hop"}
print(f"\n| {sys.argv[2]} batches, 2 analysers | submit → completed | tasks/s | broker CPU per task | raw hop at that prefetch and window (plain / with all of Tributary's choices) | pipeline / plain hop |")
print("|---|---|---|---|---|---|")
for concurrency in dict.fromkeys(r[1] for r in rows if r[0] == "pipeline"):
    runs = [r for r in rows if r[0] == "pipeline" and r[1] == concurrency]
    wall = statistics.median(float(r[2]) for r in runs)
    cpu = statistics.median(float(r[3]) for r in runs)
    plain, full = hop.get(concurrency, (float("nan"), float("nan")))
    print(f"| analyser concurrency {concurrency} | {wall:.2f} s | {int(sys.argv[2]) / wall:.0f} | {cpu:.0f} µs | {plain:.0f} µs / {full:.0f} µs | {cpu / plain:.1f}× |")
for label, (plain, full) in hop.items():
    if label.startswith("paced-"):
        print(f"\nraw hop paced to {label[6:]} tasks/s (prefetch and window 256): broker CPU per task {plain:.0f} µs plain, {full:.0f} µs with all of Tributary's choices")
PY
