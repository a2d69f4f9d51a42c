"""pouchd and its containerd, end to end: the one it starts (and restarts, adopts, stops), one it
finds serving and uses as it is, and what /info and /metrics show of them. Real pouchds, real
containerds on private sockets and roots."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import PouchD

from pouch_testing.containerd import Containerd, probe_version

pytestmark = pytest.mark.skipif(Containerd.available() is not None, reason=str(Containerd.available()))


def _pid(home: Path) -> int:
    return int((home / "containerd" / "state" / "containerd.pid").read_text())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


def _wait(cond: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _restarts(d: PouchD) -> float:
    for line in d.client().get("/metrics").text.splitlines():
        if line.startswith("pouchd_containerd_restarts_total "):
            return float(line.split()[1])
    raise AssertionError("no pouchd_containerd_restarts_total in /metrics")


def test_info_shows_the_containerd_and_runc_it_runs_on(pouchd_factory) -> None:
    d: PouchD = pouchd_factory()
    version = probe_version(d.containerd_address)
    assert version is not None
    info = d.client().get("/info").json()
    assert info["ContainerdCommit"] == {"ID": version[1], "Expected": version[1]}
    runc = subprocess.run(["runc", "--version"], capture_output=True, text=True).stdout
    commit = next(line.split(":", 1)[1].strip() for line in runc.splitlines() if line.startswith("commit:"))
    assert info["RuncCommit"] == {"ID": commit, "Expected": commit}
    assert info["Driver"] == "overlayfs"


def test_its_own_containerd_is_started_restarted_and_stopped(pouchd_factory) -> None:
    d: PouchD = pouchd_factory(containerd="own")
    home = d.home
    first = _pid(home)
    assert _alive(first) and probe_version(d.containerd_address) is not None
    assert _restarts(d) == 0
    os.kill(first, signal.SIGKILL)
    _wait(lambda: (home / "containerd/state/containerd.pid").exists() and _pid(home) != first)
    _wait(lambda: probe_version(d.containerd_address) is not None)
    assert _restarts(d) == 1
    assert f"containerd (pid {first}) exited" in d.logs()
    second = _pid(home)
    assert d.stop() == 0
    assert not _alive(second)
    assert not (home / "containerd/state/containerd.pid").exists()


def test_a_killed_pouchd_leaves_containerd_running_and_the_next_adopts_it(pouchd_factory) -> None:
    d: PouchD = pouchd_factory(containerd="own")
    pid = _pid(d.home)
    d.stop(signal.SIGKILL)
    assert _alive(pid)
    d.start()
    assert _pid(d.home) == pid
    assert f"adopting containerd (pid {pid})" in d.logs()
    assert d.client().get("/info").status_code == 200
    assert d.stop() == 0
    assert not _alive(pid)


def test_a_containerd_serving_already_is_used_and_left_running(pouchd_factory, tmp_path: Path) -> None:
    with Containerd(tmp_path / "ctrd").start() as other:
        d: PouchD = pouchd_factory(containerd=str(other.address))
        assert d.client().get("/_ping").text == "OK"
        assert "used as it is" in d.logs()
        assert not (d.home / "containerd/state/containerd.pid").exists()
        assert d.stop() == 0
        assert other.proc is not None and other.proc.poll() is None
        assert probe_version(other.address) is not None


def test_a_containerd_that_cannot_start_stops_pouchd_with_the_reason(pouchd_factory, tmp_path: Path) -> None:
    fake = tmp_path / "containerd"
    fake.write_text("#!/bin/sh\necho 'containerd: broken on purpose' >&2\nexit 3\n")
    fake.chmod(0o755)
    d: PouchD = pouchd_factory("--containerd-path", str(fake), containerd="own", start=False)
    d.start(wait=False)
    assert d.proc is not None and d.proc.wait(30) == 1
    last = d.logs().strip().splitlines()[-1]
    assert last.startswith("Error: failed to start containerd: containerd exited during start-up"), last
    assert not d.sock.exists()


def test_an_unknown_snapshotter_stops_pouchd_with_containerds_words(pouchd_factory) -> None:
    d: PouchD = pouchd_factory("--snapshotter", "nosuch", start=False)
    d.start(wait=False)
    assert d.proc is not None and d.proc.wait(30) == 1
    last = d.logs().strip().splitlines()[-1]
    assert last == (
        "Error: failed to start containerd: snapshotter nosuch is not usable: snapshotter not loaded: nosuch:"
        " invalid argument"
    ), last
