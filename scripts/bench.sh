#!/usr/bin/env bash
# `npm run bench`: builds the services and measures the pipeline on a generated file against the
# project's own Kafka and PostgreSQL. BENCH_ROWS sets the file size (default 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/check-prereqs.sh
[ -d node_modules/.bin ] || npm ci --no-audit --no-fund
export CI="${CI:-true}" NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
stack_was_up=false
[ -f .data/stack.json ] && stack_was_up=true
eval "$(node scripts/stack.js up)"
cleanup() { [ "$stack_was_up" = true ] || node scripts/stack.js down; }
trap cleanup EXIT
npx nx run-many -t build --output-style=static >/dev/null
npx jest -c e2e/jest.bench.config.js
echo "results: .data/bench/pipeline.json"
