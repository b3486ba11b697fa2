#!/usr/bin/env bash
# `npm run bench`: builds the services and measures the product on a realistic generated export,
# uploaded over SFTP, against the project's own Kafka and PostgreSQL (or KAFKA_BROKERS/DATABASE_URL).
# BENCH_ROWS sets the file size (default 1000000), BENCH_CASES the steps (see README "Benchmark").
set -euo pipefail
source "$(dirname "$0")/common.sh"
with_stack
npx nx run-many -t build --output-style=static >/dev/null
npx jest -c e2e/jest.bench.config.js
echo "results: .data/bench/pipeline.json"
