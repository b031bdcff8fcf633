#!/usr/bin/env bash
# Starts a private PostgreSQL cluster on loopback for the shared-store tests and benchmarks
# (Debian's postgresql package, installed if missing; no systemd needed), and prints its URL:
#   postgres://tributary:tributary@127.0.0.1:$TRIBUTARY_POSTGRES_PORT/tributary
# Port: $TRIBUTARY_POSTGRES_PORT (default 55432); data: $TRIBUTARY_POSTGRES_STATE (default
# /var/lib/tributary-postgres). The role `tributary` may create databases and roles, so each
# test can have a database and a password of its own. Extra server settings: $TRIBUTARY_POSTGRES_OPTIONS (e.g. "-c fsync=off").
# Idempotent: a cluster that is already up is left alone. Stop it with stop-postgres.sh.
set -euo pipefail

port="${TRIBUTARY_POSTGRES_PORT:-55432}"
state="${TRIBUTARY_POSTGRES_STATE:-/var/lib/tributary-postgres}"
url="postgres://tributary:tributary@127.0.0.1:$port/tributary"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    echo "postgres: installing Debian's postgresql" >&2
    $sudo apt-get update -qq
    # Its post-install may create and start a default cluster; ours is separate and private.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
# initdb and the server refuse to run as root: they run as the package's postgres user.
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else $sudo runuser -u postgres -- "$@"; fi; }

if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
    echo "postgres: already running on 127.0.0.1:$port" >&2
    echo "$url"
    exit 0
fi

if [ ! -f "$state/data/PG_VERSION" ]; then
    $sudo mkdir -p "$state/data"
    $sudo chown -R postgres:postgres "$state"
    # Local socket connections (the superuser's, for the set-up below) are trusted; TCP needs a password.
    as_postgres "$bin/initdb" -D "$state/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
fi
echo "postgres: starting PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data: $state/data)" >&2
# shellcheck disable=SC2086 # the options are words on purpose
as_postgres "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $state -c max_connections=200 ${TRIBUTARY_POSTGRES_OPTIONS:-}" start >/dev/null
as_postgres "$bin/psql" -q -h "$state" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT 'CREATE ROLE tributary LOGIN PASSWORD ''tributary''' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tributary') \gexec
ALTER ROLE tributary CREATEDB CREATEROLE;
SELECT 'CREATE DATABASE tributary OWNER tributary' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'tributary') \gexec
SQL
echo "$url"
