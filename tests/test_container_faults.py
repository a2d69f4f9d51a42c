"""Containers through faults and over time: restart policies, a containerd killed under running
containers, and nothing left behind after many lives (shims, mounts, FIFOs, snapshots, cgroups,
descriptors)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from engine import (
    MISSING,
    Hijacked,
    create,
    demux,
    image_ref,
    inspect,
    joined,
    logs,
    pull_into,
    raw_post,
    registry,
    remove_all,
    start,
    wait,
)
from helpers import PouchD
from registry import Registry

from pouch_testing import containerd

pytestmark = pytest.mark.skipif(bool(MISSING), reason=str(MISSING))
__all__ = ["image_ref", "registry"]  # fixtures


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory, registry: Registry, image_ref: str) -> Iterator[PouchD]:
    with PouchD(tmp_path_factory.mktemp("faults"), "--insecure-registries", registry.address).start() as d:
        pull_into(d, image_ref)
        yield d
        remove_all(d)


def until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_restart_policies(daemon: PouchD, image_ref: str) -> None:
    on_failure = create(
        daemon, image_ref, "sh", "-c", "echo run; exit 1",
        HostConfig={"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 2}},
    )  # fmt: skip
    always = create(daemon, image_ref, "sh", "-c", "exit 0", HostConfig={"RestartPolicy": {"Name": "always"}})
    never = create(daemon, image_ref, "sh", "-c", "exit 1", HostConfig={"RestartPolicy": {"Name": "no"}})
    for cid in (on_failure, always, never):
        start(daemon, cid)
    # on-failure:2: the first run and two restarts (back-off 0.1 s, then 0.2 s), then no more.
    until(
        lambda: inspect(daemon, on_failure)["RestartCount"] == 2 and not inspect(daemon, on_failure)["State"]["Running"]
    )
    time.sleep(1.0)
    info = inspect(daemon, on_failure)
    assert (info["RestartCount"], info["State"]["Status"], info["State"]["ExitCode"]) == (2, "exited", 1)
    assert joined(demux(logs(daemon, on_failure)), 1) == b"run\n" * 3
    until(lambda: inspect(daemon, always)["RestartCount"] >= 3)
    assert raw_post(daemon, f"/v1.24/containers/{always}/stop?t=1").status_code == 204
    count = inspect(daemon, always)["RestartCount"]
    time.sleep(1.0)  # stopped by hand: no restart after it
    info = inspect(daemon, always)
    # "stopped" when the stop found it running; "exited" when it came between two runs
    assert info["RestartCount"] == count and info["State"]["Status"] in ("stopped", "exited")
    assert wait(daemon, never) == 1 and inspect(daemon, never)["RestartCount"] == 0
    r = raw_post(daemon, f"/v1.24/containers/{never}/update", {"RestartPolicy": {"Name": "on-failure"}})
    assert r.status_code == 200, r.text
    assert inspect(daemon, never)["HostConfig"]["RestartPolicy"]["Name"] == "on-failure"
    with daemon.client() as c:
        for cid in (on_failure, always, never):
            assert c.delete(f"/v1.24/containers/{cid}", params={"force": 1}).status_code == 204


def test_a_killed_containerd_is_restarted_and_its_tasks_adopted(
    pouchd_factory: Any, registry: Registry, image_ref: str, tmp_path: Path
) -> None:
    trigger = tmp_path / "trigger"
    trigger.mkdir()
    d: PouchD = pouchd_factory("--insecure-registries", registry.address, containerd="own")
    try:
        pull_into(d, image_ref)
        script = "echo before; while [ ! -e /trigger/go ]; do sleep 0.05; done; echo after; exit 5"
        cid = create(d, image_ref, "sh", "-c", script, HostConfig={"Binds": [f"{trigger}:/trigger"]})
        start(d, cid)
        pid = inspect(d, cid)["State"]["Pid"]
        pid_file = d.home / "containerd/state/containerd.pid"
        first = int(pid_file.read_text())
        os.kill(first, signal.SIGKILL)
        until(lambda: pid_file.exists() and pid_file.read_text().strip() not in ("", str(first)))
        until(lambda: containerd.probe_version(d.containerd_address) is not None)
        state = inspect(d, cid)["State"]
        assert (state["Status"], state["Pid"]) == ("running", pid)
        r = raw_post(d, f"/v1.24/containers/{cid}/exec", {"Cmd": ["echo", "exec works"], "AttachStdout": True})
        assert r.status_code == 201, r.text
        conn = Hijacked(d, f"/v1.24/exec/{r.json()['Id']}/start", {})
        assert joined(demux(conn.read_all()), 1) == b"exec works\n"
        (trigger / "go").touch()
        assert wait(d, cid) == 5  # the exit is seen through the new containerd
        assert joined(demux(logs(d, cid)), 1) == b"before\nafter\n"
    finally:
        remove_all(d)


def _count_leftovers(d: PouchD) -> dict[str, int]:
    ns = d.namespace
    shims = 0
    marker = f"-namespace\0{ns}\0".encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        shims += b"containerd-shim" in cmdline and marker in cmdline
    mounts = sum(f"/{ns}/" in point for point in containerd.mounts_under(Path("/")))
    cgroups = sum(child.is_dir() for group in Path("/sys/fs/cgroup").glob(f"*/{ns}") for child in group.iterdir())
    return {
        "shims": shims,
        "mounts": mounts,
        "fifo dirs": len(os.listdir(d.home / "fifo")),
        "runc states": len(list((d.home / "runc").glob("*/*"))),  # runc's root: <namespace>/<id>
        "container dirs": len(os.listdir(d.home / "containers")),
        "cgroup entries": cgroups,
        "pouchd fds": len(os.listdir(f"/proc/{d.pid}/fd")),
    }


def _container_snapshots(d: PouchD) -> list[str]:
    """The snapshots of pouchd's namespace that are not image layers (``sha256:`` chain IDs)."""
    out = subprocess.run(
        ["ctr", "-a", d.containerd_address, "-n", d.namespace, "snapshots", "ls"],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout  # fmt: skip
    keys = [line.split()[0] for line in out.splitlines()[1:] if line.strip()]
    return [k for k in keys if not k.startswith("sha256:")]


def test_nothing_is_left_after_many_lives(daemon: PouchD, image_ref: str) -> None:
    remove_all(daemon)
    warm = create(daemon, image_ref, "true")  # the first life opens what pouchd keeps open
    start(daemon, warm)
    wait(daemon, warm)
    with daemon.client() as c:
        assert c.delete(f"/v1.24/containers/{warm}").status_code == 204
    before = _count_leftovers(daemon)
    with daemon.client(timeout=30) as c:
        for i in range(200):
            cid = create(daemon, image_ref, "sh", "-c", f"echo {i}")
            start(daemon, cid)
            if i % 2:  # half of them stopped while they run
                raw_post(daemon, f"/v1.24/containers/{cid}/stop?t=1")
            assert wait(daemon, cid) == 0
            assert c.delete(f"/v1.24/containers/{cid}").status_code == 204
    after = _count_leftovers(daemon)
    # The pouchd descriptors may differ by a connection or two in flight.
    assert abs(after.pop("pouchd fds") - before.pop("pouchd fds")) <= 3
    assert after == before == {k: 0 for k in before}
    assert _container_snapshots(daemon) == []


def test_a_container_out_of_memory_is_oom_killed(daemon: PouchD, image_ref: str) -> None:
    since = time.time()
    script = "x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done"
    cid = create(daemon, image_ref, "sh", "-c", script, HostConfig={"Memory": 8 << 20})
    start(daemon, cid)
    assert wait(daemon, cid) == 137
    until(lambda: inspect(daemon, cid)["State"]["OOMKilled"] is True, timeout=5)
    with daemon.client() as c:
        params = {"since": f"{since:.9f}", "until": f"{time.time():.9f}", "filters": '{"event": ["oom"]}'}
        events = c.get("/v1.24/events", params=params).text.splitlines()
        assert len(events) == 1 and cid in events[0]
        assert c.delete(f"/v1.24/containers/{cid}").status_code == 204
