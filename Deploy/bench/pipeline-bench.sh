#!/usr/bin/env bash
# The pipeline benchmark: everything issue #11 asks for, measured side by side in one run on
# the local broker (Docs/benchmarks.md has the results and how to read them).
#
#   Deploy/bench/pipeline-bench.sh [BATCHES] [ROUNDS] [FAN_IN_EXPERIMENTS]      # defaults: 5000 3 20
#
# Environment: BASELINE=<git rev> (default b436fca, the tree before the fast path; "none" to
# skip), LARGE=<documents> (default 100000; 0 skips the large run), LARGE_PARALLEL=<n> (default 1;
# 3 runs three large experiments at once), CELERY=0 to skip the Celery chord, POSTGRES=0 to
# skip two orchestrators on PostgreSQL, PARALLEL=<k> (default 1) to split each Tributary
# round's BATCHES into k experiments submitted at once (the same in every variant).
#
# 1. The raw librabbitmq request-reply hop on quorum queues (amqp-bench --request-reply).
# 2. ROUNDS alternating runs of a BATCHES-batch experiment (one 20-word document per batch, 2
#    analysers at concurrency 64, --durability full) on this tree and on BASELINE, and a
#    Celery chord of BATCHES no-op tasks (RabbitMQ broker, Redis results, threads pool x 2),
#    and the same experiment with two orchestrators sharing a PostgreSQL database (a private
#    cluster on 127.0.0.1:55433 with fsync on, a fresh database per round):
#    submit -> completed, tasks/s, orchestrator CPU per task (both orchestrators together).
# 3. FAN_IN_EXPERIMENTS experiments of BATCHES batches, one after another, on this tree (and
#    as many chords): last result -> synthesis task confirmed, p50 and p99, from the
#    orchestrator's per-experiment log line.
# 4. A LARGE-document experiment through the content store, with the broker's
#    max_message_size set to 8 MiB for the run (so no message may be larger): the
#    orchestrator's peak RSS (VmHWM).
set -euo pipefail
cd "$(dirname "$0")/../.."
. Deploy/bench/lib.sh
export PATH="/opt/swift/usr/bin:$PATH"

batches="${1:-5000}"
rounds="${2:-3}"
fan_in_experiments="${3:-20}"
baseline="${BASELINE:-b436fca}"
large="${LARGE:-100000}"
large_parallel="${LARGE_PARALLEL:-1}"
work=".build-bench"
mkdir -p "$work"
results="$work/pipeline-results.txt"
: >"$results"

./Deploy/local/start-broker.sh >/dev/null
echo "bench: building this tree (release)"
swift build -c release >/dev/null
current_bin="$(swift build -c release --show-bin-path)"
baseline_bin=""
if [ "$baseline" != none ]; then
    echo "bench: building baseline $baseline (release)"
    if [ ! -d "$work/baseline" ]; then git worktree add --detach "$work/baseline" "$baseline" >/dev/null; fi
    git -C "$work/baseline" checkout --detach --quiet "$baseline"
    (cd "$work/baseline" && swift build -c release >/dev/null)
    baseline_bin="$(cd "$work/baseline" && swift build -c release --show-bin-path)"
fi

