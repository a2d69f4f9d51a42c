"""pouch's container and exec API end to end: a real pouchd on the test run's containerd, runc
containers from a busybox image the tests build, requests sent as pouch's Go client sends them
(JSON bodies without a Content-Type, hijacked attach and exec on a raw socket)."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from collections.abc import Iterator
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

from pouch_server.managers.containers.spec import oom_score_adj_floor

pytestmark = pytest.mark.skipif(bool(MISSING), reason=str(MISSING))
__all__ = ["image_ref", "registry"]  # fixtures


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory, registry: Registry, image_ref: str) -> Iterator[PouchD]:
    with PouchD(tmp_path_factory.mktemp("containers"), "--insecure-registries", registry.address).start() as d:
        pull_into(d, image_ref)
        yield d
        remove_all(d)


# ---- a container's life ----------------------------------------------------------------------


def test_run_a_command_wait_logs_inspect_remove(daemon: PouchD, image_ref: str) -> None:
    cid = create(daemon, image_ref, "sh", "-c", "echo hello; echo oops >&2; exit 3", name="life")
    info = inspect(daemon, "life")
    assert info["State"]["Status"] == "created" and info["Name"] == "life" and info["Id"] == cid
    assert info["Config"]["Image"] == image_ref and info["Image"].startswith("sha256:")
    start(daemon, cid[:12])
    assert wait(daemon, cid) == 3
    info = inspect(daemon, cid)
    assert info["State"]["Status"] == "exited" and info["State"]["ExitCode"] == 3
    assert info["State"]["Running"] is False and info["State"]["Pid"] == 0
    assert info["State"]["FinishedAt"] >= info["State"]["StartedAt"] > "2000"
    frames = demux(logs(daemon, cid))
    assert joined(frames, 1) == b"hello\n" and joined(frames, 2) == b"oops\n"
    assert demux(logs(daemon, cid, stderr=0)) == [(1, b"hello\n")]
    with open(info["LogPath"]) as f:
        entries = [json.loads(line) for line in f]
    assert {(e["stream"], e["log"]) for e in entries} == {("stdout", "hello\n"), ("stderr", "oops\n")}
    with daemon.client() as c:
        listed = c.get("/v1.24/containers/json", params={"all": 1}).json()
        assert [i["Names"] for i in listed if i["Id"] == cid] == [["/life"]]  # Docker's form, for both
        assert c.get("/v1.24/containers/json").json() == []  # not running
        assert c.delete(f"/v1.24/containers/{cid}").status_code == 204
        r = c.get(f"/v1.24/containers/{cid}/json")
        assert r.status_code == 404 and r.json() == {"message": f"container {cid}: not found"}


def test_the_rootfs_user_env_workdir_hostname_and_binds(daemon: PouchD, image_ref: str, tmp_path: Path) -> None:
    cid = create(
        daemon, image_ref, "sh", "-c", "id -u; id -g; echo $GREETING; pwd; hostname; touch /tmp/mine",
        User="1000:1000", Env=["GREETING=hi there"], WorkingDir="/tmp", Hostname="box",
    )  # fmt: skip
    start(daemon, cid)
    assert wait(daemon, cid) == 0, logs(daemon, cid)
    out = joined(demux(logs(daemon, cid)), 1).decode().splitlines()
    assert out == ["1000", "1000", "hi there", "/tmp", "box"]
    # pytest's directories are root's alone (0700): the bind is used as root.
    (tmp_path / "in.txt").write_text("from the host\n")
    binds = {"Binds": [f"{tmp_path}:/data", f"{tmp_path}:/ro:ro"]}
    cmd = "cat /data/in.txt; echo written > /data/out.txt; touch /ro/no"
    cid = create(daemon, image_ref, "sh", "-c", cmd, HostConfig=binds)
    start(daemon, cid)
    assert wait(daemon, cid) == 1
    frames = demux(logs(daemon, cid))
    assert joined(frames, 1) == b"from the host\n" and b"Read-only file system" in joined(frames, 2)
    assert (tmp_path / "out.txt").read_text() == "written\n" and not (tmp_path / "no").exists()


def test_a_running_container_stops_pauses_lists_and_tops(daemon: PouchD, image_ref: str) -> None:
    cid = create(daemon, image_ref, "sleep", "300", name="sleeper", Labels={"role": "test"})
    start(daemon, cid)
    with daemon.client() as c:
        assert raw_post(daemon, f"/v1.24/containers/{cid}/start").status_code == 304
        listed = c.get("/v1.24/containers/json").json()
        assert [(i["Id"], i["Command"]) for i in listed] == [(cid, "sleep 300")]
        assert listed[0]["Status"].startswith("Up ")
        filtered = c.get("/v1.24/containers/json", params={"filters": json.dumps({"label": ["role=test"]})}).json()
        assert [i["Id"] for i in filtered] == [cid]
        none = c.get("/v1.24/containers/json", params={"filters": json.dumps({"name": {"nosuch": True}})}).json()
        assert none == []
        top = c.get(f"/v1.24/containers/{cid}/top").json()
        assert "PID" in top["Titles"] and any("sleep 300" in p[-1] for p in top["Processes"])
        pid = inspect(daemon, cid)["State"]["Pid"]
        assert pid > 0 and Path(f"/proc/{pid}").exists()
        assert raw_post(daemon, f"/v1.24/containers/{cid}/pause").status_code == 204
        assert inspect(daemon, cid)["State"]["Status"] == "paused"
        assert c.get("/v1.24/containers/json").json()[0]["Status"].endswith("(paused)")
        assert raw_post(daemon, f"/v1.24/containers/{cid}/unpause").status_code == 204
        r = c.delete(f"/v1.24/containers/{cid}")
        assert r.status_code == 409 and "Stop the container" in r.json()["message"]
        started = time.monotonic()
        assert raw_post(daemon, f"/v1.24/containers/{cid}/stop?t=1").status_code == 204
        assert time.monotonic() - started < 8
        state = inspect(daemon, cid)["State"]
        # sleep is PID 1, which SIGTERM does not end without a handler: SIGKILL after 1 s.
        assert state["Status"] == "stopped" and state["ExitCode"] == 137
        assert not Path(f"/proc/{pid}").exists()
        r = raw_post(daemon, f"/v1.24/containers/{cid}/kill")
        assert r.status_code == 409
        assert raw_post(daemon, f"/v1.24/containers/{cid}/rename?name=renamed").status_code == 204
        assert inspect(daemon, "renamed")["Id"] == cid
        assert c.delete("/v1.24/containers/renamed").status_code == 204


def test_restart_kill_and_force_remove(daemon: PouchD, image_ref: str) -> None:
    cid = create(daemon, image_ref, "sleep", "300")
    start(daemon, cid)
    first = inspect(daemon, cid)["State"]["Pid"]
    assert raw_post(daemon, f"/v1.24/containers/{cid}/restart?t=1").status_code == 204
    info = inspect(daemon, cid)
    assert info["State"]["Status"] == "running" and info["State"]["Pid"] != first and info["RestartCount"] == 1
    assert raw_post(daemon, f"/v1.24/containers/{cid}/kill?signal=SIGKILL").status_code == 204
    assert wait(daemon, cid) == 137
    start(daemon, cid)
    with daemon.client() as c:
        assert c.delete(f"/v1.24/containers/{cid}", params={"force": 1}).status_code == 204
        assert c.get(f"/v1.24/containers/{cid}/json").status_code == 404


def test_logs_follow_tail_since_and_timestamps(daemon: PouchD, image_ref: str) -> None:
    cid = create(daemon, image_ref, "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; sleep 0.2; done")
    start(daemon, cid)
    with daemon.client(timeout=30) as c:
        params = {"stdout": 1, "follow": 1, "timestamps": 1}
        with c.stream("GET", f"/v1.24/containers/{cid}/logs", params=params) as r:
            data = b"".join(r.iter_bytes())
    lines = joined(demux(data), 1).decode().splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == [f"line{i}" for i in range(1, 6)]
    assert all(len(line.split(" ", 1)[0]) == 30 for line in lines)  # RFC 3339 with 9 digits
    assert joined(demux(logs(daemon, cid, tail=2)), 1) == b"line4\nline5\n"
    assert logs(daemon, cid, since=int(time.time()) + 60) == b""
    with daemon.client() as c:
        r = c.get(f"/v1.24/containers/{cid}/logs")
        assert r.status_code == 400 and "at least one stream" in r.json()["message"]


def test_attach_before_start_gets_all_the_output(daemon: PouchD, image_ref: str) -> None:
    cid = create(daemon, image_ref, "sh", "-c", "echo out; echo err >&2")
    conn = Hijacked(daemon, f"/v1.24/containers/{cid}/attach?stream=1&stdout=1&stderr=1")
    assert conn.head.startswith(b"HTTP/1.1 101 UPGRADED")
    assert b"Content-Type: application/vnd.docker.raw-stream" in conn.head
    start(daemon, cid)
    frames = demux(conn.read_all())
    assert joined(frames, 1) == b"out\n" and joined(frames, 2) == b"err\n"
    assert wait(daemon, cid) == 0


def test_attach_with_stdin(daemon: PouchD, image_ref: str) -> None:
    cid = create(daemon, image_ref, "cat", OpenStdin=True, StdinOnce=True)
    conn = Hijacked(daemon, f"/v1.24/containers/{cid}/attach?stream=1&stdin=1&stdout=1&stderr=1")
    start(daemon, cid)
    conn.sock.sendall(b"piped in\n")
    conn.sock.shutdown(socket.SHUT_WR)
    assert joined(demux(conn.read_all()), 1) == b"piped in\n"
    assert wait(daemon, cid) == 0


def test_attach_as_pouchs_go_client_does_it(daemon: PouchD, image_ref: str) -> None:
    """pouch's client names only ``stdin`` (and sends ``Content-Type: text/plain``): it reads
    stdout and stderr raw, and its half-close ends the container's stdin."""
    cid = create(daemon, image_ref, "sh", "-c", "cat; echo err >&2", OpenStdin=True)
    conn = Hijacked(daemon, f"/v1.24/containers/{cid}/attach?stdin=1", text_plain=True)
    assert conn.head.startswith(b"HTTP/1.1 101 UPGRADED")
    start(daemon, cid)
    conn.sock.sendall(b"raw in\n")
    conn.sock.shutdown(socket.SHUT_WR)
    assert conn.read_all() == b"raw in\nerr\n"
    assert wait(daemon, cid) == 0


