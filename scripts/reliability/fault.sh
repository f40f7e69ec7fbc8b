#!/usr/bin/env bash
# Runs fault.ts (PostgreSQL restarted, stopped and started under write load) on a private
# PostgreSQL cluster made for the run on a free port, and drops that cluster on the way out,
# whatever happened. The machine's main cluster is never touched. Needs root (pg_createcluster).
set -uo pipefail
cd "$(dirname "$0")/../.."
version="$(ls /etc/postgresql | head -1)"
export FAULT_CLUSTER_NAME="zi_fault_script_$$"
drop_cluster() {
  if pg_lsclusters -h | awk '{print $2}' | grep -qx "$FAULT_CLUSTER_NAME"; then
    pg_dropcluster --stop "$version" "$FAULT_CLUSTER_NAME" || echo "could not drop cluster $FAULT_CLUSTER_NAME" >&2
  fi
}
trap drop_cluster EXIT
npx tsx scripts/reliability/fault.ts "$@"
