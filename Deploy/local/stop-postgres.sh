#!/usr/bin/env bash
# Stops the cluster start-postgres.sh started (fast shutdown: open sessions are ended).
set -euo pipefail
state="${TRIBUTARY_POSTGRES_STATE:-/var/lib/tributary-postgres}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
if [ -f "$state/data/postmaster.pid" ]; then
    $sudo runuser -u postgres -- "$bin/pg_ctl" -D "$state/data" -m fast -w stop >/dev/null
    echo "postgres: stopped" >&2
else
    echo "postgres: not running" >&2
fi
