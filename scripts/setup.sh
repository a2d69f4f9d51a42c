#!/usr/bin/env bash
# Create .venv and install pouchd, pouch and the generated client into it.
#   scripts/setup.sh        runtime only: a regular install (pip install .), byte-compiled, as a
#                           user gets it, and, as root, Debian's containerd and runc, which pouchd
#                           runs on; rerun it after changing the code
#   scripts/setup.sh --dev  also codegen and test tools, editable (pip install -e .[dev]),
#                           plus, as root, the Debian packages the tests use, and the Node tools
#                           (npm ci: Redocly's linter, the TypeScript client's generator, tsc)
# Versions are pinned by constraints.txt and package-lock.json, so every machine gets the same install.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[[ "${1:-}" == "--dev" ]] && dev=1

need=()
# containerd and runc, which pouchd drives (it starts its own containerd; the tests run theirs on a
# private socket and root, pouch_testing/containerd.py); the host's is never started here.
command -v containerd >/dev/null || need+=(containerd)
command -v runc >/dev/null || need+=(runc)
command -v ps >/dev/null || need+=(procps)  # `top` lists a container's processes with the host's ps
if [[ $dev == 1 ]]; then
  command -v chromium >/dev/null || need+=(chromium)
  command -v docker-registry >/dev/null || need+=(docker-registry)
  command -v htpasswd >/dev/null || need+=(apache2-utils)
  command -v wrk >/dev/null || need+=(wrk)
  # The Docker CLI, a client nobody here wrote (tests/test_docker_cli.py): these machines ship one;
  # where none is, Debian's docker.io brings it (its daemon is never started: see policy-rc.d below).
  # Its daemon, dockerd 20.10, is the peer the image benchmarks measure pouchd against (bench/image_bench.py).
  { command -v docker >/dev/null && command -v dockerd >/dev/null; } || need+=(docker.io)
  command -v zsh >/dev/null || need+=(zsh)    # the completion scripts are checked in each shell
  command -v fish >/dev/null || need+=(fish)
  # Node for the spec tools: Debian's nodejs when there is none (these machines ship Node 20).
  command -v node >/dev/null || need+=(nodejs)
  command -v npm >/dev/null || need+=(npm)
  command -v promtool >/dev/null || need+=(prometheus)  # promtool checks /metrics (tests/test_metrics.py)
  # (containerd's .proto files are not installed: scripts/codegen.sh downloads the two Debian
  # packages it pins and unpacks only those files.)
fi
# A static busybox: the rootfs of the image the demo and the tests build, offline (a dynamic one
# would not run in a container).
{ [[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1; } || need+=(busybox-static)
if [[ ${#need[@]} -gt 0 ]]; then
  if [[ $(id -u) == 0 ]]; then
    echo "installing Debian packages: ${need[*]}"
    apt-get update -qq
    # Packages must not start services (Debian's prometheus would start its server, containerd
    # its daemon; pouchd and the tests run a containerd of their own): where nothing forbids it
    # yet, a policy-rc.d does during the install.
    own_policy=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    if [[ $own_policy == 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
  else
    echo "note: not root, so not installing ${need[*]}: pouchd needs containerd (and the tests the rest)" >&2
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
  # Not editable: an editable install on a machine with PYTHONDONTWRITEBYTECODE=1 compiles the
  # project's modules from source at every command (a fifth of `pouch version`'s time); pip
  # byte-compiles what it installs. --force-reinstall: the version number does not change with the code.
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt .
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --force-reinstall .
fi

if [[ $dev == 1 ]]; then
  if command -v npm >/dev/null; then
    node_major=$(node -p 'process.versions.node.split(".")[0]')
    if (( node_major < 20 )); then
      echo "note: Node $(node --version) is older than the spec tools need (20 or later)" >&2
    fi
    # Exactly the versions in package-lock.json. Some declare a newer Node than 20 in "engines"
    # and run on 20 all the same (tested here): npm's warnings about it are not shown.
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
  else
    echo "note: no npm, so not installing the Node tools; the tests that need them will be skipped" >&2
  fi
fi
