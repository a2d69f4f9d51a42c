#!/usr/bin/env bash
# Set up, start pouchd on a temporary socket, show `pouch version` and `pouch info`, stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
dir=$(mktemp -d)
sock="$dir/pouchd.sock"
# pouchd starts its own containerd (root only), with its socket, root and state in $dir too.
.venv/bin/pouchd --listen "unix://$sock" --home-dir "$dir/home" --containerd "$dir/containerd.sock" 2>"$dir/pouchd.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [[ -S "$sock" ]] && break; sleep 0.1; done
export POUCH_HOST="unix://$sock"
echo "\$ pouch version"
.venv/bin/pouch version
echo
echo "\$ pouch info"
.venv/bin/pouch info
