#!/usr/bin/env bash
# Inference benchmark through the local Kafka (see bench.ts for what each side is): builds, points the
# clients at deploy/local's servers, runs every side in one process, one JSON line per measurement.
#   bench/inference/run.sh [out.jsonl]     env: BENCH_RECORDS (100000), BENCH_RATES (1000,5000),
#                                           BENCH_RATE_SECONDS (15), BENCH_INFERENCE_ROUNDS (2), BENCH_ONLY (e.g. phishing,raw,inference or one service side: inference-rdkafka); BENCH_RDKAFKA=1 adds the librdkafka sides; BENCH_LATENCY_SIDES (kafkajs,rdkafka,python,python-eos)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="${1:-$(mktemp -d)/inference-bench.jsonl}"
npm run --silent build >/dev/null
deploy/local/infra start >/dev/null
eval "$(deploy/local/infra env)"
# The optional librdkafka side (not a netsentry dependency): BENCH_RDKAFKA=1 installs it outside the repo.
if [[ "${BENCH_RDKAFKA:-0}" == 1 ]]; then BENCH_RDKAFKA_DIR="$(bench/inference/rdkafka-install.sh)"; export BENCH_RDKAFKA_DIR; fi
/usr/bin/python3 -c 'import confluent_kafka, xgboost' 2>/dev/null ||
  { echo "needs Debian's python3-confluent-kafka and python3-xgboost (apt-get install -y python3-confluent-kafka python3-xgboost)" >&2; exit 2; }
{
  echo "{\"machine\":{\"nproc\":$(nproc),\"cpu\":\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\",\"node\":\"$(node -v)\",\"loadavg\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"date\":\"$(date -u +%FT%TZ)\"}}"
  npx --no vite-node bench/inference/bench.ts 2> >(grep -v 'Unknown user config\|NodeVersionSupportWarning\|AWS SDK\|node >=22\|a.co/\|trace-warnings\|^$\|To continue\|and security\|More information\|versions published\|will require' >&2)
} | tee "$out"
echo "results: $out" >&2