corpus="$work/corpus-$batches"
[ -d "$corpus" ] || "$current_bin/tributary" generate-corpus "$corpus" --documents "$batches" --words 20 --batch-size 1 --seed 7 >/dev/null
parallel="${PARALLEL:-1}"
part_batches=$((batches / parallel))
part_corpus="$work/corpus-$part_batches"
[ -d "$part_corpus" ] || "$current_bin/tributary" generate-corpus "$part_corpus" --documents "$part_batches" --words 20 --batch-size 1 --seed 7 >/dev/null
clock_ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Two orchestrators on PostgreSQL: a private cluster with fsync on (the SQLite runs use
# --durability full), apart from the tests' own.
postgres_ready=0
if [ "${POSTGRES:-1}" = 1 ]; then
    postgres_state=/var/lib/tributary-postgres-bench
    postgres_url=$(TRIBUTARY_POSTGRES_PORT=55433 TRIBUTARY_POSTGRES_STATE="$postgres_state" TRIBUTARY_POSTGRES_OPTIONS="" ./Deploy/local/start-postgres.sh)
    postgres_ready=1
fi
fresh_database() {  # prints the URL of a new, empty database
    local name="bench_$RANDOM$RANDOM"
    runuser -u postgres -- psql -q -h "$postgres_state" -p 55433 -U postgres -d postgres -c "CREATE DATABASE $name OWNER tributary" >/dev/null
    echo "${postgres_url%/*}/$name?sslmode=disable"
}

# A pipeline of the real executables in a namespace of its own. Sets: ns, dir, pids,
# orchestrators. ORCHESTRATORS=2 DATABASE_URL=postgres://… runs two on that database.
start_pipeline() {  # bin [extra options for every service]
    local bin="$1"
    shift
    ns="bench-$RANDOM$RANDOM"
    dir="$work/run-$ns"
    pids=()
    orchestrators=()
    mkdir -p "$dir"
    if [ -n "${DATABASE_URL:-}" ]; then
        for index in $(seq 1 "${ORCHESTRATORS:-1}"); do
            TRIBUTARY_DATABASE_URL="$DATABASE_URL" "$bin/orchestrator" --namespace "$ns" "$@" >"$dir/orchestrator-$index.log" 2>&1 &
            orchestrators+=($!)
        done
    else
        "$bin/orchestrator" --namespace "$ns" --database "$dir/orchestrator.sqlite" --durability full "$@" >"$dir/orchestrator.log" 2>&1 &
        orchestrators+=($!)
    fi
    orchestrator="${orchestrators[0]}"
    pids+=("${orchestrators[@]}")
    "$bin/pre-test-agent" --namespace "$ns" "$@" >"$dir/pre-test.log" 2>&1 & pids+=($!)
    "$bin/analyse-batch-agent" --namespace "$ns" --concurrency 64 --worker-id a1 "$@" >"$dir/a1.log" 2>&1 & pids+=($!)
    "$bin/analyse-batch-agent" --namespace "$ns" --concurrency 64 --worker-id a2 "$@" >"$dir/a2.log" 2>&1 & pids+=($!)
    "$bin/corpus-synthesis-agent" --namespace "$ns" "$@" >"$dir/synthesis.log" 2>&1 & pids+=($!)
    wait_for_services "$dir" "$((4 + ${#orchestrators[@]}))"
}

stop_pipeline() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    "$current_bin/tributary" topology --namespace "$ns" --delete >/dev/null
}

submit() {  # bin corpus [options]
    local bin="$1" experiment="$2"
    shift 2
    "$bin/tributary" submit "$experiment" --namespace "$ns" --wait --quiet --timeout 900 "$@" >>"$dir/submit.log" 2>&1 </dev/null
}

# The fan-in of every experiment the orchestrators completed, in milliseconds.
fan_ins() { cat "$dir"/orchestrator*.log | sed -n 's/.*tributary\.duration_ms=\([0-9.]*\).*fan-in complete.*/\1/p'; }
orchestrators_cpu() { local total=0 pid; for pid in "${orchestrators[@]}"; do total=$((total + $(cpu_ticks "$pid"))); done; echo "$total"; }

tributary_round() {  # variant bin
    local variant="$1" bin="$2" before start end after fan_in submitters=() failed=0 submitter
    start_pipeline "$bin"
    before=$(orchestrators_cpu)
    start=$(date +%s.%N)
    if [ "$parallel" = 1 ]; then
        submit "$bin" "$corpus"
    else
        for _ in $(seq 1 "$parallel"); do
            submit "$bin" "$part_corpus" &
            submitters+=($!)
        done
        for submitter in "${submitters[@]}"; do wait "$submitter" || failed=1; done
        [ "$failed" = 0 ] || { echo "bench: an experiment did not complete; see $dir" >&2; exit 1; }
    fi
    end=$(date +%s.%N)
    after=$(orchestrators_cpu)
    fan_in=$(fan_ins | tail -n 1)
    stop_pipeline
    rm -rf "$dir"
    awk -v v="$variant" -v s="$start" -v e="$end" -v b="$before" -v a="$after" -v hz="$clock_ticks" -v n="$((part_batches * parallel))" -v f="${fan_in:-nan}" \
        'BEGIN { w = e - s; printf "%s %.3f %.0f %.0f %s\n", v, w, n / w, (a - b) / hz * 1e6 / n, f }'
}

