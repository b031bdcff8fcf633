#!/bin/sh
# Makes the cluster on first start (the role POSTGRES_USER with POSTGRES_PASSWORD, the
# database POSTGRES_DB; password logins from any address), then runs the server.
set -eu
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
user="${POSTGRES_USER:-postgres}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    password_file="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" >"$password_file"
    "$bin/initdb" -D "$PGDATA" -U "$user" --pwfile="$password_file" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
    rm -f "$password_file"
    echo "host all all 0.0.0.0/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
    if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != postgres ]; then
        "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses= -k /var/run/postgresql" -w start >/dev/null
        "$bin/psql" -q -h /var/run/postgresql -U "$user" -d postgres -c "CREATE DATABASE \"$POSTGRES_DB\""
        "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    fi
fi
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' -k /var/run/postgresql