def test_a_tty_container_gives_raw_bytes(daemon: PouchD, image_ref: str) -> None:
    cid = create(daemon, image_ref, "sh", "-c", "echo tty; test -t 1 && echo is-a-tty", Tty=True)
    start(daemon, cid)
    assert wait(daemon, cid) == 0
    assert logs(daemon, cid).replace(b"\r\n", b"\n") == b"tty\nis-a-tty\n"


def _read_until(conn: Hijacked, marker: bytes, timeout: float = 10) -> bytes:
    """What the attach sends until ``marker`` has come (or the stream ended)."""
    data, conn.rest = conn.rest, b""
    conn.sock.settimeout(timeout)
    while marker not in data and (chunk := conn.sock.recv(65536)):
        data += chunk
    return data


def _ends_soon(conn: Hijacked) -> bool:
    """Whether the daemon closes the stream within 5 s (what it still sends is read away)."""
    conn.sock.settimeout(5)
    try:
        while conn.sock.recv(65536):
            pass
    except TimeoutError:
        return False
    finally:
        conn.sock.close()
    return True


def test_detach_keys_leave_a_tty_session_with_the_process_running(daemon: PouchD, image_ref: str) -> None:
    """Docker's daemon: with a TTY, ctrl-p ctrl-q (or the request's ``detachKeys``) end the attach
    and the exec's stream, not sent on, the process still running; a client going away does not
    end a TTY's stdin; without a TTY the keys are bytes like any other; bad keys are a 400."""
    cid = create(daemon, image_ref, "sh", Tty=True, OpenStdin=True, StdinOnce=True)
    conn = Hijacked(daemon, f"/v1.24/containers/{cid}/attach?stream=1&stdin=1&stdout=1&stderr=1")
    start(daemon, cid)
    conn.sock.sendall(b"echo $((6*7))\r")
    assert b"42" in _read_until(conn, b"42")
    conn.sock.sendall(b"\x10\x11echo never\r")  # split from the keys or not, nothing after them goes in
    assert _ends_soon(conn)
    assert inspect(daemon, cid)["State"]["Running"] is True

    again = Hijacked(daemon, f"/v1.24/containers/{cid}/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-a,x")
    again.sock.sendall(b"\x10")  # ctrl-p alone is no longer a detach key: it reaches the shell
    again.sock.sendall(b"\x01")
    time.sleep(0.2)
    again.sock.sendall(b"x")
    assert _ends_soon(again)
    assert inspect(daemon, cid)["State"]["Running"] is True

    gone = Hijacked(daemon, f"/v1.24/containers/{cid}/attach?stream=1&stdin=1&stdout=1")
    gone.sock.close()  # a client that goes away: StdinOnce does not end a TTY's stdin
    time.sleep(0.5)
    assert inspect(daemon, cid)["State"]["Running"] is True

    with daemon.client() as c:
        r = c.post(f"/v1.24/containers/{cid}/attach", params={"stream": 1, "stdin": 1, "detachKeys": "ctrl-1"})
        assert r.status_code == 400 and "Invalid detach keys (ctrl-1)" in r.json()["message"], r.text

    r = raw_post(
        daemon, f"/v1.24/containers/{cid}/exec",
        {"Cmd": ["sh"], "Tty": True, "AttachStdin": True, "AttachStdout": True, "DetachKeys": "ctrl-e"},
    )  # fmt: skip
    exec_id = r.json()["Id"]
    conn = Hijacked(daemon, f"/v1.24/exec/{exec_id}/start", {"Detach": False, "Tty": True})
    conn.sock.sendall(b"echo $((7*6))\r")
    assert b"42" in _read_until(conn, b"42")
    conn.sock.sendall(b"\x05")
    assert _ends_soon(conn)
    with daemon.client() as c:
        assert c.get(f"/v1.24/exec/{exec_id}/json").json()["Running"] is True

    plain = create(daemon, image_ref, "cat", OpenStdin=True, StdinOnce=True)
    conn = Hijacked(daemon, f"/v1.24/containers/{plain}/attach?stream=1&stdin=1&stdout=1&stderr=1")
    start(daemon, plain)
    conn.sock.sendall(b"a\x10\x11b\n")
    conn.sock.shutdown(socket.SHUT_WR)
    assert joined(demux(conn.read_all()), 1) == b"a\x10\x11b\n"
    assert wait(daemon, plain) == 0

    conn = Hijacked(daemon, f"/v1.24/containers/{cid}/attach?stream=1&stdin=1&stdout=1")
    conn.sock.sendall(b"\x15exit 5\r")  # ctrl-u first: the ctrl-p above recalled a line into the editor
    conn.read_all()
    assert wait(daemon, cid) == 5


