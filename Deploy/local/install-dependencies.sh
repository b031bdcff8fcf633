#!/usr/bin/env bash
# Installs what Tributary needs on Debian: RabbitMQ, librabbitmq and SQLite headers, and the
# tools its tests use (socat stands in for a broker that stops and returns).
# Idempotent: only missing packages are installed, and apt's lists are refreshed only then.
set -euo pipefail

packages=(rabbitmq-server librabbitmq-dev libssl-dev openssl libsqlite3-dev pkg-config socat curl)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "dependencies: all present (${packages[*]})"
    exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "dependencies: installing ${missing[*]}"
$sudo apt-get update -qq
# The package's post-install tries to start the service via init; that is ours to do.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "dependencies: installed"
