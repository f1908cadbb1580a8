#!/usr/bin/env bash
# The status page's browser test needs Debian's Chromium (playwright-core
# drives it; Playwright's own browser download cannot work here). Installs it
# when missing and we are root; otherwise says what to do.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "chromium is not installed: run 'sudo apt-get install chromium' (the browser test is skipped without it)" >&2
