#!/usr/bin/env bash
# Browser check of the HTML pages: builds dossier and an index of the corpus,
# serves it on a free loopback port, loads the search page, an entity page and an
# item page in headless Chromium and asserts on the rendered DOM.
#
#   bash tests/browser/run.sh            (from anywhere; exits 0 when every check holds)
#
# Installs Debian's chromium when it is missing (as root, or through sudo).
# DOSSIER_CORPUS overrides the corpus folder; CARGO_TARGET_DIR is honoured.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${DOSSIER_CORPUS:-$root/../shared/corpus/ctipilot}

if ! command -v chromium >/dev/null 2>&1; then
  echo "browser check: installing Debian's chromium"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq \
         && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
fi

(cd "$root" && cargo build --quiet --bin dossier)
bin=${CARGO_TARGET_DIR:-$root/target}/debug/dossier

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
RUST_LOG=warn "$bin" index "$corpus" --index "$work/index" >/dev/null
python3 "$root/tests/browser/check.py" --bin "$bin" --index "$work/index" --work "$work"
