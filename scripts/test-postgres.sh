#!/usr/bin/env bash
# Makes a local PostgreSQL server available for the register tests and prints the URL to use as
# TEST_DATABASE_URL (the only thing written to stdout). Installs Debian's postgresql package if needed, starts
# the cluster, creates the role and database. Idempotent: safe to run when postgres is already up.
# Needs root (CI, or a developer's container); elsewhere, point TEST_DATABASE_URL at a database yourself.
set -euo pipefail

DB_NAME="${TEST_DB_NAME:-complaints_test}"
DB_USER="${TEST_DB_USER:-complaints_test}"
DB_PASSWORD="${TEST_DB_PASSWORD:-complaints_test}"

log() { echo "[postgres] $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "not root: cannot install or start PostgreSQL here; set TEST_DATABASE_URL yourself"
  exit 1
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "installing PostgreSQL from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

# The newest installed server version; its cluster "main" (created by the package, or now).
VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main"' | grep -q .; then
  log "creating cluster $VERSION/main"
  pg_createcluster "$VERSION" main >&2
fi
PORT="$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" { print $3 }')"

if ! pg_ctlcluster "$VERSION" main status >/dev/null 2>&1; then
  log "starting cluster $VERSION/main on port $PORT"
  pg_ctlcluster "$VERSION" main start >&2
fi

psql_admin() { (cd /tmp && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" "$@"); }

for _ in $(seq 1 30); do
  psql_admin -tAc 'SELECT 1' >/dev/null 2>&1 && break
  sleep 1
done

if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != "1" ]; then
  psql_admin -c "CREATE ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD'" >&2
else
  psql_admin -c "ALTER ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD'" >&2
fi
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\"" >&2
fi

URL="postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PORT/$DB_NAME"
# Prove the URL works over TCP with the password, as the tests will use it.
PGPASSWORD="$DB_PASSWORD" psql -X -q "$URL" -tAc 'SELECT 1' >/dev/null
log "ready: $DB_NAME on 127.0.0.1:$PORT"
echo "$URL"
