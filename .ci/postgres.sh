#!/usr/bin/env bash
# Install (Debian package) and start a PostgreSQL server on loopback for the storage tests.
# Prints the SQLAlchemy URL of a fresh test database on stdout.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
fi
ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$ver main"; then
  pg_createcluster "$ver" main >&2
fi
pg_ctlcluster "$ver" main start >&2 2>/dev/null || true
port=$(pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 30); do
  su postgres -c "psql -p $port -qtAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -p $port -qc \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='medlm') THEN CREATE ROLE medlm LOGIN PASSWORD 'medlm'; END IF; END \\\$\\\$;\"" >&2
su postgres -c "psql -p $port -qc 'DROP DATABASE IF EXISTS medlm_test'" >&2
su postgres -c "psql -p $port -qc 'CREATE DATABASE medlm_test OWNER medlm'" >&2
echo "postgresql+psycopg://medlm:medlm@127.0.0.1:$port/medlm_test"
