# Shared by the npm scripts: run from the repo root, prerequisites checked, dependencies installed,
# Nx offline and quiet.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/check-prereqs.sh "$@"
[ -d node_modules/.bin ] || npm ci --no-audit --no-fund
export CI="${CI:-true}" NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

# Brings up Kafka and PostgreSQL (exporting KAFKA_BROKERS and DATABASE_URL) and, unless they were
# already up before, takes them down again when the calling script exits.
with_stack() {
  stack_was_up=false
  [ -f .data/stack.json ] && stack_was_up=true
  eval "$(node scripts/stack.js up)"
  trap '[ "$stack_was_up" = true ] || node scripts/stack.js down' EXIT
}
