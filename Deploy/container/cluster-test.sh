#!/usr/bin/env bash
# Broker cluster test: three RabbitMQ nodes clustered in containers on one network (three
# hosts), Tributary's quorum queues replicated over them, and the services (containers too)
# given all three nodes. Mid-experiment the node the orchestrator is connected to is stopped:
# every service fails over, and the experiment completes with exactly one synthesis.
#
#   Deploy/container/cluster-test.sh      # after Deploy/container/test.sh built the images
set -euo pipefail
cd "$(dirname "$0")/../.."
export CONTAINERS_CONF="$PWD/Deploy/container/containers.conf"
work="$PWD/.build-container"
image="localhost/tributary:test"
broker_image="localhost/tributary-rabbitmq:test"
network="tributary-cluster"
nodes=(rabbit-1 rabbit-2 rabbit-3)
services=(cl-orchestrator cl-pre-test cl-analyser-1 cl-analyser-2 cl-synthesis)
step() { echo "cluster-test: $*"; }
fail() { echo "cluster-test: FAILED: $*" >&2; exit 1; }
for required in "$image" "$broker_image"; do
    podman image exists "$required" || fail "$required missing: run Deploy/container/test.sh first"
done

tls="$work/cluster-tls"
SERVER_NAMES="${nodes[*]}" Deploy/local/make-certificates.sh "$tls" >/dev/null
cleanup() {
    [ "${KEEP:-0}" = 1 ] && return
    podman rm -f -t 0 "${services[@]}" cl-submit cl-watch "${nodes[@]}" >/dev/null 2>&1 || true
    podman network rm -f "$network" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
podman network create "$network" >/dev/null

# Users only: the services declare the queues once the cluster has formed, so each quorum
# queue gets a member on every node.
conf="$work/cluster-rabbitmq.conf"
grep -v '^load_definitions' Deploy/compose/rabbitmq.conf >"$conf"
echo "load_definitions = /etc/rabbitmq/definitions/users.json" >>"$conf"
cookie="tributary-cluster-cookie-$RANDOM$RANDOM"
step "starting ${nodes[*]}"
for node in "${nodes[@]}"; do
    podman run -d --name "$node" --hostname "$node" --network "$network" \
        -v "$conf:/etc/rabbitmq/rabbitmq.conf:ro" -v "$PWD/Deploy/compose/users.json:/etc/rabbitmq/definitions/users.json:ro" \
        -v "$tls:/etc/rabbitmq/tls:ro" "$broker_image" \
        sh -c "printf %s $cookie >/var/lib/rabbitmq/.erlang.cookie && chown rabbitmq:rabbitmq /var/lib/rabbitmq/.erlang.cookie && chmod 400 /var/lib/rabbitmq/.erlang.cookie && exec rabbitmq-server" >/dev/null
done
for node in "${nodes[@]}"; do
    timeout 180 podman exec "$node" sh -c 'until rabbitmqctl await_startup --timeout 10 >/dev/null 2>&1; do sleep 1; done' \
        || fail "$node did not start"
done
for node in rabbit-2 rabbit-3; do
    podman exec "$node" rabbitmqctl stop_app >/dev/null
    podman exec "$node" rabbitmqctl join_cluster rabbit@rabbit-1 >/dev/null
    podman exec "$node" rabbitmqctl start_app >/dev/null
done
running=$(podman exec rabbit-1 rabbitmqctl cluster_status --formatter json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["running_nodes"]))')
[ "$running" = 3 ] || fail "cluster has $running running nodes"
step "cluster of 3 nodes formed"

urls="amqps://tributary:tributary@rabbit-1:5671/%2F,amqps://tributary:tributary@rabbit-2:5671/%2F,amqps://tributary:tributary@rabbit-3:5671/%2F"
run_service() {  # name command...
    local name="$1"; shift
    podman run -d --name "$name" --hostname "$name" --network "$network" -e AMQP_URL="$urls" -e TRIBUTARY_TLS_CA_FILE=/tls/ca.pem \
        -v "$tls:/tls:ro" "$image" "$@" >/dev/null
}
run_service cl-orchestrator orchestrator --database /var/lib/tributary/orchestrator.sqlite
run_service cl-pre-test pre-test-agent
run_service cl-analyser-1 analyse-batch-agent --concurrency 8
run_service cl-analyser-2 analyse-batch-agent --concurrency 8
run_service cl-synthesis corpus-synthesis-agent
timeout 120 sh -c 'until podman exec cl-orchestrator tributary-ready && podman exec cl-synthesis tributary-ready; do sleep 1; done' \
    || fail "services not ready"
