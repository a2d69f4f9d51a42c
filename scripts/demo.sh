#!/usr/bin/env bash
# Set up (as root, Debian's containerd, runc and busybox-static too), start pouchd on a temporary
# socket with its own containerd, show `pouch version` and `pouch info`, load a busybox image built
# here, run `pouch run --rm busybox echo hello` in it, stop.
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
# Containers outlive pouchd (as with pouch): the demo's are removed before pouchd stops.
trap '.venv/bin/pouch ps -aq 2>/dev/null | xargs -r .venv/bin/pouch rm -f >/dev/null 2>&1
      kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
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
# A busybox image built here from Debian's busybox-static (no registry needed), loaded, then run.
.venv/bin/python -c "
from pathlib import Path
from pouch_testing.images import build_busybox_image, oci_layout_tar
oci_layout_tar(build_busybox_image(tag_name='busybox:latest'), ['busybox:latest'], dest=Path('$dir/busybox.tar'))"
echo "\$ pouch load -i busybox.tar"
.venv/bin/pouch load -i "$dir/busybox.tar"
echo
echo "\$ pouch images"
.venv/bin/pouch images
echo
echo "\$ pouch run --rm --net none busybox echo hello"
.venv/bin/pouch run --rm --net none busybox echo hello
echo
echo "\$ pouch run -d --name sleeper --net none busybox sleep 60; pouch ps -a"
.venv/bin/pouch run -d --name sleeper --net none busybox sleep 60 >/dev/null
.venv/bin/pouch ps -a
.venv/bin/pouch rm -f sleeper >/dev/null