# Celery: a venv with celery and redis, a private Redis, two worker processes.
celery_ready=0
if [ "${CELERY:-1}" = 1 ]; then
    if [ ! -x "$work/celery-venv/bin/celery" ]; then
        python3 -m venv "$work/celery-venv" >/dev/null && "$work/celery-venv/bin/pip" install -q celery redis >/dev/null 2>&1 || true
    fi
    command -v redis-server >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q redis-server >/dev/null; } || true
    if [ -x "$work/celery-venv/bin/celery" ] && command -v redis-server >/dev/null; then
        # No output limit for pub/sub clients: Celery's result consumer subscribes to every task
        # of a chord, and Redis' default limit disconnects it mid-round.
        redis-server --port 6390 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --client-output-buffer-limit "pubsub 0 0 0" >/dev/null
        celery_queue="chord-bench-$RANDOM"
        celery_pids=()
        for worker in 1 2; do
            (cd Deploy/bench/celery && BENCH_QUEUE="$celery_queue" exec "../../../$work/celery-venv/bin/celery" -A chord_bench worker \
                --pool threads --concurrency 64 -Q "$celery_queue" -n "w$worker@%h" --loglevel warning) >"$work/celery-$worker.log" 2>&1 &
            celery_pids+=($!)
        done
        celery_ready=1
    else
        echo "bench: Celery or Redis not available; skipping the chord" >&2
    fi
fi
celery_rounds() {  # count rounds
    (cd Deploy/bench/celery && BENCH_QUEUE="$celery_queue" "../../../$work/celery-venv/bin/python" chord_bench.py "$1" "$2")
}

echo "bench: raw request-reply hop"
raw=$("$current_bin/amqp-bench" --request-reply --messages 50000 --rounds 2 | sed -n 's/.*median of [0-9]*): \([0-9]*\) tasks.*/\1/p')
echo "raw $raw" >>"$results"

echo "bench: $rounds rounds of $batches batches ($parallel experiment(s) at once)"
variants=(current)
[ -n "$baseline_bin" ] && variants+=(baseline)
[ "$celery_ready" = 1 ] && variants+=(celery)
[ "$postgres_ready" = 1 ] && variants+=(postgres2)
for round in $(seq 1 "$rounds"); do
    shift_by=$(((round - 1) % ${#variants[@]}))
    for variant in "${variants[@]:$shift_by}" "${variants[@]:0:$shift_by}"; do
        case "$variant" in
        current) line=$(tributary_round current "$current_bin") ;;
        baseline) line=$(tributary_round baseline "$baseline_bin") ;;
        celery) line=$(celery_rounds "$batches" 1 | awk '{ printf "celery %s %s nan %s\n", $2, $3, $4 }') ;;
        postgres2) line=$(DATABASE_URL="$(fresh_database)" ORCHESTRATORS=2 tributary_round postgres2 "$current_bin") ;;
        esac
        echo "round $round: $line   (variant wall_s tasks_per_s orchestrator_cpu_us_per_task fan_in_ms)"
        echo "$line" >>"$results"
    done
done

echo "bench: fan-in over $fan_in_experiments experiments of $batches batches"
start_pipeline "$current_bin"
for _ in $(seq 1 "$fan_in_experiments"); do submit "$current_bin" "$corpus"; done
fan_ins | sed 's/^/fanin-current /' >>"$results"
stop_pipeline
rm -rf "$dir"
if [ "$celery_ready" = 1 ]; then
    celery_rounds "$batches" "$fan_in_experiments" | awk '{ print "fanin-celery " $4 }' >>"$results"
    for pid in "${celery_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait "${celery_pids[@]}" 2>/dev/null || true
    redis-cli -p 6390 shutdown nosave >/dev/null 2>&1 || true
fi

