#!/usr/bin/env bash
# The audit report's browser test drives Debian's Chromium with playwright-core (no browser download:
# the machine only reaches the npm registry and Debian's packages). Install it once if it is missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "test setup: installing Debian's chromium for the report browser test" >&2
run_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
run_root apt-get update -qq
run_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null
