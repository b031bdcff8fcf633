#!/usr/bin/env bash
# Restarts a cluster start-postgres.sh started (fast: open sessions are ended), with the
# options it was started with. The shared-store tests use it to restart their own server
# in the middle of an experiment.
#
#   Deploy/local/restart-postgres.sh [STATE]     # default: $TRIBUTARY_POSTGRES_STATE, else /var/lib/tributary-postgres
set -euo pipefail
state="${1:-${TRIBUTARY_POSTGRES_STATE:-/var/lib/tributary-postgres}}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
# The server outlives this script: it must not keep open any descriptor its caller waits on
# (Foundation's Process learns that its child ended when such a pipe closes).
for fd in /proc/$$/fd/*; do
    fd="${fd##*/}"
    if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
if [ "$(id -un)" = postgres ]; then
    "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -m fast -w -t 60 restart >/dev/null
else
    $sudo runuser -u postgres -- "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -m fast -w -t 60 restart >/dev/null
fi
