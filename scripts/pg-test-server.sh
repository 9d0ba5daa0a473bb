#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the store's integration tests (Debian 12, as root).
#   eval "$(bash scripts/pg-test-server.sh start)"   # prints: export MIGCOST_TEST_PG_URL=postgres://...
#   bash scripts/pg-test-server.sh stop
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd /  # runuser keeps the working directory, which the postgres user may not be allowed to enter
# One state directory per caller (set MIGCOST_PG_STATE), so two runs never stop each other's server.
state=${MIGCOST_PG_STATE:-/tmp/migcost-pg-test}
case "${1:-}" in
  start)
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
      echo "pg-test-server: installing postgresql" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    bin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
    [ -f "$state/bin" ] && "$self" stop >/dev/null 2>&1 || true
    rm -rf "$state"; mkdir -p "$state"; chmod 755 "$state"; chown postgres "$state"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    runuser -u postgres -- "$bin/initdb" -D "$state/data" -A trust -U postgres >/dev/null
    runuser -u postgres -- "$bin/pg_ctl" -D "$state/data" -l "$state/log" -w -o "-p $port -h 127.0.0.1 -k $state -c fsync=off" start >/dev/null
    echo "$port" > "$state/port"; echo "$bin" > "$state/bin"
    echo "export MIGCOST_TEST_PG_URL=postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -f "$state/bin" ] && runuser -u postgres -- "$(cat "$state/bin")/pg_ctl" -D "$state/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$state"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
