#!/usr/bin/env bash
# The whole test suite: unit and integration tests, then the headless-browser check.
# Installs what it needs on a fresh Debian machine (Rust must already be there).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --locked

if [ -x tests/browser/run.sh ]; then
  tests/browser/run.sh
fi
