#!/usr/bin/env bash
# `npm start`: installs what is missing, brings up Kafka and PostgreSQL, migrates, builds and starts
# all six services under scripts/supervise.js, and says where the REST API and the SFTP server listen.
# Ctrl-C stops them.
set -euo pipefail
source "$(dirname "$0")/common.sh"
# Kafka and PostgreSQL stay up after Ctrl-C (fast restarts); `npm run stack:down` stops them.
eval "$(node scripts/stack.js up)"
# The operator token creates organizations; made once and kept in .data/operator-token unless given.
mkdir -p .data
if [ -z "${OPERATOR_TOKEN:-}" ]; then
  [ -s .data/operator-token ] || node -e "process.stdout.write(require('crypto').randomBytes(24).toString('hex'))" > .data/operator-token
  OPERATOR_TOKEN="$(cat .data/operator-token)"
fi
export OPERATOR_TOKEN
npx nx run-many -t build --output-style=static >/dev/null
node scripts/run.js dist/libs/persistence dist/libs/persistence/libs/persistence/src/migrate.cli.js

# Starts every service (INSTANCES / <SERVICE>_INSTANCES for more than one), waits until each is
# healthy, restarts any that exits (with backoff, saying so), and stops them all on Ctrl-C.
unset HTTP_PORT  # each service has its own default port
exec node scripts/supervise.js