def test_an_exec_resized_as_soon_as_its_stream_opens_gets_the_size(daemon: PouchD, image_ref: str) -> None:
    """The Docker CLI resizes an exec's terminal as soon as its start's stream opens (API 1.24
    sends no ConsoleSize); pouchd answers that head before the process runs, so the resize waits
    for it, as dockerd's does, instead of a 409."""
    cid = create(daemon, image_ref, "sleep", "300")
    start(daemon, cid)
    try:
        r = raw_post(
            daemon, f"/v1.24/containers/{cid}/exec",
            {"Cmd": ["sh", "-c", "sleep 0.5; stty size"], "Tty": True, "AttachStdout": True},
        )  # fmt: skip
        exec_id = r.json()["Id"]
        conn = Hijacked(daemon, f"/v1.24/exec/{exec_id}/start", {"Detach": False, "Tty": True})
        with daemon.client() as c:
            resized = c.post(f"/v1.24/exec/{exec_id}/resize", params={"h": 21, "w": 77})
        assert resized.status_code == 200, resized.text
        assert conn.read_all().strip() == b"21 77"
        with daemon.client() as c:
            r = c.post("/v1.24/exec/nosuch/resize", params={"h": 1, "w": 1})
            assert r.status_code == 404
    finally:
        with daemon.client() as c:
            c.delete(f"/v1.24/containers/{cid}", params={"force": 1})


