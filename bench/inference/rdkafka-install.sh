#!/usr/bin/env bash
# Installs @confluentinc/kafka-javascript (librdkafka) for the bench's `rdkafka-raw-eos` side, outside the
# repo (it is not a dependency of netsentry): into ~/.cache/netsentry/tools/rdkafka, built from the
# package's bundled librdkafka source against Debian's zlib/OpenSSL (CKJS_LINKING=dynamic; the prebuilt
# binaries come from GitHub, which this machine cannot reach). About 2 minutes on 2 cores, once.
set -euo pipefail
dir="${NETSENTRY_CACHE_DIR:-$HOME/.cache/netsentry}/tools/rdkafka"
version=1.10.1
if [[ -f "$dir/node_modules/@confluentinc/kafka-javascript/build/Release/confluent-kafka-javascript.node" ]]; then
  echo "$dir"
  exit 0
fi
mkdir -p "$dir"
cd "$dir"
[[ -f package.json ]] || echo '{"name":"netsentry-bench-rdkafka","private":true}' >package.json
CKJS_LINKING=dynamic npm_config_nodedir="${npm_config_nodedir:-/usr}" \
  npm install --no-audit --no-fund --no-save "@confluentinc/kafka-javascript@$version" >&2
echo "$dir"
