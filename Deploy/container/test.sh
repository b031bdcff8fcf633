#!/usr/bin/env bash
# Multi-host test with real containers, all over TLS: a RabbitMQ container, the orchestrator,
# one pre-test agent, three analyse-batch agents and one synthesis agent, each its own
# container (own address and hostname) on the compose project's network, started from
# Deploy/compose/compose.yaml with podman-compose, the broker last. One experiment runs while
# an analyser is killed with SIGKILL, two more are added, and the orchestrator is stopped and
# started again on its volume; it must complete with exactly one synthesis and the report of
# a local run of the same experiment. Then the PostgreSQL variant (compose.postgres.yaml on
# top): two orchestrators on one PostgreSQL container, one of them killed with SIGKILL in the
# middle of the same experiment; again one synthesis and the same report. Installs what it
# needs (podman, podman-compose, debootstrap, runc); the images are built from Debian
# packages and a binary built here.
#
#   Deploy/container/test.sh          # KEEP=1 leaves the containers up for inspection
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
export CONTAINERS_CONF="$PWD/Deploy/container/containers.conf"
work="$PWD/.build-container"
project="tributary-ct"
image="localhost/tributary:test"
broker_image="localhost/tributary-rabbitmq:test"
postgres_image="localhost/tributary-postgres:test"
base_image="localhost/tributary-debian:bookworm"
mkdir -p "$work"
step() { echo "container-test: $*"; }
fail() { echo "container-test: FAILED: $*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------------------
missing=()
for tool in podman podman-compose debootstrap runc; do command -v "$tool" >/dev/null || missing+=("$tool"); done
# Name resolution between containers on a CNI network (podman 4.3 uses CNI on Debian 12).
[ -x /usr/lib/cni/dnsname ] || missing+=(golang-github-containernetworking-plugin-dnsname)
if [ ${#missing[@]} -gt 0 ]; then
    step "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman podman-compose debootstrap runc uidmap \
        golang-github-containernetworking-plugin-dnsname >/dev/null
fi
./Deploy/local/start-broker.sh >/dev/null   # the local reference run, and libraries to build with

# --- images ------------------------------------------------------------------------------
Deploy/container/base-image.sh "$base_image"
step "building tributary-all (release, static Swift runtime)"
swift build -c release --static-swift-stdlib --product tributary-all >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; fail "swift build"; }
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"
cp "$bin/tributary-all" Deploy/container/prebuilt/tributary-all
strip Deploy/container/prebuilt/tributary-all
if ldd Deploy/container/prebuilt/tributary-all | grep -q libswift; then fail "tributary-all links the Swift runtime dynamically"; fi
step "building $image from the host binary, and $broker_image"
podman build -q -f Deploy/container/Containerfile --build-arg BUILDER_IMAGE="$base_image" --build-arg RUNTIME_IMAGE="$base_image" \
    --build-arg PREBUILT=Deploy/container/prebuilt/tributary-all -t "$image" . >/dev/null
podman build -q -f Deploy/container/broker/Containerfile --build-arg BASE_IMAGE="$base_image" -t "$broker_image" Deploy/container/broker >/dev/null
podman build -q -f Deploy/container/postgres/Containerfile --build-arg BASE_IMAGE="$base_image" -t "$postgres_image" Deploy/container/postgres >/dev/null
size=$(podman image inspect "$image" --format '{{.Size}}')
step "image size $((size / 1000000)) MB"
[ "$size" -le 200000000 ] || fail "image is $((size / 1000000)) MB, more than 200 MB"
# Captured, then searched: `grep -q` stops reading at its match, and podman, still writing
# the rest of a long help, would fail on the broken pipe.
help_text=$(podman run --rm "$image" orchestrator --help) || fail "the image does not run the orchestrator"
grep -q -- "--http-port" <<<"$help_text" || fail "the orchestrator's help in the image lacks --http-port"
[ "$(podman run --rm "$image" id -u)" != 0 ] || fail "the image runs as root"

# --- the experiment, and its reference report from a local run -------------------------
tls="$work/tls"
SERVER_NAMES=rabbitmq Deploy/local/make-certificates.sh "$tls" >/dev/null
rm -rf "$work/corpus" "$work/out" "$work/reference"
mkdir -p "$work/out" "$work/reference"
chmod 777 "$work/out"
"$bin/tributary-all" tributary generate-corpus "$work/corpus" --documents 12000 --words 20 --batch-size 1 --seed 11 >/dev/null
step "reference run on the local broker"
ns="container-reference-$RANDOM"
pids=()
"$bin/tributary-all" orchestrator --namespace "$ns" --database "$work/reference/o.sqlite" --durability normal >"$work/reference/o.log" 2>&1 & pids+=($!)
for agent in pre-test-agent analyse-batch-agent corpus-synthesis-agent; do
    "$bin/tributary-all" "$agent" --namespace "$ns" >"$work/reference/$agent.log" 2>&1 & pids+=($!)
done
"$bin/tributary-all" tributary submit "$work/corpus" --namespace "$ns" --wait --quiet --timeout 300 --out "$work/reference" >/dev/null
kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
"$bin/tributary-all" tributary topology --namespace "$ns" --delete >/dev/null

# --- compose -----------------------------------------------------------------------------
compose_files=(-f Deploy/compose/compose.yaml)
compose() {
    TRIBUTARY_IMAGE="$image" TRIBUTARY_BROKER_IMAGE="$broker_image" TRIBUTARY_POSTGRES_IMAGE="$postgres_image" TRIBUTARY_TLS_DIR="$tls" \
        ANALYSERS=3 POSTGRES_PASSWORD=ct-postgres-secret podman-compose -p "$project" "${compose_files[@]}" "$@"
}
cleanup() {
    [ "${KEEP:-0}" = 1 ] && return
    podman rm -f -t 0 ct-submit ct-watch ct-analyser-extra-1 ct-analyser-extra-2 ct-console >/dev/null 2>&1 || true
    compose_files=(-f Deploy/compose/compose.yaml -f Deploy/compose/compose.postgres.yaml)
    compose down -v >/dev/null 2>&1 || true
    compose_files=(-f Deploy/compose/compose.yaml)
    compose down -v >/dev/null 2>&1 || true
    podman network rm -f "${project}_default" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
network="${project}_default"
step "starting the services, then the broker last"
compose up -d orchestrator pre-test-agent analyse-batch-agent corpus-synthesis-agent >"$work/compose-up.log" 2>&1
compose up -d rabbitmq >>"$work/compose-up.log" 2>&1
containers() { podman ps --filter "label=io.podman.compose.project=$project" --format '{{.Names}}' | sort; }
[ "$(containers | grep -c analyse-batch-agent)" = 3 ] || fail "expected 3 analysers: $(containers | tr '\n' ' ')"
# Ready once each one's health check (its /readyz) passes: connected over TLS, consumers up.
for container in $(containers | grep -v rabbitmq); do
    timeout 180 bash -c "until podman healthcheck run $container >/dev/null 2>&1; do sleep 1; done" \
        || { podman logs --tail 20 "$container"; fail "$container did not become ready"; }
done

client() {  # a tributary command in a container of its own on the project network
    local name="$1"; shift
    podman run --name "$name" --network "$network" -e AMQP_URL=amqps://tributary:tributary@rabbitmq:5671/%2F \
        -e TRIBUTARY_TLS_CA_FILE=/tls/ca.pem -v "$tls:/tls:ro" -v "$work/corpus:/corpus:ro" -v "$work/out:/out" "$@"
}
# The first progress event, as `tributary watch` shows it: the fan-out is under way.
# (grep's status alone: the watch ends with a broken pipe once grep has its line.)
await_progress() {  # experiment
    grep -m 1 -q '"batches_completed":[1-9]' < <(timeout 180 podman run --rm --name ct-watch --network "$network" \
        -e AMQP_URL=amqps://tributary:tributary@rabbitmq:5671/%2F -e TRIBUTARY_TLS_CA_FILE=/tls/ca.pem -v "$tls:/tls:ro" "$image" \
        tributary watch "$1" --json 2>/dev/null) || fail "no progress within 180 s"
}
# Waits for ct-submit, then checks the experiment's final status (completed, one synthesis,
# every batch) and that its report and scores are the local run's.
expect_completed() {  # experiment label
    local experiment="$1" label="$2" status
    status=$(timeout 600 podman wait ct-submit) || fail "$label: the experiment did not finish within 600 s"
    [ "$status" = 0 ] || { podman logs --tail 20 ct-submit; fail "$label: tributary submit exited $status"; }
    podman run --rm --network "$network" -e AMQP_URL=amqps://tributary:tributary@rabbitmq:5671/%2F -e TRIBUTARY_TLS_CA_FILE=/tls/ca.pem \
        -v "$tls:/tls:ro" "$image" tributary status "$experiment" >"$work/status-$experiment.json"
    python3 - "$work/status-$experiment.json" "$label" <<'PY' || fail "$label: final status"
import json, sys
status, label = json.load(open(sys.argv[1])), sys.argv[2]
assert status["state"] == "completed", status["state"]
assert status["synthesis_requests"] == 1, status["synthesis_requests"]
assert status["batches_completed"] == status["batch_count"], (status["batches_completed"], status["batch_count"])
print(f"container-test: {label}: completed, {status['batch_count']} batches, one synthesis, {status['duplicates_ignored']} duplicates ignored, {status['retries']} retries")
PY
    cmp "$work/out/report.json" "$work/reference/report.json" || fail "$label: the report differs from the local run's"
    cmp "$work/out/scores.csv" "$work/reference/scores.csv" || fail "$label: the scores differ from the local run's"
}
step "submitting 12,000 one-document batches; waiting with the production client"
client ct-submit -d "$image" tributary submit /corpus --experiment-id ct-1 --wait --timeout 600 --out /out >/dev/null
await_progress ct-1

status_json() {
    podman run --rm --network "$network" -e AMQP_URL=amqps://tributary:tributary@rabbitmq:5671/%2F -e TRIBUTARY_TLS_CA_FILE=/tls/ca.pem \
        -v "$tls:/tls:ro" "$image" tributary status ct-1 2>/dev/null
}
victim="$(containers | grep analyse-batch-agent | head -1)"
podman kill -s KILL "$victim" >/dev/null
done_then=$(status_json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["batches_completed"])')
step "killed $victim with SIGKILL at $done_then/12000 batches; adding two analysers, restarting the orchestrator on its volume"
[ "$done_then" -lt 12000 ] || fail "the experiment had finished before the faults: they proved nothing"
for n in 1 2; do
    podman run -d --name "ct-analyser-extra-$n" --network "$network" -e AMQP_URL=amqps://tributary:tributary@rabbitmq:5671/%2F \
        -e TRIBUTARY_TLS_CA_FILE=/etc/tributary/tls/ca.pem -v "$tls:/etc/tributary/tls:ro" "$image" analyse-batch-agent --concurrency 8 >/dev/null
done
orchestrator="$(containers | grep orchestrator)"
# Stopped while the experiment runs (checked: the waiting client is still waiting), started on its volume.
# (podman without systemd complains that it cannot time health checks; they are run below.)
podman stop -t 30 "$orchestrator" >/dev/null 2>&1
[ "$(podman inspect ct-submit --format '{{.State.Running}}')" = true ] || fail "the experiment had finished before the orchestrator stopped"
podman start "$orchestrator" >/dev/null 2>&1

expect_completed ct-1 SQLite

step "health checks right after the run, and the documented sample command"
# Right after a run that loaded every service, each one must be healthy at the first ask: no
# retries here, since one failed check is what an orchestrator of containers acts on.
for container in $(containers | grep -v rabbitmq); do
    if ! podman healthcheck run "$container" >/dev/null 2>&1; then
        reason=$(podman exec "$container" tributary-ready 2>&1) || true
        podman logs --tail 20 "$container"
        fail "$container is not healthy right after the run (${reason:-ready again when asked a second time})"
    fi
done
compose exec orchestrator tributary submit /samples/hope-and-fear --wait --quiet --timeout 120 >"$work/sample-report.md" \
    || fail "the sample experiment did not complete"
grep -q "hope" "$work/sample-report.md" || fail "the sample report is empty"

# --- the web console, in the image, on the same network ----------------------------------
step "the web console: nothing without a token; a viewer's token lists the run"
printf -- '- name: ct\n  role: viewer\n  sha256: %s\n' "$(printf 'ct-console-token' | "$bin/tributary-all" tributary-console --hash-token)" >"$work/console-tokens.yaml"
chmod 644 "$work/console-tokens.yaml"
console_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
podman run -d --name ct-console --network "$network" -p "127.0.0.1:$console_port:8080" \
    -e AMQP_URL=amqps://tributary:tributary@rabbitmq:5671/%2F -e TRIBUTARY_TLS_CA_FILE=/etc/tributary/tls/ca.pem -e TRIBUTARY_HTTP_PORT=8080 \
    -e TRIBUTARY_CONSOLE_TOKENS_FILE=/etc/tributary/console/tokens.yaml -v "$tls:/etc/tributary/tls:ro" \
    -v "$work/console-tokens.yaml:/etc/tributary/console/tokens.yaml:ro" "$image" tributary-console >/dev/null
timeout 120 bash -c "until podman exec ct-console tributary-ready >/dev/null 2>&1; do sleep 1; done" \
    || { podman logs --tail 20 ct-console; fail "the console did not become ready"; }
python3 - "http://127.0.0.1:$console_port" <<'PY' || { podman logs --tail 20 ct-console; fail "the console in its container"; }
import json, sys, urllib.error, urllib.request
base = sys.argv[1]
class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args): return None
opener = urllib.request.build_opener(Stay)
def code(path, headers={}):
    try:
        return opener.open(urllib.request.Request(base + path, headers=headers)).status
    except urllib.error.HTTPError as error:
        return error.code
assert code("/") == 302, "the list page without a session"
assert code("/api/v1/experiments") == 401, "the API without a token"
listed = json.load(opener.open(urllib.request.Request(base + "/api/v1/experiments", headers={"Authorization": "Bearer ct-console-token"})))
assert any(e["experiment_id"] == "ct-1" and e["state"] == "completed" for e in listed["experiments"]), listed
print("container-test: the console in its container: 302 and 401 without a token, ct-1 completed in the viewer's API list")
PY
podman rm -f -t 0 ct-console >/dev/null

# --- the PostgreSQL variant: two orchestrators, one killed ------------------------------
step "PostgreSQL variant: two orchestrators on one PostgreSQL container"
podman rm -f -t 0 ct-submit ct-analyser-extra-1 ct-analyser-extra-2 >/dev/null 2>&1 || true
compose down -v >/dev/null 2>&1
compose_files=(-f Deploy/compose/compose.yaml -f Deploy/compose/compose.postgres.yaml)
rm -f "$work/out/report.json" "$work/out/scores.csv" "$work/out/report.md"
compose up -d >"$work/compose-postgres-up.log" 2>&1
[ "$(containers | grep -c orchestrator)" = 2 ] || fail "expected 2 orchestrators: $(containers | tr '\n' ' ')"
for container in $(containers | grep -v -e rabbitmq -e postgres); do
    timeout 180 bash -c "until podman healthcheck run $container >/dev/null 2>&1; do sleep 1; done" \
        || { podman logs --tail 20 "$container"; fail "$container did not become ready"; }
done
client ct-submit -d "$image" tributary submit /corpus --experiment-id ct-pg --wait --timeout 600 --out /out >/dev/null
await_progress ct-pg
victim="$(containers | grep orchestrator | head -1)"
podman kill -s KILL "$victim" >/dev/null
[ "$(podman inspect ct-submit --format '{{.State.Running}}')" = true ] || fail "the experiment had finished before the kill"
step "killed $victim with SIGKILL mid-experiment; the other orchestrator carries on alone"
expect_completed ct-pg PostgreSQL
for container in $(containers | grep orchestrator); do
    if podman logs "$container" 2>&1 | grep -q ct-postgres-secret; then fail "$container logs the database password"; fi
done
step "passed"