members=$(podman exec rabbit-1 rabbitmqctl list_queues name members --formatter json \
    | python3 -c 'import json,sys; q=[x for x in json.load(sys.stdin) if x["name"]=="tributary.tasks.analyse_batch"]; print(len(q[0]["members"]) if q else 0)')
[ "$members" = 3 ] || fail "tributary.tasks.analyse_batch has $members members, not 3"
step "quorum queues replicated on all 3 nodes"

"$(swift build -c release --static-swift-stdlib --show-bin-path 2>/dev/null || echo .build/release)/tributary-all" tributary generate-corpus \
    "$work/cluster-corpus" --documents 12000 --words 20 --batch-size 1 --seed 5 >/dev/null 2>&1 || true
[ -d "$work/cluster-corpus" ] || fail "no corpus"
client() {  # name options... -- command...
    local name="$1"; shift
    podman run --name "$name" --network "$network" -e AMQP_URL="$urls" -e TRIBUTARY_TLS_CA_FILE=/tls/ca.pem \
        -v "$tls:/tls:ro" -v "$work/cluster-corpus:/corpus:ro" "$@"
}
client cl-submit -d "$image" tributary submit /corpus --experiment-id cl-1 --wait --timeout 600 >/dev/null
grep -m 1 -q '"batches_completed":[1-9]' < <(timeout 180 podman run --rm --name cl-watch --network "$network" -e AMQP_URL="$urls" \
    -e TRIBUTARY_TLS_CA_FILE=/tls/ca.pem -v "$tls:/tls:ro" "$image" tributary watch cl-1 --json 2>/dev/null) || fail "no progress"

# The node holding the orchestrator's connection: the broker address it connected to.
address=$(podman exec rabbit-1 rabbitmqctl list_connections host client_properties --formatter json \
    | python3 -c '
import json, sys
def address(host):  # an Erlang address tuple: IPv4, or IPv4 mapped into IPv6
    if isinstance(host, str): return host
    if len(host) == 8 and host[5] == 65535: host = [host[6] >> 8, host[6] & 255, host[7] >> 8, host[7] & 255]
    return ".".join(map(str, host))
for c in json.load(sys.stdin):
    if "orchestrator" in json.dumps(c["client_properties"]):
        print(address(c["host"])); break')
victim=""
for node in "${nodes[@]}"; do
    [ "$(podman inspect "$node" --format "{{(index .NetworkSettings.Networks \"$network\").IPAddress}}")" = "$address" ] && victim="$node"
done
[ -n "$victim" ] || fail "no orchestrator connection found"
step "stopping $victim, the orchestrator's node, mid-experiment"
timeout 90 podman exec "$victim" rabbitmqctl stop >/dev/null 2>&1 || true
timeout 60 podman wait "$victim" >/dev/null 2>&1 || podman kill "$victim" >/dev/null 2>&1 || true
[ "$(podman inspect cl-submit --format '{{.State.Running}}')" = true ] || fail "the experiment had finished before the node stopped"

status=$(timeout 600 podman wait cl-submit) || fail "the experiment did not finish within 600 s"
[ "$status" = 0 ] || { podman logs --tail 20 cl-submit; fail "tributary submit exited $status"; }
podman run --rm --network "$network" -e AMQP_URL="$urls" -e TRIBUTARY_TLS_CA_FILE=/tls/ca.pem -v "$tls:/tls:ro" "$image" \
    tributary status cl-1 >"$work/cluster-status.json"
python3 - "$work/cluster-status.json" <<'PY' || fail "final status"
import json, sys
status = json.load(open(sys.argv[1]))
assert status["state"] == "completed", status["state"]
assert status["synthesis_requests"] == 1, status["synthesis_requests"]
assert status["batches_completed"] == status["batch_count"]
print(f"cluster-test: completed after the failover, {status['batch_count']} batches, one synthesis")
PY
for service in "${services[@]}"; do
    reconnects=$(timeout 20 podman exec "$service" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080; printf "GET /metrics HTTP/1.0\r\nConnection: close\r\n\r\n" >&3; timeout 5 cat <&3' \
        | awk '/^tributary_amqp_reconnects_total/ { print $2 }')
    echo "cluster-test: $service reconnects: ${reconnects:-?}"
done
step "passed"
