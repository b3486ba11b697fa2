#!/usr/bin/env bash
# `npm test`: unit tests, lint, and integration tests against a real Kafka broker and PostgreSQL,
# which it starts (and afterwards stops) itself unless KAFKA_BROKERS / DATABASE_URL are given.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/check-prereqs.sh --for-tests
[ -d node_modules/.bin ] || npm ci --no-audit --no-fund
export CI="${CI:-true}" NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

stack_was_up=false
[ -f .data/stack.json ] && stack_was_up=true
eval "$(node scripts/stack.js up)"
cleanup() { [ "$stack_was_up" = true ] || node scripts/stack.js down; }
trap cleanup EXIT

rm -rf .data/test-results
npx nx run-many -t lint test --output-style=static
# Integration tests share one broker and one database server; two at a time suits 2 cores.
npx nx run-many -t test:int --parallel=2 --output-style=static --skip-nx-cache
node scripts/test-summary.js
