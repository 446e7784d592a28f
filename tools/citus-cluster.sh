#!/usr/bin/env bash
# A local Citus cluster for tests and benches: a coordinator and two workers, each its own
# PostgreSQL 15 cluster on this machine (Debian's pg_createcluster), trusting 127.0.0.1.
#   tools/citus-cluster.sh start   builds Citus if needed (../shared/citus/install.sh), creates
#                                  and starts the three clusters, joins the workers; idempotent
#   tools/citus-cluster.sh createdb NAME   a database NAME on every node with the extension, the
#                                  workers joined to it; prints its URL for DATABASE_URL
#   tools/citus-cluster.sh stop    stops the three clusters (their data is kept)
# Ports: XGZ_CITUS_PORTS (default "5441 5442 5443", the first is the coordinator).
# Prints the coordinator's URL for CITUS_URL: postgres://postgres@127.0.0.1:5441/postgres
set -euo pipefail
ports=(${XGZ_CITUS_PORTS:-5441 5442 5443})
ver=15
here=$(cd "$(dirname "$0")" && pwd)
install=${XGZ_CITUS_INSTALL:-$here/../../shared/citus/install.sh}
[ -f "$install" ] || install=/work/shared/citus/install.sh

q() { psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -qAtX -v ON_ERROR_STOP=1 -c "$2"; }

case "${1:-start}" in
  start)
    libdir=$(/usr/lib/postgresql/$ver/bin/pg_config --pkglibdir)
    # Only the URL goes to stdout (callers capture it); the build and start-up talk on stderr.
    [ -f "$libdir/citus.so" ] || bash "$install" >&2
    for p in "${ports[@]}"; do
      name=citus$p
      if [ ! -d /etc/postgresql/$ver/$name ]; then
        pg_createcluster $ver $name --port "$p" >&2
        conf=/etc/postgresql/$ver/$name/postgresql.conf
        { echo "shared_preload_libraries = 'citus'"; echo "max_connections = 300"; echo "fsync = off"; echo "synchronous_commit = off";
          echo "full_page_writes = off"; echo "max_prepared_transactions = 200"; } >> "$conf"
        sed -i 's/^\(host.*127.0.0.1\/32\s*\)scram-sha-256/\1trust/' /etc/postgresql/$ver/$name/pg_hba.conf
      fi
      pg_ctlcluster --skip-systemctl-redirect $ver $name status >/dev/null 2>&1 || pg_ctlcluster --skip-systemctl-redirect $ver $name start >&2
      for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p "$p" -q && break; sleep 1; done
      q "$p" 'CREATE EXTENSION IF NOT EXISTS citus' >/dev/null
      # Databases made later (one per test file) get the extension from template1.
      psql -h 127.0.0.1 -p "$p" -U postgres -d template1 -qAtX -c 'CREATE EXTENSION IF NOT EXISTS citus' >/dev/null
    done
    c=${ports[0]}
    q "$c" "SELECT citus_set_coordinator_host('127.0.0.1', $c)" >/dev/null
    for p in "${ports[@]:1}"; do
      [ "$(q "$c" "SELECT count(*) FROM pg_dist_node WHERE nodeport = $p")" = 1 ] || q "$c" "SELECT citus_add_node('127.0.0.1', $p)" >/dev/null
    done
    echo "postgres://postgres@127.0.0.1:$c/postgres"
    ;;
  createdb)
    name=${2:?usage: $0 createdb NAME}
    for p in "${ports[@]}"; do
      q "$p" "CREATE DATABASE \"$name\"" >/dev/null
      psql -h 127.0.0.1 -p "$p" -U postgres -d "$name" -qAtX -c 'CREATE EXTENSION IF NOT EXISTS citus' >/dev/null
    done
    c=${ports[0]}
    psql -h 127.0.0.1 -p "$c" -U postgres -d "$name" -qAtX -v ON_ERROR_STOP=1 -c "SELECT citus_set_coordinator_host('127.0.0.1', $c)" >/dev/null
    for p in "${ports[@]:1}"; do psql -h 127.0.0.1 -p "$c" -U postgres -d "$name" -qAtX -v ON_ERROR_STOP=1 -c "SELECT citus_add_node('127.0.0.1', $p)" >/dev/null; done
    echo "postgres://postgres@127.0.0.1:$c/$name"
    ;;
  stop)
    for p in "${ports[@]}"; do pg_ctlcluster --skip-systemctl-redirect $ver citus$p stop 2>/dev/null || true; done
    ;;
  *) echo "usage: $0 start|createdb NAME|stop" >&2; exit 2 ;;
esac