if [ "$large" -gt 0 ]; then
    echo "bench: $large_parallel x $large documents through the content store, broker max_message_size 8 MiB"
    large_corpus="$work/corpus-$large"
    [ -d "$large_corpus" ] || "$current_bin/tributary" generate-corpus "$large_corpus" --documents "$large" --words 20 --batch-size 1 --seed 7 >/dev/null
    previous_limit=$(rabbitmqctl eval 'application:get_env(rabbit, max_message_size).' | tr -dc '0-9')
    # Whatever happens, the broker gets its own limit back.
    trap 'rabbitmqctl eval "application:set_env(rabbit, max_message_size, ${previous_limit:-134217728})." >/dev/null' EXIT
    rabbitmqctl eval 'application:set_env(rabbit, max_message_size, 8388608).' >/dev/null
    store="$work/content-store"
    rm -rf "$store"
    start_pipeline "$current_bin" --document-store "$store"
    start=$(date +%s.%N)
    submitters=()
    for _ in $(seq 1 "$large_parallel"); do
        submit "$current_bin" "$large_corpus" --document-store "$store" --out "$dir/report-$RANDOM" &
        submitters+=($!)
    done
    wait_failed=0
    for submitter in "${submitters[@]}"; do wait "$submitter" || wait_failed=1; done
    end=$(date +%s.%N)
    rss=$(awk '/VmHWM/ { print $2 }' "/proc/$orchestrator/status")
    completed=$(grep -c 'fan-in complete' "$dir/orchestrator.log" || true)
    stop_pipeline
    rabbitmqctl eval "application:set_env(rabbit, max_message_size, ${previous_limit:-134217728})." >/dev/null
    [ "$wait_failed" = 0 ] && [ "$completed" = "$large_parallel" ] || { echo "bench: a large experiment did not complete; see $dir" >&2; exit 1; }
    echo "large $large $large_parallel $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }') $((rss / 1024))" >>"$results"
    rm -rf "$dir" "$store"
fi

round_label="$batches batches"
[ "$parallel" = 1 ] || round_label="$parallel experiments of $part_batches batches at once"
python3 - "$results" "$batches" "$baseline" "$round_label" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
batches, baseline = sys.argv[2], sys.argv[3]
def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]
raw = next((float(r[1]) for r in rows if r[0] == "raw"), float("nan"))
runs = {}
for r in rows:
    if r[0] in ("current", "baseline", "celery", "postgres2"):
        runs.setdefault(r[0], []).append(r)
print(f"\nraw librabbitmq request-reply hop, quorum queues: {raw:.0f} tasks/s\n")
print(f"| {sys.argv[4]}, medians of {len(runs.get('current', []))} rounds | submit → completed | tasks/s | share of raw hop | orchestrator CPU per task |")
print("|---|---|---|---|---|")
med = {}
for variant in ("current", "baseline", "celery", "postgres2"):
    if variant not in runs: continue
    wall = statistics.median(float(r[1]) for r in runs[variant])
    rate = statistics.median(float(r[2]) for r in runs[variant])
    cpu = [float(r[3]) for r in runs[variant] if r[3] != "nan"]
    med[variant] = (wall, rate, statistics.median(cpu) if cpu else None)
    name = {"current": "Tributary (this tree), 1 orchestrator, SQLite", "baseline": f"Tributary {baseline}", "celery": "Celery chord",
            "postgres2": "Tributary (this tree), 2 orchestrators, PostgreSQL"}[variant]
    print(f"| {name} | {wall:.2f} s | {rate:.0f} | {rate / raw:.1%} | {'%.0f µs' % med[variant][2] if med[variant][2] else '—'} |")
if "baseline" in med:
    c, b = med["current"], med["baseline"]
    print(f"\nthis tree / baseline: throughput {c[1] / b[1]:.2f}x, orchestrator CPU per task {c[2] / b[2]:.2f}")
if "celery" in med:
    print(f"this tree / Celery chord: throughput {med['current'][1] / med['celery'][1]:.2f}x")
if "postgres2" in med:
    p, c = med["postgres2"], med["current"]
    print(f"2 orchestrators on PostgreSQL / 1 on SQLite: throughput {p[1] / c[1]:.2f}x, orchestrator CPU per task (both together) {p[2] / c[2]:.2f}")
for name, key in (("Tributary (this tree)", "fanin-current"), ("Celery chord", "fanin-celery")):
    values = [float(r[1]) for r in rows if r[0] == key]
    if values:
        print(f"fan-in, {name}, {len(values)} experiments of {batches}: p50 {percentile(values, 50):.1f} ms, p99 {percentile(values, 99):.1f} ms, max {max(values):.1f} ms")
for r in rows:
    if r[0] == "large":
        print(f"{r[2]} x {r[1]} documents through the content store (broker max_message_size 8 MiB): completed in {r[3]} s, orchestrator peak RSS {r[4]} MB")
PY
