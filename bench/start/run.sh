#!/usr/bin/env bash
# Times the README's run command on a fresh clone: `npm start -- --once`, from the command to the first live
# prediction (the summary's figure) and to its exit. Run from a checkout; it clones that checkout's HEAD into
# a temporary folder and runs there, on servers of its own (other ports, its own state dir), so a running
# system is not disturbed.
#
#   bench/start/run.sh warm   caches kept (npm cache, ~/.cache/netsentry, Maven, Go): a fresh clone's usual case
#   bench/start/run.sh cold   empty npm, Maven, Go and netsentry caches (downloads and builds everything)
set -euo pipefail
mode="${1:-warm}"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d /tmp/netsentry-start-bench-XXXXXX)"
git clone -q "$src" "$work/clone"
cd "$work/clone"
export NETSENTRY_KAFKA_PORT=29092 NETSENTRY_KAFKA_CONTROLLER_PORT=29093 NETSENTRY_MONGO_PORT=47017 \
  NETSENTRY_S3_PORT=29000 NETSENTRY_PROMETHEUS_PORT=29090
if [ "$mode" = cold ]; then
  export NETSENTRY_CACHE_DIR="$work/cache" npm_config_cache="$work/npm-cache" \
    GOMODCACHE="$work/go/mod" GOCACHE="$work/go/cache" GOPATH="$work/go" \
    MAVEN_OPTS="-Dmaven.repo.local=$work/m2"
fi
echo "bench: $mode start of $(git rev-parse --short HEAD) in $work/clone; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
t0=$(date +%s%3N)
status=0
NETSENTRY_START_T0_MS=$t0 npm start --silent -- --once --port-base 28081 --summary-json "$work/summary.json" \
  >"$work/stdout.txt" 2>"$work/stderr.txt" || status=$?
t1=$(date +%s%3N)
node -e '
const s = require(process.argv[1]);
const [mode, wall, status, load] = process.argv.slice(2);
console.log(JSON.stringify({
  mode, exit: Number(status), commandToFirstPredictionS: s.firstPredictionAfterMs / 1000,
  commandToExitS: Number(wall) / 1000, run: s.run?.runId, testF1: s.model.testF1,
  replayed: s.traffic.replayed, predicted: s.traffic.predicted, loadAfter: load,
}));' "$work/summary.json" "$mode" "$((t1 - t0))" "$status" "$(cut -d' ' -f1-3 /proc/loadavg)"
[ "$status" = 0 ] || { tail -20 "$work/stderr.txt" >&2; exit "$status"; }
echo "bench: stderr of the run in $work/stderr.txt; remove $work when done" >&2
