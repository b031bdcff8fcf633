"""A Celery chord on the same broker, the set-up a team would otherwise pick: N no-op header
tasks fanned out to worker processes (threads pool), results in Redis, one callback when all
are done. Run by Deploy/bench/pipeline-bench.sh; prints one line per round:

    celery <wall_s> <tasks_per_s> <fan_in_ms>

fan_in_ms is the time from the last header task's end to the callback's start, the same span
Tributary's fan-in figure covers (last result to synthesis task).
"""
import os
import sys
import time

from celery import Celery, chord

app = Celery(
    "chord_bench",
    broker=os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"),
    backend=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6390/0"),
)
app.conf.update(
    task_default_queue=os.environ.get("BENCH_QUEUE", "chord-bench"),
    task_acks_late=True,
    worker_prefetch_multiplier=64,
    result_expires=600,
    broker_connection_retry_on_startup=True,
)


@app.task
def analyse(index):
    return time.time()


@app.task
def synthesise(finished):
    return {"started": time.time(), "last_header_end": max(finished), "count": len(finished)}


def main():
    count = int(sys.argv[1])
    rounds = int(sys.argv[2])
    # Warm the workers and the result backend.
    chord(analyse.s(i) for i in range(10))(synthesise.s()).get(timeout=60)
    for _ in range(rounds):
        start = time.time()
        try:
            outcome = chord(analyse.s(i) for i in range(count))(synthesise.s()).get(timeout=600)
        except Exception as error:  # a round that fails is reported, not measured
            print(f"celery round failed: {error!r}", file=sys.stderr, flush=True)
            continue
        wall = time.time() - start
        assert outcome["count"] == count, outcome
        fan_in = (outcome["started"] - outcome["last_header_end"]) * 1000
        print(f"celery {wall:.3f} {count / wall:.0f} {fan_in:.1f}", flush=True)


if __name__ == "__main__":
    main()
