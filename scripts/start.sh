#!/usr/bin/env bash
# The README's run command: the main job of the system (see `netsentry start --help`). Installs the npm
# dependencies when missing, builds what changed while the local servers start, then runs `netsentry start`
# with the arguments given (npm start -- --once, --dataset nsl-kdd, --data FILE --schema FILE, …), which
# starts the seven services, trains if needed, replays the test split as live traffic and prints a summary.
set -euo pipefail
export NETSENTRY_START_T0_MS="${NETSENTRY_START_T0_MS:-$(date +%s%3N)}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap.sh" >&2
cd "$root"
servers=1
for arg in "$@"; do [ "$arg" = "--no-servers" ] && servers=0; done
infra_log=""
if [ "$servers" = 1 ]; then
  # The servers start while the code builds; `netsentry start` then finds them running, and is told which
  # ones this script started so that it stops exactly those at the end.
  state="${NETSENTRY_LOCAL_STATE:-$root/.local}"
  mkdir -p "$state/logs"
  infra_log="$state/logs/start-infra.log"
  "$root/deploy/local/infra" start >"$infra_log" 2>&1 &
  infra_pid=$!
  trap 'kill "$infra_pid" 2>/dev/null || true' INT TERM
fi
echo "netsentry: building (incremental) …" >&2
build_status=0
npm run --silent build >&2 || build_status=$?
if [ "$servers" = 1 ]; then
  echo "netsentry: waiting for the local servers (log $infra_log) …" >&2
  infra_status=0
  wait "$infra_pid" || infra_status=$?
  trap - INT TERM
  started=$(sed -n 's/^\([a-z0-9]*\): started.*/\1/p' "$infra_log" | paste -sd, -)
  export NETSENTRY_START_SERVERS_STARTED="$started"
  if [ "$infra_status" != 0 ] || [ "$build_status" != 0 ]; then
    if [ "$infra_status" != 0 ]; then
      tail -20 "$infra_log" >&2
      echo "netsentry: servers failed: deploy/local/infra start exited $infra_status (log $infra_log)" >&2
    fi
    # stop exactly what this script started
    if [ -n "$started" ]; then "$root/deploy/local/infra" stop ${started//,/ } >&2 || true; fi
    [ "$build_status" != 0 ] && { echo "netsentry: the build failed" >&2; exit 1; }
    exit 5
  fi
fi
[ "$build_status" = 0 ] || { echo "netsentry: the build failed" >&2; exit 1; }
exec node "$root/cli/bin/netsentry.js" start "$@"
