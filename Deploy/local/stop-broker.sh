#!/usr/bin/env bash
# Stops the local RabbitMQ started by start-broker.sh.
set -euo pipefail
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo rabbitmqctl stop >/dev/null 2>&1 && echo "broker: stopped" || echo "broker: not running"
