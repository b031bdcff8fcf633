#!/usr/bin/env bash
# Starts a local RabbitMQ on loopback (no systemd needed) and waits until it accepts connections:
# AMQP on 127.0.0.1:5672, and AMQP over TLS on 127.0.0.1:5671 with a throw-away CA made in
# $TRIBUTARY_BROKER_STATE/tls (default /var/lib/tributary-broker; see make-certificates.sh).
# Idempotent: a broker that is already up is left alone.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
"$here/install-dependencies.sh"

timeout_seconds="${BROKER_START_TIMEOUT:-120}"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
state="${TRIBUTARY_BROKER_STATE:-/var/lib/tributary-broker}"

if rabbitmq-diagnostics -q check_port_connectivity >/dev/null 2>&1; then
    if ! rabbitmq-diagnostics -q listeners 2>/dev/null | grep -q 5671; then
        echo "broker: already running, without its TLS listener (restart it with stop-broker.sh, then this script)" >&2
    fi
    echo "broker: already running"
    exit 0
fi

$sudo mkdir -p "$state"
$sudo "$here/make-certificates.sh" "$state/tls" >/dev/null
# The repository's settings plus the TLS listener, whose files live outside the repository.
$sudo tee "$state/rabbitmq.conf" >/dev/null <<CONF
$(cat "$here/../rabbitmq/rabbitmq.conf")

# Added by start-broker.sh: AMQP over TLS on loopback. Clients may present a certificate
# signed by the same CA (mutual TLS); plain TLS clients are accepted too.
listeners.ssl.default = 127.0.0.1:5671
ssl_options.cacertfile = $state/tls/ca.pem
ssl_options.certfile = $state/tls/server.pem
ssl_options.keyfile = $state/tls/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = false
CONF
log_dir="${RABBITMQ_LOG_BASE:-/var/log/rabbitmq}"
$sudo mkdir -p "$log_dir"

echo "broker: starting RabbitMQ on 127.0.0.1:5672 and TLS 127.0.0.1:5671 (settings: Deploy/rabbitmq/rabbitmq.conf, $state/rabbitmq.conf)"
# Loopback only: this is a development and test broker with the guest account.
$sudo env RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_CONFIG_FILE="$state/rabbitmq.conf" \
    nohup rabbitmq-server >"$log_dir/foreground.log" 2>&1 &

# await_startup gives up at once while the Erlang node is not registered yet, so retry it until the deadline.
deadline=$((SECONDS + timeout_seconds))
until $sudo rabbitmqctl await_startup --timeout 10 >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
        echo "broker: RabbitMQ did not start within ${timeout_seconds}s; last log lines:" >&2
        tail -n 30 "$log_dir/foreground.log" >&2 || true
        exit 1
    fi
    sleep 1
done
echo "broker: ready"
