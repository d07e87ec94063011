#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or older than package-lock.json; otherwise does nothing.
# Sourced by the README's commands so that a fresh clone needs nothing but Node, Java and Go.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "netsentry: $2" >&2; exit 1; }
}
need node "Node.js 20.19+ is required (https://nodejs.org)"
need npm "npm is required (it ships with Node.js)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || {
  echo "netsentry: Node.js 20.19 or newer is required, found $(node --version)" >&2
  exit 1
}

stamp=node_modules/.netsentry-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "netsentry: installing npm dependencies …"
  # `npm install`, not `npm ci`: npm writes lock files without other platforms' optional binaries
  # (@swc/core-*, @rollup/rollup-*; npm/cli#4828), and `npm ci` then refuses the lock as out of sync.
  # The lock still pins every version; install only adds what this platform needs.
  npm install --no-audit --no-fund --loglevel=error
  sha256sum package-lock.json | cut -d" " -f1 > "$stamp"
fi

# The librdkafka client of the live-traffic path (decision 0096): built once into the cache (about 2 minutes),
# then reused. If it cannot be built here, say so once and go on: the batch path then runs on kafkajs.
if [ "${NETSENTRY_KAFKA_CLIENT:-auto}" != "kafkajs" ]; then
  tools="${NETSENTRY_CACHE_DIR:-$HOME/.cache/netsentry}/tools"
  failed="$tools/rdkafka-build-failed.log"
  mkdir -p "$tools"
  if [ ! -f "$failed" ] && [ ! -d "$tools/rdkafka/node_modules/@confluentinc/kafka-javascript/build" ]; then
    echo "netsentry: building the librdkafka client once (about 2 minutes) …"
  fi
  if [ ! -f "$failed" ] && ! scripts/install-rdkafka.sh >/dev/null 2>"$tools/rdkafka-build.log.tmp"; then
    mv "$tools/rdkafka-build.log.tmp" "$failed"
    echo "netsentry: the librdkafka client could not be built (log: $failed); live traffic runs on kafkajs." >&2
    echo "netsentry: retry with scripts/install-rdkafka.sh once the cause is fixed, then delete that log." >&2
  fi
  rm -f "$tools/rdkafka-build.log.tmp"
fi
