#!/usr/bin/env bash
# `npm run demo`: runs scripts/demo.js against the stack that `npm start` runs.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sftp >/dev/null && command -v ssh-keygen >/dev/null || { echo "demo needs the OpenSSH client (sftp, ssh-keygen)" >&2; exit 1; }
exec node scripts/demo.js
