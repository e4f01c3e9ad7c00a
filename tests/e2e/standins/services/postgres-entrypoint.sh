#!/bin/sh
# The postgres stand-in's entrypoint, after the official image's: as root it makes
# PGDATA the postgres user's and runs itself again as that user; on first start (no
# PG_VERSION in PGDATA) it runs initdb with POSTGRES_USER (default postgres) and
# POSTGRES_PASSWORD (required) and POSTGRES_INITDB_ARGS, creates POSTGRES_DB (default: the user's name), runs
# /docker-entrypoint-initdb.d/*.sql and *.sh, then execs the command.
set -eu
if [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi
if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "error: the database is uninitialized and POSTGRES_PASSWORD is not set" >&2
    exit 1
  fi
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options
  initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  # The set-up server listens on a private socket only: a health check (pg_isready on
  # the default socket) cannot mistake it for the real server.
  sock=$(mktemp -d)
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=$sock" -w start >/dev/null
  if [ "$db" != postgres ]; then
    echo 'CREATE DATABASE :"db";' | psql -v ON_ERROR_STOP=1 -h "$sock" -U "$user" -d postgres -v db="$db" -q
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case $f in
      *.sql) psql -v ON_ERROR_STOP=1 -h "$sock" -U "$user" -d "$db" -q -f "$f" ;;
      *.sh) PGHOST=$sock PGUSER=$user PGDATABASE=$db sh "$f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  rmdir "$sock"
  echo "PostgreSQL init process complete; ready for start up."
fi
exec "$@"
