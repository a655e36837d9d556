#!/usr/bin/env bash
# A PostgreSQL server for the tests, with no manual step: the machines of this project start
# none. If something already answers at 127.0.0.1:$PORT, that server is used as it is.
# Otherwise Debian's PostgreSQL is installed (if missing) and a throw-away cluster is created
# outside the source tree, with trust authentication on loopback only and without fsync — a
# test cluster, never a production one — then started. Prints nothing but progress lines;
# the database the tests connect to ("test") exists when it returns.
set -euo pipefail

PORT="${ANKOMMEN_TEST_POSTGRES_PORT:-5432}"
DATA="${ANKOMMEN_TEST_POSTGRES_DIR:-${TMPDIR:-/tmp}/ankommen-test-postgres-$(id -u)}"
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# The tests' admin connection goes to the database "test" (ANKOMMEN_TEST_POSTGRES_URL).
ensure_test_database() {
  local psql createdb
  psql="$(command -v psql || echo "$(bindir)/psql")"
  createdb="$(command -v createdb || echo "$(bindir)/createdb")"
  "$psql" -h 127.0.0.1 -p "$PORT" -U postgres -Atqc \
    "SELECT 1 FROM pg_database WHERE datname = 'test'" postgres | grep -q 1 \
    || "$createdb" -h 127.0.0.1 -p "$PORT" -U postgres test
}

if listening; then
  echo "PostgreSQL: using the server that already listens on 127.0.0.1:$PORT"
  ensure_test_database || {
    echo "PostgreSQL: could not make sure the database \"test\" exists there as user postgres;" \
         "create it, or point ANKOMMEN_TEST_POSTGRES_URL elsewhere" >&2
    exit 1
  }
  exit 0
fi

if [ -z "$(bindir)" ] || [ ! -x "$(bindir)/initdb" ]; then
  echo "PostgreSQL: installing Debian's postgresql (not on this machine yet)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  # The package may have started its own cluster, which asks loopback clients for a
  # password; we installed it just now, so stop it and run the test cluster in its place.
  pg_lsclusters -h 2>/dev/null | while read -r version name _; do
    $SUDO pg_ctlcluster "$version" "$name" stop 2>/dev/null || true
  done
fi
BIN="$(bindir)"

# initdb and the server refuse to run as root: as root, the cluster belongs to `postgres`.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if ! listening; then
  if [ ! -f "$DATA/PG_VERSION" ]; then
    echo "PostgreSQL: creating a test cluster in $DATA"
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >/dev/null
  fi
  echo "PostgreSQL: starting the test cluster on 127.0.0.1:$PORT"
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DATA \
     -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
    >/dev/null
fi

ensure_test_database
echo "PostgreSQL: ready on 127.0.0.1:$PORT"
