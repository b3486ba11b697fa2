#!/usr/bin/env bash
# `npm run migrate`: applies pending migrations to DATABASE_URL, or to the project's own PostgreSQL
# (started if needed).
set -euo pipefail
source "$(dirname "$0")/common.sh"
[ -n "${DATABASE_URL:-}" ] || eval "$(node scripts/stack.js up)"
npx nx build persistence --output-style=static >/dev/null
node scripts/run.js dist/libs/persistence dist/libs/persistence/libs/persistence/src/migrate.cli.js
