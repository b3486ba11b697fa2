#!/usr/bin/env bash
# What a fresh machine needs before `npm start` / `npm test`; says plainly what is missing.
# Usage: check-prereqs.sh [--for-tests]
set -u
missing=()
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
node_minor=$(node -p 'process.versions.node.split(".")[1]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 19 ]; }; then
  missing+=("Node.js 20.19 or newer (found: $(node --version 2>/dev/null || echo none))")
fi
command -v npm >/dev/null || missing+=("npm")
if [ -z "${KAFKA_BROKERS:-}" ]; then
  java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  [ "${java_major:-0}" -ge 17 ] 2>/dev/null || missing+=("a JDK 17 or newer (java) to run the Kafka broker")
  command -v mvn >/dev/null || missing+=("Apache Maven (mvn) to fetch the Kafka broker's jars from Maven Central")
fi
if [ "${1:-}" = "--for-tests" ]; then
  command -v sftp >/dev/null || missing+=("the OpenSSH client (sftp, ssh-keygen): apt-get install openssh-client")
  command -v ssh-keygen >/dev/null || missing+=("ssh-keygen (OpenSSH client)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "bpo-schedule-sync: this machine is missing:" >&2
  for item in "${missing[@]}"; do echo "  - $item" >&2; done
  exit 1
fi
