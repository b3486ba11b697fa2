#!/usr/bin/env bash
# `npm run bench`: builds the services and measures the pipeline on a generated file against the
# project's own Kafka and PostgreSQL. BENCH_ROWS sets the file size (default 100000).
set -euo pipefail
source "$(dirname "$0")/common.sh"
with_stack
npx nx run-many -t build --output-style=static >/dev/null
npx jest -c e2e/jest.bench.config.js
echo "results: .data/bench/pipeline.json"