def test_oom_score_adj_as_pouchs_cli_asks_for_it(daemon: PouchD, image_ref: str) -> None:
    """pouch's CLI asks for ``OomScoreAdj`` -500 on every create. Where pouchd lacks
    CAP_SYS_RESOURCE (this sandbox) no process may go below what it inherited: runc's write
    failed the start ("can't get final child's PID from pipe"). The create warns and the
    container runs with the lowest value allowed; elsewhere it gets -500. A raise always applies."""
    floor = oom_score_adj_floor()  # this process's caps and value are the daemon's: it started it
    for asked in (-500, 500):
        body = {"Image": image_ref, "Cmd": ["cat", "/proc/self/oom_score_adj"]}
        body["HostConfig"] = {"NetworkMode": "none", "OomScoreAdj": asked}
        r = raw_post(daemon, "/v1.24/containers/create", body)
        assert r.status_code == 201, r.text
        applied = asked if floor is None else max(asked, floor)
        warnings = r.json()["Warnings"]
        if applied == asked:
            assert warnings == []
        else:
            assert warnings == [
                f"pouchd cannot lower a process's oom_score_adj below {floor} here (it lacks CAP_SYS_RESOURCE): "
                f"OomScoreAdj {asked} is applied as {floor}"
            ]
        cid = r.json()["Id"]
        start(daemon, cid)
        assert wait(daemon, cid) == 0
        assert joined(demux(logs(daemon, cid)), 1) == f"{applied}\n".encode()
        assert inspect(daemon, cid)["HostConfig"]["OomScoreAdj"] == asked  # as asked, as pouch keeps it


