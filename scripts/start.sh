#!/usr/bin/env bash
# The README's run command: the main job of the system (see `netsentry start --help`). Installs the npm
# dependencies when missing, builds what changed, then runs `netsentry start` with the arguments given
# (npm start -- --once, --dataset nsl-kdd, --data FILE --schema FILE, …), which starts the servers and
# the seven services, trains if needed, replays the test split as live traffic and prints a summary.
set -euo pipefail
export NETSENTRY_START_T0_MS="${NETSENTRY_START_T0_MS:-$(date +%s%3N)}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap.sh" >&2
cd "$root"
echo "netsentry: building (incremental) …" >&2
npm run --silent build >&2
exec node "$root/cli/bin/netsentry.js" start "$@"
