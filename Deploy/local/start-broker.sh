#!/usr/bin/env bash
# Starts a local RabbitMQ on loopback (no systemd needed) and waits until it accepts connections:
# AMQP on 127.0.0.1:5672, and AMQP over TLS on 127.0.0.1:5671 with a throw-away CA made in
# $TRIBUTARY_BROKER_STATE/tls (default /var/lib/tributary-broker; see make-certificates.sh).
# Idempotent: a broker that is already up is left alone.
#
# A second, private node beside it (the tests' broker with a small message limit):
#   TRIBUTARY_BROKER_NODE=limited TRIBUTARY_BROKER_PORT=5673 TRIBUTARY_BROKER_TLS=no \
#   TRIBUTARY_BROKER_SETTINGS='max_message_size = 204800' start-broker.sh
# Such a node has state, data and logs of its own under $TRIBUTARY_BROKER_STATE (default
# /var/lib/tributary-broker-NODE), and its Erlang distribution port is its AMQP port + 20000.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
"$here/install-dependencies.sh"

timeout_seconds="${BROKER_START_TIMEOUT:-120}"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
node="${TRIBUTARY_BROKER_NODE:-}"
port="${TRIBUTARY_BROKER_PORT:-5672}"
tls="${TRIBUTARY_BROKER_TLS:-yes}"
node_env=()
node_args=()
if [ -n "$node" ]; then
    state="${TRIBUTARY_BROKER_STATE:-/var/lib/tributary-broker-$node}"
    log_dir="$state/log"
    node_env=(RABBITMQ_NODENAME="$node" RABBITMQ_DIST_PORT="$((port + 20000))"
        RABBITMQ_MNESIA_BASE="$state/mnesia" RABBITMQ_LOG_BASE="$log_dir" RABBITMQ_ENABLED_PLUGINS_FILE="$state/enabled_plugins")
    node_args=(-n "$node")
else
    node="rabbit"
    state="${TRIBUTARY_BROKER_STATE:-/var/lib/tributary-broker}"
    log_dir="${RABBITMQ_LOG_BASE:-/var/log/rabbitmq}"
fi

if rabbitmq-diagnostics "${node_args[@]}" -q check_port_connectivity >/dev/null 2>&1; then
    if [ "$tls" = yes ] && ! rabbitmq-diagnostics "${node_args[@]}" -q listeners 2>/dev/null | grep -q 5671; then
        echo "broker: already running, without its TLS listener (restart it with stop-broker.sh, then this script)" >&2
    fi
    echo "broker: node $node already running"
    exit 0
fi

$sudo mkdir -p "$state" "$log_dir"
# The repository's settings, then the TLS listener, whose files live outside the repository,
# then the caller's own settings (later lines win).
{
    cat "$here/../rabbitmq/rabbitmq.conf"
    if [ "$tls" = yes ]; then
        $sudo "$here/make-certificates.sh" "$state/tls" >/dev/null
        cat <<CONF

# Added by start-broker.sh: AMQP over TLS on loopback. Clients may present a certificate
# signed by the same CA (mutual TLS); plain TLS clients are accepted too.
listeners.ssl.default = 127.0.0.1:5671
ssl_options.cacertfile = $state/tls/ca.pem
ssl_options.certfile = $state/tls/server.pem
ssl_options.keyfile = $state/tls/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
CONF
    fi
    if [ -n "${TRIBUTARY_BROKER_SETTINGS:-}" ]; then
        printf '\n# Added by start-broker.sh from TRIBUTARY_BROKER_SETTINGS.\n%s\n' "$TRIBUTARY_BROKER_SETTINGS"
    fi
} | $sudo tee "$state/rabbitmq.conf" >/dev/null
if [ "${#node_args[@]}" -gt 0 ]; then
    # Debian's rabbitmq-server runs the node as the rabbitmq user.
    echo "[]." | $sudo tee "$state/enabled_plugins" >/dev/null
    $sudo mkdir -p "$state/mnesia"
    $sudo chown -R rabbitmq:rabbitmq "$state/mnesia" "$log_dir"
fi

listeners="127.0.0.1:$port"
[ "$tls" = yes ] && listeners="$listeners and TLS 127.0.0.1:5671"
echo "broker: starting RabbitMQ node $node on $listeners (settings: Deploy/rabbitmq/rabbitmq.conf, $state/rabbitmq.conf)"
# Loopback only: this is a development and test broker with the guest account.
$sudo env RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$port" \
    RABBITMQ_CONFIG_FILE="$state/rabbitmq.conf" "${node_env[@]}" \
    nohup rabbitmq-server >"$log_dir/foreground.log" 2>&1 &

# await_startup gives up at once while the Erlang node is not registered yet, so retry it until the deadline.
deadline=$((SECONDS + timeout_seconds))
until $sudo rabbitmqctl "${node_args[@]}" await_startup --timeout 10 >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
        echo "broker: RabbitMQ node $node did not start within ${timeout_seconds}s; last log lines:" >&2
        tail -n 30 "$log_dir/foreground.log" >&2 || true
        exit 1
    fi
    sleep 1
done
echo "broker: node $node ready"
