#!/usr/bin/env bash
# Create .venv and install pouchd, pouch and the generated client into it.
#   scripts/setup.sh        runtime only (pip install -e .)
#   scripts/setup.sh --dev  also codegen and test tools, editable (pip install -e .[dev]),
#                           plus, as root, the Debian packages the tests use
# Versions are pinned by constraints.txt, so every machine gets the same install.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[[ "${1:-}" == "--dev" ]] && dev=1

if [[ $dev == 1 ]]; then
  need=()
  command -v chromium >/dev/null || need+=(chromium)
  command -v docker-registry >/dev/null || need+=(docker-registry)
  command -v htpasswd >/dev/null || need+=(apache2-utils)
  command -v wrk >/dev/null || need+=(wrk)
  if [[ ${#need[@]} -gt 0 ]]; then
    if [[ $(id -u) == 0 ]]; then
      echo "installing Debian packages: ${need[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
      echo "note: not root, so not installing ${need[*]}; the tests that need them will be skipped" >&2
    fi
  fi
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade "pip>=24"
if [[ $dev == 1 ]]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e .
fi
