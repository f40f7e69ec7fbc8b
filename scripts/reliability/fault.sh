#!/usr/bin/env bash
# Runs fault.ts (PostgreSQL stopped and restarted under load) and starts the local PostgreSQL
# cluster again on the way out, whatever happened. It disturbs everything else using that
# PostgreSQL for ~10 s: run it alone.
set -uo pipefail
cd "$(dirname "$0")/../.."
version="$(ls /etc/postgresql | head -1)"
restart_postgres() {
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || echo "could not start PostgreSQL $version" >&2
  fi
}
trap restart_postgres EXIT
npx tsx scripts/reliability/fault.ts "$@"