def test_exec_start_as_pouchs_go_client_sends_it(daemon: PouchD, image_ref: str) -> None:
    """pouch's client hijacks an exec start with its JSON body named ``text/plain``
    (client/container_exec.go): read as JSON, as pouch's and Docker's daemons read it. Other
    operations still refuse a type they do not take."""
    cid = create(daemon, image_ref, "sleep", "300")
    start(daemon, cid)
    r = raw_post(
        daemon, f"/v1.24/containers/{cid}/exec", {"Cmd": ["sh", "-c", "echo out; exit 3"], "AttachStdout": True}
    )
    exec_id = r.json()["Id"]
    conn = Hijacked(daemon, f"/v1.24/exec/{exec_id}/start", {"Detach": False, "Tty": False}, text_plain=True)
    assert conn.head.startswith(b"HTTP/1.1 101 UPGRADED"), conn.head
    assert joined(demux(conn.read_all()), 1) == b"out\n"
    with daemon.client() as c:
        assert c.get(f"/v1.24/exec/{exec_id}/json").json()["ExitCode"] == 3
        r = c.post(f"/v1.24/exec/{exec_id}/start", content=b"{not json", headers={"Content-Type": "text/plain"})
        assert r.status_code == 400, r.text  # read as JSON: a body that is none is still refused
        body = json.dumps({"Cmd": ["true"]})
        r = c.post(f"/v1.24/containers/{cid}/exec", content=body, headers={"Content-Type": "text/plain"})
        assert r.status_code == 415, r.text
        assert c.delete(f"/v1.24/containers/{cid}", params={"force": 1}).status_code == 204


