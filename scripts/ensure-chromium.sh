#!/usr/bin/env bash
# The console's browser tests drive Debian's Chromium headless with playwright-core (Playwright's
# own browser download cannot reach its servers from here). Installs it when missing; quick when
# it is there. CHROMIUM_PATH points at another Chromium.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0
if [ -n "${CHROMIUM_PATH:-}" ]; then echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2; exit 1; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "the console's browser tests need Debian's chromium: apt-get install -y chromium (as root)" >&2; exit 1; }
  sudo="sudo -n"
fi
echo "installing Debian's chromium for the console's browser tests (about a minute, once)" >&2
export DEBIAN_FRONTEND=noninteractive
# Serialised against a concurrent run of this script (apt takes its own lock, but fails rather than waits).
exec 9>"${TMPDIR:-/tmp}/bpo-ensure-chromium.lock"
flock 9
[ -x "$chromium" ] && exit 0
$sudo apt-get install -y -q chromium >/dev/null ||
  { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q chromium >/dev/null; }
[ -x "$chromium" ] || { echo "chromium was not installed at $chromium" >&2; exit 1; }
