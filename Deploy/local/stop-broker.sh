#!/usr/bin/env bash
# Stops the local RabbitMQ started by start-broker.sh (TRIBUTARY_BROKER_NODE: a private node).
set -euo pipefail
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
node_args=()
[ -z "${TRIBUTARY_BROKER_NODE:-}" ] || node_args=(-n "$TRIBUTARY_BROKER_NODE")
node="${TRIBUTARY_BROKER_NODE:-rabbit}"
$sudo rabbitmqctl "${node_args[@]}" stop >/dev/null 2>&1 && echo "broker: node $node stopped" || echo "broker: node $node not running"