def test_exec_attached_detached_and_its_exit_code(daemon: PouchD, image_ref: str) -> None:
    cid = create(daemon, image_ref, "sleep", "300")
    start(daemon, cid)
    r = raw_post(
        daemon, f"/v1.24/containers/{cid}/exec",
        {"Cmd": ["sh", "-c", "echo $WHO; echo e >&2; exit 4"], "Env": ["WHO=exec"], "AttachStdout": True,
         "AttachStderr": True},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    exec_id = r.json()["Id"]
    conn = Hijacked(daemon, f"/v1.24/exec/{exec_id}/start", {"Detach": False, "Tty": False})
    frames = demux(conn.read_all())
    assert joined(frames, 1) == b"exec\n" and joined(frames, 2) == b"e\n"
    with daemon.client() as c:
        info = c.get(f"/v1.24/exec/{exec_id}/json").json()
        assert (info["ExitCode"], info["Running"], info["ContainerID"]) == (4, False, cid)
        assert info["ProcessConfig"]["entrypoint"] == "sh"
        r = raw_post(daemon, f"/v1.24/containers/{cid}/exec", {"Cmd": ["touch", "/tmp/detached"]})
        detached = r.json()["Id"]
        assert raw_post(daemon, f"/v1.24/exec/{detached}/start", {"Detach": True}).status_code == 200
        for _ in range(100):
            if not c.get(f"/v1.24/exec/{detached}/json").json()["Running"]:
                break
            time.sleep(0.05)
        r = raw_post(daemon, f"/v1.24/containers/{cid}/exec", {"Cmd": ["ls", "/tmp/detached"], "AttachStdout": True})
        conn = Hijacked(daemon, f"/v1.24/exec/{r.json()['Id']}/start", {})
        assert joined(demux(conn.read_all()), 1) == b"/tmp/detached\n"
        missing = raw_post(daemon, f"/v1.24/containers/{cid}/exec", {"Cmd": ["nosuchcommand"], "AttachStdout": True})
        conn = Hijacked(daemon, f"/v1.24/exec/{missing.json()['Id']}/start", {})
        conn.read_all()
        assert c.get(f"/v1.24/exec/{missing.json()['Id']}/json").json()["ExitCode"] in (126, 127)
        assert c.get("/v1.24/exec/nosuch/json").status_code == 404
        assert c.delete(f"/v1.24/containers/{cid}", params={"force": 1}).status_code == 204
        r = raw_post(daemon, f"/v1.24/containers/{cid}/exec", {"Cmd": ["true"]})
        assert r.status_code == 404


def test_stats_one_shot(daemon: PouchD, image_ref: str) -> None:
    cid = create(daemon, image_ref, "sleep", "300", HostConfig={"Memory": 64 << 20})
    start(daemon, cid)
    with daemon.client() as c:
        sample = c.get(f"/v1.24/containers/{cid}/stats", params={"stream": 0}).json()
        assert sample["memory_stats"]["limit"] == 64 << 20 and sample["memory_stats"]["usage"] > 0
        assert sample["pids_stats"]["current"] >= 1 and sample["cpu_stats"]["cpu_usage"]["total_usage"] > 0
        r = raw_post(daemon, f"/v1.24/containers/{cid}/update", {"Memory": 128 << 20})
        assert r.status_code == 200, r.text
        sample = c.get(f"/v1.24/containers/{cid}/stats", params={"stream": 0}).json()
        assert sample["memory_stats"]["limit"] == 128 << 20
        assert inspect(daemon, cid)["HostConfig"]["Memory"] == 128 << 20
        assert c.delete(f"/v1.24/containers/{cid}", params={"force": 1}).status_code == 204


# ---- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"Image": "nosuch:latest", "Cmd": ["true"]}, 404, "nosuch"),
        ({"Cmd": ["true"], "HostConfig": {"Memory": -1}}, 400, "Memory"),
        ({"Cmd": ["true"], "HostConfig": {"RestartPolicy": {"Name": "sometimes"}}}, 400, "restart policy"),
        ({"Cmd": ["true"], "HostConfig": {"Binds": ["relative/dir:/data"]}}, 400, "relative/dir"),
        ({"Cmd": ["true"], "HostConfig": {"NetworkMode": "weird"}}, 400, "weird"),
    ],
)
def test_bad_creates_are_refused(daemon: PouchD, image_ref: str, body: dict[str, Any], status: int, text: str) -> None:
    body = {"Image": image_ref, **body}
    r = raw_post(daemon, "/v1.24/containers/create", body)
    assert r.status_code == status and text in r.json()["message"], r.text


def test_names_are_unique_and_checked(daemon: PouchD, image_ref: str) -> None:
    create(daemon, image_ref, "true", name="taken")
    r = raw_post(daemon, "/v1.24/containers/create?name=taken", {"Image": image_ref, "Cmd": ["true"]})
    assert r.status_code == 409 and r.json() == {"message": "container name taken: already existed"}
    r = raw_post(daemon, "/v1.24/containers/create?name=bad%20name", {"Image": image_ref, "Cmd": ["true"]})
    assert r.status_code == 400 and "Invalid container name" in r.json()["message"]
    with daemon.client() as c:
        assert c.delete("/v1.24/containers/taken").status_code == 204
        assert c.get("/v1.24/containers/nosuch/json").json() == {"message": "container nosuch: not found"}


