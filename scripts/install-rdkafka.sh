#!/usr/bin/env bash
# Installs @confluentinc/kafka-javascript (librdkafka), the client of the batch path when
# NETSENTRY_KAFKA_CLIENT is rdkafka or auto (decision 0096), outside the repo: into
# ${NETSENTRY_CACHE_DIR:-~/.cache/netsentry}/tools/rdkafka, where the runtime looks for it when a plain
# require() does not find it. It is not a netsentry dependency: its prebuilt binaries come from GitHub
# releases, which this machine cannot reach, so it is built from the package's bundled librdkafka source
# against the system's zlib/OpenSSL (CKJS_LINKING=dynamic; needs make, g++, python3 and libssl-dev).
# About 2 minutes on 2 cores, once; a second run does nothing. Prints the directory.
set -euo pipefail
dir="${NETSENTRY_CACHE_DIR:-$HOME/.cache/netsentry}/tools/rdkafka"
version=1.10.1
module="$dir/node_modules/@confluentinc/kafka-javascript"
if [[ -f "$module/build/Release/confluent-kafka-javascript.node" ]] &&
  [[ "$(node -p "require('$module/package.json').version" 2>/dev/null)" == "$version" ]]; then
  echo "$dir"
  exit 0
fi
mkdir -p "$dir"
cd "$dir"
[[ -f package.json ]] || echo '{"name":"netsentry-rdkafka","private":true}' >package.json
# Node's headers: the distribution's (Debian's nodejs ships them in /usr/include/node) unless set.
if [[ -z "${npm_config_nodedir:-}" && -f /usr/include/node/node.h ]]; then
  export npm_config_nodedir=/usr
fi
CKJS_LINKING=dynamic npm install --no-audit --no-fund --no-save "@confluentinc/kafka-javascript@$version" >&2
node -e "require('$module')" >&2
echo "$dir"
