#!/usr/bin/env bash
# Starts (or stops) the throwaway PostgreSQL and Redis that the test suite and benchmarks use,
# on loopback ports under var/services/. Used by `make test`, `make bench` and .ci/run.
#   scripts/services.sh up | down | env
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DIR="$ROOT/var/services"
PG_PORT=${VILLAGE_PG_PORT:-54329}
REDIS_PORT=${VILLAGE_REDIS_PORT:-63799}
PGDATA="$DIR/pg"
SOCK="$DIR/sock"

as_pg() {
  # initdb and postgres refuse to run as root; CI runs as root, so use the postgres account.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_up() {
  command -v initdb >/dev/null || { echo "PostgreSQL server binaries (initdb, pg_ctl) are not on PATH: install postgresql" >&2; exit 1; }
  mkdir -p "$DIR" "$SOCK"
  if [ "$(id -u)" = 0 ]; then chown postgres "$DIR" "$SOCK"; fi
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"; [ "$(id -u)" = 0 ] && chown postgres "$PGDATA"
    as_pg initdb -D "$PGDATA" -U village --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log"
    # Tests create and drop databases quickly; fsync off is safe for a throwaway cluster.
    cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$SOCK'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
  fi
  if ! as_pg pg_ctl -D "$PGDATA" status >/dev/null 2>&1; then
    # The port is given at start too: a cluster made earlier with another VILLAGE_PG_PORT follows
    # the current one instead of coming up where nothing looks for it.
    as_pg pg_ctl -D "$PGDATA" -l "$DIR/postgres.log" -o "-p $PG_PORT" -w -t 60 start >/dev/null
  fi
  echo "postgres ready on 127.0.0.1:$PG_PORT"
}

redis_up() {
  command -v redis-server >/dev/null || { echo "redis-server is not installed: apt-get install redis-server" >&2; exit 1; }
  mkdir -p "$DIR/redis"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --dir "$DIR/redis" \
      --save "" --appendonly no --logfile "$DIR/redis.log" --pidfile "$DIR/redis.pid"
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  echo "redis ready on 127.0.0.1:$REDIS_PORT"
}

case "${1:-up}" in
  up) pg_up; redis_up ;;
  down)
    [ -f "$PGDATA/PG_VERSION" ] && as_pg pg_ctl -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true ;;
  env)
    echo "DATABASE_URL=postgres://village@127.0.0.1:$PG_PORT/village"
    echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0" ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