def test_a_missing_command_fails_the_start_and_is_recorded(daemon: PouchD, image_ref: str) -> None:
    cid = create(daemon, image_ref, "/no/such/command")
    r = raw_post(daemon, f"/v1.24/containers/{cid}/start")
    assert r.status_code == 400 and "/no/such/command" in r.json()["message"], r.text
    state = inspect(daemon, cid)["State"]
    assert (state["Status"], state["ExitCode"]) == ("exited", 127) and state["Error"]
    with daemon.client() as c:
        assert c.delete(f"/v1.24/containers/{cid}").status_code == 204


def test_an_image_in_use_is_not_removed(daemon: PouchD, image_ref: str) -> None:
    cid = create(daemon, image_ref, "true")
    with daemon.client() as c:
        r = c.delete(f"/v1.24/images/{image_ref}")
        assert r.status_code == 409 and "is using its referenced image" in r.json()["message"], r.text
        assert c.delete(f"/v1.24/containers/{cid}").status_code == 204


def test_events_of_a_container_and_the_container_filter(daemon: PouchD, image_ref: str) -> None:
    since = time.time()
    cid = create(daemon, image_ref, "sh", "-c", "exit 2", name="evented")
    create(daemon, image_ref, "true", name="other")
    start(daemon, cid)
    assert wait(daemon, cid) == 2
    with daemon.client() as c:
        assert c.delete(f"/v1.24/containers/{cid}").status_code == 204
        assert c.delete("/v1.24/containers/other").status_code == 204
        params = {
            "since": f"{since:.9f}",
            "until": f"{time.time() + 1:.9f}",
            "filters": json.dumps({"container": ["evented"]}),
        }
        r = c.get("/v1.24/events", params=params)
    events = [json.loads(line) for line in r.text.splitlines()]
    assert [e["action"] for e in events] == ["create", "start", "die", "destroy"]
    assert {e["id"] for e in events} == {cid}
    die = events[2]
    assert die["actor"]["Attributes"]["exitCode"] == "2" and die["actor"]["Attributes"]["name"] == "evented"
    assert die["from"] == image_ref


# ---- pouchd goes away, the containers stay ------------------------------------------------------


def test_containers_survive_a_sigkilled_pouchd(tmp_path: Path, registry: Registry, image_ref: str) -> None:
    trigger = tmp_path / "trigger"
    trigger.mkdir()
    d = PouchD(tmp_path, "--insecure-registries", registry.address).start()
    try:
        pull_into(d, image_ref)
        script = "echo before{i}; while [ ! -e /trigger/go ]; do sleep 0.05; done; echo after{i}; exit {i}"
        binds = {"Binds": [f"{trigger}:/trigger:ro"]}
        ids = [create(d, image_ref, "sh", "-c", script.format(i=i), HostConfig=binds) for i in range(10)]
        for cid in ids:
            start(d, cid)
        pids = {cid: inspect(d, cid)["State"]["Pid"] for cid in ids}
        for cid in ids:  # its first line is in the log before pouchd dies
            for _ in range(100):
                if logs(d, cid):
                    break
                time.sleep(0.05)
        os.kill(d.pid, signal.SIGKILL)
        d.proc.wait()  # type: ignore[union-attr]
        d.start()
        with d.client() as c:
            listed = {i["Id"]: i for i in c.get("/v1.24/containers/json").json()}
        assert set(listed) == set(ids)
        for cid in ids:
            assert inspect(d, cid)["State"]["Pid"] == pids[cid]
        (trigger / "go").touch()
        for i, cid in enumerate(ids):  # they end later, with their own codes, their logs whole
            assert wait(d, cid) == i
            assert joined(demux(logs(d, cid)), 1) == f"before{i}\nafter{i}\n".encode()
    finally:
        remove_all(d)
        d.stop()
        d.cleanup()
