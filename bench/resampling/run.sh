#!/usr/bin/env bash
# SMOTE-Tomek, netsentry vs scikit-learn + imbalanced-learn, in one run on the same rows: NSL-KDD train
# (125,973 rows) and the synthetic intrusion-like set (bench/resampling/gen-synth.ts, 500,000 rows; smaller
# cases are its first rows). Both cores: our side runs a 2-worker pool; the Python side is single-process.
#   bench/resampling/run.sh
# Env: TS_SIZES (synthetic rows, ours; default "50000 100000 200000 500000"), PY_SIZES (imbalanced-learn;
# default "50000 100000 200000": 500k would take over 20 min (≈ 24 min extrapolated on 2026-12-01), so
# summarize.py extrapolates it from the two largest measured sizes and says so), SYNTH_ROWS (default 500000).
# About 20 minutes in all on the 2-vCPU machine, most of it imbalanced-learn.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
OUT="$(mktemp -d)"
SYNTH_ROWS="${SYNTH_ROWS:-500000}"
TS_SIZES="${TS_SIZES:-50000 100000 200000 500000}"
PY_SIZES="${PY_SIZES:-50000 100000 200000}"

echo "machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GB; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "node $(node --version); $($PY -c 'import sys, numpy, sklearn, imblearn; print(f"python {sys.version.split()[0]}, numpy {numpy.__version__}, scikit-learn {sklearn.__version__}, imbalanced-learn {imblearn.__version__}")')"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"

npx --no-install vite-node bench/resampling/gen-synth.ts "$OUT" "$SYNTH_ROWS" >&2
synth() { for n in "$@"; do printf 'synth:%s:%s:%s ' "$OUT/synth.csv" "$OUT/synth.yaml" "$n"; done; }

echo "running TypeScript… ($(date -u +%H:%M:%SZ))" >&2
# shellcheck disable=SC2046
npx --no-install vite-node bench/resampling/smote-tomek.ts nsl $(synth $TS_SIZES) 2> >(grep -v 'npm warn' >&2) |
  grep '^{' | tee "$OUT/ts.jsonl" >&2
echo "running Python… ($(date -u +%H:%M:%SZ))" >&2
# shellcheck disable=SC2046
$PY bench/resampling/smote_tomek.py nsl $(synth $PY_SIZES) | tee "$OUT/py.jsonl" >&2
echo "done ($(date -u +%H:%M:%SZ))" >&2

$PY bench/resampling/summarize.py "$OUT/ts.jsonl" "$OUT/py.jsonl"
rm -rf "$OUT"
