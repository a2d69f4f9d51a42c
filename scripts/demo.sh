#!/usr/bin/env bash
# Set up (as root, Debian's containerd and runc too), start pouchd on a temporary socket with its
# own containerd, show `pouch version`, `pouch info` and `pouch images`, stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [[ $(id -u) != 0 ]]; then
  echo "pouchd runs containerd, which needs root: run scripts/demo.sh as root" >&2
  exit 1
fi
dir=$(mktemp -d)
sock="$dir/pouchd.sock"
# pouchd starts its own containerd, with its socket, root and state in $dir too.
.venv/bin/pouchd --listen "unix://$sock" --home-dir "$dir/home" --containerd "$dir/containerd.sock" 2>"$dir/pouchd.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
export POUCH_HOST="unix://$sock"
for _ in $(seq 200); do
  .venv/bin/pouch version >/dev/null 2>&1 && break
  if ! kill -0 $pid 2>/dev/null; then
    cat "$dir/pouchd.log" >&2
    exit 1
  fi
  sleep 0.1
done
echo "\$ pouch version"
.venv/bin/pouch version
echo
echo "\$ pouch info"
.venv/bin/pouch info
echo
echo "\$ pouch images"
.venv/bin/pouch images
