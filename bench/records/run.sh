#!/usr/bin/env bash
# Records in and out of MongoDB: netsentry's load and export (bench.ts) and the pymongo reference
# (py_reference.py, a document per row) one after the other against the same server, on the same CSV.
#   bench/records/run.sh [csv] [schema]     (default: NSL-KDD train, 125,973 rows)
#   env: NETSENTRY_MONGO_URI (default the local stack's), SERVER_PID (the server's pid, for its CPU and RSS)
set -euo pipefail
cd "$(dirname "$0")/../.."
CSV="${1:-data/nsl-kdd/KDDTrain+.csv.gz}"
SCHEMA="${2:-data/schemas/nsl-kdd.yaml}"
URI="${NETSENTRY_MONGO_URI:-mongodb://127.0.0.1:27017/}"
echo "machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ); node $(node --version); server $URI${SERVER_PID:+ (pid $SERVER_PID)}"
NETSENTRY_MONGO_URI="$URI" npx --no-install vite-node bench/records/bench.ts "$CSV" "$SCHEMA" 2> >(grep -v 'npm warn' >&2)
/usr/bin/python3 bench/records/py_reference.py "$CSV" "$URI" ${SERVER_PID:-}
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
