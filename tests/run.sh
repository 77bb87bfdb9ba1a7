#!/usr/bin/env bash
# The whole test suite: unit and integration tests, then the headless-browser check.
# Installs what it needs on a fresh Debian machine: gcc when no C compiler is
# found, python3, and for the browser check Debian's chromium. Rust (cargo) comes
# with the machine and cannot be fetched here.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "tests: cargo not found; install Rust (rustup) first" >&2
  exit 1
fi
# The allocator (mimalloc) is C, compiled by the build: a C compiler is needed.
if ! command -v cc >/dev/null 2>&1; then
  echo "tests: installing Debian's gcc (the build compiles mimalloc's C sources)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "tests: installing Debian's python3 for the browser check"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3
fi

cargo test --locked
bash tests/browser/run.sh
