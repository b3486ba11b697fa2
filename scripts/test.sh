#!/usr/bin/env bash
# `npm test`: type-check (every project, its test files included), lint, unit tests, and
# integration tests against a real Kafka broker and PostgreSQL, which it starts (and afterwards
# stops) itself unless KAFKA_BROKERS / DATABASE_URL are given.
set -euo pipefail
source "$(dirname "$0")/common.sh" --for-tests

# The web console's browser tests need Debian's Chromium: installed (once, about a minute) in the
# background while the type-check and unit tests run.
mkdir -p .data
bash scripts/ensure-chromium.sh >.data/ensure-chromium.log 2>&1 &
chromium_install=$!

# Type-check first, before the stack starts: Jest (@swc/jest) strips types without checking them,
# so a type error in a test file would otherwise pass unseen.
npx nx run-many -t typecheck --output-style=static
with_stack

rm -rf .data/test-results && mkdir -p .data/test-results
npx nx run-many -t lint test --output-style=static
wait "$chromium_install" || { echo "installing Chromium for the console's browser tests failed:"; cat .data/ensure-chromium.log; exit 1; }
# Integration tests share one broker and one database server; two at a time suits 2 cores.
npx nx run-many -t test:int --parallel=2 --output-style=static --skip-nx-cache
node scripts/test-summary.js
