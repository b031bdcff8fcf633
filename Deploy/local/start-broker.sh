#!/usr/bin/env bash
# Starts a local RabbitMQ on loopback (no systemd needed) and waits until it accepts connections.
# Idempotent: a broker that is already up is left alone.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
"$here/install-dependencies.sh"

timeout_seconds="${BROKER_START_TIMEOUT:-120}"

if rabbitmq-diagnostics -q check_port_connectivity >/dev/null 2>&1; then
    echo "broker: already running"
    exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
log_dir="${RABBITMQ_LOG_BASE:-/var/log/rabbitmq}"
$sudo mkdir -p "$log_dir"

echo "broker: starting RabbitMQ on 127.0.0.1:5672 (settings: Deploy/rabbitmq/rabbitmq.conf)"
# Loopback only: this is a development and test broker with the guest account.
$sudo env RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_CONFIG_FILE="$here/../rabbitmq/rabbitmq.conf" \
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
