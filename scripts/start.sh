#!/usr/bin/env bash
# `npm start`: installs what is missing, brings up Kafka and PostgreSQL, migrates, builds and starts
# all six services, and says where the REST API and the SFTP server listen. Ctrl-C stops them.
set -euo pipefail
source "$(dirname "$0")/common.sh"
# Kafka and PostgreSQL stay up after Ctrl-C (fast restarts); `npm run stack:down` stops them.
eval "$(node scripts/stack.js up)"
# The operator token creates organizations; made once and kept in .data/operator-token unless given.
if [ -z "${OPERATOR_TOKEN:-}" ]; then
  [ -s .data/operator-token ] || node -e "process.stdout.write(require('crypto').randomBytes(24).toString('hex'))" > .data/operator-token
  OPERATOR_TOKEN="$(cat .data/operator-token)"
fi
export OPERATOR_TOKEN
npx nx run-many -t build --output-style=static >/dev/null
node scripts/run.js dist/libs/persistence dist/libs/persistence/libs/persistence/src/migrate.cli.js

unset HTTP_PORT  # each service has its own default port
services=(sftp-ingest parser mapping agent-resolution schedule-writer config-api)
mkdir -p .data/logs
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT
for service in "${services[@]}"; do
  node scripts/run.js "dist/apps/$service" "dist/apps/$service/apps/$service/src/main.js" >".data/logs/$service.log" 2>&1 &
  pids+=($!)
done

ports=(3001 3002 3003 3004 3005 3000)
for i in "${!services[@]}"; do
  port=${ports[$i]}
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    kill -0 "${pids[$i]}" 2>/dev/null || { echo "${services[$i]} exited; see .data/logs/${services[$i]}.log:" >&2; tail -5 ".data/logs/${services[$i]}.log" >&2; exit 1; }
    sleep 0.5
  done
  curl -fs "http://127.0.0.1:$port/health" >/dev/null || { echo "${services[$i]} is not healthy; see .data/logs/${services[$i]}.log" >&2; exit 1; }
done
echo "bpo-schedule-sync is running (logs in .data/logs/):"
echo "  REST API:    http://127.0.0.1:3000/v1  (OpenAPI at /docs)"
echo "  SFTP server: sftp -P ${SFTP_PORT:-2222} <integration username>@127.0.0.1"
echo "  Kafka:       $KAFKA_BROKERS    PostgreSQL: $DATABASE_URL"
echo "  Operator token (creates organizations): in .data/operator-token"
echo "Try it: npm run demo (in another terminal)"
echo "Press Ctrl-C to stop."
wait
