#!/usr/bin/env bash
# The bench's librdkafka install: scripts/install-rdkafka.sh (idempotent; prints the directory).
set -euo pipefail
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/install-rdkafka.sh"
